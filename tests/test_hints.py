"""Hints for a typed question that probably does not say what its writer meant (citelog.hints), in
the library and in the CLI; the web app shows the same (tests/test_web.py)."""

from __future__ import annotations

import pytest

import citelog
from citelog.errors import CheckError, QueryError
from citelog.hints import hints, parse_question
from citelog.scenario import load_scenario
from conftest import BUNDLED_KB, run_cli

SCENARIO = BUNDLED_KB / "scenarios" / "drawback-claim.yaml"


@pytest.fixture(scope="module")
def kb():
    return citelog.load()


class TestErrors:
    def test_an_unquoted_value_with_a_hyphen_says_to_quote_it(self):
        with pytest.raises(QueryError) as raised:
            parse_question("notice_of_violation_in_lieu_of_penalty(r, DEM-1)")
        assert raised.value.code == "bad-query"
        assert str(raised.value.diagnostics[0]) == (
            '<query>:1:43: error[bad-query]: a query argument must be a variable or a value, not an expression: '
            'to ask about the value DEM-1, quote it: "DEM-1"')

    def test_an_expression_inside_parentheses_is_shown_whole(self):
        with pytest.raises(QueryError) as raised:
            parse_question('must_contain("a, (b", (N + 1) * 2)')
        assert 'the value (N + 1) * 2, quote it: "(N + 1) * 2"' in raised.value.diagnostics[0].message

    @pytest.mark.parametrize("text", ["who must keep records", "Who must keep what, for how long?",
                                      "what does 1508(c) say"])
    def test_a_question_in_words_points_to_the_catalogue(self, text):
        with pytest.raises(CheckError) as raised:
            parse_question(text)
        (diagnostic,) = raised.value.diagnostics
        assert diagnostic.code == "syntax-error"
        assert "this looks like a question in words, but a query is an atom; pick one from the catalogue" \
               in diagnostic.message

    def test_a_plain_syntax_error_keeps_its_message(self):
        with pytest.raises(CheckError) as raised:
            parse_question("duty(C, keep")
        assert "question in words" not in raised.value.diagnostics[0].message


class TestHints:
    def test_a_capitalised_value_is_a_variable(self, kb):
        scenario = load_scenario(SCENARIO, kb.program)
        facts = [(predicate, row) for predicate, rows in scenario.facts.items() for row in rows]
        (hint,) = hints(parse_question("is_a(Acme, importer)"), kb.program, facts)
        assert hint == ("Acme starts with a capital letter, so it is a variable that matches any value; "
                        "for the value acme, write acme")
        (quoted,) = hints(parse_question("duty(Importer, keep, R)"), kb.program)
        assert quoted.endswith("for the value importer, write importer")

    def test_a_misspelt_id(self, kb):
        assert hints(parse_question("is_a(acme, importr)"), kb.program) == [
            "importr is a value that neither the KB nor the facts given name; did you mean importer?"]
        (given,) = hints(parse_question('dated_event("E-10", E, D)'), kb.program, [("entry_date", ("E-100", None))])
        assert given.endswith('did you mean "E-100"?')

    def test_nothing_to_say(self, kb):
        assert hints(parse_question("is_a(somebody_new, importer)"), kb.program) == []  # a new party, not a slip
        for named in kb.program.queries:  # the catalogue's own variable names are no slip
            assert hints(named.atom, kb.program) == [], named.name


class TestCli:
    def test_the_same_hints_on_stderr(self):
        result = run_cli("query", "is_a(Acme, C)", "--scenario", str(SCENARIO))
        assert result.returncode == 0
        assert result.stderr.decode() == ("hint: Acme starts with a capital letter, so it is a variable that matches "
                                          "any value; for the value acme, write acme\n")
        why = run_cli("why-not", "is_a(acme, drawback_claimnt)", "--scenario", str(SCENARIO))
        assert why.returncode == 0 and b"did you mean drawback_claimant?" in why.stderr

    def test_why_not_with_an_unquoted_value(self):
        result = run_cli("why-not", "notice_of_violation_in_lieu_of_penalty(r, DEM-1)")
        assert result.returncode == 1 and result.stdout == b""
        assert result.stderr.decode().endswith('quote it: "DEM-1"\n')
