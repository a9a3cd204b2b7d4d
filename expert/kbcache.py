"""A cache of the parsed rule files, so a cold start does not parse YAML again.

Parsing the rule files' YAML is most of loading the knowledge base (about 50 ms of a
cold consultation); the same data as JSON loads in a few milliseconds. The cache
holds only the parsed data with its line numbers, as JSON (never pickle), keyed by
a hash of every file's name and bytes; validation and linting run as always. It
lives in $AANPAKWIJZER_CACHE, else $XDG_CACHE_HOME/aanpakwijzer, else
~/.cache/aanpakwijzer; any problem with it (unwritable, corrupt) means parsing the
YAML as if there were no cache. AANPAKWIJZER_CACHE=off disables it.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Optional

from .yamlio import LineDict, LineList

FORMAT = 1


def cache_dir() -> Optional[Path]:
    configured = os.environ.get("AANPAKWIJZER_CACHE")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aanpakwijzer"


def key_of(paths: list[Path]) -> str:
    digest = hashlib.sha256(f"aanpakwijzer-kb-{FORMAT}".encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def _dump(node: Any) -> Any:
    if isinstance(node, LineDict):
        return {"m": {k: _dump(v) for k, v in node.items()}, "l": node.line, "k": node.lines}
    if isinstance(node, LineList):
        return {"s": [_dump(v) for v in node], "l": node.line, "k": node.lines}
    return node


def _load(node: Any) -> Any:
    if isinstance(node, dict) and "m" in node:
        out = LineDict((k, _load(v)) for k, v in node["m"].items())
        out.line, out.lines = node["l"], node["k"]
        return out
    if isinstance(node, dict) and "s" in node:
        seq = LineList(_load(v) for v in node["s"])
        seq.line, seq.lines = node["l"], node["k"]
        return seq
    return node


def read(key: str) -> Optional[list[Any]]:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"rules-{key}.json", encoding="utf-8") as handle:
            return [_load(item) for item in json.load(handle)]
    except (OSError, ValueError, TypeError, KeyError):
        return None


def write(key: str, mappings: list[Any]) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=folder, prefix=".rules-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump([_dump(m) for m in mappings], out)
        os.replace(tmp, folder / f"rules-{key}.json")
    except (OSError, TypeError, ValueError):
        pass        # a cache that cannot be written is no cache
