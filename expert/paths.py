"""Where the knowledge base and fact vocabulary live.

In a source checkout (and an editable install) `rules/` and `facts/` sit next to the
`expert` package; a regular install maps them into the package as `expert/rules` and
`expert/facts` (see setup.cfg).
"""
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _find(name):
    for candidate in (_HERE / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the '{name}' folder next to {_HERE}")


RULES_DIR = _find("rules")
FACTS_DIR = _find("facts")
