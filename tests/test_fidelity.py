"""Fidelity checks (expert/fidelity.py): the shipped rules are clean, a wrong rule set is caught,
and every scenario, example and random situation gives a design that passes the same checks."""
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings

from expert.fidelity import Space, design_findings, fidelity_findings, load_data
from expert.knowledge import load_knowledge
from expert.paths import FACTS_DIR, RULES_DIR
from expert.vocabulary import vocabulary
from strategies import situations

DATA = """
channels:
  home_visits_key_figures:
    field: key_figures_available
    absent: [false]
    build: [director_role.grow_key_figures]
contradicts:
  risks.no_targets_please:
    items: [result_agreements.firm_results]
no_reference_items: []
"""

ITEMS = """about: {nl: "test", en: "test"}
items:
  director_role:
    grow_key_figures: {nl: "Zoek sleutelfiguren.", en: "Find key figures."}
  risks:
    no_targets_please:
      text: {nl: "Geen harde doelen.", en: "No hard targets."}
      mitigation: {nl: "Alleen procesafspraken.", en: "Process agreements only."}
rules:
"""

BASE_RULES = """
  - id: t.results.firm
    when: {target_group: women}
    then: {result_agreements: firm_results}
    priority: table
    because: {nl: "Harde afspraken.", en: "Firm agreements."}
    sources: [A.1]
  - id: t.category.low
    when: {target_group: women}
    then: {category: low}
    priority: table
    because: {nl: "Laag.", en: "Low."}
    sources: [A.1]
"""

WRONG = """
  - id: t.recruit.home_visits
    when: {category: low}
    then:
      recruitment: [{channel: home_visits_key_figures, weight: 90}]
    because: {nl: "Huisbezoek.", en: "Home visits."}
    sources: [A.1]
  - id: t.risk.no_targets
    when: {target_group: women}
    then: {risks: [no_targets_please]}
    because: {nl: "Geen doelen.", en: "No targets."}
    sources: [A.1]
  - id: t.referral.unless
    when: {target_group: women, unless: {health_referrers: false}}
    then:
      recruitment: [{channel: referral_health_services, weight: 50}]
    because: {nl: "Verwijzing.", en: "Referral."}
    sources: [A.1]
"""

RIGHT = """
  - id: t.recruit.home_visits
    when: {category: low, key_figures_available: true}
    then:
      recruitment: [{channel: home_visits_key_figures, weight: 90}]
    because: {nl: "Huisbezoek.", en: "Home visits."}
    sources: [A.1]
  - id: t.build.key_figures
    when: {target_group: women, key_figures_available: false}
    then: {director_role: [grow_key_figures]}
    because: {nl: "Opbouwen.", en: "Build."}
    sources: [A.1]
  - id: t.risk.no_targets
    when: {target_group: women, result_agreements: process_conditions}
    then: {risks: [no_targets_please]}
    because: {nl: "Geen doelen.", en: "No targets."}
    sources: [A.1]
  - id: t.referral.unless
    when: {target_group: women, unless: {health_referrers: false}}
    then:
      recruitment: [{channel: referral_health_services, weight: 50}]
    assumes: {nl: "Aangenomen dat er verwijzers zijn.", en: "Assumed there are referrers."}
    because: {nl: "Verwijzing.", en: "Referral."}
    sources: [A.1]
  - id: t.reference.low
    when: {category: low}
    then:
      reference_projects: [{id: A.project.L5, resemblance: {nl: "Zoals L5.", en: "Like L5."}}]
    because: {nl: "L5.", en: "L5."}
    sources: [A.project.L5]
"""


def _kb_and_data(tmp_path: Path, rules: str):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "t.yaml").write_text(ITEMS + BASE_RULES + rules, encoding="utf-8")
    data_file = tmp_path / "prerequisites.yaml"
    data_file.write_text(DATA, encoding="utf-8")
    return load_knowledge(folder), load_data(data_file)


def test_shipped_rules_have_no_fidelity_findings():
    assert fidelity_findings(load_knowledge(RULES_DIR)) == []


def test_a_wrong_rule_set_is_reported_on_all_four_checks(tmp_path):
    kb, data = _kb_and_data(tmp_path, WRONG)
    findings = "\n".join(fidelity_findings(kb, data))
    # (a) the channel is advised although the situation says there are no key figures ...
    assert "rule 't.recruit.home_visits'" in findings and "key_figures_available" in findings
    # ... and nothing says how to build them
    assert "women: when key_figures_available is False, no rule always names how to build" in findings
    # (b) a decided kind of project without any comparable project
    assert "women: a design with category = low can end up without a comparable project" in findings
    # (c) a mitigation that rules out firm agreements next to firm agreements
    assert "rules 't.risk.no_targets' and 't.results.firm'" in findings
    # (d) fires while health_referrers is unknown, without saying so
    assert "rule 't.referral.unless'" in findings and "'health_referrers' is" in findings


def test_the_corrected_rule_set_is_clean(tmp_path):
    kb, data = _kb_and_data(tmp_path, RIGHT)
    assert fidelity_findings(kb, data) == []


def test_a_derived_value_carries_what_its_rules_require():
    space = Space(load_knowledge(RULES_DIR))
    implied = space.implied[("category", "low_high")]
    assert implied["intermediaries_available"] == {True}
    assert implied["target_group"] == {"women"}


def _situations_and_designs(advisor):
    for folder in ("scenarios", "examples"):
        for path in sorted((FACTS_DIR / folder).glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            situation = data.get("situation", data)
            yield path.name, situation, advisor.consult(situation).model_dump(mode="json")


def test_every_scenario_and_example_passes_the_design_checks(advisor):
    data = load_data()
    problems = [f"{name}: {finding}" for name, situation, design in _situations_and_designs(advisor)
                for finding in design_findings(situation, design, data)]
    assert problems == []


def test_the_design_check_catches_a_channel_whose_source_is_absent():
    design = {"target_group": "women", "participation_level": "low", "reference_projects": ["A.project.L5"],
              "recruitment": [{"channel": "home_visits_key_figures"}]}
    assert design_findings({"key_figures_available": False}, design)
    assert design_findings({"key_figures_available": True}, design) == []


FIELDS = vocabulary().fields


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(situation=situations())
def test_any_situation_gets_a_design_that_passes_the_design_checks(advisor, situation):
    design = advisor.consult(situation).model_dump(mode="json")
    assert design_findings(situation, design) == []
