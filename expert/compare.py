"""Designs side by side: `aanpakwijzer compare A.yaml B.yaml …` and `consult FILE --vary field`.

A comparison has one column per situation and, per design part in the order of
facts/dimensions.yaml, the rows a reader compares: one per dimension of a part with
one value, one per item (channel, precondition, risk, reference…) of a list part.
A part differs when `registry().part_values` differs; a row differs when its cells
do. Text, Markdown, HTML (one self-contained file, plain semantic tables) and JSON
are built from the same rows.
"""
from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from .engine import Advisor
from .errors import InputError
from .questions import changed_parts
from .suggest import did_you_mean
from .vocabulary import Dimension, registry, vocabulary

CONTRACT = "aanpakwijzer/comparison/v1"
UI = {
    "nl": {"title": "Aanpakwijzer: adviezen naast elkaar", "what_if": "Aanpakwijzer: wat als {field} anders is?",
           "situation": "Situatie (waar de situaties verschillen)", "differs": "verschilt", "same": "gelijk",
           "changed": "Verschilt", "nothing": "niets: alle adviezen zijn gelijk", "item": "Onderdeel",
           "difference": "Verschil", "months": "{0}–{1} maanden", "unknown": "onbekend", "yes": "✓",
           "no": "—", "given": "zoals opgegeven", "columns": "Kolommen",
           "met": "voldaan", "not_met": "niet voldaan"},
    "en": {"title": "Aanpakwijzer: advice side by side", "what_if": "Aanpakwijzer: what if {field} is different?",
           "situation": "Situation (where the situations differ)", "differs": "differs", "same": "same",
           "changed": "Differs", "nothing": "nothing: all advice is the same", "item": "Part",
           "difference": "Difference", "months": "{0}–{1} months", "unknown": "unknown", "yes": "✓",
           "no": "—", "given": "as given", "columns": "Columns",
           "met": "met", "not_met": "not met"},
}


@dataclass
class Row:
    key: str
    label: str
    values: list[Any]         # comparable values, one per column
    cells: list[str]          # what a reader sees, one per column
    differs: bool


@dataclass
class Block:
    part: str                 # a part name, or "situation"
    title: str
    differs: bool
    rows: list[Row] = field(default_factory=list)


@dataclass
class Comparison:
    lang: str
    title: str
    columns: list[str]
    situations: list[dict[str, Any]]
    changed: list[str]        # parts that differ between any two columns
    blocks: list[Block]


def _kb() -> Any:
    from .engine import compiled
    return compiled().kb


def _single_cell(design: dict[str, Any], dim: Dimension, lang: str) -> tuple[Any, str]:
    value = registry().value_in(design, dim.name)
    if value is None:
        return None, UI[lang]["unknown"]
    if dim.value_type == "months":
        return list(value), UI[lang]["months"].format(*value)
    return value, _kb().label(dim.name, value, lang)


def _items(design: dict[str, Any], dim: Dimension) -> dict[str, tuple[Any, str]]:
    """item key -> (comparable value, label) for a list dimension of one design."""
    out: dict[str, tuple[Any, str]] = {}
    if dim.item == "reference":
        titles = {r["id"]: r["title"] for r in design.get("reference_details") or []}
        return {i: (True, f"{i}: {titles.get(i, i)}") for i in design.get(dim.name) or []}
    for item in design.get(dim.name) or []:
        if dim.item == "channel":
            out[item["channel"]] = (item["rank"], item["label"])
        elif dim.item == "precondition":
            out[item["id"]] = (item["status"], item["text"])
        else:
            out[item["id"]] = (True, item["text"])
    return out


def _item_cell(dim: Dimension, value: Any, lang: str) -> str:
    t = UI[lang]
    if value is None:
        return t["no"]
    if dim.item == "channel":
        return str(value)
    if dim.item == "precondition":
        return t.get(value, t["unknown"])
    return t["yes"]


def _part_rows(part: Any, designs: list[dict[str, Any]], lang: str) -> list[Row]:
    rows = []
    for name in part.dimensions:
        dim = registry().dimensions[name]
        if part.shape != "list":
            cells = [_single_cell(d, dim, lang) for d in designs]
            values = [v for v, _ in cells]
            rows.append(Row(name, dim.label.get(lang), values, [c for _, c in cells], len(set(map(repr, values))) > 1))
            continue
        per_design = [_items(d, dim) for d in designs]
        keys: dict[str, str] = {}
        for items in per_design:
            for key, (_, label) in items.items():
                keys.setdefault(key, label)
        if dim.item == "channel":       # best rank first
            order = sorted(keys, key=lambda k: min(i[k][0] for i in per_design if k in i))
        else:
            order = list(keys)
        for key in order:
            values = [items[key][0] if key in items else None for items in per_design]
            rows.append(Row(key, keys[key], values, [_item_cell(dim, v, lang) for v in values],
                            len(set(map(repr, values))) > 1))
    return rows


def _situation_block(situations: list[dict[str, Any]], lang: str) -> Block:
    voc = vocabulary()
    rows = []
    for name, spec in voc.fields.items():
        values = [s.get(name) for s in situations]
        if len(set(map(repr, values))) > 1:
            cells = [UI[lang]["unknown"] if v is None else voc.value_label(name, v, lang) for v in values]
            rows.append(Row(name, spec["question"][lang], values, cells, True))
    return Block("situation", UI[lang]["situation"], bool(rows), rows)


def comparison(situations: list[dict[str, Any]], columns: list[str], lang: str = "nl",
               title: Optional[str] = None, advisor: Optional[Advisor] = None) -> Comparison:
    """Consult each situation and lay the designs side by side."""
    advisor = advisor or Advisor()
    designs = [advisor.consult(s, lang).model_dump(mode="json") for s in situations]
    parts = [registry().part_values(d) for d in designs]
    changed = sorted({p for other in parts[1:] for p in changed_parts(parts[0], other)},
                     key=registry().part_order().index)
    blocks = [_situation_block(situations, lang)]
    for part in registry().parts.values():
        blocks.append(Block(part.name, part.title.get(lang), part.name in changed,
                            _part_rows(part, designs, lang)))
    return Comparison(lang, title or UI[lang]["title"], columns, situations, changed, blocks)


# --- what-if -----------------------------------------------------------------------

def vary_values(situation: dict[str, Any], vary: str, source: str = "--vary") -> tuple[str, list[Any]]:
    """`field` (every allowed value) or `field=v1,v2` -> (field, values), each checked."""
    from .situation import parse_situation
    from .yamlio import parse_yaml

    voc = vocabulary()
    name, _, raw = vary.partition("=")
    name = name.strip()
    if name not in voc.fields:
        raise InputError(f"unknown field{did_you_mean(name, voc.fields)}", file=source, field=name)
    if not raw.strip():
        spec = voc.fields[name]
        values = list(range(spec["min"], spec["max"] + 1)) if spec["type"] == "int" else voc.field_values(name)
    else:
        values = [parse_yaml(v, source) for v in raw.split(",")]
    for value in values:
        try:
            parse_situation({**situation, name: value}, source)
        except InputError as exc:
            for problem in getattr(exc, "errors", [exc]):
                problem.line = None
            raise
    return name, list(dict.fromkeys(values))


def what_if(situation: dict[str, Any], vary: str, lang: str = "nl", advisor: Optional[Advisor] = None) -> Comparison:
    """One column per value of one field, everything else as given."""
    voc = vocabulary()
    name, values = vary_values(situation, vary)
    columns = [f"{name} = {voc.value_label(name, v, lang)}"
               + (f" ({UI[lang]['given']})" if situation.get(name) == v and name in situation else "")
               for v in values]
    return comparison([{**situation, name: v} for v in values], columns, lang,
                      UI[lang]["what_if"].format(field=name), advisor)


# --- output ------------------------------------------------------------------------

def _changed_line(c: Comparison) -> str:
    t = UI[c.lang]
    titles = [registry().parts[p].title.get(c.lang).lower() for p in c.changed]
    return f"{t['changed']}: {', '.join(titles) if titles else t['nothing']}"


def to_text(c: Comparison) -> str:
    t = UI[c.lang]
    lines = [c.title, "=" * len(c.title), _changed_line(c), "", f"{t['columns']}:"]
    lines += [f"  {n}. {name}" for n, name in enumerate(c.columns, start=1)]
    for block in c.blocks:
        if not block.rows:
            continue
        lines += ["", block.title + (f"  ≠ {t['differs']}" if block.differs else ""), "-" * len(block.title)]
        for row in block.rows:
            # the same in every column: say it once
            shown = " | ".join(row.cells) if row.differs else row.cells[0]
            lines.append(f"{'≠' if row.differs else ' '} {row.label}: {shown}")
    return "\n".join(lines) + "\n"


def to_markdown(c: Comparison) -> str:
    t = UI[c.lang]

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [f"# {c.title}", "", _changed_line(c)]
    for block in c.blocks:
        if not block.rows:
            continue
        lines += ["", f"## {block.title}" + (f" (≠ {t['differs']})" if block.differs else ""), "",
                  "| " + " | ".join([t["item"]] + [cell(n) for n in c.columns] + [t["difference"]]) + " |",
                  "|" + "---|" * (len(c.columns) + 2)]
        for row in block.rows:
            mark = f"**≠ {t['differs']}**" if row.differs else t["same"]
            lines.append("| " + " | ".join([cell(row.label)] + [cell(x) for x in row.cells] + [mark]) + " |")
    return "\n".join(lines) + "\n"


CSS = ("body{font-family:system-ui,sans-serif;max-width:75em;margin:2em auto;padding:0 1em;color:#1a1a1a}"
       "table{border-collapse:collapse;width:100%;margin:1em 0 2em}caption{text-align:left;font-weight:bold;"
       "font-size:1.15em;padding:.3em 0}th,td{border:1px solid #888;padding:.35em .5em;text-align:left;"
       "vertical-align:top}thead th{background:#e8e8e8}tr.differs{background:#fff3c4}"
       "tr.differs td:last-child{font-weight:bold}@media print{tr.differs{background:none}}")


def to_html(c: Comparison) -> str:
    t = UI[c.lang]
    e = html.escape
    out = [f'<!DOCTYPE html>\n<html lang="{c.lang}">\n<head>\n<meta charset="utf-8">\n'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           f"<title>{e(c.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
           f"<h1>{e(c.title)}</h1>\n<p>{e(_changed_line(c))}</p>"]
    for block in c.blocks:
        if not block.rows:
            continue
        caption = block.title + (f" (≠ {t['differs']})" if block.differs else "")
        out.append(f"<table>\n<caption>{e(caption)}</caption>\n<thead><tr><th scope=\"col\">{e(t['item'])}</th>"
                   + "".join(f'<th scope="col">{e(n)}</th>' for n in c.columns)
                   + f'<th scope="col">{e(t["difference"])}</th></tr></thead>\n<tbody>')
        for row in block.rows:
            klass = ' class="differs"' if row.differs else ""
            mark = f"≠ {t['differs']}" if row.differs else t["same"]
            out.append(f'<tr{klass}><th scope="row">{e(row.label)}</th>'
                       + "".join(f"<td>{e(x)}</td>" for x in row.cells) + f"<td>{e(mark)}</td></tr>")
        out.append("</tbody>\n</table>")
    out.append("</main>\n</body>\n</html>\n")
    return "\n".join(out)


def to_json(c: Comparison) -> str:
    data = {"contract": CONTRACT, "lang": c.lang, "title": c.title,
            "columns": [{"name": n, "situation": s} for n, s in zip(c.columns, c.situations)],
            "changed_parts": c.changed, "parts": [asdict(b) for b in c.blocks]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(c: Comparison, fmt: str) -> str:
    return {"text": to_text, "markdown": to_markdown, "html": to_html, "json": to_json}[fmt](c)
