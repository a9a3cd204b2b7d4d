"""Renderers for a Design: text, Markdown, HTML and JSON.

All three human formats are built from one list of sections, so they say the same
thing. Labels of the user interface are Dutch by default, English on request.
"""
import html
import re
from dataclasses import dataclass, field

from .knowledge import knowledge_base
from .vocabulary import registry, vocabulary

UI = {
    "nl": {"title": "Aanpakwijzer: advies voor het projectontwerp", "group": "Doelgroep",
           "kind": "Soort project", "level": "Participatieniveau",
           "assumptions": "Aannames", "questions": "Open vragen", "conflicts": "Tegenstrijdige regels",
           "undecided": "Nog niet te bepalen", "why": "waarom", "follows": "volgt uit",
           "rule": "regel", "sources": "Bronnen", "months": "minimaal {0} maanden, aanbevolen {1} maanden",
           "scale": "schaal", "approach": "aanpak", "mitigation": "wat te doen", "weight": "gewicht",
           "see_above": "waarom: zie hierboven ({0})",
           "trace": "Afleiding: alle regels in de volgorde waarin ze vuurden", "priority": "prioriteit",
           "matched": "gelezen",
           "overruled_by": "overstemd door", "fired": "gevuurd", "overruled": "overstemd",
           "could_change": "kan veranderen", "none": "geen",
           "met": "voldaan", "not_met": "niet voldaan", "unknown": "onbekend"},
    "en": {"title": "Aanpakwijzer: advice for the project design", "group": "Target group",
           "kind": "Kind of project", "level": "Participation level",
           "assumptions": "Assumptions", "questions": "Open questions", "conflicts": "Conflicting rules",
           "undecided": "Not yet decided", "why": "why", "follows": "follows from",
           "rule": "rule", "sources": "Sources", "months": "at least {0} months, {1} months recommended",
           "scale": "scale", "approach": "approach", "mitigation": "what to do", "weight": "weight",
           "see_above": "why: see above ({0})",
           "trace": "Derivation: every rule in the order it fired", "priority": "priority",
           "matched": "read",
           "overruled_by": "overruled by", "fired": "fired", "overruled": "overruled",
           "could_change": "could change", "none": "none",
           "met": "met", "not_met": "not met", "unknown": "unknown"},
}


@dataclass
class Entry:
    text: str
    details: list = field(default_factory=list)     # extra lines under the entry
    reasons: list = field(default_factory=list)     # (rule id, because, sources, chain)


@dataclass
class Section:
    title: str
    entries: list


def _reasons(design, rule_ids):
    steps = {s.rule: s for s in design.trace}
    out = []
    for rule_id in dict.fromkeys(rule_ids):
        step = steps.get(rule_id)
        if step is None:
            continue
        chain = [_why_chain(steps, dim, step.matched.get(dim), by) for dim, by in step.derived_from.items()]
        out.append((rule_id, step.because, step.sources, chain))
    return out


def _plain(value):
    """Values as written in a situation file (true/false, not Python's True/False)."""
    return str(value).lower() if isinstance(value, bool) else value


def _why_chain(steps, dim, value, rule_id, depth=0):
    """'category = low (rule) ← level = low (rule) ← leaves_home_independently = false':
    a derived fact back to the situation facts it came from."""
    link = f"{dim} = {_plain(value)} ({rule_id})"
    step = steps.get(rule_id)
    if step is None or depth > 10:
        return link
    if step.derived_from:
        return " ← ".join([link] + [_why_chain(steps, d, step.matched.get(d), by, depth + 1)
                                    for d, by in step.derived_from.items()])
    facts = [f"{f} = {_plain(v)}" for f, v in step.matched.items() if f != "target_group" and v != "unknown"]
    return f"{link} ← {', '.join(facts)}" if facts else link


def part_title(part, lang):
    return registry().parts[part].title.get(lang)


def _other_parts(design, t):
    """Object parts beyond the contract's own (a dimension a knowledge engineer added):
    each dimension's label and value, with the reason."""
    out = []
    for part in registry().parts.values():
        if part.shape != "object" or part.name in KNOWN_PARTS:
            continue
        obj = getattr(design, part.name)
        shown = [f"{registry().dimensions[d].label.get(design.lang)}: {getattr(obj, registry().dimensions[d].label_key or 'label') or '-'}"
                 for d in part.dimensions]
        if any(getattr(obj, registry().dimensions[d].key or "value") for d in part.dimensions):
            out.append(Section(part_title(part.name, design.lang),
                               [Entry("; ".join(shown), reasons=_reasons(design, obj.rules[:1]))]))
    return out


KNOWN_PARTS = ("childcare", "result_agreements", "lead_time", "execution")
KNOWN_LISTS = ("recruitment", "director_role", "preconditions", "risks", "reference_projects")


def _other_lists(design, t):
    """List parts beyond the contract's own (e.g. 'Niet doen'): each item with its text,
    what to do instead (risk-like items) and the reason."""
    out = []
    for part in registry().parts.values():
        if part.shape != "list" or part.name in KNOWN_LISTS:
            continue
        entries = [Entry(i.text, details=[f"{t['mitigation']}: {i.mitigation}"] if hasattr(i, "mitigation") else [],
                         reasons=_reasons(design, i.rules))
                   for d in part.dimensions for i in getattr(design, d)]
        if entries:
            out.append(Section(part_title(part.name, design.lang), entries))
    return out


def sections(design, with_trace=False):
    """The advice as titled sections of entries with their reasons (and, on request,
    every rule firing in order, like CLIPS's `(watch rules)`)."""
    t = UI[design.lang]
    voc, kb, lang = vocabulary(), knowledge_base(), design.lang
    steps = {s.rule: s for s in design.trace}
    out = []
    head = [Entry(f"{t['group']}: {voc.value_label('target_group', design.target_group, lang)}")]
    if design.level:
        rules = [s.rule for s in design.trace if s.concluded.get("level") == design.level
                 and s.status != "overruled"]
        head.append(Entry(f"{t['level']}: {kb.label('level', design.level, lang)}",
                          reasons=_reasons(design, rules[:1])))
    if design.participation_level:
        rules = [s.rule for s in design.trace if s.concluded.get("category") == design.participation_level
                 and s.status != "overruled"]
        head.append(Entry(f"{t['kind']}: {kb.label('category', design.participation_level, lang)}",
                          reasons=_reasons(design, rules[:1])))
    out.append(Section(t["title"], head))
    if design.recruitment:
        entries, shown = [], set()
        for c in design.recruitment:
            # A rule often adds several channels: give its reason once, at the first of them.
            entry = Entry(f"{c.rank}. {c.label} ({t['weight']} {c.weight})",
                          reasons=_reasons(design, [r for r in c.rules if r not in shown]))
            earlier = [r for r in c.rules if r in shown]
            if earlier:
                entry.details.append(t["see_above"].format(", ".join(earlier)))
            shown.update(c.rules)
            entries.append(entry)
        out.append(Section(part_title("recruitment", lang), entries))
    single = [(part_title("childcare", lang), design.childcare.label, design.childcare.rules),
              (part_title("result_agreements", lang), design.result_agreements.label, design.result_agreements.rules)]
    if design.lead_time.min_months is not None:
        single.append((part_title("lead_time", lang), t["months"].format(design.lead_time.min_months,
                                                         design.lead_time.recommended_months),
                       design.lead_time.rules))
    if design.execution.approach or design.execution.scale:
        text = f"{t['approach']}: {design.execution.approach_label or '-'}; {t['scale']}: {design.execution.scale_label or '-'}"
        single.append((part_title("execution", lang), text, design.execution.rules))
    for title, text, rules in single:
        if text:
            out.append(Section(title, [Entry(text, reasons=_reasons(design, rules[:1]))]))
    out += _other_parts(design, t)
    if design.director_role:
        out.append(Section(part_title("director_role", lang), [Entry(i.text, reasons=_reasons(design, i.rules))
                                           for i in design.director_role]))
    if design.preconditions:
        out.append(Section(part_title("preconditions", lang), [Entry(f"[{t[p.status]}] {p.text}", reasons=_reasons(design, p.rules))
                                                for p in design.preconditions]))
    if design.risks:
        out.append(Section(part_title("risks", lang), [Entry(r.text, details=[f"{t['mitigation']}: {r.mitigation}"],
                                              reasons=_reasons(design, r.rules)) for r in design.risks]))
    out += _other_lists(design, t)
    if design.reference_details:
        out.append(Section(part_title("reference_projects", lang), [Entry(f"{r.id}: {r.title}", details=r.resemblance)
                                             for r in design.reference_details]))
    if design.assumptions:
        out.append(Section(t["assumptions"], [Entry(a.text) for a in design.assumptions]))
    if design.undecided:
        out.append(Section(t["undecided"], [Entry(voc.dimensions[d].label.get(lang)) for d in design.undecided]))
    if design.conflicts:
        out.append(Section(t["conflicts"], [Entry(f"{c.dimension} ({t['priority']} {c.priority}): " +
                                                  "; ".join(f"{v} <- {', '.join(r)}" for v, r in c.values.items()))
                                            for c in design.conflicts]))
    if design.open_questions:
        out.append(Section(t["questions"], [Entry(f"{q.question} ({q.field})",
                                                  details=[f"{t['could_change']}: " + ", ".join(
                                                      part_title(p, lang).lower() for p in q.could_change)])
                                            for q in design.open_questions]))
    if with_trace:
        out.append(Section(t["trace"], [_trace_entry(step, t) for step in design.trace]))
    cited = sorted({s for step in steps.values() if step.status != "overruled" for s in step.sources})
    out.append(Section(t["sources"], [Entry(f"{s}: {voc.source_title(s, lang)}") for s in cited]))
    return out


def _shown(value):
    """A concluded value as a reader writes it: 'a = b, c = d' or 'x, y'."""
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(_plain(value))


def _trace_entry(step, t):
    matched = ", ".join(f"{f} = {_plain(v)}" for f, v in step.matched.items())
    concluded = "; ".join(f"{d}: {_shown(v)}" for d, v in step.concluded.items())
    text = f"{step.step}. {step.rule} [{t[step.status]}]" + (f" → {concluded}" if concluded else "")
    details = [f"{t['matched']}: {matched}"] if matched else []
    details += [f"{t['overruled_by']} {by} ({dim})" for dim, by in step.overruled_by.items()]
    return Entry(text, details=details)


def to_text(design, with_trace=False):
    t = UI[design.lang]
    lines = []
    for index, section in enumerate(sections(design, with_trace)):
        if index:
            lines.append("")
        lines.append(section.title)
        lines.append("=" * len(section.title) if index == 0 else "-" * len(section.title))
        for entry in section.entries:
            lines.append(f"  {entry.text}" if index else entry.text)
            lines += [f"      {d}" for d in entry.details]
            for rule_id, because, sources, chain in entry.reasons:
                lines.append(f"      {t['why']}: {because} [{', '.join(sources)}] ({t['rule']} {rule_id})")
                lines += [f"        {t['follows']}: {c}" for c in chain]
    return "\n".join(lines) + "\n"


def to_markdown(design, with_trace=False):
    t = UI[design.lang]
    lines = []
    for index, section in enumerate(sections(design, with_trace)):
        lines.append(("# " if index == 0 else "\n## ") + section.title)
        lines.append("")
        for entry in section.entries:
            # "1. text" after a bullet would start a nested ordered list: escape the dot
            lines.append("- " + re.sub(r"^(\d+)\. ", r"\1\\. ", entry.text))
            lines += [f"  - {d}" for d in entry.details]
            for rule_id, because, sources, chain in entry.reasons:
                lines.append(f"  - *{t['why']}:* {because} ({', '.join(f'`{s}`' for s in sources)}; "
                             f"{t['rule']} `{rule_id}`)")
                lines += [f"    - {t['follows']}: {c}" for c in chain]
    return "\n".join(lines) + "\n"


def to_html(design, with_trace=False):
    t = UI[design.lang]
    e = html.escape
    parts = [f'<!DOCTYPE html>\n<html lang="{design.lang}">\n<head><meta charset="utf-8">'
             f"<title>{e(t['title'])}</title>\n<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}"
             ".why{color:#555;font-size:90%}</style></head>\n<body>"]
    for index, section in enumerate(sections(design, with_trace)):
        tag = "h1" if index == 0 else "h2"
        parts.append(f"<section><{tag}>{e(section.title)}</{tag}>\n<ul>")
        for entry in section.entries:
            parts.append(f"<li>{e(entry.text)}")
            inner = [f"<li>{e(d)}</li>" for d in entry.details]
            for rule_id, because, sources, chain in entry.reasons:
                inner.append(f'<li class="why">{e(t["why"])}: {e(because)} [{e(", ".join(sources))}] '
                             f"({e(t['rule'])} <code>{e(rule_id)}</code>)"
                             + "".join(f"<br>{e(t['follows'])}: {e(c)}" for c in chain) + "</li>")
            if inner:
                parts.append("<ul>" + "".join(inner) + "</ul>")
            parts.append("</li>")
        parts.append("</ul></section>")
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


def render(design, fmt, with_trace=False):
    """The design in a format; JSON always holds the whole trace."""
    if fmt == "json":
        return design.to_json()
    return {"text": to_text, "markdown": to_markdown, "html": to_html}[fmt](design, with_trace)
