"""Benchmarks: warm consultation latency per target group against the previous
matchers in the same run, cold CLI time, memory over many consultations.

    .venv/bin/python bench/bench.py [--rounds 20] [--consultations 10000] [--cli-runs 15] [--json FILE]

The warm table gives median / p99 per target group for each matcher and the ratio of
the previous matchers' medians to the new one's (same run, same machine).

Warm: the shipped examples and every scenario situation, consulted through
`Advisor.consult` with three matchers under the same group engines, interleaved case
by case so that machine noise hits all three alike:
  new      expert.experta_compat.IncrementalReteMatcher (what consultations use)
  release  the previous release's matcher (bench/release_matcher.py)
  stock    experta's own ReteMatcher
(release and stock with experta's own run loop, as the previous release ran them).
Every case must give byte-identical designs with all three, or the run stops.
Cold: `aanpakwijzer consult <example>` as a fresh process (what a user waits for),
wall and CPU time.
Memory: RSS before, halfway and after N consultations on one Advisor (should stay flat).
"""
import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from release_matcher import ReleaseReteMatcher  # noqa: E402
from expert import Advisor  # noqa: E402
from expert.engine import group_engine_class  # noqa: E402
from expert.experta_compat import ExpertaKnowledgeEngine, IncrementalReteMatcher, ReteMatcher  # noqa: E402
from expert.paths import FACTS_DIR  # noqa: E402
from expert.yamlio import load_mapping  # noqa: E402

MATCHERS = {"new": IncrementalReteMatcher, "release": ReleaseReteMatcher, "stock": ReteMatcher}
EXAMPLE = FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml"


def situations() -> list:
    out = [dict(load_mapping(p)[0]) for p in sorted((FACTS_DIR / "examples").glob("*.yaml"))]
    for path in sorted((FACTS_DIR / "scenarios").glob("*.yaml")):
        out.append(dict(load_mapping(path)[0]["situation"]))
    return out


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def percentile(values: list, fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * fraction + 0.5) - 1)]


def advisors(groups: list) -> tuple:
    """One Advisor per matcher, its group engines built with that matcher; build times in ms."""
    out, build = {}, {}
    for name, matcher in MATCHERS.items():
        advisor = Advisor(freeze_heap=False)
        started = time.perf_counter()
        for group in groups:
            attrs = {"__matcher__": matcher}
            if name != "new":           # the previous releases also ran experta's own run loop
                attrs["run"] = ExpertaKnowledgeEngine.run
            engine_class = type(f"{name}_{group}", (group_engine_class(group),), attrs)
            advisor.engines[group] = engine_class()
        build[name] = (time.perf_counter() - started) * 1000
        out[name] = advisor
    gc.freeze()             # what Advisor() does once its engines are built
    return out, build


def warm(cases: list, rounds: int) -> tuple:
    groups = sorted({case["target_group"] for case in cases})
    by_matcher, build = advisors(groups)
    for case in cases:                     # warm-up, and the designs must be identical
        designs = {name: advisor.consult(case).to_json() for name, advisor in by_matcher.items()}
        if len(set(designs.values())) != 1:
            raise SystemExit(f"matchers disagree on {case}")
    times = {name: {group: [] for group in groups} for name in MATCHERS}
    cpu_ms = dict.fromkeys(MATCHERS, 0.0)      # CPU time: less disturbed by other load
    names = list(MATCHERS)
    for round_number in range(rounds):
        for case in cases:
            order = names[round_number % len(names):] + names[:round_number % len(names)]
            for name in order:
                advisor = by_matcher[name]
                started, cpu = time.perf_counter(), time.process_time()
                advisor.consult(case)
                times[name][case["target_group"]].append((time.perf_counter() - started) * 1000)
                cpu_ms[name] += (time.process_time() - cpu) * 1000
    return times, cpu_ms, build


def summary(times: dict) -> dict:
    out = {}
    for name, groups in times.items():
        every = [t for values in groups.values() for t in values]
        rows = {group: (statistics.median(v), percentile(v, 0.99), statistics.mean(v)) for group, v in groups.items()}
        rows["all"] = (statistics.median(every), percentile(every, 0.99), statistics.mean(every))
        out[name] = rows
    return out


def cold(runs: int) -> tuple:
    """Wall and CPU time (ms) of fresh `aanpakwijzer consult` processes; CPU time is
    less disturbed by other load on the machine."""
    exe = ROOT / ".venv" / "bin" / "aanpakwijzer"
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([str(exe), "consult", str(EXAMPLE)], check=True, capture_output=True)
        wall.append((time.perf_counter() - started) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return wall, cpu


def memory(cases: list, consultations: int) -> tuple:
    advisor = Advisor()
    for case in cases:
        advisor.consult(case)
    gc.collect()
    before = rss_mb()
    half = before
    for i in range(consultations):
        advisor.consult(cases[i % len(cases)])
        if i == consultations // 2:
            gc.collect()
            half = rss_mb()
    gc.collect()
    return before, half, rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20, help="passes over all situations per matcher")
    parser.add_argument("--consultations", type=int, default=10_000, help="for the memory check")
    parser.add_argument("--cli-runs", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    cases = situations()
    times, cpu_ms, build = warm(cases, args.rounds)
    table = summary(times)
    rss = memory(cases, args.consultations)
    cli, cli_cpu = cold(args.cli_runs)

    count = sum(len(v) for v in times["new"].values())
    print(f"situations: {len(cases)}; warm consultations per matcher: {count}, interleaved")
    print("engine build, all four group engines (ms): "
          + ", ".join(f"{name} {ms:.0f}" for name, ms in build.items()))
    print(f"{'warm consult (ms)':<20}" + "".join(f"{name + ' med/p99':>18}" for name in MATCHERS)
          + f"{'release/new':>13}{'stock/new':>11}")
    for group in table["new"]:
        new = table["new"][group]
        cells = "".join(f"{table[name][group][0]:>10.2f} /{table[name][group][1]:>6.2f}" for name in MATCHERS)
        ratios = f"{table['release'][group][0] / new[0]:>12.2f}x{table['stock'][group][0] / new[0]:>10.2f}x"
        print(f"{group:<20}{cells}{ratios}")
    total = {name: sum(t for v in times[name].values() for t in v) for name in MATCHERS}
    print(f"same-run ratio of total time: release/new {total['release'] / total['new']:.2f}x, "
          f"stock/new {total['stock'] / total['new']:.2f}x; of CPU time: release/new "
          f"{cpu_ms['release'] / cpu_ms['new']:.2f}x, stock/new {cpu_ms['stock'] / cpu_ms['new']:.2f}x")
    print("mean CPU per consultation (ms): " + ", ".join(f"{name} {ms / count:.2f}" for name, ms in cpu_ms.items()))
    bytecode = "present" if any((ROOT / "expert" / "__pycache__").glob("*.pyc")) else "absent"
    print(f"cold `aanpakwijzer consult`: median {statistics.median(cli):.0f} ms, min {min(cli):.0f} ms, "
          f"max {max(cli):.0f} ms, CPU median {statistics.median(cli_cpu):.0f} ms ({args.cli_runs} runs; "
          f"the package's bytecode {bytecode})")
    print(f"memory over {args.consultations} consultations: RSS {rss[0]:.1f} MB -> {rss[1]:.1f} MB (half) "
          f"-> {rss[2]:.1f} MB (end)")
    if args.json:
        figures = {"warm": table, "build_ms": build, "cold_ms": cli, "cold_cpu_ms": cli_cpu, "rss_mb": rss,
                   "total_ratio": {name: total[name] / total["new"] for name in ("release", "stock")},
                   "cpu_ratio": {name: cpu_ms[name] / cpu_ms["new"] for name in ("release", "stock")}}
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
