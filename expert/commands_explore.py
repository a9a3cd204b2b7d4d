"""`aanpakwijzer interview`, `compare` and `batch`: ask, compare and explore advice."""
from __future__ import annotations

import sys
from typing import Any, Optional

import click

FORMATS = ["text", "markdown", "html", "json"]
LANG = click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
OUTPUT = click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")


def _emit(text: str, output: Optional[str]) -> None:
    from .output import write_file, write_stdout

    if output is not None:
        write_file(output, text)
    else:
        write_stdout(text)


def _read_line(prompt: str) -> Optional[str]:
    """One typed line (None at end of input); a terminal gets line editing."""
    if sys.stdin.isatty():
        try:
            return input(prompt)
        except EOFError:
            return None
    click.echo(prompt, nl=False)
    line = sys.stdin.readline()
    if not line:
        return None
    click.echo(line.rstrip("\n"))           # piped: show what was answered, as a transcript
    return line


@click.command()
@click.argument("file", required=False)
@LANG
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the answered situation to this file (a situation file for consult).")
def interview(file: Optional[str], lang: str, output: Optional[str]) -> None:
    """Ask, one at a time, only the questions whose answer can still change the advice.

    FILE (optional) holds what is already known. Type the number of an answer, 0 for
    "don't know", s for the summary of the advice, q to stop."""
    from .engine import Advisor
    from .interview import TEXTS, Interview, situation_yaml
    from .output import write_file
    from .situation_files import load_situation

    known: dict[str, Any] = load_situation(file, need_group=False)[0] if file else {}
    advisor = Advisor(freeze_heap=True, pause_collector=True)
    answered = Interview(advisor, known, lang, _read_line, lambda text: click.echo(text, nl=False)).run()
    text = situation_yaml(answered, lang)
    if output:
        write_file(output, text)
        click.echo("\n" + TEXTS[lang]["written"].format(file=output))
    else:
        click.echo("\n" + TEXTS[lang]["answers"] + "\n" + text, nl=False)


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@LANG
@OUTPUT
def compare(files: tuple[str, ...], fmt: str, lang: str, output: Optional[str]) -> None:
    """Lay the advice for two or more situation files side by side; differences are marked."""
    from .compare import comparison, render
    from .errors import InputError
    from .situation_files import load_situation

    if len(files) < 2:
        raise InputError("compare needs at least two situation files", file=" ".join(files))
    loaded = [load_situation(f) for f in files]
    _emit(render(comparison([s for s, _ in loaded], [name for _, name in loaded], lang), fmt), output)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Worker processes (default: every core).")
@OUTPUT
def batch(paths: tuple[str, ...], fmt: str, jobs: Optional[int], output: Optional[str]) -> None:
    """Consult many situation files (or folders of them): one row per file with the summary
    parts. A bad file is reported and the rest still run; exit 2 at the end if any was bad."""
    from .batch import run_batch, situation_paths, to_csv, to_json
    from .errors import InputError

    files = situation_paths(paths)
    if not files:
        raise InputError("no situation files found", file=" ".join(paths))
    if sys.stderr.isatty():         # a progress bar on a terminal, nothing when piped
        with click.progressbar(length=len(files), file=sys.stderr, label="aanpakwijzer batch") as bar:
            rows = run_batch(files, jobs, bar.update)
    else:
        rows = run_batch(files, jobs)
    _emit((to_csv if fmt == "csv" else to_json)(rows), output)
    bad = [r for r in rows if r["error"]]
    for r in bad:
        click.echo(r["error"], err=True)
    if bad:
        click.echo(f"{len(bad)} of {len(rows)} files could not be consulted", err=True)
        sys.exit(2)


def register_commands(group: click.Group) -> None:
    for command in (interview, compare, batch):
        group.add_command(command)
