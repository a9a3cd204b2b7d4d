"""The report as one self-contained HTML page a policy officer can print or forward.

Inline CSS (screen and print), no scripts or fonts from elsewhere. Status badges carry
their status in text as well as colour; reasons are folded in <details>; citations
link to the sources section.
"""
from __future__ import annotations

import html

from .report import Entry, Ref, Report, Section, anchor

CSS = """
:root{--ink:#1a1a1a;--muted:#444;--line:#c8c8c8;--link:#0645ad}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:#fff;
line-height:1.5;max-width:52rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line)}
a{color:var(--link)}
.meta{color:var(--muted);margin:0}
.summary{border:2px solid #1d4e89;border-radius:.4rem;padding:.25rem 1rem 1rem;background:#f3f7fc}
.summary h2{border:0;margin-top:.75rem}
.summary dl{margin:0;display:grid;grid-template-columns:minmax(8rem,14rem) 1fr;gap:.35rem 1rem}
.summary dt{font-weight:600}.summary dd{margin:0}
.why{color:var(--muted);font-size:.95em}
.note{border-left:4px solid #8a5a00;background:#fff8e6;padding:.5rem .75rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;
border-bottom:1px solid var(--line)}thead th{border-bottom:2px solid var(--ink)}
li{margin:.3rem 0}
details{margin:.15rem 0}summary{cursor:pointer;color:var(--muted)}
.badge{display:inline-block;font-size:.85em;font-weight:600;padding:0 .45em;border-radius:.3em;margin-right:.4em;
border:1px solid transparent}
.badge-not_met{background:#b3261e;color:#fff}
.badge-unknown{background:#fff3c4;color:#5c4400;border-color:#8a6d00}
.badge-met{background:#1e6b34;color:#fff}
@media print{
body{max-width:none;padding:0;font-size:10.5pt}
a{color:inherit;text-decoration:none}
.summary{break-inside:avoid;background:none}
h2{break-after:avoid}li{break-inside:avoid}
details::details-content{content-visibility:visible;display:block}
summary{list-style:none}summary::-webkit-details-marker{display:none}
.badge{border:1px solid #000}
}
"""

# Open every fold before printing (the print CSS does this too where the browser allows).
PRINT_SCRIPT = ("window.addEventListener('beforeprint',function(){"
                "document.querySelectorAll('details').forEach(function(d){d.open=true;});});")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _cites(ref: Ref) -> str:
    return "; ".join(f'<a href="#{anchor(c.id)}">{_e(c.text)}</a>' for c in ref.reason.citations)


def _reason(ref: Ref, report: Report) -> str:
    t, reason = report.ui, ref.reason
    if not ref.first:
        cites = f" ({_cites(ref)})" if ref.cite else ""
        return (f'<p class="why">{_e(t["why"])}: <a href="#reason-{reason.number}">{_e(t["see"])} '
                f"{reason.number}</a>{cites}</p>")
    rule = f"; {_e(t['rule'])} <code>{_e(reason.rule)}</code>" if report.detail == "full" else ""
    chains = ""
    if report.detail == "full" and reason.chains:
        chains = "<ul>" + "".join(f"<li>{_e(t['follows'])}: {_e(c)}</li>" for c in reason.chains) + "</ul>"
    return (f'<details class="why"><summary>{_e(t["why"])} ({_e(t["reason"])} {reason.number})</summary>'
            f'<p id="reason-{reason.number}">{_e(reason.text)} ({_cites(ref)}{rule})</p>{chains}</details>')


def _badge(status: str, report: Report) -> str:
    return f'<span class="badge badge-{_e(status)}">{_e(report.ui[status])}</span>'


def _entry(entry: Entry, report: Report) -> str:
    parts = [f'<li{f" id={chr(34)}{_e(entry.anchor)}{chr(34)}" if entry.anchor else ""}>']
    if entry.status:
        parts.append(_badge(entry.status, report))
    parts.append(_e(entry.text))
    if entry.details:
        parts.append("<br>" + "<br>".join(f'<span class="why">{_e(d)}</span>' for d in entry.details))
    if entry.children:
        parts.append("<ul>" + "".join(_entry(c, report) for c in entry.children) + "</ul>")
    parts += [_reason(ref, report) for ref in entry.reasons]
    parts.append("</li>")
    return "".join(parts)


def _section(section: Section, report: Report) -> str:
    head = f'h-{section.key}'
    out = [f'<section aria-labelledby="{head}"><h2 id="{head}">{_e(section.title)}</h2>']
    if section.intro:
        out.append(f"<p>{_e(section.intro)}</p>")
    items = "".join(_entry(e, report) for e in section.entries)
    if section.key == "trace":
        out.append(f"<details><summary>{_e(report.ui['details'])}</summary><ol>{items}</ol></details>")
    else:
        tag = "ol" if section.ordered else "ul"
        out.append(f"<{tag}>{items}</{tag}>")
        if section.more:       # standard detail: the rest of a long list, folded
            rest = "".join(_entry(e, report) for e in section.more)
            out.append(f"<details><summary>{_e(report.ui['more_html'].format(len(section.more)))}</summary>"
                       f"<{tag}>{rest}</{tag}></details>")
    out += [_reason(ref, report) for ref in section.reasons]
    out.append("</section>")
    return "\n".join(out)


def _summary(report: Report) -> str:
    t = report.ui
    rows = []
    for line in report.summary:
        reason = ""
        if line.reason:
            # the summary gives a reason's text once (standard): later parts link back here
            target = f' id="reason-{line.number}"' if line.anchor else ""
            number = f" ({_e(t['reason'])} {line.number})" if line.number else ""
            reason = f'<br><span class="why"{target}>{_e(line.reason)}{number}</span>'
        rows.append(f"<dt>{_e(line.label)}</dt><dd>{_e(line.text)}{reason}</dd>")
    return (f'<section class="summary" aria-labelledby="h-summary"><h2 id="h-summary">{_e(t["summary"])}</h2>'
            f"<dl>{''.join(rows)}</dl></section>")


def _situation(report: Report) -> str:
    t = report.ui
    rows = "".join(f'<tr><th scope="row">{_e(q)}</th><td>{_e(a)}</td></tr>' for q, a in report.situation)
    return (f'<section aria-labelledby="h-situation"><h2 id="h-situation">{_e(t["situation"])}</h2>'
            f'<table><thead><tr><th scope="col">{_e(t["question"])}</th><th scope="col">{_e(t["answer"])}</th>'
            f"</tr></thead><tbody>{rows}</tbody></table></section>")


def to_html(report: Report) -> str:
    t = report.ui
    date = (f'<p class="meta">{_e(t["date"])}: <time datetime="{_e(report.date)}">{_e(report.date)}</time></p>'
            if report.date else "")
    body = [f"<header><h1>{_e(report.title)}</h1>{date}</header>", "<main>", _summary(report),
            f'<p class="note" role="note">{_e(report.note)}</p>', _situation(report)]
    body += [_section(s, report) for s in report.sections]
    body.append("</main>")
    return ("<!DOCTYPE html>\n"
            f'<html lang="{_e(report.lang)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(report.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + f"\n<script>{PRINT_SCRIPT}</script>\n</body>\n</html>\n")
