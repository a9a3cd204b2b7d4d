"""The HTML report in a real browser: every shipped example, in Dutch and English, opened
in Debian's Chromium (driven by Playwright) and checked with axe-core for WCAG 2.1 AA.

Without /usr/bin/chromium (or the Playwright / axe packages) these tests are SKIPPED with
the reason; `.ci/run` installs Chromium so CI runs them."""
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from expert.paths import FACTS_DIR

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
EXAMPLES = sorted((FACTS_DIR / "examples").glob("*.yaml"))
CASES = [(path, lang) for path in EXAMPLES for lang in ("nl", "en")]

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright",
                                 reason="the axe-playwright-python package is not installed")
if not CHROMIUM.exists():
    pytest.skip("Chromium is missing (/usr/bin/chromium): apt-get install chromium to run the "
                "browser and accessibility tests", allow_module_level=True)


def report(path, lang, *extra):
    result = CliRunner().invoke(main, ["consult", str(path), "--lang", lang, "--format", "html", *extra],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    requests = []
    # the report is one self-contained file: any request it makes is a failure
    page.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
    page.requests = requests
    yield page
    page.close()


def serious(page):
    results = axe_module.Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path,lang", CASES, ids=[f"{p.stem}-{lang}" for p, lang in CASES])
def test_report_has_no_serious_accessibility_violations(page, path, lang):
    page.set_content(report(path, lang))
    assert serious(page) == []
    # the folded reasons too
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert serious(page) == []
    assert page.requests == []


@pytest.mark.parametrize("detail", ["summary", "full"])
def test_other_detail_levels_are_accessible_too(page, detail):
    page.set_content(report(EXAMPLES[0], "nl", "--detail", detail, "--trace"))
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert serious(page) == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_a_policy_officer_can_forward(page, lang):
    women = FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml"
    html = report(women, lang, "--date", "2026-03-01")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "no external resources"
    assert "@media print" in html
    page.set_content(html)
    assert page.title() and page.locator("html").get_attribute("lang") == lang
    assert page.locator("time").inner_text() == "2026-03-01"
    summary = page.locator("section.summary")
    assert summary.locator("h2").inner_text() == ("In het kort" if lang == "nl" else "At a glance")
    assert page.locator("table th[scope=row]").count() >= 10, "the situation as a table"
    # status badges say their status in words as well as colour
    badges = page.locator(".badge:visible")      # folded items (closed <details>) show no text
    assert badges.count() > 0
    texts = {badges.nth(i).inner_text() for i in range(badges.count())}
    assert texts <= ({"voldaan", "niet voldaan", "na te gaan"} if lang == "nl" else {"met", "not met", "to check"})
    colours = {badges.nth(i).evaluate("e => getComputedStyle(e).backgroundColor") for i in range(badges.count())}
    assert len(colours) == len(texts)
    # reasons are folded; citations and back-references lead somewhere on the page
    assert page.locator("details").count() > 0 and page.locator("details[open]").count() == 0
    broken = page.evaluate("""[...document.querySelectorAll('a[href^="#"]')]
        .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))""")
    assert broken == []
    assert page.locator('a[href^="#src-"]').count() > 0
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))


def test_print_shows_the_folded_reasons(page):
    women = FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml"
    page.set_content(report(women, "nl"))
    first = page.locator("details p").first
    assert not first.is_visible()
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert first.is_visible()

