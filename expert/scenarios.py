"""Scenario files: a situation plus the parts of the design the report leads us to expect.

Format: facts/scenarios/README.md. `run_scenarios` returns one result per file: passed,
failed (with the mismatches) or not run (`error`: the file's input problems), so one bad
file never stops the others; each result lists the rules that fired (for coverage).
"""
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, model_validator

from .errors import InputError, InputErrors, preview
from .vocabulary import vocabulary
from .yamlio import line_of, load_mapping

# design part -> how list items are identified
LIST_KEYS = {"recruitment": "channel", "director_role": "id", "preconditions": "id", "risks": "id",
             "reference_projects": None, "open_questions": "field", "assumptions": "text",
             "undecided": None, "trace": "rule", "conflicts": "dimension"}
SHORTHAND = {"childcare": "approach", "result_agreements": "type"}
EXACT = ("participation_level", "level")
OBJECTS = ("childcare", "result_agreements", "lead_time", "execution")
TOP_PARTS = ("recruitment",)        # the only list whose order is a ranking

# a list item is named by its id, or by a partial mapping of plain values
Scalar = Union[StrictStr, StrictInt, bool, None]
ItemExpect = Union[StrictStr, dict[StrictStr, Scalar]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")      # unknown keys are errors


class Bounds(_Strict):
    min: Optional[StrictInt] = None
    max: Optional[StrictInt] = None

    @model_validator(mode="after")
    def _a_range(self):
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is larger than max")
        return self


class ListExpect(_Strict):
    """Expectations on a list in the design: members it must include or exclude, the
    ones it must start with (in any order; recruitment only), and how many it has."""
    includes: Optional[list[ItemExpect]] = None
    excludes: Optional[list[ItemExpect]] = None
    top: Optional[list[StrictStr]] = None
    count: Optional[Union[StrictInt, Bounds]] = None


class LeadTimeExpect(_Strict):
    min_months: Optional[Union[StrictInt, Bounds]] = None
    recommended_months: Optional[Union[StrictInt, Bounds]] = None


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


_BRANCHES = ("int", "str", "bool", "float", "none")


def _user_path(loc):
    """pydantic names the union branch it tried ('int', 'Bounds', 'dict[str,...]'); the
    user never wrote those."""
    return [p for p in loc if p not in _BRANCHES and not p[:1].isupper() and "[" not in p]


def _wanted(path):
    """What a typed expectation takes, in the user's terms (None: pydantic's text will do)."""
    last, parent = path[-1], (path[-2] if len(path) > 1 else "")
    if last in ("count", "min_months", "recommended_months"):
        return "a whole number or a range {min: …, max: …}"
    if last in ("min", "max"):
        return "a whole number"
    if parent == "top" and last.isdigit():
        return "an id (text)"
    if parent in ("includes", "excludes") and last.isdigit():
        return "an id, or a mapping of plain values such as {id: …, status: …}"
    if len(path) > 2 and path[-3] in ("includes", "excludes"):
        return "a plain value (text, a whole number, true/false or null)"
    return None


def _line_at(data, path):
    """The line of the deepest part of `path` that is in the file."""
    line, here = getattr(data, "line", None), data
    for part in path:
        if isinstance(here, dict) and part in here:
            line, here = line_of(here, part) or line, here[part]
        elif isinstance(here, list) and part.isdigit() and int(part) < len(here):
            line, here = (getattr(here, "lines", None) or [line] * len(here))[int(part)] or line, here[int(part)]
        else:
            break
    return line


def _problem(error, data, name):
    loc = [str(p) for p in error["loc"]]
    path = _user_path(loc)
    message, allowed = error["msg"], None
    if error["type"] == "extra_forbidden":
        options = list(_model_at(loc).model_fields)
        near = difflib.get_close_matches(loc[-1], options, n=1)
        message = "unknown key" + (f"; did you mean '{near[0]}'?" if near else "")
        allowed = options
    elif error["type"] == "value_error":         # a range that is empty or upside down
        message = f"{error['msg'].removeprefix('Value error, ')}, not {preview(error['input'])}"
    elif error["type"] != "missing" and _wanted(path):
        message = f"must be {_wanted(path)}, not {preview(error['input'])}"
    return InputError(message, file=name, line=_line_at(data, path), field=".".join(path), allowed=allowed)


def load_scenario(path):
    """Read and validate a scenario file; raise InputErrors with file and line."""
    data, name = load_mapping(path, "scenario file")
    try:
        scenario = Scenario(**data)
    except ValidationError as exc:
        # one problem per place (a union fails once per branch; a range's own check says most)
        unique = {}
        for error in sorted(exc.errors(), key=lambda e: e["type"] != "value_error"):
            problem = _problem(error, data, name)
            unique.setdefault(problem.field, problem)
        # a problem inside a value says more than the same value failing as a whole
        deepest = [p for f, p in unique.items() if not any(o.startswith(f + ".") for o in unique)]
        raise InputErrors(deepest)
    unknown = [s for s in scenario.sources if s not in vocabulary().sources]
    if unknown:
        raise InputError(f"unknown source id(s): {', '.join(preview(u) for u in unknown[:5])}", file=name,
                         line=line_of(data, "sources"), field="sources")
    for part in LIST_KEYS:
        spec = getattr(scenario.expect, part)
        if spec is not None and spec.top is not None and part not in TOP_PARTS:
            raise InputError(f"'top' means nothing here: the order of {part} is not a ranking "
                             f"(only {', '.join(TOP_PARTS)} is ranked); use 'includes'", file=name,
                             line=line_of(data["expect"].get(part), "top"), field=f"expect.{part}.top")
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
                problems.append(f"{part}: expected {preview(spec)}, got {preview(actual)}")
        elif part in OBJECTS:
            if not isinstance(spec, dict):
                spec = {SHORTHAND.get(part, "approach"): spec}
            for key, expected in spec.items():
                if not _value_matches(expected, actual.get(key)):
                    problems.append(f"{part}.{key}: expected {preview(expected)}, got {preview(actual.get(key))}")
        else:
            key = LIST_KEYS[part]
            ids = [_item_id(i, key) for i in actual]
            for expected in spec.get("includes", []):
                if not any(_item_matches(expected, i, key) for i in actual):
                    problems.append(f"{part}: expected to include {preview(expected)}; got {ids}")
            for expected in spec.get("excludes", []):
                if any(_item_matches(expected, i, key) for i in actual):
                    problems.append(f"{part}: expected not to include {preview(expected)}")
            top = spec.get("top", [])
            if top and set(ids[:len(top)]) != set(top):
                problems.append(f"{part}: expected first {top}, got {ids[:len(top)]}")
            if "count" in spec and not _value_matches(spec["count"], len(actual)):
                problems.append(f"{part}: expected count {preview(spec['count'])}, got {len(actual)}")
    return problems


@dataclass
class ScenarioResult:
    file: str
    name: str
    problems: list
    fired: list = field(default_factory=list)
    error: Optional[InputError] = None      # the file could not be run

    @property
    def passed(self):
        return not self.problems and self.error is None


def scenario_files(paths):
    out = []
    for path in map(Path, paths):
        try:
            if path.is_dir():
                out += sorted(p for p in path.iterdir() if p.suffix == ".yaml")
            else:
                out.append(path)
        except OSError as exc:
            raise InputError(f"cannot read the folder: {exc.strerror or exc}", file=str(path)) from None
    return out


def run_scenario(path, advisor):
    from .situation import parse_situation

    scenario, name, data = load_scenario(path)
    situation = parse_situation(data["situation"], name)
    design = advisor.consult(situation).model_dump(mode="json")
    fired = [s["rule"] for s in design["trace"]]
    return ScenarioResult(name, scenario.name, check_design(scenario.expect, design), fired)


def run_scenarios(files, advisor):
    """Run every file; a file with bad input becomes a result with its `error`."""
    results = []
    for path in files:
        try:
            results.append(run_scenario(path, advisor))
        except InputError as error:
            results.append(ScenarioResult(str(path), "", [], error=error))
    return results
