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


def rulebook(kb, lang="nl", fmt="markdown"):
    title, structure, by_dim, by_source, when, then, why, assumes, sources, priority = TITLES[lang]
    voc = vocabulary()
    md = [f"# {title}", "", (f"{len(kb.rules)} regels in {len(kb.files)} bestanden." if lang == "nl"
                                   else f"{len(kb.rules)} rules in {len(kb.files)} files."), "", f"## {structure}", "",
          "```mermaid", mermaid(kb), "```", "", f"## {by_dim}"]
    groups: dict = {}
    for rule in kb.rules:
        groups.setdefault(rule.concludes()[0] if rule.concludes() else "-", []).append(rule)
    order = list(voc.dimensions)
    for dim in sorted(groups, key=lambda d: order.index(d) if d in order else len(order)):
        label = voc.dimensions[dim].label.get(lang) if dim in voc.dimensions else dim
        md += ["", f"### {label} (`{dim}`, {registry().part_of(dim) if dim in voc.dimensions else dim})"]
        for rule in groups[dim]:
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
    index: dict = {}
    for rule in kb.rules:
        for source in rule.spec.sources:
            index.setdefault(source, []).append(rule.id)
    for source in voc.sources:
        if source in index:
            md.append(f"- `{source}` {voc.source_title(source, lang)}: " + ", ".join(f"`{r}`" for r in index[source]))
    text = "\n".join(md) + "\n"
    if fmt == "markdown":
        return text
    return _html(text, title, kb)


def _html(markdown, title, kb):
    """A plain HTML page: the rulebook as preformatted sections and the diagram as Mermaid."""
    body = []
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            body.append('<pre class="mermaid">' if not in_code else "</pre>")
            in_code = not in_code
        elif in_code:
            body.append(html.escape(line))
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{html.escape(line.lstrip('# '))}</h{level}>")
        elif line.startswith("- "):
            body.append(f"<p>{html.escape(line[2:]).replace('**', '')}</p>")
        elif line:
            body.append(f"<p>{html.escape(line)}</p>")
    return ("<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>" + html.escape(title)
            + "</title></head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")
