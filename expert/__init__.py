"""Aanpakwijzer: a rule-based advisor for projects that reach hard-to-reach groups.

    from expert import consult, Advisor
    design = consult({"target_group": "women", "leaves_home_independently": False})
"""
from .design import Design
from .engine import Advisor, consult
from .errors import InputError
from .situation import parse_situation, situation_model

__all__ = ["Advisor", "Design", "InputError", "consult", "parse_situation", "situation_model"]
