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


__all__ = ["AND", "NOT", "OR", "Fact", "KnowledgeEngine", "P", "Rule", "StableDepthStrategy"]
