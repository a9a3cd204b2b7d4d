"""`aanpakwijzer rules …`: list, show, check and print the knowledge base."""
import pathlib
import sys

import click


@click.group()
def rules():
    """Inspect and check the knowledge base (rules/*.yaml)."""


def _kb():
    from expert.knowledge import knowledge_base
    return knowledge_base()


@rules.command("list")
@click.option("--dimension", help="Only rules that conclude this dimension (e.g. childcare, risks).")
def list_rules(dimension):
    """List rule ids with what they conclude."""
    for rule in _kb().rules:
        concludes = rule.concludes()
        if dimension and dimension not in concludes:
            continue
        click.echo(f"{rule.id:60s} {', '.join(concludes):40s} {rule.file}:{rule.line}")


@rules.command()
@click.argument("rule_id")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl")
@click.option("--scenarios", "scenario_dir", default=None,
              help="Folder of scenarios to search (default facts/scenarios).")
def show(rule_id, lang, scenario_dir):
    """Show one rule: conditions, conclusions, texts, sources and the scenarios that fire it."""
    import yaml

    from expert.engine import Advisor
    from expert.errors import InputError
    from expert.paths import FACTS_DIR
    from expert.scenarios import run_scenario, scenario_files
    from expert.vocabulary import vocabulary

    kb = _kb()
    rule = kb.by_id.get(rule_id)
    if rule is None:
        from expert.suggest import did_you_mean
        raise InputError("no such rule" + did_you_mean(rule_id, kb.by_id, n=3), field=rule_id)
    spec = rule.spec.model_dump(exclude_none=True, exclude_defaults=True)
    click.echo(f"{rule.id}  ({rule.file}:{rule.line})")
    shown = {"when": spec.get("when", {}), "then": spec.get("then", {})}
    if rule.spec.priority is not None:
        shown["priority"] = rule.spec.priority
    click.echo(yaml.safe_dump(shown, allow_unicode=True, sort_keys=False))
    click.echo(f"because: {rule.spec.because.get(lang)}")
    if rule.spec.assumes:
        click.echo(f"assumes: {rule.spec.assumes.get(lang)}")
    click.echo("sources:")
    for source in rule.spec.sources:
        click.echo(f"  {source}: {vocabulary().source_title(source, lang)}")
    advisor = Advisor()
    hits = []
    for path in scenario_files([scenario_dir or FACTS_DIR / "scenarios"]):
        try:
            result = run_scenario(path, advisor)
        except InputError:
            continue
        if rule.id in result.fired:
            hits.append(path.name)
    shown_dir = scenario_dir or "facts/scenarios"
    click.echo(f"fired by scenarios in {shown_dir}:" + ("" if hits else " none"))
    for hit in hits:
        click.echo(f"  {hit}")


@rules.command()
@click.option("--workers", default=2, show_default=True, help="Processes for the exhaustive analysis.")
@click.option("--quiet", is_flag=True, help="No progress lines.")
@click.option("--rules", "rules_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder of rule files to check (default: the shipped rules/).")
def check(workers, quiet, rules_dir):
    """Lint and exhaustively analyse the knowledge base; exit 1 on any finding."""
    from expert.analysis import analyse
    from expert.paths import RULES_DIR

    report = analyse(workers=workers, progress=None if quiet else lambda m: click.echo(m, err=True),
                     rules_dir=pathlib.Path(rules_dir) if rules_dir else RULES_DIR)
    for line in report.summary:
        click.echo(line)
    if report.findings:
        click.echo(f"\n{len(report.findings)} finding(s):")
        for finding in report.findings:
            click.echo(f"  - {finding}")
        sys.exit(1)
    click.echo("\nno findings")


@rules.command()
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default=None,
              help="Default: from the -o file's extension (.html, .md), else markdown.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def book(lang, fmt, output):
    """Print the whole knowledge base as a readable rulebook."""
    from expert.rulebook import rulebook

    if fmt is None:
        fmt = "html" if pathlib.Path(output or "").suffix.lower() in (".html", ".htm") else "markdown"
    text = rulebook(_kb(), lang, fmt)
    if output:
        from expert.output import write_file
        write_file(output, text)
    else:
        click.echo(text, nl=False)
