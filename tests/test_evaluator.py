"""Differential test: the plain evaluator (used by `rules check`) and the experta engine
(used by every consultation) are two implementations of the same rules; for any situation
their records give byte-identical designs. A difference is a bug in one of them."""
import functools

import pytest
from hypothesis import HealthCheck, given, settings

from expert.assemble import assemble
from expert.engine import compiled
from expert.evaluator import Evaluator, precondition_status
from expert.knowledge import load_knowledge
from expert.paths import FACTS_DIR
from expert.situation import known_facts, parse_situation
from expert.vocabulary import vocabulary
from expert.yamlio import load_mapping
from strategies import situations

FIELDS = vocabulary().fields
GROUPS = list(FIELDS["target_group"]["values"])


@functools.lru_cache(maxsize=1)
def _evaluator():
    base = compiled()
    return Evaluator(base.kb, base.layers)


def _both(advisor, situation):
    parsed = parse_situation(situation)
    base = compiled()
    run = _evaluator().evaluate(known_facts(parsed))
    oracle = assemble(base.kb, base.questions, parsed.target_group, run, "nl")
    return advisor.consult(parsed).to_json(), oracle.to_json()


def test_every_shipped_example_and_scenario_agrees(advisor):
    cases = [dict(load_mapping(p)[0]) for p in sorted((FACTS_DIR / "examples").glob("*.yaml"))
             if "situation" not in load_mapping(p)[0]]
    cases += [dict(load_mapping(p)[0]["situation"]) for p in sorted((FACTS_DIR / "scenarios").glob("*.yaml"))]
    assert len(cases) > 50
    for case in cases:
        engine, oracle = _both(advisor, case)
        assert engine == oracle, case


@pytest.mark.parametrize("group", GROUPS)
def test_random_situations_agree(advisor, group):
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(situation=situations(group))
    def agree(situation):
        engine, oracle = _both(advisor, situation)
        assert engine == oracle

    agree()


def test_the_oracle_can_fail(tmp_path, advisor):
    """A deliberately different rule base gives a different record: the comparison is not vacuous."""
    base = compiled()
    situation = parse_situation({"target_group": "women", "leaves_home_independently": False})
    fewer = Evaluator(base.kb.subset([r for r in base.kb.rules if r.id != "women.level.low.dependent"]), base.layers)
    changed = assemble(base.kb, base.questions, "women", fewer.evaluate(known_facts(situation)), "nl")
    assert changed.to_json() != advisor.consult(situation).to_json()


def test_precondition_status_is_three_valued(tmp_path):
    (tmp_path / "t.yaml").write_text("""about: {nl: x, en: x}
items:
  preconditions:
    p: {nl: p, en: p}
rules:
  - id: t.p
    when: {target_group: women}
    then:
      preconditions:
        - {id: p, met_when: {funding_years: {gte: 3}, multiple_funders: true}}
    because: {nl: n, en: e}
    sources: [A.1]
""", encoding="utf-8")
    met = load_knowledge(tmp_path).rules[0].met_when["p"]
    assert precondition_status(met, {"funding_years": 3, "multiple_funders": True}) == "met"
    assert precondition_status(met, {"funding_years": 2}) == "not_met"
    assert precondition_status(met, {"funding_years": 4}) == "unknown"
    assert precondition_status(met, {}) == "unknown"
