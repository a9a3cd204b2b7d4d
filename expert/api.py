"""The HTTP JSON API (contract: shared/DESIGN.md, "HTTP contract") and the app that also
serves the web consultation page (expert/web.py).

    POST /v1/consult?lang=      Situation -> Design
    POST /v1/questions?lang=    Situation -> the open questions, ranked, with answers
    POST /v1/compare?lang=      {"situations": [...]} -> the designs side by side
    GET  /v1/fields?lang=       every situation field, in contract order
    GET  /v1/rules, /v1/rules/{id}, /v1/sources, /healthz

Request bodies are validated by `parse_situation`, the same code as the command line,
so a client gets the CLI's messages (as application/problem+json, RFC 9457). The
schemas in /openapi.json are the pydantic models the engine uses. Consultations run
on a bounded pool of warm Advisors (expert/pool.py), one request per Advisor.

Settings come from `Settings` (or the environment, for `aanpakwijzer serve`):
AANPAKWIJZER_CORS_ORIGINS and AANPAKWIJZER_FRAME_ANCESTORS (space or comma separated),
AANPAKWIJZER_POOL_SIZE.
"""
from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Optional

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from .design import OpenQuestion, design_model
from .engine import compiled
from .errors import InputError, InputErrors
from .messages import PARTS
from .paths import facts_dir
from .pool import AdvisorPool, PoolExhausted
from .proposal import proposal_json_schema
from .review import comparison_model, review_model
from .situation import parse_situation, situation_model
from .suggest import did_you_mean
from .vocabulary import LANGS, registry, vocabulary
from .yamlio import load_mapping

log = logging.getLogger("aanpakwijzer.api")

Lang = Literal["nl", "en"]
MAX_BODY = 1024 * 1024          # bytes; larger bodies get 413
MAX_COMPARE = 10                # situations in one comparison
PROBLEM = "application/problem+json"
BODY = "request body"           # the "file" named in error messages about the body


# --- settings -----------------------------------------------------------------

def _env_list(name: str) -> list[str]:
    return [item for item in re.split(r"[\s,]+", os.environ.get(name, "")) if item]


@dataclass
class Settings:
    cors_origins: list[str] = field(default_factory=list)      # origins that may call the API from a browser
    frame_ancestors: list[str] = field(default_factory=list)   # portals that may embed the page in a frame
    pool_size: int = 2                                          # warm Advisors per worker process
    pool_timeout: float = 10.0                                  # seconds a request waits for a free Advisor

    @classmethod
    def from_env(cls) -> Settings:
        return cls(cors_origins=_env_list("AANPAKWIJZER_CORS_ORIGINS"),
                   frame_ancestors=_env_list("AANPAKWIJZER_FRAME_ANCESTORS"),
                   pool_size=int(os.environ.get("AANPAKWIJZER_POOL_SIZE", "2")))


# --- response models (additions to the contracts; Design is the engine's own model) ---

class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemItem(_Model):
    field: Optional[str] = Field(None, description="the situation field (or parameter) concerned")
    message: str = Field(description="what is wrong, as the command line says it")
    allowed: Optional[list[Any]] = None


class Problem(_Model):
    """RFC 9457 problem details with the list of problems found."""
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemItem] = []


class Questions(_Model):
    contract: str = "aanpakwijzer/questions/v1"
    lang: Lang
    target_group: str
    questions: list[OpenQuestion] = Field(description="unknown facts that could change the advice, most decisive first")


class FieldValue(_Model):
    value: Any
    label: str


class FieldInfo(_Model):
    name: str
    type: Literal["enum", "bool", "int"]
    required: bool
    question: str
    help: Optional[str]
    values: list[FieldValue] = Field(description="allowed values with labels (a number field: its range)")
    minimum: Optional[int] = None
    maximum: Optional[int] = None
    applies_to: list[str] = Field(description="target groups whose advice this field can change")


class Fields(_Model):
    contract: str = "aanpakwijzer/fields/v1"
    lang: Lang
    fields: list[FieldInfo]


class ComparedPart(_Model):
    part: str
    title: str
    same: bool
    values: list[Any] = Field(description="the part in comparable form, one entry per situation")


class Comparison(_Model):
    contract: str = "aanpakwijzer/comparison/v1"
    lang: Lang
    parts: list[ComparedPart]
    designs: list[Any]


class RuleSummary(_Model):
    id: str
    file: str
    line: Optional[int]
    concludes: list[str]
    target_groups: list[str]
    because: str
    sources: list[str]


class SourceRef(_Model):
    id: str
    title: str


class RuleDetail(RuleSummary):
    when: dict[str, Any]
    then: dict[str, Any]
    priority: Optional[Any] = None
    assumes: Optional[str] = None
    source_titles: list[SourceRef]


class Rules(_Model):
    lang: Lang
    rules: list[RuleSummary]


class Source(_Model):
    id: str
    doc: str
    document: str
    where: Optional[str] = None
    title: str


class Sources(_Model):
    lang: Lang
    sources: list[Source]


class Health(_Model):
    status: Literal["ok"]
    advisors: int
    rules: int


# --- problems -------------------------------------------------------------------

class NotJSON(InputError):
    """The body could not be read as JSON at all (400, not 422)."""


def problem(status: int, title: str, errors: list[InputError] | None = None, detail: str = "",
            headers: Optional[dict[str, str]] = None, lang: str = "en") -> Response:
    """A problem+json answer; input errors in the request's language (as the CLI's --lang)."""
    errors = errors or []
    body = Problem(title=title, status=status, detail=detail or "\n".join(e.describe(lang) for e in errors),
                   errors=[ProblemItem(field=e.field, message=e.text(lang), allowed=e.allowed)
                           for e in errors])
    return Response(body.model_dump_json(), status_code=status, media_type=PROBLEM, headers=headers)


def request_lang(request: Request) -> str:
    """The `lang` query parameter as every endpoint reads it (Dutch by default)."""
    lang = request.query_params.get("lang", "nl")
    return lang if lang in PARTS else "en"


def input_errors(exc: InputError) -> list[InputError]:
    return list(exc.errors) if isinstance(exc, InputErrors) else [exc]


def _validation_problems(exc: RequestValidationError) -> list[InputError]:
    out = []
    for error in exc.errors():
        name = str(error["loc"][-1]) if error.get("loc") else None
        if name == "lang":
            out.append(InputError(f"unknown value {error.get('input')!r}", file="query", field="lang",
                                  allowed=list(LANGS)))
        else:
            out.append(InputError(error.get("msg", "invalid"), file="query", field=name))
    return out


# --- shared with the web page ------------------------------------------------------

@lru_cache(maxsize=1)
def field_help() -> dict[str, dict[str, str]]:
    """facts/field_help.yaml: a short help text per situation field, nl and en."""
    path = facts_dir() / "field_help.yaml"
    if not path.exists():
        return {}
    data, name = load_mapping(path)
    known = vocabulary().fields
    for key, texts in data.items():
        if key not in known:
            raise InputError("no such situation field" + did_you_mean(key, known), file=name, field=key)
        if not isinstance(texts, dict) or set(texts) != set(LANGS):
            raise InputError("give a help text in nl and en", file=name, field=key)
    return dict(data)


def applies_to() -> dict[str, list[str]]:
    """field -> target groups whose rules read it (target_group itself: all groups)."""
    groups = list(vocabulary().fields["target_group"]["values"])
    read = compiled().fields_read
    return {name: groups if name == "target_group" else [g for g in groups if name in read.get(g, ())]
            for name in vocabulary().fields}


@lru_cache(maxsize=2)
def fields_info(lang: Lang) -> Fields:
    voc, helps, groups = vocabulary(), field_help(), applies_to()
    out = []
    for name, spec in voc.fields.items():
        if spec["type"] == "int":
            values = [FieldValue(value=v, label=str(v)) for v in range(spec["min"], spec["max"] + 1)]
        else:
            values = [FieldValue(value=v, label=voc.value_label(name, v, lang)) for v in voc.field_values(name)]
        out.append(FieldInfo(name=name, type=spec["type"], required=bool(spec.get("required")),
                             question=spec["question"][lang], help=(helps.get(name) or {}).get(lang),
                             values=values, minimum=spec.get("min"), maximum=spec.get("max"),
                             applies_to=groups[name]))
    return Fields(lang=lang, fields=out)


def compare_designs(designs: list[Any], lang: Lang) -> Comparison:
    """The designs side by side, part by part. A part is `same` when every design gives
    the same advice on it (as `registry().part_values` defines it)."""
    # The compare module (expert/compare.py) may replace this body; keep the signature.
    dumped = [d.model_dump(mode="json") for d in designs]
    values = [registry().part_values(d) for d in dumped]
    parts = []
    for name, part in registry().parts.items():
        column = [json.loads(json.dumps(v[name])) for v in values]
        parts.append(ComparedPart(part=name, title=part.title.get(lang), same=all(c == column[0] for c in column),
                                  values=column))
    return Comparison(lang=lang, parts=parts, designs=dumped)


# --- the app ----------------------------------------------------------------------

def _situation_body() -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Situation"}}}}}


def _proposal_body(many: bool = False) -> dict[str, Any]:
    one = {"$ref": "#/components/schemas/Proposal"}
    schema = {"type": "array", "minItems": 1, "maxItems": MAX_COMPARE, "items": one} if many else one
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _compare_body() -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": False, "required": ["situations"],
        "properties": {"situations": {"type": "array", "minItems": 1, "maxItems": MAX_COMPARE,
                                      "items": {"$ref": "#/components/schemas/Situation"}}}}}}}}


def _problems(*codes: tuple[int | str, str]) -> dict[int | str, dict[str, Any]]:
    return {code: {"description": text, "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for code, text in codes}


ERRORS = _problems((400, "the body is not JSON"), (413, "the body is over 1 MB"),
                   (422, "the situation has errors (listed in `errors`)"), (503, "every advisor is busy; try again"))
EVERYWHERE = _problems((422, "a parameter has an error (listed in `errors`)"),
                       ("default", "any other error, as problem details"))


def _number(text: str) -> float | int:
    """JSON Schema counts 7.0 as an integer; so do we (7.5 stays a float and is refused)."""
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


async def read_json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw, parse_float=_number)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotJSON(f"the body is not valid JSON ({exc})", file=BODY) from None


def _rule_summary(rule: Any, lang: str) -> dict[str, Any]:
    scope = compiled().scope[rule.id]
    return dict(id=rule.id, file=rule.file, line=rule.line, concludes=list(rule.concludes()),
                target_groups=[g for g in vocabulary().fields["target_group"]["values"] if g in scope],
                because=rule.spec.because.get(lang), sources=list(rule.spec.sources))


def _pool(request: Request) -> AdvisorPool:
    pool: AdvisorPool = request.app.state.pool
    return pool


async def _situation(request: Request) -> Any:
    return parse_situation(await read_json(request), BODY)


router = APIRouter()


@router.post("/v1/consult", response_model=design_model(), responses=ERRORS, openapi_extra=_situation_body(),
             summary="Advice for a situation")
async def consult(request: Request, lang: Lang = Query("nl")) -> Response:
    situation, pool = await _situation(request), _pool(request)
    body = await run_in_threadpool(lambda: pool.consult(situation, lang).model_dump_json())
    return Response(body, media_type="application/json")


@router.post("/v1/questions", response_model=Questions, responses=ERRORS, openapi_extra=_situation_body(),
             summary="The open questions for a situation, most decisive first")
async def questions(request: Request, lang: Lang = Query("nl")) -> Response:
    situation, pool = await _situation(request), _pool(request)
    # the interview's own ranking, with what each answer of the first question would change
    asked = await run_in_threadpool(lambda: pool.questions(situation, lang, effects=1))
    body = Questions(lang=lang, target_group=situation.target_group, questions=asked)
    return Response(body.model_dump_json(), media_type="application/json")


@router.post("/v1/compare", response_model=Comparison, responses=ERRORS, openapi_extra=_compare_body(),
             summary="Several situations' designs side by side")
async def compare(request: Request, lang: Lang = Query("nl")) -> Response:
    situations, pool = _situations(await read_json(request)), _pool(request)
    designs = await run_in_threadpool(lambda: [pool.consult(s, lang) for s in situations])
    return Response(compare_designs(designs, lang).model_dump_json(), media_type="application/json")


@router.post("/v1/review", response_model=review_model(), responses=ERRORS, openapi_extra=_proposal_body(),
             summary="Review a proposal (offerte) against the advice for its situation")
async def review(request: Request, lang: Lang = Query("nl")) -> Response:
    data, pool = await read_json(request), _pool(request)
    body = await run_in_threadpool(lambda: pool.review(data, lang, source=BODY).model_dump_json())
    return Response(body, media_type="application/json")


@router.post("/v1/review/compare", response_model=comparison_model(), responses=ERRORS,
             openapi_extra=_proposal_body(many=True),
             summary="Review several proposals for one situation and rank them (the ranking rule is stated)")
async def review_compare(request: Request, lang: Lang = Query("nl")) -> Response:
    data, pool = await read_json(request), _pool(request)
    if not isinstance(data, list) or not 1 <= len(data) <= MAX_COMPARE:
        raise InputError(f"the body must be a list of 1 to {MAX_COMPARE} proposals", file=BODY)
    names = [f"{BODY} [{i}]" for i in range(len(data))]
    body = await run_in_threadpool(lambda: pool.review_compare(data, lang, sources=names).model_dump_json())
    return Response(body, media_type="application/json")


@router.get("/v1/fields", response_model=Fields, summary="Every situation field, in contract order")
async def fields(lang: Lang = Query("nl")) -> Response:
    return Response(fields_info(lang).model_dump_json(), media_type="application/json")


@router.get("/v1/rules", response_model=Rules, summary="Every rule of the knowledge base")
async def rules(lang: Lang = Query("nl")) -> Rules:
    return Rules(lang=lang, rules=[RuleSummary(**_rule_summary(r, lang)) for r in compiled().kb.rules])


@router.get("/v1/rules/{rule_id}", response_model=RuleDetail, responses=_problems((404, "no such rule")),
            summary="One rule")
async def rule(rule_id: str, lang: Lang = Query("nl")) -> Response:
    kb = compiled().kb
    found = kb.by_id.get(rule_id)
    if found is None:
        error = InputError("no such rule" + did_you_mean(rule_id, kb.by_id), file="path", field="rule_id")
        return problem(404, "Not found", [error])
    spec = found.spec.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    detail = RuleDetail(**_rule_summary(found, lang), when=spec.get("when", {}), then=spec.get("then", {}),
                        priority=found.spec.priority,
                        assumes=found.spec.assumes.get(lang) if found.spec.assumes else None,
                        source_titles=[SourceRef(id=s, title=vocabulary().source_title(s, lang))
                                       for s in found.spec.sources])
    return Response(detail.model_dump_json(), media_type="application/json")


@router.get("/v1/sources", response_model=Sources, summary="The cited sources")
async def sources(lang: Lang = Query("nl")) -> Sources:
    voc = vocabulary()
    return Sources(lang=lang, sources=[
        Source(id=s["id"], doc=s["doc"], document=voc.documents[s["doc"]]["title"][lang],
               where=s.get("where"), title=s["title"][lang]) for s in voc.sources.values()])


@router.get("/healthz", response_model=Health, summary="Liveness and readiness")
async def healthz(request: Request) -> Health:
    return Health(status="ok", advisors=_pool(request).size, rules=len(compiled().kb.rules))


async def _input_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputError)
    return problem(400 if isinstance(exc, NotJSON) else 422, "Invalid input", input_errors(exc),
                   lang=request_lang(request))


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return problem(422, "Invalid input", _validation_problems(exc))


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return problem(exc.status_code, str(exc.detail), detail=str(exc.detail),
                   headers=dict(exc.headers) if exc.headers else None)


async def _busy(request: Request, exc: Exception) -> Response:
    return problem(503, "Busy", detail=str(exc), headers={"Retry-After": "1"})


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    """The API and the pages, with a pool of warm Advisors (settings: from the environment
    unless given)."""
    settings = settings or Settings.from_env()
    pool = AdvisorPool(settings.pool_size, settings.pool_timeout, freeze_heap=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Ready means warm: one Advisor with every group's engine before the first request,
        # the rest of the pool right after (a request never builds an engine itself).
        pool.warm(1)
        fields_info("nl"), fields_info("en")
        pool.warm_in_background()
        yield

    app = FastAPIOffline(title="Aanpakwijzer", version="1", lifespan=lifespan, redoc_url=None, responses=EVERYWHERE,
                         static_url="/static/docs",
                         description="Advice on designing projects that reach hard-to-reach groups. "
                                     "Errors are application/problem+json (RFC 9457).")
    app.state.pool = pool
    app.state.settings = settings
    for kind, handler in [(InputError, _input_error), (RequestValidationError, _validation),
                          (StarletteHTTPException, _http), (PoolExhausted, _busy)]:
        app.add_exception_handler(kind, handler)
    app.include_router(router)
    from .web import router as pages     # the consultation pages (they use this module's helpers)
    app.include_router(pages)
    _add_schemas(app, Problem)
    app.add_middleware(Guard, frame_ancestors=settings.frame_ancestors)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"], max_age=600)
    return app


def _situations(data: Any) -> list[Any]:
    if not isinstance(data, dict) or set(data) != {"situations"} or not isinstance(data["situations"], list):
        raise InputError("the body must be {\"situations\": [situation, ...]}", file=BODY, field="situations")
    items = data["situations"]
    if not 1 <= len(items) <= MAX_COMPARE:
        raise InputError(f"give 1 to {MAX_COMPARE} situations", file=BODY, field="situations")
    parsed, problems = [], []
    for index, item in enumerate(items):
        try:
            parsed.append(parse_situation(item, f"{BODY} situations[{index}]"))
        except InputError as exc:
            problems += input_errors(exc)
    if problems:
        raise InputErrors(problems)
    return parsed


def _add_schemas(app: FastAPI, *models: type[BaseModel]) -> None:
    """Put the Situation (and Problem) schemas into components, for the bodies that
    are validated by parse_situation rather than by FastAPI."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = base()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (situation_model(), *models):
            one = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(one.pop("$defs", {}))
            components[model.__name__] = one
        # a proposal's ids and situation as parse_proposal validates them
        proposal = proposal_json_schema(ref_template="#/components/schemas/{model}")
        proposal_defs = proposal.pop("$defs", {})
        proposal_defs.pop("Situation", None)
        components.update(proposal_defs)
        components["Proposal"] = proposal
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# --- security headers, body limit, last-resort errors (pure ASGI: cheap per request) ---

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class Guard:
    """Adds security headers, refuses bodies over MAX_BODY with 413 and turns any
    unexpected exception into a plain 500 problem (logged, never sent)."""

    def __init__(self, app: ASGIApp, frame_ancestors: list[str]):
        self.app = app
        ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
        common = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                  (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                  (b"cross-origin-opener-policy", b"same-origin")]
        if not frame_ancestors:
            common.append((b"x-frame-options", b"DENY"))
        page = f"default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; form-action 'self'; " \
               f"base-uri 'none'; frame-ancestors {ancestors}"
        docs = f"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " \
               f"img-src 'self' data:; frame-ancestors {ancestors}"
        self.page_headers = common + [(b"content-security-policy", page.encode())]
        self.docs_headers = common + [(b"content-security-policy", docs.encode())]

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = self.docs_headers if path.startswith(("/docs", "/static/docs")) else self.page_headers
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            await self._plain(send, extra, 413, "Content Too Large", "the request body is over 1 MB")
            return
        started: list[bool] = []

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(True)
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, _limited(receive), send_with_headers)
        except _TooLarge:
            if not started:
                await self._plain(send, extra, 413, "Content Too Large", "the request body is over 1 MB")
        except Exception:  # noqa: BLE001 - nothing unexpected may reach a client
            log.exception("unexpected error on %s", path)
            if not started:
                await self._plain(send, extra, 500, "Internal Server Error",
                                  "something went wrong on our side; the error is logged")

    @staticmethod
    async def _plain(send: Any, extra: list[tuple[bytes, bytes]], status: int, title: str, detail: str) -> None:
        body = Problem(title=title, status=status, detail=detail).model_dump_json().encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")] + extra})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def _limited(receive: Callable[[], Awaitable[Message]]) -> Callable[[], Awaitable[Message]]:
    """`receive` that counts the body as it arrives (a body without Content-Length too)."""
    received = 0

    async def limited_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > MAX_BODY:
                raise _TooLarge()
        return message

    return limited_receive
