"""The one place that imports experta.

experta 1.9.4 pins frozendict 1.2, which subclasses ``collections.Mapping``; that
alias was removed in Python 3.10. We restore the abc aliases frozendict uses before
importing experta, so the pinned versions work unchanged on 3.10+.

``import experta`` also calls ``logging.basicConfig()``, which would install a root
handler in any application that embeds us. We import it with a no-op basicConfig
and leave the host's logging untouched.
"""
import collections
import collections.abc
import logging

for _name in ("Mapping", "MutableMapping", "Sequence", "Hashable", "Callable", "Iterable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

_basic_config = logging.basicConfig
logging.basicConfig = lambda *args, **kwargs: None
try:
    from experta import (AND, NOT, OR, Fact, KnowledgeEngine, P, Rule)  # noqa: F401
    from experta.matchers.rete import ReteMatcher
    from experta.strategies import DepthStrategy
finally:
    logging.basicConfig = _basic_config


class StableDepthStrategy(DepthStrategy):
    """DepthStrategy without its unbounded ``lru_cache`` on ``get_key``.

    experta caches the sort key of every activation ever seen on the strategy
    instance, so a long-lived engine grows with each consultation. The key is cheap
    to compute, so we compute it each time.
    """

    def get_key(self, activation):
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return (activation.rule.salience, facts)


class IncrementalReteMatcher(ReteMatcher):
    """ReteMatcher that does per change only the work that change needs.

    After every declaration experta asks *all* conflict-set nodes (one per rule)
    for new activations, and ``reset`` walks the shared node graph recursively,
    visiting shared nodes many times. With a few hundred rules that dominated a
    consultation. Here a conflict-set node marks itself when it is activated, so
    only marked nodes are asked (in network order, as before); ``reset`` wipes each
    node memory once, and only if it holds something. The network, the matching and
    the activations are experta's own.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._conflict_nodes = self._get_conflict_set_nodes()
        self._changed = set()           # indexes of conflict-set nodes activated since last asked
        for index, node in enumerate(self._conflict_nodes):
            node._activate = self._marking(node._activate, index)
        # The node memories a reset must wipe (feature-tester and bus nodes keep none).
        self._memories = [(node, name) for node in self._unique_nodes()
                          for name in ("memory", "left_memory", "right_memory") if name in vars(node)]

    def _marking(self, activate, index):
        def marked(token):
            self._changed.add(index)
            return activate(token)
        return marked

    def _unique_nodes(self):
        seen, order, stack = set(), [], [self.root_node]
        while stack:
            node = stack.pop()
            if id(node) not in seen:
                seen.add(id(node))
                order.append(node)
                stack.extend(child.node for child in node.children)
        return order

    def changes(self, adding=None, deleting=None):
        for fact in deleting or ():
            self.root_node.remove(fact)
        for fact in adding or ():
            self.root_node.add(fact)
        added, removed = [], []
        for index in sorted(self._changed):
            node_added, node_removed = self._conflict_nodes[index].get_activations()
            added.extend(node_added)
            removed.extend(node_removed)
        self._changed.clear()
        return added, removed

    def reset(self):
        for node, name in self._memories:
            if getattr(node, name):                  # most memories are already empty
                setattr(node, name, type(getattr(node, name))())
        for node in self._conflict_nodes:
            # activations left over from an interrupted run must not leak into the next
            node.added, node.removed = set(), set()
        self._changed = set()


__all__ = ["AND", "NOT", "OR", "Fact", "IncrementalReteMatcher", "KnowledgeEngine", "P", "ReteMatcher",
           "Rule", "StableDepthStrategy"]
