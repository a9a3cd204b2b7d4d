"""The one place that imports experta, and where it is made fast enough.

experta 1.9.4 pins frozendict 1.2, which subclasses ``collections.Mapping``; that
alias was removed in Python 3.10. We restore the abc aliases frozendict uses before
importing experta, so the pinned versions work unchanged on 3.10+.

``import experta`` also calls ``logging.basicConfig()``, which would install a root
handler in any application that embeds us. We import it with a no-op basicConfig
and leave the host's logging untouched; experta's own loggers stay quiet unless the
host turns them on.

`IncrementalReteMatcher` runs experta's Rete network with node code that does far
less work per fact (see its docstring); `KnowledgeEngine` and `StableDepthStrategy`
take two costs out of experta's run loop and agenda. None of them changes what is
matched or fired: tests compare every design with experta's stock ReteMatcher.
"""
import collections
import collections.abc
import logging
from collections import Counter, deque
from collections.abc import Mapping
from functools import update_wrapper
from inspect import CO_VARKEYWORDS
from itertools import chain, product
from typing import Any

for _name in ("Mapping", "MutableMapping", "Sequence", "Hashable", "Callable", "Iterable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

_basic_config = logging.basicConfig
logging.basicConfig = lambda *args, **kwargs: None
try:
    from experta import AND, NOT, OR, Fact, P, Rule  # noqa: F401
    from experta import KnowledgeEngine as ExpertaKnowledgeEngine
    from experta import watchers
    from experta.activation import Activation
    from experta.fact import InitialFact
    from experta.fieldconstraint import ANDFC, NOTFC, ORFC, L, P as _P, W
    from experta.matchers.rete import ReteMatcher
    from experta.matchers.rete.dnf import dnf as experta_dnf, unpack_exp
    from experta.matchers.rete.utils import extract_facts, generate_checks
    from experta.matchers.rete.check import FactCapture, FeatureCheck, SameContextCheck, TypeCheck
    from experta.matchers.rete.nodes import (BusNode, ConflictSetNode, FeatureTesterNode, NotNode,
                                             OrdinaryMatchNode)
    from experta.strategies import DepthStrategy
finally:
    logging.basicConfig = _basic_config

# experta logs every match at DEBUG/INFO on loggers under "experta" that have no level
# of their own, so a host whose root logger is at DEBUG would get hundreds of lines per
# consultation. Quiet unless the host sets a level on "experta" (before or after this
# import) or on one of its watchers (e.g. experta.watch()); the root logger is left alone.
if logging.getLogger("experta").level == logging.NOTSET:
    logging.getLogger("experta").setLevel(logging.WARNING)


class KnowledgeEngine(ExpertaKnowledgeEngine):
    """experta's KnowledgeEngine with the same run loop, except that the log line for
    each firing is only built when experta's RULES watcher would write it (experta
    formats every fact of every activation first, whatever the log level)."""

    def run(self, steps=float("inf")):
        self.running = True
        execution = 0
        while steps > 0 and self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)
            if watchers.worth("AGENDA", "DEBUG"):
                for index, queued in enumerate(self.agenda.activations):
                    watchers.AGENDA.debug("%d: %r %r", index, queued.rule.__name__,
                                          ", ".join(str(f) for f in queued.facts))
            activation = self.agenda.get_next()
            if activation is None:
                break
            steps -= 1
            execution += 1
            if watchers.RULES.isEnabledFor(logging.INFO):
                watchers.RULES.info("FIRE %s %s: %s", execution, activation.rule.__name__,
                                    ", ".join(str(f) for f in activation.facts))
            activation.rule(self, **{k: v for k, v in activation.context.items() if not k.startswith("__")})
        self.running = False


class StableDepthStrategy(DepthStrategy):
    """DepthStrategy without its unbounded ``lru_cache`` on ``get_key``.

    experta caches the sort key of every activation ever seen on the strategy
    instance, so a long-lived engine grows with each consultation. The key is cheap
    to compute, so we compute it each time.
    """

    def get_key(self, activation):
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return (activation.rule.salience, facts)


# --- the matcher ---------------------------------------------------------------------

class _Token:
    """A token of the fast network: never changed once made, so nodes pass it on
    without the defensive copies experta makes at every node (experta's Token also
    validates every fact on each copy)."""

    __slots__ = ("valid", "data", "context", "_info")

    def __init__(self, valid: bool, data: frozenset, context: dict, info=None):
        self.valid, self.data, self.context, self._info = valid, data, context, info

    @property
    def info(self) -> tuple:
        """What identifies the token in a memory (experta's TokenInfo, tag left out)."""
        if self._info is None:
            self._info = (self.data, frozenset(self.context.items()))
        return self._info

    def flipped(self, valid: bool) -> "_Token":
        return _Token(valid, self.data, self.context, self.info)


class _Activation(Activation):
    """experta's Activation with its hash computed once (experta rehashes the rule's
    whole pattern tuple each time an activation goes into a set)."""

    def __init__(self, rule, token: _Token, rule_hash: int):
        super().__init__(rule, token.data, dict(token.context))
        self._hash = hash((rule_hash, token.info))

    def __hash__(self):
        return self._hash


_PLAIN = (str, int, bool, float, type(None))
_ROUTES_KEPT = 4096


def _remove_token(memory: list, token: _Token) -> bool:
    info = token.info
    for index, stored in enumerate(memory):
        if stored.info == info:
            del memory[index]
            return True
    return False


def _agree(shared, left: dict, right: dict) -> bool:
    """experta's SameContextCheck for contexts that hold only fact captures: a capture
    both sides may hold must be the same fact. `shared` is None when no key can occur
    on both sides (then every pair matches)."""
    if shared is None:
        return True
    for key in shared:
        if key in left and key in right and left[key] != right[key]:
            return False
    return True


def _wireable(elem) -> bool:
    """A left-hand side of facts, NOTs of one fact and ANDs of those (after experta's DNF)."""
    if isinstance(elem, Fact):
        return True
    if isinstance(elem, NOT):
        return len(elem) == 1 and isinstance(elem[0], Fact)
    return isinstance(elem, (AND, Rule)) and len(elem) > 0 and all(_wireable(e) for e in elem)


def _supported(node) -> bool:
    """The node shapes our compiler produces: type tests, literal, predicate and
    wildcard tests without bindings, fact captures, joins, NOTs, rule terminals."""
    if isinstance(node, (BusNode, OrdinaryMatchNode, NotNode, ConflictSetNode)):
        return True
    if not isinstance(node, FeatureTesterNode):
        return False
    check = node.matcher
    if isinstance(check, (TypeCheck, FactCapture)):
        return True
    return (isinstance(check, FeatureCheck) and isinstance(check.how, (L, _P, W))
            and check.how.__bind__ is None and not Fact.is_special(check.what))


def make_rule(*patterns, salience: int, action) -> Rule:
    """``Rule(*patterns, salience=salience)(action)`` for an action that takes ``**kwargs``:
    experta's decoration reads the action's signature only to find which keywords to
    pass, and with ``**kwargs`` it keeps them all, so that reading is skipped."""
    if not action.__code__.co_flags & CO_VARKEYWORDS:
        raise TypeError(f"{action.__name__} must take **kwargs")
    rule = Rule(*patterns, salience=salience)
    rule._wrapped = action
    return update_wrapper(rule, action)


# --- rule preparation -----------------------------------------------------------------
# experta rewrites every rule into disjunctive normal form before building the network
# (matchers/rete/dnf.py and utils.prepare_rule). That was most of the cost of building
# an engine (120 of 150 ms for the largest group): it copies every fact pattern on every
# pass of its fixed-point loops and re-wraps every rule through inspect.signature. These
# are the same rewrites in the same order; what is already in normal form is returned
# as it is (so the loops end after one pass), and a part shared by several rules (the
# rules compiled from one YAML rule share their patterns) is rewritten once. A test
# compares the result with experta's own for every target group's engine.

_COMPOSITE_FC = (ORFC, NOTFC, ANDFC)


class _Normaliser:
    def __init__(self) -> None:
        self._done: dict = {}      # id(part) -> (part, its normal form); holds the part alive

    def dnf(self, exp):
        done = self._done.get(id(exp))
        if done is not None and done[0] is exp:
            return done[1]
        result = self._rewrite(exp)
        self._done[id(exp)] = (exp, result)
        return result

    def _rewrite(self, exp):
        if isinstance(exp, Fact):
            # a pattern without composite field constraints is in normal form already
            if any(isinstance(value, _COMPOSITE_FC) for value in exp.values()):
                return experta_dnf(exp)
            return exp
        for kind, rewrite in ((Rule, self._rule), (NOT, self._not), (OR, self._or), (AND, self._and)):
            if isinstance(exp, kind):
                return rewrite(exp)
        return experta_dnf(exp)

    def _rule(self, exp):
        last, current = None, _with_conditions(exp, AND(*[self.dnf(e) for e in exp]))
        while last != current:
            last, current = current, _with_conditions(current, *[self.dnf(e) for e in current])
        return _with_conditions(current, *unpack_exp(current, AND))

    def _not(self, exp):
        inner = exp[0]
        if isinstance(inner, NOT):
            return self.dnf(inner[0])
        if isinstance(inner, OR):
            return AND(*[NOT(self.dnf(x)) for x in inner])
        if isinstance(inner, AND):
            return OR(*[NOT(self.dnf(x)) for x in inner])
        return exp

    def _or(self, exp):
        if len(exp) == 1:
            return self.dnf(exp[0])
        return _same_or_new(OR, exp, [self.dnf(x) for x in unpack_exp(exp, OR)])

    def _and(self, exp):
        if len(exp) == 1:
            return self.dnf(exp[0])
        if any(isinstance(e, OR) for e in exp):
            parts = [[self.dnf(x) for x in e] if isinstance(e, OR) else [self.dnf(e)] for e in exp]
            return OR(*[self.dnf(AND(*p)) for p in product(*parts)])
        return _same_or_new(AND, exp, [self.dnf(x) for x in unpack_exp(exp, AND)])

    def prepare(self, rule):
        """experta's ``utils.prepare_rule`` for a Rule."""
        normal = self.dnf(rule)
        prepared = _with_conditions(normal, *[_prepare_part(e) for e in normal])
        if not prepared:
            return _with_conditions(prepared, InitialFact())
        if isinstance(prepared[0], NOT) or len(extract_facts(prepared)) == 0:
            return _with_conditions(prepared, InitialFact(), *prepared)
        return self.dnf(prepared)


def _check_order(check, rank: Counter) -> tuple:
    """experta's ``weighted_check_sort`` key."""
    if isinstance(check, TypeCheck):
        return (float("inf"), hash(check))
    if isinstance(check, FactCapture):
        return (float("-inf"), hash(check))
    return (rank[check], hash(check))


def _same_or_new(kind, exp, parts: list):
    """`exp` itself when rewriting changed none of its parts (equal either way)."""
    if len(parts) == len(exp) and all(new is old for new, old in zip(parts, exp)):
        return exp
    return kind(*parts)


def _with_conditions(rule, *conditions):
    """experta's ``Rule.new_conditions`` without re-reading the action's signature:
    the same salience, action and wrapper attributes, not bound to an engine."""
    new = type(rule)(*conditions, salience=rule.salience)
    new.__dict__.update(rule.__dict__)
    new._wrapped_self = None
    return new


def _prepare_part(exp):
    if isinstance(exp, OR):
        return OR(*[AND(InitialFact(), e) if isinstance(e, NOT)
                    else _prepare_part(e) if isinstance(e, AND) else e for e in exp])
    if isinstance(exp, AND) and isinstance(exp[0], NOT):
        return AND(InitialFact(), *exp)
    return exp


def prepare_ruleset(rules) -> set:
    """experta's ``ReteMatcher.prepare_ruleset`` on the copy-free rewriting above."""
    normaliser = _Normaliser()
    return {normaliser.prepare(rule) for rule in rules}


class IncrementalReteMatcher(ReteMatcher):
    """experta's Rete network, run by node code that does only the work a change needs.

    The alpha network (one chain of tests per pattern) and the beta network (joins,
    NOTs, one terminal per rule) have experta's shape and semantics; what differs is
    how they are built and run:

    - alpha tests on the fact type and on a field's literal value are looked up in a
      table per node instead of being run by every child node, and the route a fact
      takes through the alpha network is kept per fact content;
    - joins and NOTs with the same inputs are made once and shared (rules compiled
      from one YAML rule start with the same patterns);
    - a join or NOT whose two sides cannot hold the same pattern's capture needs no
      context test;
    - tokens are immutable and never copied (experta copies a token, checking each of
      its facts, at every node it enters);
    - after a change only the rule terminals that were reached are asked for
      activations, in experta's network order;
    - ``reset`` wipes only the memories that were written to.

    Activations, agenda and firing are experta's own. A rule base with shapes our
    compiler does not produce (variable bindings, TEST, EXISTS, FORALL, tests on
    special keys) is built by experta and runs on its node code (``fast`` is False).
    The fast path does not write experta's MATCH and MATCHER trace lines.
    """

    def __init__(self, *args, **kwargs):
        self.fast = False
        super().__init__(*args, **kwargs)           # builds the network (build_network below)
        self._conflict_nodes = self._get_conflict_set_nodes()
        self._changed: set = set()      # indexes of rule terminals reached since last asked
        self._dirty: list = []          # nodes whose memory was written since the last reset
        self._routes: dict = {}         # fact content -> alpha route (see _route)
        if self.fast:
            self._compile(self._unique_nodes())

    # --- building --------------------------------------------------------------------

    def _get_conflict_set_nodes(self) -> tuple:
        """The rule terminals in experta's order (depth first, children in order),
        without experta's walk of every path and its quadratic duplicate check."""
        found, seen, stack = [], set(), [self.root_node]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, ConflictSetNode):
                found.append(node)
            stack.extend(child.node for child in reversed(node.children))
        return tuple(found)

    def _unique_nodes(self) -> list:
        """Every node once, parents before children (Kahn's order)."""
        incoming: dict = {}
        children: dict = {}
        stack, seen = [self.root_node], {id(self.root_node)}
        while stack:
            node = stack.pop()
            children[id(node)] = [child.node for child in node.children]
            for child in node.children:
                incoming[id(child.node)] = incoming.get(id(child.node), 0) + 1
                if id(child.node) not in seen:
                    seen.add(id(child.node))
                    stack.append(child.node)
        order, ready = [], deque([self.root_node])
        while ready:
            node = ready.popleft()
            order.append(node)
            for child in children[id(node)]:
                incoming[id(child)] -= 1
                if incoming[id(child)] == 0:
                    ready.append(child)
        assert len(order) == len(seen), "the Rete network has a cycle"
        return order

    @staticmethod
    def prepare_ruleset(engine):
        """experta's rule preparation (see `prepare_ruleset`), without its copying."""
        return prepare_ruleset(engine.get_rules())

    @staticmethod
    def build_alpha_part(ruleset, root_node):
        """experta's ``build_alpha_part``: the same nodes, tests and order, without its
        repeated work (it made every fact's checks once per rule using the fact, and
        re-hashed and re-sorted each check at every use). Like experta, the checks of
        facts that are equal come from the last of them (its fact capture is named
        after the object), and a fact's checks are ordered: type first, fact capture
        last, the others by how many facts share them."""
        ruleset = ruleset.copy()
        ruleset.add(Rule(InitialFact()))
        rule_facts = {rule: extract_facts(rule) for rule in ruleset}
        last: dict = {}
        for facts in rule_facts.values():
            for fact in facts:
                last[fact] = fact
        fact_checks = {fact: set(generate_checks(made_from)) for fact, made_from in last.items()}
        check_rank = Counter(chain.from_iterable(fact_checks.values()))
        key = {check: _check_order(check, check_rank) for check in check_rank}
        ordered = {fact: sorted(checks, key=key.__getitem__, reverse=True) for fact, checks in fact_checks.items()}
        weight = {fact: sum(check_rank[check] for check in checks) for fact, checks in fact_checks.items()}
        def rule_weight(rule) -> float:
            return sum(weight[fact] for fact in rule_facts[rule]) / len(rule_facts[rule])
        sorted_rules = sorted(ruleset, key=rule_weight, reverse=True)
        children: dict = {}         # id(node) -> {id(check): child node}, as built so far
        terminals = {}
        for rule in sorted_rules:
            for fact in rule_facts[rule]:
                node = root_node
                for check in ordered[fact]:
                    known = children.get(id(node))
                    if known is None:
                        known = children[id(node)] = {id(c.node.matcher): c.node for c in node.children
                                                      if isinstance(c.node, FeatureTesterNode)}
                    child = known.get(id(check))
                    if child is None:
                        child = known[id(check)] = FeatureTesterNode(check)
                        node.add_child(child, child.activate)
                    node = child
                terminals[fact] = node
        return terminals

    def build_network(self):
        """experta's alpha network; the beta network wired as experta's ``wire_rule``
        does, except that a join or NOT with the same inputs as one already made is
        shared (rules compiled from one YAML rule start with the same patterns), and
        without experta's per-rule dispatch tables. Shapes our compiler does not
        produce are wired by experta and run on its node code."""
        ruleset = self.prepare_ruleset(self.engine)
        alpha = self.build_alpha_part(ruleset, self.root_node)
        lhss = [(rule, lhs) for rule in ruleset for lhs in (rule[0] if isinstance(rule[0], OR) else (rule,))]
        self.fast = (all(_wireable(lhs) for _, lhs in lhss)
                     and all(_supported(node) for node in self._unique_nodes()))
        if not self.fast:
            self.build_beta_part(ruleset, alpha)
            return
        joins: dict = {}

        def wire(elem):
            if isinstance(elem, Fact):
                return alpha[elem]
            if isinstance(elem, NOT):
                return alpha[elem[0]]
            if len(elem) == 1:
                return wire(elem[0])
            current = None
            for first, second in zip(elem, elem[1:]):
                left = wire(first) if current is None else current
                right = wire(second)
                kind = NotNode if isinstance(second, NOT) else OrdinaryMatchNode
                current = joins.get((kind, id(left), id(right)))
                if current is None:
                    current = joins[(kind, id(left), id(right))] = kind(SameContextCheck())
                    left.add_child(current, current.activate_left)
                    right.add_child(current, current.activate_right)
            return current

        for rule, lhs in lhss:
            terminal = ConflictSetNode(rule)
            wire(lhs).add_child(terminal, terminal.activate)

    def _compile(self, nodes: list) -> None:
        """Give every node the tables its fast activation reads, and record which
        fact captures each node's tokens can carry (to skip needless context tests)."""
        keys = self._captures(nodes)
        sides: dict = {}
        for node in nodes:
            for child in node.children:
                port = child.callback.__name__
                if port in ("activate_left", "activate_right"):
                    sides.setdefault(id(child.node), {})[port] = keys.get(id(node), set())
        for node in nodes:
            if isinstance(node, (OrdinaryMatchNode, NotNode)):
                side = sides[id(node)]
                shared = side.get("activate_left", set()) & side.get("activate_right", set())
                node._shared = tuple(sorted(shared)) or None
            if isinstance(node, (BusNode, FeatureTesterNode)):
                self._alpha_tables(node)
        for index, node in enumerate(self._conflict_nodes):
            node._index, node._rule_hash = index, hash(node.rule)
        for node in nodes:
            if isinstance(node, (OrdinaryMatchNode, NotNode, ConflictSetNode)):
                node._matcher = self
            node._fast_children = tuple(self._fast_callback(child) for child in node.children
                                        if not isinstance(child.node, FeatureTesterNode))

    @staticmethod
    def _captures(nodes: list) -> dict:
        """node id -> the fact captures its tokens can carry."""
        keys: dict = {}
        for node in nodes:
            if isinstance(node, FeatureTesterNode) and isinstance(node.matcher, FactCapture):
                keys[id(node)] = {node.matcher.bind}
            for child in node.children:
                own = keys.setdefault(id(child.node), set())
                if child.callback.__name__ != "activate_right" or isinstance(child.node, OrdinaryMatchNode):
                    own |= keys.get(id(node), set())
        return keys

    @staticmethod
    def _fast_callback(child):
        node, port = child.node, child.callback.__name__
        if isinstance(node, ConflictSetNode):
            return lambda token: _terminal(node, token)
        if isinstance(node, OrdinaryMatchNode):
            return (lambda token: _join(node, token, True)) if port == "activate_left" else \
                (lambda token: _join(node, token, False))
        return (lambda token: _not_left(node, token)) if port == "activate_left" else \
            (lambda token: _not_right(node, token))

    @staticmethod
    def _alpha_tables(node) -> None:
        """Split a node's alpha children into tables (type of the fact; literal value
        of a plain field) and the rest, which are tested one by one."""
        by_type: dict = {}
        by_field: dict = {}
        tested: list = []
        for child in node.children:
            alpha = child.node
            if not isinstance(alpha, FeatureTesterNode):
                continue
            check = alpha.matcher
            if isinstance(check, TypeCheck):
                by_type.setdefault(check.fact_type, []).append(alpha)
            elif (isinstance(check, FeatureCheck) and isinstance(check.how, L)
                  and isinstance(check.what, str) and "__" not in check.what and not check.what.isnumeric()
                  and type(check.how.value) in (str, int, bool)):
                by_field.setdefault(check.what, {}).setdefault(check.how.value, []).append(alpha)
            else:
                tested.append(alpha)
        node._by_type = {t: tuple(v) for t, v in by_type.items()}
        node._by_field = tuple((what, {value: tuple(v) for value, v in table.items()})
                               for what, table in by_field.items())
        node._tested = tuple(tested)

    # --- running ---------------------------------------------------------------------

    def _walk(self, node, fact, binds: tuple, route: list) -> None:
        """`fact` passed `node`'s test: follow the alpha children that accept it and
        note the beta children it reaches, with the captures made on the way."""
        for child in node._by_type.get(type(fact), ()):
            self._walk(child, fact, binds, route)
        for what, table in node._by_field:
            try:
                value = fact[what]
            except (IndexError, KeyError, TypeError):
                continue
            try:
                accepted = table.get(value, ())
            except TypeError:           # an unhashable value: test each literal
                accepted = [alpha for alphas in table.values() for alpha in alphas if alpha.matcher(fact)]
            for child in accepted:
                self._walk(child, fact, binds, route)
        for child in node._tested:
            match = child.matcher(fact)
            if match:
                # a fact capture is the only test that yields a mapping here (no bindings)
                self._walk(child, fact, binds + tuple(match) if isinstance(match, Mapping) else binds, route)
        if node._fast_children:
            route.append((binds, node._fast_children))

    def _route(self, fact) -> list:
        """Where the alpha network sends a fact. Rete tests must be deterministic (experta
        relies on that to withdraw tokens), so facts of the same content take the same
        route: it is kept per content (values of plain types only, where equality
        cannot mix 1 and True), in a table that is emptied when it fills up."""
        key: Any = (type(fact),) + tuple((name, type(value), value) for name, value in fact.items()
                                    if name != "__factid__")
        if not all(type(item[2]) in _PLAIN for item in key[1:]):
            key = None
        route = self._routes.get(key) if key is not None else None
        if route is None:
            route = []
            self._walk(self.root_node, fact, (), route)
            if key is not None:
                if len(self._routes) >= _ROUTES_KEPT:
                    self._routes.clear()
                self._routes[key] = route
        return route

    def _send(self, fact, valid: bool) -> None:
        data = frozenset((fact,))
        for binds, callbacks in self._route(fact):
            token = _Token(valid, data, {bind: fact for bind in binds})
            for callback in callbacks:
                callback(token)

    def changes(self, adding=None, deleting=None):
        if not self.fast:
            return self._changes_stock(adding, deleting)
        for fact in deleting or ():
            self._send(fact, False)
        for fact in adding or ():
            self._send(fact, True)
        return self._collect()

    def _changes_stock(self, adding, deleting):
        for fact in deleting or ():
            self.root_node.remove(fact)
        for fact in adding or ():
            self.root_node.add(fact)
        self._changed = set(range(len(self._conflict_nodes)))
        return self._collect()

    def _collect(self):
        added, removed = [], []
        for index in sorted(self._changed):
            node_added, node_removed = self._conflict_nodes[index].get_activations()
            added.extend(node_added)
            removed.extend(node_removed)
        self._changed.clear()
        return added, removed

    def reset(self):
        if not self.fast:
            super().reset()
            self._changed = set(range(len(self._conflict_nodes)))
        for node in self._dirty:
            node._reset()
        self._dirty = []
        for index in self._changed:
            # activations left over from an interrupted run must not leak into the next
            self._conflict_nodes[index].added, self._conflict_nodes[index].removed = set(), set()
        self._changed = set()


def _join(node, token: _Token, from_left: bool) -> None:
    """OrdinaryMatchNode: remember the token on its side, pair it with the other side."""
    own, other = (node.left_memory, node.right_memory) if from_left else (node.right_memory, node.left_memory)
    if token.valid:
        if not node.left_memory and not node.right_memory:
            node._matcher._dirty.append(node)
        own.append(token)
    else:
        _remove_token(own, token)
    if not other:
        return
    shared, context, data, valid = node._shared, token.context, token.data, token.valid
    children = node._fast_children
    for stored in other:
        if shared is None or _agree(shared, context, stored.context):
            joined = _Token(valid, data | stored.data, {**context, **stored.context})
            for callback in children:
                callback(joined)


def _not_left(node, token: _Token) -> None:
    """NotNode, left input: pass the token on while nothing on the right matches it."""
    memory, right, shared = node.left_memory, node.right_memory, node._shared
    if not memory and not right:
        node._matcher._dirty.append(node)
    if token.valid:
        count = sum(1 for stored in right if _agree(shared, token.context, stored.context)) \
            if shared is not None else len(right)
        memory[token.info] = [count, token]
        if count:
            return
    else:
        blocked = any(_agree(shared, token.context, stored.context) for stored in right)
        del memory[token.info]
        if blocked:
            return
    for callback in node._fast_children:
        callback(token)


def _not_right(node, token: _Token) -> None:
    """NotNode, right input: a match blocks (or, when withdrawn, frees) left tokens."""
    memory, right, shared = node.left_memory, node.right_memory, node._shared
    if token.valid:
        if not memory and not right:
            node._matcher._dirty.append(node)
        right.append(token)
        step = 1
    else:
        if not _remove_token(right, token):
            raise ValueError("list.remove(x): x not in list")       # as experta's NotNode
        step = -1
    for entry in memory.values():
        if shared is None or _agree(shared, entry[1].context, token.context):
            entry[0] += step
            if entry[0] == (0 if step < 0 else 1):
                flipped = entry[1].flipped(step < 0)
                for callback in node._fast_children:
                    callback(flipped)


def _terminal(node, token: _Token) -> None:
    """ConflictSetNode: a complete match becomes an activation (or withdraws one)."""
    info = token.info
    node._matcher._changed.add(node._index)
    if token.valid:
        if info in node.memory:
            return
        if not node.memory:
            node._matcher._dirty.append(node)
        node.memory.add(info)
        activation = _Activation(node.rule, token, node._rule_hash)
        if activation in node.removed:
            node.removed.remove(activation)
        else:
            node.added.add(activation)
    else:
        node.memory.remove(info)        # experta raises here too (KeyError) on an unknown token
        activation = _Activation(node.rule, token, node._rule_hash)
        if activation in node.added:
            node.added.remove(activation)
        else:
            node.removed.add(activation)


__all__ = ["AND", "NOT", "OR", "ExpertaKnowledgeEngine", "Fact", "IncrementalReteMatcher", "KnowledgeEngine",
           "P", "ReteMatcher", "Rule", "StableDepthStrategy"]
