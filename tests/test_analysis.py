"""`aanpakwijzer rules check` finds gaps, conflicts, empty lists and unreachable rules."""
from click.testing import CliRunner

from cli import main

RULES = """about: {nl: "x", en: "x"}
items:
  risks:
    r1: {text: {nl: "t", en: "t"}, mitigation: {nl: "m", en: "m"}}
rules:
  - id: t.childcare.along
    when: {target_group: women, young_children: true}
    then: {childcare: children_come_along}
    priority: table
    because: {nl: "n", en: "e"}
    sources: [A.1]
  - id: t.childcare.small_town
    when: {target_group: women, young_children: true, municipality_size: small}
    then: {childcare: not_applicable}
    priority: table
    because: {nl: "n", en: "e"}
    sources: [A.1]
  - id: t.risk.never
    when: {target_group: women, young_children: true, unless: {young_children: true}}
    then: {risks: [r1]}
    because: {nl: "n", en: "e"}
    sources: [A.1]
"""


def check(tmp_path, text):
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["rules", "check", "--quiet", "--workers", "1", "--rules", str(tmp_path)])


def test_check_reports_gap_conflict_empty_and_unreachable(tmp_path):
    result = check(tmp_path, RULES)
    out = result.output
    assert result.exit_code == 1
    assert "women: gap: 'childcare' gets no value in 8 of 12 inputs, e.g. {only target_group}" in out
    assert ("women: conflict on 'childcare' at priority 20: children_come_along by t.childcare.along; "
            "not_applicable by t.childcare.small_town; e.g. {municipality_size: small, young_children: True}") in out
    assert "women: no rule ever adds 'recruitment'" in out
    assert "unreachable: rule 't.risk.never'" in out
    assert "source id 'A.table.low' is cited by no rule" in out
    assert "women: childcare: 12 inputs over 2 fields ['municipality_size', 'young_children']" in out


def test_a_section_counts_as_cited_through_its_parts(tmp_path):
    result = check(tmp_path, RULES.replace("[A.1]", "[A.rec.2.1.recruitment]"))
    assert "source id 'A.rec.2.1' is cited" not in result.output
    assert "source id 'A.rec.2.2' is cited by no rule" in result.output


def test_shipped_knowledge_base_lints_clean():
    result = CliRunner().invoke(main, ["rules", "list"])
    assert result.exit_code == 0 and "women." in result.output


def test_an_assumption_that_can_never_be_shown_is_reported(tmp_path):
    text = RULES.replace(
        "    when: {target_group: women, young_children: true, unless: {young_children: true}}\n"
        "    then: {risks: [r1]}\n",
        "    when: {target_group: women, young_children: true}\n"
        "    then: {risks: [r1]}\n"
        "    assumes: {nl: \"a\", en: \"a\"}\n")
    result = check(tmp_path, text)
    assert "rule 't.risk.never'" in result.output and "'assumes' text is never shown" in result.output


def test_a_rule_id_names_its_file():
    from expert.analysis import id_fits_file

    assert id_fits_file("women.project.l1.home_visits", "rules/women_projects_low.yaml")
    assert id_fits_file("good_practice.checklist.x", "rules/good_practice.yaml")
    assert id_fits_file("youth.scale.x", "rules/youth.yaml")
    assert not id_fits_file("youth.project.h4.x", "rules/women_projects_middle_high.yaml")
    assert not id_fits_file("good.x", "rules/goodness.yaml")
