"""Which target groups each rule can apply to.

A consultation is for one target group, so each group gets an engine with only the
rules that can apply to it. A rule's scope follows from its own `target_group` tests
and from the dimensions it reads: a rule reading `category` can only apply to the
groups for which some rule decides `category`.
"""
from __future__ import annotations

from .knowledge import KnowledgeBase
from .vocabulary import registry, vocabulary


def rule_scopes(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """rule id -> the target groups it can apply to."""
    groups = frozenset(vocabulary().fields["target_group"]["values"])
    scope: dict[str, frozenset[str]] = {}
    for rule in kb.rules:
        own = groups
        for test in rule.conditions.tests:
            if test.field == "target_group":
                own = own & frozenset(g for g in groups if test.holds({"target_group": g}))
        scope[rule.id] = own
    reg = registry()
    # Fixed point: scopes only shrink; one pass per dimension layer is enough.
    for _ in range(len(reg.single()) + 2):
        dim_scope: dict[str, frozenset[str]] = {d: frozenset() for d in reg.single()}
        for rule in kb.rules:
            for dim in rule.singles():
                dim_scope[dim] = dim_scope[dim] | scope[rule.id]
        for rule in kb.rules:
            for name in rule.reads():
                if name in reg.readable:
                    scope[rule.id] = scope[rule.id] & dim_scope[name]
    return scope


def fields_by_group(kb: KnowledgeBase, scope: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """target group -> the situation fields some rule of that group reads (in conditions or
    a precondition's met_when). A field no rule of the group reads cannot change its advice."""
    fields = vocabulary().fields
    out: dict[str, set[str]] = {g: set() for g in fields["target_group"]["values"]}
    for rule in kb.rules:
        for group in scope[rule.id]:
            out[group].update(f for f in rule.reads() if f in fields)
    return {g: frozenset(f) for g, f in out.items()}
