"""The fact vocabulary: situation fields, design parts and dimensions, and the source registry.

All of it is data in `facts/`; this module loads it once and answers questions about
names, values and labels. `facts/dimensions.yaml` is the one place where the design's
parts and dimensions are declared: everything that lists dimensions (rule-file models,
the Design model, scenario expectations, renderers, open questions, `rules check`)
asks the `Registry` here.
"""
from __future__ import annotations

from functools import cached_property, lru_cache
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import InputError
from .paths import facts_dir
from .kbcache import load_mapping_cached

LANGS = ("nl", "en")
Lang = Literal["nl", "en"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Titles(_Spec):
    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return getattr(self, lang)


class Part(_Spec):
    """A part of the design as the advice shows it (the JSON holds parts in this order)."""
    name: str = ""
    title: Titles
    shape: Literal["top", "object", "list"]
    dimensions: list[str] = Field(min_length=1)
    weight: int = Field(1, ge=1, le=10)     # how much it counts when ranking open questions


class Dimension(_Spec):
    """Something rules conclude: one value (single) or collected items (multi)."""
    name: str = ""
    part: str = ""
    kind: Literal["single", "multi"]
    label: Titles
    values: dict[str, Titles] = {}
    applies_to: list[str] = []
    open: bool = False
    value_type: Literal["code", "months"] = "code"
    item: Optional[Literal["channel", "text", "precondition", "risk", "reference"]] = None
    key: Optional[str] = None
    label_key: Optional[str] = None

    @model_validator(mode="after")
    def _consistent(self) -> Dimension:
        if (self.kind == "multi") != (self.item is not None):
            raise ValueError("a multi-valued dimension needs 'item'; a single-valued one has none")
        return self

    @property
    def readable(self) -> bool:
        """Whether rules may read it in their conditions (a derived fact)."""
        return self.kind == "single" and self.value_type == "code"


class Registry:
    """The design's parts and dimensions, in the order of facts/dimensions.yaml."""

    def __init__(self, parts: dict[str, Part], dimensions: dict[str, Dimension]):
        self.parts = parts
        self.dimensions = dimensions

    @classmethod
    def load(cls, data: dict, file: str) -> Registry:
        try:
            dims = {name: Dimension(**{**spec, "name": name}) for name, spec in data["dimensions"].items()}
            parts = {name: Part(**{**spec, "name": name}) for name, spec in data["parts"].items()}
        except (ValidationError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"the design vocabulary is malformed: {_short(exc)}", file=file) from None
        placed: dict[str, str] = {}
        for part in parts.values():
            for dim in part.dimensions:
                if dim not in dims or dim in placed:
                    raise InputError(f"part '{part.name}': dimension '{dim}' is unknown or in two parts",
                                     file=file)
                placed[dim] = part.name
        missing = [d for d in dims if d not in placed]
        if missing:
            raise InputError(f"dimensions in no part: {', '.join(missing)}", file=file)
        dims = {name: dim.model_copy(update={"part": placed[name]}) for name, dim in dims.items()}
        return cls(parts, dims)

    def single(self) -> list[str]:
        """Single-valued dimensions, in file order (also the order resolvers break ties)."""
        return list(self._single)

    def multi(self) -> list[str]:
        return list(self._multi)

    @cached_property
    def _single(self) -> tuple[str, ...]:
        return tuple(d for d, spec in self.dimensions.items() if spec.kind == "single")

    @cached_property
    def _multi(self) -> tuple[str, ...]:
        return tuple(d for d, spec in self.dimensions.items() if spec.kind == "multi")

    @cached_property
    def readable(self) -> frozenset[str]:
        """Single-valued dimensions that rules may read in their conditions."""
        return frozenset(d for d, spec in self.dimensions.items() if spec.readable)

    def open_items(self) -> list[str]:
        """Dimensions to which rule files may add items (in their `items:` block)."""
        return [d for d, spec in self.dimensions.items() if spec.open]

    def part_of(self, dimension: str) -> str:
        return self.dimensions[dimension].part

    def part_order(self) -> list[str]:
        return list(self.parts)

    def value_in(self, design: dict, dimension: str) -> Any:
        """A single-valued dimension's value in a design's JSON form (months: a pair)."""
        dim = self.dimensions[dimension]
        part = self.parts[dim.part]
        holder = design if part.shape == "top" else design.get(part.name) or {}
        if dim.value_type == "months":
            low, high = holder.get("min_months"), holder.get("recommended_months")
            return None if low is None else (low, high)
        return holder.get(dim.key or "value")

    def part_values(self, design: dict) -> dict[str, Any]:
        """Each design part of a design's JSON form in a comparable form, keyed like
        `open_questions[].could_change`: what must be equal for two designs to give the
        same advice on that part."""
        out: dict[str, Any] = {}
        for part in self.parts.values():
            if part.shape != "list":
                out[part.name] = tuple(self.value_in(design, d) for d in part.dimensions)
                continue
            items: list[Any] = []
            for name in part.dimensions:
                kind = self.dimensions[name].item
                for item in design.get(name) or []:
                    if kind == "channel":
                        items.append((item["channel"], item["weight"]))
                    elif kind == "precondition":
                        items.append((item["id"], item["status"]))
                    else:
                        items.append(item if isinstance(item, str) else item["id"])
            out[part.name] = items
        return out


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


class Vocabulary:
    def __init__(self) -> None:
        folder = facts_dir()
        self.fields, _ = load_mapping_cached(folder / "fields.yaml")
        raw, name = load_mapping_cached(folder / "dimensions.yaml")
        self.registry = Registry.load(raw, name)
        registry, _ = load_mapping_cached(folder / "sources.yaml")
        self.documents = registry["documents"]
        self.sources = {entry["id"]: entry for entry in registry["sources"]}

    @property
    def dimensions(self) -> dict[str, Dimension]:
        return self.registry.dimensions

    # --- situation fields -------------------------------------------------
    def field_values(self, name: str) -> Any:
        """Allowed values of a field: a list for enums and bools, (min, max) for ints."""
        spec = self.fields[name]
        if spec["type"] == "enum":
            return list(spec["values"])
        if spec["type"] == "bool":
            return [True, False]
        return (spec["min"], spec["max"])

    def value_label(self, field: str, value: Any, lang: str) -> str:
        if isinstance(value, str):
            if field in self.fields and value in (self.fields[field].get("values") or {}):
                return self.fields[field]["values"][value][lang]
            if field in self.dimensions and value in self.dimensions[field].values:
                return self.dimensions[field].values[value].get(lang)
        if isinstance(value, bool):
            return {"nl": "ja" if value else "nee", "en": "yes" if value else "no"}[lang]
        return str(value)

    def source_title(self, source_id: str, lang: str) -> str:
        entry = self.sources.get(source_id)
        return entry["title"][lang] if entry else source_id


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return Vocabulary()


def registry() -> Registry:
    return vocabulary().registry
