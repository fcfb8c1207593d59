"""The web app in a real browser (Playwright driving Debian's chromium), on a desktop screen and on
a phone (390 px): the analyst's path through it, an automated contrast and label check on every
page, and screenshots kept in tests/artifacts/ (web-VIEW-NAME.png).

The path: the headline question without and with a scenario, an answer explained, Back to the
table, the explanation's address opened again as a bookmark, why-not, each export downloaded and
read for the scenario's facts and the KB's revision, a scenario uploaded, the law's reading view
and the source view's panel. Every page visited must meet WCAG AA contrast (computed from the
computed styles), give every control a name, and be no wider than the screen.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import BUNDLED_KB, CHROMIUM, CHROMIUM_ARGS, REPO, browser_or_skip
from web_server import Server

import citelog
from citelog.explanations import Explainer
from citelog.memo import memo, revision
from citelog.obligations import obligations
from citelog.report import headline, obligations_report
from citelog.scenario import load_scenario, parse_scenario

ARTIFACTS = REPO / "tests" / "artifacts"
SCENARIO = BUNDLED_KB / "scenarios" / "drawback-claim.yaml"
MADE = "1798797600"  # the server's SOURCE_DATE_EPOCH: its downloads are the same bytes as the library's
VIEWS = {"desktop": {"viewport": {"width": 1280, "height": 900}},
         "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True}}

# Every visible text against what is really behind it (the backgrounds of its ancestors composed),
# by the WCAG formula: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
CONTRAST = """() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, under) => ({r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
                                  b: top.b * top.a + under.b * (1 - top.a), a: 1});
  const luminance = ({r, g, b}) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = (element) => {
    const chain = [];
    for (let e = element; e; e = e.parentElement) chain.unshift(e);
    let colour = {r: 255, g: 255, b: 255, a: 1};
    for (const e of chain) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) colour = over(c, colour);
    }
    return colour;
  };
  const failures = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!node.textContent.trim() || seen.has(element)) continue;
    seen.add(element);
    const rect = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (rect.width === 0 || rect.height === 0 || style.visibility === "hidden") continue;
    const background = behind(element);
    const foreground = over(parse(style.color), background);
    const [light, dark] = [luminance(foreground), luminance(background)].sort((x, y) => y - x);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    if (ratio < needed) failures.push(`${element.tagName.toLowerCase()}.${element.className} ${ratio.toFixed(2)}:1 ` +
                                      JSON.stringify(node.textContent.trim().slice(0, 40)));
  }
  return failures;
}"""

# Every control and link has a name a screen reader can say.
LABELS = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')]
  .filter((e) => {
    const labelled = e.labels && [...e.labels].some((l) => l.textContent.trim());
    const named = (e.getAttribute('aria-label') || '').trim() || (e.getAttribute('title') || '').trim();
    const text = ['A', 'BUTTON'].includes(e.tagName) && e.textContent.trim();
    return !(labelled || named || text);
  })
  .map((e) => e.outerHTML.slice(0, 100))"""


@pytest.fixture(scope="module")
def server():
    running = Server(env={**os.environ, "SOURCE_DATE_EPOCH": MADE})
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    sync_playwright = browser_or_skip("the browser tests of the web app")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(params=list(VIEWS))
def view(request, browser):
    """A fresh browser context on a desktop screen or a phone; a page in it, checked for script errors."""
    context = browser.new_context(accept_downloads=True, **VIEWS[request.param])
    context.set_default_timeout(60_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # an error page's own status (400, 404) is what it should be, not a fault of the page
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" and not
            message.text.startswith("Failed to load resource: the server responded with a status of") else None)
    page.name = request.param
    yield page
    context.close()
    assert problems == []


@pytest.fixture(scope="module")
def kb():
    return citelog.load()


def checked(page, name: str) -> None:
    """The checks every page passes, with every toggle open so that all its text is looked at; then
    a screenshot (with the toggles as they were)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{page.name}-{name}.png"), full_page=False)
    page.evaluate("() => { window.closedDetails = [...document.querySelectorAll('details:not([open])')];"
                  " window.closedDetails.forEach((d) => { d.open = true; }); }")
    assert page.evaluate(CONTRAST) == [], f"{name}: text below the WCAG AA contrast"
    assert page.evaluate(LABELS) == [], f"{name}: controls without a name"
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name} is {width[0]} px wide on a {width[1]} px screen"
    page.evaluate("() => window.closedDetails.forEach((d) => { d.open = false; })")


def rows(page) -> int:
    return page.locator("table.answers tbody tr").count()


def test_the_analyst_s_path(server, view, kb, tmp_path):
    page = view
    page.goto(server.url + "ask")
    assert page.title() == "Ask · citelog"
    checked(page, "ask")

    # the headline question, the law alone: in the law's own words
    page.get_by_role("button", name="Who must keep what, for how long?").click()
    page.wait_for_url("**/ask?**headline=1**")
    plain = headline(kb)
    assert rows(page) == len(plain.rows)
    shown = page.locator("table.answers").inner_text()
    assert "agent of a party described in 19 U.S.C. 1508(a)(1)" in shown and "as prescribed by the Secretary" in shown
    checked(page, "headline")

    # the same question under a scenario: picking it asks again, at an address of its own
    with page.expect_navigation():
        page.select_option("#scenario-pick", SCENARIO.name)
    assert f"scenario={SCENARIO.name}" in page.url and "headline=1" in page.url
    scenario = load_scenario(SCENARIO, kb.program)
    with kb.scenario(scenario.facts):
        dated = obligations_report(kb, scenario, obligations(kb))
    assert rows(page) == len(dated.rows) and page.locator(".scenario-title").first.inner_text() == scenario.title
    table = page.locator("table.answers").inner_text()
    assert "Acme Imports Inc. (acme)" in table and "2027-05-01 (minimum)" in table
    answers_url = page.url
    checked(page, "headline-scenario")

    # explain answer 4; its technical detail is behind a toggle
    page.get_by_role("link", name="Explain answer 4").click()
    page.wait_for_url("**/explain?**answer=4**")
    explain_url = page.url
    heading = page.locator("section.answer h2").inner_text()
    assert heading.startswith("Answer 4: ")
    root = page.locator("section.answer > details.step").first
    assert root.evaluate("d => d.open")
    tech = root.locator(":scope > .detail > details.tech")
    assert not tech.locator("code.statement").is_visible()
    tech.locator(":scope > summary").click()
    assert tech.locator("code.statement").inner_text().startswith("keeps(acme, ")
    page.get_by_role("button", name="Collapse all").click()
    assert page.evaluate("() => [...document.querySelectorAll('details.step')].every(d => !d.open)")
    page.get_by_role("button", name="Expand all").click()
    checked(page, "explain")

    # Back: the table again, at its address, without asking to post anything again; Forward again
    page.go_back()
    assert page.url == answers_url and rows(page) == len(dated.rows)
    page.go_forward()
    assert page.url == explain_url

    # each export: the scenario's facts, the KB's revision, the answer's own number
    kb_revision = revision(kb.program)
    for label, suffix in (("Markdown", "md"), ("HTML", "html"), ("JSON", "json")):
        with page.expect_download() as waiting:
            page.get_by_role("link", name=label, exact=True).click()
        saved = tmp_path / f"{page.name}.{suffix}"
        waiting.value.save_as(saved)
        assert waiting.value.suggested_filename == f"citelog-explanation-answer-4.{suffix}"
        text = saved.read_text(encoding="utf-8")
        assert kb_revision.content in text and "2027-01-01T10:00:00Z" in text
        if suffix == "json":
            payload = json.loads(text)
            assert payload["memo"]["scenario"]["title"] == scenario.title
            assert "acme filed drawback claim C-7" in [f["sentence"] for f in payload["memo"]["scenario"]["facts"]]
            assert [a["number"] for a in payload["answers"]] == [4]
        else:
            assert "acme filed drawback claim C-7" in text and "Answer 4: " in text
            assert scenario.title.replace("'", "&#39;") in text if suffix == "html" else scenario.title in text
    export = tmp_path / f"{page.name}.html"
    page.goto(export.as_uri())
    assert page.locator("section.memo").inner_text().count("acme filed drawback claim C-7") == 1
    checked(page, "export")

    # the explanation's address, opened as a bookmark in a new tab
    bookmark = page.context.new_page()
    bookmark.goto(explain_url)
    assert bookmark.locator("section.answer h2").inner_text() == heading
    bookmark.close()

    # why not: an answer that was expected and is missing
    page.goto(explain_url)
    page.fill("#atom", "is_a(acme, importer)")
    page.get_by_role("button", name="Why not?").click()
    page.wait_for_url("**/why-not?**")
    assert page.locator("h2.fails").inner_text() == "Why not is_a(acme, importer)?"
    assert page.locator("li.attempt").count() > 0 and f"scenario={SCENARIO.name}" in page.url
    checked(page, "why-not")


def test_an_uploaded_scenario_and_its_download(server, view, kb, tmp_path, monkeypatch):
    page = view
    page.goto(server.url + "ask?headline=1")
    page.locator("#upload").set_input_files(str(SCENARIO))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url("**/ask?headline=1&upload=*")
    text = SCENARIO.read_text(encoding="utf-8")
    scenario = parse_scenario(text, kb.program, "upload:drawback-claim.yaml")
    assert page.locator(".scenario-title").first.inner_text() == scenario.title
    with kb.scenario(scenario.facts):
        found = obligations(kb)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", MADE)
        expected = Explainer(kb).explain_answers(f"obligations in the scenario: {scenario.title}", [found[5].source],
                                                 [6]).with_memo(memo(kb, scenario))
    assert rows(page) == len(found)
    checked(page, "upload")
    page.get_by_role("link", name="Explain answer 6").click()
    page.wait_for_url("**/explain?**")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Markdown", exact=True).click()
    saved = tmp_path / "answer.md"
    waiting.value.save_as(saved)
    assert saved.read_text(encoding="utf-8") == expected.to_markdown()


def test_the_law_s_reading_view(server, view):
    page = view
    page.goto(server.url + "law/reading")
    assert page.title() == "Law, to read · citelog"
    page.locator("nav.contents").get_by_role("link", name="(c)", exact=True).first.click()
    assert page.url.endswith("#r-19-u-s-c-1508-c")
    part = page.locator("#r-19-u-s-c-1508-c-3")
    assert "records for any drawback claim shall be kept until the 3rd anniversary" in part.inner_text()
    assert "records for the drawback claim must be kept until the 3rd anniversary of the date of liquidation of the " \
           "claim" in part.locator("ul.sentences").inner_text()
    raw = part.locator("details.raw").first
    assert not raw.locator("ul.rules").is_visible()
    raw.locator(":scope > summary").click()
    assert "retention(drawback_claim_records, 3, anniversary, liquidation_of_claim, until)" in raw.inner_text()
    checked(page, "law-reading")
    link = part.locator("ul.resting a").first
    number = link.inner_text()
    link.click()
    page.wait_for_url("**/explain?**")
    assert page.locator("section.answer h2").inner_text().startswith(f"Answer {number}: ")


def test_the_law_s_source_view_moves_the_focus_to_the_panel(server, view, kb):
    page = view
    page.goto(server.url + "law")
    passage = page.locator("a.q", has_text="records for any drawback claim shall be kept").first
    passage.click()
    panel = page.locator("aside.panel .cover.shown")
    assert panel.count() == 1 and panel.is_visible()
    assert "19 U.S.C. 1508(c)(3)" in panel.inner_text()
    assert page.evaluate("() => document.activeElement.classList.contains('shown')")
    checked(page, "law-source")


@pytest.mark.parametrize("path", ["", "ask?query=is_a(Acme,%20C)&scenario=drawback-claim.yaml",
                                  "ask?query=duty(", "ask?name=dated_obligations&scenario=drawback-claim.yaml",
                                  "ask?name=penalty_caps", "tests", "tests/diff?base=HEAD", "nope"])
def test_every_other_page_passes_the_checks(server, view, path):
    view.goto(server.url + path)
    checked(view, re.sub(r"[^a-z0-9]+", "-", path.split("&")[0]).strip("-") or "home")
