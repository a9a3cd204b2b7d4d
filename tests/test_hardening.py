"""Hostile input and odd surroundings (issue 13): every case exits 2 with one clear line
(or gives the right output) within 5 s and 300 MB, never a traceback.

Most cases run the real command (`python -m expert`) in a child process, so closed
or full standard streams, file modes, owners and device nodes are the real thing.
"""
import functools
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expert.cli import main
from expert.paths import FACTS_DIR, RULES_DIR

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml")
SECONDS, MEGABYTES = 5, 300
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NOBODY = 65534


class Run:
    def __init__(self, code, out, err, seconds, megabytes):
        self.code, self.out, self.err = code, out, err
        self.seconds, self.megabytes = seconds, megabytes


TIME = shutil.which("time", path="/usr/bin:/bin")


def _english(args):
    """These tests read the English messages (tests/test_messages.py checks the Dutch ones)."""
    args = list(args)
    if args and args[0] == "consult" and "--lang" not in args:
        args += ["--lang", "en"]
    return args


def cli(*args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=None, preexec=None, cwd=ROOT):
    """Run `python -m expert ARGS` and measure it: wall time, and peak RSS by GNU time when
    it is there (a forked child's own figure would include this test process's pages).
    Not with `preexec`: a standard stream it closes would be reused by time's report."""
    args = _english(args)
    command = [sys.executable, "-m", "expert", *map(str, args)]
    measure = TIME and preexec is None
    with tempfile.NamedTemporaryFile("r") as report:
        if measure:
            command = [TIME, "-q", "-f", "%M", "-o", report.name, *command]
        started = time.monotonic()
        child = subprocess.Popen(command, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd,
                                 env={**os.environ, **(env or {})}, preexec_fn=preexec)
        out, err = child.communicate(timeout=SECONDS * 4)
        seconds = time.monotonic() - started
        kilobytes = int(report.read().split()[-1]) if measure else 0
    result = Run(child.returncode, (out or b"").decode("utf-8", "replace"),
                 err.decode("utf-8", "replace"), seconds, kilobytes / 1024)
    assert "Traceback" not in result.err, result.err
    assert seconds < SECONDS and result.megabytes < MEGABYTES, (seconds, result.megabytes)
    return result


def clear_error(result, *needles):
    """Exit 2 and exactly one message line naming what went wrong."""
    assert result.code == 2, (result.code, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def situation(tmp_path, text, name="situation.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def advice_text():
    return cli("consult", EXAMPLE).out


# --- 1. -o never replaces what it should write through -----------------------------

@pytest.mark.skipif(not IS_ROOT, reason="mknod needs root")
def test_output_onto_a_device_node_writes_through_it(tmp_path):
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))       # a copy of /dev/null
    result = cli("consult", EXAMPLE, "-o", device)
    assert result.code == 0 and result.out == ""
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]   # no temporary left


def test_output_onto_a_fifo_writes_into_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(Path(fifo).read_bytes()))
    reader.start()
    result = cli("consult", EXAMPLE, "-o", fifo)
    reader.join(SECONDS)
    assert result.code == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received and received[0].decode("utf-8") == advice_text()


def test_output_to_dev_stdout_goes_to_stdout():
    result = cli("consult", EXAMPLE, "-o", "/dev/stdout")
    assert result.code == 0 and result.out == advice_text()


def test_output_through_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "advice.txt"
    target.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target.name)
    assert cli("consult", EXAMPLE, "-o", link).code == 0
    assert link.is_symlink() and os.readlink(link) == "advice.txt"
    assert target.read_text(encoding="utf-8") == advice_text()


def test_output_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to("made.txt")
    assert cli("consult", EXAMPLE, "-o", link).code == 0
    assert link.is_symlink() and (tmp_path / "made.txt").read_text(encoding="utf-8") == advice_text()


def test_output_onto_a_hard_link_keeps_the_link(tmp_path):
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    first.write_text("old advice that is longer than nothing\n" * 4000)
    os.link(first, second)
    assert cli("consult", EXAMPLE, "-o", first).code == 0
    assert os.stat(first).st_ino == os.stat(second).st_ino
    assert second.read_text(encoding="utf-8") == advice_text()      # shorter: old tail cut off


def test_output_keeps_mode_and_owner_of_an_existing_file(tmp_path):
    target = tmp_path / "advice.txt"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    if IS_ROOT:
        os.chown(target, NOBODY, NOBODY)
    assert cli("consult", EXAMPLE, "-o", target).code == 0
    info = os.stat(target)
    assert stat.S_IMODE(info.st_mode) == 0o640
    if IS_ROOT:
        assert (info.st_uid, info.st_gid) == (NOBODY, NOBODY)
    assert target.read_text(encoding="utf-8") == advice_text()


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_output_file_respects_the_umask(tmp_path, umask, mode):
    target = tmp_path / "advice.txt"
    assert cli("consult", EXAMPLE, "-o", target, preexec=lambda: os.umask(umask)).code == 0
    assert stat.S_IMODE(os.stat(target).st_mode) == mode


@pytest.fixture
def small_disk():
    """A 32 KB tmpfs: the advice (about 60 KB) does not fit."""
    folder = Path(tempfile.mkdtemp(prefix="aanpakwijzer-full-"))
    mounted = IS_ROOT and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(folder)],
                                         capture_output=True).returncode == 0
    if not mounted:
        folder.rmdir()
        pytest.skip("cannot mount a small tmpfs here")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)
    folder.rmdir()


def test_a_full_disk_leaves_the_old_file_whole(small_disk):
    target, other = small_disk / "advice.txt", small_disk / "other-name.txt"
    target.write_text("old advice\n")
    os.chmod(target, 0o640)
    clear_error(cli("consult", EXAMPLE, "--format", "json", "-o", target), str(target), "No space left on device")
    assert target.read_text() == "old advice\n" and sorted(p.name for p in small_disk.iterdir()) == ["advice.txt"]
    os.link(target, other)                                   # the in-place path for hard links
    clear_error(cli("consult", EXAMPLE, "--format", "json", "-o", target), "No space left on device")
    assert other.read_text() == "old advice\n" and stat.S_IMODE(os.stat(other).st_mode) == 0o640


def test_empty_output_name_is_an_error_not_stdout():
    result = cli("consult", EXAMPLE, "-o", "")
    clear_error(result, "--output", "empty")
    assert result.out == ""


def test_output_into_a_directory_path_is_a_clear_error(tmp_path):
    clear_error(cli("consult", EXAMPLE, "-o", tmp_path / "x" / "y.txt"), "cannot write the advice")
    clear_error(cli("consult", EXAMPLE, "-o", Path(EXAMPLE) / "y.txt"), "cannot write the advice",
                "Not a directory")


# --- 2. aliases and huge values -----------------------------------------------------

def _alias_bomb(levels=10, width=10):
    lines = ["a0: &a0 [" + ",".join(["1"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    return lines


def test_an_alias_bomb_in_a_situation_is_refused_at_once(tmp_path):
    text = "\n".join(["target_group: women", *_alias_bomb(), "funding_years: *a9"]) + "\n"
    path = situation(tmp_path, text)
    assert path.stat().st_size < 600
    clear_error(cli("consult", path), f"{path}:3", "aliases")


def test_an_alias_bomb_in_set_is_refused():
    bomb = "[&a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a], *b]"
    clear_error(cli("consult", EXAMPLE, "--set", f"funding_years={bomb}"),
                "--set: field 'funding_years'", "aliases")


def test_an_alias_bomb_in_a_scenario_is_reported_and_the_others_still_run(tmp_path):
    shutil.copy(FACTS_DIR / "scenarios" / "women_category_low.yaml", tmp_path / "good.yaml")
    text = "\n".join(["name: bomb", "sources: [A.table.low]", "situation: {target_group: women}",
                      "x: &x [" + ", ".join(["1"] * 10) + "]", "expect:",
                      "  recruitment: {includes: [*x, *x, *x]}"]) + "\n"
    (tmp_path / "bomb.yaml").write_text(text)
    result = cli("test", tmp_path)
    assert result.code == 2, result.out
    assert "PASS" in result.out and "good.yaml" in result.out
    assert "ERROR" in result.out and "aliases" in result.out and "1 not run" in result.out


def test_an_alias_bomb_in_a_rule_file_is_a_finding_not_a_hang(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    text = "\n".join(["about: {nl: bom, en: bomb}", *_alias_bomb(), "rules:", "  - id: x.bomb",
                      "    when: {funding_years: {in: *a9}}", "    then: {childcare: not_applicable}",
                      "    because: {nl: x, en: x}", "    sources: [A.table.low]"]) + "\n"
    (rules / "bomb.yaml").write_text(text)
    result = cli("rules", "check", "--quiet", "--workers", "1", "--rules", rules)
    assert result.code in (1, 2) and "aliases" in result.out + result.err


@pytest.mark.parametrize("text", ["funding_years: [" + ",".join(["1"] * 490_000) + "]",
                                  "\n".join(f"k{i}: 1" for i in range(90_000))])
def test_a_megabyte_of_values_is_refused_cheaply(tmp_path, text):
    path = situation(tmp_path, "target_group: women\n" + text + "\n")
    assert path.stat().st_size < 1_000_000
    result = cli("consult", path)
    clear_error(result, "more than 100,000 values")
    assert result.megabytes < 100


def test_a_huge_value_is_echoed_as_a_short_preview(tmp_path):
    path = situation(tmp_path, 'target_group: "' + "x" * 900_000 + '"\n')
    line = clear_error(cli("consult", path), "target_group", "unknown value 'xxx")
    assert len(line) < 300


@pytest.mark.parametrize("text,shown", [("funding_years: 2001-12-14", "not '2001-12-14'"),
                                        ("target_group: null", "unknown value null"),
                                        ("funding_years: [1, [2, [3, [4]]]]", "not [1, [2, […]]]"),
                                        ("funding_years: {a b: [x, 'y z', null]}", "not {'a b': [x, 'y z', null]}")])
def test_echoed_values_are_in_the_users_terms(tmp_path, text, shown):
    prefix = "" if text.startswith("target_group") else "target_group: women\n"
    path = situation(tmp_path, prefix + text + "\n")
    line = clear_error(cli("consult", path), shown)
    assert "datetime" not in line and "None" not in line


# --- 3. nesting ------------------------------------------------------------------

@pytest.mark.parametrize("depth", [60, 250, 400, 999, 10_000])
def test_deep_nesting_is_a_clear_error(tmp_path, depth):
    path = situation(tmp_path, "target_group: women\nfunding_years: " + "[" * depth + "]" * depth + "\n")
    clear_error(cli("consult", path), str(path), "nest")


def test_deep_mappings_are_a_clear_error(tmp_path):
    path = situation(tmp_path, "target_group: women\nfunding_years: " + "{a: " * 300 + "1" + "}" * 300 + "\n")
    clear_error(cli("consult", path), "nested more than")


def test_deep_nesting_in_set_is_a_clear_error():
    clear_error(cli("consult", EXAMPLE, "--set", "funding_years=" + "[" * 400 + "]" * 400),
                "--set: field 'funding_years'", "nested more than")


def test_deep_nesting_in_a_scenario_expectation_is_a_clear_error(tmp_path):
    path = situation(tmp_path, "name: x\nsources: [A.table.low]\nsituation: {target_group: women}\n"
                               "expect: {recruitment: {includes: " + "[" * 300 + "]" * 300 + "}}\n")
    result = cli("test", path)
    assert result.code == 2 and "nested more than" in result.out


# --- 4. I/O failures ------------------------------------------------------------

def test_full_stdout_is_exit_2():
    with open("/dev/full", "wb") as full:
        for args in (("consult", EXAMPLE), ("schema", "situation"), ("test", FACTS_DIR / "scenarios")):
            clear_error(cli(*args, stdout=full), "<stdout>", "No space left on device")


def test_closed_stdout_is_not_a_silent_success():
    for args in (("consult", EXAMPLE), ("schema", "design")):
        clear_error(cli(*args, stdout=None, preexec=lambda: os.close(1)), "<stdout>", "closed")


def test_closed_stdin_is_a_clear_error():
    clear_error(cli("consult", "-", stdin=None, preexec=lambda: os.close(0)), "<stdin>", "closed")


def test_an_output_encoding_that_cannot_show_the_advice_is_a_clear_error():
    result = cli("consult", EXAMPLE, env={"PYTHONIOENCODING": "latin-1"})
    clear_error(result, "<stdout>", "encoding", "cannot show the character U+", "-o")
    assert result.out == ""                     # nothing half written
    clear_error(cli("rules", "book", env={"PYTHONIOENCODING": "latin-1"}), "<stdout>", "encoding")


def test_an_unreadable_special_file_is_a_clear_error():
    clear_error(cli("consult", "/proc/self/mem"), "/proc/self/mem", "Input/output error")


def test_a_directory_is_not_a_situation(tmp_path):
    clear_error(cli("consult", tmp_path), "is a directory")


@pytest.fixture
def shared_dir():
    """A folder another user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="aanpakwijzer-"))
    os.chmod(folder, 0o755)
    yield folder
    for path in folder.rglob("*"):
        os.chmod(path, 0o755)
    shutil.rmtree(folder)


# The interpreter lives under /root, which another user cannot enter: load and warm
# everything as root, then drop to nobody and run the command line in the same process.
AS_NOBODY = f"""
import os, sys
import expert.cli, expert.output, expert.render, expert.scenarios
from expert.engine import Advisor
Advisor().consult({{"target_group": "women"}})
os.setgid({NOBODY}); os.setuid({NOBODY})
sys.argv = ["aanpakwijzer", *sys.argv[1:]]
expert.cli.run()
"""


def as_nobody(*args, cwd):
    result = subprocess.run([sys.executable, "-c", AS_NOBODY, *map(str, _english(args))], cwd=cwd, capture_output=True,
                            text=True, timeout=SECONDS)
    assert "Traceback" not in result.stderr, result.stderr
    return Run(result.returncode, result.stdout, result.stderr, 0, 0)


@pytest.mark.skipif(not IS_ROOT, reason="needs root to run as another user")
def test_permission_problems_are_named_not_called_missing(shared_dir):
    secret = shared_dir / "secret.yaml"
    secret.write_text("target_group: women\n")
    os.chmod(secret, 0o600)
    locked = shared_dir / "locked"
    locked.mkdir()
    (locked / "s.yaml").write_text("target_group: women\n")
    os.chmod(locked, 0o700)
    scenario = shared_dir / "scenario.yaml"
    shutil.copy(FACTS_DIR / "scenarios" / "women_category_low.yaml", scenario)
    os.chmod(scenario, 0o644)
    run = functools.partial(as_nobody, cwd=shared_dir)
    clear_error(run("consult", secret), str(secret), "Permission denied")
    clear_error(run("consult", locked / "s.yaml"), "Permission denied")      # not "not found"
    result = run("test", secret, scenario)
    assert result.code == 2 and "Permission denied" in result.out and "PASS" in result.out
    clear_error(run("test", locked), "cannot read the folder", "Permission denied")
    clear_error(run("consult", EXAMPLE, "-o", locked / "out.txt"), "Permission denied")
    clear_error(run("consult", EXAMPLE, "-o", secret), "Permission denied")
    assert secret.read_text() == "target_group: women\n"


# --- 8. scenario runner -------------------------------------------------------------

SCENARIO = "name: x\nsources: [A.table.low]\nsituation: {target_group: women}\nexpect:\n"


@pytest.mark.parametrize("expectation,needle", [
    ("recruitment: {top: [[1]]}", "field 'expect.recruitment.top.0': must be an id (text), not [1]"),
    ("risks: {count: true}", "field 'expect.risks.count': must be a whole number or a range"),
    ("lead_time: {min_months: {min: 1.5}}", "field 'expect.lead_time.min_months.min': must be a whole number"),
    ("risks: {top: [continuity_of_staff]}", "'top' means nothing here"),
    ("lead_time: {min_months: {min: 30, max: 20}}",
     "field 'expect.lead_time.min_months': min is larger than max, not {min: 30, max: 20}"),
    ("risks: {count: {}}", "give min, max or both, not {}"),
    ("recruitment: {includes: [{channel: [[1]]}]}", "must be a plain value"),
    ("recruitment: {includes: [{channel: {a: 1}}]}", "must be a plain value"),
])
def test_malformed_expectations_are_clear_errors(tmp_path, expectation, needle):
    path = situation(tmp_path, SCENARIO + "  " + expectation + "\n")
    result = CliRunner().invoke(main, ["test", str(path)])
    assert result.exit_code == 2 and needle in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_one_bad_scenario_file_does_not_stop_the_others(tmp_path):
    shutil.copy(FACTS_DIR / "scenarios" / "women_category_low.yaml", tmp_path / "b_good.yaml")
    situation(tmp_path, "name: [broken\n", name="a_bad.yaml")
    situation(tmp_path, SCENARIO + "  risks: {count: true}\n", name="c_bad.yaml")
    result = CliRunner().invoke(main, ["test", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.count("ERROR") == 2 and "PASS" in result.output and "b_good.yaml" in result.output
    assert "1 passed, 0 failed, 2 not run" in result.output


# --- 9. messages and scalars -----------------------------------------------------------

def test_a_nul_byte_is_one_line_with_its_line_number(tmp_path):
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"target_group: women\nfunding_years: 3\x00\n")
    clear_error(cli("consult", path), f"{path}:2", "U+0000")


def test_set_without_a_field_name_says_so():
    clear_error(cli("consult", EXAMPLE, "--set", "=x"), "--set", "field name", "missing")


@pytest.mark.parametrize("written,meant", [("on", "true"), ("off", "false"), ("On", "true"),
                                           ("0b11", "3"), ("1_0", "10"), ("0x1F", "31"),
                                           ("1:30", "90"), ("1_0.5", "10.5")])
def test_yaml_1_1_surprises_are_refused_saying_what_yaml_would_read(tmp_path, written, meant):
    path = situation(tmp_path, f"target_group: women\nfunding_years: {written}\n")
    clear_error(cli("consult", path), f"{path}:2", f"'{written}' would be read by YAML as {meant}", "quotes")


@pytest.mark.parametrize("written,meant", [("017", "17"), ("08", "8"), ("-09", "-9")])
def test_a_leading_zero_is_refused_saying_what_was_meant(tmp_path, written, meant):
    path = situation(tmp_path, f"target_group: women\nfunding_years: {written}\n")
    clear_error(cli("consult", path), f"'{written}' starts with a zero", f"write {meant} if that is meant")


@pytest.mark.parametrize("written,plain", [("ja", "true"), ("Nee", "false"), ("JA", "true"), ("no", "false"),
                                           ("yes", "true")])
def test_booleans_in_dutch_and_english(tmp_path, written, plain):
    runner = CliRunner()

    def design(text, *extra):
        path = situation(tmp_path, f"target_group: women\nyoung_children: {text}\n")
        result = runner.invoke(main, ["consult", str(path), "--format", "json", *extra])
        assert result.exit_code == 0, result.output
        return result.output

    assert design(written) == design(plain)
    assert design("null", "--set", f"young_children={written}") == design(plain)


def test_quoted_words_stay_text(tmp_path):
    path = situation(tmp_path, "target_group: women\nyoung_children: 'ja'\n")
    clear_error(cli("consult", path), "young_children", "true or false", "not 'ja'")


def test_a_number_too_long_to_be_a_number_is_refused(tmp_path):
    path = situation(tmp_path, "target_group: women\nfunding_years: " + "9" * 5000 + "\n")
    clear_error(cli("consult", path), "too long")


# --- packaging --------------------------------------------------------------------------

def test_the_package_runs_as_python_m_expert_and_via_the_root_shim():
    assert cli("consult", EXAMPLE).out.startswith("Aanpakwijzer")
    shim = subprocess.run([sys.executable, "cli.py", "schema", "design"], cwd=ROOT, capture_output=True)
    assert shim.returncode == 0 and b'"type": "object"' in shim.stdout


def test_commands_from_other_modules_are_listed_and_run():
    result = CliRunner().invoke(main, ["--help"])
    assert "rules" in result.output and "consult" in result.output
    assert CliRunner().invoke(main, ["rules", "list"]).exit_code == 0


def test_input_errors_survive_pickling():
    """A host may run consultations in a process pool; the error must come back whole."""
    import pickle

    from expert.errors import InputError, InputErrors

    errors = InputErrors([InputError("bad", file="f.yaml", line=3, field="x", allowed=["a"]),
                          InputError("worse", file="g.yaml")])
    again = pickle.loads(pickle.dumps(errors))
    assert again.describe() == errors.describe() and again.errors[0].line == 3


def test_an_input_error_is_a_click_exception_with_exit_code_2():
    import click

    from expert.errors import InputError

    error = InputError("bad", file="f.yaml", line=3, field="x")
    assert isinstance(error, click.ClickException) and error.exit_code == 2
    assert str(error) == "f.yaml:3: field 'x': bad"


# --- hypothesis: the shapes above, generated -----------------------------------------------

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELDS = ["target_group", "funding_years", "young_children", "interpreters", "participation_level"]


def _consult_text(tmp_path, text):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["consult", str(path), "--format", "json", "--lang", "en"])
    assert time.monotonic() - started < SECONDS
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 2:
        assert str(path) in result.output and "Traceback" not in result.output
        assert all(len(line) < 700 for line in result.output.splitlines())
    return result


@st.composite
def alias_documents(draw):
    """Anchors defined on earlier keys and used (maybe many times, maybe nested) later."""
    lines, anchors = ["target_group: women"], []
    for i in range(draw(st.integers(1, 6))):
        uses = draw(st.lists(st.sampled_from(anchors), max_size=8)) if anchors else []
        items = ", ".join([f"*{a}" for a in uses] + ["1"] * draw(st.integers(0, 3)))
        lines.append(f"x{i}: &n{i} [{items}]")
        anchors.append(f"n{i}")
    use = draw(st.sampled_from(anchors))
    lines.append(f"{draw(st.sampled_from(FIELDS[1:]))}: *{use}")
    return "\n".join(lines) + "\n"


@FUZZ
@given(text=alias_documents())
def test_any_use_of_aliases_is_refused_quickly(tmp_path, text):
    result = _consult_text(tmp_path, text)
    assert result.exit_code == 2 and "aliases" in result.output


@FUZZ
@given(depth=st.integers(1, 3000), kind=st.sampled_from(["[", "{a: ", "- "]),
       field=st.sampled_from(FIELDS[1:]))
def test_any_depth_is_advice_or_a_clear_error(tmp_path, depth, kind, field):
    if kind == "- ":
        value = "\n" + "".join("  " * i + "- \n" for i in range(min(depth, 400)))
    else:
        value = kind * depth + "1" + ("]" if kind == "[" else "}") * depth
    result = _consult_text(tmp_path, f"target_group: women\n{field}: {value}\n")
    assert result.exit_code == 2


_ODD_SCALARS = st.one_of(
    st.sampled_from(["on", "off", "ON", "Off", "y", "n", "ja", "nee", "JA", "yes", "No", "true", "False", "~",
                     "null", ".inf", "-.Inf", ".nan", "0", "-0", "+5", "007", "0o17", "0x1f", "0b101", "1_000",
                     "1:30", "1:30:00", "190:20:30", "2001-12-14", "2001-12-14 21:59:43.10", "1e3", "1.5e+3",
                     "3.0", "'3'", "\"on\"", "=", "<<", "?", "!!int 3", "!!bool yes", "!!str 3"]),
    st.from_regex(r"[-+]?[0-9_:.xbo]{1,8}", fullmatch=True),
    st.integers(-10**40, 10**40).map(str))


_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_YAML11_NUMBER = re.compile(r"[-+]?(0b[01_]+|0[0-9_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)")


@FUZZ
@given(field=st.sampled_from(FIELDS[1:]), value=_ODD_SCALARS)
def test_odd_scalars_are_read_as_written_or_refused(tmp_path, field, value):
    result = _consult_text(tmp_path, f"target_group: women\n{field}: {value}\n")
    bare = value.removeprefix("!!int ").removeprefix("!!bool ")
    if result.exit_code == 0 and value not in ("~", "null"):
        if field == "funding_years":
            assert _DECIMAL.fullmatch(bare), value           # only plain decimal digits are a number
        elif field == "young_children":
            assert bare.lower() in {"ja", "nee", "yes", "no", "true", "false"}, value
        else:
            raise AssertionError(f"{value} accepted for {field}")
    if _YAML11_NUMBER.fullmatch(value) and not _DECIMAL.fullmatch(value):
        assert result.exit_code == 2 and ("would be read by YAML" in result.output or "starts with a zero"
                                          in result.output or "not a plain decimal" in result.output), result.output
    if value.lower() in ("on", "off"):
        assert "would be read by YAML as" in result.output


_PATH_PARTS = st.sampled_from(["missing", "dir", "file", "link", "loop", "dangling", "..", ".", "é", "x" * 300])


def _odd_path(base, parts):
    """Build `parts` under `base` from a small vocabulary of odd path components."""
    (base / "dir").mkdir(exist_ok=True)
    (base / "file").write_text("target_group: women\n")
    for name, target in (("link", "file"), ("loop", "loop"), ("dangling", "nowhere")):
        if not os.path.lexists(base / name):
            os.symlink(target, base / name)
    return str(base.joinpath(*parts))


@FUZZ
@given(parts=st.lists(_PATH_PARTS, min_size=1, max_size=3))
def test_any_odd_input_path_is_advice_or_one_clear_line(tmp_path, parts):
    path = _odd_path(tmp_path, parts)
    result = CliRunner().invoke(main, ["consult", path, "--lang", "en"])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) == 1, result.output


@FUZZ
@given(parts=st.lists(_PATH_PARTS, min_size=1, max_size=3))
def test_any_odd_output_path_is_written_or_one_clear_line(tmp_path, parts):
    path = _odd_path(tmp_path, parts)
    before = {p.name for p in Path(tmp_path).iterdir()}
    result = CliRunner().invoke(main, ["consult", EXAMPLE, "-o", path, "--lang", "en"])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert not [p for p in Path(tmp_path).rglob(".*.tmp")]          # never a temporary left behind
    first = next((p for p in parts if p != "."), "")       # `./é` makes `é`
    assert {p.name for p in Path(tmp_path).iterdir()} <= before | {first, "nowhere"}


def test_installing_puts_no_top_level_cli_module_on_the_path():
    """setup.cfg installs only the `expert` package; the console script is in it."""
    from importlib import import_module

    from setuptools.config.setupcfg import read_configuration

    options = read_configuration(ROOT / "setup.cfg")["options"]
    assert "py_modules" not in options
    assert {p.split(".")[0] for p in options["packages"]} == {"expert"}
    (script,) = options["entry_points"]["console_scripts"]
    name, target = (part.strip() for part in script.split("="))
    module, function = target.split(":")
    assert name == "aanpakwijzer" and module.startswith("expert.")
    assert callable(getattr(import_module(module), function))


@FUZZ
@given(name=st.sampled_from(FIELDS) | st.text(st.characters(), max_size=8),
       value=st.text(st.characters(), max_size=30) | _ODD_SCALARS)
def test_any_set_is_advice_or_one_clear_line(name, value):
    """Any field name and value, including unpaired surrogates (bytes that are not UTF-8
    arrive in argv that way)."""
    result = CliRunner().invoke(main, ["consult", EXAMPLE, "--set", f"{name}={value}", "--lang", "en"])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 2:
        assert result.output.startswith("--set") or result.output.startswith(EXAMPLE), result.output
