"""Hints by example (engine/mistakes.py, grammar/mistakes.yaml): every example of every mistake gets
its own mistake's hint, in every context it is written for; realistic mistakes in a rule file or a
query get the right hint at the right place, and their corrections parse; correct texts and
unrelated errors get no hint; the examples are parsed once per process."""

from __future__ import annotations

import re

import pytest
from lark import Lark
from lark.exceptions import UnexpectedToken

from citelog import CheckError, mistakes, resources
from citelog.parser import _recogniser, parse_atom, parse_module

from conftest import run_cli

CATALOGUE = mistakes.catalogue()
BY_NAME = {mistake.name: mistake for mistake in CATALOGUE.mistakes}
EXAMPLES = [(mistake, context, text) for mistake in CATALOGUE.mistakes for context, example in mistake.examples
            for text in CATALOGUE.variants(context, example)]
MARK = "▸"  # where a realistic case's error is reported


def diagnostic(text: str, query: bool = False):
    with pytest.raises(CheckError) as caught:
        parse_atom(text) if query else parse_module(text, "law.clog")
    (found,) = caught.value.diagnostics
    return found


def hint_of(message: str) -> str | None:
    """The hint of a syntax error's message: what follows 'unexpected X: ', before '; expected'."""
    found = re.fullmatch(r"unexpected (?:end of input|'.*?'): (.*?)(?:; expected .*)?", message)
    return found.group(1) if found else None


def pattern(mistake: mistakes.Mistake) -> str:
    """A mistake's message as a regular expression: {token} and {before} stand for any text."""
    return re.escape(mistake.message).replace(re.escape("{token}"), ".+").replace(re.escape("{before}"), ".+")


# ---- the catalogue ---------------------------------------------------------------------------------------


def test_the_catalogue_is_well_formed():
    names = [mistake.name for mistake in CATALOGUE.mistakes]
    assert len(names) == len(set(names)) and all(mistake.examples for mistake in CATALOGUE.mistakes)
    assert all(mistakes.HERE in text for texts in CATALOGUE.contexts.values() for text in texts)
    terminals = {t.name for t in _recogniser("start").terminals if len(t.name) > 1} | {"$END"}  # not A, a variable
    for mistake in CATALOGUE.mistakes:
        # the hint is read by a lawyer: words, not the parser's names of tokens
        assert not terminals & set(re.findall(r"[\w$]+", mistake.message)), mistake.name


@pytest.mark.parametrize("mistake, context, text", EXAMPLES,
                         ids=[f"{m.name}/{context}/{i}" for i, (m, context, _) in enumerate(EXAMPLES)])
def test_every_example_gets_its_mistakes_hint(mistake, context, text):
    found = diagnostic(text, query=context == mistakes.QUERY)
    assert found.code == "syntax-error"
    assert re.fullmatch(pattern(mistake), hint_of(found.message) or ""), found


# ---- realistic mistakes ------------------------------------------------------------------------------------

HEAD = ('source usc1508 = "sources/19-usc-1508.txt".\n'
        'input imports(Party, Entry) means "Party imports under Entry".\n\n')
QUOTE = '  quote usc1508 "shall make, keep, and render for examination and inspection records"\n'


def rules(body: str, citation: str = "19 U.S.C. 1508(a)(1)") -> str:
    """A rule file with one provision whose statements are `body`."""
    return f'{HEAD}provision "{citation}" {{\n{QUOTE}{body}}}\n'


MISSING_DOT = rules("  P is an importer if imports(P, _), not exempt(P)\n  ▸importer must keep entry_records.\n")
# (mistake, the text with MARK where the error is, the text corrected)
REALISTIC = [
    ("stray-brace",
     rules("  P is an importer if imports(P, _).\n}\n  importer must keep entry_records.\n▸"),
     rules("  P is an importer if imports(P, _).\n  importer must keep entry_records.\n")),
    ("missing-brace",
     f'{HEAD}provision "19 U.S.C. 1508(a)(1)"\n{QUOTE.replace("  quote", "  ▸quote")}  importer must keep entry_records.\n}}\n',
     rules("  importer must keep entry_records.\n")),
    ("outside-provision",
     rules("  importer must keep entry_records.\n") + 'quote ▸usc1508 "any person"\n',
     rules("  importer must keep entry_records.\n")),
    ("outside-provision",
     rules("  importer must keep entry_records.\n  note ▸\"the records of (a)(1)(A)\"\n"),
     rules('  importer must keep entry_records.\n').replace(QUOTE, QUOTE + '  note "the records of (a)(1)(A)"\n')),
    ("quote-without-source",
     rules('  quote ▸"any person"\n  importer must keep entry_records.\n'),
     rules('  quote usc1508 "any person"\n  importer must keep entry_records.\n')),
    ("reserved-word",
     rules("  keep▸(entry_records).\n"),
     rules("  kept(entry_records).\n")),
    ("declaration-in-block",
     rules("  importer must keep entry_records.\n  ▸term importer reads \"an importer\".\n"),
     rules("  importer must keep entry_records.\n") + 'term importer reads "an importer".\n'),
    ("declaration-first-in-block",
     rules("  predicate ▸keeps(Person, Records).\n  importer must keep entry_records.\n"),
     'predicate keeps(Person, Records).\n' + rules("  importer must keep entry_records.\n")),
    ("verb-of-statement",
     rules("  importer ▸shall keep entry_records.\n"),
     rules("  importer must keep entry_records.\n")),
    ("membership-without-article",
     rules("  P is ▸importer if imports(P, _).\n"),
     rules("  P is an importer if imports(P, _).\n")),
    ("capitalised-predicate",
     rules("  P is an importer if Imports▸(P, _).\n"),
     rules("  P is an importer if imports(P, _).\n")),
    ("capitalised-query",
     'query importers means "who imports" asks ▸Imports(P, E).\n',
     'query importers means "who imports" asks imports(P, E).\n'),
    ("missing-dot", MISSING_DOT,
     rules("  P is an importer if imports(P, _), not exempt(P).\n  importer must keep entry_records.\n")),
    ("missing-dot",
     rules("  [two] normally ~exempt(P) if imports(P, E), E > 2024-01-01\n▸"),
     rules("  [two] normally ~exempt(P) if imports(P, E), E > 2024-01-01.\n")),
    ("missing-dot",
     HEAD + 'predicate exempt(Party)\n  means "Party is exempt"\n\n▸input exported(Party) means "Party exports".\n',
     HEAD + 'predicate exempt(Party)\n  means "Party is exempt".\n\ninput exported(Party) means "Party exports".\n'),
    ("and-between-actions",
     rules("  importer must make and keep and ▸render entry_records.\n"),
     rules("  importer must make, keep and render entry_records.\n")),
    ("and-in-including",
     rules('  define entry_records as "records of entry" including invoices, receipts ▸and ledgers.\n'),
     rules('  define entry_records as "records of entry" including invoices, receipts, ledgers.\n')),
    ("period-in-duty",
     rules("  importer must keep entry_records ▸for at least 5 years from entry.\n"),
     rules("  importer must keep entry_records.\n  keep entry_records for at least 5 years from entry.\n")),
    ("name-in-words",
     rules("  importer must keep entry ▸records.\n"),
     rules("  importer must keep entry_records.\n")),
    ("name-in-words",
     rules("  keep entry_records for at least 5 years from date ▸of_entry.\n"),
     rules("  keep entry_records for at least 5 years from date_of_entry.\n")),
    ("and-between-conditions",
     rules("  P is an importer if imports(P, E), E > 3 ▸and not exempt(P).\n"),
     rules("  P is an importer if imports(P, E), E > 3, not exempt(P).\n")),
    ("or-between-conditions",
     rules("  imported(P) :- imports(P, _) ▸or exports(P, _).\n"),
     rules("  imported(P) :- imports(P, _).\n  imported(P) :- exports(P, _).\n")),
    ("not-before-comparison",
     rules("  late(P) :- imports(P, D), not ▸D > 2024-01-01.\n"),
     rules("  late(P) :- imports(P, D), D <= 2024-01-01.\n")),
    ("two-comparison-signs",
     rules("  late(P) :- imports(P, D), D =▸> 2024-01-01.\n"),
     rules("  late(P) :- imports(P, D), D >= 2024-01-01.\n")),
    ("one-equals-sign",
     HEAD + 'predicate exempt(Party, Kind) means "m"\n  reads "{Party} is exempt" when Kind =▸= full.\n',
     HEAD + 'predicate exempt(Party, Kind) means "m"\n  reads "{Party} is exempt" when Kind = full.\n'),
    ("rule-arrow-after-legal-statement",
     rules("  P is an importer ▸:- imports(P, _).\n"),
     rules("  P is an importer if imports(P, _).\n")),
    ("conditions-on-definition",
     rules('  define entry_records as "records of entry" ▸if imports(_, _).\n'),
     rules('  define entry_records as "records of entry".\n')),
    ("conditions-on-named-query",
     'query importers means "who imports" asks imports(P, E) ▸:- exempt(P).\n',
     'query importers means "who imports" asks exempt_importer(P, E).\n'),
    ("period-without-event",
     rules("  keep entry_records for at least 5 years▸.\n"),
     rules("  keep entry_records for at least 5 years from entry.\n")),
    ("period-without-event",
     rules("  claimant must disclose certificate_existence within 30 days ▸claim_made.\n"),
     rules("  claimant must disclose certificate_existence within 30 days after claim_made.\n")),
    ("duty-without-records",
     rules("  importer must make, keep and render▸.\n"),
     rules("  importer must make, keep and render entry_records.\n")),
    ("duty-records-read-as-keyword",
     rules("  importer must keep if ▸imports(P, _).\n"),
     rules("  importer must keep entry_records if imports(P, _).\n")),
    ("comma-after-last",
     rules("  P is an importer if imports(P, _), ▸.\n"),
     rules("  P is an importer if imports(P, _).\n")),
    ("comma-after-last",
     rules("  importer(P) :- imports(P, E,▸).\n"),
     rules("  importer(P) :- imports(P, E).\n")),
    ("missing-comma",
     rules("  importer(P) :- imports(P ▸E).\n"),
     rules("  importer(P) :- imports(P, E).\n")),
]
QUERIES = [  # (mistake, the query with MARK, corrected)
    ("capitalised-query", "▸Duty(C, keep, R)", "duty(C, keep, R)"),
    ("comma-after-last", "duty(C, keep, R,▸)", "duty(C, keep, R)"),
    ("missing-comma", "duty(C, keep ▸R)", "duty(C, keep, R)"),
]


def place(text: str) -> tuple[str, int, int]:
    """The text without MARK, and the line and column of MARK."""
    at = text.index(MARK)
    return text.replace(MARK, ""), text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)


@pytest.mark.parametrize("name, wrong, right", REALISTIC + [(n, w, r) for n, w, r in QUERIES],
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(REALISTIC + QUERIES)])
def test_a_realistic_mistake_gets_its_hint_where_it_is_noticed(name, wrong, right):
    query = (name, wrong, right) in QUERIES
    text, line, column = place(wrong)
    found = diagnostic(text, query)
    assert (found.position.line, found.position.column) == (line, column), found
    assert re.fullmatch(pattern(BY_NAME[name]), hint_of(found.message) or ""), found
    parse_atom(right) if query else parse_module(right, "law.clog")  # the correction parses


def test_every_mistake_has_a_realistic_case():
    assert {name for name, _, _ in REALISTIC + QUERIES} == set(BY_NAME)


def test_the_message_keeps_what_was_found_and_expected():
    found = diagnostic(place(MISSING_DOT)[0])
    assert found.message == ("unexpected 'importer': the statement before it may be missing its final '.'; "
                             "expected ',', '.', 'unless'")
    words = diagnostic(rules("  keep(entry_records).\n"))
    assert words.message == ("unexpected '(': 'keep' is a reserved word: it cannot start a statement as a predicate "
                             "name (docs/LANGUAGE.md); expected a name")


# ---- the bundled KB, with mistakes made in it ------------------------------------------------------------

KB_FILES = sorted(resources.bundled_kb().glob("*.clog"))


def items_of(path) -> list[tuple[str, list[int]]]:
    """The items of a bundled rule file (declarations, blocks), each with where its '.'s are, so that
    a mistake made in one is parsed in that item and the next, not the whole file."""
    text = path.read_text(encoding="utf-8")
    items, start, depth, dots = [], 0, 0, []
    for token in _recogniser("start").parse_interactive(text).iter_parse():
        depth += {"LBRACE": 1, "RBRACE": -1}.get(token.type, 0)
        if token.type == "DOT":
            dots.append(token.start_pos - start)
        if depth == 0 and token.type in ("DOT", "RBRACE"):
            items.append((text[start:token.end_pos], dots))
            start, dots = token.end_pos, []
    return items


@pytest.mark.parametrize("path", KB_FILES, ids=[p.name for p in KB_FILES])
def test_every_statement_of_the_bundled_kb_without_its_dot_gets_the_hint(path):
    items = items_of(path)
    for (item, dots), (following, _) in zip(items, items[1:] + [("", [])]):
        for dot in dots:
            found = diagnostic(item[:dot] + item[dot + 1:] + following)
            assert hint_of(found.message) == BY_NAME["missing-dot"].message, found


@pytest.mark.parametrize("path", KB_FILES, ids=[p.name for p in KB_FILES])
def test_a_brace_too_many_after_any_item_of_the_bundled_kb_gets_the_hint(path):
    for item, _ in items_of(path):
        found = diagnostic(item + "\n}")
        assert hint_of(found.message) == BY_NAME["stray-brace"].message, found


# ---- no hint where none fits ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "p(a) q(b).",  # on the same line: a missing ',' as likely as a missing '.'
    "x(P) :- q(P) r(P).",
    "x(P) :- q(P)).",  # a stray ')' where '.' could come
    "x(P) :- q(P) \"s\".",
    "x(P) :- q(P) if r(P).",
    "P is a.",
    "keep r for 5 weeks from e.",
    "interpretation mine {\n  p(a).\n}",  # an interpretation's note is missing
    "p(X) :- X = .",
    "input imports(P, E).",
])
def test_an_unrelated_error_gets_no_hint(text):
    found = diagnostic(text)
    assert found.code == "syntax-error" and hint_of(found.message) is None, found


@pytest.mark.parametrize("text, not_this", [
    ("p(a) q(b).", "missing-dot"),  # the word does not start a line
    ("p(X) :- q(X)\nand r(X).", "missing-dot"),  # 'and' starts the line, but only 'and' gets its hint
    ("p(X) :- q(X) either r(X).", "or-between-conditions"),  # not 'or'
    ("p(X) :- q(X) andalso r(X).", "and-between-conditions"),
    ("importer shall keep r.", "name-in-words"),
    ("importer must keep records imports(P).", "duty-records-read-as-keyword"),  # after 'records', not 'if'
    ("law \"x\".", "outside-provision"),  # a string after a name that is not quote, note or reconstructed
])
def test_a_hint_is_not_given_where_its_conditions_do_not_hold(text, not_this):
    found = diagnostic(text)
    assert not re.fullmatch(pattern(BY_NAME[not_this]), hint_of(found.message) or ""), found


def test_correct_texts_get_no_error():
    for _, _, right in REALISTIC:
        parse_module(right, "law.clog")
    for path in resources.bundled_kb().glob("*.clog"):
        parse_module(path.read_text(encoding="utf-8"), path.name)


# ---- the examples, once per process ------------------------------------------------------------------------


def test_the_examples_are_parsed_once_per_process(monkeypatch):
    recogniser = _recogniser("start")
    diagnostic("p(a)\nq(b).")  # the examples are parsed, if no error did it before
    calls = []
    real_parse = recogniser.parse
    monkeypatch.setattr(recogniser, "parse", lambda text, *a, **k: calls.append(text) or real_parse(text, *a, **k))
    for text in ("p(a)\nq(b).", "p(X) :- q(X) and r(X).", "keep(r)."):
        assert hint_of(diagnostic(text).message)
    # none of the examples again; the text itself only if the parser that raised the error numbers its states
    # otherwise than the recogniser (with no cache of the parse tables to share)
    assert set(calls) <= {"p(a)\nq(b).", "p(X) :- q(X) and r(X).", "keep(r)."}


def test_an_error_from_a_parser_with_other_state_numbers_gets_the_same_hint():
    """A parser built apart (without Lark's cache) may number its states otherwise: its error is
    parsed again by the recogniser before it is compared with the examples."""
    other = Lark(resources.grammar_text(), parser="lalr", start="start", maybe_placeholders=False)
    text = rules("  P is an importer if imports(P, _) and not exempt(P).\n")
    with pytest.raises(UnexpectedToken) as caught:
        other.parse(text)
    assert mistakes.hint(caught.value, text, _recogniser("start")) == BY_NAME["and-between-conditions"].message


def test_without_the_cache_of_parse_tables_the_hint_is_the_same(tmp_path):
    path = tmp_path / "law.clog"
    path.write_text(place(MISSING_DOT)[0], encoding="utf-8")
    result = run_cli("check", str(path), env={"CITELOG_CACHE": "0"})
    assert result.returncode == 1
    assert b"unexpected 'importer': the statement before it may be missing its final '.'" in result.stderr


@pytest.fixture
def catalogue_file(tmp_path, monkeypatch):
    """A catalogue of one's own, in place of grammar/mistakes.yaml, for this test only."""
    path = tmp_path / "mistakes.yaml"
    monkeypatch.setattr(resources, "mistakes_path", lambda: path)
    for cached in (mistakes.catalogue, mistakes._examples):
        cached.cache_clear()
    yield path
    for cached in (mistakes.catalogue, mistakes._examples):
        cached.cache_clear()


@pytest.mark.parametrize("examples, says", [
    ('{rules: ["p(a)."]}', "an example of broken parses: 'p(a).'"),
    ('{rules: ["p(@)."]}', "an example of broken stops at a character the grammar has no token for (1:3)"),
    ('{nowhere: ["p(a)"]}', "mistake broken uses the unknown context(s) ['nowhere']"),
])
def test_a_broken_catalogue_says_which_example_is_wrong(catalogue_file, examples, says):
    catalogue_file.write_text(f'contexts: {{rules: ["<here>"]}}\natoms: []\nmistakes:\n'
                              f'  - {{name: broken, message: "m", examples: {examples}}}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(says)):
        mistakes.hint(_first_error("p(a)\nq(b)."), "p(a)\nq(b).", _recogniser("start"))


def _first_error(text: str) -> UnexpectedToken:
    with pytest.raises(UnexpectedToken) as caught:
        _recogniser("start").parse(text)
    return caught.value


def test_the_catalogue_is_read_once_then_from_the_cache_of_builds(catalogue_file, monkeypatch):
    catalogue_file.write_text('contexts: {rules: ["<here>"]}\natoms: []\nmistakes:\n'
                              '  - {name: one, message: "m", examples: {rules: ["p(a)"]}}\n', encoding="utf-8")
    read = mistakes.catalogue()
    assert [m.name for m in read.mistakes] == ["one"]
    mistakes.catalogue.cache_clear()
    monkeypatch.setattr(mistakes.yaml, "safe_load", lambda text: pytest.fail("read again"))
    assert mistakes.catalogue() == read  # from the cache
    catalogue_file.write_text(catalogue_file.read_text(encoding="utf-8").replace("one", "two"), encoding="utf-8")
    mistakes.catalogue.cache_clear()
    with pytest.raises(pytest.fail.Exception, match="read again"):
        mistakes.catalogue()  # a changed file is read again
