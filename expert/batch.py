"""`aanpakwijzer batch PATH…`: consult many situation files, one row each, on all cores.

Each worker process holds its own Advisor (experta engines are not thread-safe). On
Linux the workers are forked from a parent that has already compiled the knowledge
base and built an engine per target group, so they start warm. Rows come back in the
order of the files; a bad file becomes a row with its error and the rest still run.
"""
from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Optional

from .engine import Advisor
from .errors import InputError
from .vocabulary import registry, vocabulary

TOP_CHANNELS = 3            # the summary names the top three channels
_advisor: Optional[Advisor] = None


def situation_paths(paths: Iterable[str]) -> list[str]:
    """Files as given; folders give their *.yaml and *.yml files (recursively, sorted)."""
    out: list[str] = []
    for path in paths:
        folder = Path(path)
        if folder.is_dir():
            out += sorted(str(p) for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            out.append(path)
    return out


def columns() -> list[str]:
    """The row's columns: file, group, each dimension of a one-value part, each list part."""
    out = ["file", "target_group"]
    for part in registry().parts.values():
        out += part.dimensions if part.shape != "list" else [part.name]
    return out + ["open_questions", "error"]


def row(design: dict[str, Any], file: str) -> dict[str, Any]:
    """A design's summary parts as codes: lists hold ids (the top channels, the
    preconditions not met, every other item)."""
    reg = registry()
    out: dict[str, Any] = {"file": file, "target_group": design["target_group"]}
    for part in reg.parts.values():
        if part.shape != "list":
            for name in part.dimensions:
                value = reg.value_in(design, name)
                out[name] = list(value) if isinstance(value, tuple) else value
            continue
        items: list[str] = []
        for name in part.dimensions:
            kind = reg.dimensions[name].item
            for item in design.get(name) or []:
                if kind == "channel" and item["rank"] <= TOP_CHANNELS:
                    items.append(item["channel"])
                elif kind == "precondition" and item["status"] == "not_met":
                    items.append(item["id"])
                elif kind not in ("channel", "precondition"):
                    items.append(item if isinstance(item, str) else item["id"])
        out[part.name] = items
    out["open_questions"] = len(design["open_questions"])
    out["error"] = None
    return out


def consult_file(path: str) -> dict[str, Any]:
    """One row; a file that cannot be read or validated gives a row with its error."""
    from .situation_files import load_situation

    global _advisor
    if _advisor is None:
        _advisor = Advisor()
    try:
        facts, name = load_situation(path)
        return row(_advisor.consult(facts).model_dump(mode="json"), name)
    except InputError as exc:
        return {**{c: None for c in columns()}, "file": path, "error": exc.describe()}


def warm() -> None:
    """Compile the knowledge base and build every group's engine once, before forking; the
    frozen heap keeps the workers' collectors off the shared engines (fewer copied pages)."""
    global _advisor
    if _advisor is None:
        _advisor = Advisor(freeze_heap=True)
    for group in vocabulary().fields["target_group"]["values"]:
        _advisor.engine(group)


def run_batch(paths: list[str], jobs: Optional[int] = None,
              progress: Optional[Callable[[int], None]] = None) -> list[dict[str, Any]]:
    """A row per file, in the order given, using `jobs` processes (default: every core)."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths) or 1))
    step = progress or (lambda done: None)
    if jobs == 1:
        rows = []
        for path in paths:
            rows.append(consult_file(path))
            step(1)
        return rows
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        warm()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    chunk = max(1, min(16, len(paths) // (jobs * 8)))
    rows = []
    with context.Pool(jobs) as pool:
        for result in pool.imap(consult_file, paths, chunksize=chunk):
            rows.append(result)
            step(1)
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "-".join(map(str, value)) if all(isinstance(v, int) for v in value) else " ".join(value)
    return str(value)


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns())
    for r in rows:
        writer.writerow([_cell(r.get(c)) for c in columns()])
    return out.getvalue()


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps({"contract": "aanpakwijzer/batch/v1", "columns": columns(), "rows": rows},
                      ensure_ascii=False, indent=2) + "\n"
