"""Where the knowledge base and fact vocabulary live.

In a source checkout (and an editable install) `rules/` and `facts/` sit next to the
`expert` package; a regular install maps them into the package as `expert/rules` and
`expert/facts` (see setup.cfg). A knowledge engineer can point the program at a copy
with the environment variables AANPAKWIJZER_RULES and AANPAKWIJZER_FACTS (a folder
each), e.g. to try a new dimension without touching the shipped base.
"""
import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_HERE / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the '{name}' folder next to {_HERE}")


RULES_DIR = _find("rules")        # the shipped knowledge base
FACTS_DIR = _find("facts")        # the shipped vocabulary, examples and scenarios


def rules_dir() -> Path:
    return Path(os.environ.get("AANPAKWIJZER_RULES") or RULES_DIR)


def facts_dir() -> Path:
    return Path(os.environ.get("AANPAKWIJZER_FACTS") or FACTS_DIR)
