"""Input-error messages in Dutch.

Messages are written in English where they are raised (one place each, with the
values they show); this catalogue gives the Dutch wording of each, matched on the
English pattern, so `--lang nl` (the default) reports problems in Dutch. A message
without a Dutch pattern is shown in English rather than not at all; a test checks
that every message a policy officer can meet with a situation file has one.

The language is set per call (the CLI sets it from --lang, the HTTP API from its
`lang` parameter); the Python API reports in English unless asked.
"""
from __future__ import annotations

import contextvars
import re

_LANG: contextvars.ContextVar[str] = contextvars.ContextVar("aanpakwijzer_message_lang", default="en")

PARTS = {"nl": {"field": "veld", "allowed": "toegestaan", "input": "<invoer>"},
         "en": {"field": "field", "allowed": "allowed", "input": "<input>"}}

# (English pattern, Dutch template); groups are carried over by name.
_NL = [
    (r"is required", "is verplicht"),
    (r"unknown value (?P<v>.+)", "onbekende waarde {v}"),
    (r"must be true or false \(ja or nee\), not (?P<v>.+)", "moet ja of nee zijn (of true/false), niet {v}"),
    (r"must be a whole number from (?P<a>-?\d+) to (?P<b>-?\d+), not (?P<v>.+)",
     "moet een geheel getal van {a} tot en met {b} zijn, niet {v}"),
    (r"(?P<v>.+) is out of range \((?P<a>-?\d+) to (?P<b>-?\d+)\)", "{v} valt buiten het bereik ({a} tot en met {b})"),
    (r"a situation must be a mapping of field: value", "een situatie is een lijst van veld: waarde"),
    (r"unknown field; did you mean '(?P<f>[^']+)'\?", "onbekend veld; bedoelt u '{f}'?"),
    (r"unknown field", "onbekend veld"),
    (r"a mapping key must be a plain value", "een sleutel moet een gewone waarde zijn"),
    (r"duplicate key (?P<k>.+)", "sleutel {k} staat er twee keer"),
    (r"YAML tag (?P<t>.+) is not allowed; write plain values",
     "YAML-tag {t} is niet toegestaan; schrijf gewone waarden"),
    (r"(?P<v>.+) would be read by YAML as (?P<m>.+?); write (?P<w>ja|nee) \(or (?P<o>.+)\) if that is meant, "
     r"or put it in quotes for text",
     "{v} zou door YAML gelezen worden als {m}; schrijf {w} (of {o}) als u dat bedoelt, of zet het tussen "
     "aanhalingstekens als het tekst is"),
    (r"(?P<v>.+) would be read by YAML as (?P<m>.+?); write (?P<w>.+) if that is meant \(plain decimal digits\), "
     r"or put it in quotes for text",
     "{v} zou door YAML gelezen worden als {m}; schrijf {w} als u dat bedoelt (gewone cijfers), of zet het tussen "
     "aanhalingstekens als het tekst is"),
    (r"(?P<v>.+) is not a plain decimal number", "{v} is geen gewoon getal"),
    (r"(?P<v>.+) starts with a zero, which YAML reads as an octal number or as text; write (?P<d>\d+) if that "
     r"is meant, or put it in quotes for text",
     "{v} begint met een nul; YAML leest dat als een octaal getal of als tekst. Schrijf {d} als u dat bedoelt, "
     "of zet het tussen aanhalingstekens als het tekst is"),
    (r"a number of (?P<n>\d+) digits is too long", "een getal van {n} cijfers is te lang"),
    (r"nested more than (?P<n>\d+) levels deep", "meer dan {n} niveaus diep genest"),
    (r"YAML aliases \(\*name\) are not allowed here; write the value out",
     "YAML-verwijzingen (*naam) zijn hier niet toegestaan; schrijf de waarde uit"),
    (r"more than (?P<n>[\d,]+) values in one file", "meer dan {n} waarden in één bestand"),
    (r"not valid YAML: (?P<p>.+)", "geen geldige YAML: {p}"),
    (r"not UTF-8 text \((?P<w>.+)\)", "geen UTF-8-tekst ({w})"),
    (r"not allowed in YAML here: (?P<p>.+)", "hier niet toegestaan in YAML: {p}"),
    (r"standard input is closed", "standaardinvoer is gesloten"),
    (r"cannot read: (?P<r>.+)", "kan niet lezen: {r}"),
    (r"file is larger than (?P<n>\d+) MB", "bestand is groter dan {n} MB"),
    (r"input is larger than (?P<n>\d+) MB", "invoer is groter dan {n} MB"),
    (r"file not found", "bestand niet gevonden"),
    (r"is a directory, not a file", "is een map, geen bestand"),
    (r"cannot read the file: (?P<r>.+)", "kan het bestand niet lezen: {r}"),
    (r"the situation file is empty", "het situatiebestand is leeg"),
    (r"the situation file must be a mapping of field: value, not (?P<k>.+)",
     "het situatiebestand moet een lijst van veld: waarde zijn, geen {k}"),
    (r"the (?P<w>.+) is empty", "het bestand ({w}) is leeg"),
    (r"cannot write the advice: (?P<r>.+)", "kan het advies niet schrijven: {r}"),
    (r"the file name is empty", "de bestandsnaam is leeg"),
    (r"cannot write the output: standard output is closed",
     "kan de uitvoer niet schrijven: standaarduitvoer is gesloten"),
    (r"cannot write the output: (?P<r>.+)", "kan de uitvoer niet schrijven: {r}"),
    (r"use --set field=value", "gebruik --set veld=waarde"),
    (r"'situation' must be a mapping", "'situation' moet een lijst van veld: waarde zijn"),
    (r"no scenario files found", "geen scenariobestanden gevonden"),
]
_COMPILED = [(re.compile(f"^{pattern}$"), template) for pattern, template in _NL]


def message_lang() -> str:
    return _LANG.get()


def set_message_lang(lang: str) -> None:
    _LANG.set(lang if lang in PARTS else "en")


def translate(message: str, lang: str) -> str:
    """The message in `lang` (English when no Dutch wording is known)."""
    if lang != "nl":
        return message
    for pattern, template in _COMPILED:
        match = pattern.match(message)
        if match:
            return template.format(**match.groupdict())
    return message


def has_dutch(message: str) -> bool:
    return any(pattern.match(message) for pattern, _ in _COMPILED)
