"""Reviews of proposals (offertetoets): contracts, verdicts, bad input, rendering,
the 'Niet doen' knowledge and the review scenarios."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from expert.engine import Advisor, compiled
from expert.errors import InputError
from expert.paths import FACTS_DIR
from expert.proposal import allowed_ids, parse_proposal
from expert.review import (compare, review, review_knowledge, review_scenario_files, run_review_scenario)
from expert.review_render import render_comparison, render_review

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = FACTS_DIR / "examples"
PROPOSAL_DIR = EXAMPLES / "proposals"
PROPOSALS = sorted(PROPOSAL_DIR.glob("proposal_*.yaml"))
OFFERS = sorted(PROPOSAL_DIR.glob("offer_*.yaml"))
CLI = [sys.executable, str(ROOT / "cli.py")]


@pytest.fixture(scope="module")
def advisor():
    return Advisor()


def _run(*args, stdin=None):
    return subprocess.run(CLI + list(args), capture_output=True, text=True, input=stdin, cwd=ROOT)


def _women_low(**proposal):
    return {"name": "p", "situation": {"target_group": "women", "leaves_home_independently": False,
                                       "young_children": True}, "proposal": proposal}


# --- scenarios --------------------------------------------------------------------------

@pytest.mark.parametrize("path", review_scenario_files(), ids=lambda p: p.stem)
def test_review_scenario(path, advisor):
    result = run_review_scenario(path, advisor)
    assert result.passed, "\n".join(result.problems)


def test_review_scenarios_cover_all_groups_and_kinds():
    import yaml
    files = review_scenario_files()
    assert len(files) >= 16
    groups, verdicts, comparisons = set(), set(), 0
    for path in files:
        data = yaml.safe_load(path.read_text())
        assert data["sources"]
        proposals = data.get("proposals") or [data["proposal"]]
        groups |= {p["situation"]["target_group"] for p in proposals}
        if "proposals" in data:
            comparisons += len(proposals) >= 3
        else:
            verdicts.add(data["expect"].get("verdict"))
    assert groups == {"women", "youth", "newcomers", "return"}
    assert {"fits", "fits_with_changes", "does_not_fit"} <= verdicts
    assert comparisons >= 1


def test_every_advised_against_rule_is_cited_and_fired_by_a_review_scenario(advisor):
    kb = compiled().kb
    rules = [r for r in kb.rules if r.file == "rules/advised_against.yaml"]
    assert len(rules) >= 10
    fired = set()
    for path in review_scenario_files():
        fired |= set(run_review_scenario(path, advisor).fired)
    for rule in rules:
        assert rule.id.startswith("advised_against."), rule.id
        assert rule.spec.sources and rule.spec.because.nl and rule.spec.because.en
        assert rule.id in fired, f"{rule.id} is fired by no review scenario"


def test_review_knowledge_names_every_advised_against_item():
    items = compiled().kb.items["advised_against"]
    assert set(review_knowledge().advised_against) == set(items)


def test_the_advice_never_advises_against_its_own_choice(advisor):
    """For every design scenario, no 'Niet doen' item is about what the design itself advises."""
    import yaml
    for path in sorted((FACTS_DIR / "scenarios").glob("*.yaml")):
        design = advisor.consult(yaml.safe_load(path.read_text())["situation"])
        targets = review_knowledge().advised_against
        for item in design.advised_against:
            target = targets[item.id]
            assert design.childcare.approach not in target.childcare, (path.name, item.id)
            assert design.result_agreements.type not in target.result_agreements, (path.name, item.id)
            assert design.execution.approach not in target.execution_approach, (path.name, item.id)
            assert not {c.channel for c in design.recruitment[:1]} & set(target.recruitment), (path.name, item.id)


# --- verdicts -------------------------------------------------------------------------------

def test_duration_against_lead_time(advisor):
    def lead(months, **situation):
        body = _women_low(duration_months=months)
        body["situation"].update(situation)
        return next(e for e in review(advisor, body).elements if e.part == "lead_time").verdict
    # isolated women: minimum 24, recommended 36 months; the reports warn against less
    assert lead(36) == "fits"
    assert lead(30) == "partly"
    assert lead(12) == "advised_against"
    # women who go out (middle level): no warning, shorter than the minimum only differs
    assert lead(3, leaves_home_independently=True, attends_activities_outside_home=True,
                takes_own_initiative=False) == "differs"


def test_silence_is_missing_and_registry_letter_needs_a_trusted_worker(advisor):
    silent = review(advisor, _women_low())
    assert {e.part: e.verdict for e in silent.elements}["recruitment"] == "missing"
    alone = review(advisor, _women_low(recruitment=["benefit_registry_invitation"]))
    both = review(advisor, _women_low(recruitment=["benefit_registry_invitation", "home_visits_key_figures"]))
    assert alone.elements[0].verdict == "advised_against"
    assert both.elements[0].verdict != "advised_against"


def test_outflow_numbers_for_isolated_women_are_advised_against(advisor):
    result = review(advisor, _women_low(result_agreements="process_conditions", targets={"outflow_percent": 25}))
    element = next(e for e in result.elements if e.part == "result_agreements")
    assert element.verdict == "advised_against"
    assert any(f.item == "targets.outflow_percent=25" for f in element.findings)
    assert result.verdict == "does_not_fit" and "result_agreements" in result.deciding_points


def test_comparison_ranks_and_explains(advisor):
    import yaml
    offers = [yaml.safe_load(p.read_text()) for p in OFFERS]
    result = compare(advisor, offers)
    assert [p.name for p in result.ranking] == ["A: Huiskamers in de wijk", "C: Vrouwen voor vrouwen",
                                                 "B: Snel aan het werk"]
    assert result.ranking_rule and all(p.explanation for p in result.ranking)
    assert "'C: Vrouwen voor vrouwen'" in result.ranking[0].explanation
    # the order of the files does not change the ranking
    assert [p.name for p in compare(advisor, offers[::-1]).ranking] == [p.name for p in result.ranking]


def test_comparison_refuses_different_situations(advisor):
    import yaml
    first, second = (yaml.safe_load(p.read_text()) for p in OFFERS[:2])
    second["situation"]["funding_years"] = 5
    with pytest.raises(InputError, match="funding_years"):
        compare(advisor, [first, second])


# --- bad input ----------------------------------------------------------------------------

def test_bad_proposal_names_file_line_field_and_allowed_values(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsituation:\n  target_group: women\n  dutch_proficency: none\n"
                   "proposal:\n  recruitment: [home_visit]\n  childcare: maybe\n  duraton_months: 3\n")
    result = _run("review", str(bad), "--lang", "en")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    err = result.stderr
    assert f"{bad}:4: field 'situation.dutch_proficency': unknown field; did you mean 'dutch_proficiency'?" in err
    assert f"{bad}:6: field 'proposal.recruitment[0]': unknown value 'home_visit'" in err
    assert "home_visits_key_figures" in err
    assert f"{bad}:7: field 'proposal.childcare'" in err and "none" in err
    assert f"{bad}:8: field 'proposal.duraton_months': unknown key; did you mean 'duration_months'?" in err


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["recruitment", "childcare", "result_agreements", "duration_months",
                                        "execution_approach", "scale", "director_role", "targets", "other"]),
                       st.one_of(st.none(), st.integers(-5, 200), st.text(max_size=12),
                                 st.lists(st.sampled_from(allowed_ids("recruitment") + ["x"]), max_size=3),
                                 st.sampled_from(allowed_ids("childcare") + allowed_ids("execution_approach")))))
def test_any_proposal_gets_a_review_or_a_clear_error(advisor, body):
    try:
        result = review(advisor, {"name": "p", "situation": {"target_group": "women"}, "proposal": body})
    except InputError as exc:
        assert exc.describe()
    else:
        assert result.verdict in ("fits", "fits_with_changes", "does_not_fit")


# --- output --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", PROPOSALS, ids=lambda p: p.stem)
def test_example_proposal_gives_contract_json_summary_and_html(path):
    out = _run("review", str(path), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["contract"] == "aanpakwijzer/review/v1"
    assert data["design"]["contract"] == "aanpakwijzer/design/v1"
    assert {e["part"] for e in data["elements"]} == {"recruitment", "childcare", "result_agreements",
                                                     "lead_time", "execution", "director_role"}
    text = _run("review", str(path)).stdout
    assert text.splitlines()[2].strip().startswith("Oordeel:")            # the answer comes first
    english = _run("review", str(path), "--lang", "en").stdout
    assert "Verdict:" in english
    page = _run("review", str(path), "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page and "<main>" in page
    assert _run("review", str(path), "--format", "json").stdout == out.stdout      # byte-identical


def test_comparison_through_the_cli(tmp_path):
    target = tmp_path / "cmp.json"
    out = _run("review", *map(str, OFFERS), "--format", "json", "-o", str(target))
    assert out.returncode == 0, out.stderr
    data = json.loads(target.read_text())
    assert data["contract"] == "aanpakwijzer/review-comparison/v1"
    assert data["ranking_rule"] and len(data["reviews"]) == 3
    assert _run("review", *map(str, OFFERS)).stdout.startswith("Vergelijking van voorstellen")


def test_schemas_and_python_api(advisor):
    for what in ("proposal", "review"):
        out = _run("schema", what)
        assert out.returncode == 0 and json.loads(out.stdout)["properties"]
    proposal, _ = parse_proposal(_women_low(childcare="children_come_along"))
    assert advisor.review(proposal).name == "p"


def test_not_advised_shows_in_a_consultation():
    out = _run("consult", str(EXAMPLES / "isolated_women_neighbourhood.yaml"), "--lang", "en")
    assert "Not advised" in out.stdout
    assert "Do not recruit isolated women with letters, leaflets or mass media" in out.stdout


# --- accessibility --------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _pages(advisor):
    import yaml
    pages = {p.stem: render_review(review(advisor, yaml.safe_load(p.read_text())), "html") for p in PROPOSALS}
    pages["comparison"] = render_comparison(compare(advisor, [yaml.safe_load(p.read_text()) for p in OFFERS]),
                                            "html")
    return pages


def test_review_html_passes_axe(advisor):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                     reason="axe-playwright-python is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            for name, html in _pages(advisor).items():
                page.set_content(html)
                results = axe_module.Axe().run(page, options={"runOnly": {"type": "tag", "values": [
                    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
                bad = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
                assert not bad, f"{name}: {bad}"
        finally:
            browser.close()


def test_bad_proposal_is_reported_in_dutch_by_default(tmp_path):
    bad = tmp_path / "slecht.yaml"
    bad.write_text("name: x\nsituation:\n  target_group: women\n  dutch_proficency: none\n")
    result = _run("review", str(bad))
    assert result.returncode == 2
    assert "veld 'situation.dutch_proficency': onbekend veld; bedoelt u 'dutch_proficiency'?" in result.stderr
