"""Open questions: the unknown fields whose answer could still change the advice.

The analysis is sound (answering one field changes only the parts its question
names) and complete (when answering any set of unknown fields changes a part, at
least one of those fields is a question naming that part). Both rest on one picture
of the situation:

- Every unknown field may still take any value, and so may every dimension that
  some answer could change (`changeable`, a least fixed point). A rule is *possible*
  when what is known does not rule it out under that assumption. A rule that needs
  two unknown answers is therefore possible, and each of the two fields is asked.
- A field's question follows the possible rules that read it, then the rules that
  read what those decide, and collects the parts they conclude.
- A rule below the priority of a single-valued dimension's current winner cannot
  change that dimension on its own: the dimension changes only when the winner (or a
  rule at least as high) changes whether it fires, and that rule is followed from
  the fields it reads.
- A field that only states a dimension the given facts already decide (a `stated`
  rule, such as `participation_level` when the level follows from the answers) is
  not asked: any answer either repeats or contradicts what the situation implies.

Hypothesis properties in tests/test_properties.py check soundness and completeness.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Optional
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Set as AbstractSet

from .conditions import Conditions
from .design import Answer, OpenQuestion, construct
from .knowledge import PRIORITY_LEVELS, KnowledgeBase
from .run import Run
from .vocabulary import Vocabulary, registry, vocabulary

STATED = PRIORITY_LEVELS["stated"]      # rules at this level take a value the user states directly


@dataclass(frozen=True)
class RuleView:
    """What the open-question analysis needs of a rule, computed once."""
    id: str
    conditions: Conditions
    condition_fields: frozenset[str]
    concludes: tuple[str, ...]      # dimensions it concludes
    singles: frozenset[str]         # single-valued dimensions it concludes
    derived: tuple[str, ...]        # readable dimensions it concludes
    status_parts: frozenset[str]    # parts of the preconditions it concludes (met_when: a status)
    reads: frozenset[str]
    priority: int
    assumes: bool                   # it states an assumption (a fallback for unknown facts)

    @property
    def states(self) -> bool:
        """Whether it takes a value the user states (and concludes nothing else)."""
        return self.priority >= STATED and set(self.concludes) == self.singles


@dataclass(frozen=True)
class QuestionIndex:
    views: dict[str, RuleView]                              # rule id -> view
    readers: dict[str, dict[str, list[RuleView]]]           # group -> field or dimension -> rules reading it


def question_index(kb: KnowledgeBase, scope: Mapping[str, frozenset[str]]) -> QuestionIndex:
    reg = registry()
    preconditions = {d for d in reg.multi() if reg.dimensions[d].item == "precondition"}
    views = {}
    for r in kb.rules:
        concludes = tuple(r.concludes())
        views[r.id] = RuleView(
            r.id, r.conditions, frozenset(r.conditions.fields()), concludes, frozenset(r.then.singles()),
            tuple(d for d in concludes if d in reg.readable),
            frozenset(reg.part_of(d) for d in concludes if d in preconditions), frozenset(r.reads()),
            r.priority, r.spec.assumes is not None)
    readers: dict[str, dict[str, list[RuleView]]] = {}
    for rule in kb.rules:
        for group in scope[rule.id]:
            for name in rule.reads():
                readers.setdefault(group, {}).setdefault(name, []).append(views[rule.id])
    return QuestionIndex(views, readers)


def possible(conditions: Conditions, known: Mapping[str, Any], free: AbstractSet[str]) -> bool:
    """False when what is known rules these conditions out, whatever the `free` names
    (unknown fields and dimensions an answer could change) turn out to be. `unless` is
    ignored: it can only block."""
    for test in conditions.tests:
        if test.field in free:
            continue
        if test.field in known:
            if not test.holds(known):
                return False
        elif test.op != "unknown":
            return False
    return not conditions.any_of or any(possible(alt, known, free) for alt in conditions.any_of)


class Analysis:
    """What answers to the unknown fields of one consultation could change."""

    def __init__(self, index: QuestionIndex, group: str, run: Run):
        self.index, self.run = index, run
        self.readers = index.readers.get(group, {})
        self.known = {**run.facts, **run.decided}
        self.unknown = [f for f in vocabulary().fields if f not in run.facts and f != "target_group"]
        self.free = set(self.unknown)
        self._possible: set[str] = set()
        self._impossible: Optional[set[str]] = None     # kept once `free` is complete
        self._steps: dict[str, tuple[set[str], frozenset[str], tuple[str, ...]]] = {}
        self._close()
        self._impossible = set()

    def blocked(self, rule: RuleView, dim: str) -> bool:
        """A rule below the current winner's priority cannot change the dimension itself."""
        winner = self.index.views.get(self.run.decided_by.get(dim, ""))
        return winner is not None and rule.priority < winner.priority

    def is_possible(self, rule: RuleView) -> bool:
        if rule.id in self._possible:
            return True
        if self._impossible is not None and rule.id in self._impossible:
            return False
        if possible(rule.conditions, self.known, self.free):
            self._possible.add(rule.id)       # `free` only grows, so it stays possible
            return True
        if self._impossible is not None:      # `free` no longer grows: it stays impossible
            self._impossible.add(rule.id)
        return False

    def _close(self) -> None:
        """Add every dimension some set of answers could change to `free` (least fixed point).
        Whether a rule is possible changes only when one of its condition fields becomes
        free, so each newly free name needs its readers checked once (a worklist)."""
        todo = list(self.free)
        while todo:
            name = todo.pop()
            for rule in self.readers.get(name, ()):
                if name not in rule.condition_fields or not self.is_possible(rule):
                    continue
                for dim in rule.derived:
                    if dim not in self.free and not self.blocked(rule, dim):
                        self.free.add(dim)
                        todo.append(dim)

    def _step(self, name: str) -> tuple[set[str], frozenset[str], tuple[str, ...]]:
        """What reaching `name` adds: the parts its possible readers can change, the rules
        that can change whether they fire, and the dimensions reached next. `free` is
        complete once the Analysis is made, so this is fixed and kept per name."""
        step = self._steps.get(name)
        if step is None:
            parts: set[str] = set()
            rules: set[str] = set()
            onward: dict[str, None] = {}
            for rule in self.readers.get(name, ()):
                if not self.is_possible(rule):
                    continue
                if name not in rule.condition_fields:
                    parts |= rule.status_parts        # read only in met_when: a status
                    continue
                rules.add(rule.id)
                for dim in rule.concludes:
                    if not (dim in rule.singles and self.blocked(rule, dim)):
                        parts.add(registry().part_of(dim))
                for dim in rule.derived:
                    if not self.blocked(rule, dim):
                        onward[dim] = None
            step = self._steps[name] = (parts, frozenset(rules), tuple(onward))
        return step

    def reach(self, field: str) -> tuple[set[str], int]:
        """The parts an answer to `field` (with any answers to the others) could change, and
        how many rules that answer could make or stop fire."""
        parts: set[str] = set()
        reached: set[str] = set()
        names, todo = {field}, [field]
        while todo:
            step_parts, step_rules, onward = self._step(todo.pop())
            parts |= step_parts
            reached |= step_rules
            for dim in onward:
                if dim not in names:
                    names.add(dim)
                    todo.append(dim)
        return parts, len(reached)

    def settled(self) -> set[str]:
        """Dimensions whose winner reads only given facts and settled dimensions and assumes
        nothing (a fallback that assumes a value does not settle it)."""
        out: set[str] = set()
        grew = True
        while grew:
            grew = False
            for dim, rule_id in self.run.decided_by.items():
                winner = self.index.views.get(rule_id)
                if (dim not in out and winner and not winner.assumes
                        and winner.reads <= set(self.run.facts) | out):
                    out.add(dim)
                    grew = True
        return out

    def implied(self, field: str, settled: set[str]) -> bool:
        """Whether every possible rule reading the field only states a dimension the given
        facts already decide through another rule."""
        rules = [r for r in self.readers.get(field, ()) if self.is_possible(r)]
        return bool(rules) and all(
            r.states and field in r.condition_fields
            and all(d in settled and self.run.decided_by[d] != r.id for d in r.singles) for r in rules)


@cache
def _answer_labels(voc: Vocabulary, field: str, lang: str) -> tuple[tuple[Any, str], ...]:
    # the same for every consultation: computed once (values and labels are immutable)
    spec = voc.fields[field]
    if spec["type"] == "int":
        return tuple((v, str(v)) for v in range(spec["min"], spec["max"] + 1))
    return tuple((v, voc.value_label(field, v, lang)) for v in voc.field_values(field))


def answers(field: str, lang: str) -> list[Answer]:
    """The answers a field allows, with their labels (a number field: its range)."""
    return [construct(Answer, value=v, label=label) for v, label in _answer_labels(vocabulary(), field, lang)]


def weight(parts: list[str]) -> int:
    """How much of the design a question can change: the parts' weights (facts/dimensions.yaml)."""
    return sum(registry().parts[p].weight for p in parts)


def open_questions(index: QuestionIndex, group: str, run: Run, lang: str) -> list[OpenQuestion]:
    """The open questions, most decisive first: the weight of the parts they can change, then
    how many rules they reach, then the order of facts/fields.yaml."""
    analysis = Analysis(index, group, run)
    settled = analysis.settled()
    fields = vocabulary().fields
    ranked = []
    for position, field in enumerate(analysis.unknown):
        parts, rules = analysis.reach(field)
        if not parts or analysis.implied(field, settled):
            continue
        ordered = [p for p in registry().part_order() if p in parts]
        question = construct(OpenQuestion, field=field, question=fields[field]["question"][lang],
                             could_change=ordered, answers=answers(field, lang))
        ranked.append(((-weight(ordered), -rules, position), question))
    return [q for _, q in sorted(ranked, key=lambda pair: pair[0])]


def changed_parts(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The parts (in part order) whose comparable form differs between two designs."""
    return [p for p in registry().part_order() if before.get(p) != after.get(p)]


def with_effects(question: OpenQuestion, before: Mapping[str, Any],
                 parts_if: Callable[[Any], Mapping[str, Any]]) -> OpenQuestion:
    """The question with, for each answer, the parts that answer alone would change.
    `parts_if(value)` gives the design's part values with that answer added."""
    effects = [construct(Answer, value=a.value, label=a.label, changes=changed_parts(before, parts_if(a.value)))
               for a in question.answers]
    return construct(OpenQuestion, field=question.field, question=question.question,
                     could_change=list(question.could_change), answers=effects)
