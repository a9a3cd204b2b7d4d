"""The report a policy officer reads: summary first, each reason once, citations in words,
warnings about the input, the good-practice checklist apart, and the output options."""
import json
import re

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli import main
from expert.engine import consult
from expert.paths import FACTS_DIR
from expert.render import format_for, render
from expert.report import SHORT_WORDS, build_report, short_reason
from expert.vocabulary import registry, vocabulary

EXAMPLES = sorted((FACTS_DIR / "examples").glob("*.yaml"))
WOMEN = FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml"
# `aanpakwijzer consult` of the women example before this report (main at 78bee70): 8,161 words
WORDS_BEFORE = 8161


def invoke(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


def design_of(path, lang="nl", **changes):
    situation = {**yaml.safe_load(path.read_text(encoding="utf-8")), **changes}
    return consult(situation, lang)


def summary_lines(text):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line in ("In het kort", "At a glance"))
    end = lines.index("", start)
    return lines[start:end]


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_summary_comes_first_and_fits_in_25_lines(path, lang):
    text = invoke("consult", path, "--lang", lang).output
    lines = summary_lines(text)
    assert text.splitlines().index(lines[0]) < 5, "the summary is the first thing after the title"
    assert len(lines) <= 25, "\n".join(lines)
    body = "\n".join(lines)
    design = design_of(path, lang)
    for channel in design.recruitment[:3]:
        assert channel.label in body
    assert design.childcare.label.split(":")[0] in body
    assert str(design.lead_time.min_months) in body
    for precondition in design.preconditions:
        if precondition.status == "not_met":
            assert short_reason(precondition.text, 12).rstrip(" …") in body
    assert f"{len(design.open_questions)}" in body


def test_standard_women_report_has_at_most_a_third_of_the_words_it_had():
    words = len(invoke("consult", WOMEN).output.split())
    assert words <= WORDS_BEFORE / 3, words


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_standard_gives_each_reason_text_once_without_codes(path, lang):
    text = invoke("consult", path, "--lang", lang).output
    why, reason = ("waarom", "reden") if lang == "nl" else ("why", "reason")
    given = [line.split(" — ", 1)[1].rsplit(" (", 1)[0] for line in summary_lines(text) if f"({reason} " in line]
    reasons = given + [line.split(":", 1)[1].strip().rsplit(" (", 1)[0] for line in text.splitlines()
                       if re.match(rf"\s*{why} \({reason} \d+\):", line)]
    assert reasons and len(reasons) == len(set(reasons))
    assert ("volgt uit" if lang == "nl" else "follows from") not in text
    assert ("gewicht" if lang == "nl" else "weight") not in text
    design = design_of(path, lang)
    for step in design.trace:
        assert step.rule not in text, f"rule id {step.rule} in the standard report"
        for source in step.sources:
            assert f"[{source}" not in text and f"({source})" not in text
    # a back-reference names a reason given earlier, by its number
    given_before = set()
    for line in text.splitlines():
        for number in re.findall(rf"(?:see|zie) {reason} (\d+)", line):
            assert int(number) in given_before, f"reason {number} is referred to before it is given"
        given_before |= {int(n) for n in re.findall(rf"\({reason} (\d+)\)", line)}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_full_report_loses_no_reason_and_shows_chains_and_rule_ids(path):
    design = design_of(path)
    full = invoke("consult", path, "--detail", "full").output
    for step in design.trace:
        if step.status != "overruled":
            assert step.because in full, step.rule
            assert step.rule in full
    assert "volgt uit:" in full or not any(s.derived_from for s in design.trace)


def test_summary_detail_is_only_the_summary_and_warnings():
    # a youth field no rule for women reads gives a warning
    text = invoke("consult", WOMEN, "--detail", "summary", "--set", "care_indication=true").output
    assert "In het kort" in text and "Randvoorwaarden\n---" not in text and "Bronnen\n---" not in text
    assert "Waarschuwingen" in text


def test_citations_in_words_and_sources_with_report_publisher_and_year():
    design = design_of(WOMEN)
    text = invoke("consult", WOMEN).output
    assert "(rapport A, " in text
    sources = text[text.index("Bronnen\n"):]
    for doc in vocabulary().documents.values():
        if any(s.report in ("A", "B") for s in design.sources):
            assert doc["year"]["nl"] in sources and doc["publisher"]["nl"] in sources
    assert "2003" in text and "2007" in text and "WWB" in text, "the note on the reports' age"
    cited = json.loads(design.to_json())["sources"]
    assert cited and all(s["report_title"] and s["publisher"] and s["year"] for s in cited)
    assert cited[0]["cited_as"].startswith("rapport ")


def test_good_practice_checklist_has_its_own_section_not_among_preconditions():
    text = invoke("consult", WOMEN).output
    own = text[text.index("Randvoorwaarden\n---"):text.index("Risico's\n---")]
    checklist = text[text.index("Toetsingskader goede praktijk\n---"):]
    assert "Goede praktijk" not in own
    assert checklist.count("Goede praktijk ") == 7
    assert re.search(r"Toetsingskader goede praktijk: 7 criteria", "\n".join(summary_lines(text)))


def test_open_questions_show_answers_and_how_to_give_one():
    design = design_of(WOMEN)
    text = invoke("consult", WOMEN).output
    questions = text[text.index("Open vragen\n---"):text.index("Bronnen\n---")]
    for q in design.open_questions:
        assert q.question in questions
        assert f"--set {q.field}=" in questions
        for answer in q.answers[:3]:
            assert answer.label in questions


def test_a_stated_level_that_contradicts_the_facts_is_warned_about():
    design = design_of(WOMEN, participation_level="high")
    contradiction = [w for w in design.warnings if w.kind == "contradiction"]
    assert contradiction and contradiction[0].fields == ["participation_level"]
    assert contradiction[0].follows == design.level
    assert "hoog" in contradiction[0].text and "laag" in contradiction[0].text


def test_a_given_field_no_rule_of_the_group_reads_is_warned_about():
    design = design_of(WOMEN, target_group="youth")
    unused = [w for w in design.warnings if w.kind == "unused_field"]
    assert unused and "leaves_home_independently" in unused[0].fields
    read = design_of(WOMEN)
    assert not [w for w in read.warnings if w.kind == "unused_field"]


def test_a_target_group_changed_with_set_is_warned_about():
    out = invoke("consult", WOMEN, "--set", "target_group=youth").output
    warnings = out[out.index("Waarschuwingen\n---"):]
    assert "niet-westerse migrantenvrouwen" in warnings.split("\n\n")[0]
    data = json.loads(invoke("consult", WOMEN, "--set", "target_group=youth", "--format", "json").output)
    assert data["warnings"][0]["kind"] == "target_group_changed"
    plain = json.loads(invoke("consult", WOMEN, "--format", "json").output)
    assert all(w["kind"] != "target_group_changed" for w in plain["warnings"])


def test_json_holds_the_situation_as_given():
    data = json.loads(invoke("consult", WOMEN, "--format", "json", "--set", "funding_years=3").output)
    given = yaml.safe_load(WOMEN.read_text(encoding="utf-8"))
    assert data["situation"] == {**given, "funding_years": 3}
    schema = json.loads(invoke("schema", "design").output)
    assert {"situation", "warnings", "sources"} <= set(schema["properties"])


@pytest.mark.parametrize("name,fmt", [("a.html", "html"), ("a.md", "markdown"), ("a.json", "json"),
                                      ("a.txt", "text"), ("a", "text"), ("A.HTML", "html")])
def test_output_extension_picks_the_format(tmp_path, name, fmt):
    assert format_for(None, name) == fmt
    assert format_for("text", name) == "text"
    target = tmp_path / name
    assert invoke("consult", WOMEN, "-o", target).exit_code == 0
    written = target.read_text(encoding="utf-8")
    design = design_of(WOMEN)
    assert written == render(design, fmt)


def test_date_only_when_asked_or_from_source_date_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert "Datum" not in invoke("consult", WOMEN).output
    assert "Datum: 2026-03-01" in invoke("consult", WOMEN, "--date", "2026-03-01").output
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    assert "Datum: 2025-12-01" in invoke("consult", WOMEN).output
    assert invoke("consult", WOMEN).output == invoke("consult", WOMEN).output


def test_markdown_has_the_same_structure_with_linked_citations():
    md = invoke("consult", WOMEN, "--format", "markdown").output
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    text = invoke("consult", WOMEN, "--detail", "full").output
    assert headings[0] == "In het kort"
    for title in ("Randvoorwaarden", "Toetsingskader goede praktijk", "Open vragen", "Bronnen"):
        assert title in headings and title in text
    for target in re.findall(r"\]\(#([^)]+)\)", md):
        assert f'id="{target}"' in md, target


def test_a_part_added_to_the_registry_shows_without_code_changes(monkeypatch):
    """Parts are rendered from facts/dimensions.yaml: a renamed title shows up as given."""
    part = registry().parts["risks"]
    renamed = part.model_copy(update={"title": part.title.model_copy(update={"nl": "Valkuilen"})})
    monkeypatch.setitem(registry().parts, "risks", renamed)
    text = render(design_of(WOMEN), "text")
    assert "Valkuilen\n---" in text and "Risico's\n---" not in text


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(whitelist_categories=("L", "Zs", "Po")), min_size=1, max_size=400))
def test_a_short_reason_is_short_and_starts_like_the_reason(text):
    short = short_reason(text)
    assert len(short.split()) <= SHORT_WORDS + 1
    assert text.strip().startswith(short.rstrip(" …").split(" ")[0]) if short.strip() else True


def test_build_report_refuses_an_unknown_detail():
    with pytest.raises(ValueError):
        build_report(design_of(WOMEN), "tiny")


AGAINST_PART = """  better_not:
    title: {nl: "Liever niet", en: "Better not"}
    shape: list
    dimensions: [better_not]
"""
AGAINST_DIMENSION = """  better_not:
    item: text
    kind: multi
    open: true
    label: {nl: "Liever niet", en: "Better not"}
"""
AGAINST_RULE = """about: {nl: "Liever niet", en: "Better not"}
items:
  better_not:
    no_mass_media:
      nl: "Werf geïsoleerde vrouwen niet via massamedia."
      en: "Do not recruit isolated women through mass media."
rules:
  - id: against.women.mass_media
    when: {target_group: women, leaves_home_independently: false}
    then: {better_not: [no_mass_media]}
    because: {nl: "Massamedia bereiken deze groep niet.", en: "Mass media do not reach this group."}
    sources: [A.table.low.recruitment]
"""


def test_a_list_part_added_with_data_alone_is_in_every_format(tmp_path):
    """An 'advised against' list another engineer adds in facts/dimensions.yaml shows in the
    text, Markdown and HTML report (and the summary) without code changes."""
    from knowledge_copy import copy_with_dimension, run_cli

    copy_with_dimension(tmp_path, AGAINST_PART, AGAINST_DIMENSION, "against.yaml", AGAINST_RULE)
    for fmt, heading in (("text", "Liever niet\n-----------"), ("markdown", "## Liever niet"),
                         ("html", ">Liever niet</h2>")):
        out = run_cli(tmp_path, "consult", WOMEN, "--format", fmt)
        assert out.returncode == 0, out.stderr
        assert heading in out.stdout and "Werf geïsoleerde vrouwen niet via massamedia." in out.stdout
        assert "Liever niet:" in out.stdout or "<dt>Liever niet</dt>" in out.stdout, "the summary counts it"


def test_rulebook_html_has_a_figure_and_no_markdown_and_writes_to_a_file(tmp_path):
    target = tmp_path / "regels.html"
    assert invoke("rules", "book", "-o", target).exit_code == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "`" not in page and "**" not in page
    assert "<figure>" in page and "flowchart" not in page
    md_target = tmp_path / "regels.md"
    assert invoke("rules", "book", "-o", md_target).exit_code == 0
    assert "```mermaid" in md_target.read_text(encoding="utf-8")
