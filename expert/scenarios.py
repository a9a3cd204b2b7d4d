"""Scenario files: a situation plus the parts of the design the report leads us to expect.

Format: facts/scenarios/README.md. `run_scenarios` returns one result per file: passed,
failed (with the mismatches) or not run (`error`: the file's input problems), so one bad
file never stops the others; each result lists the rules that fired (for coverage).
"""
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, model_validator

from .errors import InputError, InputErrors, preview
from .modelgen import make_model
from .suggest import did_you_mean
from .vocabulary import registry, vocabulary
from .yamlio import line_of, load_mapping

# lists in the design beyond its parts -> how their items are identified
OTHER_LISTS = {"open_questions": "field", "assumptions": "text", "undecided": None, "trace": "rule",
               "conflicts": "dimension"}
ITEM_KEY = {"channel": "channel", "text": "id", "precondition": "id", "risk": "id", "reference": None}


def list_keys() -> dict:
    """design list -> the key that identifies its items (None: the items are ids)."""
    reg = registry()
    keys = {d: ITEM_KEY[reg.dimensions[d].item or "text"] for d in reg.multi()}
    return {**keys, **OTHER_LISTS}


def ranked_lists() -> list[str]:
    """The lists whose order is a ranking (channels), where `top` means something."""
    return [d for d in registry().multi() if registry().dimensions[d].item == "channel"]


# a list item is named by its id, or by a partial mapping of plain values
Scalar = Union[StrictStr, StrictInt, bool, None]
ItemExpect = Union[StrictStr, dict[StrictStr, Union[Scalar, list[Scalar]]]]


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


def _object_expect(part) -> Any:
    fields: dict = {}
    for name in part.dimensions:
        dim = registry().dimensions[name]
        if dim.value_type == "months":
            fields.update(min_months=(Optional[Union[StrictInt, Bounds]], None),
                          recommended_months=(Optional[Union[StrictInt, Bounds]], None))
        else:
            fields[dim.key or "value"] = (Optional[str], None)
    return make_model(f"{part.name.title().replace('_', '')}Expect", _Strict, fields)


def shorthand_key(part) -> Optional[str]:
    """An object part with one coded value may be expected as that value alone
    (`childcare: children_come_along`)."""
    dims = [registry().dimensions[d] for d in part.dimensions]
    if len(dims) == 1 and dims[0].value_type == "code":
        return dims[0].key or "value"
    return None


@lru_cache(maxsize=1)
def expect_models() -> dict[str, Any]:
    """Object part -> its expectation model."""
    return {p.name: _object_expect(p) for p in registry().parts.values() if p.shape == "object"}


@lru_cache(maxsize=1)
def expect_model() -> Any:
    """What a scenario may expect of a design, generated from the registry."""
    fields: dict = {}
    for part in registry().parts.values():
        if part.shape == "top":
            fields.update({registry().dimensions[d].key or d: (Optional[str], None) for d in part.dimensions})
        elif part.shape == "object":
            model = expect_models()[part.name]
            fields[part.name] = (Optional[Union[str, model]] if shorthand_key(part) else Optional[model], None)
        else:
            fields.update({d: (Optional[ListExpect], None) for d in part.dimensions})
    fields.update({name: (Optional[ListExpect], None) for name in OTHER_LISTS})
    return make_model("Expect", _Strict, fields)


class ScenarioBase(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    sources: list[str] = Field(min_length=1)
    situation: dict


@lru_cache(maxsize=1)
def scenario_model() -> Any:
    return make_model("Scenario", ScenarioBase, {"expect": (expect_model(), ...)})


def __getattr__(name: str):
    # `Expect` and `Scenario` are generated from the registry on first use
    if name == "Expect":
        return expect_model()
    if name == "Scenario":
        return scenario_model()
    raise AttributeError(name)


def _model_at(loc):
    """The model whose keys a nested error location refers to (for 'did you mean')."""
    # a union field's error location names the branch model ('ChildcareExpect', 'Bounds')
    models = {"Bounds": Bounds, **{m.__name__: m for m in expect_models().values()}}
    by_field = {**expect_models(), **{k: ListExpect for k in list_keys()}}
    for part in reversed(loc[:-1]):
        if part in models or part in by_field:
            return models.get(part) or by_field[part]
    return expect_model() if loc[0] == "expect" else scenario_model()


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
    if any(len(path) > n and path[-n - 1] in ("includes", "excludes") for n in (2, 3)):
        return "a plain value (text, a whole number, true/false or null) or a list of them"
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
        message = "unknown key" + did_you_mean(loc[-1], options)
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
        scenario = scenario_model()(**data)
    except ValidationError as exc:
        # one problem per place (a union fails once per branch; a range's own check says most)
        unique: dict = {}
        for error in sorted(exc.errors(), key=lambda e: e["type"] != "value_error"):
            problem = _problem(error, data, name)
            unique.setdefault(problem.field, problem)
        # a problem inside a value says more than the same value failing as a whole
        deepest = [p for f, p in unique.items() if not any(o.startswith(f + ".") for o in unique)]
        raise InputErrors(deepest) from None
    unknown = [s for s in scenario.sources if s not in vocabulary().sources]
    if unknown:
        raise InputError(f"unknown source id(s): {', '.join(preview(u) for u in unknown[:5])}", file=name,
                         line=line_of(data, "sources"), field="sources")
    for part in list_keys():
        spec = getattr(scenario.expect, part)
        if spec is not None and spec.top is not None and part not in ranked_lists():
            raise InputError(f"'top' means nothing here: the order of {part} is not a ranking "
                             f"(only {', '.join(ranked_lists())} is ranked); use 'includes'", file=name,
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
    reg = registry()
    top_keys = {reg.dimensions[d].key or d for p in reg.parts.values() if p.shape == "top" for d in p.dimensions}
    keys = list_keys()
    for part, spec in expect.model_dump(exclude_none=True).items():
        actual = design.get(part)
        if part in top_keys:
            if spec != actual:
                problems.append(f"{part}: expected {preview(spec)}, got {preview(actual)}")
        elif part in reg.parts and reg.parts[part].shape == "object":
            if not isinstance(spec, dict):
                spec = {shorthand_key(reg.parts[part]): spec}
            for key, expected in spec.items():
                if not _value_matches(expected, actual.get(key)):
                    problems.append(f"{part}.{key}: expected {preview(expected)}, got {preview(actual.get(key))}")
        else:
            problems += _check_list(part, spec, actual, keys[part])
    return problems


def _check_list(part, spec, actual, key):
    problems = []
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
    """Run every file (design or review scenarios); a file with bad input becomes a result
    with its `error`."""
    from .review import run_scenario_file

    results = []
    for path in files:
        try:
            results.append(run_scenario_file(path, advisor))
        except InputError as error:
            results.append(ScenarioResult(str(path), "", [], error=error))
    return results
