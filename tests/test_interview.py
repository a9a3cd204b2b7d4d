"""`aanpakwijzer interview`: through a pseudo-terminal as a person types, and with piped input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from expert import Advisor

from expert.paths import FACTS_DIR

AANPAKWIJZER = str(Path(sys.executable).parent / "aanpakwijzer")
WOMEN = FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml"
SCHOOL_LEAVERS = {"target_group": "youth", "municipality_size": "medium", "education_level": "low",
                  "policy_goal": "education", "already_employed": False, "care_indication": False,
                  "self_organisations": "some", "ethnic_media_available": True, "funding_years": 2}


def run(*args, typed=""):
    return subprocess.run([AANPAKWIJZER, *map(str, args)], input=typed, capture_output=True, text=True,
                          timeout=300)


def consult_json(path):
    result = run("consult", path, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def school_leavers(tmp_path):
    path = tmp_path / "school_leavers.yaml"
    path.write_text(yaml.safe_dump(SCHOOL_LEAVERS), encoding="utf-8")
    return path


def test_dont_know_throughout_ends_with_the_design_consult_gives(tmp_path):
    out = tmp_path / "answered.yaml"
    result = run("interview", WOMEN, "-o", out, typed="0\n" * 60)
    assert result.returncode == 0, result.stderr
    assert "Er is geen vraag meer waarvan het antwoord het advies kan veranderen." in result.stdout
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == yaml.safe_load(WOMEN.read_text(encoding="utf-8"))
    assert consult_json(out) == consult_json(WOMEN)
    # the summary at the end is the summary consult gives
    assert run("consult", WOMEN, "--detail", "summary").stdout in result.stdout


def test_questions_come_most_decisive_first_with_numbered_answers(advisor, school_leavers):
    result = run("interview", school_leavers, "--lang", "en", typed="q\n")
    first = advisor.questions(SCHOOL_LEAVERS, "en")[0]
    assert f"Question 1 ({len(advisor.questions(SCHOOL_LEAVERS)) - 1} open; could change:" in result.stdout
    assert first.question in result.stdout
    for number, answer in enumerate(first.answers, start=1):
        assert f"  {number}. {answer.label}" in result.stdout
    assert "  0. don't know" in result.stdout


def test_answering_the_two_street_activity_questions_changes_the_advice(tmp_path, school_leavers):
    """Issue 10's early school leavers: both answers are asked and together change channels,
    execution and lead time."""
    out = tmp_path / "answered.yaml"
    result = run("interview", school_leavers, "--lang", "en", "-o", out, typed="2\n2\nq\n")
    assert result.returncode == 0, result.stderr
    answered = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert answered == {**SCHOOL_LEAVERS, "active_in_society": False, "takes_own_initiative": False}
    before, after = consult_json(school_leavers), consult_json(out)
    assert after["execution"]["approach"] == "street_activity_to_work"
    assert after["lead_time"] != before["lead_time"] and after["recruitment"] != before["recruitment"]
    assert "Stopped." in result.stdout


def test_without_a_file_the_target_group_is_asked_first_and_is_required(tmp_path):
    out = tmp_path / "answered.yaml"
    result = run("interview", "-o", out, typed="0\nniets\n3\nq\n")
    assert "Voor welke doelgroep ontwerpt u het project?" in result.stdout
    assert result.stdout.count("De doelgroep is nodig om te kunnen adviseren.") == 1
    assert "Dat antwoord ken ik niet" in result.stdout
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == {"target_group": "newcomers"}


def test_s_shows_the_summary_and_then_the_same_question_again(school_leavers):
    result = run("interview", school_leavers, "--lang", "en", typed="s\nq\n")
    head, _, after = result.stdout.partition("Summary of the advice")
    assert "Question 1" in head and "Question 1" in after      # asked again after the summary
    assert after.count("Summary of the advice") == 1              # and once more at the end
    assert "Your answers (consult them later with" in result.stdout   # no -o: printed


def test_end_of_input_stops_like_q(advisor, school_leavers, tmp_path):
    out = tmp_path / "answered.yaml"
    first = advisor.questions(SCHOOL_LEAVERS)[0].field         # the most decisive question
    result = run("interview", school_leavers, "-o", out, typed="2\n")
    assert result.returncode == 0 and "Gestopt." in result.stdout
    assert yaml.safe_load(out.read_text(encoding="utf-8"))[first] is False


def test_a_bad_file_is_a_clear_error_before_any_question(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("target_group: women\nfunding_years: 40\n", encoding="utf-8")
    result = run("interview", bad, typed="0\n")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "bad.yaml:2: field 'funding_years'" in result.stderr and "Vraag" not in result.stdout


def test_through_a_pseudo_terminal_as_a_person_types(tmp_path, school_leavers):
    pexpect = pytest.importorskip("pexpect", reason="the pexpect package is not installed")
    out = tmp_path / "answered.yaml"
    child = pexpect.spawn(AANPAKWIJZER, ["interview", str(school_leavers), "--lang", "en", "-o", str(out)],
                          encoding="utf-8", timeout=120, dimensions=(40, 200))
    # the two street-activity questions, in the order the interview ranks them
    first, second = [q.question for q in Advisor().questions(SCHOOL_LEAVERS, "en")
                     if q.field in ("active_in_society", "takes_own_initiative")][:2]
    child.expect_exact(first)
    child.expect_exact("> ")
    child.sendline("maybe")                               # not an answer: asked again
    child.expect_exact("I do not know that answer")
    child.sendline("2")
    child.expect_exact(second)
    child.expect(r"2\. no  \(changes: [^)]*recruitment[^)]*lead time")   # what this answer changes
    child.expect_exact("> ")
    child.sendline("2")
    child.expect_exact("Question 3")
    child.expect_exact("> ")
    child.sendline("s")
    child.expect_exact("Summary of the advice")
    child.expect_exact("> ")
    child.sendline("q")
    child.expect_exact("Your answers are in")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    answered = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert answered["takes_own_initiative"] is False and answered["active_in_society"] is False
