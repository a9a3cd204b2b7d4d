"""Reviewing a proposal against the advice (offertetoets), and comparing proposals.

A review consults the proposal's situation (experta does that inference, as for any
consultation) and holds the proposal against the design, part by part:

- fits: the proposal chooses what the advice says;
- partly: close, but not all of it (a channel set without the first advised channel,
  a lead time between the minimum and the recommended months, one step away on an
  ordered scale, some of the director roles);
- differs: another choice than the advice;
- advised_against: a choice the reports warn against for this situation: an item of
  the design's "Niet doen" part (rules/advised_against.yaml) that facts/review.yaml
  links to that choice;
- missing: the proposal says nothing about a part the advice decides.

The overall verdict: does_not_fit when any part is advised against or two or more parts
differ; fits when every part fits and no unmet precondition is left unaddressed;
otherwise fits_with_changes. Several proposals for one situation are ranked by the
rule in RANKING_RULE. Review scenario files (facts/review_scenarios/) hold proposals
with expected verdicts; `run_scenario_file` runs them and ordinary scenarios alike.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .assemble import CHECKLIST_PREFIX
from .design import design_model
from .errors import InputError, InputErrors
from .modelgen import make_model
from .paths import facts_dir
from .proposal import JUDGED_AS, NO_CHILDCARE, Proposal, ProposalBody, parse_proposal
from .situation import known_facts
from .vocabulary import registry, vocabulary
from .yamlio import line_of, load_mapping

CONTRACT = "aanpakwijzer/review/v1"
COMPARISON_CONTRACT = "aanpakwijzer/review-comparison/v1"
Verdict = Literal["fits", "partly", "differs", "advised_against", "missing"]
Overall = Literal["fits", "fits_with_changes", "does_not_fit"]
OVERALL_ORDER = ("fits", "fits_with_changes", "does_not_fit")
CRITERION_PREFIX = CHECKLIST_PREFIX  # annex III criteria (rules/good_practice.yaml)
ADVISED_AGAINST = "advised_against"  # the dimension of "Niet doen" items


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Finding(_Model):
    item: str
    verdict: Verdict
    because: str
    sources: list[str]
    rules: list[str]
    instead: str = Field(default="", description="for a choice advised against: what to do instead")


class Element(_Model):
    part: str
    title: str
    proposed: Any
    advised: Any
    advice: str = Field(description="the advice in words")
    verdict: Verdict
    findings: list[Finding]


class PreconditionReview(_Model):
    id: str
    status: Literal["met", "not_met", "unknown"]
    addressed: bool
    text: str


class RiskReview(_Model):
    id: str
    addressed: bool
    text: str
    mitigation: str


class Criterion(_Model):
    id: str
    status: Literal["met", "not_met", "unknown"]
    addressed: bool
    text: str


class ReviewBase(_Model):
    contract: str = CONTRACT
    lang: Literal["nl", "en"]
    name: str
    executor: Optional[str]
    target_group: str
    verdict: Overall
    deciding_points: list[str]
    summary: list[str]
    elements: list[Element]
    preconditions: list[PreconditionReview]
    risks: list[RiskReview]
    criteria: list[Criterion]
    proposal: ProposalBody

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


@lru_cache(maxsize=1)
def review_model() -> Any:
    """The Review model, with the generated Design model for its `design` field."""
    return make_model("Review", ReviewBase, {"design": (design_model(), ...)})


class Place(_Model):
    place: int
    name: str
    executor: Optional[str]
    verdict: Overall
    deciding_points: list[str]
    counts: dict[str, int]
    explanation: str


class ComparisonBase(_Model):
    contract: str = COMPARISON_CONTRACT
    lang: Literal["nl", "en"]
    ranking_rule: str
    ranking: list[Place]

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


@lru_cache(maxsize=1)
def comparison_model() -> Any:
    from .modelgen import list_of
    return make_model("Comparison", ComparisonBase, {"reviews": (list_of(review_model()), ...)})


# --- texts ------------------------------------------------------------------------

T = {
    "nl": {
        "fits": "past", "partly": "past deels", "differs": "wijkt af", "advised_against": "afgeraden",
        "missing": "ontbreekt",
        "overall.fits": "Het voorstel past bij het advies.",
        "overall.fits_with_changes": "Het voorstel past, maar alleen met aanpassingen.",
        "overall.does_not_fit": "Het voorstel past niet bij het advies.",
        "advice": "Het advies: {0}.", "silent": "Het voorstel zegt hier niets over.",
        "in_advice": "Staat in het advies (plaats {0}).",
        "not_in_advice": "Staat niet in het advies voor deze situatie.",
        "advised_not_proposed": "Aangeraden (plaats {0}) maar niet in het voorstel.",
        "role_missing": "Aangeraden, maar het voorstel noemt deze rol niet.",
        "one_step": "Eén stap verwijderd van het advies.",
        "months": "minimaal {0} maanden, aanbevolen {1}", "proposed_months": "{0} maanden",
        "too_short": "Korter dan de minimale doorlooptijd.",
        "between": "Langer dan het minimum, korter dan aanbevolen.", "long_enough": "Lang genoeg.",
        "undecided": "Het advies kan dit nog niet bepalen; zie de open vragen.",
        "no_childcare": "geen kinderopvang", "none": "geen",
        "unmet_one": "Randvoorwaarde niet voldaan en niet geregeld in het voorstel: {0}",
        "unknown": "{0} randvoorwaarde(n) nog onbekend en niet geregeld in het voorstel.",
        "risks": "{0} risico('s) zonder maatregel in het voorstel.",
        "point": "{0}: {1}.", "instead": "In plaats daarvan: {0}",
        "rule": ("Rangorde: eerst het oordeel (past, past met aanpassingen, past niet); bij gelijk oordeel "
                 "minder onderdelen afgeraden, dan minder die afwijken, dan minder die ontbreken, dan minder "
                 "die deels passen, dan minder niet-geregelde randvoorwaarden en risico's; daarna de naam."),
        "covered": "{0} van de {1} aangeraden punten staan in het voorstel",
        "v.fits": "past", "v.fits_with_changes": "past met aanpassingen", "v.does_not_fit": "past niet",
        "place": "Plaats {0}: '{1}', {2}",
        "counts": "{0} afgeraden, {1} wijkt af, {2} ontbreekt, {3} past deels, {4} niet geregeld",
        "deciding": "doorslaggevend: {0}",
        "ahead": "vóór '{0}' omdat het {1}", "tie": "gelijk met '{0}' op alle punten; de naam beslist",
        "better.verdict": "een beter oordeel heeft",
        "better.advised_against": "minder onderdelen heeft die afgeraden zijn",
        "better.differs": "minder onderdelen heeft die afwijken", "better.missing": "minder onderdelen open laat",
        "better.partly": "minder onderdelen heeft die maar deels passen",
        "better.open": "minder randvoorwaarden en risico's ongeregeld laat",
    },
    "en": {
        "fits": "fits", "partly": "partly fits", "differs": "differs", "advised_against": "advised against",
        "missing": "missing",
        "overall.fits": "The proposal fits the advice.",
        "overall.fits_with_changes": "The proposal fits, but only with changes.",
        "overall.does_not_fit": "The proposal does not fit the advice.",
        "advice": "The advice: {0}.", "silent": "The proposal says nothing about this.",
        "in_advice": "In the advice (place {0}).", "not_in_advice": "Not in the advice for this situation.",
        "advised_not_proposed": "Advised (place {0}) but not in the proposal.",
        "role_missing": "Advised, but the proposal does not mention this role.",
        "one_step": "One step away from the advice.",
        "months": "at least {0} months, {1} recommended", "proposed_months": "{0} months",
        "too_short": "Shorter than the minimum lead time.",
        "between": "Longer than the minimum, shorter than recommended.", "long_enough": "Long enough.",
        "undecided": "The advice cannot decide this yet; see the open questions.",
        "no_childcare": "no childcare", "none": "none",
        "unmet_one": "Precondition not met and not arranged in the proposal: {0}",
        "unknown": "{0} precondition(s) still unknown and not arranged in the proposal.",
        "risks": "{0} risk(s) without a measure in the proposal.",
        "point": "{0}: {1}.", "instead": "Instead: {0}",
        "rule": ("Ranking: first the verdict (fits, fits with changes, does not fit); with equal verdicts fewer "
                 "parts advised against, then fewer that differ, then fewer missing, then fewer that partly fit, "
                 "then fewer unarranged preconditions and risks; then the name."),
        "covered": "{0} of the {1} advised points are in the proposal",
        "v.fits": "fits", "v.fits_with_changes": "fits with changes", "v.does_not_fit": "does not fit",
        "place": "Place {0}: '{1}', {2}",
        "counts": "{0} advised against, {1} differ, {2} missing, {3} partly, {4} unarranged",
        "deciding": "deciding: {0}",
        "ahead": "ahead of '{0}' because it {1}", "tie": "equal to '{0}' on every point; the name decides",
        "better.verdict": "has a better verdict", "better.advised_against": "has fewer parts advised against",
        "better.differs": "has fewer parts that differ", "better.missing": "leaves fewer parts open",
        "better.partly": "has fewer parts that only partly fit",
        "better.open": "leaves fewer preconditions and risks unarranged",
    },
}


# --- what "advised against" items are about (facts/review.yaml) ----------------------

class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    recruitment: list[str] = []
    childcare: list[str] = []
    result_agreements: list[str] = []
    targets: list[Literal["participants", "outflow_percent"]] = []
    duration_months: Optional[Literal["below_min"]] = None
    execution_approach: list[str] = []
    scale: list[str] = []
    director_role: list[str] = []
    unless_recruitment: list[str] = []


class ReviewKnowledge(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    advised_against: dict[str, Target]
    ordered: dict[str, list[str]] = {}


@lru_cache(maxsize=1)
def review_knowledge() -> ReviewKnowledge:
    from .engine import compiled
    from .proposal import allowed_ids

    data, name = load_mapping(facts_dir() / "review.yaml")
    try:
        knowledge = ReviewKnowledge(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], file=name, field=".".join(str(p) for p in first["loc"])) from None
    items = compiled().kb.items.get(ADVISED_AGAINST, {})
    problems = []
    for item_id, target in knowledge.advised_against.items():
        line = line_of(data["advised_against"], item_id)
        if item_id not in items:
            problems.append(InputError(f"'{item_id}' is not an item of rules/advised_against", file=name,
                                       line=line, field=item_id, allowed=sorted(items)))
        for key in ("recruitment", "childcare", "result_agreements", "execution_approach", "scale",
                    "director_role", "unless_recruitment"):
            allowed = allowed_ids(key.replace("unless_", ""))
            for value in getattr(target, key):
                if value not in allowed:
                    problems.append(InputError(f"unknown value {value!r}", file=name, line=line,
                                               field=f"{item_id}.{key}", allowed=allowed))
    if problems:
        raise InputErrors(problems)
    return knowledge


# --- the review ----------------------------------------------------------------------

class _Reviewer:
    def __init__(self, design: Any, body: ProposalBody, lang: str):
        from .engine import compiled

        self.design, self.body, self.lang, self.t = design, body, lang, T[lang]
        self.kb = compiled().kb
        self.targets = review_knowledge().advised_against
        self.ordered = review_knowledge().ordered
        self.warnings = getattr(design, ADVISED_AGAINST)
        self.json = design.model_dump(mode="json")

    # texts and sources of rules
    def why(self, rules: list[str]) -> tuple[str, list[str]]:
        rules = [r for r in dict.fromkeys(rules) if r in self.kb.by_id]
        if not rules:
            return "", []
        spec = self.kb.by_id[rules[0]].spec
        sources = list(dict.fromkeys(s for r in rules for s in self.kb.by_id[r].spec.sources))
        return spec.because.get(self.lang), sources

    def finding(self, item: Any, verdict: Any, lead: str, rules: list[str]) -> Finding:
        because, sources = self.why(rules)
        text = " ".join(p for p in (lead, because) if p)
        return Finding(item=str(item), verdict=verdict, because=text, sources=sources, rules=list(dict.fromkeys(rules)))

    def warned(self, key: str, value: Any) -> list[Finding]:
        """Findings for the design's 'Niet doen' items that are about this choice."""
        out = []
        proposed_channels = set(self.body.recruitment or [])
        for item in self.warnings:
            target = self.targets.get(item.id)
            if target is None:
                continue
            hit = (value == "below_min" and target.duration_months == "below_min") if key == "duration_months" \
                else value in getattr(target, key)
            if hit and not proposed_channels & set(target.unless_recruitment):
                found = self.finding(value, "advised_against", item.text, item.rules)
                found.instead = item.mitigation
                out.append(found)
        return out

    def label(self, dim: str, value: Any) -> str:
        if value == NO_CHILDCARE and dim == "childcare":
            return self.t["no_childcare"]
        return self.kb.label(dim, value, self.lang) if value is not None else "-"

    # parts
    def element(self, part: str) -> Element:
        dims = registry().parts[part].dimensions
        dim = registry().dimensions[dims[0]]
        if dim.kind == "multi":
            return self.list_element(part, dim.name, dim.item)
        if dim.value_type == "months":
            return self.months_element(part, dim.name)
        return self.single_element(part, dims)

    def make(self, part: str, proposed: Any, advised: Any, advice: str, verdict: Any,
             findings: list[Finding]) -> Element:
        return Element(part=part, title=registry().parts[part].title.get(self.lang), proposed=proposed,
                       advised=advised, advice=advice, verdict=verdict, findings=findings)

    def list_element(self, part: str, dim: str, kind: Optional[str]) -> Element:
        items = getattr(self.design, dim)
        key = "channel" if kind == "channel" else "id"
        advised = [getattr(i, key) for i in items]
        rules = {getattr(i, key): i.rules for i in items}
        proposed = getattr(self.body, dim)
        advice = self.advice("; ".join(self.label(dim, a).rstrip(".") for a in advised[:5]) or self.t["none"])
        if not proposed:
            silent = [self.finding(a, "missing", self.t["silent"], rules[a]) for a in advised[:3]]
            return self.make(part, proposed, advised, advice, "missing" if advised else "fits", silent)
        findings: list[Finding] = []
        for value in proposed:
            warned = self.warned(dim, value)
            if warned:
                findings += warned
            elif value in advised:
                findings.append(self.finding(value, "fits", self.t["in_advice"].format(advised.index(value) + 1),
                                             rules[value]))
            else:
                findings.append(self.finding(value, "differs", self.t["not_in_advice"], []))
        shown = advised[:3] if kind == "channel" else advised
        for rank, value in enumerate(advised, start=1):
            if value in shown and value not in proposed:
                lead = self.t["advised_not_proposed"].format(rank) if kind == "channel" else self.t["role_missing"]
                findings.append(self.finding(value, "missing", lead, rules[value]))
        verdicts = [f.verdict for f in findings if f.item in proposed]
        covered = [a for a in advised if a in proposed]
        if "advised_against" in verdicts:
            verdict = "advised_against"
        elif not covered:
            verdict = "differs"
        elif kind == "channel":
            verdict = "fits" if set(proposed) <= set(advised) and advised[0] in proposed else "partly"
        else:
            verdict = "fits" if len(covered) == len(advised) else "partly"
        return self.make(part, list(proposed), advised, advice, verdict, findings)

    def months_element(self, part: str, dim: str) -> Element:
        obj = getattr(self.design, part)
        low, high = obj.min_months, obj.recommended_months
        advised = {"min_months": low, "recommended_months": high}
        proposed = self.body.duration_months
        advice = self.advice(self.t["months"].format(low, high)) if low else self.t["undecided"]
        if proposed is None:
            verdict = "missing" if low else "fits"
            findings = [self.finding("duration_months", "missing", self.t["silent"], obj.rules)] if low else []
            return self.make(part, None, advised, advice, verdict, findings)
        if low is None:
            return self.make(part, proposed, advised, advice, "partly",
                             [self.finding(proposed, "partly", self.t["undecided"], [])])
        lead = self.t["proposed_months"].format(proposed) + ": "
        if proposed < low:
            findings = self.warned("duration_months", "below_min")
            for f in findings:
                f.item = str(proposed)
            if not findings:
                findings = [self.finding(proposed, "differs", lead + self.t["too_short"], obj.rules)]
            verdict = findings[0].verdict
        elif high is not None and proposed < high:
            verdict, findings = "partly", [self.finding(proposed, "partly", lead + self.t["between"], obj.rules)]
        else:
            verdict, findings = "fits", [self.finding(proposed, "fits", lead + self.t["long_enough"], obj.rules)]
        return self.make(part, proposed, advised, advice, verdict, findings)

    def single_element(self, part: str, dims: list[str]) -> Element:
        obj = getattr(self.design, part)
        proposed, advised, findings, verdicts, advice = {}, {}, [], [], []
        for name in dims:
            spec = registry().dimensions[name]
            key = spec.key or "value"
            value = getattr(obj, key)
            given = getattr(self.body, name)
            advised[key], proposed[key] = value, given
            advice.append(self.label(name, value))
            rules = [r for r in obj.rules if name in self.kb.by_id[r].then.singles()]
            if given is None:
                if value is not None and value != "not_applicable":
                    findings.append(self.finding(name, "missing", self.t["silent"], rules))
                    verdicts.append("missing")
                continue
            verdict, lead = self.compare(name, given, value)
            warned = self.warned(name, given)
            if warned:
                findings += warned
                verdicts.append("advised_against")
            else:
                findings.append(self.finding(given, verdict, lead, rules))
                verdicts.append(verdict)
        if part == "result_agreements":
            verdicts += self.targets_findings(findings)
        verdict = _combine(verdicts)
        if len(dims) == 1:
            proposed, advised = next(iter(proposed.values())), next(iter(advised.values()))
        return self.make(part, proposed, advised, self.advice("; ".join(advice)), verdict, findings)

    def compare(self, dim: str, given: str, value: Optional[str]) -> tuple[str, str]:
        if value is None:
            return "partly", self.t["undecided"]
        if given == value or (dim == "childcare" and given == NO_CHILDCARE and value == "not_applicable"):
            return "fits", ""
        order = self.ordered.get(dim, [])
        if given in order and value in order and abs(order.index(given) - order.index(value)) == 1:
            return "partly", self.t["one_step"] + " " + self.advice(self.label(dim, value))
        return "differs", self.advice(self.label(dim, value))

    def advice(self, text: str) -> str:
        return self.t["advice"].format(text.rstrip("."))

    def targets_findings(self, findings: list[Finding]) -> list[str]:
        """Numbers in the proposal are shown, and judged only where a 'Niet doen' item is about them."""
        targets = self.body.targets
        verdicts = []
        for name, number in (targets.model_dump(exclude_none=True).items() if targets else []):
            warned = self.warned("targets", name)
            for f in warned:
                f.item = f"targets.{name}={number}"
            findings += warned
            verdicts += ["advised_against"] * bool(warned)
        return verdicts


def _combine(verdicts: list[str]) -> str:
    """A part with several dimensions (execution: approach and scale)."""
    if not verdicts:
        return "fits"
    if "advised_against" in verdicts:
        return "advised_against"
    if all(v == "fits" for v in verdicts):
        return "fits"
    if all(v == "missing" for v in verdicts):
        return "missing"
    if all(v == "differs" for v in verdicts):
        return "differs"
    return "partly"


def reviewed_parts() -> list[str]:
    """The design parts a proposal speaks about, in the registry's order."""
    parts = {registry().part_of(dim) for dim in JUDGED_AS.values()}
    return [p for p in registry().part_order() if p in parts]


def _overall(elements: list[Element], preconditions: list[PreconditionReview],
             risks: list[RiskReview]) -> tuple[str, list[str]]:
    by = {v: [e.part for e in elements if e.verdict == v] for v in ("advised_against", "differs", "missing", "partly")}
    unmet = any(p.status == "not_met" and not p.addressed for p in preconditions)
    if by["advised_against"] or len(by["differs"]) >= 2:
        return "does_not_fit", by["advised_against"] + by["differs"]
    if all(e.verdict == "fits" for e in elements) and not unmet:
        return "fits", []
    points = by["differs"] + by["missing"] + by["partly"]
    points += ["preconditions"] * unmet + ["risks"] * any(not r.addressed for r in risks)
    return "fits_with_changes", points


def _summary(t: dict, verdict: str, elements: list[Element], preconditions: list[PreconditionReview],
             risks: list[RiskReview], deciding: list[str]) -> list[str]:
    lines = [t[f"overall.{verdict}"]]
    for element in elements:
        if element.part in deciding:
            worst = next((f for f in element.findings if f.verdict == element.verdict), None)
            if worst:
                detail = worst.because.split(". ")[0].rstrip(".")
            elif isinstance(element.advised, list):
                detail = t["covered"].format(len(set(element.proposed or []) & set(element.advised)),
                                             len(element.advised))
            else:
                detail = t[element.verdict]
            line = t["point"].format(f"{element.title} ({t[element.verdict]})", detail)
            if worst and worst.instead:
                line += " " + t["instead"].format(worst.instead)
            elif not isinstance(element.advised, list):      # a list's advice is shown in its part
                line += " " + element.advice
            lines.append(line)
    lines += [t["unmet_one"].format(p.text) for p in preconditions if p.status == "not_met" and not p.addressed]
    unknown = sum(p.status == "unknown" and not p.addressed for p in preconditions)
    open_risks = sum(not r.addressed for r in risks)
    lines += [t[key].format(n) for key, n in (("unknown", unknown), ("risks", open_risks)) if n]
    return lines


def review(advisor: Any, proposal: Any, lang: str = "nl", source: str = "<input>") -> Any:
    """Review one proposal (a Proposal or a mapping) with an Advisor; returns a Review."""
    parsed, situation = parse_proposal(proposal, source)
    design = advisor.consult(situation, lang)
    return review_design(parsed, design, lang)


def review_design(proposal: Proposal, design: Any, lang: str) -> Any:
    reviewer = _Reviewer(design, proposal.proposal, lang)
    elements = [reviewer.element(part) for part in reviewed_parts()]
    met_pre = set(proposal.proposal.addresses_preconditions or [])
    met_risk = set(proposal.proposal.addresses_risks or [])
    preconditions = [PreconditionReview(id=p.id, status=p.status, addressed=p.id in met_pre, text=p.text)
                     for p in design.preconditions if not p.id.startswith(CRITERION_PREFIX)]
    criteria = [Criterion(id=p.id, status=p.status, addressed=p.id in met_pre, text=p.text)
                for p in design.preconditions if p.id.startswith(CRITERION_PREFIX)]
    risks = [RiskReview(id=r.id, addressed=r.id in met_risk, text=r.text, mitigation=r.mitigation)
             for r in design.risks]
    verdict, deciding = _overall(elements, preconditions, risks)
    return review_model()(
        lang=lang, name=proposal.name, executor=proposal.executor, target_group=design.target_group,
        verdict=verdict, deciding_points=deciding,
        summary=_summary(T[lang], verdict, elements, preconditions, risks, deciding),
        elements=elements, preconditions=preconditions, risks=risks, criteria=criteria,
        proposal=proposal.proposal, design=design)


# --- comparing several proposals --------------------------------------------------------

RANK_KEYS = ("verdict", "advised_against", "differs", "missing", "partly", "open")


def _counts(review: Any) -> dict[str, int]:
    verdicts = [e.verdict for e in review.elements]
    counts = {v: verdicts.count(v) for v in ("advised_against", "differs", "missing", "partly")}
    counts["open"] = (sum(p.status == "not_met" and not p.addressed for p in review.preconditions)
                      + sum(not r.addressed for r in review.risks))
    return counts


def _rank_key(review: Any) -> tuple:
    counts = _counts(review)
    return (OVERALL_ORDER.index(review.verdict), *(counts[k] for k in RANK_KEYS[1:]), review.name)


def compare(advisor: Any, proposals: list[Any], lang: str = "nl", sources: Optional[list[str]] = None) -> Any:
    """Review proposals for one situation and rank them; raises InputError when the
    situations differ (offers are only comparable for the same situation)."""
    names = sources or ["<input>"] * len(proposals)
    parsed = [parse_proposal(p, where) for p, where in zip(proposals, names)]
    first = known_facts(parsed[0][1])
    for (_, situation), where in zip(parsed[1:], names[1:]):
        facts = known_facts(situation)
        if facts != first:
            fields = sorted(k for k in set(first) | set(facts) if first.get(k) != facts.get(k))
            raise InputError(f"offers compare only for one situation; this one differs from "
                             f"'{parsed[0][0].name}' in {', '.join(fields)}", file=where, field="situation")
    seen = [p.name for p, _ in parsed]
    if len(set(seen)) != len(seen):
        raise InputError("each proposal in a comparison needs its own name", field="name")
    design = advisor.consult(parsed[0][1], lang)
    reviews = [review_design(p, design, lang) for p, _ in parsed]
    return rank(reviews, lang)


def rank(reviews: list[Any], lang: str) -> Any:
    t = T[lang]
    ordered = sorted(reviews, key=_rank_key)
    places = []
    for index, current in enumerate(ordered):
        counts = _counts(current)
        text = t["place"].format(index + 1, current.name, t[f"v.{current.verdict}"]) + " (" + t["counts"].format(
            *(counts[k] for k in RANK_KEYS[1:])) + ")"
        if current.deciding_points:
            text += "; " + t["deciding"].format(", ".join(registry().parts[p].title.get(lang).lower()
                                                           for p in current.deciding_points))
        if index + 1 < len(ordered):
            nxt = ordered[index + 1]
            mine, theirs = _rank_key(current), _rank_key(nxt)
            reason = next((RANK_KEYS[i] for i in range(len(RANK_KEYS)) if mine[i] != theirs[i]), None)
            text += "; " + (t["ahead"].format(nxt.name, t[f"better.{reason}"]) if reason else t["tie"].format(nxt.name))
        places.append(Place(place=index + 1, name=current.name, executor=current.executor, verdict=current.verdict,
                            deciding_points=current.deciding_points, counts=counts, explanation=text + "."))
    return comparison_model()(lang=lang, ranking_rule=t["rule"], ranking=places, reviews=ordered)


# --- review scenarios -------------------------------------------------------------------

class ReviewExpect(_Model):
    verdict: Optional[Overall] = None
    deciding_points: Optional[Any] = None       # a ListExpect (includes/excludes/count)
    elements: Optional[dict[str, Verdict]] = None
    findings: Optional[Any] = None              # ListExpect over {part, item, verdict}
    preconditions: Optional[Any] = None
    risks: Optional[Any] = None
    criteria: Optional[Any] = None


class ComparisonExpect(_Model):
    ranking: list[str] = Field(min_length=2)
    reviews: dict[str, ReviewExpect] = {}


class ReviewScenario(_Model):
    name: str = Field(min_length=1)
    description: str = ""
    sources: list[str] = Field(min_length=1)
    proposal: Optional[dict] = None
    proposals: Optional[list[dict]] = None
    expect: dict

    @property
    def expected(self) -> Union[ComparisonExpect, ReviewExpect]:
        return (ComparisonExpect if self.proposals is not None else ReviewExpect)(**self.expect)


def is_review_scenario(data: Any) -> bool:
    return isinstance(data, dict) and ("proposal" in data or "proposals" in data)


def _check_review(expect: ReviewExpect, review: dict, label: str = "") -> list[str]:
    from .scenarios import ListExpect, _check_list

    problems = []
    prefix = f"{label}: " if label else ""
    if expect.verdict and expect.verdict != review["verdict"]:
        problems.append(f"{prefix}verdict: expected {expect.verdict!r}, got {review['verdict']!r}")
    parts = {e["part"]: e["verdict"] for e in review["elements"]}
    for part, verdict in (expect.elements or {}).items():
        if parts.get(part) != verdict:
            problems.append(f"{prefix}{part}: expected {verdict!r}, got {parts.get(part)!r}")
    findings = [{"part": e["part"], **f} for e in review["elements"] for f in e["findings"]]
    lists = {"deciding_points": (review["deciding_points"], None), "findings": (findings, "item"),
             "preconditions": (review["preconditions"], "id"), "risks": (review["risks"], "id"),
             "criteria": (review["criteria"], "id")}
    for name, (actual, key) in lists.items():
        spec = getattr(expect, name)
        if spec is not None:
            problems += [prefix + p for p in _check_list(name, ListExpect(**spec).model_dump(exclude_none=True),
                                                          actual, key)]
    return problems


def _scenario_error(exc: ValidationError, data: dict, name: str, base: tuple) -> InputError:
    """The first problem of a review scenario, with the line of the deepest key found."""
    first = exc.errors()[0]
    loc = base + tuple(first["loc"])
    node: Any = data
    line = getattr(data, "line", None)
    for part in loc:
        if isinstance(node, dict) and part in node:
            line, node = line_of(node, part) or line, node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            line = getattr(node, "line", None) or line
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    return InputError(message, file=name, line=line, field=".".join(str(p) for p in loc))


def load_review_scenario(path: Any) -> tuple[ReviewScenario, str, dict]:
    from .scenarios import ListExpect

    data, name = load_mapping(path, "review scenario file")
    try:
        scenario = ReviewScenario(**data)
    except ValidationError as exc:
        raise _scenario_error(exc, data, name, ()) from None
    try:
        for spec in _list_specs(scenario.expected):
            ListExpect(**spec)
    except ValidationError as exc:
        raise _scenario_error(exc, data, name, ("expect",)) from None
    except TypeError:
        raise InputError("a list expectation must be a mapping (includes, excludes, count)", file=name,
                         line=line_of(data, "expect"), field="expect") from None
    if (scenario.proposal is None) == (scenario.proposals is None):
        raise InputError("give either 'proposal' or 'proposals'", file=name, line=getattr(data, "line", 1))
    unknown = [s for s in scenario.sources if s not in vocabulary().sources]
    if unknown:
        raise InputError(f"unknown source id(s): {', '.join(unknown)}", file=name,
                         line=line_of(data, "sources"), field="sources")
    return scenario, name, data


def _list_specs(expected: Union[ComparisonExpect, ReviewExpect]) -> list[dict]:
    expects = list(expected.reviews.values()) if isinstance(expected, ComparisonExpect) else [expected]
    return [getattr(e, k) for e in expects for k in ("deciding_points", "findings", "preconditions", "risks",
                                                         "criteria") if getattr(e, k) is not None]


def run_review_scenario(path: Any, advisor: Any) -> Any:
    from .scenarios import ScenarioResult

    scenario, name, data = load_review_scenario(path)
    expected = scenario.expected
    if isinstance(expected, ReviewExpect):
        result = review(advisor, data["proposal"], source=name).model_dump(mode="json")
        problems = _check_review(expected, result)
        fired = [s["rule"] for s in result["design"]["trace"]]
        return ScenarioResult(name, scenario.name, problems, fired)
    comparison = compare(advisor, list(data["proposals"]), sources=[name] * len(data["proposals"]))
    result = comparison.model_dump(mode="json")
    problems = []
    got = [p["name"] for p in result["ranking"]]
    if got != expected.ranking:
        problems.append(f"ranking: expected {expected.ranking}, got {got}")
    by_name = {r["name"]: r for r in result["reviews"]}
    for proposal_name, expect in expected.reviews.items():
        if proposal_name not in by_name:
            problems.append(f"reviews: no proposal named {proposal_name!r}")
            continue
        problems += _check_review(expect, by_name[proposal_name], proposal_name)
    fired = [s["rule"] for s in result["reviews"][0]["design"]["trace"]]
    return ScenarioResult(name, scenario.name, problems, fired)


def run_scenario_file(path: Any, advisor: Any) -> Any:
    """Run a scenario file of either kind: a review scenario or a design scenario."""
    from .scenarios import run_scenario

    data, _ = load_mapping(path, "scenario file")
    if is_review_scenario(data):
        return run_review_scenario(path, advisor)
    return run_scenario(path, advisor)


def review_scenario_files(folder: Optional[Path] = None) -> list[Path]:
    return sorted((folder or facts_dir() / "review_scenarios").glob("*.yaml"))
