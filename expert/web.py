"""The web consultation page: server-rendered (Jinja2), works without JavaScript,
Dutch by default with an English switch (`?lang=en`).

    /               start: choose the target group
    /form           the questions that apply to that group, with help texts
    /advice         the advice (the HTML report of expert/render.py) or the form with errors
    /interview      one question per page, most decisive first
    /compare        two situations side by side

Every form is a GET, so an advice is a link a policy officer can bookmark or share,
and the language switch keeps what was filled in.
"""
from __future__ import annotations

import re
from typing import Any, Optional
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from .api import compare_designs, fields_info, input_errors
from .errors import InputError
from .render import render
from .situation import parse_situation
from .vocabulary import Lang, registry, vocabulary

router = APIRouter(include_in_schema=False)
env = Environment(loader=PackageLoader("expert", "templates"), autoescape=select_autoescape(),
                  trim_blocks=True, lstrip_blocks=True)

UI = {
    "nl": {"site": "Aanpakwijzer", "skip": "Naar de inhoud", "start": "Start", "compare": "Twee situaties vergelijken",
           "interview": "Vraag voor vraag", "switch": "English", "switch_lang": "en",
           "intro": "Beschrijf de situatie in uw gemeente en krijg advies over de opzet van een project "
                    "dat moeilijk bereikbare groepen bereikt en activeert.",
           "choose_group": "Voor welke doelgroep ontwerpt u het project?", "next": "Verder",
           "form_title": "Beschrijf de situatie", "form_intro": "Beantwoord wat u weet. Wat u open laat, "
           "neemt het advies als onbekend mee: het zegt dan welke aannames het doet.",
           "group": "Doelgroep", "change": "andere doelgroep kiezen", "unknown": "weet ik niet",
           "yes": "ja", "no": "nee", "advise": "Advies geven", "errors_title": "Er is iets niet goed ingevuld",
           "result_title": "Advies", "edit": "Situatie aanpassen", "compare_title": "Twee situaties vergelijken",
           "compare_intro": "Kies voor elke situatie de doelgroep; daarna vult u beide situaties in.",
           "situation": "Situatie", "compare_go": "Vergelijken", "part": "Onderdeel", "same": "gelijk",
           "different": "verschilt", "none": "geen", "compared": "Vergelijking",
           "interview_title": "Vraag voor vraag", "interview_intro": "Eén vraag per keer: de vraag die het advies "
           "het meest kan veranderen eerst.", "question_n": "Vraag {0}", "skip_q": "Sla deze vraag over",
           "answer": "Volgende vraag", "show_advice": "Toon het advies nu", "could_change": "Kan veranderen",
           "no_more": "Er zijn geen vragen meer die het advies kunnen veranderen.",
           "status": "Overeenkomst", "not_found": "Deze pagina bestaat niet.",
           "or": "of", "by_question": "beantwoord de vragen één voor één",
           "review": "Een voorstel toetsen", "review_title": "Een projectvoorstel toetsen",
           "review_intro": "Vul de situatie in en wat het voorstel (de offerte) plant. Wat u open laat, "
                           "zegt het voorstel niet; de toets noemt het dan 'ontbreekt'.",
           "proposal": "Het voorstel", "proposal_name": "Naam van het voorstel", "executor": "Uitvoerder",
           "months": "Looptijd in maanden", "review_go": "Voorstel toetsen", "not_said": "niet genoemd",
           "review_result": "Toets van het voorstel", "edit_review": "Voorstel aanpassen"},
    "en": {"site": "Aanpakwijzer", "skip": "Skip to content", "start": "Start", "compare": "Compare two situations",
           "interview": "Question by question", "switch": "Nederlands", "switch_lang": "nl",
           "intro": "Describe the situation in your municipality and get advice on designing a project "
                    "that reaches and activates hard-to-reach groups.",
           "choose_group": "Which target group is the project for?", "next": "Continue",
           "form_title": "Describe the situation", "form_intro": "Answer what you know. What you leave open, "
           "the advice treats as unknown: it then says which assumptions it makes.",
           "group": "Target group", "change": "choose another target group", "unknown": "don't know",
           "yes": "yes", "no": "no", "advise": "Get advice", "errors_title": "Something was not filled in correctly",
           "result_title": "Advice", "edit": "Change the situation", "compare_title": "Compare two situations",
           "compare_intro": "Choose the target group of each situation; then fill in both situations.",
           "situation": "Situation", "compare_go": "Compare", "part": "Part", "same": "same",
           "different": "differs", "none": "none", "compared": "Comparison",
           "interview_title": "Question by question", "interview_intro": "One question at a time: the question "
           "that could change the advice most comes first.", "question_n": "Question {0}",
           "skip_q": "Skip this question", "answer": "Next question", "show_advice": "Show the advice now",
           "could_change": "Could change",
           "no_more": "No questions are left that could change the advice.",
           "status": "Match", "not_found": "This page does not exist.",
           "or": "or", "by_question": "answer the questions one by one",
           "review": "Review a proposal", "review_title": "Review a project proposal",
           "review_intro": "Fill in the situation and what the proposal (the offer) plans. What you leave "
                           "open, the proposal does not say; the review then calls it 'missing'.",
           "proposal": "The proposal", "proposal_name": "Name of the proposal", "executor": "Executing organisation",
           "months": "Duration in months", "review_go": "Review the proposal", "not_said": "not stated",
           "review_result": "Review of the proposal", "edit_review": "Change the proposal"},
}
CONTROL = {"lang", "go", "skip", "field"}       # query parameters that are not situation fields
# the review form's proposal parts: query key -> (proposal key, several values?)
PROPOSAL_KEYS = {"p.recruitment": ("recruitment", True), "p.childcare": ("childcare", False),
                 "p.result_agreements": ("result_agreements", False),
                 "p.execution_approach": ("execution_approach", False), "p.scale": ("scale", False),
                 "p.director_role": ("director_role", True)}


def _lang(request: Request) -> Lang:
    lang = request.query_params.get("lang", "nl")
    return "en" if lang == "en" else "nl"


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = context.pop("lang", None) or _lang(request)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    other = UI[lang]["switch_lang"]
    switch = f"{request.url.path}?{urlencode(query + [('lang', other)])}"
    html = env.get_template(template).render(t=UI[lang], lang=lang, other_lang=other, switch_url=switch,
                                             q=lambda **kw: urlencode({**kw, "lang": lang}), **context)
    return HTMLResponse(html, status_code=status)


def groups(lang: str) -> list[tuple[str, str]]:
    return [(g, vocabulary().value_label("target_group", g, lang))
            for g in vocabulary().fields["target_group"]["values"]]


def form_fields(group: str, lang: Lang) -> list[Any]:
    """The fields that apply to one target group (target_group itself apart), in contract order."""
    return [f for f in fields_info(lang).fields if group in f.applies_to and f.name != "target_group"]


def situation_from(params: Any, prefix: str = "") -> dict[str, Any]:
    """A situation from form values: empty means unknown (left out); 'true'/'false' are
    booleans and digits are numbers, as in a situation file. Anything else is passed on
    as text, so parse_situation reports it with the CLI's message."""
    fields = vocabulary().fields
    out: dict[str, Any] = {}
    for key, raw in params.multi_items():
        name = key[len(prefix):] if key.startswith(prefix) else None
        if name is None or name in CONTROL or name not in fields or raw == "":
            continue
        kind = fields[name]["type"]
        if kind == "bool" and raw in ("true", "false"):
            out[name] = raw == "true"
        elif kind == "int" and re.fullmatch(r"-?\d{1,6}", raw):
            out[name] = int(raw)
        else:
            out[name] = raw
    return out


def _errors_by_field(exc: InputError, lang: str = "nl") -> dict[Optional[str], list[str]]:
    """Each field's problems in the page's language (the CLI's messages, as --lang gives them)."""
    out: dict[Optional[str], list[str]] = {}
    for error in input_errors(exc):
        out.setdefault(error.field, []).append(error.text(lang))
    return out


def report_parts(document: str) -> tuple[str, str, bool]:
    """The HTML report's styles and body, to place inside our page (head extras, body,
    whether the report brings its own <main>)."""
    head = re.search(r"<head[^>]*>(.*?)</head>", document, re.S)
    body = re.search(r"<body[^>]*>(.*)</body>", document, re.S)
    extra = re.sub(r"<title>.*?</title>|<meta charset[^>]*>|<meta name=\"viewport\"[^>]*>", "",
                   head.group(1) if head else "", flags=re.S)
    inner = body.group(1) if body else document
    return extra, inner, "<main" in inner


def part_lines(design: dict[str, Any], part_name: str, lang: str) -> list[str]:
    """One part of a design as short readable lines (for the comparison table)."""
    part = registry().parts[part_name]
    shown = {"top": _top_lines, "object": _object_lines, "list": _list_lines}[part.shape]
    return [line for dim in part.dimensions for line in shown(design, part_name, dim, lang)]


def _top_lines(design: dict[str, Any], part: str, name: str, lang: str) -> list[str]:
    value = design.get(registry().dimensions[name].key or name)
    return [vocabulary().value_label(name, value, lang)] if value else []


def _object_lines(design: dict[str, Any], part: str, name: str, lang: str) -> list[str]:
    holder, dim = design.get(part) or {}, registry().dimensions[name]
    if dim.value_type == "months":
        if holder.get("min_months") is None:
            return []
        return [UI_MONTHS[lang].format(holder["min_months"], holder["recommended_months"])]
    value = holder.get(dim.key or "value")
    return [holder.get(dim.label_key or "label") or value] if value else []


def _list_lines(design: dict[str, Any], part: str, name: str, lang: str) -> list[str]:
    if registry().dimensions[name].item == "reference":
        return [f"{r['id']}: {r['title']}" for r in design.get("reference_details") or []]
    lines = []
    for item in design.get(name) or []:
        text = item.get("label") or item.get("text") or item.get("id")
        lines.append(f"{text} ({STATUS[lang][item['status']]})" if "status" in item else text)
    return lines


UI_MONTHS = {"nl": "minimaal {0}, aanbevolen {1} maanden", "en": "at least {0}, recommended {1} months"}
STATUS = {"nl": {"met": "voldaan", "not_met": "niet voldaan", "unknown": "onbekend"},
          "en": {"met": "met", "not_met": "not met", "unknown": "unknown"}}


def _pool(request: Request) -> Any:
    return request.app.state.pool


@router.get("/", response_class=HTMLResponse)
async def start(request: Request) -> HTMLResponse:
    lang = _lang(request)
    return _page(request, "start.html", groups=groups(lang), review=bool(request.query_params.get("review")))


def _group(request: Request, key: str = "target_group") -> Optional[str]:
    group = request.query_params.get(key)
    return group if group in vocabulary().fields["target_group"]["values"] else None


@router.get("/form", response_class=HTMLResponse)
async def form(request: Request) -> HTMLResponse:
    lang, group = _lang(request), _group(request)
    if group is None:
        return _page(request, "start.html", status=422, groups=groups(lang), missing_group=True)
    return _page(request, "form.html", group=group, group_label=dict(groups(lang))[group],
                 fields=form_fields(group, lang), values=situation_from(request.query_params), errors={})


@router.get("/advice", response_class=HTMLResponse)
async def advice(request: Request) -> HTMLResponse:
    lang, group = _lang(request), _group(request)
    if group is None:
        return _page(request, "start.html", status=422, groups=groups(lang), missing_group=True)
    data = situation_from(request.query_params)
    try:
        situation = parse_situation(data, "formulier" if lang == "nl" else "form")
    except InputError as exc:
        return _page(request, "form.html", status=422, group=group, group_label=dict(groups(lang))[group],
                     fields=form_fields(group, lang), values=data, errors=_errors_by_field(exc, lang))
    design = await run_in_threadpool(_pool(request).consult, situation, lang)
    head, body, has_main = report_parts(render(design, "html"))
    edit = "/form?" + urlencode([(k, v) for k, v in request.query_params.multi_items()])
    return _page(request, "result.html", report_head=head, report=body, report_has_main=has_main, edit_url=edit)


@router.get("/interview", response_class=HTMLResponse)
async def interview(request: Request) -> HTMLResponse:
    """One question per page, most decisive first, as `aanpakwijzer interview` asks them
    (Advisor.questions: ranked, without the ones answered "don't know")."""
    lang, group = _lang(request), _group(request)
    if group is None:
        return _page(request, "start.html", status=422, groups=groups(lang), missing_group=True, interview=True)
    data = situation_from(request.query_params)
    skipped = [s for s in request.query_params.getlist("skip") if s]
    try:
        situation = parse_situation(data, "formulier" if lang == "nl" else "form")
    except InputError as exc:
        return _page(request, "form.html", status=422, group=group, group_label=dict(groups(lang))[group],
                     fields=form_fields(group, lang), values=data, errors=_errors_by_field(exc, lang))
    pool = _pool(request)
    remaining = await run_in_threadpool(lambda: pool.questions(situation, lang, effects=1, skip=skipped))
    info = {f.name: f for f in fields_info(lang).fields}
    question = remaining[0] if remaining else None
    answered = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "field")]
    advice_url = "/advice?" + urlencode([(k, v) for k, v in answered if k != "skip"] + [("lang", lang)])
    return _page(request, "interview.html", group=group, group_label=dict(groups(lang))[group],
                 question=question, field=info.get(question.field) if question else None,
                 number=len(data) - 1 + len(skipped),      # target_group is not a question here
                 hidden=answered, advice_url=advice_url,
                 part_titles={p: registry().parts[p].title.get(lang) for p in registry().parts})


@router.get("/compare", response_class=HTMLResponse)
async def compare(request: Request) -> HTMLResponse:
    lang = _lang(request)
    group_a, group_b = _group(request, "a.target_group"), _group(request, "b.target_group")
    if group_a is None or group_b is None:
        return _page(request, "compare_start.html", groups=groups(lang))
    sides = [("a", group_a), ("b", group_b)]
    values = {side: situation_from(request.query_params, f"{side}.") for side, _ in sides}
    context: dict[str, Any] = dict(sides=[(side, g, dict(groups(lang))[g], form_fields(g, lang)) for side, g in sides],
                   values=values, errors={"a": {}, "b": {}})
    if request.query_params.get("go") is None:
        return _page(request, "compare_form.html", **context)
    situations = []
    for side, _ in sides:
        try:
            situations.append(parse_situation(values[side], f"{UI[lang]['situation']} {side.upper()}"))
        except InputError as exc:
            context["errors"][side] = _errors_by_field(exc, lang)
    if len(situations) < 2:
        return _page(request, "compare_form.html", status=422, **context)
    designs = await run_in_threadpool(lambda: [_pool(request).consult(s, lang) for s in situations])
    comparison = compare_designs(designs, lang)
    rows = [(p.title, p.same, [part_lines(d, p.part, lang) for d in comparison.designs]) for p in comparison.parts]
    return _page(request, "compare_result.html", rows=rows, sides=context["sides"])


# --- review: the proposal review form -------------------------------------------------

def proposal_parts(lang: Lang) -> list[dict[str, Any]]:
    """The proposal's parts as form controls: the ids each accepts, with their labels."""
    from .engine import compiled
    from .proposal import ID_KEYS, NO_CHILDCARE, allowed_ids

    kb, out = compiled().kb, []
    for key, (name, several) in PROPOSAL_KEYS.items():
        dim = ID_KEYS[name]
        options = [{"value": v, "label": UI[lang]["none"] if v == NO_CHILDCARE else kb.label(dim, v, lang)}
                   for v in allowed_ids(name)]
        out.append({"key": key, "id": key.replace(".", "-"), "several": several, "options": options,
                    "question": registry().dimensions[dim].label.get(lang)})
    return out


def proposal_from(params: Any, lang: Lang) -> dict[str, Any]:
    """A proposal mapping (the Proposal contract) from the review form's values."""
    body: dict[str, Any] = {}
    for key, (name, several) in PROPOSAL_KEYS.items():
        values = [v for v in params.getlist(key) if v]
        if values:
            body[name] = values if several else values[0]
    months = params.get("p.duration_months", "")
    if months:
        body["duration_months"] = int(months) if re.fullmatch(r"\d{1,4}", months) else months
    name = params.get("p.name", "").strip() or UI[lang]["proposal"]
    out = {"name": name, "situation": situation_from(params), "proposal": body}
    if params.get("p.executor", "").strip():
        out["executor"] = params["p.executor"].strip()
    return out


@router.get("/review", response_class=HTMLResponse)
async def review(request: Request) -> HTMLResponse:
    """The review form (situation and proposal); with `go`, the review as its HTML report."""
    from .review_render import render_review

    lang, group = _lang(request), _group(request)
    if group is None:
        return _page(request, "start.html", status=422, groups=groups(lang), missing_group=True, review=True)
    params = request.query_params
    form: dict[str, Any] = dict(group=group, group_label=dict(groups(lang))[group], fields=form_fields(group, lang),
                                values=situation_from(params), parts=proposal_parts(lang), chosen=params, errors={})
    if not params.get("go"):
        return _page(request, "review_form.html", **form)
    pool, data = _pool(request), proposal_from(params, lang)
    try:
        result = await run_in_threadpool(lambda: pool.review(data, lang, source=UI[lang]["proposal"]))
    except InputError as exc:
        return _page(request, "review_form.html", status=422, **{**form, "errors": _errors_by_field(exc, lang)})
    head, body, has_main = report_parts(render_review(result, "html"))
    edit = "/review?" + urlencode([(k, v) for k, v in params.multi_items() if k != "go"])
    return _page(request, "result.html", report_head=head, report=body, report_has_main=has_main, edit_url=edit,
                 edit_label=UI[lang]["edit_review"])
