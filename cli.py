"""The aanpakwijzer command line (click).

    aanpakwijzer consult FILE [--format text|json|markdown|html] [--lang nl|en] [--set field=value]...
    aanpakwijzer test PATH... [--coverage]
    aanpakwijzer schema situation|design|scenario|rules
    aanpakwijzer rules list|show|check|book

Exit codes: 0 advice / all passed, 1 a scenario or check failed, 2 bad input.
"""
import json
import sys

import click

from expert.errors import InputError, InputErrors


def _fail(error):
    click.echo(error.describe(), err=True)
    sys.exit(2)


class _Group(click.Group):
    """Turns every InputError into a clear message and exit code 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as error:
            _fail(error)


@click.group(cls=_Group)
def main():
    """Aanpakwijzer: advice on designing projects that reach hard-to-reach groups."""


def _parse_set(values, situation, source):
    from expert.yamlio import parse_yaml

    for item in values:
        if "=" not in item:
            raise InputError("use --set field=value", file="--set", field=item)
        name, raw = item.split("=", 1)
        value = parse_yaml(raw, "--set") if raw.strip() else None
        situation[name.strip()] = value
        if hasattr(situation, "lines"):
            situation.lines[name.strip()] = None
    return situation


@main.command()
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl")
@click.option("--set", "overrides", multiple=True, metavar="FIELD=VALUE",
              help="Override or add a situation field (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("--trace", "with_trace", is_flag=True,
              help="Also list every rule firing in order (text, markdown, html; JSON always has it).")
@click.option("--vary", metavar="FIELD[=V1,V2]",
              help="What if: one column per value of FIELD (every allowed value, or the ones listed).")
def consult(file, fmt, lang, overrides, output, with_trace, vary):
    """Advise on the situation in FILE (a situation or scenario file; '-' reads stdin)."""
    from expert.engine import consult as run_consult
    from expert.render import render
    from expert.situation import parse_situation
    from expert.yamlio import load_mapping

    data, name = load_mapping(file, "situation file")
    if "situation" in data and "expect" in data:       # a scenario file: use its situation
        data = data["situation"]
        if not isinstance(data, dict):
            raise InputError("'situation' must be a mapping", file=name, field="situation")
    data = _parse_set(overrides, data, name)
    try:
        situation = parse_situation(data, name)
    except InputError as exc:
        # a problem in a value given with --set is reported against --set, not the file
        overridden = {item.split("=", 1)[0].strip() for item in overrides}
        problems = exc.errors if isinstance(exc, InputErrors) else [exc]
        for problem in problems:
            if problem.field in overridden:
                problem.file, problem.line = "--set", None
        raise InputErrors(problems) from None
    if vary:
        from expert.compare import render as render_comparison, what_if
        from expert.situation import known_facts

        text = render_comparison(what_if(known_facts(situation), vary, lang), fmt)
    else:
        text = render(run_consult(situation, lang), fmt, with_trace)
    if output:
        _write_atomically(output, text)
    else:
        click.echo(text, nl=False)


def _write_atomically(output, text):
    """Write via a temporary file in the same folder, so a failure never leaves half a
    file behind (and an existing file stays as it was)."""
    import os
    import tempfile
    from pathlib import Path

    target = Path(output)
    tmp = None
    try:
        handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
        raise InputError(f"cannot write the advice: {exc.strerror}", file=str(target), field="--output") from None


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--coverage", is_flag=True, help="List every rule no scenario fires.")
def test(paths, coverage):
    """Run scenario files (or folders of them); exit 1 if any fails."""
    from expert.engine import Advisor
    from expert.knowledge import knowledge_base
    from expert.scenarios import run_scenario, scenario_files

    advisor = Advisor()
    files = scenario_files(paths)
    if not files:
        raise InputError("no scenario files found", file=" ".join(paths))
    results = [run_scenario(path, advisor) for path in files]
    for result in results:
        status = "PASS" if result.passed else "FAIL"
        click.echo(f"{status} {result.file}: {result.name}")
        for problem in result.problems:
            click.echo(f"     {problem}")
    failed = sum(not r.passed for r in results)
    fired = {rule for r in results for rule in r.fired}
    rules = [r.id for r in knowledge_base().rules]
    unfired = [r for r in rules if r not in fired]
    click.echo(f"\n{len(results) - failed} passed, {failed} failed; "
               f"rule coverage {len(rules) - len(unfired)}/{len(rules)}")
    if coverage and unfired:
        click.echo("rules no scenario fires:")
        for rule in unfired:
            click.echo(f"  {rule}")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("what", type=click.Choice(["situation", "design", "scenario", "rules"]))
def schema(what):
    """Print the JSON Schema of a contract."""
    from expert.design import Design
    from expert.knowledge import RuleFile
    from expert.scenarios import Scenario
    from expert.situation import situation_model

    model = {"situation": situation_model(), "design": Design, "scenario": Scenario, "rules": RuleFile}[what]
    click.echo(json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False, sort_keys=True))


from expert.commands_rules import rules  # noqa: E402  (the `rules` command group)

main.add_command(rules)

from expert.commands_explore import register_commands  # noqa: E402  (interview, compare, batch)

register_commands(main)

if __name__ == "__main__":
    main()
