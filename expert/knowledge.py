"""The knowledge base: rule files in rules/*.yaml, validated and linted.

Each file is checked against a pydantic model (shape) and then against the
vocabulary (every field, value, item and source must exist). All problems are
collected and reported together with file, line and rule id.
"""
import difflib
from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import InputError, InputErrors
from .paths import RULES_DIR
from .vocabulary import vocabulary
from .yamlio import line_of, load_mapping

SINGLE = ("level", "category", "scale", "childcare", "result_agreements",
          "execution_approach", "lead_time")
CONDITION_DIMENSIONS = tuple(d for d in SINGLE if d != "lead_time")
OPEN_ITEMS = ("director_role", "preconditions", "risks", "recruitment", "execution_approach")
COMPARISONS = ("gte", "gt", "lte", "lt")
STATUSES = ("met", "not_met", "unknown")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang):
        return getattr(self, lang)


class RiskText(_Strict):
    text: Text
    mitigation: Text


class Items(_Strict):
    director_role: dict[str, Text] = {}
    preconditions: dict[str, Text] = {}
    risks: dict[str, RiskText] = {}
    recruitment: dict[str, Text] = {}
    execution_approach: dict[str, Text] = {}


class ChannelConclusion(_Strict):
    channel: str
    weight: int = Field(ge=1, le=100)


class PreconditionConclusion(_Strict):
    id: str
    status: Optional[Literal["met", "not_met", "unknown"]] = None
    met_when: Optional[dict[str, Any]] = None

    @model_validator(mode="after")
    def _one_way(self):
        if (self.status is None) == (self.met_when is None):
            raise ValueError("give either 'status' or 'met_when'")
        return self


class ReferenceConclusion(_Strict):
    id: str
    resemblance: Text


class LeadTime(_Strict):
    min_months: int = Field(ge=1, le=120)
    recommended_months: int = Field(ge=1, le=120)

    @model_validator(mode="after")
    def _ordered(self):
        if self.recommended_months < self.min_months:
            raise ValueError("recommended_months must be at least min_months")
        return self


class Then(_Strict):
    level: Optional[str] = None
    category: Optional[str] = None
    scale: Optional[str] = None
    childcare: Optional[str] = None
    result_agreements: Optional[str] = None
    execution_approach: Optional[str] = None
    lead_time: Optional[LeadTime] = None
    recruitment: list[ChannelConclusion] = []
    director_role: list[str] = []
    preconditions: list[PreconditionConclusion] = []
    risks: list[str] = []
    reference_projects: list[ReferenceConclusion] = []

    def singles(self):
        """The single-valued conclusions as {dimension: hashable value}."""
        out = {}
        for dim in SINGLE:
            value = getattr(self, dim)
            if value is not None:
                out[dim] = (value.min_months, value.recommended_months) if dim == "lead_time" else value
        return out


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    when: dict[str, Any] = {}
    then: Then
    priority: Optional[int] = Field(None, ge=0, le=99)
    because: Text
    assumes: Optional[Text] = None
    sources: list[str] = Field(min_length=1)


class RuleFile(_Strict):
    about: Text
    items: Items = Items()
    rules: list[RuleSpec] = []


# --- parsed conditions -------------------------------------------------------

@dataclass(frozen=True)
class Test:
    """One atomic condition on a field: op is eq, in, not_in, gte, gt, lte, lt, known, unknown."""
    field: str
    op: str
    value: Any = None

    def negated(self):
        """The test that holds when the field is known and this test fails."""
        flip = {"eq": "not_in", "in": "not_in", "not_in": "in", "gte": "lt", "gt": "lte",
                "lte": "gt", "lt": "gte"}
        value = (self.value,) if self.op == "eq" else self.value
        return Test(self.field, flip[self.op], value)


@dataclass(frozen=True)
class Conditions:
    tests: tuple = ()
    any_of: tuple = ()      # tuple of Conditions: at least one holds
    unless: Optional["Conditions"] = None

    def fields(self):
        out = [t.field for t in self.tests]
        for alt in self.any_of:
            out += alt.fields()
        if self.unless:
            out += self.unless.fields()
        return list(dict.fromkeys(out))


@dataclass
class KnowledgeRule:
    spec: RuleSpec
    conditions: Conditions
    file: str
    line: int
    met_when: dict = dc_field(default_factory=dict)   # precondition id -> Conditions

    @property
    def id(self):
        return self.spec.id

    def reads(self):
        fields = self.conditions.fields()
        for cond in self.met_when.values():
            fields += cond.fields()
        return list(dict.fromkeys(fields))

    def concludes(self):
        then = self.spec.then
        dims = list(then.singles())
        dims += [d for d in ("recruitment", "director_role", "preconditions", "risks",
                             "reference_projects") if getattr(then, d)]
        return dims


class KnowledgeBase:
    def __init__(self, rules, items, files):
        self.rules = rules
        self.by_id = {r.id: r for r in rules}
        self.items = items            # dimension -> {id: Text or RiskText}
        self.files = files            # file name -> RuleFile

    def label(self, dimension, value, lang):
        entry = self.items.get(dimension, {}).get(value)
        if isinstance(entry, Text):
            return entry.get(lang)
        if isinstance(entry, RiskText):
            return entry.text.get(lang)
        return vocabulary().value_label(dimension, value, lang)


# --- loading and linting -------------------------------------------------------

class _Linter:
    def __init__(self):
        self.errors = []
        self.voc = vocabulary()

    def error(self, message, file, line, rule=None, field=None, allowed=None):
        prefix = f"rule '{rule}': " if rule else ""
        self.errors.append(InputError(prefix + message, file=file, line=line, field=field,
                                      allowed=allowed))

    def parse_conditions(self, raw, file, line, rule, dims_values):
        if not isinstance(raw, dict):
            self.error("conditions must be a mapping", file, line, rule)
            return Conditions()
        tests, any_of, unless = [], [], None
        for key, value in raw.items():
            key_line = line_of(raw, key) or line
            if key == "any":
                if not isinstance(value, list) or not value:
                    self.error("'any' needs a list of condition maps", file, key_line, rule)
                    continue
                any_of = [self.parse_conditions(alt, file, key_line, rule, dims_values) for alt in value]
            elif key == "unless":
                unless = self.parse_conditions(value, file, key_line, rule, dims_values)
            else:
                test = self.parse_test(key, value, file, key_line, rule, dims_values)
                if test:
                    tests.append(test)
        return Conditions(tuple(tests), tuple(any_of), unless)

    def parse_test(self, name, value, file, line, rule, dims_values):
        fields = self.voc.fields
        if name in fields:
            spec = fields[name]
        elif name in CONDITION_DIMENSIONS:
            spec = {"type": "enum", "values": dims_values[name]}
        else:
            near = difflib.get_close_matches(str(name), list(fields) + list(CONDITION_DIMENSIONS), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            self.error(f"unknown field in condition{hint}", file, line, rule, field=str(name))
            return None
        if isinstance(value, str) and value in ("unknown", "known"):
            return Test(name, value)
        if isinstance(value, dict):
            if len(value) != 1:
                self.error("a condition mapping has exactly one operator", file, line, rule, name,
                           allowed=("in", "not_in", "not") + COMPARISONS)
                return None
            (op, arg), = value.items()
            if op in ("in", "not_in"):
                if not isinstance(arg, list) or not arg:
                    self.error(f"'{op}' needs a non-empty list", file, line, rule, name)
                    return None
                valid = [self.check_value(name, spec, item, file, line, rule) for item in arg]
                return Test(name, op, tuple(arg)) if all(valid) else None
            if op == "not":
                return Test(name, "not_in", (arg,)) if self.check_value(name, spec, arg, file, line, rule) else None
            if op in COMPARISONS:
                if spec["type"] != "int" or isinstance(arg, bool) or not isinstance(arg, int):
                    self.error(f"'{op}' compares whole numbers on a number field", file, line, rule, name)
                    return None
                return Test(name, op, arg)
            self.error(f"unknown operator '{op}'", file, line, rule, name,
                       allowed=("in", "not_in", "not") + COMPARISONS)
            return None
        return Test(name, "eq", value) if self.check_value(name, spec, value, file, line, rule) else None

    def check_value(self, name, spec, value, file, line, rule):
        """Report a value the field cannot take; return whether it is valid."""
        kind = spec["type"]
        if isinstance(value, (list, dict)):
            self.error(f"expects a single value, not {value!r}", file, line, rule, name)
        elif kind == "enum" and value not in spec["values"]:
            self.error(f"unknown value {value!r}", file, line, rule, name, allowed=list(spec["values"]))
        elif kind == "bool" and not isinstance(value, bool):
            self.error(f"expects true or false, not {value!r}", file, line, rule, name)
        elif kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            self.error(f"expects a whole number, not {value!r}", file, line, rule, name)
        else:
            return True
        return False


def _shape_errors(exc, data, file, linter):
    for error in exc.errors():
        loc = error["loc"]
        node, line = data, getattr(data, "line", None)
        for part in loc:
            try:
                node = node[part]
                line = getattr(node, "line", None) or line
            except (KeyError, IndexError, TypeError):
                break
        rule = None
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            try:
                rule = data["rules"][loc[1]].get("id")
                line = line or data["rules"].lines[loc[1]]
            except (KeyError, IndexError, AttributeError, TypeError):
                pass
        where = ".".join(str(p) for p in loc)
        linter.error(f"{where}: {error['msg']}", file, line, rule)


def load_knowledge(rules_dir=RULES_DIR):
    """Load, validate and lint every rule file; raise InputErrors listing all problems."""
    voc = vocabulary()
    linter = _Linter()
    files, raw_files = {}, {}
    for path in sorted(rules_dir.glob("*.yaml")):
        try:
            data, name = load_mapping(path, "rule file")
        except InputError as exc:
            linter.errors.append(exc)
            continue
        name = f"rules/{path.name}"
        try:
            files[name] = RuleFile(**data)
            raw_files[name] = data
        except ValidationError as exc:
            _shape_errors(exc, data, name, linter)
    # Items: the vocabulary's own values plus what rule files add; ids are global.
    items = {dim: {} for dim in OPEN_ITEMS}
    item_origin = {}
    for name, rule_file in files.items():
        for dim in OPEN_ITEMS:
            for item_id, text in getattr(rule_file.items, dim).items():
                base_values = voc.dimensions[dim].get("values") or {}
                if item_id in items[dim] or item_id in base_values:
                    linter.error(f"{dim} item '{item_id}' is defined twice (also in "
                                 f"{item_origin.get((dim, item_id), 'facts/dimensions.yaml')})",
                                 name, line_of(raw_files[name].get("items", {}), dim))
                    continue
                items[dim][item_id] = text
                item_origin[(dim, item_id)] = name
    dims_values = {d: list(voc.dimensions[d].get("values") or {}) + list(items.get(d, {}))
                   for d in CONDITION_DIMENSIONS}
    rules, seen = [], {}
    for name, rule_file in files.items():
        raw_rules = raw_files[name].get("rules", [])
        for index, spec in enumerate(rule_file.rules):
            raw = raw_rules[index]
            line = raw.line
            if spec.id in seen:
                linter.error(f"duplicate rule id (first in {seen[spec.id]})", name, line, spec.id)
                continue
            seen[spec.id] = name
            conditions = linter.parse_conditions(raw.get("when", {}), name, line, spec.id, dims_values)
            rule = KnowledgeRule(spec, conditions, name, line)
            _lint_rule(rule, raw, items, dims_values, linter)
            for pre, raw_pre in zip(spec.then.preconditions, raw["then"].get("preconditions", [])):
                if pre.met_when is not None:
                    parsed = linter.parse_conditions(raw_pre["met_when"], name, raw_pre.line,
                                                     spec.id, dims_values)
                    plain = [t for alt in (parsed, *parsed.any_of) for t in alt.tests]
                    one_test_alternatives = all(len(alt.tests) == 1 and not alt.any_of and not alt.unless
                                                for alt in parsed.any_of)
                    if (parsed.unless or any(t.op in ("known", "unknown") for t in plain)
                            or (parsed.any_of and (parsed.tests or not one_test_alternatives))):
                        linter.error("met_when takes plain value tests (all must hold), or 'any' of "
                                     "single plain tests; no unless/known/unknown",
                                     name, raw_pre.line, spec.id)
                    rule.met_when[pre.id] = parsed
            rules.append(rule)
    if linter.errors:
        raise InputErrors(linter.errors)
    return KnowledgeBase(rules, items, files)


def _lint_rule(rule, raw, items, dims_values, linter):
    spec, voc = rule.spec, vocabulary()
    file, line = rule.file, rule.line
    for source in spec.sources:
        if source not in voc.sources:
            near = difflib.get_close_matches(source, list(voc.sources), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            linter.error(f"unknown source id '{source}'{hint}", file, line, spec.id, "sources")
    singles = spec.then.singles()
    if not rule.concludes():
        linter.error("concludes nothing; give at least one conclusion under 'then'", file, line, spec.id)
    if singles and spec.priority is None:
        linter.error("concludes a single-valued dimension, so it needs a 'priority'", file, line, spec.id)
    if not singles and spec.priority is not None:
        linter.error("'priority' only applies to rules that conclude a single-valued dimension",
                     file, line, spec.id)
    for dim, value in singles.items():
        if dim != "lead_time" and value not in dims_values[dim]:
            linter.error(f"unknown value {value!r} for '{dim}'", file, line, spec.id, dim,
                         allowed=dims_values[dim])
    channels = set(voc.dimensions["recruitment"]["values"]) | set(items["recruitment"])
    for conclusion in spec.then.recruitment:
        if conclusion.channel not in channels:
            linter.error(f"unknown channel '{conclusion.channel}'", file, line, spec.id, "recruitment")
    for dim, ids in (("director_role", spec.then.director_role), ("risks", spec.then.risks),
                     ("preconditions", [p.id for p in spec.then.preconditions])):
        for item_id in ids:
            if item_id not in items[dim]:
                linter.error(f"{dim} item '{item_id}' is not defined in any rule file's items",
                             file, line, spec.id, dim)
    for ref in spec.then.reference_projects:
        if ref.id not in voc.sources or ".project." not in ref.id:
            linter.error(f"reference project '{ref.id}' is not a project source id", file, line,
                         spec.id, "reference_projects")


@lru_cache(maxsize=1)
def knowledge_base():
    return load_knowledge()
