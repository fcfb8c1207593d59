"""The renderings of an explanation (engine/render.py): text, Markdown, self-contained HTML and
JSON, each pinned by a golden file of the explain fixture (`tests/golden/explain/`), the JSON by
its schema, the HTML in a headless browser, and what each escapes.

Golden files are the specification of the renderings: `CITELOG_UPDATE_GOLDEN=1 pytest
tests/test_render.py` rewrites them; read every changed file before committing it.
"""

from __future__ import annotations

import json
import os
import re

import jsonschema
import pytest
from conftest import (CHROMIUM, CHROMIUM_ARGS, ELECTRONIC, EXPLAIN_GOLDEN, EXPLAIN_SCENARIO, EXPLANATION_SCHEMA,
                      EXPLANATION_VALIDATOR, INTERPRETATION_NOTE, MADE, OBLIGATIONS, QUOTE_10_2_A, QUOTE_101_A,
                      QUOTE_101_B, QUOTE_101_D, REPO, SUFFIX, browser_or_skip, load_explain_kb,
                      proof_nodes, validate_explanation)

import citelog
from citelog.explanations import Explainer, Explanation
from citelog.memo import memo, revision
from citelog.names import INTERNAL
from citelog.scenario import load_scenario, parse_scenario

ARTIFACTS = REPO / "tests" / "artifacts"
UPDATE = os.environ.get("CITELOG_UPDATE_GOLDEN") == "1"


# ---- goldens --------------------------------------------------------------------------------------------

EXPLAIN_GOLDENS = {"obligations": OBLIGATIONS, "electronic-copies": ELECTRONIC}
WHY_NOT_GOLDENS = {"samples": "is_a(sam, importer)", "carrier": "is_a(cole, importer)"}


def check_golden(name: str, produced: str) -> None:
    """Compare with tests/golden/NAME byte for byte; CITELOG_UPDATE_GOLDEN=1 (re)writes it instead."""
    path = EXPLAIN_GOLDEN / name
    data = produced.encode("utf-8")
    if UPDATE:
        EXPLAIN_GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"no golden file {path}: run with CITELOG_UPDATE_GOLDEN=1, then read it"
    expected = path.read_bytes()
    if data != expected:
        import difflib

        diff = "\n".join(difflib.unified_diff(expected.decode("utf-8").splitlines(), produced.splitlines(),
                                              str(path), "produced", lineterm="", n=2))
        pytest.fail(f"{name} differs from its golden file (CITELOG_UPDATE_GOLDEN=1 rewrites it):\n{diff[:6000]}")


def _render(explanation: Explanation, fmt: str) -> str:
    return {"text": explanation.to_text, "md": explanation.to_markdown, "html": explanation.to_html,
            "json": explanation.to_json}[fmt]()


@pytest.fixture
def fixture_memo(explain_kb, outside, monkeypatch):
    """The memo `citelog explain --kb . --scenario scenario.yaml` makes in the copy at time MADE."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", MADE)
    scenario = parse_scenario(EXPLAIN_SCENARIO.read_text(encoding="utf-8"), explain_kb.program, "scenario.yaml")
    return memo(explain_kb, scenario, of=revision(citelog.load(outside).program))


class TestGoldens:
    @pytest.mark.parametrize("fmt", SUFFIX)
    @pytest.mark.parametrize("name", EXPLAIN_GOLDENS)
    def test_explain(self, explainer, fixture_memo, name, fmt):
        produced = _render(explainer.explain(EXPLAIN_GOLDENS[name]).with_memo(fixture_memo), fmt)
        if fmt == "json":
            validate_explanation(produced)
        check_golden(f"explain-{name}.{SUFFIX[fmt]}", produced)

    @pytest.mark.parametrize("fmt", ["text", "json"])
    @pytest.mark.parametrize("name", WHY_NOT_GOLDENS)
    def test_why_not(self, explainer, name, fmt):
        result = explainer.why_not(WHY_NOT_GOLDENS[name])
        check_golden(f"why-not-{name}.{SUFFIX[fmt]}", result.to_text() if fmt == "text" else result.to_json())

    def test_without_a_memo_an_explanation_says_nothing_of_itself(self, explainer):
        explanation = explainer.explain(OBLIGATIONS)
        assert explanation.memo is None
        assert "Scenario" not in explanation.to_text() + explanation.to_markdown() + explanation.to_html()
        assert validate_explanation(explanation.to_json())["memo"] is None

    def test_the_order_of_the_scenario_rows_does_not_matter(self, explainer):
        kb = load_explain_kb(with_scenario=False)
        facts = load_scenario(EXPLAIN_SCENARIO, kb.program).facts
        for name in reversed(sorted(facts)):
            kb.add_facts({name: list(reversed(facts[name]))})
        for fmt in SUFFIX:
            assert _render(Explainer(kb).explain(OBLIGATIONS), fmt) == _render(explainer.explain(OBLIGATIONS), fmt)

    def test_markdown_lists_the_provisions_with_their_quotes(self, explainer):
        text = explainer.explain(OBLIGATIONS).to_markdown()
        listed = text.split("## Provisions cited\n", 1)[1]
        assert listed == (
            "\n1. **99 U.S.C. 101(a)** (statute)\n\n   > " + QUOTE_101_A + "\n\n"
            "2. **99 U.S.C. 101(d)** (statute)\n\n   > " + QUOTE_101_D + "\n\n"
            "3. **99 U.S.C. 101(b)** (statute)\n\n   > " + QUOTE_101_B + "\n\n"
            "4. **99 CFR 10.2(a)** (regulation)\n\n   > " + QUOTE_10_2_A + "\n\n"
            "5. **person\\_duties** (interpretation)\n\n   *the analyst's interpretation: " + INTERPRETATION_NOTE + "*\n"
        )
        assert "Rests on: [3] 99 U.S.C. 101(b), [1] 99 U.S.C. 101(a), [4] 99 CFR 10.2(a), " \
               "[5] person\\_duties." in text

    def test_reconstructed_provision_is_shown_as_such_in_every_format(self, explainer):
        explanation = explainer.explain(ELECTRONIC)
        (provision,) = explanation.provisions
        assert provision[:3] == ("99 U.S.C. 101(c)", "statute", None)
        assert provision[3].startswith("reconstructed")
        assert "[1] 99 U.S.C. 101(c) (statute): reconstructed" in explanation.to_text()
        assert "1. **99 U.S.C. 101(c)** (statute)\n\n   *reconstructed" in explanation.to_markdown()
        assert '<div class="noquote">reconstructed' in explanation.to_html()
        payload = validate_explanation(explanation.to_json())
        assert payload["provisions"][0]["quote"] is None
        assert payload["provisions"][0]["quote_missing_reason"].startswith("reconstructed")
        proof = payload["answers"][0]["proof"]
        assert proof["quote"] is None and proof["quote_missing_reason"].startswith("reconstructed")

    @staticmethod
    def noting(make_kb, value: str) -> Explanation:
        """The explanation of a note that a scenario gives, whatever it says."""
        folder = make_kb('source law = "sources/law.txt".\n'
                         'input note(Text) means "a note" reads "the note says {Text}".\n'
                         'provision "19 U.S.C. 1508(a)" {\n  quote law "Every importer shall keep entry records."\n'
                         '  noted(T) :- note(T).\n}\n')
        kb = citelog.load(folder)
        kb.add_facts({"note": [(value,)]})
        return citelog.explain(kb, "noted(T)")

    def test_html_escapes_what_it_shows(self, make_kb):
        html = self.noting(make_kb, "<script>alert(1)</script> & co").to_html()
        assert "<script>alert(1)" not in html
        assert "the note says &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html

    def test_markdown_escapes_what_it_shows(self, make_kb):
        markdown = self.noting(make_kb, "E-<svg/onload=alert(3)> *bold* [link](x) `code` | ~~gone~~ &amp;").to_markdown()
        for markup, escaped in (("<svg", r"\<svg"), ("*bold*", r"\*bold\*"), ("[link]", r"\[link\]"),
                                ("`code`", r"\`code\`"), ("~~gone~~", r"\~\~gone\~\~")):
            assert escaped in markdown and markup not in markdown.replace(escaped, ""), markup
        assert r"the note says E-\<svg/onload=alert(3)\> \*bold\* \[link\](x) \`code\` \| \~\~gone\~\~ \&amp;" \
            in markdown
        assert r"`T` = E-\<svg/onload=alert(3)\>" in markdown

    def test_an_answer_keeps_its_number_when_explained_alone(self, explain_kb):
        answers = explain_kb.query(OBLIGATIONS)
        explanation = Explainer(explain_kb).explain_answers(OBLIGATIONS, [answers[2]], [3])
        assert [item.number for item in explanation.answers] == [3]
        assert "## Answer 3: cy must keep" in explanation.to_markdown()
        assert '<section class="answer" id="answer-3">' in explanation.to_html()
        assert "<h2>Answer 3: cy must keep" in explanation.to_html()
        assert explanation.to_text().splitlines()[3].startswith("3. cy must keep")
        assert validate_explanation(explanation.to_json())["answers"][0]["number"] == 3


# ---- JSON --------------------------------------------------------------------------------------------------


class TestJson:
    def test_the_schema_is_a_valid_schema_with_a_version(self):
        jsonschema.Draft202012Validator.check_schema(EXPLANATION_SCHEMA)
        assert EXPLANATION_SCHEMA["$id"] == "citelog.explanation/2"
        assert EXPLANATION_SCHEMA["properties"]["schema"] == {"const": "citelog.explanation/2"}

    def test_the_schema_rejects_what_it_must(self, explainer):
        good = json.loads(explainer.explain(ELECTRONIC).to_json())
        validate_explanation(good)
        proof = good["answers"][0]["proof"]
        broken = [
            {**good, "schema": "citelog.explanation/1"},
            {**good, "answers": [{k: v for k, v in good["answers"][0].items() if k != "number"}]},
            {**good, "memo": {"made": "today"}},
            {**good, "answers": [{**good["answers"][0], "proof": {**proof, "quote_missing_reason": None}}]},
            {**good, "answers": [{**good["answers"][0], "proof": {k: v for k, v in proof.items() if k != "rule"}}]},
            {**good, "answers": [{**good["answers"][0], "proof": {**proof, "kind": "guess"}}]},
            {**good, "answers": [{**good["answers"][0], "proof": {**proof, "bindings": {"D": 1.5}}}]},
        ]
        for document in broken:
            assert list(EXPLANATION_VALIDATOR.iter_errors(document)), document

    def test_each_answer_has_bindings_citations_and_proof(self, explainer):
        payload = validate_explanation(explainer.explain(OBLIGATIONS).to_json())
        assert payload["schema"] == "citelog.explanation/2"
        assert payload["query"] == OBLIGATIONS
        first = payload["answers"][0]
        assert first["bindings"] == {"P": "acme", "R": "import_records", "N": 5, "U": "years", "T": "entry",
                                     "B": "at_least"}
        assert first["citations"] == ["99 U.S.C. 101(a)", "99 U.S.C. 101(d)", "99 CFR 10.2(a)", "person_duties"]
        assert [p["number"] for p in payload["provisions"]] == [1, 2, 3, 4, 5]
        for answer in payload["answers"]:
            for node in proof_nodes(answer["proof"]):
                assert {"rule", "citation", "quote", "quote_missing_reason", "bindings", "premises"} <= set(node)
                if node["kind"] in ("rule", "fact", "given"):
                    assert (node["quote"] is None) != (node["quote_missing_reason"] is None), node
                if node["kind"] == "given":
                    assert node["quote_missing_reason"] == "given as a fact" and node["premises"] == []

    def test_dates_are_iso_strings(self, explainer):
        proof = validate_explanation(explainer.explain(ELECTRONIC).to_json())["answers"][0]["proof"]
        assert proof["bindings"] == {"P": "acme", "E": "e1", "D": "2021-03-01"}

    def test_every_explanation_of_the_fixture_validates(self, explain_kb, explainer):
        for predicate in sorted(p for p in explain_kb.program.defined_predicates() if INTERNAL not in p):
            query = f"{predicate}({', '.join(f'X{i}' for i in range(explain_kb.arities[predicate]))})"
            validate_explanation(explainer.explain(query).to_json())
            validate_explanation(Explainer(explain_kb, depth=1).explain(query).to_json())


# ---- the HTML in a headless browser ------------------------------------------------------------------------------

_ALL_OPEN = "() => [...document.querySelectorAll('details.step')].every(d => d.open)"
_ALL_CLOSED = "() => [...document.querySelectorAll('details.step')].every(d => !d.open)"


def test_html_in_a_headless_browser(tmp_path, explainer, fixture_memo):
    sync_playwright = browser_or_skip("the HTML browser test")
    explanation = explainer.explain(OBLIGATIONS).with_memo(fixture_memo)
    html = explanation.to_html()
    assert re.search(r"https?://", html) is None and "<link" not in html and " src=" not in html
    page_file = tmp_path / "explanation.html"
    page_file.write_text(html, encoding="utf-8")
    url = page_file.as_uri()
    steps = sum(1 for item in explanation.answers for _ in item.proof.steps())

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            console, errors, requests = [], [], []
            page.on("console", lambda message: console.append((message.type, message.text)))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(url, wait_until="load")

            assert page.title() == f"citelog explanation: {OBLIGATIONS}"
            assert page.locator("details.step").count() == steps
            assert page.evaluate(_ALL_OPEN)

            # collapse, then expand one step by clicking its summary
            page.get_by_role("button", name="Collapse all").click()
            assert page.evaluate(_ALL_CLOSED)
            top = page.locator("#answer-3 > details.step")
            assert not top.evaluate("d => d.open")
            assert not page.locator("#answer-3 > details.step > .premises > details.step").first.is_visible()
            page.locator("#answer-3 > details.step > summary > .sentence").click()
            assert top.evaluate("d => d.open")
            first_premise = page.locator("#answer-3 > details.step > .premises > details.step").first
            assert first_premise.is_visible() and not first_premise.evaluate("d => d.open")
            page.get_by_role("button", name="Expand all").click()
            assert page.evaluate(_ALL_OPEN)

            # the memo: the scenario's title and facts, when and from which KB the page was made
            memo_text = page.locator("section.memo").inner_text()
            assert "Widget importers and their agents (test fixture)" in memo_text
            assert "sam imports only samples of no commercial value" in memo_text
            assert "2027-01-01T10:00:00Z" in memo_text and "sha256:" in memo_text

            # each quote and note once, in the list of provisions; a step's technical detail on demand
            body = page.locator("body").inner_text()
            assert body.count(QUOTE_10_2_A) == 1 and body.count(INTERPRETATION_NOTE) == 1
            step = page.locator("#answer-3 details.step.regulation").first
            tech = step.locator(":scope > .detail > details.tech")
            assert not tech.evaluate("d => d.open")
            assert not tech.locator("code.statement").is_visible()
            tech.locator(":scope > summary").click()
            assert tech.locator("code.statement").inner_text() == "retention(import_records, 5, years, entry, at_least)"

            # a citation of a step links to its provision, whose text holds the quote
            link = step.locator(":scope > summary > a.badge")
            assert link.inner_text() == "[4] 99 CFR 10.2(a)"
            link.click()
            assert page.url == url + "#provision-4"
            target = page.locator(":target")
            assert target.count() == 1 and target.get_attribute("id") == "provision-4"
            assert QUOTE_10_2_A in target.inner_text() and "99 CFR 10.2(a)" in target.inner_text()
            assert step.evaluate("d => d.open")  # following the link does not fold the step
            page.locator("#answer-3 a[href='#provision-3']").first.click()
            assert QUOTE_101_B in page.locator(":target").inner_text()

            # statute and regulation are told apart by colour and by name
            def colour(selector: str, prop: str) -> str:
                return page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{prop}")

            assert colour("a.badge.statute", "backgroundColor") != colour("a.badge.regulation", "backgroundColor")
            assert colour("details.step.statute", "borderLeftColor") != colour("details.step.regulation",
                                                                                "borderLeftColor")
            assert page.locator("#provision-1").inner_text().startswith("statute")
            assert page.locator("#provision-4").inner_text().startswith("regulation")

            # printable: the controls disappear and every step opens before printing
            page.get_by_role("button", name="Collapse all").click()
            page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
            assert page.evaluate(_ALL_OPEN)
            page.emulate_media(media="print")
            assert colour(".controls", "display") == "none"
            page.emulate_media(media="screen")

            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "explanation.png"), full_page=True)
        finally:
            browser.close()

    assert errors == []
    assert [m for m in console if m[0] == "error"] == []
    assert requests == [url], f"the page fetched more than itself: {requests}"
