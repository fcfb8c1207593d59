"""The rule language: every form a KB editor writes parses to the right surface and core nodes.

How the nodes become core rules is tested in test_desugar.py; how the parser reports a text that is
not in the language, and reads its values, in test_parser.py."""

from __future__ import annotations

import datetime

import pytest

from citelog import CheckError, Date, Money
from citelog.core import Atom, BinOp, Comparison, Negation
from citelog.parser import parse_atom, parse_module
from citelog.surface import (
    Clause,
    Conditions,
    Definition,
    Duty,
    Exception_,
    Membership,
    Param,
    Penalty,
    Power,
    Quote,
    Retention,
    SourceDecl,
    Within,
)

from conftest import A, C, V, in_provision, locate, only_form, statements_of


def reading_templates(decl) -> list[str]:
    """The `reads` templates of a declaration (one `reading`, or several `readings`)."""
    if hasattr(decl, "readings"):
        return [r.template for r in decl.readings]
    return [decl.reading] if decl.reading is not None else []


# ---- facts and terms ------------------------------------------------------------------------------


class TestFacts:
    def test_names_strings_ints_dates_money(self):
        form = only_form('fact(alice, "two words", 42, -7, 2023-01-31, $10,000, $12.50).')
        assert form == Clause(
            A(
                "fact",
                "alice",
                "two words",
                42,
                -7,
                Date(datetime.date(2023, 1, 31)),
                Money(1_000_000),
                Money(1250),
            ),
            (),
        )

    def test_value_types_are_exact(self):
        head_args = only_form("f(7, -7, 2024-02-29, $12.50, $1,234,567.89, abc).").head.args
        values = [a.value for a in head_args]
        assert [type(v) for v in values] == [int, int, Date, Money, Money, str]
        assert values[2] == Date(datetime.date(2024, 2, 29))
        assert values[4] == Money(123_456_789)

    def test_string_escapes(self):
        form = only_form(r'f("a \"quoted\" word", "back\\slash", "line\nbreak").')
        assert [a.value for a in form.head.args] == ['a "quoted" word', "back\\slash", "line\nbreak"]

    def test_string_may_span_lines_and_a_wrap_reads_as_one_space(self):
        form = only_form('f("first  \n  second", "third\\nfourth").')
        assert [a.value for a in form.head.args] == ["first second", "third\nfourth"]

    def test_bare_name_and_string_are_the_same_constant(self):
        assert only_form("f(acme).") == only_form('f("acme").')

    def test_zero_arity_fact(self):
        assert only_form("ok().") == Clause(Atom("ok", ()), ())

    def test_comments_are_ignored(self):
        module = parse_module("% a comment\nf(1). % another\n% last\n", "t.clog")
        assert [s.form for s in module.loose] == [Clause(A("f", 1), ())]

    def test_negative_operand_of_variable(self):
        form = only_form("p(Y) :- q(X), Y = -X.")
        assert form.body[1] == Comparison("==", V("Y"), BinOp("-", C(0), V("X")))


# ---- core rules ---------------------------------------------------------------------------------


class TestRules:
    def test_join(self):
        form = only_form("j(X, Z) :- e(X, Y), e(Y, Z).")
        assert form == Clause(A("j", V("X"), V("Z")), (A("e", V("X"), V("Y")), A("e", V("Y"), V("Z"))))

    def test_negation(self):
        form = only_form("good(X) :- n(X), not bad(X).")
        assert form.body == (A("n", V("X")), Negation(A("bad", V("X"))))

    @pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
    def test_comparisons(self, op):
        form = only_form(f"p(X) :- n(X), X {op} 3.")
        assert form.body[1] == Comparison(op, V("X"), C(3))

    def test_single_equals_is_equality(self):
        form = only_form("p(X, Y) :- n(X), Y = X.")
        assert form.body[1] == Comparison("==", V("Y"), V("X"))

    def test_arithmetic_precedence_and_parentheses(self):
        form = only_form("p(W) :- n(X), n(Y), W = (X + 1) * 2 - Y // 3.")
        expected = BinOp(
            "-",
            BinOp("*", BinOp("+", V("X"), C(1)), C(2)),
            BinOp("//", V("Y"), C(3)),
        )
        assert form.body[2] == Comparison("==", V("W"), expected)

    def test_multiplication_binds_tighter_than_addition(self):
        form = only_form("p(W) :- n(X), W = X + 2 * 3.")
        assert form.body[1].right == BinOp("+", V("X"), BinOp("*", C(2), C(3)))

    def test_subtraction_is_left_associative(self):
        form = only_form("p(W) :- n(X), W = X - 2 - 3.")
        assert form.body[1].right == BinOp("-", BinOp("-", V("X"), C(2)), C(3))

    def test_modulo(self):
        # `%` starts a comment, so the remainder is written `mod`, as in Prolog
        form = only_form("p(X, Y) :- n(X), Y = X mod 2.")
        assert form.body[1] == Comparison("==", V("Y"), BinOp("mod", V("X"), C(2)))

    def test_percent_after_an_expression_is_a_comment(self):
        form = only_form("p(X, Y) :- n(X),\n  Y = X mod 2 % the remainder\n  .")
        assert form.body[1] == Comparison("==", V("Y"), BinOp("mod", V("X"), C(2)))

    def test_mod_is_a_name_where_a_value_is_expected(self):
        form = only_form("p(mod).")
        assert form.head == A("p", C("mod"))

    def test_anonymous_variable(self):
        form = only_form("p(X) :- e(X, _), not f(_, X).")
        assert form.body == (A("e", V("X"), V("_")), Negation(A("f", V("_"), V("X"))))
        assert form.body[0].args[1].anonymous

    def test_date_arithmetic_literals(self):
        form = only_form("late(D) :- filed(F), D = F + 30, D > 2024-06-01.")
        assert form.body[1:] == (
            Comparison("==", V("D"), BinOp("+", V("F"), C(30))),
            Comparison(">", V("D"), C(Date(datetime.date(2024, 6, 1)))),
        )

    def test_query_atom(self):
        assert parse_atom('retention(R, 5, "years", T, _)') == A("retention", V("R"), 5, "years", V("T"), V("_"))


# ---- declarations and blocks --------------------------------------------------------------------


class TestDeclarations:
    def test_source(self):
        module = parse_module('source usc = "sources/law.txt".', "t.clog")
        assert module.sources == [SourceDecl("usc", "sources/law.txt")]

    def test_input_with_means_reads_and_typed_params(self):
        module = parse_module(
            'input imports(Person: string, Goods, When: date) means "m" reads "{Person} imports {Goods}".',
            "t.clog",
        )
        (decl,) = module.declarations
        assert (decl.name, decl.params, decl.meaning, decl.is_input) == (
            "imports",
            (Param("Person", "string"), Param("Goods"), Param("When", "date")),
            "m",
            True,
        )
        assert decl.key == ("imports", 3)
        assert reading_templates(decl) == ["{Person} imports {Goods}"]

    def test_input_needs_a_meaning(self):
        with pytest.raises(CheckError) as caught:
            parse_module("input imports(P, E).", "t.clog")
        assert caught.value.diagnostics[0].code == "syntax-error"
        assert "'means'" in caught.value.diagnostics[0].message

    def test_term_words(self):
        module = parse_module('term secretary reads "the Secretary".\nterm term reads "a \\"term\\"".', "t.clog")
        assert [(t.name, t.words, t.position.line) for t in module.terms] == [
            ("secretary", "the Secretary", 1), ("term", 'a "term"', 2)]

    def test_term_needs_its_words(self):
        with pytest.raises(CheckError) as caught:
            parse_module("term secretary.", "t.clog")
        assert caught.value.diagnostics[0].code == "syntax-error"
        assert "'reads'" in caught.value.diagnostics[0].message

    def test_predicate_with_and_without_text(self):
        module = parse_module(
            'predicate foo(A, B: money).\npredicate bar(X) means "meaning".\npredicate baz(X) reads "{X}!".',
            "t.clog",
        )
        assert [(d.name, d.params, d.meaning, d.is_input) for d in module.declarations] == [
            ("foo", (Param("A"), Param("B", "money")), None, False),
            ("bar", (Param("X"),), "meaning", False),
            ("baz", (Param("X"),), None, False),
        ]
        assert [reading_templates(d) for d in module.declarations] == [[], [], ["{X}!"]]

    def test_provision_block(self):
        module = parse_module(
            'provision "19 U.S.C. 1508(c)(3)" {\n'
            '  quote usc "records for any drawback claim"\n'
            '  quote usc "until the 3rd\n    anniversary"\n'
            '  note "first note"\n'
            "  p(1).\n"
            "}\n",
            "t.clog",
        )
        (provision,) = module.provisions
        assert provision.citation == "19 U.S.C. 1508(c)(3)"
        assert provision.quotes == [Quote("usc", "records for any drawback claim"), Quote("usc", "until the 3rd anniversary")]
        assert provision.reconstructed is None
        assert provision.notes == ["first note"]
        assert [s.form for s in provision.statements] == [Clause(A("p", 1), ())]
        assert provision.authority.kind == "statute"
        assert (provision.position.line, provision.position.column) == (1, 1)

    def test_reconstructed_provision_of_regulation(self):
        module = parse_module('provision "19 CFR 163.12(b)" {\n  reconstructed "gap in the source"\n}', "t.clog")
        (provision,) = module.provisions
        assert provision.reconstructed == "gap in the source"
        assert provision.quotes == []
        assert provision.authority.kind == "regulation"

    def test_interpretation_block(self):
        module = parse_module('interpretation mine {\n  note "why"\n  p(1).\n  q(X) :- p(X).\n}', "t.clog")
        (interpretation,) = module.interpretations
        assert interpretation.name == "mine"
        assert interpretation.note == "why"
        assert [s.form for s in interpretation.statements] == [
            Clause(A("p", 1), ()),
            Clause(A("q", V("X")), (A("p", V("X")),)),
        ]
        assert interpretation.authority.kind == "interpretation"

    def test_interpretation_requires_a_note(self):
        with pytest.raises(CheckError) as caught:
            parse_module("interpretation mine {\n  p(1).\n}", "t.clog")
        assert caught.value.diagnostics[0].code == "syntax-error"


# ---- legal statements ---------------------------------------------------------------------------


class TestStatements:
    def test_membership_if_unless_and_label(self):
        (statement,) = statements_of(in_provision("  [imp] P is an importer if imports(P, _) unless exempt(P)."))
        assert statement.label == "imp"
        assert statement.form == Membership(
            V("P"),
            "importer",
            Conditions((A("imports", V("P"), V("_")),), (A("exempt", V("P")),)),
        )

    def test_membership_with_a(self):
        (statement,) = statements_of(in_provision("  P is a drawback_claimant if files(P, _)."))
        assert statement.label is None
        assert statement.form.person_class == "drawback_claimant"

    def test_duty_with_several_actions(self):
        (statement,) = statements_of(in_provision("  importer must make, keep and render activity_records."))
        assert statement.form == Duty("importer", ("make", "keep", "render"), "activity_records", None, Conditions())

    @pytest.mark.parametrize(
        "text, within",
        [
            ("within 30 days after claim_made", Within(30, "days", "claim_made")),
            ("within 1 day from claim_made", Within(1, "days", "claim_made")),
            ("within 15 calendar days after request", Within(15, "calendar_days", "request")),
            ("within 2 years after entry", Within(2, "years", "entry")),
            ("within a reasonable time after notice", Within(0, "reasonable_time", "notice")),
        ],
    )
    def test_duty_within(self, text, within):
        (statement,) = statements_of(in_provision(f"  claimant must disclose existence {text}."))
        assert statement.form == Duty("claimant", ("disclose",), "existence", within, Conditions())

    def test_duty_with_condition(self):
        (statement,) = statements_of(in_provision("  claimant must keep recs if flag(yes)."))
        assert statement.form.conditions == Conditions((A("flag", "yes"),), ())

    @pytest.mark.parametrize(
        "text, expected",
        [
            ("keep recs for at least 5 years from signature.", Retention("recs", 5, "years", "signature", "at_least", Conditions())),
            ("keep recs for at most 2 years after entry.", Retention("recs", 2, "years", "entry", "at_most", Conditions())),
            ("keep recs for exactly 30 days from entry.", Retention("recs", 30, "days", "entry", "exactly", Conditions())),
            ("keep recs for at least 1 year from entry.", Retention("recs", 1, "years", "entry", "at_least", Conditions())),
            ("keep recs for at most 90 calendar days from entry.", Retention("recs", 90, "calendar_days", "entry", "at_most", Conditions())),
            ("keep recs until the 3rd anniversary of liquidation.", Retention("recs", 3, "anniversary", "liquidation", "until", Conditions())),
            ("keep recs until the 21st anniversary of birth.", Retention("recs", 21, "anniversary", "birth", "until", Conditions())),
            ("keep recs for the period prescribed by secretary.", Retention("recs", 0, "prescribed", "secretary", "as_prescribed", Conditions())),
        ],
    )
    def test_retention_forms(self, text, expected):
        (statement,) = statements_of(in_provision("  " + text))
        assert statement.form == expected

    def test_retention_with_conditions(self):
        (statement,) = statements_of(in_provision("  keep recs for at least 5 years from entry if a(1) unless b(2)."))
        assert statement.form.conditions == Conditions((A("a", 1),), (A("b", 2),))

    def test_power(self):
        (statement,) = statements_of(in_provision("  customs may adjust treatment if allowed(yes)."))
        assert statement.form == Power("customs", "adjust", "treatment", Conditions((A("allowed", "yes"),), ()))

    def test_define_including(self):
        (statement,) = statements_of(
            in_provision('  define associated_records as "records \\"associated\\"" including purchase_records, cost_records.')
        )
        assert statement.form == Definition(
            "associated_records", 'records "associated"', ("purchase_records", "cost_records")
        )

    def test_define_without_parts(self):
        (statement,) = statements_of(in_provision('  define records as "all records".'))
        assert statement.form == Definition("records", "all records", ())

    def test_penalty_with_cap(self):
        (statement,) = statements_of(in_provision("  failing to retain recs is liable to a civil_penalty not exceeding $10,000."))
        assert statement.form == Penalty("retain", "recs", "civil_penalty", Money(1_000_000), Conditions())

    def test_penalty_without_cap(self):
        (statement,) = statements_of(in_provision("  failing to keep recs is liable to an other_penalty."))
        assert statement.form == Penalty("keep", "recs", "other_penalty", None, Conditions())

    def test_penalty_cap_with_cents(self):
        (statement,) = statements_of(in_provision("  failing to keep recs is liable to fine not exceeding $12.50."))
        assert statement.form.cap == Money(1250)

    def test_exception(self):
        (statement,) = statements_of(in_provision("  exception to knowing if orders(P, M), not controls(P, M)."))
        assert statement.form == Exception_(
            "knowing", (A("orders", V("P"), V("M")), Negation(A("controls", V("P"), V("M"))))
        )

    def test_labels_on_any_statement(self):
        statements = statements_of(
            in_provision("  [one] keep recs for exactly 1 year from entry.\n  [two] customs may deny claims.\n  three(1).")
        )
        assert [s.label for s in statements] == ["one", "two", None]

    def test_statement_positions(self):
        text = in_provision("  p(1).\n    [lab] q(2).")
        statements = statements_of(text)
        assert [(s.position.line, s.position.column) for s in statements] == [locate(text, "p(1)"), locate(text, "[lab]")]

    def test_each_statement_starts_at_its_first_word(self):
        """The parser builds nodes as it reduces: a statement's position comes from the token that
        starts it, whichever form it has."""
        starts = ["[lab] normally p(X) if q(X).", "might ~p(X) if r(X).", "~p(X) :- s(X).", "P is a c if q(P).",
                  "c must keep recs.", "keep recs for at least 5 years from entry.", "customs may deny claims.",
                  'define recs as "records" including a, b.', "failing to keep recs is liable to a fine.",
                  "exception to lab if t(X).", '"19 U.S.C. 1508(b)" prevails over lab because lex_specialis.']
        text = in_provision("\n".join("  " * (n % 3 + 1) + start for n, start in enumerate(starts)))
        statements = statements_of(text)
        assert [(s.position.line, s.position.column) for s in statements] == [locate(text, s) for s in starts]

    def test_blocks_and_queries_start_at_their_keyword(self):
        text = 'p(a).\n  provision "19 U.S.C. 1508(a)" { reconstructed "x" p(b). }\n' \
               '   interpretation mine { note "n" q(X) :- p(X). }\n    query all means "all" asks p(X).\n'
        module = parse_module(text, "t.clog")
        found = [module.provisions[0].position, module.interpretations[0].position, module.queries[0].position]
        assert [(p.line, p.column) for p in found] == [locate(text, "provision"), locate(text, "interpretation"),
                                                         locate(text, "query")]
