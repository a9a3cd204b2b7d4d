"""`aanpakwijzer compare` and `consult --vary`: designs side by side, differences marked."""
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from expert.paths import FACTS_DIR
from expert.vocabulary import registry, vocabulary

WOMEN = FACTS_DIR / "examples" / "isolated_women_neighbourhood.yaml"
SCHOOL_LEAVERS = {"target_group": "youth", "municipality_size": "medium", "education_level": "low",
                  "policy_goal": "education", "already_employed": False, "care_indication": False,
                  "self_organisations": "some", "ethnic_media_available": True, "funding_years": 2}
STREET = {**SCHOOL_LEAVERS, "active_in_society": False, "takes_own_initiative": False}


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def pair(tmp_path):
    a, b = tmp_path / "school.yaml", tmp_path / "street.yaml"
    a.write_text(yaml.safe_dump(SCHOOL_LEAVERS), encoding="utf-8")
    b.write_text(yaml.safe_dump(STREET), encoding="utf-8")
    return a, b


def parts(advisor, situation):
    return registry().part_values(advisor.consult(situation).model_dump(mode="json"))


def test_json_marks_exactly_the_parts_that_differ(advisor, pair):
    result = cli("compare", *pair, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    a, b = parts(advisor, SCHOOL_LEAVERS), parts(advisor, STREET)
    expected = [p for p in registry().part_order() if a[p] != b[p]]
    assert data["changed_parts"] == expected and {"recruitment", "lead_time", "execution"} <= set(expected)
    blocks = {block["part"]: block for block in data["parts"]}
    assert [b for b in blocks if b != "situation"] == registry().part_order()
    for part in registry().part_order():
        assert blocks[part]["differs"] == (part in expected)
        assert blocks[part]["differs"] == any(row["differs"] for row in blocks[part]["rows"]) or \
            part in ("recruitment",)            # a weight can differ while every rank stays
    assert [row["key"] for row in blocks["situation"]["rows"]] == ["active_in_society", "takes_own_initiative"]
    approaches = next(r for r in blocks["execution"]["rows"] if r["key"] == "execution_approach")["values"]
    assert approaches[1] == "street_activity_to_work" and approaches[0] != approaches[1]


def test_text_marks_differing_rows_and_says_what_differs(pair):
    text = cli("compare", *pair, "--lang", "en").output
    assert text.startswith("Aanpakwijzer: advice side by side\n")
    assert "Differs: recruitment" in text and "lead time" in text.splitlines()[2]
    lead = next(line for line in text.splitlines() if line.startswith("≠ Lead time:"))
    assert " | " in lead
    assert any(line.startswith("  Childcare: ") and " | " not in line for line in text.splitlines())


def test_identical_situations_differ_in_nothing(tmp_path):
    copy = tmp_path / "copy.yaml"
    copy.write_text(WOMEN.read_text(encoding="utf-8"), encoding="utf-8")
    text = cli("compare", WOMEN, copy).output
    assert "Verschilt: niets: alle adviezen zijn gelijk" in text and "\n≠" not in text


def test_markdown_has_a_table_per_part_with_a_difference_column(pair):
    md = cli("compare", *pair, "--format", "markdown").output
    designs = [json.loads(cli("consult", p, "--format", "json").output) for p in pair]
    for part in registry().parts.values():
        if any(registry().part_values(d)[part.name] not in ([], ()) and
               registry().part_values(d)[part.name] != (None,) * len(part.dimensions) for d in designs):
            assert f"## {part.title.get('nl')}" in md       # a part empty in every design has no table
    assert "| Onderdeel | " in md and "**≠ verschilt**" in md


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.captions, self.scopes = [], 0, []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "caption":
            self.captions += 1
        if tag == "th":
            self.scopes.append(dict(attrs).get("scope"))


def test_html_is_self_contained_with_captions_and_header_scopes(pair):
    page = cli("compare", *pair, "--format", "html", "--lang", "en").output
    parser = _Tables()
    parser.feed(page)
    tables = [t for t, _ in parser.tags if t == "table"]
    shown = json.loads(cli("compare", *pair, "--format", "json").output)["parts"]
    with_rows = [p for p in shown if p["rows"]]
    # one captioned table for the differing situation fields and one per part that has content
    assert len(tables) == parser.captions == len(with_rows) + (0 if shown[0]["rows"] else 1)
    assert parser.scopes and all(scope in ("col", "row") for scope in parser.scopes)
    assert not any(t in ("script", "link", "img", "iframe") for t, _ in parser.tags)
    assert "http" not in page and '<html lang="en">' in page
    assert 'class="differs"' in page and "≠ differs" in page       # marked in text, not by colour alone


def test_output_is_byte_identical_and_can_go_to_a_file(pair, tmp_path):
    out = tmp_path / "cmp.html"
    assert cli("compare", *pair, "--format", "html", "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8") == cli("compare", *pair, "--format", "html").output


def test_compare_needs_two_files_and_reports_a_bad_one(pair, tmp_path):
    one = cli("compare", pair[0])
    assert one.exit_code == 2 and "at least two" in one.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("target_group: women\nfunding_yeras: 2\n", encoding="utf-8")
    result = cli("compare", pair[0], bad)
    assert result.exit_code == 2 and "did you mean 'funding_years'" in result.output


def test_vary_gives_one_column_per_allowed_value(advisor):
    result = cli("consult", WOMEN, "--vary", "young_children", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["name"] for c in data["columns"]] == ["young_children = ja (zoals opgegeven)", "young_children = nee"]
    situation = yaml.safe_load(WOMEN.read_text(encoding="utf-8"))
    a, b = parts(advisor, situation), parts(advisor, {**situation, "young_children": False})
    assert data["changed_parts"] == [p for p in registry().part_order() if a[p] != b[p]]
    assert "childcare" in data["changed_parts"]


def test_vary_with_listed_values_and_every_value_of_an_enum():
    text = cli("consult", WOMEN, "--vary", "funding_years=2,3,5", "--lang", "en").output
    assert "  1. funding_years = 2 (as given)\n  2. funding_years = 3\n  3. funding_years = 5\n" in text
    every = json.loads(cli("consult", WOMEN, "--vary", "self_organisations", "--format", "json").output)
    assert len(every["columns"]) == len(vocabulary().fields["self_organisations"]["values"])


@pytest.mark.parametrize("vary,message", [("funding_yeras", "did you mean 'funding_years'"),
                                          ("funding_years=2,30", "30 is out of range"),
                                          ("self_organisations=many", "unknown value 'many'")])
def test_vary_reports_a_bad_field_or_value(vary, message):
    result = cli("consult", WOMEN, "--vary", vary, "--lang", "en")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    dutch = cli("consult", WOMEN, "--vary", vary)               # Dutch by default, like every input error
    assert dutch.exit_code == 2 and "veld '" in dutch.output


# --- the HTML in a real browser ----------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_html_comparison_has_no_serious_accessibility_violations(pair, lang):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    axe = pytest.importorskip("axe_playwright_python.sync_playwright",
                              reason="the axe-playwright-python package is not installed")
    if not CHROMIUM.exists():
        pytest.skip("Chromium is missing (/usr/bin/chromium): apt-get install chromium to run this test")
    page_html = cli("compare", *pair, "--format", "html", "--lang", lang).output
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        requests = []
        page.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
        page.set_content(page_html)
        results = axe.Axe().run(page, options={"runOnly": {"type": "tag",
                                                           "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        browser.close()
    serious = [(v["id"], v["impact"]) for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [] and requests == []
