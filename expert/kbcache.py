"""Caches that keep a cold start from parsing YAML and validating the rules again.

Cached documents are JSON (never pickle), written atomically, of three kinds:

- the validated knowledge base (`kb-<key>.json`): each rule's spec, its parsed
  conditions, file and line, and the items. It is written only after a load that
  found no problems, and keyed by a hash of the rule files, the vocabulary files in
  facts/ and the program's own source, so a change to any of them loads, validates
  and lints everything again. Reading it still validates the specs with pydantic;
  only the YAML parsing and the linting are skipped.
- the parsed rule files with their line numbers (`rules-<key>.json`), keyed by the
  files' names and bytes, for loads that need the files themselves (the rulebook,
  `rules check`) or whose knowledge base is not cached yet;
- each parsed vocabulary file of facts/ (`yaml-<key>.json`), keyed the same way.

They live in $AANPAKWIJZER_CACHE, else $XDG_CACHE_HOME/aanpakwijzer, else
~/.cache/aanpakwijzer; any problem with them (unwritable, corrupt) means loading as
if there were no cache. AANPAKWIJZER_CACHE=off disables them all. Only the newest
few documents of each kind are kept.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

from .yamlio import LineDict, LineList, load_mapping

FORMAT = 2
KEEP = 16                                       # documents of each kind kept (see _prune)
_SOURCE = Path(__file__).resolve().parent      # the expert package


def cache_dir() -> Optional[Path]:
    configured = os.environ.get("AANPAKWIJZER_CACHE")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aanpakwijzer"


def key_of(*groups: list[Path]) -> str:
    """A hash of the files' names and bytes (and of the cache format and Python version)."""
    digest = hashlib.sha256(f"aanpakwijzer-{FORMAT}-{sys.version_info[:2]}".encode())
    for group in groups:
        for path in group:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        digest.update(b"\1")
    return digest.hexdigest()[:32]


def kb_key(rule_paths: list[Path], facts: Path) -> str:
    """The validated knowledge base's key: rule files, vocabulary files and program source."""
    return key_of(rule_paths, sorted(facts.glob("*.yaml")), sorted(_SOURCE.glob("*.py")))


def read_json(name: str) -> Any:
    """A cached document, or None when there is none (or it cannot be read)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / name, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def write_json(name: str, data: Any) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
            os.replace(tmp, folder / name)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(folder, name.split("-", 1)[0])
    except (OSError, TypeError, ValueError):
        pass        # a cache that cannot be written is no cache


def _prune(folder: Path, kind: str) -> None:
    """Keep the newest few documents of a kind: every edit of a rule file or of the
    program makes a new key, and the old ones are never read again."""
    found = []
    for path in folder.glob(f"{kind}-*.json"):
        try:
            found.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(found, reverse=True)[KEEP:]:
        try:
            path.unlink()
        except OSError:
            pass


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
    """The parsed rule files cached under `key`, or None."""
    data = read_json(f"rules-{key}.json")
    try:
        return None if data is None else [_load(item) for item in data]
    except (TypeError, KeyError, AttributeError):
        return None


def write(key: str, mappings: list[Any]) -> None:
    write_json(f"rules-{key}.json", [_dump(m) for m in mappings])


def load_mapping_cached(path: Path, what: str = "file") -> tuple[Any, str]:
    """`yamlio.load_mapping` of a vocabulary file, from the cache while its bytes are unchanged."""
    try:
        name = f"yaml-{key_of([path])}.json"
    except OSError:
        return load_mapping(path, what)         # reports the problem as usual
    cached = read_json(name)
    if cached is not None:
        try:
            return _load(cached), str(path)
        except (TypeError, KeyError, AttributeError):
            pass
    mapping, shown = load_mapping(path, what)
    write_json(name, _dump(mapping))
    return mapping, shown
