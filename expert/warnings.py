"""Warnings about the input: what the reader should know before trusting the advice.

- a stated fact that contradicts what the rules derive from the other facts (and which
  one the advice follows);
- a field given that no rule for this target group reads, or that cannot matter given
  the rest of the situation;
- a target group changed with `--set` (the CLI adds that one: only it knows the file).
"""
from __future__ import annotations

from typing import Any

from .design import Warning, WarningKind
from .knowledge import KnowledgeBase
from .questions import QuestionIndex, possible
from .run import Candidate, Run
from .vocabulary import registry, vocabulary

TEXTS = {
    "nl": {
        "contradiction": "Bij '{field}' gaf u op: {stated}. Uit {others} volgt echter: {derived}. "
                         "Het advies volgt {follows}.",
        "the_stated": "de opgegeven waarde ({0})",
        "the_derived": "wat uit de andere gegevens volgt ({0})",
        "unused_field": "Geen enkele regel voor deze doelgroep gebruikt deze opgegeven gegevens; ze "
                        "veranderen het advies niet: {fields}",
        "irrelevant_field": "Deze opgegeven gegevens kunnen met wat verder bekend is het advies niet "
                            "veranderen: {fields}",
        "target_group_changed": "De doelgroep in het bestand is {old}; met --set is die veranderd in {new}. "
                                "Gegevens uit het bestand die voor {old} bedoeld waren, passen mogelijk niet.",
    },
    "en": {
        "contradiction": "For '{field}' you stated: {stated}. But {others} points to: {derived}. "
                         "The advice follows {follows}.",
        "the_stated": "the stated value ({0})",
        "the_derived": "what the other facts imply ({0})",
        "unused_field": "No rule for this target group uses these given facts; they do not change "
                        "the advice: {fields}",
        "irrelevant_field": "Given what else is known, these given facts cannot change the advice: "
                            "{fields}",
        "target_group_changed": "The target group in the file is {old}; --set changed it to {new}. "
                                "Facts in the file meant for {old} may not fit.",
    },
}


def field_name(field: str, lang: str) -> str:
    """A field as a reader knows it: its question without the question mark, else its name."""
    spec = vocabulary().fields.get(field)
    return spec["question"][lang].split("?")[0] + "?" if spec else field


def _label(name: str, value: Any, lang: str) -> str:
    return vocabulary().value_label(name, value, lang)


def _stated_field(kb: KnowledgeBase, run: Run, candidate: Candidate) -> str | None:
    """The situation field a proposal merely restates (`participation_level: high` ->
    `level: high`): its rule reads one situation field and proposes that field's value."""
    fields = vocabulary().fields
    read = [f for f in kb.by_id[candidate.rule].conditions.fields() if f != "target_group"]
    if len(read) == 1 and read[0] in fields and run.facts.get(read[0]) == candidate.value:
        return read[0]
    return None


def contradictions(kb: KnowledgeBase, run: Run, lang: str) -> list[Warning]:
    t = TEXTS[lang]
    out = []
    for dim, candidates in run.candidates.items():
        if not registry().dimensions[dim].readable:
            continue
        stated = [(c, f) for c in candidates if (f := _stated_field(kb, run, c))]
        derived = [c for c in candidates if not _stated_field(kb, run, c)
                   and "unknown" not in run.step_of[c.rule].matched.values()]
        for candidate, field in stated:
            other = next((d for d in sorted(derived, key=lambda c: -c.priority)
                          if d.value != candidate.value), None)
            if other is None:
                continue
            decided = run.decided.get(dim)
            facts = ", ".join(f"'{field_name(f, lang)}' ({_label(f, v, lang)})"
                              for f, v in run.step_of[other.rule].matched.items()
                              if f != "target_group" and f in run.facts)
            follows = (t["the_stated"] if decided == candidate.value else t["the_derived"]).format(
                _label(dim, decided, lang))
            out.append(Warning(kind="contradiction", fields=[field], follows=decided, text=t["contradiction"].format(
                field=field_name(field, lang), stated=_label(field, candidate.value, lang), others=facts or "-",
                derived=_label(dim, other.value, lang), follows=follows)))
    return out


def unread_fields(index: QuestionIndex, group: str, run: Run, lang: str) -> list[Warning]:
    """Given fields no rule of the group reads, or whose rules can no longer matter
    (one warning for each of the two kinds, listing the fields)."""
    t = TEXTS[lang]
    readers = index.readers.get(group, {})
    unused: list[str] = []
    irrelevant: list[str] = []
    for field in run.facts:
        if field == "target_group":
            continue
        if field not in readers:
            unused.append(field)
            continue
        # whatever its value, no rule reading it could fire given the rest of what is known
        known = {k: v for k, v in {**run.facts, **run.decided}.items() if k != field}
        if not any(possible(rule.conditions, known, {field}) for rule in readers[field]):
            irrelevant.append(field)
    pairs: list[tuple[WarningKind, list[str]]] = [("unused_field", unused), ("irrelevant_field", irrelevant)]
    return [Warning(kind=kind, fields=fields, text=t[kind].format(
                fields="; ".join(f"'{field_name(f, lang)}'" for f in fields)))
            for kind, fields in pairs if fields]


def design_warnings(kb: KnowledgeBase, index: QuestionIndex, group: str, run: Run, lang: str) -> list[Warning]:
    return contradictions(kb, run, lang) + unread_fields(index, group, run, lang)


def target_group_changed(old: Any, new: Any, lang: str) -> Warning:
    return Warning(kind="target_group_changed", fields=["target_group"], follows=new,
                   text=TEXTS[lang]["target_group_changed"].format(old=_label("target_group", old, lang),
                                                                   new=_label("target_group", new, lang)))


def with_target_group_warning(design: Any, stated: Any, used: Any, lang: str) -> Any:
    """The design with a warning when --set changed the target group of the file."""
    if stated is None or stated == used:
        return design
    return design.model_copy(update={"warnings": [target_group_changed(stated, used, lang), *design.warnings]})
