"""A copy of the shipped facts and rules with a part and dimension added by data alone,
and the command line run against it (as a knowledge engineer would try a new dimension)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from expert.paths import FACTS_DIR, RULES_DIR

CLI = str(Path(sys.executable).parent / "aanpakwijzer")


def copy_with_dimension(base: Path, part: str, dimension: str, rule_file: str, rules: str) -> None:
    """facts/ and rules/ under `base`, with `part` (YAML under `parts:`), `dimension` (under
    `dimensions:`) and one more rule file."""
    shutil.copytree(FACTS_DIR, base / "facts")
    shutil.copytree(RULES_DIR, base / "rules")
    dims = base / "facts" / "dimensions.yaml"
    dims.write_text(dims.read_text(encoding="utf-8").replace("\ndimensions:\n", f"\n{part}\ndimensions:\n", 1)
                    + dimension, encoding="utf-8")
    (base / "rules" / rule_file).write_text(rules, encoding="utf-8")


def run_cli(base: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AANPAKWIJZER_FACTS": str(base / "facts"), "AANPAKWIJZER_RULES": str(base / "rules")}
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=env, timeout=120)
