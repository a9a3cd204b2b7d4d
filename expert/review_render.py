"""Renderers for a Review and a comparison: text, Markdown, HTML and JSON.

The three human formats come from one list of blocks (heading level, title, entries),
so they say the same thing; the summary comes first. The HTML is one self-contained
page (no scripts, no outside files) with landmarks, a heading outline and verdicts in
words, not colour alone.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from .vocabulary import registry, vocabulary

UI = {
    "nl": {"review": "Toets van het voorstel", "comparison": "Vergelijking van voorstellen",
           "executor": "Uitvoerder", "group": "Doelgroep", "verdict": "Oordeel", "deciding": "Doorslaggevend",
           "summary": "Samenvatting", "proposed": "Voorstel", "advised": "Advies", "why": "waarom",
           "sources": "Bronnen", "open_pre": "Randvoorwaarden die het voorstel open laat",
           "arranged": "{0} andere randvoorwaarde(n) zijn al aanwezig of geregeld in het voorstel.",
           "open_risks": "Risico's zonder maatregel in het voorstel", "instead": "wat te doen",
           "criteria": "Criteria voor een goede praktijk (bijlage III)", "addressed": "geregeld in het voorstel",
           "ranking": "Rangorde", "rule": "Regel voor de rangorde", "none": "geen", "silent": "zegt niets",
           "not_addressed": "niet geregeld in het voorstel",
           "fits": "past", "partly": "past deels", "differs": "wijkt af", "advised_against": "afgeraden",
           "missing": "ontbreekt", "met": "voldaan", "not_met": "niet voldaan", "unknown": "onbekend",
           "fits_with_changes": "past met aanpassingen", "does_not_fit": "past niet"},
    "en": {"review": "Review of the proposal", "comparison": "Comparison of proposals",
           "executor": "Executor", "group": "Target group", "verdict": "Verdict", "deciding": "Deciding points",
           "summary": "Summary", "proposed": "Proposal", "advised": "Advice", "why": "why",
           "sources": "Sources", "open_pre": "Preconditions the proposal leaves open",
           "arranged": "{0} other precondition(s) are already in place or arranged in the proposal.",
           "open_risks": "Risks without a measure in the proposal", "instead": "what to do",
           "criteria": "Criteria for a good practice (annex III)", "addressed": "arranged in the proposal",
           "ranking": "Ranking", "rule": "Ranking rule", "none": "none", "silent": "says nothing",
           "not_addressed": "not arranged in the proposal",
           "fits": "fits", "partly": "partly fits", "differs": "differs", "advised_against": "advised against",
           "missing": "missing", "met": "met", "not_met": "not met", "unknown": "unknown",
           "fits_with_changes": "fits with changes", "does_not_fit": "does not fit"},
}


@dataclass
class Block:
    level: int                     # 1 = page title, 2 = section, 3 = subsection
    title: str
    entries: list[tuple[str, list[str]]] = field(default_factory=list)   # (text, detail lines)


def _label(part: str, value: Any, lang: str) -> str:
    """A proposed or advised value in words (ids become their labels)."""
    from .engine import compiled

    kb = compiled().kb
    if value is None or value == [] or value == {}:
        return UI[lang]["silent"]
    if isinstance(value, list):
        return "; ".join(_label(part, v, lang) for v in value)
    if isinstance(value, dict):
        if "min_months" in value:
            from .review import T
            return T[lang]["months"].format(value["min_months"], value["recommended_months"])
        return "; ".join(_label(part, v, lang) for v in value.values() if v is not None) or UI[lang]["silent"]
    if isinstance(value, int):
        from .review import T
        return T[lang]["proposed_months"].format(value)
    if value == "none":
        from .review import T
        return T[lang]["no_childcare"]
    for dim in registry().parts[part].dimensions:
        label = kb.label(dim, value, lang)
        if label != value:
            return label
    return str(value)


TARGETS = {"nl": {"participants": "streefaantal deelnemers: {0}", "outflow_percent": "streefcijfer uitstroom: {0}%"},
           "en": {"participants": "target number of participants: {0}", "outflow_percent": "outflow target: {0}%"}}


def _finding_label(part: str, item: str, lang: str) -> str:
    if item.startswith("targets."):
        name, _, number = item[len("targets."):].partition("=")
        return TARGETS[lang][name].format(number)
    return _label(part, int(item) if item.isdigit() else item, lang)


def _sources_in_words(ids: list[str], lang: str) -> str:
    return "; ".join(f"{s} ({vocabulary().source_title(s, lang)})" for s in ids)


def review_blocks(review: Any, level: int = 1) -> list[Block]:
    lang = review.lang
    t = UI[lang]
    voc = vocabulary()
    head = Block(level, f"{t['review']}: {review.name}")
    head.entries.append((f"{t['verdict']}: {t[review.verdict]}. " + review.summary[0], []))
    head.entries += [(line, []) for line in review.summary[1:]]
    facts = [f"{t['group']}: {voc.value_label('target_group', review.target_group, lang)}"]
    if review.executor:
        facts.append(f"{t['executor']}: {review.executor}")
    head.entries.append(("; ".join(facts), []))
    blocks = [head]
    for element in review.elements:
        block = Block(level + 1, f"{element.title}: {t[element.verdict]}")
        block.entries.append((f"{t['proposed']}: {_label(element.part, element.proposed, lang)}", []))
        block.entries.append((element.advice, []))
        for finding in element.findings:
            shown = _finding_label(element.part, finding.item, lang)
            details = [f"{t['why']}: {finding.because}"] if finding.because else []
            if finding.sources:
                details.append(f"{t['sources']}: {_sources_in_words(finding.sources, lang)}")
            block.entries.append((f"[{t[finding.verdict]}] {shown}", details))
        blocks.append(block)
    open_pre = [p for p in review.preconditions if p.status != "met" and not p.addressed]
    pre = Block(level + 1, t["open_pre"], [(f"[{t[p.status]}] {p.text}", []) for p in open_pre])
    pre.entries.append((t["arranged"].format(len(review.preconditions) - len(open_pre)), []))
    blocks.append(pre)
    open_risks = [r for r in review.risks if not r.addressed]
    if open_risks:
        blocks.append(Block(level + 1, t["open_risks"],
                            [(r.text, [f"{t['instead']}: {r.mitigation}"]) for r in open_risks]))
    if review.criteria:
        blocks.append(Block(level + 1, t["criteria"],
                            [(f"[{t[c.status]}{'; ' + t['addressed'] if c.addressed else ''}] {c.text}", [])
                             for c in review.criteria]))
    cited = sorted({s for e in review.elements for f in e.findings for s in f.sources})
    blocks.append(Block(level + 1, t["sources"], [(f"{s}: {voc.source_title(s, lang)}", []) for s in cited]))
    return blocks


def comparison_blocks(comparison: Any) -> list[Block]:
    t = UI[comparison.lang]
    head = Block(1, t["comparison"], [(p.explanation, []) for p in comparison.ranking])
    blocks = [head, Block(2, t["rule"], [(comparison.ranking_rule, [])])]
    for review in comparison.reviews:
        blocks += review_blocks(review, level=2)
    return blocks


def _text(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        if lines:
            lines.append("")
        lines += [block.title, ("=" if block.level == 1 else "-" if block.level == 2 else "~") * len(block.title)]
        for text, details in block.entries:
            lines.append(f"  {text}")
            lines += [f"      {d}" for d in details]
    return "\n".join(lines) + "\n"


def _markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        if lines:
            lines.append("")
        lines += ["#" * block.level + " " + block.title, ""]
        for text, details in block.entries:
            lines.append("- " + re.sub(r"^(\d+)\. ", r"\1\\. ", text))
            lines += [f"  - {d}" for d in details]
    return "\n".join(lines) + "\n"


CSS = ("body{font-family:sans-serif;line-height:1.45;max-width:60em;margin:2em auto;padding:0 1em;color:#1a1a1a}"
       ".detail{color:#444;font-size:92%}h1{font-size:1.6em}h2{font-size:1.3em;margin-top:1.6em}"
       "h3{font-size:1.1em}")


def _html(blocks: list[Block], lang: str, title: str) -> str:
    e = html.escape
    out = [f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8">'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">'
           f"<title>{e(title)}</title>\n<style>{CSS}</style></head>\n<body>\n<main>"]
    for index, block in enumerate(blocks):
        tag = f"h{block.level}"
        out.append(f'<section aria-labelledby="s{index}"><{tag} id="s{index}">{e(block.title)}</{tag}>\n<ul>')
        for text, details in block.entries:
            inner = "".join(f'<li class="detail">{e(d)}</li>' for d in details)
            out.append(f"<li>{e(text)}" + (f"<ul>{inner}</ul>" if inner else "") + "</li>")
        out.append("</ul></section>")
    out.append("</main>\n</body>\n</html>\n")
    return "\n".join(out)


def render_review(review: Any, fmt: str) -> str:
    if fmt == "json":
        return review.to_json()
    blocks = review_blocks(review)
    if fmt == "html":
        return _html(blocks, review.lang, blocks[0].title)
    return (_markdown if fmt == "markdown" else _text)(blocks)


def render_comparison(comparison: Any, fmt: str) -> str:
    if fmt == "json":
        return comparison.to_json()
    blocks = comparison_blocks(comparison)
    if fmt == "html":
        return _html(blocks, comparison.lang, blocks[0].title)
    return (_markdown if fmt == "markdown" else _text)(blocks)
