"""Scenario files: a situation plus the parts of the design the report leads us to expect.

Format: facts/scenarios/README.md. `run_scenarios` returns per-file results and the
rules that fired across all of them (for coverage).
"""
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError, InputErrors
from .vocabulary import vocabulary
from .yamlio import line_of, load_mapping

# design part -> how list items are identified
LIST_KEYS = {"recruitment": "channel", "director_role": "id", "preconditions": "id", "risks": "id",
             "reference_projects": None, "open_questions": "field", "assumptions": "text",
             "undecided": None, "trace": "rule", "conflicts": "dimension"}
SHORTHAND = {"childcare": "approach", "result_agreements": "type"}
EXACT = ("participation_level", "level")
OBJECTS = ("childcare", "result_agreements", "lead_time", "execution")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")      # unknown keys are errors


class Bounds(_Strict):
    min: Optional[int] = None
    max: Optional[int] = None


class ListExpect(_Strict):
    """Expectations on a list in the design: members it must include or exclude, the
    ones it must start with (in any order), and how many it has."""
    includes: Optional[list[Any]] = None
    excludes: Optional[list[Any]] = None
    top: Optional[list[Any]] = None
    count: Optional[Union[int, Bounds]] = None


class LeadTimeExpect(_Strict):
    min_months: Optional[Union[int, Bounds]] = None
    recommended_months: Optional[Union[int, Bounds]] = None


class ExecutionExpect(_Strict):
    approach: Optional[str] = None
    scale: Optional[str] = None


class ChildcareExpect(_Strict):
    approach: Optional[str] = None


class ResultsExpect(_Strict):
    type: Optional[str] = None


class Expect(_Strict):
    participation_level: Optional[str] = None
    level: Optional[str] = None
    childcare: Optional[Union[str, ChildcareExpect]] = None
    result_agreements: Optional[Union[str, ResultsExpect]] = None
    lead_time: Optional[LeadTimeExpect] = None
    execution: Optional[ExecutionExpect] = None
    recruitment: Optional[ListExpect] = None
    director_role: Optional[ListExpect] = None
    preconditions: Optional[ListExpect] = None
    risks: Optional[ListExpect] = None
    reference_projects: Optional[ListExpect] = None
    open_questions: Optional[ListExpect] = None
    assumptions: Optional[ListExpect] = None
    undecided: Optional[ListExpect] = None
    conflicts: Optional[ListExpect] = None
    trace: Optional[ListExpect] = None


class Scenario(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    sources: list[str] = Field(min_length=1)
    situation: dict
    expect: Expect


def _model_at(loc):
    """The model whose keys a nested error location refers to (for 'did you mean')."""
    # a union field's error location names the branch model ('ChildcareExpect', 'Bounds')
    by_name = {m.__name__: m for m in (Bounds, ChildcareExpect, ResultsExpect)}
    by_field = {"execution": ExecutionExpect, "lead_time": LeadTimeExpect, **{k: ListExpect for k in LIST_KEYS}}
    for part in reversed(loc[:-1]):
        if part in by_name or part in by_field:
            return by_name.get(part) or by_field[part]
    return Expect if loc[0] == "expect" else Scenario


def load_scenario(path):
    """Read and validate a scenario file; raise InputErrors with file and line."""
    data, name = load_mapping(path, "scenario file")
    try:
        scenario = Scenario(**data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            holder = data.get(loc[0]) if len(loc) > 1 and isinstance(data.get(loc[0]), dict) else data
            key = loc[1] if holder is not data else loc[0]
            message = error["msg"]
            allowed = None
            if error["type"] == "extra_forbidden":
                options = list(_model_at(loc).model_fields)
                near = difflib.get_close_matches(loc[-1], options, n=1)
                message = "unknown key" + (f"; did you mean '{near[0]}'?" if near else "")
                allowed = options
            # pydantic names the union branch it tried ('int', 'Bounds'); the user never wrote those
            shown = [p for p in loc if p not in ("int", "str") and not p[:1].isupper()]
            problems.append(InputError(message, file=name, line=line_of(holder, key),
                                       field=".".join(shown), allowed=allowed))
        raise InputErrors(problems)
    unknown = [s for s in scenario.sources if s not in vocabulary().sources]
    if unknown:
        raise InputError(f"unknown source id(s): {', '.join(unknown)}", file=name,
                         line=line_of(data, "sources"), field="sources")
    return scenario, name, data


def _value_matches(expected, actual):
    if isinstance(expected, dict) and set(expected) <= {"min", "max"} and expected:
        return actual is not None and expected.get("min", actual) <= actual <= expected.get("max", actual)
    return expected == actual


def _item_id(item, key):
    return item if key is None else item.get(key)


def _item_matches(expected, item, key):
    if isinstance(expected, dict):
        return isinstance(item, dict) and all(item.get(k) == v for k, v in expected.items())
    return _item_id(item, key) == expected


def check_design(expect, design):
    """Return the mismatches between an Expect and a design dict (JSON form)."""
    problems = []
    for part, spec in expect.model_dump(exclude_none=True).items():
        actual = design.get(part)
        if part in EXACT:
            if spec != actual:
                problems.append(f"{part}: expected {spec!r}, got {actual!r}")
        elif part in OBJECTS:
            if not isinstance(spec, dict):
                spec = {SHORTHAND.get(part, "approach"): spec}
            for key, expected in spec.items():
                if not _value_matches(expected, actual.get(key)):
                    problems.append(f"{part}.{key}: expected {expected!r}, got {actual.get(key)!r}")
        else:
            key = LIST_KEYS[part]
            ids = [_item_id(i, key) for i in actual]
            for expected in spec.get("includes", []):
                if not any(_item_matches(expected, i, key) for i in actual):
                    problems.append(f"{part}: expected to include {expected!r}; got {ids}")
            for expected in spec.get("excludes", []):
                if any(_item_matches(expected, i, key) for i in actual):
                    problems.append(f"{part}: expected not to include {expected!r}")
            top = spec.get("top", [])
            if top and set(ids[:len(top)]) != set(top):
                problems.append(f"{part}: expected first {top}, got {ids[:len(top)]}")
            if "count" in spec and not _value_matches(spec["count"], len(actual)):
                problems.append(f"{part}: expected count {spec['count']}, got {len(actual)}")
    return problems


@dataclass
class ScenarioResult:
    file: str
    name: str
    problems: list
    fired: list = field(default_factory=list)

    @property
    def passed(self):
        return not self.problems


def scenario_files(paths):
    out = []
    for path in paths:
        path = Path(path)
        out += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return out


def run_scenario(path, advisor):
    from .situation import parse_situation

    scenario, name, data = load_scenario(path)
    situation = parse_situation(data["situation"], name)
    design = advisor.consult(situation).model_dump(mode="json")
    fired = [s["rule"] for s in design["trace"]]
    return ScenarioResult(name, scenario.name, check_design(scenario.expect, design), fired)
