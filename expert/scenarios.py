"""Scenario files: a situation plus the parts of the design the report leads us to expect.

Format: facts/scenarios/README.md. `run_scenarios` returns per-file results and the
rules that fired across all of them (for coverage).
"""
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

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
LIST_OPS = ("includes", "excludes", "top", "count")


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    participation_level: Optional[str] = None
    level: Optional[str] = None
    childcare: Any = None
    result_agreements: Any = None
    lead_time: Optional[dict] = None
    execution: Optional[dict] = None
    recruitment: Optional[dict] = None
    director_role: Optional[dict] = None
    preconditions: Optional[dict] = None
    risks: Optional[dict] = None
    reference_projects: Optional[dict] = None
    open_questions: Optional[dict] = None
    assumptions: Optional[dict] = None
    undecided: Optional[dict] = None
    conflicts: Optional[dict] = None
    trace: Optional[dict] = None


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    description: str = ""
    sources: list[str] = Field(min_length=1)
    situation: dict
    expect: Expect


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
                options = list(Expect.model_fields) if holder is not data else list(Scenario.model_fields)
                near = difflib.get_close_matches(key, options, n=1)
                message = "unknown key" + (f"; did you mean '{near[0]}'?" if near else "")
                allowed = options
            problems.append(InputError(message, file=name, line=line_of(holder, key),
                                       field=".".join(loc), allowed=allowed))
        raise InputErrors(problems)
    unknown = [s for s in scenario.sources if s not in vocabulary().sources]
    if unknown:
        raise InputError(f"unknown source id(s): {', '.join(unknown)}", file=name,
                         line=line_of(data, "sources"), field="sources")
    for part, spec in scenario.expect.model_dump(exclude_none=True).items():
        if part in LIST_KEYS and (not isinstance(spec, dict) or set(spec) - set(LIST_OPS)):
            raise InputError(f"expect a mapping with {', '.join(LIST_OPS)}", file=name,
                             line=line_of(data["expect"], part), field=f"expect.{part}", allowed=LIST_OPS)
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
