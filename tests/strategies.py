"""Hypothesis strategies over the situation contract, shared by the property tests."""
from hypothesis import strategies as st

from expert.vocabulary import vocabulary

FIELDS = vocabulary().fields


def field_value(spec):
    """Any value a field of facts/fields.yaml allows."""
    if spec["type"] == "enum":
        return st.sampled_from(list(spec["values"]))
    if spec["type"] == "bool":
        return st.booleans()
    return st.integers(spec["min"], spec["max"])


@st.composite
def situations(draw, group=None):
    """A situation for `group` (or any target group) with any subset of the other fields known."""
    out = {"target_group": group or draw(field_value(FIELDS["target_group"]))}
    for name, spec in FIELDS.items():
        if name != "target_group" and draw(st.booleans()):
            out[name] = draw(field_value(spec))
    return out
