"""Every scenario file in facts/scenarios is a test; the runner itself is tested too."""

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from expert.paths import FACTS_DIR
from expert.scenarios import Expect, run_scenario

SCENARIOS = sorted((FACTS_DIR / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path, advisor):
    result = run_scenario(path, advisor)
    assert result.passed, "\n".join(result.problems)


def _write(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = """name: isolated women
sources: [A.table.low]
situation:
  target_group: women
  leaves_home_independently: false
expect:
"""


def test_runner_reports_the_first_mismatch(tmp_path):
    path = _write(tmp_path, BASE + "  childcare: own_arrangement_reimbursed\n")
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "childcare.approach: expected 'own_arrangement_reimbursed'" in result.output


def test_runner_passes_and_reports_coverage(tmp_path):
    path = _write(tmp_path, BASE + "  participation_level: low\n  lead_time: {min_months: {min: 12}}\n"
                              "  recruitment: {includes: [home_visits_key_figures], excludes: [mass_media]}\n")
    result = CliRunner().invoke(main, ["test", str(path), "--coverage"])
    assert result.exit_code == 0, result.output
    assert "1 passed, 0 failed" in result.output and "rule coverage" in result.output
    assert "rules no scenario fires" in result.output


def test_unknown_expect_key_is_an_error_with_line(tmp_path):
    path = _write(tmp_path, BASE + "  childcar: children_come_along\n")
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 2
    assert f"{path}:7" in result.output and "did you mean 'childcare'" in result.output


def test_unknown_situation_field_in_scenario_has_line(tmp_path):
    path = _write(tmp_path, BASE.replace("leaves_home_independently", "leaves_home") + "  level: low\n")
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 2 and f"{path}:5" in result.output


def test_wrongly_typed_expectations_are_errors_not_crashes(tmp_path):
    path = _write(tmp_path, BASE + "  recruitment: {includes: 3}\n  lead_time: {min_months: {min: x}}\n"
                              "  execution: {scal: region}\n")
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{path}:7: field 'expect.recruitment.includes': Input should be a valid list" in result.output
    assert "field 'expect.lead_time.min_months.min'" in result.output
    assert "field 'expect.execution.scal': unknown key; did you mean 'scale'?" in result.output


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expect=st.dictionaries(st.sampled_from(sorted(Expect.model_fields)) | st.text(max_size=5),
                              st.recursive(st.none() | st.booleans() | st.integers(-3, 50) | st.text(max_size=6)
                                           | st.sampled_from(["includes", "excludes", "top", "count", "min"]),
                                           lambda inner: st.lists(inner, max_size=3)
                                           | st.dictionaries(st.sampled_from(["includes", "excludes", "top",
                                                                               "count", "min", "max", "approach",
                                                                               "scale", "min_months"]),
                                                             inner, max_size=3),
                                           max_leaves=6),
                              max_size=4))
def test_any_expectation_passes_fails_or_is_a_clear_error(tmp_path, expect):
    document = {"name": "fuzz", "sources": ["A.1"], "situation": {"target_group": "women"}, "expect": expect}
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
