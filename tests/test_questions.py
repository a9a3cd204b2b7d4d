"""Open questions: complete, ranked, with their answers (issue 10) and not asking what is implied (issue 9)."""
import json

import pytest

from expert.errors import InputError
from expert.paths import FACTS_DIR
from expert.questions import weight
from expert.vocabulary import registry, vocabulary
from expert.yamlio import load_mapping

# Early school leavers, as a new user described them in issue 10.
SCHOOL_LEAVERS = {"target_group": "youth", "municipality_size": "medium", "education_level": "low",
                  "policy_goal": "education", "already_employed": False, "care_indication": False,
                  "self_organisations": "some", "ethnic_media_available": True, "funding_years": 2}
WOMEN_EXAMPLE = dict(load_mapping(FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml")[0])


def _parts(advisor, situation):
    return registry().part_values(advisor.consult(situation).model_dump(mode="json"))


def _changed(advisor, before, after):
    a, b = _parts(advisor, before), _parts(advisor, after)
    return {p for p in a if a[p] != b[p]}


def test_a_rule_that_needs_two_unknown_answers_surfaces_both_fields(advisor):
    asked = {q.field: q.could_change for q in advisor.questions(SCHOOL_LEAVERS)}
    both = {**SCHOOL_LEAVERS, "active_in_society": False, "takes_own_initiative": False}
    changed = _changed(advisor, SCHOOL_LEAVERS, both)
    assert {"recruitment", "lead_time", "execution"} <= changed
    for field in ("active_in_society", "takes_own_initiative"):
        assert changed <= set(asked[field]), field


def test_after_one_answer_the_other_field_shows_what_its_answers_change(advisor):
    one = {**SCHOOL_LEAVERS, "active_in_society": False}
    question = next(q for q in advisor.questions(one, "en", effects=True) if q.field == "takes_own_initiative")
    effect = {a.value: set(a.changes) for a in question.answers}
    assert {"recruitment", "lead_time", "execution"} <= effect[False]
    assert effect[False] <= set(question.could_change)


def test_each_answer_lists_exactly_the_parts_it_changes(advisor):
    for question in advisor.questions(WOMEN_EXAMPLE, effects=True):
        for answer in question.answers:
            answered = {**WOMEN_EXAMPLE, question.field: answer.value}
            assert set(answer.changes) == _changed(advisor, WOMEN_EXAMPLE, answered)
            assert set(answer.changes) <= set(question.could_change)


def test_questions_carry_their_answers_with_labels_in_both_languages(advisor):
    nl = {q.field: q for q in advisor.questions({"target_group": "women"})}
    en = {q.field: q for q in advisor.questions({"target_group": "women"}, "en")}
    assert [(a.value, a.label) for a in nl["young_children"].answers] == [(True, "ja"), (False, "nee")]
    assert [(a.value, a.label) for a in en["young_children"].answers] == [(True, "yes"), (False, "no")]
    spec = vocabulary().fields["self_organisations"]
    assert [a.label for a in en["self_organisations"].answers] == [v["en"] for v in spec["values"].values()]
    years = vocabulary().fields["funding_years"]
    assert [a.value for a in nl["funding_years"].answers] == list(range(years["min"], years["max"] + 1))
    assert nl["young_children"].question == vocabulary().fields["young_children"]["question"]["nl"]


def test_the_api_gives_the_design_s_open_questions_and_the_design_json_stays_as_it_was(advisor):
    design = advisor.consult(WOMEN_EXAMPLE)
    assert advisor.questions(WOMEN_EXAMPLE) == design.open_questions
    dumped = json.loads(design.to_json())
    assert all(set(a) == {"value", "label"} for q in dumped["open_questions"] for a in q["answers"])


def test_the_api_refuses_a_bad_situation_with_a_clear_error(advisor):
    with pytest.raises(InputError, match="funding_years"):
        advisor.questions({"target_group": "women", "funding_years": 40})


def test_the_most_decisive_question_comes_first_and_the_card_weighs_most(advisor):
    for situation in ({"target_group": "women"}, SCHOOL_LEAVERS, WOMEN_EXAMPLE):
        weights = [weight(q.could_change) for q in advisor.questions(situation)]
        assert weights == sorted(weights, reverse=True)
    order = [q.field for q in advisor.questions(SCHOOL_LEAVERS)]
    # young_children can change childcare (on the card); intermediaries_available only a precondition
    assert order.index("young_children") < order.index("intermediaries_available")
    card = [p for p in registry().part_order() if registry().parts[p].weight > 1]
    assert {"recruitment", "childcare", "result_agreements", "lead_time"} <= set(card)


def test_a_field_the_situation_already_implies_is_not_asked(advisor):
    """The level follows from 'does not leave home on her own' (issue 9): asking for the
    participation level again is pointless; without that answer it is the key question."""
    assert "participation_level" not in {q.field for q in advisor.questions(WOMEN_EXAMPLE)}
    assert advisor.questions({"target_group": "women"})[0].field in (
        "participation_level", "leaves_home_independently", "dutch_proficiency",
        "attends_activities_outside_home", "active_in_society", "takes_own_initiative")
    assert "participation_level" in {q.field for q in advisor.questions({"target_group": "women"})}
    assert not _changed(advisor, WOMEN_EXAMPLE, {**WOMEN_EXAMPLE, "participation_level": "low"})


def test_a_field_no_rule_of_the_group_reads_is_never_asked(advisor):
    from expert.engine import compiled

    for group in vocabulary().fields["target_group"]["values"]:
        asked = {q.field for q in advisor.questions({"target_group": group})}
        assert asked <= compiled().fields_read[group], group
