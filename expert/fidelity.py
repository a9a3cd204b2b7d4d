"""Fidelity checks: advice that the reports would not give for the situation.

Four checks over the whole input domain, by reasoning on the parsed conditions
(no engine runs), with the data in `facts/channel_prerequisites.yaml`:

(a) a recruitment channel that needs a resource (key figures, a usable benefit
    registry, ...) is never recommended when the situation says the resource is
    absent, and for every group that uses the channel some rule names how to
    build the resource whenever it is absent;
(b) every project kind a design can decide (women: `category`; other groups:
    `execution_approach`) comes with a comparable project, or with an item that
    says plainly that the reports describe none;
(c) two items declared as contradicting each other never end up in one design;
(d) a rule that fires because a fact is unknown states its assumption.

The search assigns every field a value or "unknown" (None). A derived dimension
value carries what every rule deciding it requires (category low_high implies
intermediaries_available: true), so an input that cannot produce the value is
not counted. Rules deciding a dimension may be overruled at run time; treating
them as possible keeps the checks on the safe side.

`design_findings` checks one finished design against the same data; the tests run
it over every scenario and example.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from collections.abc import Iterator

from .conditions import Conditions, Test
from .knowledge import KnowledgeBase, KnowledgeRule
from .paths import facts_dir
from .vocabulary import registry, vocabulary
from .yamlio import load_mapping

DATA_NAME = "channel_prerequisites.yaml"     # in the facts folder
KIND = {"women": "category"}            # the dimension naming the kind of project; others: execution_approach
ITEM_DIMENSIONS = ("director_role", "preconditions", "risks")


# --------------------------------------------------------------------------- data

@dataclass(frozen=True)
class Prerequisite:
    channel: str
    field: str
    absent: tuple
    build: tuple          # ("director_role", id) or ("preconditions", id)


@dataclass(frozen=True)
class FidelityData:
    prerequisites: tuple
    contradictions: tuple  # ((dim, id), (dim, id)) pairs
    no_reference_items: tuple


def _ref(text: str) -> tuple:
    dim, _, item = str(text).partition(".")
    return dim, item


def load_data(path: Optional[Path] = None) -> FidelityData:
    data, _ = load_mapping(path or facts_dir() / DATA_NAME, "channel prerequisites")
    prereqs = tuple(Prerequisite(channel, spec["field"], tuple(spec["absent"]),
                                 tuple(_ref(b) for b in spec.get("build", [])))
                    for channel, spec in (data.get("channels") or {}).items())
    pairs = []
    for item, spec in (data.get("contradicts") or {}).items():
        for other in spec["items"]:
            pairs.append((_ref(item), _ref(other)))
    return FidelityData(prereqs, tuple(pairs), tuple(_ref(i) for i in data.get("no_reference_items", [])))


# --------------------------------------------------------------------------- evaluation

def holds(test: Test, value: Any) -> bool:
    """Whether a test holds for a field value (None = unknown); the operator's own meaning."""
    return test.holds({} if value is None else {test.field: value})


def fires(cond: Conditions, assignment: dict) -> bool:
    return cond.holds({k: v for k, v in assignment.items() if v is not None})


def _all_fields(cond: Conditions) -> set:
    return set(cond.fields())


class Space:
    """The input domain of a knowledge base and what derived values imply."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        voc = vocabulary()
        self.groups = list(voc.fields["target_group"]["values"])
        self.dim_values = {d: list(voc.dimensions[d].values) + list(kb.items.get(d, {}))
                           for d in registry().readable}
        self.applies = {d: set(voc.dimensions[d].applies_to) for d in registry().readable}
        self._numbers = self._thresholds()
        self._domains: dict = {}
        self.implied = self._implications()

    def _thresholds(self) -> dict:
        points: dict = {}
        for rule in self.kb.rules:
            stack = [rule.conditions]
            while stack:
                cond = stack.pop()
                stack += list(cond.any_of) + ([cond.unless] if cond.unless else [])
                for t in cond.tests:
                    if t.op in ("gte", "gt", "lte", "lt"):
                        points.setdefault(t.field, set()).update({t.value - 1, t.value, t.value + 1})
        return points

    def domain(self, name: str) -> list:
        if name not in self._domains:
            self._domains[name] = self._domain(name)
        return self._domains[name]

    def _domain(self, name: str) -> list:
        if name == "target_group":
            return list(self.groups)
        if name in registry().readable:
            return [None] + self.dim_values[name]
        spec = vocabulary().fields[name]
        if spec["type"] == "int":
            pts = self._numbers.get(name, set()) | {spec["min"], spec["max"]}
            return [None] + sorted(p for p in pts if spec["min"] <= p <= spec["max"])
        return [None] + vocabulary().field_values(name)

    def _allowed(self, test: Test) -> set:
        return {v for v in self.domain(test.field) if holds(test, v)}

    def _rule_constraints(self, rule: KnowledgeRule, implied: dict) -> dict:
        """field -> allowed values that hold whenever the rule fires (top-level tests only)."""
        out: dict = {}
        for test in rule.conditions.tests:
            allowed = self._allowed(test)
            out[test.field] = out.get(test.field, allowed) & allowed
        for dim in [f for f in list(out) if f in registry().readable]:
            values = [v for v in out[dim] if v is not None]
            maps = [implied.get((dim, v), {}) for v in values]
            for field in set.intersection(*[set(m) for m in maps]) if maps else set():
                merged = set().union(*[m[field] for m in maps])
                out[field] = out.get(field, merged) & merged
        return out

    def _implications(self) -> dict:
        implied: dict = {}
        for _ in range(len(registry().single()) + 2):
            new: dict = {}
            for dim in registry().readable:
                for value in self.dim_values[dim]:
                    rules = [r for r in self.kb.rules if r.singles().get(dim) == value]
                    if not rules:
                        continue
                    maps = [self._rule_constraints(r, implied) for r in rules]
                    common = set.intersection(*[set(m) for m in maps])
                    new[(dim, value)] = {f: set().union(*[m[f] for m in maps]) for f in common if f != dim}
            if new == implied:
                break
            implied = new
        return implied

    # --- search ---------------------------------------------------------------
    def _order(self, fields: set) -> list:
        fields = set(fields) | {"target_group"}
        return sorted(fields, key=lambda f: (f != "target_group", f not in registry().readable, f))

    def _consistent(self, assignment: dict) -> bool:
        """Decided values must be producible together: what each implies must hold (or be possible)."""
        group = assignment.get("target_group")
        needed: dict = {}
        for dim, value in assignment.items():
            if dim not in registry().readable:
                continue
            if value is None:
                if group in self.applies[dim]:
                    return False        # always decided for this group (gaps are the analysis' job)
                continue
            for field, allowed in self.implied.get((dim, value), {}).items():
                needed[field] = needed.get(field, allowed) & allowed
        for field, allowed in needed.items():
            if (assignment[field] not in allowed) if field in assignment else not allowed:
                return False
        return True

    def assignments(self, conds: list, fixed: Optional[dict] = None,
                    extra_fields: frozenset = frozenset()) -> Iterator[dict]:
        """Every consistent assignment of the fields involved under which all conditions hold."""
        fixed = fixed or {}
        fields: set = set(extra_fields) | set(fixed)
        for cond in conds:
            fields |= _all_fields(cond)
        order = self._order(fields)
        top = [t for cond in conds for t in cond.tests]

        def search(i: int, partial: dict) -> Iterator[dict]:
            if i == len(order):
                if all(fires(c, partial) for c in conds):
                    yield dict(partial)
                return
            name = order[i]
            for value in self.domain(name):
                if name in fixed and value not in fixed[name]:
                    continue
                partial[name] = value
                if (all(holds(t, value) for t in top if t.field == name) and self._consistent(partial)):
                    yield from search(i + 1, partial)
                del partial[name]

        yield from search(0, {})

    def every(self, cond: Conditions, fixed: dict) -> Optional[dict]:
        """An assignment (consistent with `fixed`) under which `cond` does NOT hold, or None."""
        for assignment in self.assignments([], fixed, frozenset(_all_fields(cond))):
            if not fires(cond, assignment):
                return assignment
        return None


def _show(assignment: dict) -> str:
    shown = {k: v for k, v in assignment.items() if v is not None}
    return "{" + ", ".join(f"{k}: {v}" for k, v in shown.items()) + "}"


def _first(iterator: Iterator) -> Optional[dict]:
    return next(iterator, None)


def _concludes(rule: KnowledgeRule, dim: str, item: str) -> bool:
    then = rule.then
    spec = registry().dimensions.get(dim)
    if spec is None or spec.kind == "single":
        return then.singles().get(dim) == item
    concluded = then.multi(dim)
    if spec.item == "channel":
        return any(c.channel == item for c in concluded)
    if spec.item in ("precondition", "reference"):
        return any(c.id == item for c in concluded) if item else bool(concluded)
    return item in concluded


def _known_item(kb: KnowledgeBase, dim: str, item: str) -> bool:
    if dim in registry().single():
        return item in vocabulary().dimensions[dim].values or item in kb.items.get(dim, {})
    return item in kb.items.get(dim, {})


# --------------------------------------------------------------------------- the four checks

def _channel_findings(kb: KnowledgeBase, space: Space, data: FidelityData) -> list:
    findings = []
    for pre in data.prerequisites:
        for dim, item in pre.build:
            if not _known_item(kb, dim, item):
                findings.append(f"channel prerequisites: '{pre.channel}' names unknown builder {dim}.{item}")
        users = [r for r in kb.rules if _concludes(r, "recruitment", pre.channel)]
        groups = set()
        for rule in users:
            hit = _first(space.assignments([rule.conditions], {pre.field: set(pre.absent)}))
            if hit:
                findings.append(f"rule '{rule.id}' ({rule.file}:{rule.line}) recommends '{pre.channel}' "
                                f"while {pre.field} says the resource is absent, e.g. {_show(hit)}")
            for group in space.groups:
                if _first(space.assignments([rule.conditions], {"target_group": {group}})):
                    groups.add(group)
        builders = [r for r in kb.rules if any(_concludes(r, d, i) for d, i in pre.build)]
        for group in sorted(groups):
            fixed = {"target_group": {group}, pre.field: set(pre.absent)}
            if not any(space.every(r.conditions, fixed) is None for r in builders):
                findings.append(f"{group}: when {pre.field} is {'/'.join(map(str, pre.absent))}, no rule always "
                                f"names how to build what '{pre.channel}' needs "
                                f"({', '.join(f'{d}.{i}' for d, i in pre.build) or 'no builder listed'})")
    return findings


def _kind_values(space: Space, group: str, dim: str) -> list:
    values = []
    for value in space.dim_values[dim]:
        rules = [r for r in space.kb.rules if r.singles().get(dim) == value]
        if any(_first(space.assignments([r.conditions], {"target_group": {group}})) for r in rules):
            values.append(value)
    return values


def _reference_findings(kb: KnowledgeBase, space: Space, data: FidelityData) -> list:
    findings = []
    for dim, item in data.no_reference_items:
        if not _known_item(kb, dim, item):
            findings.append(f"channel prerequisites: no_reference_items names unknown {dim}.{item}")
    naming = [r for r in kb.rules if r.then.multi("reference_projects")
              or any(_concludes(r, d, i) for d, i in data.no_reference_items)]
    for group in space.groups:
        dim = KIND.get(group, "execution_approach")
        for value in _kind_values(space, group, dim):
            fixed = {"target_group": {group}, dim: {value}}
            if not any(space.every(r.conditions, fixed) is None for r in naming):
                findings.append(f"{group}: a design with {dim} = {value} can end up without a comparable "
                                "project; add a reference rule that always fires for it, or an item saying the "
                                "reports describe none")
    return findings


def _contradiction_findings(kb: KnowledgeBase, space: Space, data: FidelityData) -> list:
    findings = []
    for (dim_a, a), (dim_b, b) in data.contradictions:
        for dim, item in ((dim_a, a), (dim_b, b)):
            if not _known_item(kb, dim, item):
                findings.append(f"channel prerequisites: contradiction names unknown {dim}.{item}")
        rules_a = [r for r in kb.rules if _concludes(r, dim_a, a)]
        rules_b = [r for r in kb.rules if _concludes(r, dim_b, b)]
        for ra in rules_a:
            for rb in rules_b:
                fixed = {d: {i} for d, i in ((dim_a, a), (dim_b, b)) if d in registry().readable}
                hit = _first(space.assignments([ra.conditions, rb.conditions], fixed))
                if hit:
                    findings.append(f"rules '{ra.id}' and '{rb.id}' can put {dim_a}.{a} and {dim_b}.{b}, which "
                                    f"contradict each other, in one design, e.g. {_show(hit)}")
    return findings


def _assumption_findings(kb: KnowledgeBase, space: Space) -> list:
    findings = []
    for rule in kb.rules:
        only_preconditions = not rule.singles() and all(
            registry().dimensions[d].item == "precondition" for d in rule.multi_concluded())
        if rule.spec.assumes or only_preconditions:
            continue        # a precondition reports its own status; "unknown" is no assumption
        raw = [f for f in rule.conditions.fields() if f != "target_group" and f not in registry().readable]
        example = None
        for assignment in space.assignments([rule.conditions]):
            for field in raw:
                if assignment.get(field) is not None:
                    continue
                if any(not fires(rule.conditions, {**assignment, field: v})
                       for v in space.domain(field) if v is not None):
                    example = (field, assignment)
                    break
            if example:
                break
        if example:
            findings.append(f"rule '{rule.id}' ({rule.file}:{rule.line}) fires because '{example[0]}' is "
                            f"unknown (e.g. {_show(example[1])}) but states no assumption; add 'assumes'")
    return findings


def fidelity_findings(kb: KnowledgeBase, data: Optional[FidelityData] = None) -> list[str]:
    """All fidelity findings for a knowledge base (empty when it is clean)."""
    data = data or load_data()
    space = Space(kb)
    return (_channel_findings(kb, space, data) + _reference_findings(kb, space, data)
            + _contradiction_findings(kb, space, data) + _assumption_findings(kb, space))


# --------------------------------------------------------------------------- one design

def design_findings(situation: dict, design: dict, data: Optional[FidelityData] = None) -> list[str]:
    """The same checks on one finished design (JSON form) for its situation."""
    data = data or load_data()
    findings = []
    channels = {c["channel"] for c in design.get("recruitment", [])}
    for pre in data.prerequisites:
        if pre.channel in channels and situation.get(pre.field) in pre.absent:
            findings.append(f"recommends '{pre.channel}' while {pre.field} = {situation.get(pre.field)}")
    present = {("recruitment", c) for c in channels}
    for dim in ITEM_DIMENSIONS:
        present |= {(dim, entry["id"]) for entry in design.get(dim, [])}
    singles = {"result_agreements": (design.get("result_agreements") or {}).get("type"),
               "childcare": (design.get("childcare") or {}).get("approach"),
               "execution_approach": (design.get("execution") or {}).get("approach"),
               "scale": (design.get("execution") or {}).get("scale"),
               "category": design.get("participation_level")}
    present |= {(d, v) for d, v in singles.items() if v}
    for a, b in data.contradictions:
        if a in present and b in present:
            findings.append(f"holds both {a[0]}.{a[1]} and {b[0]}.{b[1]}, which contradict each other")
    kind = singles["category"] if design.get("target_group") == "women" else singles["execution_approach"]
    if kind and not design.get("reference_projects") and not any(i in present for i in data.no_reference_items):
        findings.append(f"project kind {kind} names no comparable project and does not say the reports have none")
    return findings
