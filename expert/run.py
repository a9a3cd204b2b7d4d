"""Running the experta engine and recording what it fired.

`RecordingEngine.evaluate` resets the engine, declares the known facts, runs it and
returns a `Run`: every rule that fired (in order, with what it read and concluded),
the proposals and decisions for each single-valued dimension, and the items
collected for each multi-valued dimension. The compiled rules call `on_fire` from
their right-hand side; nothing here decides what fires, experta does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional
from collections.abc import Hashable

from .compiler import Decided, Input, Proposed
from .experta_compat import KnowledgeEngine
from .knowledge import KnowledgeBase, KnowledgeRule, Status, Text
from .vocabulary import registry

# Several rules on one precondition: the most cautious status wins.
STATUS_WEIGHT = {"met": 0, "unknown": 1, "not_met": 2}
GIVEN = "(given)"          # `decided_by` of a dimension injected by the analysis


@dataclass(frozen=True, order=True)
class Candidate:
    """A rule's proposal for a single-valued dimension."""
    priority: int
    step: int
    rule: str
    value: Any


@dataclass
class Step:
    """One rule firing, as the trace shows it."""
    rule: str
    matched: dict[str, Any]
    derived_from: dict[str, str]
    concluded: dict[str, Any] = field(default_factory=dict)
    overruled_by: dict[str, str] = field(default_factory=dict)


@dataclass
class Collected:
    """An item of a multi-valued dimension and the rules that added it."""
    rules: list[str] = field(default_factory=list)
    weight: int = 0                                   # channels: the highest weight given
    status: Optional[Status] = None                   # preconditions: the most cautious status
    resemblance: list[Text] = field(default_factory=list)   # references: how the design resembles it


@dataclass
class Conflict:
    dimension: str
    priority: int
    values: dict[str, list[str]]


@dataclass
class Run:
    """What one consultation recorded while experta fired rules."""
    facts: dict[str, Any]
    decided: dict[str, Hashable] = field(default_factory=dict)
    decided_by: dict[str, str] = field(default_factory=dict)
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    step_of: dict[str, Step] = field(default_factory=dict)
    fired_rules: set[str] = field(default_factory=set)
    fired_preconditions: set[tuple[str, str]] = field(default_factory=set)
    collected: dict[str, dict[str, Collected]] = field(
        default_factory=lambda: {d: {} for d in registry().multi()})
    conflicts: list[Conflict] = field(default_factory=list)

    def value(self, name: str) -> Any:
        if name in self.facts:
            return self.facts[name]
        return self.decided.get(name, "unknown")

    def winning_rules(self, dim: str) -> list[str]:
        """The rules at the top priority that proposed the adopted value."""
        value = self.decided.get(dim)
        candidates = self.candidates.get(dim, [])
        top = max((c.priority for c in candidates), default=None)
        return [c.rule for c in sorted(candidates) if c.priority == top and c.value == value]


def _concluded_items(item: Optional[str], conclusions: list) -> Any:
    """What a rule's trace step shows for the items it added."""
    if item == "channel":
        return {c.channel: c.weight for c in conclusions}
    if item == "reference":
        return [r.id for r in conclusions]
    return list(conclusions)


# --- recording: shared by the experta engine and the plain evaluator (evaluator.py) ---

def record_rule(run: Run, rule: KnowledgeRule) -> Optional[Step]:
    """Record a rule firing (once per rule); returns its step, or None if it fired before.
    Static-status preconditions are recorded with it."""
    if rule.id in run.fired_rules:          # an `any` rule can match in several ways
        return None
    run.fired_rules.add(rule.id)
    reads = rule.reads()
    step = Step(rule.id, {f: run.value(f) for f in reads},
                {f: run.decided_by[f] for f in reads if f in run.decided_by})
    run.steps.append(step)
    run.step_of[rule.id] = step
    for dim, value in rule.singles().items():
        run.candidates.setdefault(dim, []).append(Candidate(rule.priority, len(run.steps), rule.id, value))
        step.concluded[dim] = ({"min_months": value[0], "recommended_months": value[1]}
                               if isinstance(value, tuple) else value)
    for dim in rule.multi_concluded():
        _collect(run, rule, dim, step)
    return step


def _collect(run: Run, rule: KnowledgeRule, dim: str, step: Step) -> None:
    conclusions = rule.then.multi(dim)
    if not conclusions:
        return
    item = registry().dimensions[dim].item
    if item == "precondition":
        for pre in conclusions:
            if pre.status:
                record_precondition(run, rule.id, pre.id, pre.status, dim)
        return
    for conclusion in conclusions:
        item_id = (conclusion.channel if item == "channel" else
                   conclusion.id if item == "reference" else conclusion)
        entry = run.collected[dim].setdefault(item_id, Collected())
        entry.rules.append(rule.id)
        if item == "channel":
            entry.weight = max(entry.weight, conclusion.weight)
        elif item == "reference":
            entry.resemblance.append(conclusion.resemblance)
    step.concluded[dim] = _concluded_items(item, conclusions)


def record_precondition(run: Run, rule_id: str, pre_id: str, status: Status,
                        dim: str = "preconditions") -> None:
    key = (rule_id, pre_id)
    if key in run.fired_preconditions:
        return
    run.fired_preconditions.add(key)
    entry = run.collected[dim].setdefault(pre_id, Collected(status=status))
    if STATUS_WEIGHT[status] > STATUS_WEIGHT[entry.status or "met"]:
        entry.status = status
    entry.rules.append(rule_id)
    run.step_of[rule_id].concluded.setdefault(dim, {})[pre_id] = status


def record_resolution(run: Run, dim: str) -> Any:
    """Adopt the highest-priority proposal for a dimension (ties: the earliest firing);
    returns the adopted value."""
    candidates = run.candidates[dim]
    top = max(c.priority for c in candidates)
    at_top = sorted(c for c in candidates if c.priority == top)
    winner = at_top[0]
    values: dict[str, list[str]] = {}
    for candidate in at_top:
        values.setdefault(str(candidate.value), []).append(candidate.rule)
    if len(values) > 1:
        run.conflicts.append(Conflict(dimension=dim, priority=top, values=values))
    run.decided[dim], run.decided_by[dim] = winner.value, winner.rule
    # Lower-priority proposals are superseded even when they agree: the decision
    # (and any assumption a fallback made) rests on the top-priority rule.
    for candidate in candidates:
        if candidate.priority != top or candidate.value != winner.value:
            run.step_of[candidate.rule].overruled_by[dim] = winner.rule
    return winner.value


class RecordingEngine(KnowledgeEngine):
    """The experta engine; compiled rules call `on_fire` from their right-hand side."""

    kb: Optional[KnowledgeBase] = None
    run_record: Optional[Run] = None

    def evaluate(self, facts: dict[str, Any], injected: Optional[dict[str, Any]] = None,
                 declaration_order: Optional[list[str]] = None) -> Run:
        """Reset, declare the known facts (and, for analysis, already-decided
        dimensions), run, and return the Run record."""
        run = Run(facts)
        self.reset()
        self.run_record = run
        try:
            # One declaration for all facts: experta matches after each declare call.
            declared = [Input(field=name, value=facts[name]) for name in declaration_order or facts]
            for dim, value in (injected or {}).items():
                run.decided[dim], run.decided_by[dim] = value, GIVEN
                declared.append(Decided(dimension=dim, value=value))
            if declared:
                self.declare(*declared)
            self.run()
        finally:
            self.run_record = None
        return run

    def get_deffacts(self) -> Any:
        # experta looks these up with inspect.getmembers on every reset; they never change
        if "_deffacts" not in self.__dict__:
            self._deffacts = super().get_deffacts()
        return self._deffacts

    def on_fire(self, kind: str, *args: Any) -> None:
        getattr(self, f"_fire_{kind}")(*args)

    def _record(self) -> Run:
        assert self.run_record is not None, "on_fire outside evaluate()"
        return self.run_record

    def _fire_rule(self, rule_id: str) -> None:
        assert self.kb is not None
        rule = self.kb.by_id[rule_id]
        if record_rule(self._record(), rule):
            for dim in rule.singles():
                self.declare(Proposed(dimension=dim))

    def _fire_precondition(self, rule_id: str, pre_id: str, status: Status) -> None:
        record_precondition(self._record(), rule_id, pre_id, status)

    def _fire_resolve(self, dim: str) -> None:
        value = record_resolution(self._record(), dim)
        self.declare(Decided(dimension=dim, value=value))
