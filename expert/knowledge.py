"""The knowledge base: rule files in rules/*.yaml, validated and linted.

Each file is checked against a pydantic model (shape) and then against the
vocabulary (every field, value, item and source must exist). All problems are
collected and reported together with file, line and rule id. The models of what a
rule may conclude (`Then`) and of the items a file may add (`Items`) are generated
from facts/dimensions.yaml, so a new dimension needs no code here.

A file holds plain rules and decision tables. A decision table is a lookup written
as rows (inputs, one single-valued output, each row with its reason and sources);
every row becomes an ordinary rule with the row's id, so tables compile to the same
experta rules and show in the trace like any other rule.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from pathlib import Path
from collections.abc import Callable
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from . import kbcache
from .conditions import ConditionParser, Conditions, When, conditions_from_data, conditions_to_data
from .errors import InputError, InputErrors
from .modelgen import dict_of, list_of, make_model
from .paths import facts_dir, rules_dir as default_rules_dir
from .suggest import did_you_mean
from .vocabulary import Dimension, Titles, registry, vocabulary
from .yamlio import LineDict, line_of, load_mapping

Status = Literal["met", "not_met", "unknown"]
STATUSES: tuple[Status, ...] = ("met", "not_met", "unknown")

# Named precedence levels for single-valued conclusions: the highest-priority rule that
# fires wins. `level+N` (N = 1..4) orders two rules of one level that can both fire.
PRIORITY_LEVELS = {"fallback": 10, "table": 20, "refined": 25, "specific": 30, "exception": 35,
                   "stated": 40}
PRIORITY_PATTERN = r"^(" + "|".join(PRIORITY_LEVELS) + r")(\+[1-4])?$"


def check_priority(priority: Union[int, str, None]) -> Union[int, str, None]:
    """Priorities are named levels (rules/README.md), not bare numbers."""
    if isinstance(priority, str) and not re.match(PRIORITY_PATTERN, priority):
        raise ValueError(f"priority '{priority}' is not a level: use one of "
                         f"{', '.join(PRIORITY_LEVELS)} (optionally +1..+4)")
    if isinstance(priority, int):
        raise ValueError(f"write the priority as a named level ({', '.join(PRIORITY_LEVELS)}, "
                         f"optionally +1..+4), not the number {priority}")
    return priority


def priority_rank(priority: Union[str, int, None]) -> Optional[int]:
    """The number a named priority stands for (ints are the old, bare form)."""
    if priority is None or isinstance(priority, int):
        return priority
    match = re.match(PRIORITY_PATTERN, priority)
    assert match, priority
    return PRIORITY_LEVELS[match.group(1)] + int((match.group(2) or "+0")[1:])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# A text in both languages: the same model as the vocabulary's titles.
Text = Titles


class RiskText(_Strict):
    text: Text
    mitigation: Text


class ChannelConclusion(_Strict):
    channel: str
    weight: int = Field(ge=1, le=100)


class PreconditionConclusion(_Strict):
    id: str
    status: Optional[Status] = None
    met_when: Optional[dict[str, Any]] = None

    @model_validator(mode="after")
    def _one_way(self) -> PreconditionConclusion:
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
    def _ordered(self) -> LeadTime:
        if self.recommended_months < self.min_months:
            raise ValueError("recommended_months must be at least min_months")
        return self


# How a multi-valued dimension's items are concluded in `then`, per item kind.
CONCLUSION_OF_ITEM = {"channel": ChannelConclusion, "text": str, "precondition": PreconditionConclusion,
                      "risk": str, "reference": ReferenceConclusion}


class _ThenBase(_Strict):
    def singles(self) -> dict[str, Any]:
        """The single-valued conclusions as {dimension: hashable value}."""
        out = {}
        for dim in registry().single():
            value = getattr(self, dim)
            if value is not None:
                out[dim] = (value.min_months, value.recommended_months) if isinstance(value, LeadTime) else value
        return out

    def multi(self, dimension: str) -> list:
        return getattr(self, dimension)


def _conclusion_type(dim: Dimension) -> tuple[Any, Any]:
    if dim.kind == "single":
        return (Optional[LeadTime] if dim.value_type == "months" else Optional[str]), None
    return list_of(CONCLUSION_OF_ITEM[dim.item or "text"]), []


@lru_cache(maxsize=1)
def then_model() -> Any:
    fields = {name: _conclusion_type(dim) for name, dim in registry().dimensions.items()}
    return make_model("Then", _ThenBase, fields)


@lru_cache(maxsize=1)
def items_model() -> Any:
    fields: dict[str, Any] = {name: (dict_of(str, RiskText if dim.item == "risk" else Text), {})
              for name, dim in registry().dimensions.items() if dim.open}
    return make_model("Items", _Strict, fields)


class RuleSpecBase(_Strict):
    """A rule as written; `then` is added from the registry by `rule_spec_model()`."""
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    when: dict[str, Any] = Field({}, description="the condition map; its grammar is the When model")
    priority: Optional[Union[int, str]] = None
    because: Text
    assumes: Optional[Text] = None
    sources: list[str] = Field(min_length=1)

    @field_validator("priority")
    @classmethod
    def _named(cls, priority: Union[int, str, None]) -> Union[int, str, None]:
        return check_priority(priority)

    @property
    def rank(self) -> Optional[int]:
        return priority_rank(self.priority)



@lru_cache(maxsize=1)
def rule_spec_model() -> Any:
    return make_model("RuleSpec", RuleSpecBase, {"then": (then_model(), ...)})


class TableSpec(_Strict):
    """A decision table: rows of input values that each decide one single-valued output."""
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    when: dict[str, Any] = Field({}, description="conditions every row shares")
    inputs: list[str] = Field(min_length=1)
    output: str
    hit_policy: Literal["unique", "any"] = Field(
        "unique", description="unique: no two rows can hold at once; any: rows that can "
                              "hold at once give the same output")
    priority: Union[int, str]
    rows: list[dict[str, Any]] = Field(min_length=1)

    @field_validator("priority")
    @classmethod
    def _named(cls, priority: Union[int, str]) -> Union[int, str, None]:
        return check_priority(priority)


class RuleFileBase(_Strict):
    about: Text
    tables: list[TableSpec] = []


@lru_cache(maxsize=1)
def rule_file_model() -> Any:
    return make_model("RuleFile", RuleFileBase, {"items": (items_model(), items_model()()),
                                                 "rules": (list_of(rule_spec_model()), [])})


def __getattr__(name: str) -> Any:
    # `RuleFile` and `RuleSpec` are generated from the registry on first use
    models = {"RuleFile": rule_file_model, "RuleSpec": rule_spec_model, "Then": then_model, "Items": items_model}
    if name in models:
        return models[name]()
    raise AttributeError(name)


def rules_json_schema() -> dict:
    """The JSON Schema of a rule file, with the condition grammar and conclusions spelled out."""
    schema = rule_file_model().model_json_schema()
    defs = schema.setdefault("$defs", {})
    when = When.model_json_schema(ref_template="#/$defs/{model}")
    defs.update(when.pop("$defs", {}))
    if "$ref" not in when:           # a recursive model comes back as a reference into its $defs
        defs["When"] = when
    defs["RuleSpec"]["properties"]["when"] = {"$ref": "#/$defs/When"}
    defs["TableSpec"]["properties"]["when"] = {"$ref": "#/$defs/When"}
    return schema


@dataclass
class KnowledgeRule:
    spec: RuleSpecBase
    conditions: Conditions
    file: str
    line: int
    met_when: dict[str, Conditions] = dc_field(default_factory=dict)   # precondition id -> conditions
    table: Optional[str] = None                                        # the decision table it is a row of
    _reads: Optional[tuple[str, ...]] = dc_field(default=None, repr=False, compare=False)
    _singles: Optional[dict[str, Any]] = dc_field(default=None, repr=False, compare=False)
    _multi: Optional[tuple[str, ...]] = dc_field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def then(self) -> _ThenBase:
        return self.spec.then  # type: ignore[attr-defined]  # the generated field

    @property
    def priority(self) -> int:
        return self.spec.rank or 0

    def reads(self) -> list[str]:
        """Every field and dimension the rule reads (conditions, then met_when)."""
        if self._reads is None:
            fields = self.conditions.fields()
            for cond in self.met_when.values():
                fields += cond.fields()
            self._reads = tuple(dict.fromkeys(fields))
        return list(self._reads)

    def singles(self) -> dict[str, Any]:
        """The single-valued conclusions as {dimension: hashable value}."""
        if self._singles is None:
            self._singles = self.then.singles()
        return dict(self._singles)

    def multi_concluded(self) -> tuple[str, ...]:
        """The multi-valued dimensions it adds items to."""
        if self._multi is None:
            self._multi = tuple(d for d in registry().multi() if self.then.multi(d))
        return self._multi

    def concludes(self) -> list[str]:
        return list(self.singles()) + list(self.multi_concluded())

    def finish(self) -> None:
        """Compute what is read and concluded once, when the rule is complete."""
        self._reads = self._singles = self._multi = None
        self.reads()
        self.singles()
        self.multi_concluded()


class KnowledgeBase:
    def __init__(self, rules: list[KnowledgeRule], items: dict[str, dict],
                 files: Union[dict[str, RuleFileBase], Callable[[], dict[str, RuleFileBase]]]):
        self.rules = rules
        self.by_id = {r.id: r for r in rules}
        self.items = items            # dimension -> {id: Text or RiskText}
        self._files = files           # file name -> RuleFile, or what reads them when first asked

    @property
    def files(self) -> dict[str, RuleFileBase]:
        """The rule files as validated models (read on first use when loaded from the cache)."""
        if callable(self._files):
            self._files = self._files()
        return self._files

    def subset(self, rules: list[KnowledgeRule]) -> KnowledgeBase:
        subset = KnowledgeBase(rules, self.items, {})
        subset._files = lambda: self.files
        return subset

    def label(self, dimension: str, value: Any, lang: str) -> str:
        entry = self.items.get(dimension, {}).get(value)
        if isinstance(entry, Text):
            return entry.get(lang)
        if isinstance(entry, RiskText):
            return entry.text.get(lang)
        return vocabulary().value_label(dimension, value, lang)


# --- loading and linting -------------------------------------------------------

class _Linter:
    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def error(self, message: str, file: str, line: Optional[int], rule: Optional[str] = None,
              field: Optional[str] = None, allowed: Any = None) -> None:
        prefix = f"rule '{rule}': " if rule else ""
        self.errors.append(InputError(prefix + message, file=file, line=line, field=field, allowed=allowed))

    def parser(self, file: str, rule: str, dims_values: dict[str, list]) -> ConditionParser:
        fields = vocabulary().fields

        def spec_of(name: str) -> Optional[dict]:
            if name in fields:
                return fields[name]
            if name in dims_values:
                return {"type": "enum", "values": dims_values[name]}
            return None

        def report(message: str, line: Optional[int] = None, field: Optional[str] = None,
                   allowed: Any = None) -> None:
            self.error(message, file, line, rule, field=field, allowed=allowed)

        return ConditionParser(spec_of, list(fields) + list(dims_values), report, line_of)


def _shape_errors(exc: ValidationError, data: Any, file: str, linter: _Linter, base: tuple = ()) -> None:
    for error in exc.errors():
        loc = base + tuple(error["loc"])
        node, line = data, getattr(data, "line", None)
        for part in loc:
            try:
                node = node[part]
                line = getattr(node, "line", None) or line
            except (KeyError, IndexError, TypeError):
                break
        rule = None
        if len(loc) >= 2 and loc[0] in ("rules", "tables") and isinstance(loc[1], int):
            try:
                rule = data[loc[0]][loc[1]].get("id")
                line = line or data[loc[0]].lines[loc[1]]
            except (KeyError, IndexError, AttributeError, TypeError):
                pass
        where = ".".join(str(p) for p in loc)
        linter.error(f"{where}: {error['msg']}", file, line, rule)


def _cell_values(cell: Any, spec: dict) -> Optional[set]:
    """The values of a field's finite domain for which a table cell holds (None: any)."""
    if spec["type"] == "enum":
        domain: list = list(spec["values"])
    elif spec["type"] == "bool":
        domain = [True, False]
    else:
        domain = list(range(spec["min"], spec["max"] + 1))
    parsed = ConditionParser(lambda n: spec, [], lambda *a, **k: None, line_of).parse_test("x", cell, None)
    if parsed is None:
        return None
    return {v for v in domain if parsed.holds({"x": v})}


def _table_specs(table: TableSpec, line: int, file: str, linter: _Linter,
                 dims_values: dict[str, list]) -> Optional[dict[str, dict]]:
    """The field spec of each input column, or None (reported) when the table is malformed."""
    reg = registry()
    output = reg.dimensions.get(table.output)
    if output is None or output.kind != "single":
        linter.error(f"table output '{table.output}' is not a single-valued dimension", file, line,
                     table.id, "output", allowed=reg.single())
        return None
    fields = vocabulary().fields
    specs = {}
    for name in table.inputs:
        spec = fields.get(name) or ({"type": "enum", "values": dims_values[name]} if name in dims_values else None)
        if spec is None:
            linter.error(f"unknown table input{did_you_mean(name, list(fields) + list(dims_values))}",
                         file, line, table.id, name)
            return None
        specs[name] = spec
    return specs


def _may_meet(a: Optional[set], b: Optional[set]) -> bool:
    """Whether two cells of one input column can hold for the same value (None: any value)."""
    return a is None or b is None or bool(a & b)


def _row_rule(table: TableSpec, raw: LineDict, raw_row: Any, row_line: int) -> dict:
    """A table row as the plain rule it stands for."""
    given = [k for k in table.inputs if k in raw_row and raw_row[k] != "-"]
    when = LineDict({**table.when, **{k: raw_row[k] for k in given}})
    common = raw.get("when")
    when.lines = {**{k: line_of(common, k) for k in table.when}, **{k: line_of(raw_row, k) for k in given}}
    when.line = row_line
    rule = {"id": raw_row.get("id"), "when": when, "then": {table.output: raw_row.get(table.output)},
            "priority": table.priority, "because": raw_row.get("because"), "sources": raw_row.get("sources")}
    if "assumes" in raw_row:
        rule["assumes"] = raw_row["assumes"]
    return rule


def _expand_table(table: TableSpec, raw: LineDict, file: str, linter: _Linter,
                  dims_values: dict[str, list]) -> list[tuple[dict, int]]:
    """Rows as plain rule mappings (with their lines); rows that break the hit policy reported."""
    line = raw.line or 0
    specs = _table_specs(table, line, file, linter, dims_values)
    if specs is None:
        return []
    allowed_keys = {"id", "because", "assumes", "sources", table.output, *table.inputs}
    rules, cells = [], []
    for raw_row in raw["rows"]:
        row_line = getattr(raw_row, "line", None) or line
        extra = set(raw_row) - allowed_keys
        if extra:
            linter.error(f"row keys {sorted(extra)} are not inputs of the table", file, row_line,
                         raw_row.get("id", table.id), allowed=sorted(allowed_keys))
            continue
        rules.append((_row_rule(table, raw, raw_row, row_line), row_line))
        holds = {k: _cell_values(raw_row[k], specs[k]) for k in table.inputs if raw_row.get(k, "-") != "-"}
        cells.append((raw_row.get("id"), raw_row.get(table.output), holds))
    for index, (id_a, out_a, cells_a) in enumerate(cells):
        for id_b, out_b, cells_b in cells[index + 1:]:
            # two rows can both hold when, for every input, some value satisfies both cells
            overlap = all(_may_meet(cells_a.get(k), cells_b.get(k)) for k in table.inputs)
            if overlap and (table.hit_policy == "unique" or out_a != out_b):
                linter.error(f"rows '{id_a}' and '{id_b}' can both hold (hit policy {table.hit_policy})",
                             file, line, table.id)
    return rules


def load_knowledge(rules_dir: Optional[Path] = None) -> KnowledgeBase:
    """Load, validate and lint every rule file; raise InputErrors listing all problems.
    A base that loaded without problems before, from the same files and program, comes
    from the cache (kbcache)."""
    folder = Path(rules_dir) if rules_dir else default_rules_dir()
    try:
        key: Optional[str] = kbcache.kb_key(sorted(folder.glob("*.yaml")), facts_dir())
    except OSError:
        key = None
    cached = _from_cache(kbcache.read_json(f"kb-{key}.json"), folder) if key else None
    if cached is not None:
        return cached
    kb = _load_and_lint(folder)
    if key:
        kbcache.write_json(f"kb-{key}.json", _to_cache(kb))
    return kb


def _to_cache(kb: KnowledgeBase) -> dict[str, Any]:
    # exclude_unset: the spec as written, so validating it again gives the same model
    # (defaults and fields set included)
    return {"rules": [{"spec": r.spec.model_dump(mode="json", exclude_unset=True),
                       "when": conditions_to_data(r.conditions),
                       "file": r.file, "line": r.line, "table": r.table,
                       "met_when": {k: conditions_to_data(v) for k, v in r.met_when.items()}}
                      for r in kb.rules],
            "items": {dim: {k: v.model_dump(mode="json") for k, v in entries.items()}
                      for dim, entries in kb.items.items()}}


def _from_cache(data: Any, folder: Path) -> Optional[KnowledgeBase]:
    """The knowledge base from cached data; None when the data is not what we wrote."""
    if data is None:
        return None
    reg = registry()
    try:
        spec_list: Any = list[rule_spec_model()]          # type: ignore[misc]  # a generated model
        specs: list[Any] = TypeAdapter(spec_list).validate_python([r["spec"] for r in data["rules"]])
        items = {dim: {k: (RiskText if reg.dimensions[dim].item == "risk" else Text).model_validate(v)
                       for k, v in entries.items()}
                 for dim, entries in data["items"].items()}
        rules = []
        for spec, raw in zip(specs, data["rules"]):
            rule = KnowledgeRule(spec, conditions_from_data(raw["when"]), raw["file"], raw["line"],
                                 {k: conditions_from_data(v) for k, v in raw["met_when"].items()},
                                 raw["table"])
            rule.finish()
            rules.append(rule)
    except (ValidationError, KeyError, TypeError, ValueError, AttributeError):
        return None

    def files() -> dict[str, RuleFileBase]:
        return _read_files(folder, _Linter())[0]
    return KnowledgeBase(rules, items, files)


def _load_and_lint(folder: Path) -> KnowledgeBase:
    reg = registry()
    linter = _Linter()
    files, raw_files = _read_files(folder, linter)
    items = _collect_items(files, raw_files, linter)
    dims_values = {d: list(reg.dimensions[d].values) + list(items.get(d, {})) for d in reg.single()
                   if d in reg.readable}
    rules: list[KnowledgeRule] = []
    seen: dict[str, str] = {}
    for name, rule_file in files.items():
        for spec, raw, table_id in _entries(name, rule_file, raw_files[name], linter, dims_values):
            rule = _parse_rule(spec, raw, name, table_id, linter, dims_values, seen)
            if rule:
                rule.finish()
                _lint_rule(rule, items, dims_values, linter)
                rules.append(rule)
    if linter.errors:
        raise InputErrors(linter.errors)
    return KnowledgeBase(rules, items, files)


def _parsed(paths: list[Path], linter: _Linter) -> list[tuple[Path, Any]]:
    """The parsed rule files, from the cache when every file is unchanged."""
    try:
        key = kbcache.key_of(paths)
    except OSError:
        key = None
    cached = kbcache.read(key) if key else None
    if cached is not None and len(cached) == len(paths):
        return list(zip(paths, cached))
    out = []
    for path in paths:
        try:
            out.append((path, load_mapping(path, "rule file")[0]))
        except InputError as exc:
            linter.errors.append(exc)
    if key and len(out) == len(paths):
        kbcache.write(key, [data for _, data in out])
    return out


def _read_files(folder: Path, linter: _Linter) -> tuple[dict[str, Any], dict[str, Any]]:
    files, raw_files = {}, {}
    for path, data in _parsed(sorted(folder.glob("*.yaml")), linter):
        name = f"rules/{path.name}"
        try:
            files[name] = rule_file_model()(**data)
            raw_files[name] = data
        except ValidationError as exc:
            _shape_errors(exc, data, name, linter)
    return files, raw_files


def _collect_items(files: dict[str, Any], raw_files: dict[str, Any], linter: _Linter) -> dict[str, dict]:
    """The vocabulary's own values plus what rule files add; ids are global."""
    reg = registry()
    items: dict[str, dict] = {dim: {} for dim in reg.open_items()}
    origin: dict[tuple, str] = {}
    for name, rule_file in files.items():
        for dim in reg.open_items():
            for item_id, text in getattr(rule_file.items, dim).items():
                if item_id in items[dim] or item_id in reg.dimensions[dim].values:
                    linter.error(f"{dim} item '{item_id}' is defined twice (also in "
                                 f"{origin.get((dim, item_id), 'facts/dimensions.yaml')})",
                                 name, line_of(raw_files[name].get("items", {}), dim))
                    continue
                items[dim][item_id] = text
                origin[(dim, item_id)] = name
    return items


def _entries(name: str, rule_file: Any, raw_file: Any, linter: _Linter,
             dims_values: dict[str, list]) -> list[tuple[RuleSpecBase, Any, Optional[str]]]:
    """(spec, raw mapping, table id) for the plain rules and every table row of a file."""
    entries: list[tuple[RuleSpecBase, Any, Optional[str]]] = [
        (spec, raw, None) for spec, raw in zip(rule_file.rules, raw_file.get("rules", []))]
    for table, raw_table in zip(rule_file.tables, raw_file.get("tables", [])):
        for row, row_line in _expand_table(table, raw_table, name, linter, dims_values):
            try:
                spec = rule_spec_model()(**row)
            except ValidationError as exc:
                _shape_errors(exc, row, name, linter)
                continue
            raw_row = LineDict(row)
            raw_row.line = row_line
            raw_row["then"] = LineDict(row["then"])
            entries.append((spec, raw_row, table.id))
    return entries


def _parse_rule(spec: RuleSpecBase, raw: Any, name: str, table_id: Optional[str], linter: _Linter,
                dims_values: dict[str, list], seen: dict[str, str]) -> Optional[KnowledgeRule]:
    line = raw.line
    if spec.id in seen:
        linter.error(f"duplicate rule id (first in {seen[spec.id]})", name, line, spec.id)
        return None
    seen[spec.id] = name
    parser = linter.parser(name, spec.id, dims_values)
    rule = KnowledgeRule(spec, parser.parse(raw.get("when", {}), line), name, line, table=table_id)
    raw_pres = raw["then"].get("preconditions", []) if isinstance(raw.get("then"), dict) else []
    pres = [p for d in registry().multi() if registry().dimensions[d].item == "precondition"
            for p in rule.then.multi(d)]
    for pre, raw_pre in zip(pres, raw_pres):
        if pre.met_when is not None:
            pre_line = getattr(raw_pre, "line", line)
            parsed = parser.parse(raw_pre["met_when"], pre_line)
            plain = [t for alt in (parsed, *parsed.any_of) for t in alt.tests]
            one_test_alternatives = all(len(alt.tests) == 1 and not alt.any_of and not alt.unless
                                        for alt in parsed.any_of)
            if (parsed.unless or any(t.op in ("known", "unknown") for t in plain)
                    or (parsed.any_of and (parsed.tests or not one_test_alternatives))):
                linter.error("met_when takes plain value tests (all must hold), or 'any' of "
                             "single plain tests; no unless/known/unknown", name, pre_line, spec.id)
            rule.met_when[pre.id] = parsed
    return rule


def _lint_rule(rule: KnowledgeRule, items: dict[str, dict], dims_values: dict[str, list],
               linter: _Linter) -> None:
    spec, voc, reg = rule.spec, vocabulary(), registry()
    file, line = rule.file, rule.line
    for source in spec.sources:
        if source not in voc.sources:
            linter.error(f"unknown source id '{source}'{did_you_mean(source, voc.sources)}", file, line,
                         spec.id, "sources")
    singles = rule.then.singles()
    if not rule.concludes():
        linter.error("concludes nothing; give at least one conclusion under 'then'", file, line, spec.id)
    if singles and spec.priority is None:
        linter.error("concludes a single-valued dimension, so it needs a 'priority'", file, line, spec.id)
    if not singles and spec.priority is not None:
        linter.error("'priority' only applies to rules that conclude a single-valued dimension",
                     file, line, spec.id)
    for dim, value in singles.items():
        if dim in dims_values and value not in dims_values[dim]:
            linter.error(f"unknown value {value!r} for '{dim}'", file, line, spec.id, dim,
                         allowed=dims_values[dim])
    for dim in reg.multi():
        _lint_items(rule, reg.dimensions[dim], items, linter)


def _lint_items(rule: KnowledgeRule, dim: Dimension, items: dict[str, dict], linter: _Linter) -> None:
    conclusions = rule.then.multi(dim.name)
    if dim.item == "reference":
        sources = vocabulary().sources
        for ref in conclusions:
            if ref.id not in sources or ".project." not in ref.id:
                linter.error(f"reference project '{ref.id}' is not a project source id", rule.file,
                             rule.line, rule.id, dim.name)
        return
    known = set(dim.values) | set(items.get(dim.name, {}))
    for conclusion in conclusions:
        item_id = conclusion if isinstance(conclusion, str) else getattr(conclusion, "channel", None) or conclusion.id
        if item_id not in known:
            what = "unknown channel" if dim.item == "channel" else f"{dim.name} item"
            message = (f"{what} '{item_id}'" if dim.item == "channel"
                       else f"{what} '{item_id}' is not defined in any rule file's items")
            linter.error(message, rule.file, rule.line, rule.id, dim.name)


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    return load_knowledge()
