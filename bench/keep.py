"""A batch that keeps its Designs against consultations that drop them (issue 15: ≥ 90%).

    .venv/bin/python bench/keep.py [--consultations 3000] [--repeat 3] [--no-freeze]

Three ways through the same situations, interleaved, best of `repeat` each:
  drop      a loop of `Advisor.consult` that drops each Design
  keep      a loop of `Advisor.consult` that keeps every Design in an object of its
            own (the host's own loop)
  batch     `Advisor.consult_all`, which keeps every Design and pauses the cyclic
            collector while it runs (consultations make no reference cycles)
The Designs a loop keeps are rescanned by every full collection the consultations'
allocations trigger; the batch has none. By default the Advisor freezes its engines
(`freeze_heap=True`, as the CLI and server do); --no-freeze leaves them in view, as an
embedding host gets by default.
"""
import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from expert.engine import Advisor  # noqa: E402
from expert.situation import parse_situation  # noqa: E402
from expert.yamlio import load_mapping  # noqa: E402


class Result:
    """What a host keeps per consultation (an allocation the collector counts; a small
    tuple would come from a free list and never start a collection)."""

    def __init__(self, situation, design):
        self.situation, self.design = situation, design


def run(advisor, situations, count, how):
    batch = [situations[index % len(situations)] for index in range(count)]
    kept = []
    started = time.perf_counter()
    if how == "batch":
        kept = advisor.consult_all(batch)
    else:
        for situation in batch:
            design = advisor.consult(situation)
            if how == "keep":       # as a host keeps results: in an object of its own
                kept.append(Result(situation, design))
    rate = count / (time.perf_counter() - started)
    del kept
    gc.collect()                # the next run starts from the same heap
    return rate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--consultations", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-freeze", action="store_true")
    args = parser.parse_args()
    situations = [parse_situation(dict(load_mapping(p)[0]["situation"]))
                  for p in sorted((ROOT / "facts" / "scenarios").glob("*.yaml"))]
    advisor = Advisor(freeze_heap=not args.no_freeze)
    for situation in situations:
        advisor.consult(situation)
    rates = {"drop": [], "keep": [], "batch": []}
    for _ in range(args.repeat):
        for how in rates:
            rates[how].append(run(advisor, situations, args.consultations, how))
    best = {how: max(values) for how, values in rates.items()}
    print(f"consultations/s, best of {args.repeat} x {args.consultations}"
          f"{' (engines not frozen)' if args.no_freeze else ''}:")
    print(f"  dropping each Design      {best['drop']:6.0f}")
    print(f"  keeping them, own loop    {best['keep']:6.0f}  ({best['keep'] / best['drop']:.0%} of dropping)")
    print(f"  keeping them, consult_all {best['batch']:6.0f}  ({best['batch'] / best['drop']:.0%} of dropping)")


if __name__ == "__main__":
    main()
