"""The rule language: every form parses to the right AST, desugars to the right core rules, and
every kind of syntax error is reported with a code, a position and what was expected."""

from __future__ import annotations

import datetime

import pytest

from citelog import CheckError, Date, Money
from citelog.core import Atom, BinOp, Comparison, Const, Negation, Var
from citelog.desugar import desugar
from citelog.names import INTERNAL
from citelog.parser import parse_atom, parse_module, read_module
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

from conftest import locate


def V(name: str) -> Var:
    return Var(name)


def C(value) -> Const:
    return Const(value)


def A(predicate: str, *args) -> Atom:
    return Atom(predicate, tuple(a if isinstance(a, (Var, Const, BinOp)) else C(a) for a in args))


def only_form(text: str):
    """The form of the one statement of a text (outside any block)."""
    module = parse_module(text, "t.clog")
    assert len(module.loose) == 1, module
    return module.loose[0].form


def statements_of(text: str):
    module = parse_module(text, "t.clog")
    assert len(module.provisions) == 1
    return module.provisions[0].statements


def reading_templates(decl) -> list[str]:
    """The `reads` templates of a declaration (one `reading`, or several `readings`)."""
    if hasattr(decl, "readings"):
        return [r.template for r in decl.readings]
    return [decl.reading] if decl.reading is not None else []


def in_provision(body: str) -> str:
    return 'provision "19 U.S.C. 1508(a)" {\n  reconstructed "test"\n' + body + "\n}\n"


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

    def test_texts_parsed_in_threads_keep_their_own_paths_and_warnings(self):
        from concurrent.futures import ThreadPoolExecutor

        def parse(n: int):
            module = parse_module('p(a).\n' * n + f'q("x\u200by{n}").\n', f"f{n}.clog")
            return [str(w.position) for w in module.warnings], module.loose[-1].position.path

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(parse, range(1, 41)))
        assert results == [([f"f{n}.clog:{n + 1}:3"], f"f{n}.clog") for n in range(1, 41)]


# ---- desugaring ---------------------------------------------------------------------------------


def desugared(body: str, citation: str = "19 U.S.C. 1508(a)"):
    text = f'provision "{citation}" {{\n  reconstructed "test"\n{body}\n}}\n'
    program, diagnostics = desugar([parse_module(text, "t.clog")])
    assert diagnostics == []
    return program.rules


class TestDesugar:
    def test_membership(self):
        (rule,) = desugared("  [imp] P is an importer if imports(P, _).")
        assert rule.id == "imp"
        assert rule.head == A("is_a", V("P"), "importer")
        assert rule.body == (A("imports", V("P"), V("_")),)
        assert rule.authority.citation == "19 U.S.C. 1508(a)"
        assert rule.authority.kind == "statute"

    def test_unlabelled_statements_are_numbered_in_their_block(self):
        rules = desugared("  p(1).\n  q(2).", citation="19 CFR 163.4(a)")
        assert [r.id for r in rules] == ["19 CFR 163.4(a)#1", "19 CFR 163.4(a)#2"]
        assert {r.authority.kind for r in rules} == {"regulation"}

    def test_core_clause_keeps_head_and_body(self):
        (rule,) = desugared("  p(X) :- q(X), not r(X), X > 1.")
        assert rule.head == A("p", V("X"))
        assert rule.body == (A("q", V("X")), Negation(A("r", V("X"))), Comparison(">", V("X"), C(1)))

    def test_duty_with_several_actions_and_deadline(self):
        rules = desugared("  claimant must make and keep recs within 30 calendar days after claim.")
        assert [(r.id, r.head, r.body) for r in rules] == [
            ("19 U.S.C. 1508(a)#1/make", A("duty", "claimant", "make", "recs"), ()),
            ("19 U.S.C. 1508(a)#1/keep", A("duty", "claimant", "keep", "recs"), ()),
            ("19 U.S.C. 1508(a)#1/make/deadline", A("deadline", "claimant", "make", "recs", 30, "calendar_days", "claim"), ()),
            ("19 U.S.C. 1508(a)#1/keep/deadline", A("deadline", "claimant", "keep", "recs", 30, "calendar_days", "claim"), ()),
        ]

    def test_duty_single_action_reasonable_time(self):
        rules = desugared("  recordkeeper must notify steps within a reasonable time after notice.")
        assert [(r.id, r.head) for r in rules] == [
            ("19 U.S.C. 1508(a)#1", A("duty", "recordkeeper", "notify", "steps")),
            ("19 U.S.C. 1508(a)#1/deadline", A("deadline", "recordkeeper", "notify", "steps", 0, "reasonable_time", "notice")),
        ]

    @pytest.mark.parametrize(
        "text, head",
        [
            ("keep recs for at least 5 years from signature.", A("retention", "recs", 5, "years", "signature", "at_least")),
            ("keep recs for at most 5 years from entry.", A("retention", "recs", 5, "years", "entry", "at_most")),
            ("keep recs for exactly 30 days after entry.", A("retention", "recs", 30, "days", "entry", "exactly")),
            ("keep recs until the 3rd anniversary of liquidation.", A("retention", "recs", 3, "anniversary", "liquidation", "until")),
            ("keep recs for the period prescribed by secretary.", A("retention", "recs", 0, "prescribed", "secretary", "as_prescribed")),
        ],
    )
    def test_retention(self, text, head):
        (rule,) = desugared("  " + text)
        assert rule.head == head
        assert rule.body == ()

    def test_power_with_condition(self):
        (rule,) = desugared("  customs may adjust treatment if allowed(yes).")
        assert rule.head == A("power", "customs", "adjust", "treatment")
        assert rule.body == (A("allowed", "yes"),)

    def test_definition(self):
        rules = desugared('  define assoc as "associated records" including purchase_records, cost_records.')
        assert [(r.id, r.head) for r in rules] == [
            ("19 U.S.C. 1508(a)#1", A("defined", "assoc", "associated records")),
            ("19 U.S.C. 1508(a)#1/purchase_records", A("includes", "assoc", "purchase_records")),
            ("19 U.S.C. 1508(a)#1/cost_records", A("includes", "assoc", "cost_records")),
        ]

    def test_penalty_with_and_without_cap(self):
        rules = desugared(
            "  failing to retain recs is liable to a civil_penalty not exceeding $10,000.\n"
            "  failing to keep recs is liable to a fine."
        )
        assert [(r.id, r.head) for r in rules] == [
            ("19 U.S.C. 1508(a)#1", A("penalty", "retain", "recs", "civil_penalty")),
            ("19 U.S.C. 1508(a)#1/cap", A("penalty_cap", "retain", "recs", "civil_penalty", Money(1_000_000))),
            ("19 U.S.C. 1508(a)#2", A("penalty", "keep", "recs", "fine")),
        ]

    def test_unless_becomes_a_negated_defeater(self):
        rules = desugared("  [imp] P is an importer if imports(P, E) unless exempt(P).")
        by_id = {r.id: r for r in rules}
        assert set(by_id) == {"imp", "imp/unless"}
        target, defeater = by_id["imp"], by_id["imp/unless"]
        assert defeater.body == (A("exempt", V("P")),)
        assert INTERNAL in defeater.head.predicate
        assert defeater.head.args == (V("P"),)  # only the variable shared with the rule
        assert defeater.authority.citation == "19 U.S.C. 1508(a)"
        assert target.head == A("is_a", V("P"), "importer")
        assert target.body == (A("imports", V("P"), V("E")), Negation(defeater.head))

    def test_exception_to_label_defeats_the_labelled_rule(self):
        text = (
            'provision "19 U.S.C. 1508(a)(1)(B)" {\n  reconstructed "t"\n'
            "  [knowing] P is a knowing_causer if causes(P, M).\n}\n"
            'provision "19 U.S.C. 1508(d)" {\n  reconstructed "t"\n'
            "  exception to knowing if orders(P, M), not controls(P, M).\n}\n"
        )
        program, diagnostics = desugar([parse_module(text, "t.clog")])
        assert diagnostics == []
        by_id = {r.id: r for r in program.rules}
        target = by_id["knowing"]
        defeater = by_id["19 U.S.C. 1508(d)#1"]
        assert defeater.authority.citation == "19 U.S.C. 1508(d)"
        assert defeater.body == (A("orders", V("P"), V("M")), Negation(A("controls", V("P"), V("M"))))
        assert defeater.head.args == (V("P"), V("M"))
        assert INTERNAL in defeater.head.predicate
        assert target.authority.citation == "19 U.S.C. 1508(a)(1)(B)"
        assert target.body == (A("causes", V("P"), V("M")), Negation(defeater.head))

    def test_exception_defeats_every_rule_of_a_multi_action_duty(self):
        text = in_provision("  [keeping] importer must make and keep recs if flag(X).\n  exception to keeping if off(X).")
        program, diagnostics = desugar([parse_module(text, "t.clog")])
        assert diagnostics == []
        by_id = {r.id: r for r in program.rules}
        defeater = by_id["19 U.S.C. 1508(a)#2"]
        for rule_id in ("keeping/make", "keeping/keep"):
            assert by_id[rule_id].body == (A("flag", V("X")), Negation(defeater.head))

    def test_exception_to_unknown_label(self):
        text = in_provision("  exception to nowhere if p(X).")
        _, diagnostics = desugar([parse_module(text, "t.clog")])
        assert [d.code for d in diagnostics] == ["unknown-rule"]
        assert (diagnostics[0].position.line, diagnostics[0].position.column) == locate(text, "exception to")

    def test_interpretation_authority(self):
        text = 'interpretation mine {\n  note "why"\n  p(1).\n}\n'
        program, _ = desugar([parse_module(text, "t.clog")])
        (rule,) = program.rules
        assert (rule.id, rule.authority.kind, rule.authority.citation) == ("mine#1", "interpretation", "mine")


# ---- syntax errors --------------------------------------------------------------------------------


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
