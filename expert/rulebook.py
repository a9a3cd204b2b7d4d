"""`aanpakwijzer rules book`: the knowledge base as a readable rulebook.

Grouped by dimension (what a rule concludes) and indexed by source, with the
derivation structure drawn as a Mermaid diagram.
"""
import html

from .vocabulary import registry, vocabulary

TITLES = {"nl": ("Regelboek Aanpakwijzer", "Afleidingsstructuur", "Regels per onderdeel",
                 "Regels per bron", "als", "dan", "waarom", "aanname", "bronnen", "prioriteit"),
          "en": ("Aanpakwijzer rulebook", "Derivation structure", "Rules by dimension",
                 "Rules by source", "when", "then", "why", "assumes", "sources", "priority")}


def _describe_then(rule):
    then = rule.then
    out = [f"{d} = {v}" for d, v in then.singles().items()]
    for dim in registry().multi():
        item = registry().dimensions[dim].item
        for c in then.multi(dim):
            if item == "channel":
                out.append(f"{dim} {c.channel} ({c.weight})")
            elif item == "precondition":
                out.append(f"{dim} {c.id}" + (f" = {c.status}" if c.status else " (checked)"))
            elif item == "reference":
                out.append(f"{dim} {c.id}")
            else:
                out.append(f"{dim} {c}")
    return "; ".join(out)


def mermaid(kb):
    """Which facts feed which dimensions: an edge per (read field or dimension, concluded part)."""
    edges = set()
    for rule in kb.rules:
        reads = [f for f in rule.reads() if f != "target_group"]
        sources = [f for f in reads if f in registry().readable] or ["situation"]
        for concluded in rule.concludes():
            for source in sources:
                if source != concluded:
                    edges.add((source, concluded))
    lines = ["flowchart LR"]
    lines += [f"  {a} --> {b}" for a, b in sorted(edges)]
    return "\n".join(lines)


def _groups(kb):
    """Rules grouped by the first dimension they conclude, in registry order."""
    groups: dict = {}
    for rule in kb.rules:
        groups.setdefault(rule.concludes()[0] if rule.concludes() else "-", []).append(rule)
    order = list(vocabulary().dimensions)
    return [(dim, groups[dim]) for dim in sorted(groups, key=lambda d: order.index(d) if d in order else len(order))]


def _by_source(kb):
    index: dict = {}
    for rule in kb.rules:
        for source in rule.spec.sources:
            index.setdefault(source, []).append(rule.id)
    return [(s, index[s]) for s in vocabulary().sources if s in index]


def _dim_title(dim, lang):
    voc = vocabulary()
    label = voc.dimensions[dim].label.get(lang) if dim in voc.dimensions else dim
    return label, (registry().part_of(dim) if dim in voc.dimensions else dim)


def _count(kb, lang):
    return (f"{len(kb.rules)} regels in {len(kb.files)} bestanden." if lang == "nl"
            else f"{len(kb.rules)} rules in {len(kb.files)} files.")


def rulebook(kb, lang="nl", fmt="markdown"):
    if fmt == "html":
        return _html(kb, lang)
    title, structure, by_dim, by_source, when, then, why, assumes, sources, priority = TITLES[lang]
    voc = vocabulary()
    md = [f"# {title}", "", _count(kb, lang), "", f"## {structure}", "",
          "```mermaid", mermaid(kb), "```", "", f"## {by_dim}"]
    for dim, rules in _groups(kb):
        label, part = _dim_title(dim, lang)
        md += ["", f"### {label} (`{dim}`, {part})"]
        for rule in rules:
            md += ["", f"#### `{rule.id}`", "",
                   f"- **{when}:** {rule.conditions.describe()}",
                   f"- **{then}:** {_describe_then(rule)}"
                   + (f" ({priority} {rule.spec.priority})" if rule.spec.priority is not None else ""),
                   f"- **{why}:** {rule.spec.because.get(lang)}"]
            if rule.spec.assumes:
                md.append(f"- **{assumes}:** {rule.spec.assumes.get(lang)}")
            md.append(f"- **{sources}:** " + ", ".join(f"`{s}`" for s in rule.spec.sources)
                      + f" — {rule.file}:{rule.line}")
    md += ["", f"## {by_source}", ""]
    for source, rule_ids in _by_source(kb):
        md.append(f"- `{source}` {voc.source_title(source, lang)}: " + ", ".join(f"`{r}`" for r in rule_ids))
    return "\n".join(md) + "\n"


FIGURE_NOTE = {"nl": "Welke gegevens welke onderdelen bepalen ('situatie' staat voor de opgegeven feiten). "
                     "De Markdown-versie (rules book --format markdown) bevat dit als Mermaid-diagram.",
               "en": "Which facts decide which parts ('situation' stands for the given facts). The Markdown "
                     "version (rules book --format markdown) has this as a Mermaid diagram."}


def _figure(kb, lang, caption):
    """The derivation structure as a figure: each fact or dimension with what it feeds."""
    feeds: dict = {}
    for line in mermaid(kb).splitlines()[1:]:
        source, target = (x.strip() for x in line.split("-->"))
        feeds.setdefault(source, []).append(target)
    rows = "".join(f"<dt><code>{html.escape(a)}</code></dt><dd>→ "
                   + ", ".join(f"<code>{html.escape(b)}</code>" for b in targets) + "</dd>"
                   for a, targets in feeds.items())
    return (f"<figure><figcaption>{html.escape(caption)}. {html.escape(FIGURE_NOTE[lang])}</figcaption>"
            f"<dl>{rows}</dl></figure>")


def _html(kb, lang):
    """The rulebook as one self-contained HTML page (no scripts, no literal Markdown)."""
    title, structure, by_dim, by_source, when, then, why, assumes, sources, priority = TITLES[lang]
    voc = vocabulary()
    e = html.escape
    body = [f"<h1>{e(title)}</h1>", f"<p>{e(_count(kb, lang))}</p>",
            f"<section><h2>{e(structure)}</h2>{_figure(kb, lang, structure)}</section>",
            f"<section><h2>{e(by_dim)}</h2>"]
    for dim, rules in _groups(kb):
        label, part = _dim_title(dim, lang)
        body.append(f"<h3>{e(label)} (<code>{e(dim)}</code>, {e(part)})</h3>")
        for rule in rules:
            items = [(when, e(rule.conditions.describe())),
                     (then, e(_describe_then(rule)) + (f" ({e(priority)} {rule.spec.priority})"
                                                      if rule.spec.priority is not None else "")),
                     (why, e(rule.spec.because.get(lang)))]
            if rule.spec.assumes:
                items.append((assumes, e(rule.spec.assumes.get(lang))))
            items.append((sources, ", ".join(f"<code>{e(s)}</code> {e(voc.source_title(s, lang))}"
                                             for s in rule.spec.sources) + f" — {e(rule.file)}:{rule.line}"))
            body.append(f'<h4 id="{e(rule.id)}"><code>{e(rule.id)}</code></h4><dl>'
                        + "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in items) + "</dl>")
    body.append(f"</section><section><h2>{e(by_source)}</h2><ul>")
    for source, rule_ids in _by_source(kb):
        body.append(f"<li><code>{e(source)}</code> {e(voc.source_title(source, lang))}: "
                    + ", ".join(f'<a href="#{e(r)}"><code>{e(r)}</code></a>' for r in rule_ids) + "</li>")
    body.append("</ul></section>")
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1.5rem;line-height:1.45;"
             "color:#1a1a1a}dt{font-weight:600}dd{margin:0 0 .3rem 1.2rem}code{font-size:.92em}"
             "figure{margin:0}figcaption{color:#444;margin-bottom:.5rem}"
             "@media print{a{color:inherit;text-decoration:none}h4{break-after:avoid}}")
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{style}</style></head>\n<body><main>\n" + "\n".join(body) + "\n</main></body>\n</html>\n")
