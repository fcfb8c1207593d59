"""The web app (`citelog serve`, docs/WEB.md): every page, every error path, the limits, read-only
serving, addresses that hold (every question a GET; an upload posted once, then redirected).

The page tests run the Starlette app in process (TestClient) on the bundled KB and compare what
the pages show with what the library answers (citelog.report, citelog.hints, the explanations);
a few run on a copy of the KB in a temporary git repository, edited so that a regression case
fails and the semantic diff has something to show, and on a copy outside git, where the diff is
not offered. The analyst's path in a real browser is in tests/test_web_browser.py.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape
from conftest import BUNDLED_KB, run_cli
from web_server import Server

import citelog
from citelog.evaluator import Engine
from citelog.explanations import Explainer
from citelog.memo import memo
from citelog.obligations import obligations
from citelog.quotes import normalize
from citelog.report import answers_report, headline, obligations_report
from citelog.retention import HEADLINE, retention_rows
from citelog.scenario import load_scenario
from citelog.web import create_app
from citelog.web import ask as ask_module
from citelog.web.ask import PAGE
from citelog.web import regression as regression_module
from citelog.law_view import build as build_law
from citelog.web.library import MAX_FACTS, MAX_PARTIES
from citelog.web.uploads import Uploads

with warnings.catch_warnings():  # newer Starlettes prefer the httpx2 package; httpx works with all
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SCENARIO = BUNDLED_KB / "scenarios" / "drawback-claim.yaml"
OBLIGATIONS = "person_must_keep(Person, Class, Records, Amount, Unit, Trigger, Bound)"
MADE = "1798797600"  # SOURCE_DATE_EPOCH of the downloads compared byte for byte: 2027-01-01T10:00:00Z


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


@pytest.fixture(scope="module")
def scenario(kb):
    return load_scenario(SCENARIO, kb.program)


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


def hints_of(page: str) -> list[str]:
    box = re.search(r'<div class="hints" role="note">(.*?)</div>', page, re.S)
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", box.group(1), re.S)] if box else []


def rows_of(page: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    return re.findall(r"<tr[ >].*?</tr>", body.group(1), re.S) if body else []


def cells_of(row: str) -> list[str]:
    """The cells of a row as a reader sees them (tags removed, white space folded)."""
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def links_of(page: str, label: str) -> list[str]:
    """The addresses of the links with this accessible label (aria-label), in order."""
    return [html.unescape(m) for m in re.findall(rf'<a [^>]*href="([^"]+)"[^>]*aria-label="{re.escape(label)}', page)]


def kb_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def upload(client, path: str = "/ask", content: bytes | None = None, filename: str = "my case.yaml", **fields):
    """Post a scenario file as the form does; the response (a 303 to the answers' address)."""
    data = SCENARIO.read_bytes() if content is None else content
    return client.post(path, data=fields, files={"upload": (filename, data, "application/yaml")},
                       follow_redirects=False)


# ---- the pages ---------------------------------------------------------------------------------------


class TestHome:
    def test_links_to_every_page(self, client, kb):
        page = ok(client.get("/"))
        for href in ("/law/reading", "/law", "/ask", "/tests"):
            assert f'href="{href}"' in page
        assert f"{len(kb.program.provisions)} provisions" in page
        assert '<a class="skip" href="#main">Skip to the content</a>' in page and '<main id="main"' in page


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
        section = re.search(rf'<section class="cover" id="{panel.group(1)}" tabindex="-1"[^>]*>(.*?)</section>',
                            law_page, re.S).group(1)  # tabindex: the panel takes the focus when it opens
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

    def test_it_offers_the_reading_view(self, law_page):
        assert '<a href="/law/reading">Reading view</a>' in law_page


@pytest.fixture(scope="module")
def reading(client) -> str:
    return ok(client.get("/law/reading"))


def part_of(page: str, anchor: str) -> str:
    """The reading view's section of one part, up to its first sub-part."""
    return re.search(rf'<section class="part[^"]*" id="{anchor}">(.*?)(?:<section class="part|</section>)', page,
                     re.S).group(1)


class TestReading:
    def test_every_provision_under_its_label_in_the_order_of_the_text(self, reading, kb):
        headings = [html.unescape(h) for h in re.findall(r'<section class="part[^"]*" id="r-[^"]+">\s*<h\d[^>]*>(.*?)\s*'
                                                          r'(?:<span|</h)', reading)]
        cited = [p.citation for p in kb.program.provisions]
        assert set(cited) <= set(headings)
        usc = [h for h in headings if h.startswith("19 U.S.C. 1508(")]
        assert usc.index("19 U.S.C. 1508(a)") < usc.index("19 U.S.C. 1508(a)(1)") < usc.index("19 U.S.C. 1508(b)") \
            < usc.index("19 U.S.C. 1508(c)(3)") < usc.index("19 U.S.C. 1508(l)(2)")
        # a label no provision transcribes still heads its parts, and the (f) to (k) copies stay in their subsection
        assert "19 U.S.C. 1508(b)(2)" in headings and "19 U.S.C. 1508(b)(2)" not in cited
        assert usc.index("19 U.S.C. 1508(g)(1)(A)(i)") < usc.index("19 U.S.C. 1508(g)(3)") \
            < usc.index("19 U.S.C. 1508(h)(1)(A)(i)")

    def test_a_contents_list_links_to_every_part(self, reading):
        contents = re.search(r'<nav class="contents"(.*?)</nav>', reading, re.S).group(1)
        law = reading.split('<section class="book interpretation" id="interpretations">')[0]
        assert re.findall(r'href="#(r-[^"]+)"', contents) == re.findall(r'<section class="part[^"]*" id="(r-[^"]+)"', law)
        assert 'href="#r-19-u-s-c-1508-c-3">(3)</a>' in contents

    def test_paragraphs_are_reflowed_with_line_end_hyphens_joined(self, reading, kb):
        assert "Recordkeeping Com-\npliance Program" in kb.sources["cfr163"].original
        paragraphs = [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", reading, re.S)]
        assert any("The Recordkeeping Compliance Program is a voluntary Customs program" in p for p in paragraphs)
        assert not any("\n" in p or "Com- pliance" in p for p in paragraphs)

    def test_a_heading_run_into_its_text_is_set_apart(self, reading):
        words = re.search(r'<div class="words">(.*?)</div>', part_of(reading, "r-19-u-s-c-1508-b-2-b-i"), re.S).group(1)
        assert "In generalAny" not in words
        assert re.search(r"In general</p>\s*<p>Any person that claims", words)

    def test_beside_each_provision_its_rules_in_words_and_as_written(self, reading):
        section = html.unescape(part_of(reading, "r-19-u-s-c-1508-c-3"))
        assert ("<li>records for the drawback claim must be kept until the 3rd anniversary of the date of liquidation "
                "of the claim</li>") in section
        assert '<details class="raw"><summary>Its rules as written</summary>' in section  # closed: behind a toggle
        assert "retention(drawback_claim_records, 3, anniversary, liquidation_of_claim, until)." in section
        assert '<a href="/law#q-usc1508-' in section  # check the quote in the source

    def test_each_provision_links_to_the_answers_that_rest_on_it(self, reading, client, kb):
        section = html.unescape(part_of(reading, "r-19-u-s-c-1508-c-3"))
        links = re.findall(r'<a href="(/explain\?headline=1&answer=(\d+))"', section)
        rows = headline(kb).rows
        assert [int(n) for _, n in links] == [r.number for r in rows if "19 U.S.C. 1508(c)(3)" in r.citations]
        page = ok(client.get(links[0][0]))
        assert "19 U.S.C. 1508(c)(3)" in page and "<h2>Answer " + links[0][1] + ":" in page

    def test_interpretations_have_their_notes_and_rules(self, reading, kb):
        interpretation = kb.program.interpretations[0]
        section = html.unescape(part_of(reading, "r-" + re.sub(r"[^a-z0-9]+", "-", interpretation.name)))
        assert " ".join(interpretation.note.split()) in section and '<ul class="sentences">' in section


class TestAsk:
    def test_catalogue_first_with_pick_lists_then_the_query_for_experts(self, client, kb):
        page = ok(client.get("/ask"))
        assert page.index('class="questions"') < page.index('class="expert"')
        assert '<details class="expert">' in page  # closed until a query is typed
        for named in kb.program.queries:
            assert f'href="/ask?name={named.name}#answers"' in page
        report = headline(kb)
        classes = re.search(r'<select id="pick-class" name="class">(.*?)</select>', page, re.S).group(1)
        assert re.findall(r'<option value="([^"]*)"', classes) == [""] + [v for v, _ in report.choices(
            "class", citelog.wording.Wording.of(kb.program))]
        assert '<option value="agent_of_party">agent of a party described in 19 U.S.C. 1508(a)(1)</option>' in classes
        assert '<select id="pick-records" name="records">' in page
        for scenario in sorted((BUNDLED_KB / "scenarios").glob("*.yaml")):
            assert f'<option value="{scenario.name}">' in page
        assert 'type="file" name="upload"' in page and 'method="post" action="/ask" enctype="multipart/form-data"' in page
        assert 'method="post"' not in page.replace('method="post" action="/ask" enctype', "")  # questions are GETs

    def test_headline_in_the_law_s_words(self, client, kb):
        page = ok(client.get("/ask", params={"headline": "1"}))
        report = headline(kb)
        rows = rows_of(page)
        assert f"{len(report.rows)} answer(s)" in page and len(rows) == len(report.rows)
        for row, expected in zip(rows, report.rows):
            cells = cells_of(row)
            assert cells[0] == f"{expected.number}" + (" *" if expected.conflicts else "") + (" †" if expected.displaced
                                                                                               else "")
            assert cells[1:5] == list(expected.cells)
            assert cells[5].split(" 19 ")[0].startswith(expected.citations[0][0].split(" 19 ")[0])
        assert "as prescribed by the Secretary" in page and "the date of entry, filing of a reconciliation, or " \
                                                            "exportation" in page
        assert "agent_of_party" not in "".join(cells_of("".join(rows)))  # no raw ids
        marked = [r.number for r in report.rows if r.conflicts or r.displaced]  # the cap (c)(3) displaces
        assert marked and all(f'<tr id="answer-{n}">' in page for n in marked)
        assert report.notes and all(esc(note) in page for note in report.notes)

    def test_every_explain_link_is_named_after_its_answer(self, client, kb):
        page = ok(client.get("/ask", params={"headline": "1"}))
        names = re.findall(r'aria-label="(Explain answer \d+)"', page)
        assert len(names) == len(headline(kb).rows) == len(set(names))
        assert links_of(page, "Explain answer 12") == ["/explain?headline=1&answer=12"]

    def test_the_headline_under_a_scenario_gives_each_party_s_dated_obligations(self, client, kb, scenario):
        page = ok(client.get("/ask", params={"headline": "1", "scenario": SCENARIO.name}))
        with kb.scenario(scenario.facts):
            report = obligations_report(kb, scenario, obligations(kb))
        rows = [cells_of(row) for row in rows_of(page)]
        assert [row[1:8] for row in rows] == [list(r.cells) for r in report.rows]
        assert {row[1] for row in rows} == {"Acme Imports Inc. (acme)", "Swift Customs Brokers (swift)"}
        assert {"2027-05-01 (minimum)", "2026-03-15 (maximum)", "not applicable"} <= {row[7] for row in rows}
        assert '<th scope="col"><button type="button" class="sort">until</button></th>' in page
        assert esc(scenario.title) in page
        assert links_of(page, "Explain answer 6") == [f"/explain?headline=1&answer=6&scenario={SCENARIO.name}"]

    def test_pick_lists_filter_and_keep_each_answer_s_number(self, client, kb):
        page = ok(client.get("/ask", params={"headline": "1", "class": "drawback_claimant",
                                             "records": "drawback_claim_records"}))
        expected = [r.number for r in headline(kb).rows if r.facets == {"class": "drawback_claimant",
                                                                         "records": "drawback_claim_records"}]
        assert [int(cells_of(row)[0].rstrip(" *†")) for row in rows_of(page)] == expected == [14, 15]
        assert f"2 answer(s)</strong> of {len(headline(kb).rows)} (filtered)" in page
        (explain,) = links_of(page, "Explain answer 14")  # the filters go along, for the way back to this table
        assert explain == "/explain?headline=1&class=drawback_claimant&records=drawback_claim_records&answer=14"
        assert ok(client.get(explain)).count("<h2>Answer 14: a drawback claimant must keep records for the drawback "
                                             "claim") == 1
        displaced = ok(client.get(explain.replace("answer=14", "answer=15")))  # the cap that (c)(3) displaces
        assert "<h2>Answer 15: " in displaced and "19 U.S.C. 1508(c)(1)" in displaced
        party = ok(client.get("/ask", params={"headline": "1", "scenario": "1508a-importer.yaml", "party": "swift"}))
        assert {cells_of(row)[1] for row in rows_of(party)} == {"Swift Customs Brokers (swift)"}
        assert '<option value="swift" selected>Swift Customs Brokers</option>' in party

    def test_a_dated_question_has_an_end_date_column(self, client, kb, scenario):
        page = ok(client.get("/ask", params={"name": "dated_obligations", "scenario": SCENARIO.name}))
        header = re.findall(r'class="sort">([^<]+)</button>', page)
        assert header[-2:] == ["period", "until"]
        until = [cells_of(row)[-3] for row in rows_of(page)]
        assert "2027-05-01 (minimum)" in until and all(re.fullmatch(r"\d{4}-\d\d-\d\d \(\w+\)", u) for u in until)

    def test_sort_keys_order_values_by_value(self, client):
        page = ok(client.get("/ask", params={"name": "penalty_caps"}))
        caps = [(int(m.group(1)), m.group(2)) for m in re.finditer(r'<td data-sort="(\d+)" data-label="cap">'
                                                                   r'(\$[\d,]+)</td>', page)]
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
        assert '<details class="expert" open>' in page
        report = answers_report(kb, citelog.parser.parse_atom("duty(Class, keep, Records)"), "Answers")
        assert [cells_of(row)[1:3] for row in rows_of(page)] == [list(r.cells) for r in report.rows]

    @pytest.mark.parametrize("query, code, where, says", [
        ("duty(Class, keep", "syntax-error", "<query>:1:", "expected"),
        ("nonsense(X)", "unknown-predicate", "<query>:1:1", "unknown predicate"),
        ("duty(X)", "arity-mismatch", "<query>:1:1", "duty takes 3"),
        ("who must keep records", "syntax-error", "<query>:1:5", "this looks like a question in words"),
        ("notice_of_violation_in_lieu_of_penalty(r, DEM-1)", "bad-query", "<query>:1:43", 'quote it: "DEM-1"'),
    ])
    def test_query_errors_show_their_position(self, client, query, code, where, says):
        page = ok(client.get("/ask", params={"query": query}), 400)
        (error,) = errors_of(page)
        assert error.startswith(where) and f"error[{code}]" in error and says in error
        assert 'id="query"' in page  # the form is still there to fix the query

    def test_hints_for_a_likely_slip(self, client):
        page = ok(client.get("/ask", params={"query": "is_a(Acme, C)", "scenario": SCENARIO.name}))
        assert hints_of(page) == ["Acme starts with a capital letter, so it is a variable that matches any value; "
                                  "for the value acme, write acme"]
        page = ok(client.get("/ask", params={"query": "duty(importr, keep, R)"}))
        assert hints_of(page) == ["importr is a value that neither the KB nor the facts given name; did you mean "
                                  "importer?"]
        assert hints_of(ok(client.get("/ask", params={"query": "duty(importer, keep, R)"}))) == []

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
        assert '<a href="/why-not?atom=is_a%28nobody%2C+importer%29">Why not?</a>' in page


class TestScenarios:
    def test_a_bundled_scenario_travels_in_every_address(self, client, scenario):
        page = ok(client.get("/ask", params={"name": "obligations_of_persons", "scenario": SCENARIO.name}))
        assert esc(scenario.title) in page
        assert f'<option value="{SCENARIO.name}" selected>' in page
        assert f'href="/ask?name=duties&amp;scenario={SCENARIO.name}#answers"' in page
        assert f'<input type="hidden" name="scenario" value="{SCENARIO.name}">' in page  # in the question forms
        assert links_of(page, "Explain answer 1") == [f"/explain?name=obligations_of_persons&answer=1&"
                                                      f"scenario={SCENARIO.name}"]
        facts = re.search(r'<details class="facts">(.*?)</details>', page, re.S).group(1)
        assert "acme filed drawback claim C-7" in html.unescape(facts)

    def test_an_upload_is_kept_and_its_answers_get_an_address(self, client, kb, scenario):
        response = upload(client, headline="1")
        assert response.status_code == 303
        where = response.headers["location"]
        params = parse_qs(urlsplit(where).query)
        assert urlsplit(where).path == "/ask" and params["headline"] == ["1"] and len(params["upload"][0]) == 20
        assert upload(client, headline="1").headers["location"] == where  # the same file: the same address
        page = ok(client.get(where))
        assert "upload:my case.yaml" in page and esc(scenario.title) in page
        with kb.scenario(scenario.facts):
            expected = obligations_report(kb, scenario, obligations(kb))
        assert len(rows_of(page)) == len(expected.rows)
        explained = ok(client.get(links_of(page, "Explain answer 6")[0]))
        assert esc(scenario.title) in explained and "Answer 6: " in explained
        assert ok(client.get(where)) == page  # the address holds

    def test_a_company_s_scenario_is_shown_a_page_of_rows_at_a_time(self, client):
        entries = 520  # each dated entry: a dated obligation of its importer
        text = ("facts:\n  imports:\n" + "".join(f"    - [p{i % 40}, E-{i}]\n" for i in range(entries))
                + "  entry_date:\n" + "".join(f"    - [E-{i}, 2020-01-{1 + i % 28:02d}]\n" for i in range(entries)))
        where = upload(client, content=text.encode(), filename="company.yaml", headline="1").headers["location"]
        first = ok(client.get(where))
        numbers = [int(cells_of(row)[0].rstrip("*†")) for row in rows_of(first)]
        total = int(re.search(r"(\d+) answer\(s\)", first).group(1))
        assert total > PAGE and numbers == list(range(1, PAGE + 1))
        assert f"Rows 1–{PAGE} of {total}:" in first and 'rel="prev"' not in first
        after = html.unescape(re.search(r'<a href="([^"]+)" rel="next">', first).group(1))
        assert parse_qs(urlsplit(after).query)["page"] == ["2"]
        second = ok(client.get(after))
        assert [int(cells_of(row)[0].rstrip("*†")) for row in rows_of(second)] == list(range(PAGE + 1, total + 1))
        assert f"Rows {PAGE + 1}–{total} of {total}:" in second and 'rel="next"' not in second
        assert links_of(second, f"Explain answer {PAGE + 1}")  # numbers are the full list's, as Explain's
        past = ok(client.get(where + "&page=3"), 400)
        assert "error[no-page]" in errors_of(past)[0] and "pages 1 to 2" in errors_of(past)[0]
        for bad in ("x", "0", "²", "9" * 5000):  # '²' is a digit to str.isdigit(); int() refuses 4,300 digits
            assert "error[no-page]" in errors_of(ok(client.get(where + f"&page={bad}"), 400))[0]
            assert "error[no-answer]" in errors_of(ok(client.get("/explain", params={"headline": "1", "answer": bad}),
                                                      400))[0]

    def test_an_unknown_upload_key_says_to_upload_again(self, client):
        page = ok(client.get("/ask", params={"headline": "1", "upload": "0" * 20}), 400)
        assert "error[unknown-scenario]" in errors_of(page)[0] and "upload the file again" in errors_of(page)[0]

    @pytest.mark.parametrize("content, code, where", [
        (b"facts: [unclosed\n", "bad-scenario", "upload:bad.yaml:2:"),
        (b"facts:\n  no_such_input: [[a]]\n", "unknown-input", "upload:bad.yaml:2:3"),
        (b"facts:\n  entry_date:\n    - {Subject: E-1, Date: 2023-02-30}\n", "bad-value", "upload:bad.yaml:3:"),
    ])
    def test_a_bad_upload_shows_the_loader_error_at_its_address(self, client, content, code, where):
        response = upload(client, content=content, filename="bad.yaml", headline="1")
        page = ok(client.get(response.headers["location"]), 400)
        errors = errors_of(page)
        assert errors and errors[0].startswith(where) and f"error[{code}]" in errors[0], errors

    @pytest.mark.parametrize("content, says", [(b"\xff\xfe not text", "not UTF-8"), (b"  \n", "empty")])
    def test_an_unreadable_upload_is_refused_at_once(self, client, content, says):
        page = ok(upload(client, content=content, filename="bad.yaml", headline="1"), 400)
        assert says in errors_of(page)[0] and "error[bad-scenario]" in errors_of(page)[0]

    def test_when_the_store_is_full_uploads_are_refused_and_kept_ones_hold(self, monkeypatch):
        app = create_app()
        app.state.library.uploads = Uploads(max_uploads=1)
        with local(app) as small:
            kept = upload(small, headline="1").headers["location"]
            page = ok(upload(small, content=SCENARIO.read_bytes() + b"\n", headline="1"), 503)
            assert "as many as it can" in errors_of(page)[0] and "error[uploads-full]" in errors_of(page)[0]
            assert upload(small, headline="1").headers["location"] == kept
            ok(small.get(kept))

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

        monkeypatch.setattr(ask_module, "asked", broken)
        with local(app, raise_server_exceptions=False) as fragile:
            page = ok(fragile.get("/ask", params={"headline": "1"}), 500)
        assert "internal error in citelog: RuntimeError" in page and "boom" not in page


@pytest.fixture(scope="module")
def answer(kb):
    """The headline answer of the drawback claimant, and its number (from 1) in the table."""
    answers = [row.source for row in retention_rows(kb)]
    return next((i, a) for i, a in enumerate(answers, 1) if a["Who"] == "drawback_claimant" and a["Unit"] == "anniversary")


class TestExplain:
    def test_each_note_once_numbered_technical_detail_behind_a_toggle(self, client, kb, law, answer):
        number, found = answer
        page = ok(client.get("/explain", params={"headline": "1", "answer": str(number)}))
        expected = Explainer(kb).explain_answers(HEADLINE, [found], [number])
        item = expected.answers[0]
        steps = list(item.proof.steps())
        assert page.count('<details class="step') == len(steps) == page.count('<details class="tech">')
        assert page.count('<details class="step') - page.count('" open>') == len(steps) - 1  # only the root is open
        for citation in item.citations:
            assert f'href="{law.link(citation)}">{citation}</a>' in page
            assert f'<a class="ref" href="#provision-{expected.numbers[citation]}"' in page
        assert "19 U.S.C. 1508(c)(3)" in item.citations
        assert f"<h2>Answer {number}: {esc(item.proof.sentence)}</h2>" in page
        for _, _, quote, note in expected.provisions:
            assert page.count(esc(quote or note)) == 1  # in the list, not under each step
        assert page.count('<code class="statement">') == len(steps)  # inside the toggles

    def test_every_answer_without_a_number(self, client, kb):
        page = ok(client.get("/explain", params={"name": "duties"}))
        assert page.count('<section class="answer"') == len(kb.query("duty(Class, Action, Object)"))

    def test_an_obligation_of_a_scenario_is_the_row_of_its_number(self, client, kb, scenario):
        page = ok(client.get("/explain", params={"headline": "1", "answer": "6", "scenario": SCENARIO.name}))
        with kb.scenario(scenario.facts):
            row = obligations(kb)[5]
            expected = Explainer(kb).explain_answers("x", [row.source], [6]).answers[0]
        assert f"<h2>Answer 6: {esc(expected.proof.sentence)}</h2>" in page
        assert f'href="/ask?headline=1&amp;scenario={SCENARIO.name}#answer-6">the question</a>' in page

    @pytest.mark.parametrize("fmt, media, render", [
        ("md", "text/markdown", "to_markdown"), ("html", "text/html", "to_html"), ("json", "application/json", "to_json"),
    ])
    def test_downloads_carry_the_memo(self, client, kb, answer, fmt, media, render, monkeypatch, app, scenario):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", MADE)
        number, found = answer
        response = client.get("/explain", params={"headline": "1", "answer": str(number), "format": fmt})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
        assert response.headers["content-disposition"] == f'attachment; filename="citelog-explanation-answer-{number}.{fmt}"'
        revision = app.state.library.revision
        expected = Explainer(kb).explain_answers(HEADLINE, [found], [number]).with_memo(memo(kb, None, of=revision))
        assert response.text == getattr(expected, render)()
        assert str(revision) in response.text or revision.content in response.text
        under = client.get("/explain", params={"headline": "1", "answer": "6", "scenario": SCENARIO.name,
                                               "format": fmt}).text
        assert "acme filed drawback claim C-7" in under and scenario.title.replace("'", "&#39;" if fmt == "html"
                                                                                     else "'") in under

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

    def test_open_values_read_as_words(self, client):
        page = html.unescape(ok(client.get("/why-not", params={"atom": "must_keep(importer, drawback_claim_records, "
                                                                         "N, U, T, B)"})))
        assert "anything" not in page and "for any period from any event" in page

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

    def test_an_upload_redirects_to_the_why_not_of_the_same_atom(self, client):
        response = upload(client, "/why-not", atom="is_a(acme, drawback_claimant)")
        assert response.status_code == 303 and urlsplit(response.headers["location"]).path == "/why-not"
        assert "holds" in ok(client.get(response.headers["location"]))


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
        assert 'action="/tests/diff"' in page  # the bundled KB of this checkout is in git

    def test_outside_git_the_diff_is_not_offered(self, tmp_path):
        shutil.copytree(BUNDLED_KB, tmp_path / "kb")
        with local(create_app(tmp_path / "kb")) as outside:
            page = ok(outside.get("/tests"))
            assert 'action="/tests/diff"' not in page
            assert "is not in a git work tree, so it has no earlier versions" in page
            diff = ok(outside.get("/tests/diff", params={"base": "HEAD"}), 404)
            assert "is not in a git work tree" in diff and str(tmp_path) not in diff and "citelog diff" not in diff
            assert "what an edit changed since a git revision" not in ok(outside.get("/"))


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
        upload = {"upload": ("mine.yaml", b"facts:\n  imports: [[acme, e1]]\n")}
        ok(client.post("/ask", data={"headline": "1"}, files=upload, headers=headers))

    def test_error_pages_show_no_path_of_the_server(self, tmp_path):
        kb = tmp_path / "kb"
        shutil.copytree(BUNDLED_KB, kb)
        with local(create_app(kb)) as session:  # not in a git repository: no diff is offered, in words
            page = ok(session.get("/tests/diff", params={"base": "HEAD"}), 404)
        assert "git" in page and str(tmp_path) not in page

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
        monkeypatch.setattr(Engine, "evaluate", lambda *args: pytest.fail("evaluated"))
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

        monkeypatch.setattr(ask_module, "asked", slow_answers)
        app = create_app(time_limit=3)
        with local(app) as client:
            ok(client.get("/ask", params={"headline": "1"}), 400)
        assert 2.0 < seen[0] <= 2.4
        assert app.state.library.kb.limits.seconds == 3  # the KB's own limits are back


class TestServing:
    def test_same_request_same_bytes(self, client):
        other = local(create_app())
        for url in ("/", "/law", "/law/reading", "/ask?headline=1", "/ask?headline=1&scenario=drawback-claim.yaml",
                    "/explain?headline=1&answer=2", "/why-not?atom=is_a(acme,importer)", "/tests", "/nope"):
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

    @pytest.mark.parametrize("path", ["/law", "/law/reading", "/explain", "/tests"])
    def test_only_an_upload_is_posted(self, client, path):
        assert "cannot be reached that way" in ok(client.post(path), 405)

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
            session.get("/law/reading")
            session.get("/ask", params={"headline": "1", "scenario": SCENARIO.name})
            session.get(upload(session, headline="1").headers["location"])
            session.get("/explain", params={"headline": "1", "format": "html"})
            session.get("/why-not", params={"atom": "is_a(acme, importer)"})
            session.get("/tests")
            session.get("/tests/diff", params={"base": "HEAD"})  # not in a git repository: not offered
        assert kb_files(kb) == before


# ---- the command --------------------------------------------------------------------------------------


def test_serve_help():
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    out = result.stdout.decode()
    for option in ("--kb", "--host", "--port", "--time-limit"):
        assert option in out
    assert "127.0.0.1" in out


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
