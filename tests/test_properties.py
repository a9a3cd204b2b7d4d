"""Properties over the whole situation contract (hypothesis)."""
import functools

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expert.situation import known_facts, parse_situation
from expert.vocabulary import vocabulary
from strategies import field_value, situations

FIELDS = vocabulary().fields
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(situation=situations(), data=st.data())
def test_declaration_order_does_not_change_the_design(advisor, situation, data):
    facts = known_facts(parse_situation(situation))
    order = data.draw(st.permutations(list(facts)))
    assert advisor.consult(situation, declaration_order=order).to_json() == advisor.consult(situation).to_json()


@SETTINGS
@given(situation=situations())
def test_every_single_valued_dimension_is_decided_or_marked_undecided(advisor, situation):
    design = advisor.consult(situation)
    dumped = design.model_dump(mode="json")
    reg = vocabulary().registry
    parts = {dim: reg.value_in(dumped, dim) for dim in reg.single()}
    for dim, spec in vocabulary().dimensions.items():
        if spec.kind != "single" or situation["target_group"] not in spec.applies_to:
            continue
        if parts[dim] is None:
            assert dim in design.undecided and design.open_questions, dim
        else:
            assert dim not in design.undecided
    assert not design.conflicts, design.conflicts


@SETTINGS
@given(situation=situations())
def test_same_situation_same_bytes(advisor, situation):
    assert advisor.consult(situation).to_json() == advisor.consult(dict(reversed(list(situation.items())))).to_json()


@SETTINGS
@given(situation=situations())
def test_every_cited_source_and_rule_exists(advisor, situation):
    design = advisor.consult(situation, lang="en")
    kb_rules = set(advisor.kb.by_id)
    for step in design.trace:
        assert step.rule in kb_rules
        assert step.because and all(s in vocabulary().sources for s in step.sources)
    for reference in design.reference_projects:
        assert reference in vocabulary().sources


def _parts(design):
    """Each design part in a comparable form, keyed like `open_questions[].could_change`."""
    return vocabulary().registry.part_values(design.model_dump(mode="json"))


def _answers(spec):
    if spec["type"] == "enum":
        return list(spec["values"])
    if spec["type"] == "bool":
        return [True, False]
    return sorted({spec["min"], 2, 3, spec["max"]})


def _implied(advisor, situation):
    """Fields that only state what the given facts already imply (never asked)."""
    from expert.questions import Analysis

    parsed = parse_situation(situation)
    run = advisor.engine(parsed.target_group).evaluate(known_facts(parsed))
    analysis = Analysis(advisor.compiled.questions, parsed.target_group, run)
    settled = analysis.settled()
    return {f for f in analysis.unknown if analysis.implied(f, settled)}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(situation=situations())
def test_open_questions_name_every_unknown_fact_that_changes_the_design(advisor, situation):
    """Soundness: answering any unknown field changes only parts its open question warned
    about (a field that only restates what the situation implies is left out: its answer
    repeats or contradicts the given facts)."""
    design = advisor.consult(situation)
    before = _parts(design)
    warned = {q.field: set(q.could_change) for q in design.open_questions}
    implied = _implied(advisor, situation)
    for field, spec in FIELDS.items():
        if field in situation or field in implied:
            continue
        for value in _answers(spec):
            after = _parts(advisor.consult({**situation, field: value}))
            changed = {part for part in before if before[part] != after[part]}
            assert changed <= warned.get(field, set()), (field, value, changed - warned.get(field, set()))


@st.composite
def answered(draw, group):
    """A situation of one target group, and answers to some of its unknown fields."""
    situation = draw(situations(group))
    unknown = [f for f in FIELDS if f not in situation]
    if not unknown:
        return situation, {}
    fields = draw(st.lists(st.sampled_from(unknown), min_size=1, max_size=len(unknown), unique=True))
    return situation, {f: draw(field_value(FIELDS[f])) for f in fields}


COMPLETENESS = settings(max_examples=500, deadline=None,
                        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("group", list(FIELDS["target_group"]["values"]))
def test_open_questions_are_complete(advisor, group):
    """Completeness: when answers to any set of unknown fields change a part of the design,
    at least one of those fields is an open question naming that part (issue 10: a rule
    that needs two unknown answers must surface both)."""

    @COMPLETENESS
    @given(case=answered(group))
    def check(case):
        situation, extra = case
        design = advisor.consult(situation)
        implied = _implied(advisor, situation)
        extra = {f: v for f, v in extra.items() if f not in implied}
        warned = {q.field: set(q.could_change) for q in design.open_questions}
        before, after = _parts(design), _parts(advisor.consult({**situation, **extra}))
        for part in before:
            if before[part] != after[part]:
                assert any(part in warned.get(f, ()) for f in extra), (part, extra)

    check()


@functools.lru_cache(maxsize=1)
def _engine_with_every_rule():
    from expert.compiler import compile_engine
    from expert.engine import compiled
    from expert.run import RecordingEngine

    kb = compiled().kb
    engine_class, _ = compile_engine(kb, engine_base=RecordingEngine)
    engine_class.kb = kb
    return engine_class()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(situation=situations())
def test_group_engine_gives_the_design_of_one_engine_with_every_rule(advisor, situation):
    """Leaving other target groups' rules out of the network never changes a design."""
    from expert.assemble import assemble

    parsed = parse_situation(situation)
    run = _engine_with_every_rule().evaluate(known_facts(parsed))
    expected = assemble(advisor.kb, advisor.compiled.questions, parsed.target_group, run, "nl")
    assert advisor.consult(situation).model_dump_json() == expected.model_dump_json()
