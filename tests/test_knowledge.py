"""The knowledge-base loader refuses broken rule files with file, line and rule id."""
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expert.errors import InputErrors
from expert.knowledge import load_knowledge

GOOD = """about: {nl: "x", en: "x"}
items:
  risks:
    r1: {text: {nl: "t", en: "t"}, mitigation: {nl: "m", en: "m"}}
rules:
  - id: t.one
    when: {target_group: women, funding_years: {lt: 3}}
    then: {risks: [r1]}
    because: {nl: "n", en: "e"}
    sources: [A.1]
"""


def load(tmp_path, text):
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    return load_knowledge(tmp_path)


def problems(tmp_path, text):
    with pytest.raises(InputErrors) as info:
        load(tmp_path, text)
    return str(info.value)


def test_good_file_loads(tmp_path):
    kb = load(tmp_path, GOOD)
    assert kb.by_id["t.one"].reads() == ["target_group", "funding_years"]


@pytest.mark.parametrize("change,needle", [
    (("target_group: women", "target_grup: women"), "unknown field in condition; did you mean 'target_group'"),
    (("target_group: women", "target_group: men"), "unknown value 'men'"),
    (("[A.1]", "[A.99]"), "unknown source id 'A.99'"),
    (("because: {nl: \"n\", en: \"e\"}", "because: {nl: \"n\"}"), "because.en"),
    (("risks: [r1]", "risks: [r2]"), "risks item 'r2' is not defined"),
    (("then: {risks: [r1]}", "then: {childcare: children_come_along}"), "needs a 'priority'"),
    (("{lt: 3}", "{below: 3}"), "unknown operator 'below'"),
    (("    sources: [A.1]", "    sources: [A.1]\n    colour: red"), "Extra inputs are not permitted"),
])
def test_broken_rules_are_reported_with_file_line_and_rule(tmp_path, change, needle):
    message = problems(tmp_path, GOOD.replace(*change))
    assert needle in message
    assert "t.yaml:" in message


def test_duplicate_rule_ids(tmp_path):
    text = GOOD + GOOD.split("rules:\n")[1]
    assert "duplicate rule id" in problems(tmp_path, text)


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 50) | st.text(max_size=6)
    | st.sampled_from(["women", "low", "unknown", "known", "children_come_along", "A.1", "r1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["in", "not", "gte", "any", "unless", "channel", "weight", "id", "met_when",
                         "status", "level", "target_group", "young_children", "min_months"]), inner, max_size=3),
    max_leaves=6)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(when=st.dictionaries(st.sampled_from(["target_group", "level", "young_children", "any", "unless",
                                             "funding_years", "nonsense"]), _VALUES, max_size=3),
       then=st.dictionaries(st.sampled_from(["risks", "childcare", "recruitment", "preconditions", "lead_time",
                                             "level", "colour"]), _VALUES, max_size=2),
       priority=st.none() | st.integers(-1, 120) | st.text(max_size=3))
def test_any_rule_loads_or_is_reported_never_crashes(tmp_path, when, then, priority):
    rule = {"id": "t.fuzz", "when": when, "then": then, "because": {"nl": "n", "en": "e"}, "sources": ["A.1"]}
    if priority is not None:
        rule["priority"] = priority
    document = {"about": {"nl": "x", "en": "x"},
                "items": {"risks": {"r1": {"text": {"nl": "t", "en": "t"}, "mitigation": {"nl": "m", "en": "m"}}}},
                "rules": [rule]}
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    try:
        load_knowledge(tmp_path)
    except InputErrors as exc:
        assert all(e.file and "t.yaml" in e.file for e in exc.errors)
