"""Reading situation files for interview, compare and batch, as `consult` reads them."""
from __future__ import annotations

from typing import Any

from .errors import InputError
from .situation import known_facts, parse_situation
from .vocabulary import vocabulary
from .yamlio import load_mapping


def situation_mapping(data: Any, name: str) -> tuple[Any, str]:
    """A situation file's mapping, or a scenario file's `situation` (as `consult` reads both)."""
    if "situation" in data and "expect" in data:
        data = data["situation"]
        if not isinstance(data, dict):
            raise InputError("'situation' must be a mapping", file=name, field="situation")
    return data, name


def load_situation(path: Any, need_group: bool = True) -> tuple[dict[str, Any], str]:
    """The known facts of a situation file (or a scenario file's `situation`), validated,
    and the file's name. Without `need_group` a file may leave the target group out."""
    data, name = situation_mapping(*load_mapping(path, "situation file"))
    if need_group or "target_group" in data:
        return known_facts(parse_situation(data, name)), name
    # validate the rest with any group; the interview asks for the group itself
    some_group = next(iter(vocabulary().fields["target_group"]["values"]))
    facts = known_facts(parse_situation({**data, "target_group": some_group}, name))
    facts.pop("target_group")
    return facts, name
