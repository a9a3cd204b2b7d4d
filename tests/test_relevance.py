"""A single-use Advisor (the CLI's consult and review) builds an engine with only the
rules the situation's facts leave possible (issue 15: half the cold start's engine
build). Leaving out rules that cannot fire must never change a Design."""
import pytest
from hypothesis import HealthCheck, given, settings

from expert.engine import Advisor, compiled, relevant_rules
from expert.paths import FACTS_DIR
from expert.situation import known_facts, parse_situation
from expert.vocabulary import vocabulary
from expert.yamlio import load_mapping
from strategies import situations

GROUPS = list(vocabulary().fields["target_group"]["values"])
EXAMPLE = FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml"


@pytest.fixture(scope="module")
def single():
    return Advisor(single_use=True)


def _cases():
    cases = [dict(load_mapping(p)[0]) for p in sorted((FACTS_DIR / "examples").glob("*.yaml"))
             if "situation" not in load_mapping(p)[0]]
    return cases + [dict(load_mapping(p)[0]["situation"]) for p in sorted((FACTS_DIR / "scenarios").glob("*.yaml"))]


def test_every_shipped_situation_gets_the_same_design_from_the_small_engine(advisor, single):
    cases = _cases()
    assert len(cases) > 100
    for case in cases:
        assert single.consult(case, "nl").to_json() == advisor.consult(case, "nl").to_json(), case
    for case in cases[:8]:
        assert single.consult(case, "en").to_json() == advisor.consult(case, "en").to_json(), case


@pytest.mark.parametrize("group", GROUPS)
def test_random_situations_get_the_same_design_from_the_small_engine(advisor, single, group):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(situation=situations(group))
    def same(situation):
        assert single.consult(situation).to_json() == advisor.consult(situation).to_json()

    same()


def test_the_filter_leaves_out_rules_and_keeps_every_rule_that_fires(advisor):
    """It does something (the shipped example loses at least a third of the women's rules),
    and what it leaves out never fires in the full engine, for every shipped situation."""
    base = compiled()
    example = known_facts(parse_situation(dict(load_mapping(EXAMPLE)[0])))
    group_rules = [r for r in base.kb.rules if "women" in base.scope[r.id]]
    assert len(relevant_rules("women", example)) < len(group_rules) * 2 / 3
    for case in _cases():
        parsed = parse_situation(case)
        facts = known_facts(parsed)
        kept = {r.id for r in relevant_rules(parsed.target_group, facts)}
        fired = advisor.engine(parsed.target_group).evaluate(facts).fired_rules
        assert fired <= kept, (case, sorted(fired - kept))


def test_a_rule_on_an_unknown_field_is_left_out_and_one_on_a_dimension_kept():
    """Two sides of the filter: a test on a field the situation leaves unknown rules the
    rule out; a test on a design dimension does not (a dimension can still take any value)."""
    base = compiled()
    fields = vocabulary().fields
    facts = {"target_group": "women"}
    kept = {r.id for r in relevant_rules("women", facts)}
    for rule in base.kb.rules:
        if "women" not in base.scope[rule.id]:
            continue
        tests = list(rule.conditions.tests)
        if tests and all(t.field not in fields for t in tests) and not rule.conditions.any_of:
            assert rule.id in kept, rule.id
        if any(t.field in fields and t.field != "target_group" and t.op != "unknown" for t in tests):
            assert rule.id not in kept, rule.id


def test_the_small_engine_gives_the_same_design_whatever_the_declaration_order(advisor, single):
    """Firing order never depends on the order facts were declared (experta issue #10),
    in the small engine as in the warm one."""
    case = dict(load_mapping(EXAMPLE)[0])
    facts = list(known_facts(parse_situation(case)))
    expected = advisor.consult(case).to_json()
    for order in (facts, facts[::-1], facts[1:] + facts[:1]):
        assert single.consult(case, declaration_order=order).to_json() == expected
