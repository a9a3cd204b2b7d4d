"""The Situation contract (v1): a pydantic model generated from facts/fields.yaml.

The field list lives in one place (fields.yaml) so the model, the JSON Schema, the
interview questions and the rule linter cannot drift apart. Every field but
`target_group` may be omitted or null, which means "unknown".
"""
from functools import lru_cache
from typing import Literal, Optional

from pydantic import ConfigDict, Field, ValidationError

from .errors import InputError, InputErrors, preview
from .modelgen import make_model
from .suggest import did_you_mean
from .vocabulary import vocabulary
from .yamlio import line_of

CONTRACT = "aanpakwijzer/situation/v1"


def _annotation(spec):
    if spec["type"] == "enum":
        return Literal[tuple(spec["values"])]
    if spec["type"] == "bool":
        return bool
    return int


@lru_cache(maxsize=1)
def situation_model():
    fields = {}
    for name, spec in vocabulary().fields.items():
        kind = _annotation(spec)
        extra = {"description": spec["question"]["en"]}
        if spec["type"] == "int":
            extra.update(ge=spec["min"], le=spec["max"])
        if spec.get("required"):
            fields[name] = (kind, Field(..., **extra))
        else:
            fields[name] = (Optional[kind], Field(None, **extra))
    return make_model("Situation", None, fields, __config__=ConfigDict(extra="forbid", strict=True, frozen=True))


def _problem(error, spec):
    kind = error["type"]
    if kind == "missing":
        return "is required", None
    if kind == "literal_error":
        return f"unknown value {preview(error['input'])}", list(spec["values"])
    if kind == "bool_type":
        return f"must be true or false (ja or nee), not {preview(error['input'])}", None
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return (f"must be a whole number from {spec['min']} to {spec['max']}, "
                f"not {preview(error['input'])}"), None
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{preview(error['input'])} is out of range ({spec['min']} to {spec['max']})", None
    return error["msg"], None


def parse_situation(data, source="<input>"):
    """Validate a mapping of contract fields; raise InputErrors listing every problem."""
    if isinstance(data, situation_model()):
        return data
    if not isinstance(data, dict):
        raise InputError("a situation must be a mapping of field: value", file=source)
    known = vocabulary().fields
    problems = []
    for key in data:
        if key not in known:
            problems.append(InputError(f"unknown field{did_you_mean(str(key), known)}", file=source,
                                       line=line_of(data, key), field=key if isinstance(key, str) else preview(key)))
    clean = {k: v for k, v in data.items() if k in known}
    try:
        situation = situation_model()(**clean)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else None
            message, allowed = _problem(error, known.get(name, {}))
            problems.append(InputError(message, file=source, line=line_of(data, name),
                                       field=name, allowed=allowed))
        situation = None
    if problems:
        problems.sort(key=lambda e: (e.line or 0, e.field or ""))
        raise InputErrors(problems)
    return situation


def known_facts(situation):
    """The fields the user gave, in contract order (unknown ones left out)."""
    return {k: v for k, v in situation.model_dump().items() if v is not None}
