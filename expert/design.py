"""The Design contract (v1): what a consultation returns.

`Design.model_dump(mode="json")` is the JSON of shared/DESIGN.md. The model is
generated from the parts in facts/dimensions.yaml: a `top` part puts each
dimension's value in a top-level field, an `object` part is one object with a field
(and a label) per dimension and the rules that decided them, a `list` part holds the
items of a multi-valued dimension in the model of its item kind. Fields beyond the
contract (labels, weights, assumptions, conflicts, reference details, the situation as
given, warnings, cited sources) are additions;
none of the contract's names are changed.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Literal, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, model_serializer

from .modelgen import list_of, make_model

from .vocabulary import Part, registry

CONTRACT = "aanpakwijzer/design/v1"
PreconditionStatus = Literal["met", "not_met", "unknown"]
TraceStatus = Literal["fired", "overruled"]


def _read_only(self: Any, *args: Any) -> Any:
    raise TypeError("the fields set of a constructed model is shared; copy it to change it")


class _SharedFieldsSet(set[str]):
    """The names given to every model `construct` builds with the same fields: one set for
    all of them (a set per model costs 216-728 bytes). Read-only; a copy is a plain set, and
    a model swaps in its own copy before an assignment adds a name (`_Model.__setattr__`)."""
    __slots__ = ()

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: Any) -> set[str]:
        return set(self)

    def __reduce__(self) -> Any:
        return set, (list(self),)


for _name in ("add", "discard", "remove", "pop", "clear", "update", "intersection_update",
              "difference_update", "symmetric_difference_update", "__ior__", "__iand__", "__isub__",
              "__ixor__"):
    setattr(_SharedFieldsSet, _name, _read_only)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def __setattr__(self, name: str, value: Any) -> None:
        # pydantic adds the name to the fields set: make it this model's own first
        if type(self.__pydantic_fields_set__) is _SharedFieldsSet:
            object.__setattr__(self, "__pydantic_fields_set__", set(self.__pydantic_fields_set__))
        super().__setattr__(name, value)


M = TypeVar("M", bound=BaseModel)
# (model, names given) -> the shared fields set, and the fields left to their defaults when
# the names given are the model's first fields in order (None: put them in field order)
_PLANS: dict[tuple[type, tuple[str, ...]], tuple[_SharedFieldsSet, Optional[tuple[str, ...]]]] = {}


def _plan(cls: type, names: tuple[str, ...]) -> tuple[_SharedFieldsSet, Optional[tuple[str, ...]]]:
    fields = tuple(cls.__pydantic_fields__)  # type: ignore[attr-defined]
    unknown = [n for n in names if n not in fields]
    missing = [n for n, f in cls.__pydantic_fields__.items()  # type: ignore[attr-defined]
               if f.is_required() and n not in names]
    if unknown or missing:
        raise TypeError(f"{cls.__name__}: unknown fields {unknown}, missing {missing}")
    rest = fields[len(names):] if fields[:len(names)] == names else None
    plan = _PLANS[cls, names] = (_SharedFieldsSet(names), rest)
    return plan


def construct(cls: type[M], **values: Any) -> M:
    """`cls(**values)` without validation, for values we made ourselves: each must already be
    of its field's declared type (a list where a list is declared, models inside), and no
    container may be one the knowledge base owns (a host may change a Design). Validation
    would copy every list and dict and give each model a set of its own; the result is
    otherwise the same, fields set and defaults included (tests/test_construct.py checks every
    design against its validated copy). pydantic's `model_construct` is slower than validating."""
    fields_set, rest = _PLANS.get((cls, tuple(values))) or _plan(cls, tuple(values))
    # defaults filled (copied) as validation does, in field order
    if rest is None:
        values = {name: values[name] if name in values else field.get_default(call_default_factory=True)
                  for name, field in cls.__pydantic_fields__.items()}
    else:
        for name in rest:
            values[name] = cls.__pydantic_fields__[name].get_default(call_default_factory=True)
    model = object.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", fields_set)
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


class Channel(_Model):
    channel: str
    rank: int
    label: str
    weight: int
    rules: list[str]


class Item(_Model):
    id: str
    text: str
    rules: list[str]


class Precondition(_Model):
    id: str
    status: PreconditionStatus
    text: str
    rules: list[str]


class Risk(_Model):
    id: str
    text: str
    mitigation: str
    rules: list[str]


class Reference(_Model):
    id: str
    title: str
    resemblance: list[str]
    rules: list[str]


class Answer(_Model):
    value: Any
    label: str
    # the parts this answer alone would change; computed on request (Advisor.questions(effects=True)),
    # left out of the JSON when not computed
    changes: Optional[list[str]] = None

    @model_serializer(mode="wrap")
    def _omit_uncomputed(self, handler: Any) -> Any:
        out = handler(self)
        if isinstance(out, dict) and out.get("changes") is None:
            out.pop("changes", None)
        return out


class OpenQuestion(_Model):
    field: str
    question: str
    could_change: list[str]
    answers: list[Answer] = []


class Assumption(_Model):
    text: str
    rules: list[str]


class Conflict(_Model):
    dimension: str
    priority: int
    values: dict[str, list[str]]


WarningKind = Literal["contradiction", "unused_field", "irrelevant_field", "target_group_changed"]


class Warning(_Model):
    """Something in the input the reader should know about (additive in v1)."""
    kind: WarningKind
    fields: list[str]
    text: str
    follows: Optional[Any] = None        # contradiction: the value the advice follows


class Source(_Model):
    """A cited part of a report, with the report it is in (additive in v1)."""
    id: str
    title: str
    cited_as: str                        # the citation in words: "rapport A, overzichtstabel ..."
    report: str
    report_title: str
    publisher: str
    year: str


class TraceStep(_Model):
    step: int
    rule: str
    status: TraceStatus
    matched: dict[str, Any]
    derived_from: dict[str, str]
    concluded: dict[str, Any]
    because: str
    sources: list[str]
    overruled_by: dict[str, str] = {}


ITEM_MODEL = {"channel": Channel, "text": Item, "precondition": Precondition, "risk": Risk}


class DesignBase(_Model):
    """Methods of the generated Design model."""

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def _camel(name: str) -> str:
    return "".join(word.capitalize() for word in name.split("_"))


def part_model(part: Part) -> Any:
    """The model of an `object` part: value (and label) per dimension, then the rules."""
    fields: dict[str, Any] = {}
    for name in part.dimensions:
        dim = registry().dimensions[name]
        if dim.value_type == "months":
            fields["min_months"] = (Optional[int], ...)
            fields["recommended_months"] = (Optional[int], ...)
            continue
        fields[dim.key or "value"] = (Optional[str], ...)
        fields[dim.label_key or "label"] = (Optional[str], None)
    fields["rules"] = (list[str], ...)
    return make_model(_camel(part.name), _Model, fields)


@lru_cache(maxsize=1)
def part_models() -> dict[str, Any]:
    return {p.name: part_model(p) for p in registry().parts.values() if p.shape == "object"}


def _part_fields(part: Part) -> dict[str, Any]:
    reg = registry()
    if part.shape == "top":
        return {reg.dimensions[d].key or d: (Optional[str], ...) for d in part.dimensions}
    if part.shape == "object":
        return {part.name: (part_models()[part.name], ...)}
    fields: dict[str, Any] = {}
    for name in part.dimensions:
        item = reg.dimensions[name].item
        if item == "reference":
            fields[name] = (list[str], ...)
            fields["reference_details"] = (list[Reference], ...)
        else:
            fields[name] = (list_of(ITEM_MODEL[item or "text"]), ...)
    return fields


@lru_cache(maxsize=1)
def design_model() -> Any:
    fields: dict[str, Any] = {"contract": (str, CONTRACT), "lang": (Literal["nl", "en"], ...),
                              "target_group": (str, ...)}
    for part in registry().parts.values():
        fields.update(_part_fields(part))
    fields.update(undecided=(list[str], ...), assumptions=(list[Assumption], ...),
                  open_questions=(list[OpenQuestion], ...), conflicts=(list[Conflict], ...),
                  trace=(list[TraceStep], ...),
                  # additive in v1: the situation as given, warnings and the cited sources
                  situation=(dict[str, Any], {}), warnings=(list[Warning], []),
                  sources=(list[Source], []))
    return make_model("Design", DesignBase, fields)


def __getattr__(name: str) -> Any:
    # `Design` (and the part models) are generated from the registry on first use
    if name == "Design":
        return design_model()
    if name in {_camel(p) for p in part_models()}:
        return {_camel(p): m for p, m in part_models().items()}[name]
    raise AttributeError(name)
