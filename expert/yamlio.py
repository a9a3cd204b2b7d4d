"""Safe YAML reading that remembers line numbers and refuses what it should.

Only plain YAML is accepted (no ``!!python/...`` or other tags), duplicate keys are
errors, and files over 1 MB are refused before they are parsed.
"""
import os
from typing import Any, Optional

import yaml

from .errors import InputError

MAX_BYTES = 1_000_000
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A dict that knows the source line of each key (``lines``) and of itself (``line``)."""

    line: Optional[int] = None
    lines: Optional[dict] = None


class LineList(list):
    line: Optional[int] = None
    lines: Optional[list] = None


class _Loader(_Base):
    pass


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise InputError("a mapping key must be a plain value", file=loader.source_name,
                             line=key_node.start_mark.line + 1)
        if key in result:
            raise InputError(f"duplicate key '{key}'", file=loader.source_name,
                             line=key_node.start_mark.line + 1, field=str(key))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader, node):
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _refuse_tag(loader, suffix, node):
    raise InputError(f"YAML tag '{node.tag}' is not allowed; write plain values",
                     file=loader.source_name, line=node.start_mark.line + 1)


_Loader.add_multi_constructor("!", _refuse_tag)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _refuse_tag)


def parse_yaml(text, source_name="<input>"):
    """Parse YAML text into LineDict/LineList values; raise InputError on any problem."""
    loader = _Loader(text)
    loader.source_name = source_name
    try:
        return loader.get_single_data()
    except InputError:
        raise
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise InputError(f"not allowed in YAML here: {exc.problem}", file=source_name,
                         line=mark.line + 1 if mark else None)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"not valid YAML: {problem}", file=source_name,
                         line=mark.line + 1 if mark else None)
    finally:
        loader.dispose()


def read_text(path):
    """Read a file (or '-' for standard input) with the size limit, as text."""
    import sys

    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = "<stdin>"
    else:
        name = str(path)
        if not os.path.exists(path):
            raise InputError("file not found", file=name)
        if os.path.isdir(path):
            raise InputError("is a directory, not a file", file=name)
        if os.path.getsize(path) > MAX_BYTES:
            raise InputError(f"file is larger than {MAX_BYTES // 1_000_000} MB", file=name)
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"input is larger than {MAX_BYTES // 1_000_000} MB", file=name)
    try:
        return data.decode("utf-8"), name
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=name)


def load_mapping(path, what="file"):
    """Read a YAML file that must hold a mapping; return (LineDict, name)."""
    text, name = read_text(path)
    if not text.strip():
        raise InputError(f"the {what} is empty", file=name)
    data = parse_yaml(text, name)
    if not isinstance(data, dict):
        raise InputError(f"the {what} must be a mapping of field: value, not {type(data).__name__}",
                         file=name, line=getattr(data, "line", 1) or 1)
    return data, name


def line_of(mapping, key):
    lines = getattr(mapping, "lines", None) or {}
    return lines.get(key, getattr(mapping, "line", None))
