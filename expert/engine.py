"""Consultations: situation in, Design out.

`Advisor` owns compiled, warm experta engines (one per target group) and resets
them between consultations (building an engine costs ~20 ms and experta leaks a
little per engine). experta engines are not thread-safe: an Advisor refuses a
second thread while it is busy, and `consult()` keeps one Advisor per thread.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Optional

from .assemble import assemble
from .compiler import Layering, compile_engine, layering
from .design import OpenQuestion
from .heap import collector_paused, freeze_heap, pause_collector as _pause, resume_collector as _resume
from .knowledge import KnowledgeBase, KnowledgeRule, knowledge_base
from .questions import QuestionIndex, open_questions, possible, question_index, with_effects
from .run import RecordingEngine, Run
from .scoping import fields_by_group, rule_scopes
from .situation import known_facts, parse_situation
from .vocabulary import registry, vocabulary

LANGS = ("nl", "en")


class AdvisorBusy(RuntimeError):
    """An Advisor was entered by a second thread while it was consulting."""


@dataclass(frozen=True)
class Compiled:
    """The knowledge base and what is derived from it once per process."""
    kb: KnowledgeBase
    layers: Layering
    scope: dict[str, frozenset[str]]       # rule id -> target groups it can apply to
    questions: QuestionIndex
    fields_read: dict[str, frozenset[str]]  # target group -> situation fields its rules read


@lru_cache(maxsize=1)
def compiled() -> Compiled:
    kb = knowledge_base()
    scope = rule_scopes(kb)
    return Compiled(kb, layering(kb), scope, question_index(kb, scope), fields_by_group(kb, scope))


def _engine_class(rules: list[KnowledgeRule]) -> Any:
    """An engine class with only these rules of the base. The full base's layering keeps
    bands and firing order the same as in an engine with every rule (a test checks the
    designs are identical)."""
    base = compiled()
    engine_class, _ = compile_engine(base.kb.subset(rules), engine_base=RecordingEngine, layers=base.layers)
    engine_class.kb = base.kb
    return engine_class


@cache
def group_engine_class(group: str) -> Any:
    """An engine class with only the rules that can apply to one target group.

    A consultation is always for one group; leaving the other groups' rules out of
    the Rete network makes it several times faster for the smaller groups and
    cheaper to build."""
    base = compiled()
    return _engine_class([r for r in base.kb.rules if group in base.scope[r.id]])


@cache
def _not_fields() -> frozenset[str]:
    """Every name rule conditions test that is not a situation field (design dimensions)."""
    fields = vocabulary().fields
    return frozenset(name for r in compiled().kb.rules for name in r.conditions.fields() if name not in fields)


def relevant_rules(group: str, facts: Mapping[str, Any]) -> list[KnowledgeRule]:
    """The group's rules that the given facts leave possible: the others cannot fire in
    this consultation. The facts are declared once and never change during a run, so a
    rule whose test on a given field fails, or that needs a field the situation leaves
    unknown, never fires, whatever the dimensions decide (those may take any value
    here). Leaving it out of the network removes no activation and no fact, and the
    remaining rules keep their order, so the same rules fire in the same order."""
    base, free = compiled(), _not_fields()
    return [r for r in base.kb.rules if group in base.scope[r.id] and possible(r.conditions, facts, free)]


class Advisor:
    """Warm engines, one per target group, built on first use; `consult` resets the
    group's engine and runs a situation. One thread at a time: a second thread that
    enters while a consultation runs gets `AdvisorBusy`, never a wrong design.

    Three options, all off by default, so nothing is imposed on a host:

    - ``freeze_heap=True``: the heap is frozen after each engine is built (see
      `heap.freeze_heap`; for Advisors that live as long as the process).
    - ``pause_collector=True``: each `consult` and `questions` call pauses the cyclic
      collector while it runs (`heap.pause_collector`). A consultation makes no
      reference cycles, so a collection inside it finds nothing and only makes it slow;
      the collection it owes runs after it, in the caller's code. The collector is
      global: while any thread is in a paused call it is off for every thread, so this
      is for processes that consult in one thread (`aanpakwijzer test` and `explore`).
    - ``single_use=True``: for a process that consults once and ends (the CLI's consult
      and review). `consult` builds an engine with only the rules the facts leave
      possible (`relevant_rules`; about half of the women's rules for the shipped
      example, so half the build of a cold start) and does not keep it; the Design is
      the same. The discarded engine is cyclic garbage, which does not matter in a
      process that ends. `questions` uses the warm group engines as usual."""

    def __init__(self, freeze_heap: bool = False, single_use: bool = False, pause_collector: bool = False):
        self.compiled = compiled()
        self.kb = self.compiled.kb
        self.freeze_heap = freeze_heap
        self.single_use = single_use
        self.pause_collector = pause_collector
        self.engines: dict[str, RecordingEngine] = {}      # target group -> warm engine
        self._busy = threading.Lock()

    def engine(self, group: str) -> RecordingEngine:
        engine = self.engines.get(group)
        if engine is None:
            engine = self.engines[group] = group_engine_class(group)()
            if self.freeze_heap:
                freeze_heap()
        return engine

    def consult(self, situation: Any, lang: str = "nl",
                declaration_order: Optional[list[str]] = None) -> Any:
        if not self.pause_collector:
            return self._consult(situation, lang, declaration_order)
        _pause()                      # first, before any allocation (see heap.py)
        try:
            return self._consult(situation, lang, declaration_order)
        finally:
            _resume()

    def _consult(self, situation: Any, lang: str, declaration_order: Optional[list[str]]) -> Any:
        parsed = self._parse(situation, lang)
        with self._exclusive():
            return self._design(parsed, lang, declaration_order, small_engine=self.single_use)

    def consult_all(self, situations: Iterable[Any], lang: str = "nl") -> list[Any]:
        """A Design for each situation, in order: a batch. The cyclic collector is paused
        while it runs (see `heap.collector_paused`): consultations make no reference
        cycles, and its full collections would rescan the Designs already made, again
        and again. Every situation is checked before the first consultation, so a bad one
        raises its InputError without work done."""
        parsed = [self._parse(situation, lang) for situation in situations]
        with self._exclusive(), collector_paused():
            return [self._design(one, lang) for one in parsed]

    def questions(self, situation: Any, lang: str = "nl", effects: bool | int = False,
                  skip: Collection[str] = ()) -> list[OpenQuestion]:
        """The open questions for a situation, most decisive first, each with its answers and
        their labels: what a portal needs to run the interview. `skip`: fields not to ask again
        (answered "don't know"). `effects`: True, or the number of leading questions, whose
        answers also list the parts that answer alone would change (one consultation per answer)."""
        if not self.pause_collector:
            return self._questions(situation, lang, effects, skip)
        _pause()
        try:
            return self._questions(situation, lang, effects, skip)
        finally:
            _resume()

    def _questions(self, situation: Any, lang: str, effects: bool | int, skip: Collection[str]) -> list[OpenQuestion]:
        parsed = self._parse(situation, lang)
        with self._exclusive():
            run = self.engine(parsed.target_group).evaluate(known_facts(parsed))
            asked = [q for q in open_questions(self.compiled.questions, parsed.target_group, run, lang)
                     if q.field not in skip]
            count = len(asked) if effects is True else int(effects)
            if not count:
                return asked
            given = known_facts(parsed)
            before = self._parts(parsed, run)

            def parts_if(field: str) -> Callable[[Any], Mapping[str, Any]]:
                return lambda value: self._parts(parse_situation({**given, field: value}))
            return [with_effects(q, before, parts_if(q.field)) for q in asked[:count]] + asked[count:]

    def _parse(self, situation: Any, lang: str) -> Any:
        if lang not in LANGS:
            raise ValueError("lang must be 'nl' or 'en'")
        return parse_situation(situation)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        if not self._busy.acquire(blocking=False):
            raise AdvisorBusy("this Advisor is consulting in another thread; use one Advisor per "
                              "thread (or expert.consult, which keeps one per thread)")
        try:
            yield
        finally:
            self._busy.release()

    def review(self, proposal: Any, lang: str = "nl") -> Any:
        """Review a proposal (a Proposal or a mapping) against the advice for its situation."""
        from .review import review
        return review(self, proposal, lang)

    def _design(self, parsed: Any, lang: str, declaration_order: Optional[list[str]] = None,
                run: Optional[Run] = None, small_engine: bool = False) -> Any:
        if run is None:
            facts = known_facts(parsed)
            if small_engine:          # only what is declared counts as known
                declared = {name: facts[name] for name in declaration_order or facts if name in facts}
                engine = _engine_class(relevant_rules(parsed.target_group, declared))()
            else:
                engine = self.engine(parsed.target_group)
            run = engine.evaluate(facts, declaration_order=declaration_order)
        return assemble(self.kb, self.compiled.questions, parsed.target_group, run, lang)

    def _parts(self, parsed: Any, run: Optional[Run] = None) -> dict[str, Any]:
        return registry().part_values(self._design(parsed, "en", run=run).model_dump(mode="json"))


_local = threading.local()


def consult(situation: Mapping[str, Any] | Any, lang: str = "nl") -> Any:
    """Consult with this thread's Advisor (created on first use)."""
    advisor = getattr(_local, "advisor", None)
    if advisor is None:
        advisor = _local.advisor = Advisor()
    return advisor.consult(situation, lang)
