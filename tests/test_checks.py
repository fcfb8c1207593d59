"""Static checks: every check code, with the position and message a KB editor sees, and the
`citelog check` command."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import citelog

from conftest import BUNDLED_KB, HEADER, diagnostics_of, locate, run_cli

OPEN = 'provision "19 U.S.C. 1508(a)" {\n  quote law "Every importer shall keep entry records."\n'


def kb_text(body: str, after: str = "") -> str:
    """A KB file: the header, one quoted provision with `body`, then `after` at top level."""
    return HEADER + OPEN + body + "}\n" + after


def only(diagnostics, code: str) -> citelog.Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, diagnostics
    return found[0]


def at(diagnostic: citelog.Diagnostic) -> tuple[int, int]:
    return diagnostic.position.line, diagnostic.position.column


def check(make_kb, text: str, **kwargs) -> tuple[list[citelog.Diagnostic], Path]:
    root = make_kb(text, **kwargs)
    return diagnostics_of(root), root / kwargs.get("name", "rules.clog")


class TestValidKb:
    def test_small_kb_has_no_diagnostics(self, make_kb):
        diagnostics, _ = check(make_kb, kb_text("  [imp] P is an importer if imports(P, _).\n"))
        assert diagnostics == []

    def test_diagnostic_path_names_the_rule_file(self, make_kb):
        diagnostics, file = check(make_kb, kb_text("  p(X) :- importz(X, _).\n"))
        (d,) = diagnostics
        assert Path(d.position.path).resolve() == file.resolve()


class TestPredicates:
    def test_unknown_predicate_with_hint(self, make_kb):
        text = kb_text("  [imp] P is an importer if import(P, _).\n")
        diagnostics, _ = check(make_kb, text)
        d = only(diagnostics, "unknown-predicate")
        assert at(d) == locate(text, "import(P")
        assert "unknown predicate 'import'" in d.message
        assert "did you mean 'imports'?" in d.message
        assert len(diagnostics) == 1

    def test_unknown_predicate_in_negation(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _), not exempted(X).\n")
        diagnostics, _ = check(make_kb, text)
        d = only(diagnostics, "unknown-predicate")
        assert at(d) == locate(text, "exempted(X)")
        assert "'exempted'" in d.message

    def test_unknown_predicate_without_a_close_name_has_no_hint(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _), zzzqqq(X).\n")
        d = only(check(make_kb, text)[0], "unknown-predicate")
        assert "did you mean" not in d.message

    def test_arity_mismatch_against_declaration(self, make_kb):
        text = kb_text("  [imp] P is an importer if imports(P).\n")
        diagnostics, _ = check(make_kb, text)
        d = only(diagnostics, "arity-mismatch")
        assert at(d) == locate(text, "imports(P)")
        assert "imports takes 2 argument(s)" in d.message
        assert "not 1" in d.message
        line, column = locate(text, "imports(Party")
        assert f":{line}:{column}" in d.message  # where the expected arity comes from

    def test_arity_mismatch_between_rules(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _).\n  p(X, Y) :- imports(X, Y).\n")
        d = only(check(make_kb, text)[0], "arity-mismatch")
        assert at(d) == locate(text, "p(X, Y)")
        assert "p takes 1 argument(s)" in d.message and "not 2" in d.message


class TestSafety:
    def test_unbound_head_variable(self, make_kb):
        text = kb_text("  p(X, Y) :- imports(X, _).\n")
        d = only(check(make_kb, text)[0], "unsafe-variable")
        assert at(d) == locate(text, "Y) :-")
        assert "variable Y in the head of p" in d.message

    def test_variable_only_in_negation(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _), not imports(X, Y).\n")
        d = only(check(make_kb, text)[0], "unsafe-variable")
        assert at(d) == locate(text, "Y).\n")
        assert "variable Y in 'not imports(...)'" in d.message

    def test_variable_only_in_comparison(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _), Y > 3.\n")
        d = only(check(make_kb, text)[0], "unsafe-variable")
        assert at(d) == locate(text, "Y > 3")
        assert "variable Y in the comparison 'Y > 3'" in d.message

    def test_anonymous_variable_in_head(self, make_kb):
        text = kb_text("  p(X, _) :- imports(X, _).\n")
        d = only(check(make_kb, text)[0], "unsafe-variable")
        assert at(d) == locate(text, "_) :-")
        assert "anonymous variable '_' cannot appear in a rule head" in d.message

    def test_anonymous_variable_in_comparison(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _), _ > 3.\n")
        d = only(check(make_kb, text)[0], "unsafe-variable")
        assert at(d) == locate(text, "_ > 3")

    def test_assignment_from_bound_variable_is_safe(self, make_kb):
        text = kb_text("  p(X, Z) :- imports(X, Y), Z = Y + 1.\n")
        assert check(make_kb, text)[0] == []

    def test_chained_assignments_are_safe(self, make_kb):
        text = kb_text("  p(X, W) :- W = Z * 2, Z = Y + 1, imports(X, Y).\n")
        assert check(make_kb, text)[0] == []

    def test_anonymous_variable_in_negation_is_safe(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _), not imports(_, X).\n")
        assert check(make_kb, text)[0] == []

    def test_assignment_from_unbound_variable_is_unsafe(self, make_kb):
        text = kb_text("  p(X, Z) :- imports(X, _), Z = Y + 1.\n")
        diagnostics = check(make_kb, text)[0]
        assert {d.code for d in diagnostics} == {"unsafe-variable"}
        assert any("variable Y" in d.message and at(d) == locate(text, "Y + 1") for d in diagnostics)


class TestStratification:
    def test_negation_through_recursion(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _), not q(X).\n  q(X) :- p(X).\n")
        d = only(check(make_kb, text)[0], "unstratifiable")
        assert at(d) == locate(text, "q(X).\n  q")
        assert "p depends on 'not q'" in d.message
        assert "q depends on p" in d.message

    def test_zero_arity_cycle(self, make_kb):
        text = kb_text("  p() :- not q().\n  q() :- p().\n")
        d = only(check(make_kb, text)[0], "unstratifiable")
        assert at(d) == locate(text, "q().\n  q")

    def test_negation_of_itself(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _), not p(X).\n")
        d = only(check(make_kb, text)[0], "unstratifiable")
        assert at(d) == locate(text, "p(X).\n")

    def test_negation_of_a_lower_stratum_is_fine(self, make_kb):
        text = kb_text("  q(X) :- imports(X, _).\n  p(X) :- imports(_, X), not q(X).\n")
        assert check(make_kb, text)[0] == []


class TestIdentity:
    def test_duplicate_provision_citation(self, make_kb):
        text = kb_text("", after=OPEN + "}\n")
        d = only(check(make_kb, text)[0], "duplicate-id")
        assert at(d) == locate(text, "provision", 2)
        first = locate(text, "provision", 1)
        assert "duplicate provision '19 U.S.C. 1508(a)'" in d.message
        assert f":{first[0]}:{first[1]}" in d.message

    def test_duplicate_rule_label(self, make_kb):
        text = kb_text("  [imp] P is an importer if imports(P, _).\n  [imp] P is an agent if imports(P, _).\n")
        d = only(check(make_kb, text)[0], "duplicate-id")
        assert at(d) == locate(text, "[imp]", 2)
        assert "'imp'" in d.message

    def test_duplicate_rule_label_in_two_provisions(self, make_kb):
        other = 'provision "19 U.S.C. 1508(b)" {\n  quote law "Entry records"\n  [imp] P is an agent if imports(P, _).\n}\n'
        text = kb_text("  [imp] P is an importer if imports(P, _).\n", after=other)
        d = only(check(make_kb, text)[0], "duplicate-id")
        assert at(d) == locate(text, "[imp]", 2)

    def test_duplicate_label_on_a_duty_with_several_actions(self, make_kb):
        # one label, two statements: an exception to [imp] could not say which one it defeats
        text = kb_text("  [imp] importer must make and keep recs.\n  [imp] P is an importer if imports(P, _).\n")
        d = only(check(make_kb, text)[0], "duplicate-id")
        assert at(d) == locate(text, "[imp]", 2)
        assert "'imp'" in d.message

    def test_duplicate_label_on_two_duties_is_reported_once_by_its_name(self, make_kb):
        text = kb_text("  [imp] importer must make and keep recs.\n  [imp] agent must make and keep recs.\n")
        d = only(check(make_kb, text)[0], "duplicate-id")
        assert at(d) == locate(text, "[imp]", 2)
        assert "'imp'" in d.message

    def test_duplicate_source(self, make_kb):
        text = kb_text("", after='source law = "sources/law.txt".\n')
        d = only(check(make_kb, text)[0], "duplicate-id")
        assert at(d) == locate(text, "law =", 2)
        assert "duplicate source 'law'" in d.message

    def test_duplicate_declaration(self, make_kb):
        text = kb_text("", after='input imports(A, B) means "again".\n')
        d = only(check(make_kb, text)[0], "duplicate-id")
        assert at(d) == locate(text, "imports(A, B)")
        assert "'imports'" in d.message

    def test_duplicate_term(self, make_kb):
        text = kb_text("  importer must keep entry_records.\n",
                       after='term importer reads "importer".\nterm importer reads "an importer of record".\n')
        d = only(check(make_kb, text)[0], "duplicate-id")
        assert at(d) == locate(text, "importer reads", 2)
        assert "duplicate term 'importer'" in d.message

    def test_words_for_a_value_no_rule_names(self, make_kb):
        text = kb_text("  importer must keep entry_records.\n", after='term entry_record reads "entry records".\n')
        d = only(check(make_kb, text)[0], "unknown-term")
        assert at(d) == locate(text, "entry_record reads")
        assert d.message == ("term 'entry_record' is not a value that any rule, fact or query names; "
                             "did you mean 'entry_records'?")

    def test_duplicate_interpretation(self, make_kb):
        block = 'interpretation mine {\n  note "why"\n}\n'
        text = kb_text("", after=block + block)
        d = only(check(make_kb, text)[0], "duplicate-id")
        assert at(d) == locate(text, "interpretation mine", 2)


class TestAuthority:
    def test_orphan_rule(self, make_kb):
        text = kb_text("", after="stray(1).\nalso(X) :- imports(X, _).\n")
        diagnostics = check(make_kb, text)[0]
        assert [d.code for d in diagnostics] == ["orphan-rule", "orphan-rule"]
        assert [at(d) for d in diagnostics] == [locate(text, "stray(1)"), locate(text, "also(X)")]
        assert "belongs to no provision" in diagnostics[0].message

    def test_orphan_legal_statement(self, make_kb):
        text = kb_text("", after="P is an importer if imports(P, _).\n")
        d = only(check(make_kb, text)[0], "orphan-rule")
        assert at(d) == locate(text, "P is an importer")

    def test_interpretation_block_is_an_authority(self, make_kb):
        text = kb_text("", after='interpretation mine {\n  note "the analyst\'s reading"\n  stray(1).\n}\n')
        assert check(make_kb, text)[0] == []

    def test_bad_citation(self, make_kb):
        text = HEADER + 'provision "section 5 of the act" {\n  quote law "Every importer"\n}\n'
        d = only(check(make_kb, text)[0], "bad-citation")
        assert at(d) == locate(text, "provision")
        assert "malformed citation 'section 5 of the act'" in d.message

    @pytest.mark.parametrize("citation", ["19 U.S.C. 1508(b)(2)(B)(ii)", "19 CFR 163.12(b)(3)(iv)", "19 U.S.C. 1508"])
    def test_good_citations(self, make_kb, citation):
        text = HEADER + f'provision "{citation}" {{\n  quote law "Every importer"\n}}\n'
        assert check(make_kb, text)[0] == []

    @pytest.mark.parametrize("citation", ["19 USC 1508(a)", "19 U.S.C. 1508(a", "U.S.C. 1508(a)", "19 CFR"])
    def test_bad_citations(self, make_kb, citation):
        text = HEADER + f'provision "{citation}" {{\n  quote law "Every importer"\n}}\n'
        assert [d.code for d in check(make_kb, text)[0]] == ["bad-citation"]

    def test_missing_quote(self, make_kb):
        text = HEADER + 'provision "19 U.S.C. 1508(a)" {\n  p(1).\n}\n'
        d = only(check(make_kb, text)[0], "missing-quote")
        assert at(d) == locate(text, "provision")
        assert "has no quote" in d.message and "reconstructed" in d.message

    def test_reconstructed_provision_with_a_quote(self, make_kb):
        text = HEADER + 'provision "19 U.S.C. 1508(a)" {\n  reconstructed "gap"\n  quote law "Every importer"\n}\n'
        d = only(check(make_kb, text)[0], "reconstructed-quote")
        assert at(d) == locate(text, "law \"Every")
        assert "reconstructed" in d.message

    def test_reconstructed_provision_without_quote_is_fine(self, make_kb):
        text = HEADER + 'provision "19 U.S.C. 1508(a)" {\n  reconstructed "gap"\n  p(1).\n}\n'
        assert check(make_kb, text)[0] == []

    def test_unknown_rule_in_exception(self, make_kb):
        text = kb_text("  [imp] P is an importer if imports(P, _).\n  exception to impp if imports(P, none).\n")
        d = only(check(make_kb, text)[0], "unknown-rule")
        assert at(d) == locate(text, "exception to")
        assert "'impp'" in d.message and "[impp]" in d.message


class TestQuotes:
    def test_quote_not_found(self, make_kb):
        text = HEADER + 'provision "19 U.S.C. 1508(a)" {\n  quote law "Every importer shall keep entry papers."\n}\n'
        d = only(check(make_kb, text)[0], "quote-not-found")
        assert at(d) == locate(text, 'law "Every')
        assert "19 U.S.C. 1508(a)" in d.message
        assert "law.txt" in d.message
        assert 'matches up to "...importer shall keep entry" then differs' in d.message

    def test_unknown_source(self, make_kb):
        text = HEADER + 'provision "19 U.S.C. 1508(a)" {\n  quote statute "Every importer"\n}\n'
        d = only(check(make_kb, text)[0], "unknown-source")
        assert at(d) == locate(text, "statute")
        assert "'statute'" in d.message

    def test_missing_source(self, make_kb):
        text = kb_text("", after='source gone = "sources/gone.txt".\n')
        d = only(check(make_kb, text)[0], "missing-source")
        assert at(d) == locate(text, "gone =")
        assert "sources/gone.txt" in d.message

    def test_quotes_of_a_missing_source_are_not_also_reported(self, make_kb):
        text = 'source gone = "sources/gone.txt".\nprovision "19 U.S.C. 1508(a)" {\n  quote gone "anything"\n}\n'
        assert [d.code for d in check(make_kb, text)[0]] == ["missing-source"]

    @pytest.mark.parametrize("path", ["/etc/passwd", "../outside.txt", "sources/../../outside.txt", "sources/link.txt"])
    def test_a_source_outside_the_kb_folder_is_refused_and_not_read(self, make_kb, tmp_path, path):
        """A rule file could otherwise make `citelog coverage` print any file of the machine."""
        (tmp_path / "outside.txt").write_text("(a) Every importer shall keep entry records.\n", encoding="utf-8")
        text = kb_text("", after=f'source other = "{path}".\nnoise other "Every importer" note "read it".\n')
        root = make_kb(text)
        (root / "sources" / "link.txt").symlink_to(tmp_path / "outside.txt")
        diagnostics = diagnostics_of(root)
        d = only(diagnostics, "bad-source")
        assert at(d) == locate(text, "other =")
        assert d.message == (f"source file '{path}' is outside the KB folder (links followed): a source is a file "
                             "inside the KB folder, such as sources/law.txt")
        assert [x.code for x in diagnostics] == ["bad-source"]  # its noise is not checked against it

    def test_a_link_inside_the_kb_folder_is_a_source(self, make_kb):
        root = make_kb(kb_text("", after='source same = "sources/same.txt".\n'))
        (root / "sources" / "same.txt").symlink_to(root / "sources" / "law.txt")
        assert diagnostics_of(root) == []

    def test_a_source_that_is_no_regular_file_is_reported_at_its_declaration(self, make_kb):
        text = kb_text("", after='source pipe = "sources/pipe.txt".\n')
        root = make_kb(text)
        os.mkfifo(root / "sources" / "pipe.txt")
        d = only(diagnostics_of(root), "unreadable-file")
        assert at(d) == locate(text, "pipe =")
        assert d.message == "source file 'sources/pipe.txt': a named pipe, not a regular file: citelog reads only " \
                            "regular files"


class TestDeclarations:
    def test_bad_template(self, make_kb):
        text = kb_text("", after='predicate likes(A, B) reads "{A} likes {C}".\n')
        d = only(check(make_kb, text)[0], "bad-template")
        assert at(d) == locate(text, "likes(A, B)")
        assert "{C}" in d.message and "A, B" in d.message

    def test_good_template(self, make_kb):
        text = kb_text("", after='predicate likes(A, B) reads "{A} likes {B}".\n')
        assert check(make_kb, text)[0] == []


class TestTypes:
    def test_date_compared_with_integer(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _), 2023-01-01 < 5.\n")
        d = only(check(make_kb, text)[0], "type-mismatch")
        assert at(d) == locate(text, "2023-01-01 < 5")
        assert "cannot compare date with integer" in d.message

    def test_money_compared_with_integer(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _), $5 >= 3.\n")
        d = only(check(make_kb, text)[0], "type-mismatch")
        assert "money" in d.message and "integer" in d.message

    def test_date_arithmetic_compared_with_date_is_fine(self, make_kb):
        text = kb_text("  p(X) :- imports(X, _), 2023-01-01 + 30 < 2023-03-01.\n")
        assert check(make_kb, text)[0] == []


class TestFilesAndFolders:
    def test_missing_file(self, tmp_path):
        missing = tmp_path / "nope"
        (d,) = diagnostics_of(missing)
        assert d.code == "missing-file"
        assert d.position.path == str(missing)

    def test_empty_kb(self, tmp_path):
        (tmp_path / "notes.txt").write_text("not a rule file")
        (d,) = diagnostics_of(tmp_path)
        assert d.code == "empty-kb"
        assert d.position.path == str(tmp_path)
        assert "*.clog" in d.message

    def test_syntax_errors_of_every_file_are_reported(self, make_kb):
        root = make_kb(HEADER, name="a.clog")
        (root / "b.clog").write_text("p(a)\n", encoding="utf-8")
        (root / "c.clog").write_text("q(@).\n", encoding="utf-8")
        diagnostics = diagnostics_of(root)
        assert [(Path(d.position.path).name, d.code) for d in diagnostics] == [
            ("b.clog", "syntax-error"),
            ("c.clog", "syntax-error"),
        ]

    def test_bad_encoding_in_a_kb_folder(self, make_kb):
        root = make_kb(HEADER)
        (root / "z.clog").write_bytes(b"p(\xff).\n")
        (d,) = diagnostics_of(root)
        assert (d.code, Path(d.position.path).name, d.position.line, d.position.column) == ("bad-encoding", "z.clog", 1, 3)


class TestAllAtOnce:
    def test_three_errors_in_one_file_sorted_by_position(self, make_kb):
        text = kb_text(
            "  q(X, Y) :- imports(X, _).\n  p(X) :- import(X, _).\n",
            after="stray(1).\n",
        )
        diagnostics, _ = check(make_kb, text)
        assert [(d.code, at(d)) for d in diagnostics] == [
            ("unsafe-variable", locate(text, "Y) :-")),
            ("unknown-predicate", locate(text, "import(X")),
            ("orphan-rule", locate(text, "stray(1)")),
        ]

    def test_errors_across_files_are_sorted(self, make_kb):
        root = make_kb(kb_text("  p(X) :- importz(X, _).\n"), name="b.clog")
        (root / "a.clog").write_text('provision "bad citation" {\n  reconstructed "x"\n}\n', encoding="utf-8")
        diagnostics = diagnostics_of(root)
        assert [(Path(d.position.path).name, d.code) for d in diagnostics] == [
            ("a.clog", "bad-citation"),
            ("b.clog", "unknown-predicate"),
        ]

    def test_a_kb_inside_a_hidden_folder_loads_and_its_own_hidden_folders_are_skipped(self, make_kb):
        # pip installs the bundled KB under .venv/; an editor's backup folder in the KB is not read
        root = make_kb(kb_text("  p(X) :- imports(X, _).\n"), folder=".venv/kb")
        (root / ".backup").mkdir()
        (root / ".backup" / "old.clog").write_text("this is not a rule file", encoding="utf-8")
        assert diagnostics_of(root) == []
        assert citelog.load(root).program.defined_predicates()

    def test_check_error_carries_the_first_diagnostic(self, make_kb):
        root = make_kb(kb_text("  q(X, Y) :- imports(X, _).\n  p(X) :- import(X, _).\n"))
        with pytest.raises(citelog.CheckError) as caught:
            citelog.load(root)
        error = caught.value
        assert isinstance(error, citelog.CitelogError)
        assert error.code == "unsafe-variable"
        assert len(error.diagnostics) == 2
        assert str(error).count("error[") == 2


# ---- the check command ------------------------------------------------------------------------------

DIAGNOSTIC_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): error\[(?P<code>[a-z-]+)\]: (?P<msg>.+)$")


class TestCheckCommand:
    def test_bundled_kb_is_ok(self):
        result = run_cli("check", str(BUNDLED_KB))
        assert result.returncode == 0, result.stderr.decode()
        assert result.stdout.decode().startswith("ok")
        assert result.stderr == b""

    def test_default_kb_is_the_bundled_one(self, tmp_path):
        result = run_cli("check", cwd=tmp_path)
        assert result.returncode == 0, result.stderr.decode()
        assert "ok" in result.stdout.decode()

    def test_errors_are_listed_on_stderr(self, make_kb):
        text = kb_text("  q(X, Y) :- imports(X, _).\n  p(X) :- import(X, _).\n", after="stray(1).\n")
        root = make_kb(text)
        result = run_cli("check", str(root))
        assert result.returncode == 1
        err = result.stderr.decode()
        lines = [line for line in err.splitlines() if DIAGNOSTIC_LINE.match(line)]
        parsed = [DIAGNOSTIC_LINE.match(line) for line in lines]
        assert [(m["code"], int(m["line"]), int(m["col"])) for m in parsed] == [
            ("unsafe-variable", *locate(text, "Y) :-")),
            ("unknown-predicate", *locate(text, "import(X")),
            ("orphan-rule", *locate(text, "stray(1)")),
        ]
        assert all(Path(m["path"]).name == "rules.clog" for m in parsed)
        assert "did you mean 'imports'?" in err
        assert "Traceback" not in err and b"Traceback" not in result.stdout
        assert not result.stdout.decode().startswith("ok")

    @pytest.mark.parametrize(
        "content, code",
        [
            (b"p(a)\n", "syntax-error"),
            (b"p(@).\n", "syntax-error"),
            (b'p("abc).\n', "syntax-error"),
            (b"p(2023-02-30).\n", "bad-value"),
            (b'provision "19 U.S.C. 1508(a)" {\n', "syntax-error"),
            (b"p(\xe9).\n", "bad-encoding"),
            (b"\x00\x00binary", "bad-encoding"),
        ],
    )
    def test_bad_files_give_one_diagnostic_and_no_traceback(self, tmp_path, content, code):
        path = tmp_path / "bad.clog"
        path.write_bytes(content)
        result = run_cli("check", str(path))
        assert result.returncode == 1
        err = result.stderr.decode("utf-8", "replace")
        first = err.splitlines()[0]
        match = DIAGNOSTIC_LINE.match(first)
        assert match, err
        assert match["code"] == code
        assert Path(match["path"]).name == "bad.clog"
        assert int(match["line"]) >= 1 and int(match["col"]) >= 1
        assert "Traceback" not in err and b"Traceback" not in result.stdout

    def test_missing_path(self, tmp_path):
        result = run_cli("check", str(tmp_path / "nothing-here"))
        assert result.returncode == 1
        err = result.stderr.decode()
        assert "error[missing-file]" in err
        assert "Traceback" not in err
