"""Compiles the knowledge base into an experta KnowledgeEngine subclass.

Facts in working memory:
  Input(field, value)       one per known situation field (unknown = absent)
  Proposed(dimension)       some rule proposed a value for a single-valued dimension
  Decided(dimension, value) the value adopted for a single-valued dimension

Layering. A single-valued dimension's depth is one more than the deepest dimension
read by the rules that conclude it (raw facts have depth 0). Rules fire in bands by
depth; after a band, one resolver rule per dimension adopts the highest-priority
proposal and declares Decided, which the next band can read. Every compiled rule
gets its own salience (band, then rule id), so the firing order, and therefore the
trace, never depends on the order in which facts were declared (experta issue #10).
"""
from dataclasses import dataclass

from .experta_compat import (AND, NOT, OR, Fact, IncrementalReteMatcher, KnowledgeEngine, P, Rule,
                             StableDepthStrategy)
from .knowledge import CONDITION_DIMENSIONS, SINGLE, InputError

BAND = 10_000
TOP = 1_000_000


class Input(Fact):
    pass


class Decided(Fact):
    pass


class Proposed(Fact):
    pass


def _fact(field):
    if field in CONDITION_DIMENSIONS:
        return Decided, "dimension"
    return Input, "field"


def _predicate(test):
    value = test.value
    if test.op == "in":
        allowed = frozenset(value)
        return P(lambda x: x in allowed)
    if test.op == "not_in":
        barred = frozenset(value)
        return P(lambda x: x not in barred)
    compare = {"gte": lambda x: x >= value, "gt": lambda x: x > value,
               "lte": lambda x: x <= value, "lt": lambda x: x < value}[test.op]
    # Rete may test the value before the field name, so the value can belong to
    # another field (a string): only numbers are compared.
    return P(lambda x: isinstance(x, int) and not isinstance(x, bool) and compare(x))


def test_pattern(test):
    cls, key = _fact(test.field)
    if test.op == "unknown":
        return NOT(cls(**{key: test.field}))
    if test.op == "known":
        return cls(**{key: test.field})
    if test.op == "eq":
        return cls(**{key: test.field, "value": test.value})
    return cls(**{key: test.field, "value": _predicate(test)})


def condition_patterns(conditions):
    patterns = [test_pattern(t) for t in conditions.tests]
    if conditions.any_of:
        patterns.append(OR(*[_conjunction(alt) for alt in conditions.any_of]))
    if conditions.unless:
        patterns.append(NOT(_conjunction(conditions.unless)))
    return patterns


def _conjunction(conditions):
    patterns = condition_patterns(conditions)
    return patterns[0] if len(patterns) == 1 else AND(*patterns)


def _unknown(field):
    return test_pattern(type("T", (), {"field": field, "op": "unknown"})())


def precondition_variants(met):
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


@dataclass
class Layering:
    depth: dict        # dimension -> depth
    band: dict         # rule id -> band


def layering(kb):
    """Depth of each single-valued dimension and band of each rule; cycles are errors."""
    depth = {d: 1 for d in SINGLE}
    reads = {r.id: [f for f in r.reads() if f in CONDITION_DIMENSIONS] for r in kb.rules}
    for _ in range(len(SINGLE) + 2):
        changed = False
        for rule in kb.rules:
            band = 1 + max((depth[d] for d in reads[rule.id]), default=0)
            for dim in rule.spec.then.singles():
                if depth[dim] < band:
                    depth[dim] = band
                    changed = True
        if not changed:
            break
    else:
        raise InputError("the rules that decide the single-valued dimensions read each other "
                         "in a cycle; see `aanpakwijzer rules check`", file="rules/")
    band = {}
    for rule in kb.rules:
        own = 1 + max((depth[d] for d in reads[rule.id]), default=0)
        band[rule.id] = max([own] + [depth[d] for d in rule.spec.then.singles()])
    return Layering(depth, band)


def _action(kind, rule_id, *args):
    def fire(engine, **_):
        engine.on_fire(kind, rule_id, *args)
    fire.__name__ = f"{kind}:{rule_id}"
    return fire


def compile_engine(kb, engine_base=KnowledgeEngine, layers=None):
    """Return a KnowledgeEngine subclass whose rules are the knowledge base's rules.
    `layers` may come from a larger base this one is part of, so that a subset fires
    in the same bands and order as in the whole."""
    layers = layers or layering(kb)
    attrs = {"__strategy__": StableDepthStrategy, "__matcher__": IncrementalReteMatcher}
    ordered = sorted(kb.rules, key=lambda r: (layers.band[r.id], r.id))
    slot = {}
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
            attrs[f"r{len(attrs)}"] = Rule(*patterns, salience=TOP - band * BAND - slot[band])(action)
    for dim in sorted(SINGLE, key=lambda d: (layers.depth[d], d)):
        salience = TOP - layers.depth[dim] * BAND - (BAND - 100) + SINGLE.index(dim)
        attrs[f"resolve_{dim}"] = Rule(Proposed(dimension=dim), salience=salience)(
            _action("resolve", dim))
    return type("AanpakwijzerEngine", (engine_base,), attrs), layers
