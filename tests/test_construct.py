"""The Design is built without validation (expert/design.py `construct`): what we build must be
exactly what validation gives, and a host changing a Design must change nothing else."""
import copy
import pickle
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel

from expert import design as design_module
from expert.design import Answer, OpenQuestion, construct, design_model
from expert.engine import Advisor
from expert.yamlio import load_mapping
from strategies import situations

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "facts" / "scenarios").glob("*.yaml")) + sorted((ROOT / "facts" / "examples").glob("*.yaml"))


def situation_of(path: Path) -> dict:
    data, _ = load_mapping(path)
    return dict(data.get("situation", data) if "expect" in data else data)


def same(built, validated, where="design", fields_set=False):
    """The same values, of the same types all the way down, in the same field order on every
    model (and, with `fields_set`, the same fields set)."""
    assert type(built) is type(validated), f"{where}: {type(built).__name__} != {type(validated).__name__}"
    if isinstance(built, BaseModel):
        assert list(built.__dict__) == list(validated.__dict__), where
        assert not fields_set or built.model_fields_set == validated.model_fields_set, where
        for name in type(built).model_fields:
            same(getattr(built, name), getattr(validated, name), f"{where}.{name}", fields_set)
    elif isinstance(built, dict):
        assert list(built) == list(validated), where
        for key in built:
            same(built[key], validated[key], f"{where}[{key!r}]", fields_set)
    elif isinstance(built, (list, tuple)):
        assert len(built) == len(validated), where
        for i, (a, b) in enumerate(zip(built, validated)):
            same(a, b, f"{where}[{i}]", fields_set)
    else:
        assert built == validated, where


def given_fields(model):
    """Every model's fields set, as (model, sorted names), all the way down."""
    out = [(type(model), tuple(sorted(model.model_fields_set)))]
    for name in type(model).model_fields:
        value = getattr(model, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                out += given_fields(item)
    return out


def check(design):
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # a serializer warning (a wrong type) fails the test
        validated = design_model().model_validate(design.model_dump())
        same(design, validated)
        assert design == validated
        assert design.model_dump() == validated.model_dump()
        assert design.to_json() == validated.to_json()
        # what was set (left out: the contract, an answer's uncomputed changes)
        unset = design_model().model_validate(design.model_dump(exclude_unset=True))
        same(design, unset, fields_set=True)
        assert design.model_dump(exclude_unset=True) == unset.model_dump(exclude_unset=True)
    # as the validating code gave: every field but the Design's contract and an answer's changes
    assert design.model_fields_set == set(design_model().model_fields) - {"contract"}
    for model, names in given_fields(design)[1:]:
        if model is Answer:
            assert names == ("label", "value")
        elif model is not design_module.Warning:    # validated in expert/warnings.py
            assert names == tuple(sorted(model.model_fields)), model


@pytest.fixture(scope="module")
def fresh():
    return Advisor()


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_built_design_is_what_validation_gives(fresh, path, lang):
    check(fresh.consult(situation_of(path), lang))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(situation=situations())
def test_built_design_is_what_validation_gives_for_any_situation(fresh, situation):
    check(fresh.consult(situation, "en"))


def test_questions_with_effects_are_what_validation_gives(fresh):
    situation = situation_of(FILES[0])
    for question in fresh.questions(situation, "en", effects=2):
        validated = OpenQuestion.model_validate(question.model_dump())
        same(question, validated, question.field)
        assert question.model_dump(exclude_unset=True) == validated.model_dump(exclude_unset=True)


def test_the_check_catches_a_wrong_type(fresh):
    design = fresh.consult(situation_of(FILES[0]))
    step = design.trace[0]
    object.__setattr__(step, "__dict__", {**step.__dict__, "sources": tuple(step.sources)})
    with pytest.raises((AssertionError, UserWarning)):   # a serializer warning, else a type
        check(design)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(AssertionError, match="trace"):
            same(design, design_model().model_validate(design.model_dump()))


def test_changing_a_design_changes_neither_the_knowledge_nor_a_later_design(fresh):
    situation = situation_of(FILES[0])
    before = fresh.consult(situation).to_json()
    design = fresh.consult(situation)
    step = design.trace[0]
    rule = fresh.kb.by_id[step.rule]
    cited = list(rule.spec.sources)
    step.sources.append("changed")
    step.matched["changed"] = True
    design.sources[0].title = "changed"
    design.open_questions[0].answers[0].label = "changed"
    design.open_questions[0].answers.clear()
    design.reference_details and design.reference_details[0].rules.append("changed")
    design.preconditions[0].rules.append("changed")
    design.lang = "en"
    assert rule.spec.sources == cited
    assert fresh.consult(situation).to_json() == before


def test_assignment_sets_a_field_on_that_model_only(fresh):
    design = fresh.consult(situation_of(FILES[0]))
    first, second = design.open_questions[0].answers[:2]
    assert first.model_fields_set == second.model_fields_set == {"value", "label"}
    first.changes = ["recruitment"]
    assert first.model_fields_set == {"value", "label", "changes"}
    assert second.model_fields_set == {"value", "label"}
    assert fresh.consult(situation_of(FILES[0])).open_questions[0].answers[0].model_fields_set == {"value", "label"}
    assert first.model_dump(exclude_unset=True) == {"value": first.value, "label": first.label,
                                                    "changes": ["recruitment"]}
    with pytest.raises(TypeError):
        second.model_fields_set.add("changes")      # shared: read-only rather than changed for all


def test_copies_have_fields_sets_of_their_own(fresh):
    answer = fresh.consult(situation_of(FILES[0])).open_questions[0].answers[0]
    for other in (answer.model_copy(), copy.copy(answer), copy.deepcopy(answer), pickle.loads(pickle.dumps(answer))):
        assert other == answer and other.model_fields_set == {"value", "label"}
        other.changes = []
        assert other.model_fields_set == {"value", "label", "changes"}
    updated = answer.model_copy(update={"changes": ["level"]})
    assert updated.model_fields_set == {"value", "label", "changes"}
    assert answer.model_fields_set == {"value", "label"}


def test_construct_fills_defaults_as_validation_does():
    built = construct(OpenQuestion, field="f", question="q?", could_change=[])
    same(built, OpenQuestion(field="f", question="q?", could_change=[]))
    assert built.answers == [] and built.answers is not construct(OpenQuestion, field="g", question="q?",
                                                                  could_change=[]).answers
    same(construct(Answer, label="x", value=1), Answer(label="x", value=1))
    with pytest.raises(TypeError, match="missing"):
        construct(Answer, value=1)
    with pytest.raises(TypeError, match="unknown"):
        construct(Answer, value=1, label="x", colour="red")
