"""Aanpakwijzer: a rule-based advisor for projects that reach hard-to-reach groups.

    from expert import consult, Advisor
    design = consult({"target_group": "women", "leaves_home_independently": False})

Nothing is loaded at import: the vocabulary, the knowledge base and the models generated
from them are read on first use, so a bad fact or rule file is reported as an input
error by whatever uses it (the command line exits 2), never as an import failure.
"""
from typing import Any

from .errors import InputError

_LAZY = {"Advisor": "engine", "consult": "engine", "parse_situation": "situation",
         "situation_model": "situation", "Design": "design"}

__all__ = ["Advisor", "Design", "InputError", "consult", "parse_situation", "situation_model"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)
