"""Assembling a Design from what a consultation recorded.

The design's parts follow facts/dimensions.yaml: each part is filled from the
decided single-valued dimensions or the collected items of its dimensions, so a new
dimension shows up without code here.
"""
from __future__ import annotations

from functools import cache
from typing import Any
from collections.abc import Callable

from .design import (Assumption, Channel, Conflict, Item, Precondition, Reference, Risk, Source,
                     TraceStatus, TraceStep, construct, design_model, part_models)
from .knowledge import KnowledgeBase, RiskText
from .questions import QuestionIndex, open_questions
from .run import STATUS_WEIGHT, Collected, Run
from .vocabulary import Part, Vocabulary, registry, vocabulary
from .warnings import design_warnings

CHECKLIST_PREFIX = "gp_"     # ids of the annex III criteria (rules/good_practice.yaml), on every design

# The models are built with `construct` (no validation): every value below is made for this
# consultation (the Run's containers are its own) or is a str; a list the knowledge base owns
# is copied.


class _Builder:
    def __init__(self, kb: KnowledgeBase, run: Run, lang: str):
        self.kb, self.run, self.lang = kb, run, lang

    def label(self, dim: str, value: Any) -> Any:
        return self.kb.label(dim, value, self.lang) if value is not None else None

    def part(self, part: Part) -> dict[str, Any]:
        if part.shape == "top":
            return {registry().dimensions[d].key or d: self.run.decided.get(d) for d in part.dimensions}
        if part.shape == "object":
            return {part.name: self.object_part(part)}
        out: dict[str, Any] = {}
        for name in part.dimensions:
            out.update(self.items(name))
        return out

    def object_part(self, part: Part) -> Any:
        values: dict[str, Any] = {}
        rules: list[str] = []
        for name in part.dimensions:
            dim = registry().dimensions[name]
            value: Any = self.run.decided.get(name)
            if dim.value_type == "months":
                values["min_months"] = value[0] if value else None
                values["recommended_months"] = value[1] if value else None
            else:
                values[dim.key or "value"] = value
                values[dim.label_key or "label"] = self.label(name, value)
            rules += self.run.winning_rules(name)
        return construct(part_models()[part.name], **values, rules=rules)

    def items(self, name: str) -> dict[str, Any]:
        item = registry().dimensions[name].item
        collected = self.run.collected[name]
        build: dict[str, Callable[[str, dict[str, Collected]], dict[str, Any]]] = {
            "channel": self.channels, "text": self.texts, "precondition": self.preconditions,
            "risk": self.risks, "reference": self.references}
        return build[item or "text"](name, collected)

    def channels(self, name: str, collected: dict[str, Collected]) -> dict[str, Any]:
        ranked = sorted(collected.items(), key=lambda kv: (-kv[1].weight, kv[0]))
        return {name: [construct(Channel, channel=c, rank=i, label=self.label(name, c), weight=e.weight,
                                 rules=e.rules)
                       for i, (c, e) in enumerate(ranked, start=1)]}

    def texts(self, name: str, collected: dict[str, Collected]) -> dict[str, Any]:
        return {name: [construct(Item, id=i, text=self.kb.label(name, i, self.lang), rules=e.rules)
                       for i, e in collected.items()]}

    def preconditions(self, name: str, collected: dict[str, Collected]) -> dict[str, Any]:
        def order(kv: tuple[str, Collected]) -> tuple:
            # what is not met first, then unknown, then in place; within each, the
            # generic annex III checklist (rules/good_practice.yaml) after the design's own
            return (-STATUS_WEIGHT[kv[1].status or "met"],
                    kv[0].startswith(CHECKLIST_PREFIX))
        return {name: [construct(Precondition, id=i, status=e.status or "unknown",
                                 text=self.kb.label(name, i, self.lang), rules=e.rules)
                       for i, e in sorted(collected.items(), key=order)]}

    def risks(self, name: str, collected: dict[str, Collected]) -> dict[str, Any]:
        texts = self.kb.items[name]
        out = []
        for i, e in collected.items():
            text: RiskText = texts[i]
            out.append(construct(Risk, id=i, text=text.text.get(self.lang),
                                 mitigation=text.mitigation.get(self.lang), rules=e.rules))
        return {name: out}

    def references(self, name: str, collected: dict[str, Collected]) -> dict[str, Any]:
        voc = vocabulary()
        return {name: list(collected),
                "reference_details": [construct(Reference, id=i, title=voc.source_title(i, self.lang),
                                                resemblance=list(dict.fromkeys(t.get(self.lang)
                                                                               for t in e.resemblance)),
                                                rules=e.rules) for i, e in collected.items()]}

    def trace(self) -> list[TraceStep]:
        trace = []
        for number, step in enumerate(self.run.steps, start=1):
            rule = self.kb.by_id[step.rule]
            singles = rule.singles()
            status: TraceStatus = "overruled" if singles and len(step.overruled_by) == len(singles) else "fired"
            trace.append(construct(TraceStep, step=number, rule=step.rule, status=status, matched=step.matched,
                                   derived_from=step.derived_from, concluded=step.concluded,
                                   because=rule.spec.because.get(self.lang), sources=list(rule.spec.sources),
                                   overruled_by=step.overruled_by))
        return trace

    def assumptions(self, trace: list[TraceStep]) -> list[Assumption]:
        # An assumption stands in for unknown facts: a fallback that decided a dimension, or a
        # rule that read an unknown fact. A rule that read only known facts (e.g. `unless:
        # {multiple_funders: false}` with multiple_funders given) assumed nothing.
        out = []
        for step in trace:
            rule = self.kb.by_id[step.rule]
            if rule.spec.assumes and step.status != "overruled" and (
                    rule.singles() or "unknown" in step.matched.values()):
                out.append(construct(Assumption, text=rule.spec.assumes.get(self.lang), rules=[step.rule]))
        return out


def _lower_first(text: str) -> str:
    # "Overzichtstabel ..." reads as "overzichtstabel ..." after a comma; "EQUAL-project" stays
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


@cache
def _source_fields(voc: Vocabulary, source_id: str, lang: str) -> tuple[tuple[str, str], ...]:
    # the same for every consultation: computed once, its strings shared by the designs
    entry = voc.sources.get(source_id) or {"doc": source_id.split(".")[0], "title": None}
    doc = voc.documents.get(entry["doc"], {})
    title = voc.source_title(source_id, lang)
    short = doc.get("short", {}).get(lang, entry["doc"])
    return (("id", source_id), ("title", title), ("cited_as", f"{short}, {_lower_first(title)}"),
            ("report", entry["doc"]), ("report_title", doc.get("title", {}).get(lang, "")),
            ("publisher", doc.get("publisher", {}).get(lang, "")), ("year", str(doc.get("year", {}).get(lang, ""))))


def source(source_id: str, lang: str) -> Source:
    """A cited part in words, with the report it is in."""
    return construct(Source, **dict(_source_fields(vocabulary(), source_id, lang)))


def cited_sources(trace: list[TraceStep], lang: str) -> list[Source]:
    """Every part cited by a rule the advice rests on, in registry order."""
    cited = {s for step in trace if step.status != "overruled" for s in step.sources}
    order = {s: i for i, s in enumerate(vocabulary().sources)}
    return [source(s, lang) for s in sorted(cited, key=lambda s: (order.get(s, len(order)), s))]


def assemble(kb: KnowledgeBase, index: QuestionIndex, group: str, run: Run, lang: str) -> Any:
    """The Design of a consultation. It takes over the run's containers (a trace step's dicts,
    an item's rules): a Run makes one Design."""
    builder = _Builder(kb, run, lang)
    reg = registry()
    undecided = [d for d, spec in reg.dimensions.items()
                 if spec.kind == "single" and group in spec.applies_to and d not in run.decided]
    trace = builder.trace()
    values: dict[str, Any] = {"lang": lang, "target_group": group}
    for part in reg.parts.values():
        values.update(builder.part(part))
    return construct(
        design_model(), **values, undecided=undecided, assumptions=builder.assumptions(trace),
        open_questions=open_questions(index, group, run, lang),
        conflicts=[construct(Conflict, dimension=c.dimension, priority=c.priority,
                             values={v: list(rules) for v, rules in c.values.items()}) for c in run.conflicts],
        trace=trace, situation=dict(run.facts), warnings=design_warnings(kb, index, group, run, lang),
        sources=cited_sources(trace, lang))
