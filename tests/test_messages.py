"""Input errors speak the user's language: Dutch by default (`--lang nl`), English with --lang en.
Every problem a policy officer can meet with a situation file has a Dutch wording."""
import pytest
from click.testing import CliRunner

from expert.cli import main
from expert.errors import InputError, InputErrors
from expert.messages import has_dutch
from expert.situation import parse_situation
from expert.yamlio import parse_yaml

BAD = "target_group: women\nfunding_years: 12\nfunding_yeras: 3\nleaves_home_independently: misschien\n"


def _consult(tmp_path, text, *args):
    path = tmp_path / "situatie.yaml"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["consult", str(path), *args])


def test_dutch_by_default_english_on_request(tmp_path):
    dutch = _consult(tmp_path, BAD)
    assert dutch.exit_code == 2
    assert "veld 'funding_years': 12 valt buiten het bereik (1 tot en met 10)" in dutch.output
    assert "veld 'funding_yeras': onbekend veld; bedoelt u 'funding_years'?" in dutch.output
    assert "moet ja of nee zijn" in dutch.output
    english = _consult(tmp_path, BAD, "--lang", "en")
    assert "field 'funding_years': 12 is out of range (1 to 10)" in english.output
    assert "veld" not in english.output


def test_allowed_values_and_set_problems_in_dutch(tmp_path):
    result = _consult(tmp_path, "target_group: women\ndutch_proficiency: vloeiend\n")
    assert "onbekende waarde 'vloeiend' (toegestaan: none, basic, good)" in result.output
    result = _consult(tmp_path, "target_group: women\n", "--set", "funding_years=on")
    assert "--set: veld 'funding_years':" in result.output and "zou door YAML gelezen worden als" in result.output


SITUATION_PROBLEMS = [
    "target_group: women\nfunding_years: 12\n", "target_group: women\nfunding_years: drie\n",
    "target_group: women\nyoung_children: misschien\n", "target_group: mannen\n", "funding_years: 3\n",
    "target_group: women\nfunding_yeras: 3\n", "target_group: women\ntarget_group: youth\n",
    "target_group: women\nfunding_years: 012\n", "target_group: women\nyoung_children: on\n",
    "a: &x [1]\nb: *x\n", "[1, 2\n", "- 1\n- 2\n", "target_group: !!python/object:os.system x\n",
    "target_group: women\nfunding_years: 0x1F\n", "target_group: women\nnumber: " + "1" * 40 + "\n",
]


@pytest.mark.parametrize("text", SITUATION_PROBLEMS)
def test_every_situation_file_problem_has_a_dutch_wording(text):
    try:
        data = parse_yaml(text, "s.yaml")
        if not isinstance(data, dict):
            raise InputError(f"the situation file must be a mapping of field: value, not {type(data).__name__}")
        parse_situation(data, "s.yaml")
    except InputErrors as exc:
        problems = exc.errors
    except InputError as exc:
        problems = [exc]
    else:
        pytest.fail("no problem found")
    for problem in problems:
        assert has_dutch(problem.message), problem.message


def test_missing_and_empty_files_in_dutch(tmp_path):
    missing = CliRunner().invoke(main, ["consult", str(tmp_path / "weg.yaml")])
    assert missing.exit_code == 2 and "bestand niet gevonden" in missing.output
    assert "het situatiebestand is leeg" in _consult(tmp_path, "\n").output


def test_developer_commands_report_in_english(tmp_path):
    """`test` and `rules` are for knowledge engineers: English, whatever ran before."""
    _consult(tmp_path, BAD)
    result = CliRunner().invoke(main, ["test", str(tmp_path / "none.yaml")])
    assert "not found" in result.output
