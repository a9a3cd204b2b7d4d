"""The aanpakwijzer command line (click).

    aanpakwijzer consult FILE [--format text|json|markdown|html] [--lang nl|en] [--set field=value]...
    aanpakwijzer test PATH... [--coverage]
    aanpakwijzer schema situation|design|scenario|rules
    aanpakwijzer rules list|show|check|book

Exit codes: 0 advice / all passed, 1 a scenario or check failed, 2 bad input (or output
that cannot be written). An InputError is a click exception with exit code 2, so click
itself prints its one-line message.

A command defined in another module is registered with one line in COMMANDS below; it
is imported only when it is used.
"""
import gc
import importlib
import json
import sys

import click

from expert.errors import InputError, InputErrors, preview

# name -> "module:attribute" of a click command or group defined elsewhere
COMMANDS = {
    "rules": "expert.commands_rules:rules",
    "review": "expert.commands_review:review",
    "serve": "expert.commands_serve:serve",
    "interview": "expert.commands_explore:interview",
    "compare": "expert.commands_explore:compare",
    "batch": "expert.commands_explore:batch",
}


class _Group(click.Group):
    """The top-level group: its own commands plus the ones listed in COMMANDS."""

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx, name):
        if name in self.commands or name not in COMMANDS:
            return super().get_command(ctx, name)
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attribute)


_own_process = False        # set by run(): this process is the aanpakwijzer command itself


def one_shot() -> None:
    """For a command that consults once and ends: no cyclic garbage collection in this
    process. Importing, loading the knowledge base and building one Rete network make
    hundreds of thousands of objects that all live until the process ends, and the
    collector would rescan them again and again (about 40 ms of a cold consultation);
    a consultation makes no cyclic garbage. Only when the process is the command (run());
    a host that calls `main` itself keeps its collector."""
    if _own_process:
        gc.disable()


@click.group(cls=_Group)
def main():
    """Aanpakwijzer: advice on designing projects that reach hard-to-reach groups."""
    from expert.messages import set_message_lang

    # input errors in English unless a command with --lang says otherwise (consult: Dutch by default)
    set_message_lang("en")


def run(args=None):
    """The console script: like main(), but output that cannot be written (closed or full
    stdout, a broken pipe) is exit code 2 with one line, never a traceback or exit 0."""
    from expert.output import encoding_error, guard_stdout, silence_stdout, stdout_error

    global _own_process
    _own_process = True
    guard_stdout()
    try:
        result = main.main(args=args, standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except click.ClickException as error:       # InputError included
        error.show()
        code = error.exit_code
    except click.Abort:
        click.echo("Aborted!", err=True)
        code = 1
    except SystemExit as done:
        code = 0 if done.code is None else done.code if isinstance(done.code, int) else 1
    except UnicodeEncodeError as exc:           # click.echo to a stdout that cannot show the text
        click.echo(encoding_error(getattr(sys.stdout, "encoding", "?"), exc).describe(), err=True)
        code = 2
    except OSError as exc:                      # a write to stdout failed
        silence_stdout()
        click.echo(stdout_error(exc).describe(), err=True)
        code = 2
    try:
        sys.stdout.flush()
    except OSError as exc:
        silence_stdout()
        click.echo(stdout_error(exc).describe(), err=True)
        code = 2
    sys.exit(code)


def _parse_set(values, situation, source):
    from expert.yamlio import parse_yaml

    for item in values:
        if "=" not in item:
            raise InputError("use --set field=value", file="--set", field=item)
        name, raw = item.split("=", 1)
        if not name.strip():
            raise InputError(f"the field name before '=' is missing in {preview(item)}; "
                             "use --set field=value", file="--set")
        try:
            value = parse_yaml(raw, "--set") if raw.strip() else None
        except InputError as error:         # a --set value has no lines; name its field
            error.line, error.field = None, name.strip()
            raise
        situation[name.strip()] = value
        if hasattr(situation, "lines"):
            situation.lines[name.strip()] = None
    return situation


@main.command()
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default=None,
              help="Output format (default: from the -o file's extension, else text).")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl")
@click.option("--set", "overrides", multiple=True, metavar="FIELD=VALUE",
              help="Override or add a situation field (repeatable).")
@click.option("--output", "-o", help="Write to this file instead of stdout.")
@click.option("--trace", "with_trace", is_flag=True,
              help="Also list every rule firing in order (text, markdown, html; JSON always has it).")
@click.option("--detail", type=click.Choice(["summary", "standard", "full"]), default="standard",
              help="summary: only 'In het kort'; standard: each reason once; full: every reason, with rule ids.")
@click.option("--date", "date", default=None, metavar="TEXT",
              help="Date printed on the report (default: from SOURCE_DATE_EPOCH, else none).")
@click.option("--vary", metavar="FIELD[=V1,V2]",
              help="What if: one column per value of FIELD (every allowed value, or the ones listed).")
def consult(file, fmt, lang, overrides, output, with_trace, detail, date, vary):
    """Advise on the situation in FILE (a situation or scenario file; '-' reads stdin)."""
    one_shot()
    from expert.engine import Advisor
    from expert.messages import set_message_lang
    from expert.output import write_file, write_stdout
    from expert.render import format_for, render
    from expert.situation import parse_situation
    from expert.situation_files import situation_mapping
    from expert.warnings import with_target_group_warning
    from expert.yamlio import load_mapping

    set_message_lang(lang)

    data, name = situation_mapping(*load_mapping(file, "situation file"))     # a scenario file: its situation
    stated_group = data.get("target_group")
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

        text = render_comparison(what_if(known_facts(situation), vary, lang), format_for(fmt, output))
    else:
        design = Advisor(single_use=True).consult(situation, lang)     # consults once: a small engine
        design = with_target_group_warning(design, stated_group, situation.target_group, lang)
        text = render(design, format_for(fmt, output), with_trace, detail=detail, date=date)
    if output is not None:
        write_file(output, text)
    else:
        write_stdout(text)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--coverage", is_flag=True, help="List every rule no scenario fires.")
def test(paths, coverage):
    """Run scenario files (or folders of them); exit 1 if any fails, 2 if any cannot be run."""
    from expert.engine import Advisor
    from expert.knowledge import knowledge_base
    from expert.scenarios import run_scenarios, scenario_files

    advisor = Advisor(freeze_heap=True, pause_collector=True)   # this process is Aanpakwijzer, one thread
    files = scenario_files(paths)
    if not files:
        raise InputError("no scenario files found", file=" ".join(paths))
    results = run_scenarios(files, advisor)
    for result in results:
        if result.error is not None:
            click.echo(f"ERROR {result.file}")
            for line in result.error.describe().splitlines():
                click.echo(f"     {line}")
            continue
        status = "PASS" if result.passed else "FAIL"
        click.echo(f"{status} {result.file}: {result.name}")
        for problem in result.problems:
            click.echo(f"     {problem}")
    broken = sum(r.error is not None for r in results)
    failed = sum(not r.passed for r in results) - broken
    fired = {rule for r in results for rule in r.fired}
    rules = [r.id for r in knowledge_base().rules]
    unfired = [r for r in rules if r not in fired]
    not_run = f", {broken} not run (bad input)" if broken else ""
    click.echo(f"\n{len(results) - failed - broken} passed, {failed} failed{not_run}; "
               f"rule coverage {len(rules) - len(unfired)}/{len(rules)}")
    if coverage and unfired:
        click.echo("rules no scenario fires:")
        for rule in unfired:
            click.echo(f"  {rule}")
    sys.exit(2 if broken else 1 if failed else 0)


@main.command()
@click.argument("what", type=click.Choice(["situation", "design", "scenario", "rules", "proposal", "review"]))
def schema(what):
    """Print the JSON Schema of a contract."""
    from expert.design import design_model
    from expert.knowledge import rules_json_schema
    from expert.proposal import proposal_json_schema
    from expert.review import review_model
    from expert.scenarios import scenario_model
    from expert.situation import situation_model

    schemas = {"situation": lambda: situation_model().model_json_schema(),
               "design": lambda: design_model().model_json_schema(),
               "scenario": lambda: scenario_model().model_json_schema(), "rules": rules_json_schema,
               "proposal": proposal_json_schema, "review": lambda: review_model().model_json_schema()}
    click.echo(json.dumps(schemas[what](), indent=2, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    run()
