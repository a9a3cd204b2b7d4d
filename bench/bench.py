"""Benchmarks: warm consultation latency, cold CLI time, memory over many consultations.

    .venv/bin/python bench/bench.py [--consultations 10000] [--cli-runs 10]

Warm: one Advisor, the shipped examples and scenario situations in rotation.
Cold: `aanpakwijzer consult <example>` as a fresh process (what a user waits for).
Memory: RSS before and after N consultations on one Advisor (should stay flat).
"""
import argparse
import gc
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from expert import Advisor  # noqa: E402
from expert.paths import FACTS_DIR  # noqa: E402
from expert.yamlio import load_mapping  # noqa: E402


def situations():
    out = [dict(load_mapping(p)[0]) for p in sorted((FACTS_DIR / "examples").glob("*.yaml"))]
    for path in sorted((FACTS_DIR / "scenarios").glob("*.yaml")):
        out.append(dict(load_mapping(path)[0]["situation"]))
    return out


def rss_mb():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--consultations", type=int, default=10_000)
    parser.add_argument("--cli-runs", type=int, default=10)
    args = parser.parse_args()
    cases = situations()
    started = time.perf_counter()
    advisor = Advisor()
    for group in sorted({case["target_group"] for case in cases}):
        advisor.engine(group)               # engines are built on first use, one per group
    build = time.perf_counter() - started
    for case in cases:                      # warm-up
        advisor.consult(case)
    timings, by_group = [], {}
    for i in range(2_000):
        case = cases[i % len(cases)]
        t0 = time.perf_counter()
        advisor.consult(case)
        timings.append((time.perf_counter() - t0) * 1000)
        by_group.setdefault(case["target_group"], []).append(timings[-1])
    timings.sort()
    median = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    gc.collect()
    before = rss_mb()
    half = None
    for i in range(args.consultations):
        advisor.consult(cases[i % len(cases)])
        if i == args.consultations // 2:
            gc.collect()
            half = rss_mb()
    gc.collect()
    after = rss_mb()
    exe = ROOT / ".venv" / "bin" / "aanpakwijzer"
    example = FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml"
    cold = []
    for _ in range(args.cli_runs):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "consult", str(example)], check=True, capture_output=True)
        cold.append((time.perf_counter() - t0) * 1000)
    print(f"situations in rotation: {len(cases)}; rules: {len(advisor.kb.rules)}")
    print(f"engine build (load + compile, all four group engines): {build * 1000:.0f} ms")
    print(f"warm consult: median {median:.2f} ms, p99 {p99:.2f} ms (2000 runs)")
    print("  median per target group: " + ", ".join(
        f"{group} {statistics.median(values):.2f} ms" for group, values in sorted(by_group.items())))
    print(f"cold CLI consult: median {statistics.median(cold):.0f} ms, max {max(cold):.0f} ms ({args.cli_runs} runs)")
    print(f"memory over {args.consultations} consultations: RSS {before:.1f} MB -> {half:.1f} MB (half) "
          f"-> {after:.1f} MB (end)")


if __name__ == "__main__":
    main()
