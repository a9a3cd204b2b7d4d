"""The advice as a report: one section model that text, Markdown and HTML all render.

Layout (every detail level): title, the situation, "In het kort" (the summary), the
warnings, then each design part of facts/dimensions.yaml in registry order, the annex
III checklist ("Toetsingskader goede praktijk"), assumptions, open questions and the
sources with the reports' title, publisher and year.

Detail levels:
- summary: the situation, the summary and the warnings;
- standard: also every part with its reasons; each reason text once (a repeat refers
  back by number), citations in words, no derivation chains, weights or rule ids;
- full: every reason of every item, with derivation chains, weights and rule ids.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from .assemble import CHECKLIST_PREFIX  # the annex III criteria
from .assemble import source as source_entry
from .vocabulary import registry, vocabulary

DETAILS = ("summary", "standard", "full")
STATUS_ORDER = {"met": 0, "unknown": 1, "not_met": 2}
SUMMARY_CHANNELS = 3
SUMMARY_RISKS = 2
SHORT_WORDS = 18
SUMMARY_WORDS = 12
STANDARD_CITATIONS = 1      # standard detail cites a reason's main source; full cites all
STANDARD_ITEMS = 6          # standard detail shows this many items of a long list (what is not met always)

UI: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Advies voor het projectontwerp", "app": "Aanpakwijzer", "date": "Datum",
        "situation": "Situatie zoals opgegeven", "question": "Gegeven", "answer": "Antwoord",
        "summary": "In het kort", "group": "Doelgroep", "why": "waarom", "see": "zie reden",
        "reason": "reden", "rule": "regel", "weight": "gewicht", "follows": "volgt uit",
        "mitigation": "tegenmaatregel", "checklist": "Toetsingskader goede praktijk",
        "checklist_intro": "Los van dit ontwerp: de criteria waarop rapport B goede praktijken beoordeelde. "
                           "Leg vanaf het begin vast hoe het project erop scoort.",
        "checklist_count": "{n} criteria: {counts}",
        "warnings": "Waarschuwingen", "assumptions": "Aannames", "undecided": "Nog niet te bepalen",
        "conflicts": "Tegenstrijdige regels", "priority": "prioriteit",
        "questions": "Open vragen",
        "questions_intro": "Een antwoord kan het advies veranderen. Geef het zo: "
                           "aanpakwijzer consult situatie.yaml --set {example}",
        "could_change": "kan veranderen",
        "range": "<een getal van {0} tot en met {1}>",
        "questions_count": "{n} (zie onder)",
        "warnings_count": "{n} over de invoer (zie onder)",
        "sources": "Bronnen",
        "age_note": "Let op: dit advies rust op rapporten van ongeveer 2003 (A) en 2007 (B). Beleid en "
                    "organisaties die ze noemen (zoals de WWB, het CWI en de Wet inburgering 2007) kunnen "
                    "sindsdien veranderd zijn: ga na wat nu geldt.",
        "report_line": "{short}: {title}. {publisher}, {year}.",
        "months": "minimaal {0} maanden, aanbevolen {1} maanden",
        "not_met_line": "Niet voldaan",
        "items_count": "{n} punten", "trace": "Afleiding: alle regels in de volgorde waarin ze vuurden",
        "fired": "gevuurd", "overruled": "overstemd", "overruled_by": "overstemd door", "matched": "gelezen",
        "met": "voldaan", "not_met": "niet voldaan", "unknown": "na te gaan",
        "details": "Toelichting", "none": "geen",
        "more": "en nog {0}: zie het volledige advies (--detail full)", "more_html": "Nog {0} tonen",
    },
    "en": {
        "title": "Advice for the project design", "app": "Aanpakwijzer", "date": "Date",
        "situation": "The situation as given", "question": "Given", "answer": "Answer",
        "summary": "At a glance", "group": "Target group", "why": "why", "see": "see reason",
        "reason": "reason", "rule": "rule", "weight": "weight", "follows": "follows from",
        "mitigation": "remedy", "checklist": "Good-practice assessment framework",
        "checklist_intro": "Apart from this design: the criteria on which report B judged good practices. "
                           "Record from the start how the project scores on them.",
        "checklist_count": "{n} criteria: {counts}",
        "warnings": "Warnings", "assumptions": "Assumptions", "undecided": "Not yet decided",
        "conflicts": "Conflicting rules", "priority": "priority",
        "questions": "Open questions",
        "questions_intro": "An answer can change the advice. Give it like this: "
                           "aanpakwijzer consult situation.yaml --set {example}",
        "could_change": "could change",
        "range": "<a number from {0} to {1}>",
        "questions_count": "{n} (see below)",
        "warnings_count": "{n} about the input (see below)",
        "sources": "Sources",
        "age_note": "Note: this advice rests on reports from about 2003 (A) and 2007 (B). Policy and "
                    "organisations they name (such as the WWB, the CWI and the Civic Integration Act 2007) "
                    "may have changed since: check what applies now.",
        "report_line": "{short}: {title}. {publisher}, {year}.",
        "months": "at least {0} months, {1} months recommended",
        "not_met_line": "Not met",
        "items_count": "{n} points", "trace": "Derivation: every rule in the order it fired",
        "fired": "fired", "overruled": "overruled", "overruled_by": "overruled by", "matched": "read",
        "met": "met", "not_met": "not met", "unknown": "to check",
        "details": "Details", "none": "none",
        "more": "and {0} more: see the full advice (--detail full)", "more_html": "Show {0} more",
    },
}


@dataclass
class Citation:
    id: str
    text: str                     # in words: "rapport A, overzichtstabel ..."


@dataclass
class Reason:
    number: int
    rule: str
    text: str
    citations: list[Citation]
    chains: list[str] = field(default_factory=list)
    text_shown: bool = False
    cites_shown: bool = False


@dataclass
class Ref:
    """A reason at an entry: its text the first time, else a reference by number (with
    the citations when the summary gave the text without them)."""
    reason: Reason
    first: bool
    cite: bool = False


@dataclass
class Entry:
    text: str
    status: Optional[str] = None              # preconditions: met / not_met / unknown
    details: list[str] = field(default_factory=list)
    reasons: list[Ref] = field(default_factory=list)
    anchor: Optional[str] = None
    children: list[Entry] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    entries: list[Entry] = field(default_factory=list)
    intro: Optional[str] = None
    ordered: bool = False
    reasons: list[Ref] = field(default_factory=list)     # standard detail: the part's main reason
    more: list[Entry] = field(default_factory=list)      # standard detail: items beyond the first few


@dataclass
class SummaryLine:
    label: str
    text: str
    reason: Optional[str] = None
    number: Optional[int] = None          # the reason's number, when it is a rule's reason
    anchor: bool = False                  # this line gives that reason's text first (later parts link here)


@dataclass
class Report:
    lang: str
    detail: str
    title: str
    date: Optional[str]
    situation: list[tuple[str, str]]
    summary: list[SummaryLine]
    note: str
    sections: list[Section]
    ui: dict[str, str]


def anchor(source_id: str) -> str:
    return "src-" + re.sub(r"[^A-Za-z0-9_-]", "-", source_id)


def short_reason(text: str, limit: int = SHORT_WORDS) -> str:
    """The gist of a reason: its first sentence, cut at a clause boundary when long."""
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z'\"])", text.strip(), maxsplit=1)[0]
    words = first.split()
    if len(words) <= limit:
        return first
    head = " ".join(words[:limit])
    cut = max(head.rfind(";"), head.rfind(":"), head.rfind(","))
    return (head[:cut] if cut > len(head) // 2 else head).rstrip(" ,;:") + " …"


def _plain(value: Any) -> Any:
    return str(value).lower() if isinstance(value, bool) else value


class _Builder:
    def __init__(self, design: Any, detail: str):
        self.design = design
        self.data: dict[str, Any] = design.model_dump(mode="json")
        self.lang: str = design.lang
        self.t = UI[self.lang]
        self.detail = detail
        self.full = detail == "full"
        self.steps = {s.rule: s for s in design.trace}
        self.reasons: dict[str, Reason] = {}
        self.sources = {s.id: s for s in design.sources}

    # --- reasons ------------------------------------------------------------
    @property
    def cited(self) -> set[str]:
        """The parts the reasons shown cite (full detail: every part the advice rests on)."""
        if self.full:
            return {s.id for s in self.design.sources}
        return {c.id for r in self.reasons.values() for c in r.citations}

    def citation(self, source_id: str) -> Citation:
        entry = self.sources.get(source_id) or source_entry(source_id, self.lang)
        return Citation(source_id, entry.cited_as)

    def chain(self, dim: str, value: Any, rule_id: str, depth: int = 0) -> str:
        """'category = low (rule) ← level = low (rule) ← leaves_home_independently = false'."""
        link = f"{dim} = {_plain(value)} ({rule_id})"
        step = self.steps.get(rule_id)
        if step is None or depth > 10:
            return link
        if step.derived_from:
            return " ← ".join([link] + [self.chain(d, step.matched.get(d), by, depth + 1)
                                        for d, by in step.derived_from.items()])
        facts = [f"{f} = {_plain(v)}" for f, v in step.matched.items() if f != "target_group" and v != "unknown"]
        return f"{link} ← {', '.join(facts)}" if facts else link

    def reason(self, rule_id: str) -> Optional[Reason]:
        """The numbered reason of a rule (numbered in order of first use)."""
        step = self.steps.get(rule_id)
        if step is None:
            return None
        if rule_id not in self.reasons:
            chains = [self.chain(d, step.matched.get(d), by) for d, by in step.derived_from.items()]
            text = step.because if self.full else short_reason(step.because)
            cited = step.sources if self.full else step.sources[:STANDARD_CITATIONS]
            self.reasons[rule_id] = Reason(len(self.reasons) + 1, rule_id, text,
                                           [self.citation(s) for s in cited], chains)
        return self.reasons[rule_id]

    def refs(self, rule_ids: list[str]) -> list[Ref]:
        """Reasons for an entry: in full detail every rule's; otherwise the first rule's
        (the others are in full), each text once."""
        out = []
        for rule_id in list(dict.fromkeys(rule_ids))[: None if self.full else 1]:
            reason = self.reason(rule_id)
            if reason is None:
                continue
            if not reason.text_shown:
                out.append(Ref(reason, first=True))
            else:
                out.append(Ref(reason, first=False, cite=not reason.cites_shown))
            reason.text_shown = reason.cites_shown = True
        return out

    def winners(self, dim: str, value: Any) -> list[str]:
        return [s.rule for s in self.design.trace if s.status != "overruled" and s.concluded.get(dim) == value]

    # --- parts --------------------------------------------------------------
    def part_section(self, part: Any) -> Optional[Section]:
        """A part with its items. In standard detail a list part gives one reason for the
        part (the one most of its items rest on) and an item gives its own only when it is
        not met; full detail gives every reason at every item."""
        entries = self.part_entries(part)
        if not entries:
            return None
        ordered = any(registry().dimensions[d].item == "channel" for d in part.dimensions)
        section = Section(part.name, part.title.get(self.lang), entries, ordered=ordered)
        if part.shape == "list" and not self.full and not ordered:
            section.entries, section.more = _first_items(entries)
        if part.shape == "list" and not self.full:
            main = self.main_rule(part)
            if main:
                section.reasons = self.refs([main])
        return section

    def main_rule(self, part: Any) -> Optional[str]:
        """The rule most items of a list part rest on (when it is more than one item)."""
        rules = [r for name in part.dimensions for item in self.items_of(name) for r in item.get("rules", [])]
        main = max(dict.fromkeys(rules), key=rules.count) if rules else None
        if main and rules.count(main) > 1:
            return main
        # a ranked list gives its top item's reason (the summary gives it too)
        ranked = any(registry().dimensions[d].item == "channel" for d in part.dimensions)
        return rules[0] if ranked and rules else None

    def items_of(self, name: str) -> list[dict[str, Any]]:
        if registry().dimensions[name].item == "reference":
            return self.data.get("reference_details") or []
        return [v for v in self.data.get(name) or [] if isinstance(v, dict)
                and not str(v.get("id", "")).startswith(CHECKLIST_PREFIX)]

    def part_entries(self, part: Any) -> list[Entry]:
        reg = registry()
        if part.shape == "top":
            out = []
            for name in part.dimensions:
                dim = reg.dimensions[name]
                value = self.data.get(dim.key or name)
                if value is not None:
                    out.append(Entry(f"{dim.label.get(self.lang)}: {vocabulary().value_label(name, value, self.lang)}",
                                     reasons=self.refs(self.winners(name, value))))
            return out
        if part.shape == "object":
            text = self.object_text(part)
            return [Entry(text, reasons=self.refs(self.data[part.name]["rules"]))] if text else []
        out = []
        for name in part.dimensions:
            out += self.list_entries(name, reg.dimensions[name].item)
        return out

    def object_text(self, part: Any, brief: bool = False) -> Optional[str]:
        """The values of an object part; `brief` keeps each label up to its first colon
        ('kinderen komen mee: opvang hoort bij het aanbod' -> 'kinderen komen mee')."""
        obj = self.data[part.name]
        shown = []
        for name in part.dimensions:
            dim = registry().dimensions[name]
            if dim.value_type == "months":
                if obj.get("min_months") is not None:
                    shown.append(self.t["months"].format(obj["min_months"], obj["recommended_months"]))
                continue
            label = obj.get(dim.label_key or "label") or obj.get(dim.key or "value")
            if label and brief:
                label = label.split(":")[0]
            if label:
                shown.append(label if len(part.dimensions) == 1 else f"{dim.label.get(self.lang).lower()}: {label}")
        return "; ".join(shown) or None

    def item_refs(self, rules: list[str], status: Optional[str] = None) -> list[Ref]:
        return self.refs(rules) if self.full or status == "not_met" else []

    def list_entries(self, name: str, item: Optional[str]) -> list[Entry]:
        out = []
        if item == "reference":
            for ref in self.data.get("reference_details") or []:
                resemblance = ref["resemblance"] if self.full else [short_reason(r) for r in ref["resemblance"][:1]]
                out.append(Entry(ref["title"], details=resemblance, reasons=self.item_refs(ref["rules"])))
            return out
        for value in self.data.get(name) or []:
            if item == "channel":
                text = f"{value['label']}" + (f" ({self.t['weight']} {value['weight']})" if self.full else "")
                out.append(Entry(text, reasons=self.item_refs(value["rules"])))
            elif item == "precondition":
                if not value["id"].startswith(CHECKLIST_PREFIX):
                    out.append(Entry(value["text"], status=value["status"],
                                     reasons=self.item_refs(value["rules"], value["status"])))
            elif item == "risk":
                out.append(Entry(value["text"], details=[f"{self.t['mitigation']}: {value['mitigation']}"],
                                 reasons=self.item_refs(value["rules"])))
            else:
                out.append(Entry(value.get("text") or value.get("label") or value.get("id", ""),
                                 reasons=self.item_refs(value.get("rules", []))))
        return out

    def checklist(self) -> list[Entry]:
        out = []
        for name in registry().multi():
            if registry().dimensions[name].item != "precondition":
                continue
            for value in self.data.get(name) or []:
                if value["id"].startswith(CHECKLIST_PREFIX):
                    text = value["text"] if self.full else value["text"].split(":")[0]
                    out.append(Entry(text, status=value["status"], reasons=self.item_refs(value["rules"])))
        # by status like the preconditions, then in the criteria's own order (their texts are numbered)
        return sorted(out, key=lambda e: (-STATUS_ORDER.get(e.status or "met", 0), e.text))

    # --- summary ------------------------------------------------------------
    def short(self, rule_ids: list[str]) -> tuple[Optional[str], Optional[int]]:
        """The summary's reason: the short text of the first rule's reason. In standard
        detail that is the reason's text, so the parts refer back to it by number."""
        for rule_id in rule_ids:
            reason = self.reason(rule_id)
            if reason is not None:
                reason.text_shown = reason.text_shown or not self.full
                return short_reason(reason.text), reason.number
        return None, None

    def summary(self, checklist: list[Entry]) -> list[SummaryLine]:
        t, lang, reg, data = self.t, self.lang, registry(), self.data
        lines = [SummaryLine(t["group"], vocabulary().value_label("target_group", data["target_group"], lang))]
        for part in reg.parts.values():
            title = part.title.get(lang)
            if part.shape == "top":
                shown = [(n, data.get(reg.dimensions[n].key or n)) for n in part.dimensions]
                shown = [(n, v) for n, v in shown if v is not None]
                if shown:
                    lines.append(SummaryLine(title, "; ".join(vocabulary().value_label(n, v, lang) for n, v in shown),
                                             *self.short(self.winners(*shown[-1]))))
            elif part.shape == "object":
                text = self.object_text(part, brief=True)
                if text:
                    lines.append(SummaryLine(title, text, *self.short(data[part.name]["rules"])))
            else:
                lines += self.summary_list(part, title)
        if checklist:
            lines.append(SummaryLine(t["checklist"], t["checklist_count"].format(
                n=len(checklist), counts=self.status_counts(checklist))))
        if data["warnings"]:
            lines.append(SummaryLine(t["warnings"], t["warnings_count"].format(n=len(data["warnings"]))))
        lines.append(SummaryLine(t["questions"], t["questions_count"].format(n=len(data["open_questions"]))))
        return lines

    def status_counts(self, entries: list[Entry]) -> str:
        count = {s: sum(e.status == s for e in entries) for s in ("not_met", "unknown", "met")}
        return ", ".join(f"{n} {self.t[s]}" for s, n in count.items() if n)

    def summary_list(self, part: Any, title: str) -> list[SummaryLine]:
        lines: list[SummaryLine] = []
        for name in part.dimensions:
            item = registry().dimensions[name].item
            values = self.data.get(name) or []
            if values and item != "reference":          # comparable projects: in their own section
                lines += getattr(self, f"summary_{item}", self.summary_text)(part, title, values)
        return lines

    def summary_channel(self, part: Any, title: str, values: list[dict[str, Any]]) -> list[SummaryLine]:
        top = values[:SUMMARY_CHANNELS]
        return [SummaryLine(title, "; ".join(c["label"] for c in top),
                            *self.short([r for r in [self.main_rule(part)] if r]))]

    def summary_precondition(self, part: Any, title: str, values: list[dict[str, Any]]) -> list[SummaryLine]:
        own = [p for p in values if not p["id"].startswith(CHECKLIST_PREFIX)]
        if not own:
            return []
        lines = [SummaryLine(title, self.status_counts([Entry(p["text"], status=p["status"]) for p in own]))]
        lines += [SummaryLine(self.t["not_met_line"], short_reason(p["text"], SUMMARY_WORDS), *self.short(p["rules"]))
                  for p in own if p["status"] == "not_met"]
        return lines

    def summary_risk(self, part: Any, title: str, values: list[dict[str, Any]]) -> list[SummaryLine]:
        # the main risks: those most rules point to (ties: the order of the advice)
        ranked = sorted(values, key=lambda r: -len(r["rules"]))[:SUMMARY_RISKS]
        return [SummaryLine(title, short_reason(r["text"], SUMMARY_WORDS),
                            f"{self.t['mitigation']}: {short_reason(r['mitigation'], SUMMARY_WORDS - 2)}")
                for r in ranked]

    def summary_text(self, part: Any, title: str, values: list[dict[str, Any]]) -> list[SummaryLine]:
        return [SummaryLine(title, self.t["items_count"].format(n=len(values)))]

    # --- the rest -----------------------------------------------------------
    def questions(self) -> Section:
        t = self.t
        entries = []
        for q in self.design.open_questions:
            answers = [a.model_dump() for a in q.answers]
            numbers = all(isinstance(a["value"], int) and not isinstance(a["value"], bool) for a in answers)
            if answers and numbers and len(answers) > 4:
                shown = t["range"].format(answers[0]["value"], answers[-1]["value"])
            else:
                shown = ", ".join(f"{_plain(a['value'])} ({a['label']})" for a in answers)
            details = [f"--set {q.field}={shown}"]
            details.append(f"{t['could_change']}: " + ", ".join(registry().parts[p].title.get(self.lang).lower()
                                                                for p in q.could_change if p in registry().parts))
            entries.append(Entry(q.question, details=details))
        example = "veld=waarde" if self.lang == "nl" else "field=value"
        if self.design.open_questions:
            q = self.design.open_questions[0]
            example = f"{q.field}={_plain(q.answers[0].value) if q.answers else '…'}"
        return Section("questions", t["questions"], entries, intro=t["questions_intro"].format(example=example))

    def sources_section(self) -> Section:
        t, voc = self.t, vocabulary()
        entries = []
        for doc_id, doc in voc.documents.items():
            cited = [s for s in self.design.sources if s.report == doc_id and s.id in self.cited]
            if not cited:
                continue
            short = doc["short"][self.lang]
            entries.append(Entry(t["report_line"].format(short=short[:1].upper() + short[1:],
                                                         title=doc["title"][self.lang],
                                                         publisher=doc["publisher"][self.lang],
                                                         year=doc["year"][self.lang]),
                                 children=[Entry(s.title, anchor=anchor(s.id)) for s in cited]))
        return Section("sources", t["sources"], entries)

    def trace_section(self) -> Section:
        t = self.t
        entries = []
        for step in self.design.trace:
            concluded = "; ".join(f"{d}: {_shown(v)}" for d, v in step.concluded.items())
            details = [f"{t['matched']}: " + ", ".join(f"{f} = {_plain(v)}" for f, v in step.matched.items())] \
                if step.matched else []
            details += [f"{t['overruled_by']} {by} ({dim})" for dim, by in step.overruled_by.items()]
            text = f"{step.step}. {step.rule} [{t[step.status]}]" + (f" → {concluded}" if concluded else "")
            entries.append(Entry(text, details=details))
        return Section("trace", t["trace"], entries)

    def checklist_rules(self) -> list[str]:
        return [r for name in registry().multi() for v in self.data.get(name) or []
                if isinstance(v, dict) and str(v.get("id", "")).startswith(CHECKLIST_PREFIX) for r in v["rules"]]

    def design_sections(self) -> list[Section]:
        """The parts, the checklist, assumptions, what is undecided and conflicts."""
        t, data, lang = self.t, self.data, self.lang
        sections = [s for s in (self.part_section(part) for part in registry().parts.values()) if s]
        checklist = self.checklist()
        if checklist:
            main = [] if self.full else self.refs(self.checklist_rules()[:1])
            sections.append(Section("checklist", t["checklist"], checklist, intro=t["checklist_intro"], reasons=main))
        if data["assumptions"]:
            sections.append(Section("assumptions", t["assumptions"],
                                    [Entry(a["text"], reasons=self.refs(a["rules"]) if self.full else [])
                                     for a in data["assumptions"]]))
        if data["undecided"]:
            sections.append(Section("undecided", t["undecided"],
                                    [Entry(registry().dimensions[d].label.get(lang)) for d in data["undecided"]]))
        if data["conflicts"]:
            sections.append(Section("conflicts", t["conflicts"], [
                Entry(f"{registry().dimensions[c['dimension']].label.get(lang)} ({t['priority']} {c['priority']}): "
                      + "; ".join(f"{v} ← {', '.join(r)}" for v, r in c["values"].items()))
                for c in data["conflicts"]]))
        if data["open_questions"]:
            sections.append(self.questions())
        return sections

    def build(self, date: Optional[str], with_trace: bool) -> Report:
        t, data, lang = self.t, self.data, self.lang
        situation = [(vocabulary().fields[f]["question"][lang] if f in vocabulary().fields else f,
                      vocabulary().value_label(f, v, lang)) for f, v in data["situation"].items()]
        checklist_status = [Entry(p["text"], status=p["status"]) for n in registry().multi()
                            for p in data.get(n) or []
                            if isinstance(p, dict) and str(p.get("id", "")).startswith(CHECKLIST_PREFIX)]
        summary = self.summary(checklist_status)      # first: it numbers the reasons it gives
        seen: set[int] = set()
        for line in summary:
            if line.number and not self.full and line.number not in seen:
                line.anchor = True
                seen.add(line.number)
        sections: list[Section] = []
        if data["warnings"]:
            sections.append(Section("warnings", t["warnings"], [Entry(w["text"]) for w in data["warnings"]]))
        if self.detail != "summary":
            sections += self.design_sections()
        if with_trace:
            sections.append(self.trace_section())
        if self.detail != "summary":
            sections.append(self.sources_section())
        return Report(lang, self.detail, f"{t['app']}: {t['title']}", date, situation, summary, t["age_note"],
                      sections, t)


def _first_items(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """A long list in standard detail: what is not met, then the first others up to
    STANDARD_ITEMS; the rest is folded (HTML) or pointed to (text: --detail full)."""
    if len(entries) <= STANDARD_ITEMS + 1:
        return entries, []
    urgent = [e for e in entries if e.status == "not_met"]
    room = max(STANDARD_ITEMS - len(urgent), 0)
    others = [e for e in entries if e.status != "not_met"]
    keep = set(map(id, urgent + others[:room]))
    return [e for e in entries if id(e) in keep], [e for e in entries if id(e) not in keep]


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(_plain(value))


def build_report(design: Any, detail: str = "standard", date: Optional[str] = None,
                 with_trace: bool = False) -> Report:
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}")
    return _Builder(design, detail).build(date, with_trace)
