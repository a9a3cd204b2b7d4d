"""`aanpakwijzer review PROPOSAL...`: review proposals against the advice (offertetoets).

One file gives a review; several files (offers for one situation) give a comparison
that ranks them. Exit 0 whatever the verdict; 2 on bad input.
"""
import click


@click.command()
@click.argument("proposals", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text")
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl")
@click.option("--output", "-o", help="Write to this file instead of stdout.")
def review(proposals, fmt, lang, output):
    """Review PROPOSAL files (YAML or JSON; '-' reads stdin) against the advice; several
    files for one situation are compared and ranked."""
    from expert.cli import one_shot

    one_shot()
    from expert.engine import Advisor
    from expert.messages import set_message_lang
    from expert.output import write_file, write_stdout
    from expert.review import compare, review as run_review
    from expert.review_render import render_comparison, render_review
    from expert.yamlio import load_mapping

    set_message_lang(lang)
    loaded = [load_mapping(path, "proposal file") for path in proposals]
    advisor = Advisor(single_use=True)          # one situation, consulted once: a small engine
    if len(loaded) == 1:
        data, name = loaded[0]
        text = render_review(run_review(advisor, data, lang, source=name), fmt)
    else:
        result = compare(advisor, [d for d, _ in loaded], lang, sources=[n for _, n in loaded])
        text = render_comparison(result, fmt)
    if output is not None:
        write_file(output, text)
    else:
        write_stdout(text)
