"""Safe YAML reading that remembers line numbers and refuses what it should.

Only plain YAML is accepted (no ``!!python/...`` or other tags), duplicate keys are
errors, and files over 1 MB are refused before they are parsed. Before anything is
built, the parser's events are counted: aliases (``*name``) are refused unless the
caller allows them (and then the document's size with every alias written out is
capped: a few nested aliases can stand for billions of values), and so are more than
MAX_VALUES values and nesting deeper than MAX_DEPTH, well below Python's recursion limit.

Scalars follow what a Dutch user means, not every YAML 1.1 rule: booleans are
true/false, yes/no and ja/nee; ``on``/``off``, numbers in octal, hex, binary or
base 60 and numbers with ``_`` are refused with the value YAML would have read;
a date stays the text it was written as.
"""
import os
import re
import stat
import sys
from typing import Any, Optional

import yaml

from .errors import InputError, preview

MAX_BYTES = 1_000_000
MAX_DEPTH = 50                  # levels of nesting; real files use fewer than 10
MAX_VALUES = 100_000            # per file; the largest rule file has under 4,000
MAX_EXPANDED_NODES = MAX_VALUES  # with aliases allowed, counted as if written out
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
                             line=key_node.start_mark.line + 1) from None
        if key in result:
            raise InputError(f"duplicate key {preview(key)}", file=loader.source_name,
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
    raise InputError(f"YAML tag {preview(node.tag)} is not allowed; write plain values",
                     file=loader.source_name, line=node.start_mark.line + 1)


_Loader.add_multi_constructor("!", _refuse_tag)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _refuse_tag)

# --- scalars as a Dutch user means them -------------------------------------------

_TRUE, _FALSE = {"true", "yes", "ja"}, {"false", "no", "nee"}
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]*[0-9][0-9_]*\Z")     # 017, 08, 0_1
_MAX_DIGITS = 30
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:ja|Ja|JA|nee|Nee|NEE)$"),
                              list("jJnN"))
# 08 and 09 are text to YAML 1.1 (not octal digits): treat them like 017, a number with a zero before it
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?0[0-9_]+$"), list("-+0"))


def _surprise(loader, node, text, meant):
    shown = preview(meant)
    if isinstance(meant, bool):
        advice = f"write {'ja' if meant else 'nee'} (or {shown}) if that is meant"
    else:
        advice = f"write {shown} if that is meant (plain decimal digits)"
    return InputError(f"{preview(text)} would be read by YAML as {shown}; {advice}, "
                      f"or put it in quotes for text", file=loader.source_name, line=node.start_mark.line + 1)


def _construct_bool(loader, node):
    text = loader.construct_scalar(node)
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise _surprise(loader, node, text, text.lower() == "on")        # on/off


def _yaml11(loader, node, construct):
    """The value YAML 1.1 would have read, for the message; refused either way."""
    text = loader.construct_scalar(node)
    try:
        meant = construct(loader, node) if len(text) <= _MAX_DIGITS + 4 else None
    except ValueError:
        meant = None
    if meant is None:
        return InputError(f"{preview(text)} is not a plain decimal number", file=loader.source_name,
                          line=node.start_mark.line + 1)
    return _surprise(loader, node, text, meant)


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if _LEADING_ZERO.match(text):
        decimal = int(text.replace("_", ""), 10)
        raise InputError(f"{preview(text)} starts with a zero, which YAML reads as an octal number or as "
                         f"text; write {decimal} if that is meant, or put it in quotes for text",
                         file=loader.source_name, line=node.start_mark.line + 1)
    if not _DECIMAL.match(text):
        raise _yaml11(loader, node, yaml.constructor.SafeConstructor.construct_yaml_int)
    if len(text.lstrip("+-")) > _MAX_DIGITS:
        raise InputError(f"a number of {len(text.lstrip('+-'))} digits is too long",
                         file=loader.source_name, line=node.start_mark.line + 1)
    return int(text)


def _construct_float(loader, node):
    text = loader.construct_scalar(node)
    if "_" in text or ":" in text:
        raise _yaml11(loader, node, yaml.constructor.SafeConstructor.construct_yaml_float)
    return yaml.constructor.SafeConstructor.construct_yaml_float(loader, node)


def _construct_timestamp(loader, node):
    return loader.construct_scalar(node)      # a date is text here; no field holds dates


_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)

# --- measuring the node graph before anything is built ---------------------------


def _children(node):
    """Each child node with the line where it is used (an alias's own mark is its anchor's)."""
    if isinstance(node, yaml.MappingNode):
        return [(n, key.start_mark.line + 1) for key, value in node.value for n in (key, value)]
    if isinstance(node, yaml.SequenceNode):
        return [(n, node.start_mark.line + 1) for n in node.value]
    return []


def _prescan(text, source, aliases):
    """Walk the parser's events (cheap: no nodes are built) and stop at the first alias
    (unless allowed), at nesting deeper than MAX_DEPTH or at more than MAX_VALUES values."""
    depth = count = 0
    for event in yaml.parse(text, Loader=_Base):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(f"nested more than {MAX_DEPTH} levels deep", file=source, line=line)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent) and not aliases:
            raise InputError("YAML aliases (*name) are not allowed here; write the value out",
                             file=source, line=line)
        count += 1
        if count > MAX_VALUES:
            raise InputError(f"more than {MAX_VALUES:,} values in one file", file=source, line=line)


def _check_expansion(root, source):
    """With aliases allowed: cap the size and depth of the document as if every alias were
    written out, and refuse an alias inside its own anchor, without recursion.
    `measured` holds each node's (height, expanded size) once its children are done."""
    def fail(message, line):
        raise InputError(message, file=source, line=line)

    measured: dict = {}
    path = set()            # the nodes whose children are being measured (a cycle if met again)
    stack = [(root, False, None)]
    while stack:
        node, done, used_at = stack.pop()
        key, line = id(node), node.start_mark.line + 1
        kids = _children(node)
        if done:
            path.discard(key)
            height = 1 + max((measured[id(k)][0] for k, _ in kids), default=0)
            size = 1 + sum(measured[id(k)][1] for k, _ in kids)
            if height > MAX_DEPTH:
                fail(f"nested more than {MAX_DEPTH} levels deep", line)
            if size > MAX_EXPANDED_NODES:
                fail(f"the aliases here stand for more than {MAX_EXPANDED_NODES:,} values", line)
            measured[key] = (height, size)
        elif key in path:
            fail("an alias refers to the value that contains it", used_at)
        elif key not in measured:
            path.add(key)
            stack.append((node, True, None))
            stack.extend((kid, False, at) for kid, at in kids)


def _reader_problem(exc, text, source_name):
    """A bad character (e.g. a NUL byte): one line, with its line number."""
    character = exc.character if isinstance(exc.character, str) else chr(exc.character)
    line = text.count("\n", 0, exc.position) + 1 if isinstance(text, str) else None
    return InputError(f"not valid YAML: character U+{ord(character):04X} is not allowed "
                      f"(control characters cannot appear in YAML text)", file=source_name, line=line)


def parse_yaml(text, source_name="<input>", aliases=False):
    """Parse YAML text into LineDict/LineList values; raise InputError on any problem.
    `aliases=True` allows ``&anchor``/``*alias`` (their expansion still capped)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:       # a command-line value with bytes that are not UTF-8
        raise InputError(f"not UTF-8 text (character {exc.start + 1})", file=source_name) from None
    loader = _Loader(text)
    loader.source_name = source_name
    try:
        _prescan(text, source_name, aliases)
        node = loader.get_single_node()
        if node is None:
            return None
        if aliases:
            _check_expansion(node, source_name)
        return loader.construct_document(node)
    except InputError:
        raise
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(exc, text, source_name) from None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise InputError(f"not allowed in YAML here: {exc.problem}", file=source_name,
                         line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if "nesting depth" in problem:          # libyaml's own limit, met while reading ahead
            problem = f"nested more than {MAX_DEPTH} levels deep"
        raise InputError(f"not valid YAML: {problem}", file=source_name,
                         line=mark.line + 1 if mark else None) from None
    except RecursionError:
        raise InputError(f"nested more than {MAX_DEPTH} levels deep", file=source_name) from None
    finally:
        loader.dispose()


def _reason(exc):
    return exc.strerror or str(exc) or type(exc).__name__


def _read_stdin():
    stream = sys.stdin
    if stream is None:
        raise InputError("standard input is closed", file="<stdin>")
    try:
        data = getattr(stream, "buffer", stream).read(MAX_BYTES + 1)
    except (OSError, ValueError) as exc:       # ValueError: the stream was closed
        reason = _reason(exc) if isinstance(exc, OSError) else "standard input is closed"
        raise InputError(f"cannot read: {reason}", file="<stdin>") from None
    return data.encode("utf-8") if isinstance(data, str) else data


def _read_file(path, name):
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError
            if stat.S_ISREG(info.st_mode) and info.st_size > MAX_BYTES:
                raise InputError(f"file is larger than {MAX_BYTES // 1_000_000} MB", file=name)
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError("file not found", file=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {_reason(exc)}", file=name) from None


def read_text(path):
    """Read a file (or '-' for standard input) with the size limit, as text."""
    if path == "-":
        data, name = _read_stdin(), "<stdin>"
    else:
        name = str(path) or "''"
        data = _read_file(path, name)
    if len(data) > MAX_BYTES:
        raise InputError(f"input is larger than {MAX_BYTES // 1_000_000} MB", file=name)
    try:
        return data.decode("utf-8"), name
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=name) from None


def load_mapping(path, what="file", aliases=False):
    """Read a YAML file that must hold a mapping; return (LineDict, name)."""
    text, name = read_text(path)
    if not text.strip():
        raise InputError(f"the {what} is empty", file=name)
    data = parse_yaml(text, name, aliases)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"the single value {preview(data)}"
        raise InputError(f"the {what} must be a mapping of field: value, not {kind}",
                         file=name, line=getattr(data, "line", 1) or 1)
    return data, name


def line_of(mapping, key):
    lines = getattr(mapping, "lines", None) or {}
    return lines.get(key, getattr(mapping, "line", None))
