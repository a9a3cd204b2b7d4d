"""The Proposal contract (v1): what an executing organisation plans ("offerte").

A proposal holds a situation (the Situation contract, validated by `parse_situation`)
and what the proposal says about each part of a design. Every key under `proposal` is
optional: absent means the proposal says nothing about it. Ids are checked against the
registry and the knowledge base; a problem is an InputError with file, line, field and
the allowed values, like a situation file.
"""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from .errors import InputError, InputErrors
from .suggest import did_you_mean
from .vocabulary import registry
from .yamlio import line_of, load_mapping

CONTRACT = "aanpakwijzer/proposal/v1"
NO_CHILDCARE = "none"

# proposal key -> the design dimension whose values (and rule-file items) it takes
ID_KEYS = {"recruitment": "recruitment", "childcare": "childcare", "result_agreements": "result_agreements",
           "execution_approach": "execution_approach", "scale": "scale", "director_role": "director_role",
           "addresses_preconditions": "preconditions", "addresses_risks": "risks"}
# proposal key -> the dimension it is judged against (lead time for the duration, etc.)
JUDGED_AS = {**{k: v for k, v in ID_KEYS.items() if not k.startswith("addresses_")},
             "duration_months": "lead_time", "targets": "result_agreements"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Targets(_Strict):
    participants: Optional[StrictInt] = Field(default=None, ge=0, le=100_000)
    outflow_percent: Optional[StrictInt] = Field(default=None, ge=0, le=100)


class ProposalBody(_Strict):
    """What the proposal plans; None = it says nothing about that part."""
    recruitment: Optional[list[str]] = None
    childcare: Optional[str] = None
    result_agreements: Optional[str] = None
    targets: Optional[Targets] = None
    duration_months: Optional[StrictInt] = Field(default=None, ge=1, le=120)
    execution_approach: Optional[str] = None
    scale: Optional[str] = None
    director_role: Optional[list[str]] = None
    addresses_preconditions: Optional[list[str]] = None
    addresses_risks: Optional[list[str]] = None


class Proposal(_Strict):
    contract: Optional[Literal["aanpakwijzer/proposal/v1"]] = None
    name: str = Field(min_length=1)
    executor: Optional[str] = None
    situation: Any = Field(description="the Situation contract (aanpakwijzer/situation/v1)")
    proposal: ProposalBody = ProposalBody()


def proposal_json_schema(ref_template: str = "#/$defs/{model}") -> dict:
    """The Proposal schema with the ids each part accepts spelled out (enums from the
    vocabulary and the rule files' items), so a portal can build its form from it."""
    from .situation import situation_model

    schema = Proposal.model_json_schema(ref_template=ref_template)
    defs = schema.setdefault("$defs", {})
    body = defs["ProposalBody"]["properties"]
    for key in ID_KEYS:
        enum = {"type": "string", "enum": allowed_ids(key)}
        holder = body[key]["anyOf"][0]
        if holder.get("type") == "array":
            holder["items"] = enum
        else:
            body[key]["anyOf"][0] = enum
    defs["Situation"] = situation_model().model_json_schema()
    schema["properties"]["situation"] = {"$ref": ref_template.format(model="Situation")}
    return schema


def allowed_ids(key: str) -> list[str]:
    """The ids a proposal key accepts: the dimension's values plus what rule files add."""
    from .engine import compiled

    dim = ID_KEYS[key]
    values = list(registry().dimensions[dim].values) + list(compiled().kb.items.get(dim, {}))
    if key == "childcare":
        values = [v for v in values if v != "not_applicable"] + [NO_CHILDCARE]
    return values


def _line(holder: Any, key: Any) -> Optional[int]:
    if isinstance(holder, list):
        lines = getattr(holder, "lines", None) or []
        return lines[key] if isinstance(key, int) and key < len(lines) else getattr(holder, "line", None)
    return line_of(holder, key) if isinstance(holder, dict) else None


def _shape_problems(exc: ValidationError, data: dict, name: str) -> list[InputError]:
    problems = []
    for error in exc.errors():
        loc = list(error["loc"])
        holder: Any = data
        line = getattr(data, "line", None)
        for part in loc:
            line = _line(holder, part) or line
            try:
                holder = holder[part]
            except (KeyError, IndexError, TypeError):
                break
        message, allowed = error["msg"], None
        if error["type"] == "extra_forbidden":
            model = ProposalBody if loc[:1] == ["proposal"] else Targets if "targets" in loc else Proposal
            allowed = list(model.model_fields)
            message = "unknown key" + did_you_mean(str(loc[-1]), allowed)
        elif error["type"] == "missing":
            message = "is required"
        problems.append(InputError(message, file=name, line=line, field=".".join(str(p) for p in loc),
                                   allowed=allowed))
    return problems


def _id_problems(raw: Any, name: str) -> list[InputError]:
    """Unknown ids in the raw proposal body (checked even when other keys are malformed)."""
    problems = []
    for key in ID_KEYS:
        value = raw.get(key)
        if value is None:
            continue
        allowed = allowed_ids(key)
        listed = isinstance(value, list)
        for index, item in enumerate(value if listed else [value]):
            if not isinstance(item, str) or item in allowed:
                continue          # a wrong type is reported by the model
            line = _line(value, index) if listed else line_of(raw, key)
            field = f"proposal.{key}" + (f"[{index}]" if listed else "")
            problems.append(InputError(f"unknown value {item!r}" + did_you_mean(item, allowed), file=name,
                                       line=line, field=field, allowed=allowed))
    return problems


def parse_proposal(data: Any, source: str = "<input>") -> tuple[Proposal, Any]:
    """Validate a proposal mapping; returns (Proposal, parsed Situation). Raises InputErrors
    listing every problem (shape, ids and the situation's own fields)."""
    from .situation import parse_situation

    if isinstance(data, Proposal):
        return data, parse_situation(dict(data.situation), source)
    if not isinstance(data, dict):
        raise InputError("a proposal must be a mapping with name, situation and proposal", file=source)
    problems: list[InputError] = []
    proposal = None
    try:
        proposal = Proposal(**data)
    except ValidationError as exc:
        problems += _shape_problems(exc, data, source)
    situation = None
    raw_situation = data.get("situation")
    if isinstance(raw_situation, dict):
        try:
            situation = parse_situation(raw_situation, source)
        except InputErrors as exc:
            for problem in exc.errors:
                problem.field = f"situation.{problem.field}" if problem.field else "situation"
            problems += exc.errors
    elif "situation" in data:
        problems.append(InputError("'situation' must be a mapping of situation fields", file=source,
                                   line=line_of(data, "situation"), field="situation"))
    raw_body = data.get("proposal")
    if isinstance(raw_body, dict):
        problems += _id_problems(raw_body, source)
    if problems:
        problems.sort(key=lambda e: (e.line or 0, e.field or ""))
        raise InputErrors(problems)
    assert proposal is not None and situation is not None
    return proposal, situation


def load_proposal(path: Any) -> tuple[Proposal, Any, str]:
    """Read a proposal file (YAML or JSON; '-' for stdin): (Proposal, Situation, file name)."""
    data, name = load_mapping(path, "proposal file")
    proposal, situation = parse_proposal(data, name)
    return proposal, situation, name
