"""Decision tables in rule files: each row becomes an ordinary rule (same conditions, conclusion,
priority, reason and sources), and rows that break the table's hit policy are reported."""
import pytest

from expert.errors import InputErrors
from expert.knowledge import load_knowledge

TABLE = """about: {nl: "x", en: "x"}
tables:
  - id: t.childcare
    when: {target_group: women}
    inputs: [category, young_children]
    output: childcare
    hit_policy: unique
    priority: table
    rows:
      - id: t.childcare.low
        category: low
        young_children: true
        childcare: children_come_along
        because: {nl: "laag", en: "low"}
        sources: [A.aspect.4]
      - id: t.childcare.middle
        category: {in: [middle, high]}
        young_children: "-"
        childcare: childcare_next_to_location
        because: {nl: "midden", en: "middle"}
        sources: [A.table.middle.execution]
"""
PLAIN = """about: {nl: "x", en: "x"}
rules:
  - id: t.childcare.low
    when: {target_group: women, category: low, young_children: true}
    then: {childcare: children_come_along}
    priority: table
    because: {nl: "laag", en: "low"}
    sources: [A.aspect.4]
  - id: t.childcare.middle
    when: {target_group: women, category: {in: [middle, high]}}
    then: {childcare: childcare_next_to_location}
    priority: table
    because: {nl: "midden", en: "middle"}
    sources: [A.table.middle.execution]
"""


def _load(folder, text):
    folder.mkdir()
    (folder / "t.yaml").write_text(text, encoding="utf-8")
    return load_knowledge(folder)


def test_rows_are_the_rules_they_stand_for(tmp_path):
    table, plain = _load(tmp_path / "a", TABLE), _load(tmp_path / "b", PLAIN)
    assert [r.id for r in table.rules] == [r.id for r in plain.rules]
    for row, rule in zip(table.rules, plain.rules):
        assert row.conditions == rule.conditions
        assert row.then == rule.then and row.priority == rule.priority == 20
        assert row.spec.because == rule.spec.because and row.spec.sources == rule.spec.sources
        assert row.table == "t.childcare" and rule.table is None


@pytest.mark.parametrize("change,needle", [
    (("category: {in: [middle, high]}", "category: {in: [low, middle]}"),
     "rows 't.childcare.low' and 't.childcare.middle' can both hold (hit policy unique)"),
    (("output: childcare", "output: colour"), "table output 'colour' is not a single-valued dimension"),
    (("inputs: [category, young_children]", "inputs: [category, young_kids]"),
     "unknown table input; did you mean 'young_children'?"),
    (("        young_children: true\n", "        young_children: true\n        funding_years: 3\n"),
     "row keys ['funding_years'] are not inputs of the table"),
    (("category: low", "category: lowest"), "unknown value 'lowest'"),
    (("priority: table", "priority: tabel"), "priority 'tabel' is not a level"),
    (("priority: table", "priority: 20"), "write the priority as a named level"),
])
def test_broken_tables_are_reported_with_file_and_line(tmp_path, change, needle):
    with pytest.raises(InputErrors) as info:
        _load(tmp_path / "a", TABLE.replace(*change))
    assert needle in str(info.value) and "t.yaml:" in str(info.value)


def test_overlapping_rows_with_the_same_output_pass_under_hit_policy_any(tmp_path):
    text = TABLE.replace("hit_policy: unique", "hit_policy: any").replace(
        "category: {in: [middle, high]}", "category: {in: [low, middle]}").replace(
        "childcare: childcare_next_to_location", "childcare: children_come_along")
    assert len(_load(tmp_path / "a", text).rules) == 2
