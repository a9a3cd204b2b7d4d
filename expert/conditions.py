"""Rule conditions: the grammar of `when`, and what each operator means, defined once.

A condition map (`when`, `unless`, one alternative of `any`, a precondition's
`met_when`) is a mapping of field tests that must all hold:

    field: value              equals            field: {in: [a, b]}    one of
    field: {not: a}           differs from      field: {not_in: [a, b]} none of
    field: {gte: 3}           (also gt, lte, lt) compares whole numbers
    field: known / unknown    was / was not given
    any: [{...}, {...}]       at least one of these maps holds
    unless: {...}             the rule does not fire when this whole map holds

Every test but `unknown` needs the field to be known. Each operator below carries
everything the rest of the program needs to know about it: how it is written, how
it holds for a known value (the open-question analysis, `rules check` and the test
oracle evaluate conditions in Python), which operator holds when it fails (a
precondition is "not met" when a known fact fails its test), which values of a
number field are worth enumerating, and how it reads in the rulebook. The experta
patterns are built from the same definitions in `compiler.py`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union
from collections.abc import Callable, Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from .suggest import did_you_mean


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Operator:
    name: str
    argument: str                            # "none", "value", "values" (a list) or "number"
    holds: Callable[[Any, Any], bool]        # (known value, argument) -> bool
    negation: Optional[str]                  # the operator that holds when the field is known and this fails
    symbol: str                              # how the rulebook writes it
    written: bool = True                     # False: internal only (equality is written `field: value`)

    def enumeration_points(self, argument: Any) -> set:
        """Values of a number field on which the outcome of this test can change."""
        if self.argument == "number":
            return {argument - 1, argument, argument + 1}
        if self.argument == "value":
            return {argument}
        if self.argument == "values":
            return set(argument)
        return set()


def _compare(check: Callable[[int, int], bool]) -> Callable[[Any, Any], bool]:
    # A value of another type (a string of another field, a bool) never compares.
    return lambda value, limit: _is_number(value) and check(value, limit)


OPERATORS: dict[str, Operator] = {op.name: op for op in (
    Operator("eq", "value", lambda value, arg: value == arg, "not", "=", written=False),
    Operator("not", "value", lambda value, arg: value != arg, "eq", "≠"),
    Operator("in", "values", lambda value, arg: value in arg, "not_in", "∈"),
    Operator("not_in", "values", lambda value, arg: value not in arg, "in", "∉"),
    Operator("gte", "number", _compare(lambda value, limit: value >= limit), "lt", "≥"),
    Operator("gt", "number", _compare(lambda value, limit: value > limit), "lte", ">"),
    Operator("lte", "number", _compare(lambda value, limit: value <= limit), "gt", "≤"),
    Operator("lt", "number", _compare(lambda value, limit: value < limit), "gte", "<"),
    Operator("known", "none", lambda value, arg: True, None, "is known", written=False),
    Operator("unknown", "none", lambda value, arg: False, None, "is unknown", written=False),
)}
WRITTEN_OPERATORS = tuple(name for name, op in OPERATORS.items() if op.written)
PRESENCE = ("known", "unknown")


@dataclass(frozen=True)
class Test:
    """One atomic test on a field (or a single-valued design dimension)."""
    field: str
    op: str
    value: Any = None

    @property
    def operator(self) -> Operator:
        return OPERATORS[self.op]

    def holds(self, known: Mapping[str, Any]) -> bool:
        """Whether the test holds, given the known facts (an absent field is unknown)."""
        if self.field not in known:
            return self.op == "unknown"
        return self.operator.holds(known[self.field], self.value)

    def negated(self) -> Test:
        """The test that holds when the field is known and this test fails."""
        negation = self.operator.negation
        if negation is None:
            raise ValueError(f"'{self.op}' has no negation")
        return Test(self.field, negation, self.value)

    def describe(self) -> str:
        if self.op in PRESENCE:
            return f"{self.field} {self.operator.symbol}"
        shown = "/".join(map(str, self.value)) if self.operator.argument == "values" else self.value
        return f"{self.field} {self.operator.symbol} {shown}"


@dataclass(frozen=True)
class Conditions:
    """Tests that must all hold, alternatives of which one must hold, and a block."""
    tests: tuple[Test, ...] = ()
    any_of: tuple[Conditions, ...] = ()
    unless: Optional[Conditions] = None

    def fields(self) -> list[str]:
        out = [t.field for t in self.tests]
        for alt in self.any_of:
            out += alt.fields()
        if self.unless:
            out += self.unless.fields()
        return list(dict.fromkeys(out))

    def all_tests(self) -> Iterable[Test]:
        yield from self.tests
        for alt in self.any_of:
            yield from alt.all_tests()
        if self.unless:
            yield from self.unless.all_tests()

    def holds(self, known: Mapping[str, Any]) -> bool:
        """Python evaluation with the same meaning as the compiled experta patterns."""
        return (all(t.holds(known) for t in self.tests)
                and (not self.any_of or any(alt.holds(known) for alt in self.any_of))
                and not (self.unless is not None and self.unless.holds(known)))

    def describe(self) -> str:
        parts = [t.describe() for t in self.tests]
        if self.any_of:
            parts.append("(" + " OR ".join(alt.describe() for alt in self.any_of) + ")")
        if self.unless:
            parts.append("NOT (" + self.unless.describe() + ")")
        return " AND ".join(parts) or "always"


# --- parsing ------------------------------------------------------------------------

Report = Callable[..., None]      # report(message, line=None, field=None, allowed=None)


def conditions_to_data(conditions: Conditions) -> dict[str, Any]:
    """Parsed conditions as JSON data (for the knowledge-base cache); `conditions_from_data`
    gives them back equal."""
    out: dict[str, Any] = {}
    if conditions.tests:
        # a tuple argument (in, not_in) becomes a JSON list; a scalar argument is never a list
        out["t"] = [[t.field, t.op, list(t.value) if isinstance(t.value, tuple) else t.value]
                    for t in conditions.tests]
    if conditions.any_of:
        out["a"] = [conditions_to_data(alt) for alt in conditions.any_of]
    if conditions.unless:
        out["u"] = conditions_to_data(conditions.unless)
    return out


def conditions_from_data(data: Mapping[str, Any]) -> Conditions:
    tests = tuple(Test(name, op, tuple(value) if isinstance(value, list) else value)
                  for name, op, value in data.get("t", ()))
    any_of = tuple(conditions_from_data(alt) for alt in data.get("a", ()))
    unless = conditions_from_data(data["u"]) if "u" in data else None
    return Conditions(tests, any_of, unless)


class ConditionParser:
    """Turns a raw condition map into Conditions, reporting every problem it finds.

    `spec_of(name)` gives a field's spec ({"type": "enum"|"bool"|"int", ...}) or None
    for a name that is neither a situation field nor a readable dimension; `names`
    are all readable names (for 'did you mean')."""

    def __init__(self, spec_of: Callable[[str], Optional[dict]], names: list[str], report: Report,
                 line_of: Callable[[Any, Any], Optional[int]]):
        self.spec_of, self.names, self.report, self.line_of = spec_of, names, report, line_of

    def parse(self, raw: Any, line: Optional[int]) -> Conditions:
        if not isinstance(raw, dict):
            self.report("conditions must be a mapping", line)
            return Conditions()
        tests: list[Test] = []
        any_of: list[Conditions] = []
        unless = None
        for key, value in raw.items():
            key_line = self.line_of(raw, key) or line
            if key == "any":
                if not isinstance(value, list) or not value:
                    self.report("'any' needs a list of condition maps", key_line)
                    continue
                any_of = [self.parse(alt, key_line) for alt in value]
            elif key == "unless":
                unless = self.parse(value, key_line)
            else:
                test = self.parse_test(key, value, key_line)
                if test:
                    tests.append(test)
        return Conditions(tuple(tests), tuple(any_of), unless)

    def parse_test(self, name: Any, value: Any, line: Optional[int]) -> Optional[Test]:
        spec = self.spec_of(name) if isinstance(name, str) else None
        if spec is None:
            self.report(f"unknown field in condition{did_you_mean(str(name), self.names)}", line,
                        field=str(name))
            return None
        if isinstance(value, str) and value in PRESENCE:
            return Test(name, value)
        if not isinstance(value, dict):
            return Test(name, "eq", value) if self.check_value(name, spec, value, line) else None
        if len(value) != 1:
            self.report("a condition mapping has exactly one operator", line, field=name,
                        allowed=WRITTEN_OPERATORS)
            return None
        (op_name, arg), = value.items()
        operator = OPERATORS.get(op_name) if op_name in WRITTEN_OPERATORS else None
        if operator is None:
            self.report(f"unknown operator '{op_name}'", line, field=name, allowed=WRITTEN_OPERATORS)
            return None
        if operator.argument == "values":
            if not isinstance(arg, list) or not arg:
                self.report(f"'{op_name}' needs a non-empty list", line, field=name)
                return None
            valid = [self.check_value(name, spec, item, line) for item in arg]
            return Test(name, op_name, tuple(arg)) if all(valid) else None
        if operator.argument == "number":
            if spec["type"] != "int" or not _is_number(arg):
                self.report(f"'{op_name}' compares whole numbers on a number field", line, field=name)
                return None
            return Test(name, op_name, arg)
        return Test(name, op_name, arg) if self.check_value(name, spec, arg, line) else None

    def check_value(self, name: str, spec: dict, value: Any, line: Optional[int]) -> bool:
        """Report a value the field cannot take; return whether it is valid."""
        kind = spec["type"]
        if isinstance(value, (list, dict)):
            self.report("expects a single value, not a list or mapping", line, field=name)
        elif kind == "enum" and value not in spec["values"]:
            self.report(f"unknown value {value!r}", line, field=name, allowed=list(spec["values"]))
        elif kind == "bool" and not isinstance(value, bool):
            self.report(f"expects true or false, not {value!r}", line, field=name)
        elif kind == "int" and not _is_number(value):
            self.report(f"expects a whole number, not {value!r}", line, field=name)
        else:
            return True
        return False


# --- the grammar as a pydantic model (for `aanpakwijzer schema rules`) ---------------

Scalar = Union[StrictBool, StrictInt, str]


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class InTest(_Op):
    in_: list[Scalar] = Field(alias="in", min_length=1, description="known and one of these values")


class NotTest(_Op):
    not_: Scalar = Field(alias="not", description="known and not this value")


class NotInTest(_Op):
    not_in: list[Scalar] = Field(min_length=1, description="known and none of these values")


class GteTest(_Op):
    gte: StrictInt = Field(description="known number at least this")


class GtTest(_Op):
    gt: StrictInt = Field(description="known number above this")


class LteTest(_Op):
    lte: StrictInt = Field(description="known number at most this")


class LtTest(_Op):
    lt: StrictInt = Field(description="known number below this")


FieldTest = Union[Scalar, InTest, NotTest, NotInTest, GteTest, GtTest, LteTest, LtTest]


class When(BaseModel):
    """A condition map: every field test must hold (a plain value means 'equals';
    the strings 'known' and 'unknown' test whether the field was given)."""
    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, FieldTest] = Field(init=False)

    any: Optional[list[When]] = Field(None, description="at least one of these maps holds")
    unless: Optional[When] = Field(None, description="the rule does not fire when this whole map holds")
