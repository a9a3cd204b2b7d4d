"""Our Rete matcher against experta's stock ReteMatcher, and experta's logging in a host."""
import re
import subprocess
import sys
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import situations

from expert import Advisor
from expert.engine import group_engine_class
from expert.experta_compat import (AND, NOT, OR, Fact, IncrementalReteMatcher, KnowledgeEngine, P, ReteMatcher,
                                   Rule, StableDepthStrategy, make_rule, prepare_ruleset)
from experta.fieldconstraint import ANDFC, NOTFC, ORFC, L
from expert.situation import known_facts, parse_situation

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@lru_cache(maxsize=1)
def _stock_advisor():
    """An Advisor whose group engines run on experta's own matcher (as before ours)."""
    advisor = Advisor(freeze_heap=False)
    for group in ("women", "youth", "newcomers", "return"):
        advisor.engines[group] = type("StockEngine", (group_engine_class(group),), {"__matcher__": ReteMatcher})()
    return advisor


@SETTINGS
@given(situation=situations(), data=st.data())
def test_designs_are_those_of_expertas_stock_matcher(advisor, situation, data):
    order = data.draw(st.permutations(list(known_facts(parse_situation(situation)))))
    expected = _stock_advisor().consult(situation, "en", declaration_order=order)
    assert advisor.consult(situation, "en", declaration_order=order).to_json() == expected.to_json()


def test_every_group_engine_runs_on_the_fast_path(advisor):
    for group in ("women", "youth", "newcomers", "return"):
        assert advisor.engine(group).matcher.fast, group


# --- rule preparation: ours against experta's ----------------------------------------

def _shape(node):
    """A rule's structure with every type spelled out (experta's CEs are tuples, so
    AND(a, b) == OR(a, b) as tuples)."""
    if isinstance(node, Fact):
        return (type(node).__name__, tuple(sorted((repr(k), _shape(v)) for k, v in node.items())))
    if isinstance(node, tuple):
        own = (node._wrapped, node._wrapped_self, node.salience) if isinstance(node, Rule) else ()
        return (type(node).__name__, tuple(_shape(e) for e in node)) + own
    return repr(node)


def _expertas(rules):
    return ReteMatcher.prepare_ruleset(type("Holder", (), {"get_rules": lambda self: rules})())


def test_every_group_engine_is_prepared_as_experta_prepares_it():
    """Same rules, same structure and the same set order (so the same network)."""
    for group in ("women", "youth", "newcomers", "return"):
        rules = group_engine_class(group)().get_rules()
        assert [_shape(r) for r in prepare_ruleset(rules)] == [_shape(r) for r in _expertas(rules)], group


def _alpha_shape(root, terminals):
    """The alpha network as nested (test, children) tuples, and each fact's path to its
    terminal node (as indexes of children). A fact capture is named after a pattern
    object's id (arbitrary), so captures are numbered in the order they are met."""
    paths, where, names = {}, {}, {}

    def test(node):
        text = repr(getattr(node, "matcher", None))
        return re.sub(r"__pattern_\d+__", lambda m: f"capture{names.setdefault(m.group(0), len(names))}", text)

    def walk(node, path):
        where[id(node)] = path
        kids = [child.node for child in node.children if hasattr(child.node, "matcher")]
        return (test(node), tuple(walk(kid, path + (i,)) for i, kid in enumerate(kids)))
    shape = walk(root, ())
    for fact, node in terminals.items():
        paths[re.sub(r"__pattern_\d+__", "capture", repr(fact))] = where[id(node)]
    return shape, paths


def test_every_group_engines_alpha_network_is_built_as_experta_builds_it():
    from experta.matchers.rete.nodes import BusNode
    for group in ("women", "youth", "newcomers", "return"):
        prepared = prepare_ruleset(group_engine_class(group)().get_rules())
        ours_root, theirs_root = BusNode(), BusNode()
        ours = IncrementalReteMatcher.build_alpha_part(prepared, ours_root)
        theirs = ReteMatcher.build_alpha_part(prepared, theirs_root)
        assert _alpha_shape(ours_root, ours) == _alpha_shape(theirs_root, theirs), group


FIELD_VALUE = st.recursive(st.sampled_from([L(1), L(2), L(3)]),
                           lambda inner: st.one_of(st.builds(NOTFC, inner),
                                                   st.lists(inner, min_size=2, max_size=3).map(lambda v: ORFC(*v)),
                                                   st.lists(inner, min_size=2, max_size=3).map(lambda v: ANDFC(*v))),
                           max_leaves=3)
PATTERN = st.one_of(st.builds(lambda k: Item(kind=k), st.sampled_from("abc")),
                    st.builds(lambda k, v: Item(kind=k, size=v), st.sampled_from("abc"), FIELD_VALUE))
ELEMENT = st.recursive(PATTERN, lambda inner: st.one_of(
    st.builds(NOT, inner),
    st.lists(inner, min_size=1, max_size=3).map(lambda parts: AND(*parts)),
    st.lists(inner, min_size=1, max_size=3).map(lambda parts: OR(*parts))), max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(conditions=st.lists(ELEMENT, max_size=3), salience=st.integers(0, 3))
def test_random_rules_are_prepared_as_experta_prepares_them(conditions, salience):
    rule = Rule(*conditions, salience=salience)(lambda engine: None)
    ours, = prepare_ruleset([rule])
    theirs, = _expertas([rule])
    assert _shape(ours) == _shape(theirs)


# --- retraction, shared captures and the fallback, on a small engine -----------------
# Consultations only declare facts; these rules and random declare/retract sequences
# also exercise withdrawn tokens, a pattern used twice in one rule and a NOT of a
# pattern the rule also matches.

class Item(Fact):
    pass


class SmallEngine(KnowledgeEngine):
    __strategy__ = StableDepthStrategy

    def reset(self):
        self.fired = []
        super().reset()

    def _fire(self, name):
        self.fired.append((name, sorted(self.facts)))

    @Rule(Item(kind="a", size=1), NOT(Item(kind="b")), salience=9)
    def a_without_b(self):
        self._fire("a_without_b")

    @Rule(Item(kind="a"), OR(Item(kind="a"), Item(kind="c", size=P(lambda x: x > 1))), salience=8)
    def a_twice_or_big_c(self):
        self._fire("a_twice_or_big_c")

    @Rule(Item(kind="b"), NOT(Item(kind="b")), salience=7)
    def b_not_b(self):
        self._fire("b_not_b")

    @Rule(NOT(Item(kind="a")), NOT(Item(kind="c")), salience=6)
    def neither(self):
        self._fire("neither")

    @Rule(Item(kind="c"), Item(kind="b", size=2), NOT(Item(kind="a", size=1)), salience=5)
    def c_and_b2_without_a1(self):
        self._fire("c_and_b2_without_a1")


class FastSmall(SmallEngine):
    __matcher__ = IncrementalReteMatcher


class StockSmall(SmallEngine):
    __matcher__ = ReteMatcher


def _agenda(engine):
    return [(a.rule.salience, sorted(f["__factid__"] for f in a.facts)) for a in engine.agenda.activations]


OPERATION = st.one_of(
    st.tuples(st.just("declare"), st.sampled_from("abc"), st.integers(1, 3)),
    st.tuples(st.just("retract"), st.integers(0, 12), st.just(0)),
    st.tuples(st.just("run"), st.integers(1, 3), st.just(0)))


@settings(max_examples=300, deadline=None)
@given(operations=st.lists(OPERATION, max_size=25))
def test_declare_retract_and_run_match_the_stock_matcher(operations):
    fast, stock = FastSmall(), StockSmall()
    assert fast.matcher.fast
    for engine in (fast, stock):
        engine.reset()
    for op, first, second in operations:
        for engine in (fast, stock):
            if op == "declare":
                engine.declare(Item(kind=first, size=second))
            elif op == "retract" and first in engine.facts:
                engine.retract(first)
            elif op == "run":
                engine.run(first)
        assert _agenda(fast) == _agenda(stock)
        assert fast.fired == stock.fired
    for engine in (fast, stock):
        engine.run()
    assert fast.fired == stock.fired


def test_a_network_with_bindings_runs_on_expertas_node_code():
    class Bound(KnowledgeEngine):
        __matcher__ = IncrementalReteMatcher

        @Rule(Item(kind="a", size="size" << P(lambda x: True)), Item(kind="b", size="size" << P(lambda x: True)))
        def same_size(self, size):
            self.sizes.append(size)

    engine = Bound()
    assert not engine.matcher.fast
    engine.reset()
    engine.sizes = []
    engine.declare(Item(kind="a", size=2), Item(kind="b", size=3), Item(kind="b", size=2))
    engine.run()
    assert engine.sizes == [2]
    engine.reset()
    engine.sizes = []
    engine.declare(Item(kind="a", size=1), Item(kind="b", size=1))
    engine.run()
    assert engine.sizes == [1]


# --- logging -------------------------------------------------------------------------

HOST = """
import io, logging, sys
stream = io.StringIO()
logging.basicConfig(level=logging.DEBUG, stream=stream, format="%(name)s %(message)s")
root = logging.getLogger()
before = (root.level, list(root.handlers))
if sys.argv[1] == "preset":
    logging.getLogger("experta").setLevel(logging.INFO)
from expert import consult
consult({"target_group": "women", "dutch_proficiency": "none"})
assert (root.level, list(root.handlers)) == before
if sys.argv[1] == "watch":
    import experta
    experta.watch("RULES")
    consult({"target_group": "youth"})
print(sum(1 for line in stream.getvalue().splitlines() if line.startswith("experta")))
"""


def _experta_lines(mode):
    out = subprocess.run([sys.executable, "-c", HOST, mode], capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_a_host_logging_at_debug_gets_no_experta_lines_and_keeps_its_root_logger():
    assert _experta_lines("quiet") == 0


def test_a_host_can_still_turn_experta_logging_on_before_or_after_importing_us():
    assert _experta_lines("watch") > 0
    assert _experta_lines("preset") > 0


def test_make_rule_is_expertas_decoration_of_an_action_taking_kwargs():
    def action(engine, **_):
        pass

    def plain(engine):
        pass

    ours, theirs = make_rule(Item(kind="a"), salience=3, action=action), Rule(Item(kind="a"), salience=3)(action)
    assert ours == theirs and ours.__dict__ == theirs.__dict__
    with pytest.raises(TypeError):
        make_rule(Item(kind="a"), salience=3, action=plain)
