"""A compiled evaluator of the parsed rules, in plain Python: NOT for consultations.

experta does the inference for every consultation. This second, independent
implementation of the matching serves what is not a consultation:

- `rules check`, which runs the rules over tens of thousands of inputs, and
- a differential test oracle: for random situations, the Run it records must give
  the same Design as the experta engine's (tests/test_evaluator.py). Two
  implementations of matching and firing order that must agree catch bugs in either.

What it mirrors (see compiler.py): rules fire band by band, within a band in rule-id
order; a rule fires when its conditions hold on the known facts and the dimensions
decided so far (conditions.Conditions.holds, from the same parsed conditions the
compiler turns into patterns); its precondition checks follow it; after each band
every dimension of that depth that got a proposal is resolved. What a firing records
is shared with the engine (run.record_*).
"""
from __future__ import annotations

from typing import Any, Optional

from .compiler import Layering, layering
from .conditions import Conditions
from .knowledge import KnowledgeBase, KnowledgeRule, Status
from .run import GIVEN, Run, record_precondition, record_resolution, record_rule
from .vocabulary import registry


def precondition_status(met: Conditions, known: dict[str, Any]) -> Status:
    """met / not_met / unknown of a `met_when`, three-valued (as compiler.precondition_variants)."""
    tests = [alt.tests[0] for alt in met.any_of] if met.any_of else list(met.tests)
    unknown = [t for t in tests if t.field not in known]
    holding = [t for t in tests if t.field in known and t.holds(known)]
    if met.any_of:
        if holding:
            return "met"
        return "unknown" if unknown else "not_met"
    if len(holding) == len(tests):
        return "met"
    return "unknown" if len(holding) + len(unknown) == len(tests) else "not_met"


class Evaluator:
    """Evaluates a knowledge base (or a subset, with the whole base's layering)."""

    def __init__(self, kb: KnowledgeBase, layers: Optional[Layering] = None):
        self.kb = kb
        self.layers = layers or layering(kb)
        reg = registry()
        self.readable = reg.readable
        single = reg.single()
        by_band: dict[int, list[KnowledgeRule]] = {}
        for rule in sorted(kb.rules, key=lambda r: r.id):
            by_band.setdefault(self.layers.band[rule.id], []).append(rule)
        self.bands = sorted(by_band.items())
        # within a depth, resolvers with a higher registry index fire first (their salience)
        self.resolve_order = {d: -single.index(d) for d in single}

    def evaluate(self, facts: dict[str, Any], injected: Optional[dict[str, Any]] = None) -> Run:
        run = Run(dict(facts))
        known = dict(facts)
        for dim, value in (injected or {}).items():
            run.decided[dim], run.decided_by[dim] = value, GIVEN
            known[dim] = value
        for band, rules in self.bands:
            for rule in rules:
                if rule.conditions.holds(known) and record_rule(run, rule):
                    for pre_id, met in sorted(rule.met_when.items()):
                        record_precondition(run, rule.id, pre_id, precondition_status(met, known))
            due = sorted((d for d in run.candidates if self.layers.depth[d] == band and d not in run.decided),
                         key=lambda d: self.resolve_order[d])
            for dim in due:
                value = record_resolution(run, dim)
                if dim in self.readable:
                    known[dim] = value
        return run
