"""facts/dimensions.yaml is the one source of truth for the design's parts and dimensions:
a knowledge engineer adds a dimension with data alone, no Python edited."""
import json

from knowledge_copy import copy_with_dimension, run_cli

from expert.vocabulary import vocabulary

NEW_PART = """  meeting_place:
    title: {nl: "Plek van samenkomst", en: "Meeting place"}
    shape: object
    dimensions: [meeting_place]
"""
NEW_DIMENSION = """  meeting_place:
    kind: single
    key: place
    label_key: place_label
    applies_to: [youth]
    label: {nl: "Plek van samenkomst", en: "Meeting place"}
    values:
      school: {nl: "op school", en: "at school"}
      community_centre: {nl: "in het buurthuis", en: "in the community centre"}
"""
RULE = """about: {nl: "Plek", en: "Place"}
rules:
  - id: meeting.youth.school
    when: {target_group: youth, policy_goal: education}
    then: {meeting_place: school}
    priority: table
    because: {nl: "Scholieren ontmoet je op school.", en: "Pupils are met at school."}
    sources: [B.4.youth]
"""
SCENARIO = """name: pupils meet at school
sources: [B.4.youth]
situation: {target_group: youth, policy_goal: education}
expect:
  meeting_place: school
"""


def test_a_new_dimension_needs_only_data(tmp_path):
    copy_with_dimension(tmp_path, NEW_PART, NEW_DIMENSION, "meeting.yaml", RULE)
    (tmp_path / "place.yaml").write_text(SCENARIO, encoding="utf-8")

    text = run_cli(tmp_path, "consult", str(tmp_path / "place.yaml"))
    assert text.returncode == 0, text.stderr
    assert "Plek van samenkomst" in text.stdout and "op school" in text.stdout
    english = run_cli(tmp_path, "consult", tmp_path / "place.yaml", "--format", "json", "--lang", "en")
    design = json.loads(english.stdout)
    assert design["meeting_place"] == {"place": "school", "place_label": "at school",
                                       "rules": ["meeting.youth.school"]}
    passed = run_cli(tmp_path, "test", tmp_path / "place.yaml")
    assert passed.returncode == 0 and "1 passed, 0 failed" in passed.stdout, passed.stdout + passed.stderr
    # a wrong expectation on the new part fails like any other
    (tmp_path / "place.yaml").write_text(SCENARIO.replace("meeting_place: school", "meeting_place: community_centre"),
                                         encoding="utf-8")
    assert run_cli(tmp_path, "test", str(tmp_path / "place.yaml")).returncode == 1


def test_every_dimension_sits_in_exactly_one_part_and_parts_follow_the_contract_order():
    reg = vocabulary().registry
    placed = [d for p in reg.parts.values() for d in p.dimensions]
    assert sorted(placed) == sorted(reg.dimensions) and len(placed) == len(set(placed))
    assert list(reg.parts)[:10] == ["participation_level", "recruitment", "childcare", "result_agreements",
                                    "lead_time", "execution", "director_role", "preconditions", "risks",
                                    "reference_projects"]


def test_the_condition_grammar_is_a_model_every_shipped_rule_satisfies():
    """`schema rules` documents `when` with the When model; the shipped rules all fit it."""
    from expert.conditions import When
    from expert.knowledge import knowledge_base, rules_json_schema

    schema = rules_json_schema()
    assert schema["$defs"]["RuleSpec"]["properties"]["when"] == {"$ref": "#/$defs/When"}
    assert "additionalProperties" in schema["$defs"]["When"]
    for rule in knowledge_base().rules:
        When.model_validate(rule.spec.when)
    for model_name in ("Then", "Items"):
        assert model_name in schema["$defs"]
    # every single-valued dimension of the registry can be concluded
    assert set(vocabulary().registry.single()) <= set(schema["$defs"]["Then"]["properties"])
