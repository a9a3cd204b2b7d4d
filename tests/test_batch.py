"""`aanpakwijzer batch`: many situation files, one row each, on all cores."""
import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from expert.paths import FACTS_DIR

AANPAKWIJZER = str(Path(sys.executable).parent / "aanpakwijzer")
EXAMPLES = sorted((FACTS_DIR / "examples").glob("*.yaml"))


def run(*args):
    return subprocess.run([AANPAKWIJZER, *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.fixture
def folder(tmp_path):
    for path in EXAMPLES:
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "zz_bad.yaml").write_text("target_group: women\nfunding_years: 40\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a situation", encoding="utf-8")
    return tmp_path


def test_one_row_per_file_with_the_summary_parts_and_a_bad_file_reported(advisor, folder):
    result = run("batch", folder)
    assert result.returncode == 2
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [Path(r["file"]).name for r in rows] == [p.name for p in EXAMPLES] + ["zz_bad.yaml"]
    assert "zz_bad.yaml:2: field 'funding_years': 40 is out of range" in rows[-1]["error"]
    assert "zz_bad.yaml:2: field 'funding_years'" in result.stderr and "1 of 5 files" in result.stderr
    assert "Traceback" not in result.stderr
    women = next(r for r in rows if r["file"].endswith("isolated_women_neighbourhood.yaml"))
    design = advisor.consult(yaml.safe_load((FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml")
                                            .read_text(encoding="utf-8")))
    assert women["childcare"] == design.childcare.approach
    assert women["lead_time"] == f"{design.lead_time.min_months}-{design.lead_time.recommended_months}"
    assert women["recruitment"].split() == [c.channel for c in design.recruitment[:3]]
    assert women["preconditions"].split() == [p.id for p in design.preconditions if p.status == "not_met"]
    assert int(women["open_questions"]) == len(design.open_questions) and women["error"] == ""


def test_all_good_files_exit_0_and_json_holds_the_same_rows(folder):
    (folder / "zz_bad.yaml").unlink()
    as_json = run("batch", folder, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    rows = list(csv.DictReader(io.StringIO(run("batch", folder).stdout)))
    assert [r["file"] for r in data["rows"]] == [r["file"] for r in rows]
    assert [r["childcare"] for r in data["rows"]] == [r["childcare"] for r in rows]
    assert isinstance(data["rows"][0]["recruitment"], list)


def test_the_same_output_on_one_or_two_processes_and_no_progress_bar_when_piped(folder):
    one, two = run("batch", folder, "--jobs", "1"), run("batch", folder, "--jobs", "2")
    assert one.stdout == two.stdout
    assert "aanpakwijzer batch" not in two.stderr and "%" not in two.stderr


def test_a_progress_bar_on_a_terminal(folder, tmp_path):
    pexpect = pytest.importorskip("pexpect", reason="the pexpect package is not installed")
    out = tmp_path / "rows.csv"
    child = pexpect.spawn(AANPAKWIJZER, ["batch", str(folder), "-o", str(out)], encoding="utf-8", timeout=120)
    child.expect_exact("aanpakwijzer batch")
    child.expect(r"100%")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and out.read_text(encoding="utf-8").startswith("file,target_group,")


def test_a_missing_path_is_a_bad_row_not_a_crash(tmp_path):
    result = run("batch", EXAMPLES[0], tmp_path / "missing.yaml")
    assert result.returncode == 2 and "missing.yaml" in result.stderr
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 2


def test_nothing_to_consult_is_a_clear_error(tmp_path):
    result = run("batch", tmp_path)
    assert result.returncode == 2 and "no situation files found" in result.stderr
