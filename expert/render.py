"""Renderers for a Design: text, Markdown, HTML and JSON.

Text, Markdown and HTML render one report model (expert/report.py), so they say the
same thing in the same order; HTML is in expert/render_html.py.
"""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from typing import Any, Optional

from .report import Ref, Report, Section, anchor, build_report


def report_date(date: Optional[str] = None) -> Optional[str]:
    """The date to print: the one asked for, else SOURCE_DATE_EPOCH's, else none (same
    input, same output)."""
    if date:
        return date
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%d")
    return None


def reason_text(ref: Ref, report: Report, full: bool) -> tuple[str, str]:
    """('waarom (reden 3)', 'text (rapport A, …)') or ('waarom', 'zie reden 3')."""
    t = report.ui
    reason = ref.reason
    cites = "; ".join(c.text for c in reason.citations)
    if not ref.first:
        return t["why"], f"{t['see']} {reason.number}" + (f" ({cites})" if ref.cite else "")
    rule = f"; {t['rule']} {reason.rule}" if full else ""
    return f"{t['why']} ({t['reason']} {reason.number})", f"{reason.text} ({cites}{rule})"


def _summary_line(line: Any, t: dict[str, str]) -> str:
    number = f" ({t['reason']} {line.number})" if line.number else ""
    return f"{line.label}: {line.text}" + (f" — {line.reason}{number}" if line.reason else "")


# --- text -----------------------------------------------------------------------
def _heading(text: str, char: str) -> list[str]:
    return [text, char * len(text)]


def to_text(report: Report) -> str:
    t, full = report.ui, report.detail == "full"
    lines = _heading(report.title, "=")
    if report.date:
        lines.append(f"{t['date']}: {report.date}")
    lines += [""] + _heading(t["summary"], "-") + [_summary_line(s, t) for s in report.summary]
    lines += ["", report.note]
    if full:      # the terminal's reader just typed the situation; the full report repeats it
        lines += [""] + _heading(t["situation"], "-") + [f"  {q} {a}" for q, a in report.situation]
    for section in report.sections:
        lines += _text_section(section, report)
    return "\n".join(lines) + "\n"


def _text_section(section: Section, report: Report) -> list[str]:
    t, full = report.ui, report.detail == "full"
    lines = [""] + _heading(section.title, "-")
    if section.intro:
        lines.append(section.intro)
    status = None
    for number, entry in enumerate(section.entries, start=1):
        lead = f"{number}. " if section.ordered else ""
        if entry.status and entry.status != status:
            status = entry.status
            lines.append(f"  {t[status].capitalize()}:")     # items grouped by status
        lines.append(f"  {'  ' if entry.status else ''}{lead}{entry.text}")
        lines += [f"      {d}" for d in entry.details]
        lines += [f"      {c.text}" for c in entry.children]
        for ref in entry.reasons:
            label, text = reason_text(ref, report, full)
            lines.append(f"      {label}: {text}")
            if full and ref.first:
                lines += [f"        {t['follows']}: {c}" for c in ref.reason.chains]
    if section.more:
        lines.append(f"  … {t['more'].format(len(section.more))}")
    for ref in section.reasons:
        label, text = reason_text(ref, report, full)
        lines.append(f"  {label}: {text}")
    return lines


# --- Markdown -------------------------------------------------------------------
def _md(text: str) -> str:
    """Escape what Markdown would read as markup in our texts."""
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)


def _md_reason(ref: Ref, report: Report, full: bool) -> str:
    t, reason = report.ui, ref.reason
    cites = "; ".join(f"[{_md(c.text)}](#{anchor(c.id)})" for c in reason.citations)
    if not ref.first:
        return (f"*{t['why']}:* [{t['see']} {reason.number}](#reason-{reason.number})"
                + (f" ({cites})" if ref.cite else ""))
    rule = f"; {t['rule']} {_md(reason.rule)}" if full else ""
    return (f'<a id="reason-{reason.number}"></a>*{t["why"]} ({t["reason"]} {reason.number}):* '
            f"{_md(reason.text)} ({cites}{rule})")


def _md_section(section: Section, report: Report, full: bool) -> list[str]:
    lines = ["", f"## {_md(section.title)}", ""]
    if section.intro:
        lines += [_md(section.intro), ""]
    for number, entry in enumerate(section.entries, start=1):
        lead = f"{number}. " if section.ordered else "- "
        status = f"**{report.ui[entry.status]}:** " if entry.status else ""
        lines.append(f"{lead}{status}{_md(entry.text)}")
        lines += [f"    - {_md(d)}" for d in entry.details]
        lines += [f'    - <a id="{c.anchor}"></a>{_md(c.text)}' for c in entry.children]
        for ref in entry.reasons:
            lines.append(f"    - {_md_reason(ref, report, full)}")
            if full and ref.first:
                lines += [f"        - {report.ui['follows']}: {_md(c)}" for c in ref.reason.chains]
    if section.more:
        lines.append(f"- … {_md(report.ui['more'].format(len(section.more)))}")
    if section.reasons:
        lines.append("")
    lines += [_md_reason(ref, report, full) for ref in section.reasons]
    return lines


def _md_summary_line(line: Any, report: Report) -> str:
    out = f"- **{_md(line.label)}:** {_md(line.text)}"
    if not line.reason:
        return out
    if not line.number:
        return f"{out} — {_md(line.reason)}"
    # the summary gives a reason's text once (standard): later parts link back here
    target = f'<a id="reason-{line.number}"></a>' if line.anchor else ""
    return f"{out} — {target}{_md(line.reason)} ({report.ui['reason']} {line.number})"


def to_markdown(report: Report) -> str:
    t, full = report.ui, report.detail == "full"
    lines = [f"# {_md(report.title)}", ""]
    if report.date:
        lines += [f"{t['date']}: {report.date}", ""]
    lines += [f"## {t['summary']}", ""]
    lines += [_md_summary_line(s, report) for s in report.summary]
    lines += ["", f"> {_md(report.note)}", "", f"## {t['situation']}", "",
              f"| {t['question']} | {t['answer']} |", "| --- | --- |"]
    lines += [f"| {_md(q)} | {_md(a)} |" for q, a in report.situation]
    for section in report.sections:
        lines += _md_section(section, report, full)
    return "\n".join(lines) + "\n"


EXTENSIONS = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json", ".txt": "text"}


def format_for(fmt: Optional[str], output: Optional[str]) -> str:
    """The format asked for; else the one the output file's extension names; else text."""
    if fmt:
        return fmt
    return EXTENSIONS.get(os.path.splitext(output or "")[1].lower(), "text")


def render(design: Any, fmt: str, with_trace: bool = False, detail: str = "standard",
           date: Optional[str] = None) -> str:
    """The design in a format; JSON always holds the whole design with its trace."""
    if fmt == "json":
        return design.to_json()
    report = build_report(design, detail, report_date(date), with_trace)
    if fmt == "html":
        from .render_html import to_html
        return to_html(report)
    return {"text": to_text, "markdown": to_markdown}[fmt](report)
