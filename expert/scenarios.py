"""Scenario files: a situation plus the parts of the design the report leads us to expect.

Format: facts/scenarios/README.md. `run_scenarios` returns per-file results and the
rules that fired across all of them (for coverage).
"""
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError, InputErrors
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


def _object_expect(part) -> Any:
    fields: dict = {}
    for name in part.dimensions:
        dim = registry().dimensions[name]
        if dim.value_type == "months":
            fields.update(min_months=(Optional[Union[int, Bounds]], None),
                          recommended_months=(Optional[Union[int, Bounds]], None))
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


def __getattr__(name: str):
    # `Expect` and `Scenario` are generated from the registry on first use
    if name == "Expect":
        return expect_model()
    if name == "Scenario":
        return scenario_model()
    raise AttributeError(name)


class ScenarioBase(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    sources: list[str] = Field(min_length=1)
    situation: dict


@lru_cache(maxsize=1)
def scenario_model() -> Any:
    return make_model("Scenario", ScenarioBase, {"expect": (expect_model(), ...)})


def _model_at(loc):
    """The model whose keys a nested error location refers to (for 'did you mean')."""
    # a union field's error location names the branch model ('ChildcareExpect', 'Bounds')
    models = {"Bounds": Bounds, **{m.__name__: m for m in expect_models().values()}}
    by_field = {**expect_models(), **{k: ListExpect for k in list_keys()}}
    for part in reversed(loc[:-1]):
        if part in models or part in by_field:
            return models.get(part) or by_field[part]
    return expect_model() if loc[0] == "expect" else scenario_model()


def load_scenario(path):
    """Read and validate a scenario file; raise InputErrors with file and line."""
    data, name = load_mapping(path, "scenario file")
    try:
        scenario = scenario_model()(**data)
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
                message = "unknown key" + did_you_mean(loc[-1], options)
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
    reg = registry()
    top_keys = {reg.dimensions[d].key or d for p in reg.parts.values() if p.shape == "top" for d in p.dimensions}
    keys = list_keys()
    for part, spec in expect.model_dump(exclude_none=True).items():
        actual = design.get(part)
        if part in top_keys:
            if spec != actual:
                problems.append(f"{part}: expected {spec!r}, got {actual!r}")
        elif part in reg.parts and reg.parts[part].shape == "object":
            if not isinstance(spec, dict):
                spec = {shorthand_key(reg.parts[part]): spec}
            for key, expected in spec.items():
                if not _value_matches(expected, actual.get(key)):
                    problems.append(f"{part}.{key}: expected {expected!r}, got {actual.get(key)!r}")
        else:
            problems += _check_list(part, spec, actual, keys[part])
    return problems


def _check_list(part, spec, actual, key):
    problems = []
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
