"""Open questions: the unknown fields whose answer could still change the advice.

For each unknown field we follow the rules that read it and could still fire given
what is known, then the rules that read what those decide, and collect the design
parts they conclude. A rule below the priority of a single-valued dimension's
current winner cannot change that dimension while the winner's own conditions stay
as they are. A hypothesis property checks that this is sound.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping

from .conditions import Conditions
from .design import Answer, OpenQuestion
from .knowledge import KnowledgeBase
from .run import Run
from .vocabulary import registry, vocabulary


@dataclass(frozen=True)
class RuleView:
    """What the open-question analysis needs of a rule, computed once."""
    id: str
    conditions: Conditions
    condition_fields: frozenset[str]
    reads: frozenset[str]
    parts: tuple[str, ...]          # design parts it concludes
    derived: tuple[str, ...]        # readable dimensions it concludes
    singles: tuple[str, ...]        # single-valued dimensions it concludes
    priority: int


@dataclass(frozen=True)
class QuestionIndex:
    views: dict[str, RuleView]                              # rule id -> view
    readers: dict[str, dict[str, list[RuleView]]]           # group -> field or dimension -> rules reading it


def question_index(kb: KnowledgeBase, scope: Mapping[str, frozenset[str]]) -> QuestionIndex:
    reg = registry()
    views = {r.id: RuleView(r.id, r.conditions, frozenset(r.conditions.fields()), frozenset(r.reads()),
                            tuple(dict.fromkeys(reg.part_of(d) for d in r.concludes())),
                            tuple(d for d in r.concludes() if d in reg.readable),
                            tuple(r.singles()), r.priority)
             for r in kb.rules}
    readers: dict[str, dict[str, list[RuleView]]] = {}
    for rule in kb.rules:
        for group in scope[rule.id]:
            for name in rule.reads():
                readers.setdefault(group, {}).setdefault(name, []).append(views[rule.id])
    return QuestionIndex(views, readers)


def possible(conditions: Conditions, known: Mapping[str, Any], free: set[str]) -> bool:
    """False when what is known rules these conditions out, whatever the `free` fields
    (the unknown field asked about, and the dimensions it could change) turn out to be.
    Other unknown fields stay unknown. `unless` is ignored: it can only block."""
    for test in conditions.tests:
        if test.field in free:
            continue
        if test.field in known:
            if not test.holds(known):
                return False
        elif test.op != "unknown":
            return False
    return not conditions.any_of or any(possible(alt, known, free) for alt in conditions.any_of)


def could_change(index: QuestionIndex, group: str, known: Mapping[str, Any], winners: Mapping[str, str],
                 field: str) -> list[str]:
    """The design parts (in part order) that a value for this unknown field could change."""
    readers = index.readers.get(group, {})
    precondition_parts = {registry().part_of(d) for d in registry().multi()
                          if registry().dimensions[d].item == "precondition"}
    parts: set[str] = set()
    free, seen, todo = {field}, set(), [field]
    while todo:
        current = todo.pop()
        for rule in readers.get(current, ()):
            if rule.id in seen or not possible(rule.conditions, known, free):
                continue
            seen.add(rule.id)
            if free.isdisjoint(rule.condition_fields):
                parts |= precondition_parts        # read only in met_when: a status
                continue
            blocked = {registry().part_of(d) for d in rule.singles
                       if (w := index.views.get(winners.get(d, ""))) and rule.priority < w.priority
                       and free.isdisjoint(w.reads)}
            if blocked and not set(rule.parts) - blocked:
                continue
            parts.update(rule.parts)
            for dim in rule.derived:
                if dim not in free:
                    free.add(dim)
                    todo.append(dim)
    return [p for p in registry().part_order() if p in parts]


def answers(field: str, lang: str) -> list[Answer]:
    """The answers a field allows, with their labels (a number field: its range)."""
    voc = vocabulary()
    spec = voc.fields[field]
    if spec["type"] == "int":
        return [Answer(value=v, label=str(v)) for v in range(spec["min"], spec["max"] + 1)]
    return [Answer(value=v, label=voc.value_label(field, v, lang)) for v in voc.field_values(field)]


def open_questions(index: QuestionIndex, group: str, run: Run, lang: str) -> list[OpenQuestion]:
    known = {**run.facts, **run.decided}
    questions = []
    for field, spec in vocabulary().fields.items():
        if field in run.facts or field == "target_group":
            continue
        parts = could_change(index, group, known, run.decided_by, field)
        if parts:
            questions.append(OpenQuestion(field=field, question=spec["question"][lang], could_change=parts,
                                          answers=answers(field, lang)))
    # the questions whose answer could change most of the design first (stable: vocabulary order)
    questions.sort(key=lambda q: -len(q.could_change))
    return questions
