"""Benchmarks for issue 10: an interview step, and batch throughput on one and two cores.

    .venv/bin/python bench/explore.py [--files N] [--repeat R]

Interview step: `Advisor.questions(situation)` (what the interview computes before each
question), warm, median per shipped example; bar: <= 50 ms. Batch: N situation files
(copies of the shipped examples and scenarios) through `run_batch` with 1 and 2
processes, alternating, best of R runs each; bar: 2 processes >= 1.6 x the throughput of one.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from expert.batch import run_batch, warm  # noqa: E402
from expert.engine import Advisor  # noqa: E402
from expert.paths import FACTS_DIR  # noqa: E402
from expert.situation_files import load_situation  # noqa: E402


def interview_step(rounds: int = 30) -> dict[str, float]:
    advisor = Advisor(freeze_heap=True)
    out = {}
    for path in sorted((FACTS_DIR / "examples").glob("*.yaml")):
        facts, _ = load_situation(path)
        advisor.questions(facts)                       # warm
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            advisor.questions(facts)
            times.append(time.perf_counter() - start)
        out[path.stem] = statistics.median(times) * 1000
    return out


def batch_throughput(files: int, repeat: int) -> dict[int, tuple[float, float]]:
    """jobs -> (files per second, CPU seconds per file), best of `repeat` runs. Runs with
    one and two processes alternate, so a burst of load elsewhere on a shared machine hits
    both alike."""
    sources = sorted((FACTS_DIR / "examples").glob("*.yaml")) + sorted((FACTS_DIR / "scenarios").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for n in range(files):
            target = Path(folder) / f"situation_{n:04d}.yaml"
            target.write_text(sources[n % len(sources)].read_text(encoding="utf-8"), encoding="utf-8")
            paths.append(str(target))
        warm()
        runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        for _ in range(repeat):
            for jobs in (1, 2):
                runs[jobs].append(_timed(paths, jobs))
        return {jobs: (files / min(w for w, _ in r), min(c for _, c in r) / files) for jobs, r in runs.items()}


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_parallelism(repeat: int, work: int = 4_000_000) -> float:
    """How much faster two processes burn a fixed amount of pure-Python work than one, on
    this machine right now (best of `repeat`, alternating): what the batch ratio can reach."""
    import multiprocessing

    best = {1: float("inf"), 2: float("inf")}
    for _ in range(repeat):
        for jobs in (1, 2):
            start = time.perf_counter()
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                pool.map(_burn, [work] * 4)
            best[jobs] = min(best[jobs], time.perf_counter() - start)
    return best[1] / best[2]


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(paths: list[str], jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its workers)."""
    cpu, start = _cpu(), time.perf_counter()
    rows = run_batch(paths, jobs)
    wall = time.perf_counter() - start
    assert not any(r["error"] for r in rows)
    return wall, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    steps = interview_step()
    for name, ms in steps.items():
        print(f"interview step (questions) {name:32s} median {ms:6.1f} ms")
    worst = max(steps.values())
    print(f"interview step worst median {worst:.1f} ms (bar <= 50 ms): {'ok' if worst <= 50 else 'MISSED'}")
    rates = batch_throughput(args.files, args.repeat)
    ratio = rates[2][0] / rates[1][0]
    for jobs, (rate, cpu) in rates.items():
        print(f"batch {args.files} files, {jobs} process(es): {rate:.0f} files/s, {cpu * 1000:.1f} ms CPU per file")
    print(f"batch throughput 2 processes / 1 process x{ratio:.2f} (bar >= 1.6): {'ok' if ratio >= 1.6 else 'MISSED'}"
          f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"the machine itself, pure-Python work on 2 processes / 1: x{machine_parallelism(args.repeat):.2f} "
          "(below 1.6 the machine is busy and the batch bar cannot be judged now)")


if __name__ == "__main__":
    main()
