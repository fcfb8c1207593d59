"""Desugaring (engine/desugar.py), the pass from the surface syntax to core rules: each legal
statement's rules, their ids and authority, and exceptions as negated defeaters."""

from __future__ import annotations

import pytest

from citelog import Money
from citelog.core import Comparison, Negation
from citelog.desugar import desugar
from citelog.names import INTERNAL
from citelog.parser import parse_module

from conftest import A, C, V, in_provision, locate


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
