"""The fact vocabulary: situation fields, design dimensions and the source registry.

All three are data files in `facts/`; this module loads them once and answers
questions about names, values and labels.
"""
from functools import lru_cache

from .paths import FACTS_DIR
from .yamlio import load_mapping

LANGS = ("nl", "en")


class Vocabulary:
    def __init__(self):
        self.fields, _ = load_mapping(FACTS_DIR / "fields.yaml")
        self.dimensions, _ = load_mapping(FACTS_DIR / "dimensions.yaml")
        registry, _ = load_mapping(FACTS_DIR / "sources.yaml")
        self.documents = registry["documents"]
        self.sources = {entry["id"]: entry for entry in registry["sources"]}

    # --- situation fields -------------------------------------------------
    def field_values(self, name):
        """Allowed values of a field: a list for enums and bools, (min, max) for ints."""
        spec = self.fields[name]
        if spec["type"] == "enum":
            return list(spec["values"])
        if spec["type"] == "bool":
            return [True, False]
        return (spec["min"], spec["max"])

    def value_label(self, field, value, lang):
        spec = self.fields.get(field) or self.dimensions.get(field)
        if spec and isinstance(value, str) and value in (spec.get("values") or {}):
            return spec["values"][value][lang]
        if isinstance(value, bool):
            return {"nl": "ja" if value else "nee", "en": "yes" if value else "no"}[lang]
        return str(value)

    # --- design dimensions ------------------------------------------------
    def single_dimensions(self):
        return [d for d, spec in self.dimensions.items() if spec["kind"] == "single"]

    def multi_dimensions(self):
        return [d for d, spec in self.dimensions.items() if spec["kind"] == "multi"]

    def source_title(self, source_id, lang):
        entry = self.sources.get(source_id)
        return entry["title"][lang] if entry else source_id


@lru_cache(maxsize=1)
def vocabulary():
    return Vocabulary()
