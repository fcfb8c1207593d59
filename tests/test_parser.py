"""The parser (engine/parser.py): syntax errors with their code, position and what was expected
there; values decoded as they are read (dates, amounts, numbers, strings); files that cannot be
read; texts parsed in several threads at once."""

from __future__ import annotations

import datetime

import pytest

from citelog import CheckError, Date
from citelog.parser import parse_atom, parse_module, read_module

from conftest import in_provision, locate, only_form, statements_of


def syntax_error(text: str, path: str = "f.clog"):
    with pytest.raises(CheckError) as caught:
        parse_module(text, path)
    (diagnostic,) = caught.value.diagnostics
    assert caught.value.code == diagnostic.code
    return diagnostic


class TestSyntaxErrors:
    def test_missing_dot(self):
        d = syntax_error("p(a)\nq(b).")
        assert d.code == "syntax-error"
        assert d.position.path == "f.clog"
        assert (d.position.line, d.position.column) == (2, 1)
        assert "unexpected 'q'" in d.message
        assert "expected" in d.message and "'.'" in d.message

    def test_unexpected_character(self):
        d = syntax_error("p(a).\nq(X) :- r(@).")
        assert d.code == "syntax-error"
        assert (d.position.line, d.position.column) == (2, 11)
        assert "'@'" in d.message
        assert "expected" in d.message and "a variable" in d.message

    def test_unexpected_end_of_input_in_unclosed_provision(self):
        text = 'provision "19 U.S.C. 1508(a)" {\n  reconstructed "x"\n  p(a).\n'
        d = syntax_error(text)
        assert d.code == "syntax-error"
        assert d.position.path == "f.clog"
        # at the end of the text: not before the last statement of the unclosed block
        assert (d.position.line, d.position.column) >= locate(text, "p(a).")
        assert "end of input" in d.message
        assert "expected" in d.message and "'}'" in d.message

    def test_unterminated_string(self):
        d = syntax_error('p(a).\nq("abc).\n')
        assert d.code == "syntax-error"
        assert (d.position.line, d.position.column) == (2, 3)
        assert '"' in d.message
        assert "expected" in d.message

    @pytest.mark.parametrize("date", ["2023-02-30", "2023-13-01", "2023-04-31"])
    def test_impossible_date_is_a_bad_value(self, date):
        d = syntax_error(f"p(a).\nq(x, {date}).")
        assert d.code == "bad-value"
        assert (d.position.line, d.position.column) == (2, 6)
        assert date in d.message

    def test_leap_day_is_fine(self):
        assert only_form("q(2024-02-29).").head.args[0].value == Date(datetime.date(2024, 2, 29))

    def test_unknown_escape_in_string(self):
        d = syntax_error('p("tab\\t").')
        assert d.code == "syntax-error"
        assert (d.position.line, d.position.column) == (1, 3)

    def test_invalid_utf8(self, tmp_path):
        path = tmp_path / "latin1.clog"
        path.write_bytes(b'p(a).\nq("caf\xe9").\n')
        with pytest.raises(CheckError) as caught:
            read_module(path)
        (d,) = caught.value.diagnostics
        assert d.code == "bad-encoding"
        assert d.position.path == str(path)
        assert (d.position.line, d.position.column) == (2, 7)
        assert "UTF-8" in d.message

    def test_binary_file(self, tmp_path):
        path = tmp_path / "binary.clog"
        path.write_bytes(b"\x00\x01\x02PK\x03\x04p(a).")
        with pytest.raises(CheckError) as caught:
            read_module(path, "shown/binary.clog")
        (d,) = caught.value.diagnostics
        assert d.code == "bad-encoding"
        assert d.position.path == "shown/binary.clog"
        assert (d.position.line, d.position.column) == (1, 1)
        assert "binary" in d.message

    def test_diagnostic_renders_as_path_line_col(self):
        d = syntax_error("p(a)\nq(b).", "kb/law.clog")
        assert str(d).startswith("kb/law.clog:2:1: error[syntax-error]: unexpected 'q'")

    def test_query_syntax_errors(self):
        with pytest.raises(CheckError) as caught:
            parse_atom("p(X")
        (d,) = caught.value.diagnostics
        assert d.code == "syntax-error"
        assert d.position.line == 1
        assert "end of input" in d.message and "')'" in d.message


class TestValuesAsRead:
    """Issue 15: a loose date is no arithmetic, a huge number no crash, look-alike text one value."""

    @pytest.mark.parametrize("text, hint", [("2024-1-5", " (2024-01-05)"), ("05-01-2024", ""), ("123-4567-8", "")])
    def test_a_loose_date_is_a_bad_value_not_arithmetic(self, text, hint):
        d = syntax_error(f"p(a).\nval({text}).")
        assert (d.code, d.position.line, d.position.column) == ("bad-value", 2, 5)
        assert d.message.startswith(f"'{text}' is not a date: write a date as YYYY-MM-DD{hint}; for arithmetic")

    def test_arithmetic_on_numbers_stays(self):
        (rule,) = statements_of(in_provision("  p(X) :- q(Y), X = Y - 1, Z = 2024 - 1 - 5, W = Y-1."))
        assert [str(lit) for lit in rule.form.body[1:]] == ["X == (Y - 1)", "Z == ((2024 - 1) - 5)", "W == (Y - 1)"]

    def test_a_syntax_error_after_a_refused_value_is_reported_first(self):
        """Nodes are built while parsing, so the bad date is met first; the syntax error still wins."""
        d = syntax_error("p(2023-02-30).\nq(X :- r.\n")
        assert (d.code, d.position.line, d.position.column) == ("syntax-error", 2, 5)
        d = syntax_error("p(2023-02-30).\nq(X) :- r(X).\n")
        assert (d.code, d.position.line, d.position.column) == ("bad-value", 1, 3)

    def test_a_loose_date_in_a_query(self):
        with pytest.raises(CheckError) as caught:
            parse_atom("val(2024-1-5)")
        assert (caught.value.code, caught.value.position.column) == ("bad-value", 5)

    @pytest.mark.parametrize("literal", ["9" * 4301, "$" + "9" * 4301, "-" + "9" * 4301])
    def test_a_number_too_long_to_convert_is_a_bad_value_with_its_place(self, literal):
        d = syntax_error(f"p(a).\nbig({literal}).")
        assert (d.code, d.position.line) == ("bad-value", 2)
        assert d.message == "a number of 4,301 digits: numbers have at most 4,300 digits"

    @pytest.mark.parametrize("form", ["keep records for at least {} years from entry.",
                                      "c must notify customs within {} days after receipt."])
    def test_a_period_too_long_to_convert(self, form):
        d = syntax_error(in_provision("  " + form.format("9" * 5000)))
        assert (d.code, d.position.line) == ("bad-value", 3)

    def test_the_longest_number_is_read(self):
        assert only_form(f"big({'9' * 4300}).").head.args[0].value == 10 ** 4300 - 1

    def test_strings_are_read_in_nfc(self):
        decomposed = "socie\u0301te\u0301"
        module = parse_module(f'p("{decomposed}").\n', "t.clog")
        assert module.loose[0].form.head.args[0].value == "soci\u00e9t\u00e9"
        assert module.warnings == []

    def test_an_invisible_character_in_a_value_is_a_warning(self):
        module = parse_module('p(a).\nq("ac\u200bme", "x\u202ey").\n', "t.clog")
        assert [(str(w.position), w.code, w.severity) for w in module.warnings] == [
            ("t.clog:2:3", "invisible-character", "warning"), ("t.clog:2:12", "invisible-character", "warning")]
        assert str(module.warnings[0]).startswith("t.clog:2:3: warning[invisible-character]: 'ac\\u200bme' holds")


class TestThreads:
    def test_texts_parsed_in_threads_keep_their_own_paths_and_warnings(self):
        from concurrent.futures import ThreadPoolExecutor

        def parse(n: int):
            module = parse_module('p(a).\n' * n + f'q("x\u200by{n}").\n', f"f{n}.clog")
            return [str(w.position) for w in module.warnings], module.loose[-1].position.path

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(parse, range(1, 41)))
        assert results == [([f"f{n}.clog:{n + 1}:3"], f"f{n}.clog") for n in range(1, 41)]
