"""A batch that keeps its Designs against one that drops them (issue 15: ≥ 90%).

    .venv/bin/python bench/keep.py [--consultations 3000] [--repeat 3]

The Designs a caller keeps are rescanned by the cyclic collector's full collections,
which a consultation's own allocations trigger. Interleaved runs, best of `repeat` each.
"""
import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from expert.engine import Advisor  # noqa: E402
from expert.situation import parse_situation  # noqa: E402
from expert.yamlio import load_mapping  # noqa: E402


def rate(advisor, situations, count, keep):
    kept = []
    started = time.perf_counter()
    for index in range(count):
        design = advisor.consult(situations[index % len(situations)])
        if keep:
            kept.append(design)
    return count / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--consultations", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    situations = [parse_situation(dict(load_mapping(p)[0]["situation"]))
                  for p in sorted((ROOT / "facts" / "scenarios").glob("*.yaml"))]
    advisor = Advisor(freeze_heap=True)
    for situation in situations:
        advisor.consult(situation)
    drop, keep = [], []
    for _ in range(args.repeat):
        drop.append(rate(advisor, situations, args.consultations, False))
        keep.append(rate(advisor, situations, args.consultations, True))
    print(f"consultations/s, best of {args.repeat} x {args.consultations}: dropping the Designs {max(drop):.0f}, "
          f"keeping them {max(keep):.0f} ({max(keep) / max(drop):.0%})")


if __name__ == "__main__":
    main()
