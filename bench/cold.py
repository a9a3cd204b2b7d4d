"""A cold `aanpakwijzer consult` against an earlier revision, interleaved in one run.

    .venv/bin/python bench/cold.py [--against REV] [--runs 21] [--instructions]

REV (default: the commit this round started from, b68e37b, the previous release of
issue 15) is checked out in a temporary git worktree and run with this venv's Python,
its package first on the path; both trees get their bytecode compiled first, as the
README set-up does. Runs alternate between the two so that machine noise hits both
alike; wall times are printed as min / median and their ratio. With --instructions
each is also counted once under valgrind's callgrind (deterministic, so it holds when
the machine's speed does not).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "facts/examples/isolated_women_neighbourhood.yaml"
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def command(tree: Path) -> tuple[list[str], dict]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return [PYTHON, "-m", "expert", "consult", EXAMPLE], env


def wall(tree: Path) -> float:
    args, env = command(tree)
    started = time.perf_counter()
    subprocess.run(args, cwd=tree, env=env, check=True, capture_output=True)
    return (time.perf_counter() - started) * 1000


def instructions(tree: Path) -> int:
    args, env = command(tree)
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/cg"] + args,
                              cwd=tree, env=env, check=True, capture_output=True, text=True)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", default="b68e37b")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        old = Path(folder) / "old"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(old), args.against], cwd=ROOT, check=True)
        try:
            trees = {"now": ROOT, args.against: old}
            for tree in trees.values():
                subprocess.run([PYTHON, "-m", "compileall", "-q", "expert"], cwd=tree, check=True,
                               capture_output=True)
                wall(tree)                       # caches written
            times: dict[str, list[float]] = {name: [] for name in trees}
            for _ in range(args.runs):
                for name, tree in trees.items():
                    times[name].append(wall(tree))
            for name, values in times.items():
                print(f"{name:>10}: min {min(values):4.0f} ms, median {statistics.median(values):4.0f} ms "
                      f"({args.runs} runs)")
            print(f"     ratio: min {min(times['now']) / min(times[args.against]):.2f}, "
                  f"median {statistics.median(times['now']) / statistics.median(times[args.against]):.2f}")
            if args.instructions and shutil.which("valgrind"):
                counts = {name: instructions(tree) for name, tree in trees.items()}
                for name, count in counts.items():
                    print(f"{name:>10}: {count / 1e9:.2f} G instructions")
                print(f"     ratio: {counts['now'] / counts[args.against]:.2f}")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
