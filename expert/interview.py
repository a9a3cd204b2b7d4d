"""`aanpakwijzer interview`: ask only what can still change the advice.

The interview asks the target group when it is not known, then one open question at
a time, the most decisive first (`Advisor.questions`), with numbered answers and
"don't know". It stops when no unanswered question could change the advice any more,
or when the user quits. The answered situation is a plain situation file that
`aanpakwijzer consult` reads. Reading and writing go through two callables, so the
same loop runs on a terminal, on piped input and in tests.
"""
from __future__ import annotations

import inspect
from typing import Any, Optional
from collections.abc import Callable

import yaml

from .design import Answer, OpenQuestion
from .engine import Advisor
from .vocabulary import registry, vocabulary

Read = Callable[[str], Optional[str]]       # prompt -> the line typed, None at end of input
Write = Callable[[str], None]

TEXTS = {
    "nl": {"intro": "Aanpakwijzer stelt alleen de vragen waarvan het antwoord het advies nog kan veranderen.",
           "keys": "Typ het nummer van uw antwoord; s = samenvatting van het advies, q = stoppen.",
           "question": "Vraag {n}", "left": "nog {k} open", "could_change": "kan veranderen",
           "dont_know": "weet ik niet", "changes": "verandert", "range": "een getal van {lo} tot {hi}",
           "again": "Dat antwoord ken ik niet: kies {choices}, s of q.",
           "required": "De doelgroep is nodig om te kunnen adviseren.",
           "done": "Er is geen vraag meer waarvan het antwoord het advies kan veranderen.",
           "stopped": "Gestopt.", "summary": "Samenvatting van het advies",
           "answers": "Uw antwoorden (lees ze later in met: aanpakwijzer consult BESTAND):",
           "written": "Uw antwoorden staan in {file} (lees ze in met: aanpakwijzer consult {file}).",
           "header": "# Situatie, ingevuld met aanpakwijzer interview.\n"},
    "en": {"intro": "Aanpakwijzer only asks the questions whose answer can still change the advice.",
           "keys": "Type the number of your answer; s = summary of the advice, q = stop.",
           "question": "Question {n}", "left": "{k} open", "could_change": "could change",
           "dont_know": "don't know", "changes": "changes", "range": "a number from {lo} to {hi}",
           "again": "I do not know that answer: choose {choices}, s or q.",
           "required": "The target group is needed to give advice.",
           "done": "No question is left whose answer could change the advice.",
           "stopped": "Stopped.", "summary": "Summary of the advice",
           "answers": "Your answers (consult them later with: aanpakwijzer consult FILE):",
           "written": "Your answers are in {file} (consult them with: aanpakwijzer consult {file}).",
           "header": "# Situation, filled in with aanpakwijzer interview.\n"},
}
QUIT = {"q", "quit", "stop", "stoppen", "exit"}
SUMMARY = {"s", "samenvatting", "summary"}
DONT_KNOW = {"0", "?", "w", "d", "weet ik niet", "don't know", "dont know"}


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


_DONT_KNOW = _Marker("don't know")


class Quit(Exception):
    """The user stopped the interview (q, end of input or Ctrl-C)."""


def summary_text(design: Any) -> str:
    """The advice for the interview: the report's summary when the renderer offers one."""
    from . import render

    options: dict[str, Any] = {}
    if "detail" in inspect.signature(render.render).parameters:     # the report's own summary level
        options["detail"] = "summary"
    return render.render(design, "text", **options)


def part_titles(parts: list[str], lang: str) -> str:
    return ", ".join(registry().parts[p].title.get(lang).lower() for p in parts)


class Interview:
    def __init__(self, advisor: Advisor, situation: dict[str, Any], lang: str, read: Read, write: Write):
        self.advisor, self.lang, self.read, self.write = advisor, lang, read, write
        self.t = TEXTS[lang]
        self.situation = dict(situation)
        self.skipped: set[str] = set()
        self.asked = 0

    def run(self) -> dict[str, Any]:
        """Ask until nothing left can change the advice or the user quits; the answered situation."""
        self.write(self.t["intro"] + "\n" + self.t["keys"] + "\n")
        try:
            if "target_group" not in self.situation:
                self.situation["target_group"] = self.ask_target_group()
            while True:
                questions = self.advisor.questions(self.situation, self.lang, effects=1, skip=self.skipped)
                if not questions:
                    self.write("\n" + self.t["done"] + "\n")
                    break
                self.ask(questions[0], len(questions) - 1)
        except Quit:
            self.write("\n" + self.t["stopped"] + "\n")
        self.show_summary()
        return self.situation

    def show_summary(self) -> None:
        title = self.t["summary"]
        self.write(f"\n{title}\n{'=' * len(title)}\n")
        self.write(summary_text(self.advisor.consult(self.situation, self.lang)))

    def line(self, prompt: str) -> str:
        try:
            text = self.read(prompt)
        except (KeyboardInterrupt, EOFError):
            text = None
        if text is None:
            raise Quit
        return text.strip()

    def ask_target_group(self) -> str:
        spec = vocabulary().fields["target_group"]
        answers = [Answer(value=v, label=labels[self.lang]) for v, labels in spec["values"].items()]
        lines = [spec["question"][self.lang]] + [f"  {n}. {a.label}" for n, a in enumerate(answers, start=1)]
        while True:
            value = self.answer("\n" + "\n".join(lines) + "\n", answers)
            if value is not _DONT_KNOW:
                return value
            self.write(self.t["required"] + "\n")

    def ask(self, question: OpenQuestion, left: int) -> None:
        self.asked += 1
        t = self.t
        numeric = vocabulary().fields[question.field]["type"] == "int"
        lines = [f"{t['question'].format(n=self.asked)} ({t['left'].format(k=left)}; "
                 f"{t['could_change']}: {part_titles(question.could_change, self.lang)})", question.question]
        lines += _number_lines(question, self.lang) if numeric else _choice_lines(question, self.lang)
        lines.append(f"  0. {t['dont_know']}")
        value = self.answer("\n" + "\n".join(lines) + "\n", question.answers, numeric)
        if value is _DONT_KNOW:
            self.skipped.add(question.field)
        else:
            self.situation[question.field] = value

    def answer(self, shown: str, answers: list[Answer], numeric: bool = False) -> Any:
        """Show a question and read until a valid answer (a value or _DONT_KNOW); s shows
        the summary and the question again, q stops."""
        self.write(shown)
        while True:
            typed = self.line("> ")
            word = typed.lower()
            if word in QUIT:
                raise Quit
            if word in SUMMARY:
                self.show_summary()
                self.write(shown)
                continue
            value = _choice(word, answers, numeric)
            if value is not None:
                label = self.t["dont_know"] if value is _DONT_KNOW else _label(answers, value)
                self.write(f"  → {label}\n")
                return value
            choices = (self.t["range"].format(lo=answers[0].value, hi=answers[-1].value) if numeric
                       else f"0-{len(answers)}")
            self.write(self.t["again"].format(choices=choices) + "\n")


def _choice(word: str, answers: list[Answer], numeric: bool) -> Any:
    """The value chosen by number (a number field: the number itself), value or label."""
    if word in DONT_KNOW and not (numeric and any(str(a.value) == word for a in answers)):
        return _DONT_KNOW
    for number, answer in enumerate(answers, start=1):
        if (not numeric and word == str(number)) or word in {str(answer.value).lower(), answer.label.lower()}:
            return answer.value
    return None



def _label(answers: list[Answer], value: Any) -> str:
    return next(a.label for a in answers if a.value == value)


def _effect(answer: Answer, lang: str) -> str:
    return f"  ({TEXTS[lang]['changes']}: {part_titles(answer.changes, lang)})" if answer.changes else ""


def _choice_lines(question: OpenQuestion, lang: str) -> list[str]:
    return [f"  {n}. {a.label}{_effect(a, lang)}" for n, a in enumerate(question.answers, start=1)]


def _number_lines(question: OpenQuestion, lang: str) -> list[str]:
    """A number field: its range in one line, or runs of numbers with the same effect."""
    runs: list[list[Answer]] = []
    for answer in question.answers:
        if runs and runs[-1][-1].changes == answer.changes:
            runs[-1].append(answer)
        else:
            runs.append([answer])
    return [f"  {run[0].value}" + (f"-{run[-1].value}" if len(run) > 1 else "") + _effect(run[0], lang)
            for run in runs]


def situation_yaml(situation: dict[str, Any], lang: str) -> str:
    """The answered situation as a situation file, fields in the order of facts/fields.yaml."""
    ordered = {f: situation[f] for f in vocabulary().fields if f in situation}
    return TEXTS[lang]["header"] + yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False)
