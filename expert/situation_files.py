"""Reading situation files for interview, compare and batch, as `consult` reads them."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import InputError
from .situation import known_facts, parse_situation
from .vocabulary import vocabulary
from .yamlio import load_mapping


def load_situation(path: Any, need_group: bool = True) -> tuple[dict[str, Any], str]:
    """The known facts of a situation file (or a scenario file's `situation`), validated,
    and the file's name. Without `need_group` a file may leave the target group out."""
    data, name = load_mapping(path, "situation file")
    if "situation" in data and "expect" in data:       # a scenario file: use its situation
        data = data["situation"]
        if not isinstance(data, dict):
            raise InputError("'situation' must be a mapping", file=name, field="situation")
    if need_group or "target_group" in data:
        return known_facts(parse_situation(data, name)), name
    # validate the rest with any group; the interview asks for the group itself
    some_group = next(iter(vocabulary().fields["target_group"]["values"]))
    facts = known_facts(parse_situation({**data, "target_group": some_group}, name))
    facts.pop("target_group")
    return facts, name


def write_text(path: Any, text: str, what: str = "--output") -> None:
    """Write via a temporary file in the same folder: a failure never leaves half a file."""
    target = Path(path)
    tmp = None
    try:
        handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
        raise InputError(f"cannot write the file: {exc.strerror}", file=str(target), field=what) from None
