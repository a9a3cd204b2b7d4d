"""Errors about input that a user can fix: they carry file, line and field.

    click.ClickException
     └── InputError        bad input: the CLI prints describe() and exits 2
          └── InputErrors  several problems found in one pass, all reported

InputError is a click exception (exit code 2) so the command line needs no handler of
its own; a host program catches it like any other exception.
"""
import datetime
import math
import re
from typing import Any, Optional

import click

from .messages import PARTS, message_lang, translate

PREVIEW_CHARS = 60      # an echoed value is cut to this many characters
MESSAGE_CHARS = 400     # backstop for messages built elsewhere with a value in them
FIELD_CHARS = 80
_WORD = re.compile(r"[A-Za-z_][\w.-]*")
_KEYWORDS = {"true", "false", "yes", "no", "on", "off", "ja", "nee", "null"}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _scalar(value: Any) -> Optional[str]:
    """None, booleans and floats as YAML writes them (None for anything else)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        return (".inf" if value > 0 else "-.inf") if math.isinf(value) else repr(value)
    return None


def _plain(value: Any, depth: int = 0) -> str:
    """A value as the user would write it in YAML (true, null, 2001-12-14, [1, 2])."""
    scalar = _scalar(value)
    if scalar is not None:
        return scalar
    if isinstance(value, str):
        if depth and _WORD.fullmatch(value[:PREVIEW_CHARS + 1]) and value.lower() not in _KEYWORDS:
            return value[:PREVIEW_CHARS + 1]              # inside a list or mapping, as YAML shows it
        return repr(value[:PREVIEW_CHARS + 1])        # never quote a huge string whole
    if isinstance(value, int):
        return str(value) if value.bit_length() < 200 else "a very large number"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if depth >= 2:          # deep structures are shown only by their outline
        return "[…]" if isinstance(value, list) else "{…}"
    if isinstance(value, dict):
        items = list(value.items())
        shown = ", ".join(f"{_plain(k, depth + 1)}: {_plain(v, depth + 1)}" for k, v in items[:4])
        return "{" + shown + (", …" if len(items) > 4 else "") + "}"
    if isinstance(value, (list, tuple)):
        shown = ", ".join(_plain(v, depth + 1) for v in value[:5])
        return "[" + shown + (", …" if len(value) > 5 else "") + "]"
    return type(value).__name__


def preview(value: Any, limit: int = PREVIEW_CHARS) -> str:
    """A short, user-facing rendering of a value for messages: never a Python repr, never
    the whole of a huge value."""
    return _cut(_plain(value), limit)


class InputError(click.ClickException):
    """Bad input (situation, scenario or rule file). The CLI prints it and exits 2."""

    exit_code = 2

    def __init__(self, message, *, file=None, line=None, field=None, allowed=None):
        self.file = file
        self.line = line
        self.field = None if field is None else _cut(str(field), FIELD_CHARS)
        self.allowed = list(allowed) if allowed else None
        super().__init__(_cut(" ".join(str(message).splitlines()), MESSAGE_CHARS))

    def describe(self, lang=None):
        """'file:line: field 'x': message (allowed: ...)', in the message language
        (set from --lang or the API's lang; English by default)."""
        lang = lang or message_lang()
        words = PARTS[lang]
        where = _cut(str(self.file or words["input"]), 300)
        if self.line:
            where += f":{self.line}"
        text = f"{where}: "
        if self.field:
            text += f"{words['field']} '{self.field}': "
        return text + self.text(lang)

    def text(self, lang=None):
        """The message and the allowed values, without file, line and field (for the API
        and the web form, which show those themselves)."""
        lang = lang or message_lang()
        text = translate(self.message, lang)
        if self.allowed:
            text += f" ({PARTS[lang]['allowed']}: " + ", ".join(str(a) for a in self.allowed) + ")"
        return text

    def __str__(self):
        return self.describe()

    def format_message(self):
        return self.describe()

    def show(self, file=None):
        click.echo(self.describe(), file=file, err=True)

    def to_dict(self):
        return {"file": self.file, "line": self.line, "field": self.field,
                "message": self.message, "allowed": self.allowed}

    def __reduce__(self):
        # rebuilt from its attributes, so it survives a process pool (pickle)
        return _restore, (type(self), self.__dict__.copy())


def _restore(cls, state):
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message"))
    error.__dict__.update(state)
    return error


class InputErrors(InputError):
    """Several problems found in one pass (e.g. a rule file); all are reported."""

    def __init__(self, errors):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.message, file=first.file, line=first.line,
                         field=first.field, allowed=first.allowed)

    def describe(self, lang=None):
        return "\n".join(e.describe(lang) for e in self.errors)
