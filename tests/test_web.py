"""The consultation page as a policy officer uses it: server-rendered, no JavaScript
needed, Dutch with an English switch; in real Chromium with axe on every page and the
form and interview done by keyboard alone."""
from __future__ import annotations

import json
import os
import re
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from expert import Advisor, consult
from expert.api import Settings, create_app
from expert.engine import compiled
from expert.render import render
from expert.web import report_parts
from live_server import live_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(pool_size=1))) as c:
        yield c


def control_names(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select)[^>]* name="([a-z_.]+)"', html))


# --- pages over HTTP ---------------------------------------------------------------

def test_start_page_offers_every_group_and_an_english_switch(client):
    page = client.get("/")
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    assert "niet-westerse migrantenvrouwen" in page.text
    assert 'href="/?lang=en"' in page.text
    english = client.get("/?lang=en").text
    assert '<html lang="en">' in english and "non-Western migrant women" in english


@pytest.mark.parametrize("group", ["women", "youth", "newcomers", "return"])
def test_the_form_asks_only_what_applies_to_the_group(client, group):
    html = client.get(f"/form?target_group={group}").text
    asked = control_names(html) - {"lang", "target_group"}
    assert asked == set(compiled().fields_read[group]) - {"target_group"}
    if group != "return":
        assert "asylum_procedure_final" not in asked


def test_the_form_has_labels_help_and_the_unknown_choice(client):
    html = client.get("/form?target_group=women&lang=en").text
    assert '<label for="dutch_proficiency">How well do participants speak Dutch?</label>' in html
    assert 'id="help-dutch_proficiency"' in html and 'aria-describedby="help-dutch_proficiency"' in html
    assert "<legend>Are there trusted key figures from the community who can visit homes?</legend>" in html
    asked = control_names(html) - {"lang", "target_group"}
    assert html.count("don&#39;t know") == len(asked)        # every question can be left unknown


def test_the_advice_page_shows_the_html_report_of_the_design(client):
    situation = {"target_group": "women", "leaves_home_independently": "false", "young_children": "true",
                 "funding_years": "2"}
    page = client.get("/advice?" + urlencode({**situation, "lang": "en"}))
    assert page.status_code == 200
    design = consult({"target_group": "women", "leaves_home_independently": False, "young_children": True,
                      "funding_years": 2}, "en")
    _, body, _ = report_parts(render(design, "html"))
    assert body.strip() in page.text
    assert "/form?" in page.text            # back to the filled-in form


def test_a_wrong_value_gives_the_form_back_with_the_message(client):
    page = client.get("/advice?target_group=women&funding_years=40&dutch_proficiency=fluent")
    assert page.status_code == 422
    assert 'role="alert"' in page.text and 'href="#funding_years"' in page.text
    assert "onbekende waarde &#39;fluent&#39;" in page.text and "(toegestaan: none, basic, good)" in page.text
    assert 'aria-invalid="true"' in page.text
    english = client.get("/advice?target_group=women&dutch_proficiency=fluent&lang=en").text
    assert "unknown value &#39;fluent&#39;" in english          # the page's language, as the CLI's --lang


def test_the_interview_asks_the_most_decisive_question_first_and_moves_on(client):
    advisor = Advisor()
    first = client.get("/interview?target_group=youth").text
    questions = advisor.questions({"target_group": "youth"})          # the CLI interview's ranking
    assert questions[0].question in first
    value = questions[0].answers[0].value
    shown = json.dumps(value) if isinstance(value, bool) else value     # as the form sends it
    answered = client.get(f"/interview?target_group=youth&{questions[0].field}={shown}").text
    after = advisor.questions({"target_group": "youth", questions[0].field: value})
    assert after[0].question in answered and questions[0].question not in answered
    skipped = client.get(f"/interview?target_group=youth&skip={questions[0].field}").text
    assert questions[1].question in skipped


def test_compare_page_marks_what_differs(client):
    query = {"a.target_group": "women", "b.target_group": "women", "go": "1",
             "a.young_children": "true", "b.young_children": "false"}
    page = client.get("/compare?" + urlencode(query)).text
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>.*?<td>(gelijk|verschilt)</td>', page, re.S))
    assert rows["Kinderopvang"] == "verschilt"
    assert rows["Soort project"] == "gelijk"


# --- in Chromium, with axe ---------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server():
    with live_server(Settings(pool_size=1)) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                              "wcag21aa"]}})
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{page.url}: {bad}"


def tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching `selector` has focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_form_to_advice_in_the_browser(page, server):
    page.goto(server + "/")
    assert_accessible(page)
    page.get_by_label("niet-westerse migrantenvrouwen").check()
    page.get_by_role("button", name="Verder").click()
    assert_accessible(page)
    page.get_by_label("Hoe goed spreken de deelnemers Nederlands?").select_option("none")
    page.get_by_role("group", name=re.compile("zelfstandig de deur uit")).get_by_label("nee").check()
    page.get_by_role("button", name="Advies geven").click()
    assert page.url.startswith(server + "/advice?")
    assert page.locator("h1").first.inner_text().startswith("Aanpakwijzer")
    assert_accessible(page)
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)


def test_errors_are_shown_accessibly(page, server):
    page.goto(server + "/advice?target_group=newcomers&funding_years=99")
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)


def test_the_form_works_by_keyboard_alone(page, server):
    page.goto(server + "/?lang=en")
    tab_to(page, 'input[name="target_group"]')
    page.keyboard.press("ArrowDown")            # the second group: young people
    page.keyboard.press("Enter")                # submits the form
    page.wait_for_url("**/form?**")
    assert "target_group=youth" in page.url
    tab_to(page, "select#policy_goal")
    page.keyboard.press("ArrowDown")             # first real answer after "don't know"
    tab_to(page, 'input[name="care_indication"]')     # Tab enters the group at its checked radio
    for _ in range(3):                                   # arrow keys move the choice within the group
        if page.evaluate("() => document.activeElement.value") == "true":
            break
        page.keyboard.press("ArrowRight")
    tab_to(page, 'button[type="submit"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/advice?**")
    assert "care_indication=true" in page.url and "policy_goal=participation" in page.url
    assert "Advice" in page.title()


def test_the_interview_works_by_keyboard_alone(page, server):
    page.goto(server + "/interview?target_group=return&lang=en")
    assert_accessible(page)
    for _ in range(3):
        legend = page.locator("legend").inner_text()
        tab_to(page, 'fieldset input[type="radio"]')
        page.keyboard.press("Space")
        tab_to(page, 'button[type="submit"]:not([name])')
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if page.locator("legend").count():
            assert page.locator("legend").inner_text() != legend
            assert_accessible(page)
    tab_to(page, 'a[href^="/advice"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/advice?**")
    assert_accessible(page)


def test_compare_two_situations_in_the_browser(page, server):
    page.goto(server + "/compare")
    assert_accessible(page)
    page.get_by_label("Situatie B: doelgroep").select_option("newcomers")
    page.get_by_role("button", name="Verder").click()
    assert_accessible(page)
    page.locator('section[aria-labelledby="side-a"]').get_by_label(
        "Hoe groot is de gemeente?").select_option("small")
    page.get_by_role("button", name="Vergelijken").click()
    assert page.get_by_role("table").is_visible()
    assert page.get_by_role("cell", name="verschilt").count() >= 1
    assert_accessible(page)


def test_pages_work_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + "/")
        page.get_by_label("jongeren met een migratieachtergrond").check()
        page.get_by_role("button", name="Verder").click()
        page.get_by_role("button", name="Advies geven").click()
        assert page.url.startswith(server + "/advice?") and "Aanpakwijzer" in page.content()
    finally:
        context.close()


# --- the proposal review form ----------------------------------------------------------------

REVIEW = ("/review?target_group=women&go=1&leaves_home_independently=false&young_children=true"
          "&p.name=Folders&p.recruitment=mass_media&p.childcare=childcare_next_to_location&p.duration_months=12")


def test_the_review_form_offers_the_parts_a_proposal_can_name(client):
    from expert.proposal import allowed_ids

    page = client.get("/review?target_group=women").text
    assert page.count('name="p.recruitment"') == len(allowed_ids("recruitment"))
    assert 'name="p.childcare"' in page and 'name="p.duration_months"' in page and 'name="young_children"' in page


def test_a_reviewed_proposal_shows_the_review_and_a_bad_id_the_form_with_the_message(client):
    from expert.engine import Advisor

    result = client.get(REVIEW)
    assert result.status_code == 200
    expected = Advisor().review({"name": "Folders", "situation": {
        "target_group": "women", "leaves_home_independently": False, "young_children": True},
        "proposal": {"recruitment": ["mass_media"], "childcare": "childcare_next_to_location",
                     "duration_months": 12}})
    assert expected.verdict == "does_not_fit" and "Folders" in result.text
    bad = client.get("/review?target_group=women&go=1&p.recruitment=bogus")
    assert bad.status_code == 422 and "onbekende waarde" in bad.text and 'role="alert"' in bad.text


def test_review_form_and_result_in_the_browser(page, server):
    page.goto(f"{server}/review?target_group=return&lang=en")
    assert_accessible(page)
    page.select_option("#p-childcare", "none")
    page.fill("#p-duration_months", "6")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/review?" in page.url and "go=1" in page.url
    assert_accessible(page)
