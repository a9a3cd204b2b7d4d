"""The Design contract (v1): what a consultation returns.

`Design.model_dump(mode="json")` is the JSON of shared/DESIGN.md. Fields beyond the
contract (labels, weights, assumptions, conflicts, reference details) are additions;
none of the contract's names are changed.
"""
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict

CONTRACT = "aanpakwijzer/design/v1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Channel(_Model):
    channel: str
    rank: int
    label: str
    weight: int
    rules: list[str]


class Childcare(_Model):
    approach: Optional[str]
    label: Optional[str] = None
    rules: list[str]


class ResultAgreements(_Model):
    type: Optional[str]
    label: Optional[str] = None
    rules: list[str]


class LeadTime(_Model):
    min_months: Optional[int]
    recommended_months: Optional[int]
    rules: list[str]


class Execution(_Model):
    approach: Optional[str]
    approach_label: Optional[str] = None
    scale: Optional[str]
    scale_label: Optional[str] = None
    rules: list[str]


class Item(_Model):
    id: str
    text: str
    rules: list[str]


class Precondition(_Model):
    id: str
    status: str
    text: str
    rules: list[str]


class Risk(_Model):
    id: str
    text: str
    mitigation: str
    rules: list[str]


class Reference(_Model):
    id: str
    title: str
    resemblance: list[str]
    rules: list[str]


class OpenQuestion(_Model):
    field: str
    question: str
    could_change: list[str]


class Assumption(_Model):
    text: str
    rules: list[str]


class Conflict(_Model):
    dimension: str
    priority: int
    values: dict[str, list[str]]


class TraceStep(_Model):
    step: int
    rule: str
    status: str
    matched: dict[str, Any]
    derived_from: dict[str, str]
    concluded: dict[str, Any]
    because: str
    sources: list[str]
    overruled_by: dict[str, str] = {}


class Design(_Model):
    contract: str = CONTRACT
    lang: str
    target_group: str
    participation_level: Optional[str]
    level: Optional[str]
    recruitment: list[Channel]
    childcare: Childcare
    result_agreements: ResultAgreements
    lead_time: LeadTime
    execution: Execution
    director_role: list[Item]
    preconditions: list[Precondition]
    risks: list[Risk]
    reference_projects: list[str]
    reference_details: list[Reference]
    undecided: list[str]
    assumptions: list[Assumption]
    open_questions: list[OpenQuestion]
    conflicts: list[Conflict]
    trace: list[TraceStep]

    def to_json(self):
        import json
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
