"""The knowledge-base loader refuses broken rule files with file, line and rule id."""
import pytest

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
