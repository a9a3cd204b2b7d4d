"""Compiles the knowledge base into an experta KnowledgeEngine subclass.

Facts in working memory:
  Input(field, value)       one per known situation field (unknown = absent)
  Proposed(dimension)       some rule proposed a value for a single-valued dimension
  Decided(dimension, value) the value adopted for a single-valued dimension

Layering. A single-valued dimension's depth is one more than the deepest dimension
read by the rules that conclude it (raw facts have depth 0). Rules fire in bands by
depth; after a band, one resolver rule per dimension adopts the highest-priority
proposal and declares Decided, which the next band can read.

Salience scheme (experta fires the activation with the highest salience first):

    TOP - band * BAND - slot           a rule in `band`; `slot` numbers the rules of a
                                       band by rule id (1, 2, ...), so every rule has a
                                       salience of its own
    TOP - depth * BAND - BAND + 100 + i   the resolver of a dimension at `depth`, i its
                                       place in the registry: below every rule of bands
                                       <= depth, above every rule of deeper bands

Because each compiled rule has its own salience, the firing order, and therefore the
trace, never depends on the order in which facts were declared (experta issue #10).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional
from collections.abc import Callable

from .conditions import Conditions, Test
from .errors import InputError
from .experta_compat import (AND, NOT, OR, Fact, IncrementalReteMatcher, KnowledgeEngine, P, StableDepthStrategy,
                             make_rule)
from .knowledge import KnowledgeBase
from .vocabulary import registry

BAND = 10_000
TOP = 1_000_000


class Input(Fact):
    pass


class Decided(Fact):
    pass


class Proposed(Fact):
    pass


def _fact(field: str) -> tuple[type, str]:
    if field in registry().readable:
        return Decided, "dimension"
    return Input, "field"


def test_pattern(test: Test) -> Any:
    """The experta pattern for one test: presence, a literal, or a predicate built from
    the operator's own definition (conditions.OPERATORS)."""
    cls, key = _fact(test.field)
    if test.op == "unknown":
        return NOT(cls(**{key: test.field}))
    if test.op == "known":
        return cls(**{key: test.field})
    if test.op == "eq":
        return cls(**{key: test.field, "value": test.value})
    holds, argument = test.operator.holds, frozenset(test.value) if isinstance(test.value, tuple) else test.value
    # Rete may test the value before the field name, so the value can belong to another
    # field: the operator's own check refuses values of another type.
    return cls(**{key: test.field, "value": P(lambda x: holds(x, argument))})


def condition_patterns(conditions: Conditions) -> list:
    patterns = [test_pattern(t) for t in conditions.tests]
    if conditions.any_of:
        patterns.append(OR(*[_conjunction(alt) for alt in conditions.any_of]))
    if conditions.unless:
        patterns.append(NOT(_conjunction(conditions.unless)))
    return patterns


def _conjunction(conditions: Conditions) -> Any:
    patterns = condition_patterns(conditions)
    return patterns[0] if len(patterns) == 1 else AND(*patterns)


def _unknown(field: str) -> Any:
    return test_pattern(Test(field, "unknown"))


def precondition_variants(met: Conditions) -> dict[str, list]:
    """Patterns for met / not_met / unknown of a met_when condition: plain value tests
    that must all hold, or `any` of single plain tests (one of them must hold)."""
    if met.any_of:
        alternatives = [alt.tests[0] for alt in met.any_of]
        unknown = [_unknown(t.field) for t in alternatives]
        failing = [test_pattern(t.negated()) for t in alternatives]
        return {"met": [OR(*[test_pattern(t) for t in alternatives])],
                # not met: every alternative is known and false
                "not_met": failing,
                # unknown: none holds, none is known to hold, at least one is unknown
                "unknown": [OR(f, u) for f, u in zip(failing, unknown)] + [OR(*unknown)]}
    tests = met.tests
    unknown = [_unknown(t.field) for t in tests]
    failing = [test_pattern(t.negated()) for t in tests]
    met_patterns = [test_pattern(t) for t in tests]
    not_met = [failing[0] if len(failing) == 1 else OR(*failing)]
    # unknown: no known field contradicts, and at least one field is unknown
    if len(tests) == 1:
        unknown_patterns = unknown
    else:
        unknown_patterns = [OR(u, m) for u, m in zip(unknown, met_patterns)] + [OR(*unknown)]
    return {"met": met_patterns, "not_met": not_met, "unknown": unknown_patterns}


@dataclass(frozen=True)
class Layering:
    depth: dict[str, int]        # single-valued dimension -> depth
    band: dict[str, int]         # rule id -> band


def layering(kb: KnowledgeBase) -> Layering:
    """Depth of each single-valued dimension and band of each rule; cycles are errors."""
    single = registry().single()
    readable = registry().readable
    depth = {d: 1 for d in single}
    reads = {r.id: [f for f in r.reads() if f in readable] for r in kb.rules}
    # Fixed point: a dimension's depth only grows, and without a cycle it settles
    # within one pass per dimension; a pass beyond that means the rules read in a cycle.
    for _ in range(len(single) + 2):
        changed = False
        for rule in kb.rules:
            band = 1 + max((depth[d] for d in reads[rule.id]), default=0)
            for dim in rule.singles():
                if depth[dim] < band:
                    depth[dim] = band
                    changed = True
        if not changed:
            break
    else:
        raise InputError("the rules that decide the single-valued dimensions read each other "
                         "in a cycle; see `aanpakwijzer rules check`", file="rules/")
    bands: dict[str, int] = {}
    for rule in kb.rules:
        own = 1 + max((depth[d] for d in reads[rule.id]), default=0)
        bands[rule.id] = max([own] + [depth[d] for d in rule.singles()])
    return Layering(depth, bands)


def _action(kind: str, rule_id: str, *args: Any) -> Callable:
    def fire(engine: Any, **_: Any) -> None:
        engine.on_fire(kind, rule_id, *args)
    fire.__name__ = f"{kind}:{rule_id}"
    return fire


def compile_engine(kb: KnowledgeBase, engine_base: type = KnowledgeEngine,
                   layers: Optional[Layering] = None) -> tuple[Any, Layering]:
    """Return a KnowledgeEngine subclass whose rules are the knowledge base's rules.
    `layers` may come from a larger base this one is part of, so that a subset fires
    in the same bands and order as in the whole."""
    layers = layers or layering(kb)
    single = registry().single()
    attrs: dict[str, Any] = {"__strategy__": StableDepthStrategy, "__matcher__": IncrementalReteMatcher}
    ordered = sorted(kb.rules, key=lambda r: (layers.band[r.id], r.id))
    slot: dict[int, int] = {}
    for rule in ordered:
        band = layers.band[rule.id]
        base = condition_patterns(rule.conditions)
        compiled = [(base, _action("rule", rule.id))]
        for pre_id, met in sorted(rule.met_when.items()):
            for status, extra in precondition_variants(met).items():
                compiled.append((base + extra, _action("precondition", rule.id, pre_id, status)))
        for patterns, action in compiled:
            slot[band] = slot.get(band, 0) + 1
            assert slot[band] < BAND - 200, "too many rules in one band"
            attrs[f"r{len(attrs)}"] = make_rule(*patterns, salience=TOP - band * BAND - slot[band], action=action)
    for dim in sorted(single, key=lambda d: (layers.depth[d], d)):
        salience = TOP - layers.depth[dim] * BAND - (BAND - 100) + single.index(dim)
        attrs[f"resolve_{dim}"] = make_rule(Proposed(dimension=dim), salience=salience,
                                            action=_action("resolve", dim))
    return type("AanpakwijzerEngine", (engine_base,), attrs), layers
