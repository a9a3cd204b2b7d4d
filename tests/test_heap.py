"""The cyclic collector and consultations: a consultation leaves no reference cycles, a
batch pauses the collector and gives the host's setting back (issue 15)."""
import gc
import threading

import pytest

from expert.engine import Advisor
from expert.errors import InputError
from expert.heap import collector_paused
from expert.paths import FACTS_DIR
from expert.yamlio import load_mapping

SCENARIOS = sorted((FACTS_DIR / "scenarios").glob("*.yaml"))


def _situations():
    return [dict(load_mapping(p)[0]["situation"]) for p in SCENARIOS]


def test_consultations_leave_no_reference_cycles(advisor):
    """What makes pausing the collector safe: everything a consultation (and its open
    questions) allocates is freed by reference counting alone."""
    situations = _situations()
    for situation in situations:                # engines built, caches warm
        advisor.consult(situation)
    gc.collect()
    with collector_paused():
        for situation in situations:
            advisor.consult(situation, "nl")
            advisor.consult(situation, "en")
        for situation in situations[:10]:
            advisor.questions(situation, "nl", effects=True)
        assert gc.collect() == 0


def test_a_batch_gives_the_designs_of_single_consultations_and_restores_the_collector(advisor):
    situations = _situations()[:12]
    assert gc.isenabled()
    designs = advisor.consult_all(situations, "en")
    assert gc.isenabled()
    assert [d.to_json() for d in designs] == [advisor.consult(s, "en").to_json() for s in situations]


def test_a_bad_situation_in_a_batch_is_reported_before_any_work_and_the_collector_restored(advisor):
    with pytest.raises(InputError):
        advisor.consult_all([{"target_group": "women"}, {"target_group": "wommen"}])
    assert gc.isenabled()


def test_a_host_that_turned_the_collector_off_keeps_it_off(advisor):
    gc.disable()
    try:
        advisor.consult_all([{"target_group": "youth"}])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_batches_in_threads_turn_the_collector_back_on_when_the_last_ends():
    first_in, second_in, first_may_end = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def first():
        with collector_paused():
            first_in.set()
            second_in.wait(5)
            first_may_end.set()
        seen.append(("first ended", gc.isenabled()))

    def second():
        first_in.wait(5)
        with collector_paused():
            second_in.set()
            first_may_end.wait(5)
            thread_a.join(5)                    # the first batch ends inside the second
            seen.append(("second running", gc.isenabled()))
        seen.append(("second ended", gc.isenabled()))

    thread_a, thread_b = threading.Thread(target=first), threading.Thread(target=second)
    thread_a.start()
    thread_b.start()
    thread_b.join(10)
    assert seen == [("first ended", False), ("second running", False), ("second ended", True)]


def test_the_consult_command_keeps_a_calling_hosts_collector_on():
    """One-shot commands turn the collector off only when the process is the command
    itself (the console script); a host that calls the click group keeps its own."""
    from click.testing import CliRunner

    from expert.cli import main
    example = str(FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml")
    result = CliRunner().invoke(main, ["consult", example, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()


def test_the_console_script_consults_with_the_collector_off(tmp_path):
    import subprocess
    import sys
    script = ("import gc, sys\nfrom expert.cli import run\n"
              "import atexit\natexit.register(lambda: print('collector', gc.isenabled(), file=sys.stderr))\n"
              "run(sys.argv[1:])\n")
    example = str(FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml")
    done = subprocess.run([sys.executable, "-c", script, "consult", example, "-o", str(tmp_path / "a.json")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "collector False" in done.stderr


def _collections_inside(call):
    """Run `call` with the collector eager (threshold 10) and return the generations of
    the collections that ran while an Advisor method was on the stack, and of the others."""
    import sys
    inside, outside = [], []

    def watch(phase, info):
        if phase == "start":
            frame = sys._getframe(1)
            while frame is not None:
                if frame.f_code.co_filename.endswith("engine.py") and "self" in frame.f_locals:
                    inside.append(info["generation"])
                    return
                frame = frame.f_back
            outside.append(info["generation"])
    old = gc.get_threshold()
    gc.callbacks.append(watch)
    gc.set_threshold(10, 1, 1)
    try:
        call()
    finally:
        gc.set_threshold(*old)
        gc.callbacks.remove(watch)
    return inside, outside


class _Kept:
    """A host's object (lists, dicts and small tuples come from free lists and may not
    count as allocations)."""

    def __init__(self, design):
        self.design = design


def _on_the_brink():
    """Bring the collector's count up to its threshold: the next allocation anywhere
    starts a collection, so one made before the pause would land inside."""
    gc.collect(0)
    kept = []
    while gc.get_count()[0] < gc.get_threshold()[0]:
        kept.append(_Kept(None))
    return kept


@pytest.fixture(scope="module")
def pausing():
    return Advisor(pause_collector=True)


def test_no_collection_runs_inside_a_paused_consultation_and_the_owed_one_runs_after(pausing):
    """The tail at 8x the rules was collections landing inside consultations: with
    `pause_collector=True` none starts inside one, even when the next allocation would
    start it, and the collection owed runs in the caller's code afterwards."""
    situations = _situations()[:20]
    for situation in situations:
        pausing.consult(situation)
    kept = []

    def consult_singly():
        for situation in situations:
            brink = _on_the_brink()
            kept.append(_Kept(pausing.consult(situation)))     # the host allocates: what is owed runs here
            assert gc.isenabled()
            del brink
        _on_the_brink()
        pausing.questions(situations[0], effects=2)
        kept.append(_Kept(None))
    inside, outside = _collections_inside(consult_singly)
    assert inside == []
    assert len(outside) >= len(situations)
    assert gc.isenabled()


def test_a_default_advisor_leaves_the_collector_alone(advisor):
    """Nothing is imposed on a host: without the option, collections run inside
    consultations as the host's collector decides (and the check above can fail)."""
    situations = _situations()[:5]
    for situation in situations:
        advisor.consult(situation)

    def consult_singly():
        for situation in situations:
            _on_the_brink()
            advisor.consult(situation)
    assert _collections_inside(consult_singly)[0] != []


def test_a_paused_consultation_that_fails_gives_the_collector_back(pausing):
    with pytest.raises(InputError):
        pausing.consult({"target_group": "wommen"})
    assert gc.isenabled()
    with pytest.raises(InputError):
        pausing.questions({"target_group": "wommen"})
    assert gc.isenabled()
    with pytest.raises(ValueError):
        pausing.consult({"target_group": "women"}, lang="de")
    assert gc.isenabled()


def test_a_host_that_turned_the_collector_off_keeps_it_off_after_a_paused_consultation(pausing):
    gc.disable()
    try:
        pausing.consult({"target_group": "youth"})
        pausing.questions({"target_group": "youth"})
        assert not gc.isenabled()
    finally:
        gc.enable()
