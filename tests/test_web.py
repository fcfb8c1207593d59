"""The web app (`citelog serve`, docs/WEB.md): every page, every error path, the limits, read-only
serving, and the analyst's path through it in a real browser.

The page tests run the Starlette app in process (TestClient) on the bundled KB and compare what
the pages show with what the library answers; a few run on a copy of the KB in a temporary git
repository, edited so that a regression case fails and the semantic diff has something to show.
The browser tests start `citelog serve --port 0` as a subprocess and drive Debian's chromium with
Playwright; their screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import html
import json
import queue
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
import warnings
from pathlib import Path

import pytest
from markupsafe import escape
from conftest import BUNDLED_KB, CHROMIUM, CHROMIUM_ARGS, CITELOG, REPO, browser_or_skip, run_cli

import citelog
from citelog.explain import Explainer
from citelog.proofs import Prover
from citelog.quotes import normalize
from citelog.retention import HEADLINE
from citelog.scenario import load_scenario
from citelog.web import create_app
from citelog.web import ask as ask_module
from citelog.web import regression as regression_module
from citelog.web.law import build as build_law
from citelog.web.library import MAX_FACTS, MAX_PARTIES

with warnings.catch_warnings():  # newer Starlettes prefer the httpx2 package; httpx works with all
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ARTIFACTS = REPO / "tests" / "artifacts"
SCENARIO = BUNDLED_KB / "scenarios" / "drawback-claim.yaml"
OBLIGATIONS = "person_must_keep(Person, Class, Records, Amount, Unit, Trigger, Bound)"


def local(app, **options) -> TestClient:
    """A test client that reaches the app as a browser on this machine does (Host: 127.0.0.1)."""
    return TestClient(app, base_url="http://127.0.0.1", **options)


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture(scope="module")
def client(app):
    with local(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def kb():
    """The bundled KB, loaded apart from the app's, to say what the pages must show."""
    return citelog.load()


def esc(text: str) -> str:
    """Text as the pages' templates escape it."""
    return str(escape(text))


def ok(response, status: int = 200) -> str:
    assert response.status_code == status, response.text[-2000:]
    assert "Traceback" not in response.text
    return response.text


def errors_of(page: str) -> list[str]:
    """The diagnostics a page shows in its error box."""
    box = re.search(r'<div class="errors" role="alert">(.*?)</div>', page, re.S)
    return [html.unescape(m) for m in re.findall(r"<li><code>(.*?)</code></li>", box.group(1), re.S)] if box else []


def rows_of(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    return re.findall(r"<tr[ >].*?</tr>", body.group(1), re.S) if body else []


def cells_of(row: str) -> list[list[str]]:
    return [html.unescape(re.sub(r"<[^>]+>", " ", cell)).split() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def kb_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---- the pages ---------------------------------------------------------------------------------------


class TestHome:
    def test_links_to_every_page(self, client, kb):
        page = ok(client.get("/"))
        for href in ("/law", "/ask", "/tests"):
            assert f'href="{href}"' in page
        assert f"{len(kb.program.provisions)} provisions" in page


@pytest.fixture(scope="module")
def law(kb):
    return build_law(kb)


@pytest.fixture(scope="module")
def law_page(client) -> str:
    return ok(client.get("/law"))


@pytest.fixture(scope="module")
def spans(law_page) -> dict[str, str]:
    """Each highlighted passage of the Law page: its id and its text as the page shows it."""
    pattern = r'<a class="q" id="([^"]+)" href="#[^"]+" data-panel="[^"]+">(.*?)</a>'
    return {m.group(1): html.unescape(m.group(2)) for m in re.finditer(pattern, law_page, re.S)}


class TestLaw:
    def test_every_source_shown_as_it_reads(self, law_page, kb):
        text_blocks = re.findall(r'<div class="text">(.*?)</div>', law_page, re.S)
        shown = [html.unescape(re.sub(r"<[^>]+>", "", block)) for block in text_blocks]
        assert shown == [kb.sources[decl.name].original for decl in kb.program.sources]

    def test_each_quote_is_highlighted_at_its_citation_anchor(self, spans, kb, law):
        checked = 0
        for provision in kb.program.provisions:
            if provision.reconstructed is not None or len(provision.quotes) != 1:
                continue
            quote = provision.quotes[0]
            if len(kb.sources[quote.source].normalized.find(quote.text)) != 1:
                continue
            anchor = law.link(provision.citation).split("#")[1]
            entry = next(e for e in law.entries if e.key == provision.citation)
            assert entry.spans[0] == anchor and anchor in spans
            assert normalize("".join(spans[s] for s in entry.spans)) == normalize(quote.text), provision.citation
            checked += 1
        assert checked > 50

    def test_a_span_opens_the_provisions_and_rules_that_transcribe_it(self, law_page, kb, law):
        provision = kb.program.provision("19 CFR 163.12(b)(1)")
        entry = next(e for e in law.entries if e.key == provision.citation)
        panel = re.search(rf'id="{entry.spans[0]}" href="#([^"]+)"', law_page)
        assert panel, "the quote of 163.12(b)(1) is not a passage"
        section = re.search(rf'<section class="cover" id="{panel.group(1)}">(.*?)</section>', law_page, re.S).group(1)
        assert f'href="#{entry.anchor}">{provision.citation}</a>' in section
        shown = html.unescape(section)
        assert "[eligible_applicant] is_a(P, eligible_program_applicant) :- described_in_163_2_a(P)" in shown
        assert "power(eligible_program_applicant, apply_to_participate, recordkeeping_compliance_program)." in shown

    def test_statute_and_regulation_are_told_apart(self, law_page):
        assert '<section class="source statute" id="source-usc1508">' in law_page
        assert '<section class="source regulation" id="source-cfr163">' in law_page
        assert '<section class="entry statute" id="p-19-u-s-c-1508-c-3">' in law_page
        assert '<section class="entry regulation" id="p-19-cfr-163-12-b-1">' in law_page

    def test_reconstructed_provisions_are_marked_with_their_note(self, law_page, kb, law):
        reconstructed = [p for p in kb.program.provisions if p.reconstructed is not None]
        assert reconstructed
        for provision in reconstructed:
            entry = next(e for e in law.entries if e.key == provision.citation)
            assert re.search(rf'id="{entry.anchor}">\s*<h3><span class="badge statute">statute</span> '
                             rf'{re.escape(provision.citation)}\s*<span class="badge reconstructed">', law_page)
            note = esc(" ".join(provision.reconstructed.split()))
            assert f"Not in the bundled text: {note}" in law_page
        assert law_page.count('<span class="badge reconstructed">') == len(reconstructed)

    def test_every_entry_lists_its_rules_and_written_text(self, law_page, kb):
        provision = kb.program.provision("19 U.S.C. 1508(c)(3)")
        section = re.search(r'<section class="entry statute" id="p-19-u-s-c-1508-c-3">(.*?)</section>', law_page, re.S)
        text = html.unescape(section.group(1))
        assert "keep drawback_claim_records until the 3rd anniversary of liquidation_of_claim." in text
        assert "retention(drawback_claim_records, 3, anniversary, liquidation_of_claim, until)" in text
        assert provision.position.line and f"usc-1508.clog:{provision.position.line}" in text


class TestAsk:
    def test_form_offers_headline_catalogue_scenarios_and_upload(self, client, kb):
        page = ok(client.get("/ask"))
        assert 'name="headline" value="1"' in page
        for named in kb.program.queries:
            assert f'name="name" value="{named.name}"' in page
        for scenario in sorted((BUNDLED_KB / "scenarios").glob("*.yaml")):
            assert f'<option value="{scenario.name}">' in page
        assert 'type="file" name="upload"' in page and 'enctype="multipart/form-data"' in page

    def test_headline_answers_as_a_sortable_table_with_citations(self, client, kb):
        page = ok(client.get("/ask", params={"headline": "1"}))
        answers = kb.query(HEADLINE)
        prover = Prover(kb)
        assert f"{len(answers)} answer(s)" in page
        assert '<table class="answers sortable">' in page
        rows = rows_of(page)
        assert len(rows) == len(answers)
        for row, answer in zip(rows, answers):
            cells = cells_of(row)
            assert [" ".join(c) for c in cells[1:7]] == [str(v) for v in answer.values]
            citations = prover.prove(answer.predicate, answer.values).citations()
            assert all(citation in " ".join(cells[7]) for citation in citations)
            assert 'data-sort="' in row and 'name="answer"' in row

    def test_sort_keys_order_values_by_value(self, client):
        page = ok(client.get("/ask", params={"name": "penalty_caps"}))
        caps = [(int(m.group(1)), m.group(2)) for m in re.finditer(r'<td data-sort="(\d+)">(\$[\d,]+)</td>', page)]
        assert caps
        by_rank = [amount for _, amount in sorted(caps)]
        assert by_rank == sorted(by_rank, key=lambda a: int(a.strip("$").replace(",", "")))

    def test_every_catalogue_query_in_one_click(self, client, kb):
        for named in kb.program.queries:
            page = ok(client.get("/ask", params={"name": named.name}))
            assert f"{len(kb.query(named.atom))} answer(s)" in page, named.name
            assert esc(named.meaning) in page

    def test_custom_query(self, client, kb):
        page = ok(client.get("/ask", params={"query": "duty(Class, keep, Records)"}))
        assert f"{len(kb.query('duty(Class, keep, Records)'))} answer(s)" in page
        assert 'value="duty(Class, keep, Records)"' in page  # the box keeps what was typed

    @pytest.mark.parametrize("query, code, where", [
        ("duty(Class, keep", "syntax-error", "<query>:1:"),
        ("nonsense(X)", "unknown-predicate", "<query>:1:1"),
        ("duty(X)", "arity-mismatch", "<query>:1:1"),
    ])
    def test_query_errors_show_their_position(self, client, query, code, where):
        page = ok(client.get("/ask", params={"query": query}), 400)
        (error,) = errors_of(page)
        assert error.startswith(where) and f"error[{code}]" in error
        assert 'id="query"' in page  # the form is still there to fix the query

    def test_unknown_catalogue_name(self, client, kb):
        page = ok(client.get("/ask", params={"name": "who_pays"}), 400)
        (error,) = errors_of(page)
        assert "error[unknown-query]" in error and "no query named 'who_pays'" in error
        assert all(q.name in error for q in kb.program.queries)

    def test_what_a_user_types_is_escaped(self, client):
        page = ok(client.get("/ask", params={"query": "<script>alert(1)</script>"}), 400)
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_no_answers_offers_why_not(self, client):
        page = ok(client.get("/ask", params={"query": "is_a(nobody, importer)"}))
        assert "0 answer(s)" in page
        assert 'formaction="/why-not" name="atom" value="is_a(nobody, importer)"' in page


class TestScenarios:
    def expected(self, kb, path: Path, atom: str):
        scenario = load_scenario(path, kb.program)
        with kb.scenario(scenario.facts):
            return scenario, kb.query(atom)

    def test_bundled_scenario_by_name(self, client, kb):
        scenario, answers = self.expected(kb, SCENARIO, OBLIGATIONS)
        page = ok(client.get("/ask", params={"name": "obligations_of_persons", "scenario": SCENARIO.name}))
        assert f"{len(answers)} answer(s)" in page and answers
        assert esc(scenario.title) in page
        assert len(rows_of(page)) == len(answers)
        # the follow-up forms carry the scenario by name, in a plain link
        assert '<form id="follow" method="get" action="/explain">' in page
        assert f'<input type="hidden" name="scenario" value="{SCENARIO.name}">' in page

    def test_uploaded_scenario_is_carried_to_the_explanation(self, client, kb):
        scenario, answers = self.expected(kb, SCENARIO, OBLIGATIONS)
        text = SCENARIO.read_text(encoding="utf-8")
        page = ok(client.post("/ask", data={"name": "obligations_of_persons"},
                              files={"upload": ("my case.yaml", text.encode(), "application/yaml")}))
        assert f"{len(answers)} answer(s)" in page and "upload:my case.yaml" in page
        assert '<form id="follow" method="post" action="/explain">' in page
        carried = dict(re.findall(r'<input type="hidden" name="(scenario\w*)" value="([^"]*)">',
                                  page.split('<form id="follow"')[1].split("</form>")[0]))
        assert html.unescape(carried["scenario_text"]) == text and carried["scenario"] == "@upload"
        explained = ok(client.post("/explain", data={**{k: html.unescape(v) for k, v in carried.items()},
                                                     "query": OBLIGATIONS, "answer": "1"}))
        assert esc(scenario.title) in explained
        with kb.scenario(scenario.facts):
            expected = Explainer(kb).explain_answers(OBLIGATIONS, [kb.query(OBLIGATIONS)[0]])
        assert esc(expected.answers[0].proof.sentence) in explained

    @pytest.mark.parametrize("content, code, where", [
        (b"facts: [unclosed\n", "bad-scenario", "upload:bad.yaml:2:"),
        (b"facts:\n  no_such_input: [[a]]\n", "unknown-input", "upload:bad.yaml:2:3"),
        (b"facts:\n  entry_date:\n    - {Subject: E-1, Date: 2023-02-30}\n", "bad-value", "upload:bad.yaml:3:"),
        (b"\xff\xfe not text", "bad-scenario", "upload:bad.yaml"),
        (b"  \n", "bad-scenario", "upload:bad.yaml"),
    ])
    def test_bad_upload_shows_the_loader_error(self, client, content, code, where):
        page = ok(client.post("/ask", data={"headline": "1"}, files={"upload": ("bad.yaml", content)}), 400)
        errors = errors_of(page)
        assert errors and errors[0].startswith(where) and f"error[{code}]" in errors[0], errors

    @pytest.mark.parametrize("name", ["nope.yaml", "../../../../etc/passwd", "/etc/passwd", "scenarios/drawback-claim.yaml"])
    def test_only_bundled_scenarios_by_name(self, client, name):
        page = ok(client.get("/ask", params={"headline": "1", "scenario": name}), 400)
        (error,) = errors_of(page)
        assert "error[unknown-scenario]" in error and "root:" not in page
        assert SCENARIO.name in error  # it lists the ones there are


class TestLimits:
    def test_upload_over_the_size_limit(self, client):
        page = ok(client.post("/ask", data={"headline": "1"}, files={"upload": ("big.yaml", b"#" * 1_000_001)}), 413)
        assert "larger than 1 MB" in page

    def test_streamed_body_over_the_size_limit(self, client):
        def chunks():
            for _ in range(40):
                yield b"x" * 65_536

        response = client.post("/ask", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"})
        assert ok(response, 413) and "larger than 1 MB" in response.text

    def test_a_request_past_the_time_limit_gets_an_error_page(self, monkeypatch):
        release = threading.Event()
        monkeypatch.setattr(regression_module, "report", lambda library: release.wait(30))
        try:
            with local(create_app(time_limit=0.2)) as slow:
                page = ok(slow.get("/tests"), 503)
        finally:
            release.set()
        assert "time limit of 0.2 s" in page

    def test_every_evaluation_of_the_served_kb_stops_at_the_time_limit(self, monkeypatch):
        monkeypatch.setenv("CITELOG_FIRING_LIMIT", "5000")
        limits = create_app(time_limit=2.5).state.library.kb.limits
        assert (limits.seconds, limits.firings) == (2.5, 5000)
        monkeypatch.setenv("CITELOG_TIME_LIMIT", "1")
        assert create_app(time_limit=2.5).state.library.kb.limits.seconds == 1

    def test_a_busy_kb_gets_an_error_page(self):
        app = create_app(time_limit=0.3)
        with app.state.library.given(None), local(app) as busy:  # another request holds the KB
            page = ok(busy.get("/ask", params={"headline": "1"}), 503)
        assert "busy" in page or "time limit" in page

    def test_internal_errors_are_a_page_not_a_traceback(self, app, monkeypatch):
        def broken(*args):
            raise RuntimeError("boom")

        monkeypatch.setattr(ask_module, "answers", broken)
        with local(app, raise_server_exceptions=False) as fragile:
            page = ok(fragile.get("/ask", params={"headline": "1"}), 500)
        assert "internal error in citelog: RuntimeError" in page and "boom" not in page


@pytest.fixture(scope="module")
def answer(kb):
    """The headline answer of the drawback claimant, and its number (from 1) in the table."""
    answers = kb.query(HEADLINE)
    return next((i, a) for i, a in enumerate(answers, 1) if a["Who"] == "drawback_claimant" and a["Unit"] == "anniversary")


class TestExplain:
    def test_proof_tree_is_collapsible_and_cites_the_law(self, client, kb, law, answer):
        number, found = answer
        page = ok(client.get("/explain", params={"headline": "1", "answer": str(number)}))
        expected = Explainer(kb).explain_answers(HEADLINE, [found]).answers[0]
        steps = list(expected.proof.steps())
        assert page.count('<details class="step') == len(steps)
        assert page.count('<details class="step') - page.count("open>") >= len(steps) - 1  # only the root is open
        for citation in expected.citations:
            assert f'href="{law.link(citation)}">{citation}</a>' in page
        assert "19 U.S.C. 1508(c)(3)" in expected.citations
        assert esc(expected.proof.sentence) in page

    def test_every_answer_without_a_number(self, client, kb):
        page = ok(client.get("/explain", params={"name": "duties"}))
        assert page.count('<section class="answer"') == len(kb.query("duty(Class, Action, Object)"))

    @pytest.mark.parametrize("fmt, media, render", [
        ("md", "text/markdown", "to_markdown"), ("html", "text/html", "to_html"), ("json", "application/json", "to_json"),
    ])
    def test_downloads(self, client, kb, answer, fmt, media, render):
        number, found = answer
        response = client.get("/explain", params={"headline": "1", "answer": str(number), "format": fmt})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
        assert response.headers["content-disposition"] == f'attachment; filename="citelog-explanation-answer-{number}.{fmt}"'
        expected = getattr(Explainer(kb).explain_answers(HEADLINE, [found]), render)()
        assert response.text == expected

    @pytest.mark.parametrize("params, code", [
        ({"headline": "1", "answer": "999"}, "no-answer"),
        ({"headline": "1", "answer": "two"}, "no-answer"),
        ({"headline": "1", "format": "pdf"}, "bad-format"),
        ({"name": "nope"}, "unknown-query"),
        ({"query": "duty("}, "syntax-error"),
        ({}, "bad-query"),
    ])
    def test_errors(self, client, params, code):
        page = ok(client.get("/explain", params=params), 400)
        assert any(f"error[{code}]" in e for e in errors_of(page)), errors_of(page)


class TestWhyNot:
    def test_a_missing_answer_is_explained(self, client, kb):
        atom = "is_a(acme, drawback_claimant)"
        page = ok(client.get("/why-not", params={"atom": atom}))
        result = Explainer(kb).why_not(atom)
        assert not result.holds and result.attempts
        assert f"Why not <code>{atom}</code>?" in page
        assert esc(result.sentence) in page
        count = 0
        stack = list(result.attempts)
        while stack:
            attempt = stack.pop()
            count += 1
            stack += attempt.deeper
        assert page.count('<li class="attempt') == count

    def test_under_a_scenario_it_holds(self, client):
        page = ok(client.get("/why-not", params={"atom": "is_a(acme, drawback_claimant)", "scenario": SCENARIO.name}))
        assert "holds" in page and '<details class="step' in page

    def test_download(self, client, kb):
        atom = "is_a(acme, drawback_claimant)"
        response = client.get("/why-not", params={"atom": atom, "format": "json"})
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
        assert response.json() == json.loads(Explainer(kb).why_not(atom).to_json())

    def test_bad_atom(self, client):
        page = ok(client.get("/why-not", params={"atom": "is_a(acme"}), 400)
        assert "error[syntax-error]" in errors_of(page)[0] and 'id="atom"' in page


class TestRegression:
    def test_cases_and_results(self, client, kb):
        from citelog.cases import case_files, load_case_file
        from citelog.runner import run_case

        cases = [c for path in case_files([BUNDLED_KB / "tests"]) for c in load_case_file(path, kb)]
        passed = sum(1 for case in cases if run_case(kb, case).passed)
        page = ok(client.get("/tests"))
        assert f"{passed} passed, {len(cases) - passed} failed</strong>, of {len(cases)} case(s)" in page
        rows = rows_of(page)
        assert len(rows) == len(cases)
        assert all(esc(case.name) in row for case, row in zip(cases, rows))
        assert 'action="/tests/diff"' in page


@pytest.fixture(scope="module")
def edited_kb(tmp_path_factory) -> Path:
    """A copy of the KB in a git repository of its own, then edited: (c)(3)'s 3rd anniversary
    becomes the 4th, so answers move and the regression cases that pin them fail."""
    root = tmp_path_factory.mktemp("repo")
    kb = root / "kb"
    shutil.copytree(BUNDLED_KB, kb)
    git = ["git", "-c", "user.name=citelog", "-c", "user.email=citelog@example.org", "-c", "commit.gpgsign=false"]
    for command in (["init", "-q"], ["add", "kb"], ["commit", "-q", "-m", "the KB"]):
        subprocess.run(git + command, cwd=root, check=True, capture_output=True)
    rules = kb / "usc-1508.clog"
    text = rules.read_text(encoding="utf-8")
    old = "keep drawback_claim_records until the 3rd anniversary of liquidation_of_claim."
    assert text.count(old) == 1
    rules.write_text(text.replace(old, old.replace("3rd", "4th")), encoding="utf-8")
    return kb


@pytest.fixture(scope="module")
def edited(edited_kb):
    before = kb_files(edited_kb)
    with local(create_app(edited_kb)) as test_client:
        yield test_client
    assert kb_files(edited_kb) == before  # the edited KB is served, never written


class TestEditedKb:
    def test_failing_cases_show_why(self, edited):
        page = ok(edited.get("/tests"))
        failed = re.search(r"(\d+) passed, (\d+) failed", page)
        assert int(failed.group(2)) > 0
        assert '<tr class="fail">' in page and "why it failed" in page
        assert "Amount=3" in html.unescape(page) and "Amount=4" in html.unescape(page)

    def test_semantic_diff_against_head(self, edited):
        page = html.unescape(ok(edited.get("/tests/diff", params={"base": "HEAD"})))
        assert re.search(r"<h3>edited: <span class=\"badge statute\">statute</span> 19 U\.S\.C\. 1508\(c\)\(3\)", page)
        assert re.search(r"provisions: 0 added, 0 removed, 1 edited; answers: [1-9]\d* added, [1-9]\d* removed", page)
        line = "   keep drawback_claim_records until the {} anniversary of liquidation_of_claim."
        assert f'<span class="removed">-{line.format("3rd")}</span>' in page
        assert f'<span class="added">+{line.format("4th")}</span>' in page
        moved = page.split("<h2>Answers changed by 19 U.S.C. 1508(c)(3)</h2>")[1]
        for kind, amount in (("removed", 3), ("added", 4)):
            assert re.search(rf'<tr class="{kind}">\s*<td>{kind}</td>\s*<td><code>must_keep\(Who, What, Amount, Unit, '
                             rf'Trigger, Bound\)</code></td>\s*<td><code>Who</code> = drawback_claimant, .*?'
                             rf'<code>Amount</code> = {amount}, <code>Unit</code> = anniversary', moved), kind
        markdown = edited.get("/tests/diff", params={"base": "HEAD", "format": "md"})
        assert markdown.status_code == 200 and markdown.text.startswith("# citelog diff")
        assert "19 U.S.C. 1508(c)(3)" in markdown.text
        payload = edited.get("/tests/diff", params={"base": "HEAD", "format": "json"}).json()
        assert payload["changed"] and payload["summary"]["provisions_edited"] >= 1

    @pytest.mark.parametrize("base", ["no-such-revision", "--output=/tmp/x"])
    def test_diff_bad_revision(self, edited, base):
        page = ok(edited.get("/tests/diff", params={"base": base}), 400)
        assert any("error[bad-revision]" in e for e in errors_of(page)), errors_of(page)
        assert f'value="{esc(base)}"' in page  # the form keeps it, to correct


class TestWhoIsAnswered:
    """Issue 15: DNS rebinding and cross-site posts are refused; error pages show no server path."""

    @pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "", "[::2]",
                                      "localhost:8001"])
    def test_a_request_for_another_host_is_refused(self, host):
        with TestClient(create_app(port=8000), base_url="http://127.0.0.1:8000") as client:
            response = client.get("/ask", params={"headline": "1"}, headers={"host": host})
        assert response.status_code == 403 and "addressed to it by its own address" in response.text
        assert "<table" not in response.text

    @pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST:8000"])
    def test_the_names_of_this_machine_are_answered(self, host):
        with TestClient(create_app(port=8000), base_url="http://127.0.0.1:8000") as client:
            assert client.get("/", headers={"host": host}).status_code == 200

    def test_the_address_chosen_with_host_is_answered(self):
        with TestClient(create_app(host="192.0.2.7", port=80), base_url="http://192.0.2.7") as client:
            assert client.get("/").status_code == 200
            assert client.get("/", headers={"host": "192.0.2.8"}).status_code == 403

    @pytest.mark.parametrize("headers", [{"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"},
                                         {"sec-fetch-site": "same-site", "origin": "http://127.0.0.1"},
                                         {"origin": "null"}])
    def test_a_post_from_another_site_is_refused(self, client, headers):
        response = client.post("/ask", data={"headline": "1"}, headers=headers)
        assert response.status_code == 403
        assert "a form of another site cannot be posted here" in response.text and "<table" not in response.text

    @pytest.mark.parametrize("headers", [{}, {"origin": "http://127.0.0.1"}, {"sec-fetch-site": "same-origin"},
                                         {"sec-fetch-site": "same-origin", "origin": "null"}])
    def test_a_post_from_its_own_pages_is_answered(self, client, headers):
        ok(client.post("/ask", data={"headline": "1"}, headers=headers))

    def test_error_pages_show_no_path_of_the_server(self, tmp_path):
        kb = tmp_path / "kb"
        shutil.copytree(BUNDLED_KB, kb)
        with local(create_app(kb)) as session:  # not in a git repository
            page = ok(session.get("/tests/diff", params={"base": "HEAD"}), 400)
        (error,) = errors_of(page)
        assert error.startswith("the KB folder: error[not-git]: the KB folder is not in a git repository")
        assert str(tmp_path) not in page

    def test_errors_of_the_kb_at_a_revision_name_it_from_the_repository(self, tmp_path):
        kb = tmp_path / "kb"
        shutil.copytree(BUNDLED_KB, kb)
        rules = kb / "cfr-163.clog"
        good = rules.read_text(encoding="utf-8")
        rules.write_text(good + "\nbroken(\n", encoding="utf-8")
        git = ["git", "-c", "user.name=citelog", "-c", "user.email=citelog@example.org", "-c", "commit.gpgsign=false"]
        for command in (["init", "-q"], ["add", "kb"], ["commit", "-q", "-m", "broken"]):
            subprocess.run(git + command, cwd=tmp_path, check=True, capture_output=True)
        rules.write_text(good, encoding="utf-8")
        with local(create_app(kb)) as session:
            page = ok(session.get("/tests/diff", params={"base": "HEAD"}), 400)
        (error,) = errors_of(page)
        assert error.startswith(f"kb/cfr-163.clog:{good.count(chr(10)) + 2}:7: error[syntax-error]: unexpected end")
        assert "citelog-base-" not in page and str(tmp_path) not in page


class TestRequestLimits:
    """Issue 15: a scenario too large is refused before it is evaluated; every evaluation a request
    starts stops when the request gives up."""

    def test_a_scenario_too_large_is_refused_before_its_evaluation(self, client, monkeypatch):
        monkeypatch.setattr(ask_module.Prover, "cited", lambda *args: pytest.fail("evaluated"))
        rows = "".join(f"    - [p{i}, e{i}]\n" for i in range(MAX_FACTS + 1))
        page = ok(client.post("/ask", data={"headline": "1"},
                              files={"upload": ("big.yaml", f"facts:\n  imports:\n{rows}".encode())}), 400)
        (error,) = errors_of(page)
        assert error == (f"upload:big.yaml: error[limit-exceeded]: the scenario gives {MAX_FACTS + 1:,} facts and "
                         f"declares 0 parties; the web app evaluates scenarios of at most {MAX_FACTS:,} facts and "
                         f"{MAX_PARTIES:,} parties: run `citelog retention --scenario FILE` for a larger one")

    def test_too_many_parties(self, client):
        parties = "".join(f"  p{i}: P{i}\n" for i in range(MAX_PARTIES + 1))
        page = ok(client.post("/ask", data={"headline": "1"}, files={
            "upload": ("many.yaml", f"parties:\n{parties}facts:\n  imports: [[p1, e1]]\n".encode())}), 400)
        assert f"declares {MAX_PARTIES + 1:,} parties" in errors_of(page)[0]

    def test_every_evaluation_runs_under_the_time_the_request_has_left(self, monkeypatch):
        seen = []

        def slow_answers(library, fields, choice):
            time.sleep(0.6)  # the request has used part of its time before its evaluation starts
            with library.given(None) as kb:
                seen.append(kb.limits.seconds)
            raise citelog.QueryError("done", code="no-answer")

        monkeypatch.setattr(ask_module, "answers", slow_answers)
        app = create_app(time_limit=3)
        with local(app) as client:
            ok(client.get("/ask", params={"headline": "1"}), 400)
        assert 2.0 < seen[0] <= 2.4
        assert app.state.library.kb.limits.seconds == 3  # the KB's own limits are back


class TestServing:
    def test_same_request_same_bytes(self, client):
        other = local(create_app())
        for url in ("/", "/law", "/ask?headline=1", "/explain?headline=1&answer=2", "/why-not?atom=is_a(acme,importer)",
                    "/tests", "/nope"):
            first = client.get(url)
            assert first.content == client.get(url).content == other.get(url).content, url

    @pytest.mark.parametrize("url", [
        "/nope", "/law/19-usc-1508.txt", "/kb/sources/19-usc-1508.txt", "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/%2e%2e/app.py", "/static/../web/app.py", "/law/../../etc/passwd", "/static/", "/static",
    ])
    def test_nothing_outside_is_served(self, client, url):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "root:" not in response.text and "create_app" not in response.text
        assert "there is no such page" in response.text

    def test_wrong_method(self, client):
        assert "cannot be reached that way" in ok(client.post("/law"), 405)

    def test_own_assets_are_served(self, client):
        assert "sortTable" in client.get("/static/site.js").text
        assert "--statute" in client.get("/static/site.css").text

    def test_pages_allow_only_their_own_scripts(self, client):
        response = client.get("/law")
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert response.headers["x-content-type-options"] == "nosniff"

    def test_a_session_never_writes_into_the_kb(self, tmp_path):
        kb = tmp_path / "kb"
        shutil.copytree(BUNDLED_KB, kb)
        before = kb_files(kb)
        with local(create_app(kb)) as session:
            session.get("/law")
            session.get("/ask", params={"headline": "1", "scenario": SCENARIO.name})
            session.post("/ask", data={"name": "obligations_of_persons"},
                         files={"upload": ("case.yaml", SCENARIO.read_bytes())})
            session.get("/explain", params={"headline": "1", "format": "html"})
            session.get("/why-not", params={"atom": "is_a(acme, importer)"})
            session.get("/tests")
            session.get("/tests/diff", params={"base": "HEAD"})  # not a git repository: an error page
        assert kb_files(kb) == before


# ---- the command --------------------------------------------------------------------------------------


def test_serve_help():
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    out = result.stdout.decode()
    for option in ("--kb", "--host", "--port", "--time-limit"):
        assert option in out
    assert "127.0.0.1" in out


class Server:
    """`citelog serve` in a subprocess on a free port; its printed address."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen([CITELOG, "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, cwd=REPO)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline()), daemon=True).start()
        try:
            self.line = lines.get(timeout=60)
        except queue.Empty:
            self.stop()
            pytest.fail("citelog serve printed no address within 60 s")
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", self.line)
        if not found:
            self.stop()
            pytest.fail(f"citelog serve printed {self.line!r}; stderr: {self.process.stderr.read()}")
        self.url, self.port = found.group(0), int(found.group(1))

    def stop(self) -> int:
        """Stop it as a user does, with Ctrl-C (SIGINT); its exit status."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def test_serve_starts_prints_its_address_and_stops():
    server = Server()
    try:
        assert server.line.startswith("citelog: serving the bundled KB at http://127.0.0.1:")
        with urllib.request.urlopen(server.url, timeout=30) as response:
            assert response.status == 200 and b"<h1>citelog</h1>" in response.read()
        # a raw request, not normalised by any client, cannot climb out of the static folder
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw:
            raw.sendall(b"GET /static/../../../../../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                        b"Connection: close\r\n\r\n" % server.port)
            reply = b""
            while chunk := raw.recv(65536):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 404") and b"root:" not in reply
    finally:
        status = server.stop()
    assert status == 130  # stopped by Ctrl-C, as a shell reports it
    assert server.process.stderr.read() == ""


def test_serve_refuses_a_bad_kb_and_a_busy_port(tmp_path):
    result = run_cli("serve", "--kb", str(tmp_path / "missing"), "--port", "0")
    assert result.returncode == 1 and b"error[missing-file]" in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        result = run_cli("serve", "--port", str(taken.getsockname()[1]))
    assert result.returncode == 1 and b"cannot listen on 127.0.0.1:" in result.stderr
    assert b"Traceback" not in result.stderr


# ---- in a real browser --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server():
    running = Server()
    yield running
    running.stop()


@pytest.fixture
def browser_page():
    sync_playwright = browser_or_skip("the browser tests of the web app")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page = context.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            yield page
            assert problems == []
        finally:
            browser.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=False)


def test_browser_law_page(server, browser_page, kb):
    page = browser_page
    page.goto(server.url + "law")
    assert page.title() == "Law · citelog"
    assert page.locator("a.q").count() > 100
    assert not page.locator("aside.panel .cover").first.is_visible()
    provision = kb.program.provision("19 U.S.C. 1508(c)(3)")
    passage = page.locator("a.q", has_text="records for any drawback claim shall be kept").first
    passage.click()
    panel = page.locator("aside.panel .cover.shown")
    assert panel.count() == 1 and panel.is_visible()
    assert provision.citation in panel.inner_text()
    assert "retention(drawback_claim_records, 3, anniversary, liquidation_of_claim, until)" in panel.inner_text()
    assert page.url.endswith("#" + passage.get_attribute("id"))
    shot(page, "law")


def test_browser_headline_explanation_and_citation(server, browser_page, kb):
    page = browser_page
    page.goto(server.url + "ask")
    page.get_by_role("button", name="Who must keep what, for how long?").click()
    answers = kb.query(HEADLINE)
    rows = page.locator("table.answers tbody tr")
    assert rows.count() == len(answers)
    assert page.locator("strong.count").inner_text() == f"{len(answers)} answer(s)"

    # sort by Amount, both ways
    amounts = lambda: [int(t) for t in page.locator("table.answers tbody tr td:nth-child(4)").all_inner_texts()]  # noqa: E731
    page.get_by_role("button", name="Amount").click()
    assert amounts() == sorted(a["Amount"] for a in answers)
    page.get_by_role("button", name="Amount").click()
    assert amounts() == sorted((a["Amount"] for a in answers), reverse=True)
    shot(page, "answers")

    # explain the drawback claimant's answer
    claimant = page.locator("td", has_text=re.compile(r"^drawback_claimant$"))  # not its agent's row
    row = page.locator("table.answers tbody tr").filter(has=claimant).filter(has_text="anniversary")
    row.get_by_role("button", name="Explain").click()
    page.wait_for_url("**/explain?**")
    root = page.locator("section.answer > details.step").first
    assert root.evaluate("d => d.open")
    premise = root.locator(":scope > .premises > details.step").first
    assert not premise.evaluate("d => d.open")
    premise.locator(":scope > summary").click()
    assert premise.evaluate("d => d.open")
    page.get_by_role("button", name="Collapse all").click()
    assert page.evaluate("() => [...document.querySelectorAll('details.step')].every(d => !d.open)")
    page.get_by_role("button", name="Expand all").click()
    assert page.evaluate("() => [...document.querySelectorAll('details.step')].every(d => d.open)")
    shot(page, "explanation")

    # follow the citation of (c)(3) to its text on the Law page
    quote = kb.program.provision("19 U.S.C. 1508(c)(3)").quotes[0].text
    page.locator("details.step a.badge", has_text="19 U.S.C. 1508(c)(3)").first.click()
    page.wait_for_url("**/law#q-*")
    target = page.locator("a.q.selected")
    assert target.count() == 1
    assert normalize(quote).startswith(normalize(target.inner_text()))
    assert page.evaluate("() => document.querySelector(':target').classList.contains('selected')")
    assert "19 U.S.C. 1508(c)(3)" in page.locator("aside.panel .cover.shown").inner_text()
    shot(page, "citation")


def test_browser_upload_scenario_and_download(server, browser_page, kb, tmp_path):
    page = browser_page
    page.goto(server.url + "ask")
    page.locator("input[type=file][name=upload]").set_input_files(str(SCENARIO))
    page.get_by_role("button", name="obligations of persons").click()
    scenario = load_scenario(SCENARIO, kb.program)
    with kb.scenario(scenario.facts):
        answers = kb.query(OBLIGATIONS)
        number = next(i for i, a in enumerate(answers, 1) if a["Unit"] == "anniversary")
        expected = Explainer(kb).explain_answers(OBLIGATIONS, [answers[number - 1]]).to_markdown()
    assert page.locator("strong.scenario-title").inner_text() == scenario.title
    assert page.locator("table.answers tbody tr").count() == len(answers)
    assert page.locator("select[name=scenario]").input_value() == "@upload"
    shot(page, "scenario")

    page.locator("table.answers tbody tr").nth(number - 1).get_by_role("button", name="Explain").click()
    page.wait_for_load_state()
    assert page.locator("strong.scenario-title").inner_text() == scenario.title
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Markdown").click()
    download = waiting.value
    assert download.suggested_filename == f"citelog-explanation-answer-{number}.md"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_text(encoding="utf-8") == expected
    assert "19 U.S.C. 1508(c)(3)" in expected
    shot(page, "explanation-download")
