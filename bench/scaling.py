"""How consultations and `rules check` scale with the size of the knowledge base.

For 1x, 2x, 4x and 8x the rules (every rule file copied with renamed ids; copies propose
the same conclusions, so designs stay meaningful), measured in the same run:
warm experta consultation median and p99 over the scenario situations (with how much of
the p99 the mix of heavy and light situations explains, and whether any collection ran
inside a consultation), the plain
evaluator's run on the same situations (the ratio experta / evaluator), and the
wall time of the full `rules check` analysis.

    .venv/bin/python bench/scaling.py [--scales 1,2,4,8] [--repeat 5]

Each scale runs in its own process (AANPAKWIJZER_RULES points at a temporary copy), so
caches and engines never carry over.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rename(rule_id: str, copy: int) -> str:
    first, rest = rule_id.split(".", 1)
    return f"{first}.copy{copy}.{rest}"


def make_base(folder: Path, scale: int) -> None:
    """Write the rule files `scale` times; copies rename ids and leave item definitions to the original."""
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for copy in range(2, scale + 1):
            clone = {"about": data["about"], "rules": [], "tables": []}
            for rule in data.get("rules", []):
                clone["rules"].append({**rule, "id": _rename(rule["id"], copy)})
            for table in data.get("tables", []):
                rows = [{**row, "id": _rename(row["id"], copy)} for row in table["rows"]]
                clone["tables"].append({**table, "id": _rename(table["id"], copy), "rows": rows})
            target = folder / f"{path.stem}_copy{copy}.yaml"
            target.write_text(yaml.safe_dump(clone, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _churn(size: int) -> int:
    """A fixed pure-Python workload that allocates and frees as a consultation does: its
    p99 over its median is the jitter this machine adds, with no collector and no data."""
    return len([{"key": i, "pair": (i, str(i))} for i in range(size)])


def _churn_size(seconds: float) -> int:
    """The size for which one `_churn` takes about `seconds` (the median consultation)."""
    started = time.perf_counter()
    for _ in range(10):
        _churn(1000)
    return max(1, int(1000 * seconds / ((time.perf_counter() - started) / 10)))


def measure(repeat: int) -> dict:
    """Runs inside the child process for one scale."""
    from expert.engine import Advisor, compiled
    from expert.evaluator import Evaluator
    from expert.situation import known_facts, parse_situation
    from expert.yamlio import load_mapping

    situations = [parse_situation(dict(load_mapping(p)[0]["situation"]))
                  for p in sorted((ROOT / "facts" / "scenarios").glob("*.yaml"))]
    advisor = Advisor(freeze_heap=True, pause_collector=True)
    base = compiled()
    evaluator = Evaluator(base.kb, base.layers)
    warm = []
    for situation in situations:
        started = time.perf_counter()
        advisor.consult(situation)
        warm.append(time.perf_counter() - started)
    size = _churn_size(sorted(warm)[len(warm) // 2])
    from expert.assemble import assemble

    import gc
    from expert.heap import collector_paused
    collecting = {"total": 0.0, "inside": 0, "consulting": False}

    def timed(phase, info):          # time spent in the cyclic collector, and collections inside a consultation
        if phase == "start":
            collecting["since"] = time.perf_counter()
            collecting["inside"] += collecting["consulting"]
        else:
            collecting["total"] += time.perf_counter() - collecting["since"]
    gc.callbacks.append(timed)
    consult, engine, plain, full, machine = [], [], [], [], []
    own: dict[int, list] = {}        # situation -> its consultation times (jitter)
    for _ in range(repeat):
        for index, situation in enumerate(situations):
            facts = known_facts(situation)
            collecting["consulting"] = True
            started = time.perf_counter()
            advisor.consult(situation)
            consult.append(time.perf_counter() - started)
            collecting["consulting"] = False
            with collector_paused():    # the machine's own jitter, in the same moments
                started = time.perf_counter()
                _churn(size)
                machine.append(time.perf_counter() - started)
            own.setdefault(index, []).append(consult[-1])
            with collector_paused():    # measured as a consultation is: the collector paused
                started = time.perf_counter()
                advisor.engine(situation.target_group).evaluate(facts)
                engine.append(time.perf_counter() - started)
            with collector_paused():
                started = time.perf_counter()
                run = evaluator.evaluate(facts)
                plain.append(time.perf_counter() - started)
                assemble(base.kb, base.questions, situation.target_group, run, "nl")
                full.append(time.perf_counter() - started)
    gc.callbacks.remove(timed)
    medians = [sorted(times)[len(times) // 2] for times in own.values()]
    relative = [t / median for times, median in zip(own.values(), medians) for t in times]
    from expert.analysis import analyse
    started = time.perf_counter()
    report = analyse(workers=2)
    check = time.perf_counter() - started

    def q(values, share):
        values = sorted(values)
        return values[min(len(values) - 1, int(share * len(values)))] * 1000

    return {"rules": len(base.kb.rules), "consult_median_ms": q(consult, 0.5), "consult_p99_ms": q(consult, 0.99),
            "engine_median_ms": q(engine, 0.5), "evaluator_median_ms": q(plain, 0.5),
            "evaluator_full_median_ms": q(full, 0.5),
            "jitter_p99": q(relative, 0.99) / 1000, "mix_p99": q(medians, 0.99) / q(medians, 0.5),
            "collections_inside": collecting["inside"], "machine_p99": q(machine, 0.99) / q(machine, 0.5),
            "gc_share": collecting["total"] / sum(consult + engine + full),
            "rules_check_s": check, "findings": len(report.findings)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,2,4,8")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.repeat)))
        return
    print("consult: a warm experta consultation (Design included); engine: its experta run alone;")
    print("evaluator: the plain evaluator's run, full: with the same Design assembly; ratio = consult / full")
    print("p99/p50: over every consultation (heavy and light situations mixed); mix: the same over each")
    print("situation's median (what the mix alone gives); jitter: p99 of each consultation's time over the")
    print("median of its own situation; gc: share of the measured time spent collecting (wherever it ran);")
    print("in: collections that started inside a consultation; machine: p99/p50 of a fixed pure-Python")
    print("workload as long as the median consultation, run after each one (the machine's own jitter)")
    print(f"{'scale':>5} {'rules':>6} {'consult p50':>12} {'p99':>8} {'p99/p50':>8} {'mix':>5} {'jitter':>7} {'gc':>5} "
          f"{'in':>3} {'machine':>8} {'engine p50':>11} {'evaluator':>10} {'full':>8} {'ratio':>6} {'rules check':>12}")
    for scale in (int(s) for s in args.scales.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            make_base(Path(folder), scale)
            env = {**os.environ, "AANPAKWIJZER_RULES": folder, "AANPAKWIJZER_CACHE": "off"}
            out = subprocess.run([sys.executable, __file__, "--child", str(scale), "--repeat", str(args.repeat)],
                                 capture_output=True, text=True, env=env, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{scale:>4}x {r['rules']:>6} {r['consult_median_ms']:>10.2f}ms {r['consult_p99_ms']:>6.2f}ms "
              f"{r['consult_p99_ms'] / r['consult_median_ms']:>8.2f} {r['mix_p99']:>5.2f} {r['jitter_p99']:>7.2f} "
              f"{r['gc_share']:>5.1%} {r['collections_inside']:>3} {r['machine_p99']:>8.2f} "
              f"{r['engine_median_ms']:>9.2f}ms "
              f"{r['evaluator_median_ms']:>8.2f}ms {r['evaluator_full_median_ms']:>6.2f}ms "
              f"{r['consult_median_ms'] / r['evaluator_full_median_ms']:>6.1f} "
              f"{r['rules_check_s']:>11.1f}s")


if __name__ == "__main__":
    main()
