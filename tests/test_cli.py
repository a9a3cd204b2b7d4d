"""The command-line contract."""
import json

from click.testing import CliRunner

from cli import main
from expert.paths import FACTS_DIR

EXAMPLE = str(FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml")


def invoke(*args, **kwargs):
    return CliRunner().invoke(main, list(args), **kwargs)


def test_text_advice_is_dutch_by_default_and_grouped():
    result = invoke("consult", EXAMPLE)
    assert result.exit_code == 0, result.output
    for heading in ("Werving", "Kinderopvang", "Resultaatafspraken", "Doorlooptijd", "Bronnen"):
        assert heading in result.output
    assert "waarom:" in result.output
    changes = [line for line in result.output.splitlines() if "kan veranderen:" in line]
    assert changes and not any("recruitment" in line or "director_role" in line for line in changes)


def test_every_recruitment_channel_says_why():
    """In the full report each channel has its reason (or a pointer to the reason above)."""
    lines = invoke("consult", EXAMPLE, "--detail", "full").output.splitlines()
    start = lines.index("Werving") + 2
    end = lines.index("", start)
    channels = [i for i in range(start, end) if lines[i].startswith("  ") and lines[i].strip()[0].isdigit()]
    assert len(channels) >= 3
    for i in channels:
        assert lines[i + 1].strip().startswith("waarom"), lines[i]


def test_english_markdown_and_html():
    md = invoke("consult", EXAMPLE, "--lang", "en", "--format", "markdown").output
    assert md.startswith("# ") and "## Recruitment" in md
    page = invoke("consult", EXAMPLE, "--format", "html").output
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page


def test_json_follows_the_contract_and_set_overrides():
    result = invoke("consult", EXAMPLE, "--format", "json", "--set", "young_children=false")
    data = json.loads(result.output)
    assert data["contract"] == "aanpakwijzer/design/v1"
    assert data["childcare"]["approach"] == "not_applicable"


def test_stdin_and_scenario_files_are_accepted():
    text = "target_group: women\nparticipation_level: high\n"
    data = json.loads(invoke("consult", "-", "--format", "json", input=text).output)
    assert data["participation_level"] == "high"


def test_schemas():
    for what in ("situation", "design", "scenario", "rules"):
        result = invoke("schema", what)
        assert result.exit_code == 0
        schema = json.loads(result.output)
        assert schema["type"] == "object"
    situation = json.loads(invoke("schema", "situation").output)
    assert situation["required"] == ["target_group"]
    assert "funding_years" in situation["properties"]


def test_rules_list_show_and_book():
    listed = invoke("rules", "list", "--dimension", "childcare").output
    assert "women.childcare.low.children_come_along" in listed
    shown = invoke("rules", "show", "women.childcare.low.children_come_along").output
    assert "A.aspect.4" in shown and "because:" in shown
    book = invoke("rules", "book").output
    assert "```mermaid" in book and "women.level.low.dependent" in book
    missing = invoke("rules", "show", "women.childcare.low.children_come")
    assert missing.exit_code == 2 and "did you mean" in missing.output


def test_why_chain_runs_back_to_the_situation_facts():
    """In the full report each derived conclusion can be followed back, step by step, to
    what the user said."""
    out = invoke("consult", EXAMPLE, "--detail", "full").output
    assert ("volgt uit: category = low (women.category.follows_level.low) ← level = low "
            "(women.level.low.dependent) ← leaves_home_independently = false") in out


def test_trace_option_lists_every_firing_in_order():
    """Like CLIPS's (watch rules): each firing with what it read, concluded and who overruled it."""
    plain = invoke("consult", EXAMPLE).output
    out = invoke("consult", EXAMPLE, "--trace", "--lang", "en").output
    assert "Derivation" not in plain and "Derivation: every rule in the order it fired" in out
    assert "women.level.assumed_low [overruled] → level: low" in out
    assert "overruled by women.level.low.dependent (level)" in out
    design = json.loads(invoke("consult", EXAMPLE, "--format", "json").output)
    numbers = [int(line.split(".")[0]) for line in out.split("Derivation")[1].splitlines()
               if line[:3].strip().isdigit()]
    assert numbers == list(range(1, len(design["trace"]) + 1))
