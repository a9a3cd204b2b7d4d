"""Building pydantic models at run time from the vocabulary (fields.yaml, dimensions.yaml).

Generic types made from values (`list[item_model]`) are ordinary run-time objects to
pydantic but not to a static checker; they are built here, in one place.
"""
from typing import Any, Optional

from pydantic import create_model


def list_of(item: Any) -> Any:
    return list[item]


def dict_of(key: Any, value: Any) -> Any:
    return dict[key, value]


def optional(kind: Any) -> Any:
    return Optional[kind]


def make_model(name: str, base: Any, fields: dict[str, Any], **config: Any) -> Any:
    """A pydantic model class; `fields` maps a name to (type, default) as in create_model."""
    return create_model(name, __base__=base, **config, **fields)
