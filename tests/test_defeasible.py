"""Defeasible reasoning (docs/LANGUAGE.md, "Defeasible rules"): the textbook theories against the
conclusions the literature gives them, the checks of a theory, and how explanations show what
defeated what.

The theories are those of Nute, and of Antoniou, Billington, Governatori and Maher ("Representation
results for defeasible logic", ACM TOCL 2001; "A flexible framework for defeasible logics", AAAI
2000): Tweety and the penguin, the Nixon diamond (with the extension that tells ambiguity blocking
from ambiguity propagation), the injured bird that strictly cannot fly, the platypus of team
defeat, and a defeater.
"""

from __future__ import annotations

import json

import pytest

import citelog
from citelog.conflicts import unresolved
from citelog.knowledge_base import KnowledgeBase
from citelog.pipeline import build_plain

from conftest import diagnostics_of, locate


def conclusions(facts: dict, rules: list[str]) -> dict[str, set[tuple]]:
    return citelog.evaluate(facts, rules)


def holds(model: dict, literal: str, *values) -> bool:
    return tuple(values) in model.get(literal, set())


# ---- the textbook theories ----------------------------------------------------------------------------------

TWEETY = [
    "[birds_fly] normally flies(X) if bird(X).",
    "[penguins_do_not] normally ~flies(X) if penguin(X).",
    'penguins_do_not prevails over birds_fly because "a penguin is a bird of a special kind".',
]


class TestTweety:
    def test_the_specific_rule_prevails(self):
        model = conclusions({"bird": [("tweety",), ("polly",)], "penguin": [("tweety",)]}, TWEETY)
        assert model["flies"] == {("polly",)}
        assert model["¬flies"] == {("tweety",)}

    def test_without_the_superiority_neither_conclusion_follows(self):
        model = conclusions({"bird": [("tweety",)], "penguin": [("tweety",)]}, TWEETY[:2])
        assert model["flies"] == set() and model["¬flies"] == set()

    def test_a_rule_that_does_not_apply_does_not_attack(self):
        model = conclusions({"bird": [("polly",)], "penguin": []}, TWEETY[:2])
        assert model["flies"] == {("polly",)} and model["¬flies"] == set()

    def test_negative_conclusions_are_written_with_either_sign(self):
        rules = [TWEETY[0], "[penguins_do_not] normally ¬flies(X) if penguin(X).", TWEETY[2]]
        model = conclusions({"bird": [("tweety",)], "penguin": [("tweety",)]}, rules)
        assert model["¬flies"] == {("tweety",)}


NIXON = [
    "[quakers] normally pacifist(X) if quaker(X).",
    "[republicans] normally ~pacifist(X) if republican(X).",
    "[republicans_football] normally football_fan(X) if republican(X).",
    "[pacifists_not_football] normally ~football_fan(X) if pacifist(X).",
]


class TestNixonDiamond:
    def test_the_conflict_blocks_both_conclusions(self):
        model = conclusions({"quaker": [("nixon",)], "republican": [("nixon",)]}, NIXON[:2])
        assert model["pacifist"] == set() and model["¬pacifist"] == set()

    def test_ambiguity_blocking_a_blocked_conclusion_attacks_nothing(self):
        # with ambiguity propagation football_fan(nixon) would not follow: pacifist(nixon) is
        # "supported"; with ambiguity blocking (this variant) it is not provable, so the rule
        # pacifists_not_football does not apply and football_fan(nixon) follows
        model = conclusions({"quaker": [("nixon",)], "republican": [("nixon",)]}, NIXON)
        assert model["football_fan"] == {("nixon",)} and model["¬football_fan"] == set()

    def test_a_quaker_who_is_not_a_republican_is_a_pacifist(self):
        model = conclusions({"quaker": [("fox",)], "republican": []}, NIXON)
        assert model["pacifist"] == {("fox",)} and model["¬football_fan"] == {("fox",)}

    def test_the_conflict_is_flagged_with_both_rules(self):
        program = build_plain(NIXON[:2], {"quaker": 1, "republican": 1})
        kb = KnowledgeBase(program)
        kb.add_facts({"quaker": [("nixon",), ("fox",)], "republican": [("nixon",)]})
        (conflict,) = unresolved(kb)
        assert (conflict.predicate, conflict.values) == ("pacifist", ("nixon",))
        assert [r.id for r in conflict.for_] == ["quakers"] and [r.id for r in conflict.against] == ["republicans"]


INJURED = [
    "[birds_fly] normally flies(X) if bird(X).",
    "[injured_cannot] ~flies(X) :- injured(X).",
]


class TestInjuredBird:
    def test_a_strict_conclusion_is_not_defeated(self):
        model = conclusions({"bird": [("tweety",), ("polly",)], "injured": [("tweety",)]}, INJURED)
        assert model["¬flies"] == {("tweety",)} and model["flies"] == {("polly",)}

    def test_not_even_by_a_superior_defeasible_rule(self):
        rules = INJURED + ['birds_fly prevails over injured_cannot because "the analyst prefers it".']
        model = conclusions({"bird": [("tweety",)], "injured": [("tweety",)]}, rules)
        assert model["¬flies"] == {("tweety",)} and model["flies"] == set()

    def test_a_strict_rule_over_a_defeasible_conclusion_can_be_defeated(self):
        # the strict rule applies defeasibly only: its body is a defeasible conclusion
        rules = ["[penguins] normally penguin_like(X) if bird(X).",
                 "[grounded] ~flies(X) :- penguin_like(X).",
                 "[birds_fly] normally flies(X) if bird(X).",
                 'birds_fly prevails over grounded because "for the test".']
        model = conclusions({"bird": [("b",)]}, rules)
        assert model["flies"] == {("b",)} and model["¬flies"] == set()

    def test_a_strict_chain_from_facts_is_strict(self):
        rules = ["[penguins_are_birds] bird(X) :- penguin(X).", "[birds_fly] normally flies(X) if bird(X).",
                 "[grounded] ~flies(X) :- penguin(X), injured(X)."]
        model = conclusions({"penguin": [("p",), ("q",)], "injured": [("q",)]}, rules)
        assert model["flies"] == {("p",)} and model["¬flies"] == {("q",)}


PLATYPUS = [
    "[monotremes] normally mammal(X) if monotreme(X).",
    "[furry] normally mammal(X) if has_fur(X).",
    "[egg_layers] normally ~mammal(X) if lays_eggs(X).",
    "[billed] normally ~mammal(X) if has_bill(X).",
    'monotremes prevails over egg_layers because "for the test".',
    'furry prevails over billed because "for the test".',
]
PLATYPUS_FACTS = {"monotreme": [("platypus",)], "has_fur": [("platypus",)], "lays_eggs": [("platypus",)],
                  "has_bill": [("platypus",)]}


class TestTeamDefeat:
    def test_each_attacker_beaten_by_some_member_of_the_team(self):
        model = conclusions(PLATYPUS_FACTS, PLATYPUS)
        assert model["mammal"] == {("platypus",)} and model["¬mammal"] == set()

    def test_an_attacker_that_no_member_beats_blocks_the_conclusion(self):
        model = conclusions(PLATYPUS_FACTS, PLATYPUS[:5])
        assert model["mammal"] == set() and model["¬mammal"] == set()


class TestDefeaters:
    RULES = ["[birds_fly] normally flies(X) if bird(X).",
             "[heavy] might ~flies(X) if heavy(X).",
             "[trained] normally flies(X) if trained(X).",
             'trained prevails over heavy because "for the test".']

    def test_a_defeater_blocks_without_proving_the_opposite(self):
        model = conclusions({"bird": [("b",)], "heavy": [("b",)], "trained": []}, self.RULES)
        assert model["flies"] == set() and "¬flies" not in model  # a defeater concludes nothing

    def test_a_superior_rule_overrides_a_defeater(self):
        model = conclusions({"bird": [("c",)], "heavy": [("c",)], "trained": [("c",)]}, self.RULES)
        assert model["flies"] == {("c",)}

    def test_a_defeater_is_not_a_conflict_to_flag(self):
        program = build_plain(self.RULES, {"bird": 1, "heavy": 1, "trained": 1})
        kb = KnowledgeBase(program)
        kb.add_facts({"bird": [("b",)], "heavy": [("b",)]})
        assert unresolved(kb) == []


class TestLiteralsInBodies:
    def test_a_negative_conclusion_as_a_condition(self):
        rules = TWEETY + ["walks(X) :- bird(X), ~flies(X)."]
        model = conclusions({"bird": [("tweety",), ("polly",)], "penguin": [("tweety",)]}, rules)
        assert model["walks"] == {("tweety",)}

    def test_negation_as_failure_of_a_defeasible_conclusion(self):
        rules = TWEETY[:2] + ["undecided(X) :- bird(X), not flies(X), not ~flies(X)."]
        model = conclusions({"bird": [("tweety",), ("polly",)], "penguin": [("tweety",)]}, rules)
        assert model["undecided"] == {("tweety",)}

    def test_defeasible_facts(self):
        model = conclusions({"exempt": [("b",)]}, ["normally open(a).", "normally open(b).", "~open(X) :- exempt(X)."])
        assert model["open"] == {("a",)} and model["¬open"] == {("b",)}

    def test_two_rules_of_one_line_are_kept_apart(self):
        # loose statements on one line share an id: the rule against flies must not apply as the one for it
        model = conclusions({"bird": [("b",)], "penguin": []},
                            ["normally flies(X) if bird(X). normally ~flies(X) if penguin(X)."])
        assert model["flies"] == {("b",)} and model["¬flies"] == set()

    def test_a_program_without_defeasible_forms_compiles_as_before(self):
        program = build_plain(["p(X) :- q(X).", "r(X) :- q(X), not p(X)."], {"q": 1})
        assert [str(rule) for rule in program.rules] == ["p(X) :- q(X).", "r(X) :- q(X), not p(X)."]


# ---- the checks of a theory -----------------------------------------------------------------------------------

SOURCE = {"law.txt": "(a) Birds fly. (b) Penguins do not fly. (c) Injured birds cannot fly.\n"}
HEAD = """\
source law = "sources/law.txt".
input bird(X) means "X is a bird" reads "{X} is a bird".
input penguin(X) means "X is a penguin" reads "{X} is a penguin".
input injured(X) means "X is injured" reads "{X} is injured".
predicate flies(X) means "X flies" reads "{X} flies".
provision "99 U.S.C. 1(a)" {
  quote law "(a) Birds fly."
  [birds_fly] normally flies(X) if bird(X).
}
provision "99 U.S.C. 1(b)" {
  quote law "(b) Penguins do not fly."
  [penguins_do_not] normally ~flies(X) if penguin(X).
}
provision "99 CFR 1(c)" {
  quote law "(c) Injured birds cannot fly."
  [injured_cannot] might ~flies(X) if injured(X).
}
"""


def ordered(*statements: str) -> str:
    """Superiority statements in an interpretation block (the analyst's reading)."""
    return 'interpretation order {\n  note "for the test"\n' + "".join(f"  {s}\n" for s in statements) + "}\n"


def only(diagnostics, code):
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, diagnostics
    return found[0]


def at(diagnostic) -> tuple[int, int]:
    return diagnostic.position.line, diagnostic.position.column


class TestChecks:
    def test_a_circular_superiority(self, make_kb):
        text = HEAD + ('interpretation order {\n  note "for the test"\n'
                       '  penguins_do_not prevails over birds_fly because lex_specialis.\n'
                       '  birds_fly prevails over penguins_do_not because "the analyst says so".\n}\n')
        found = [d for d in diagnostics_of(make_kb(text, sources=SOURCE)) if d.code == "superiority-cycle"]
        assert [at(d) for d in found] == [locate(text, "penguins_do_not prevails"), locate(text, "birds_fly prevails")]
        assert "circular" in found[0].message and "birds_fly, penguins_do_not" in found[0].message

    def test_a_superiority_between_rules_that_do_not_conflict(self, make_kb):
        text = HEAD + ('interpretation order {\n  note "for the test"\n'
                       '  [walks] normally walks(X) if bird(X).\n'
                       '  walks prevails over birds_fly because lex_specialis.\n}\n')
        d = only(diagnostics_of(make_kb(text, sources=SOURCE)), "no-conflict")
        assert at(d) == locate(text, "walks prevails")
        assert "rule [walks] and rule [birds_fly] have no conflicting conclusions" in d.message

    def test_a_superiority_between_provisions(self, make_kb):
        ok = HEAD + ordered('"99 U.S.C. 1(b)" prevails over "99 U.S.C. 1(a)" because lex_specialis.')
        assert diagnostics_of(make_kb(ok, sources=SOURCE, folder="ok")) == []
        text = HEAD + ordered('"99 U.S.C. 1(b)" prevails over "99 U.S.C. 1(z)" because lex_specialis.')
        d = only(diagnostics_of(make_kb(text, sources=SOURCE)), "unknown-rule")
        assert "provision '99 U.S.C. 1(z)'" in d.message

    def test_an_unknown_label(self, make_kb):
        text = HEAD + ordered("penguins_do_not prevails over birds_flyy because lex_specialis.")
        d = only(diagnostics_of(make_kb(text, sources=SOURCE)), "unknown-rule")
        assert "rule [birds_flyy]: no statement carries this label" in d.message

    def test_an_unknown_reason(self, make_kb):
        text = HEAD + ordered("penguins_do_not prevails over birds_fly because lex_special.")
        d = only(diagnostics_of(make_kb(text, sources=SOURCE)), "bad-reason")
        assert at(d) == locate(text, "penguins_do_not prevails")
        assert "unknown reason 'lex_special'" in d.message

    def test_lex_superior_needs_the_higher_authority(self, make_kb):
        wrong = HEAD + ordered("injured_cannot prevails over birds_fly because lex_superior.")
        d = only(diagnostics_of(make_kb(wrong, sources=SOURCE)), "bad-reason")
        assert "99 CFR 1(c) (regulation) does not outrank 99 U.S.C. 1(a) (statute)" in d.message
        right = HEAD + ordered("birds_fly prevails over injured_cannot because lex_superior.")
        assert diagnostics_of(make_kb(right, sources=SOURCE, folder="right")) == []

    def test_an_input_cannot_be_concluded_defeasibly(self, make_kb):
        text = HEAD.replace("[birds_fly] normally flies(X) if bird(X).",
                            "[birds_fly] normally flies(X) if bird(X).\n  normally ~bird(X) if penguin(X).")
        d = only(diagnostics_of(make_kb(text, sources=SOURCE)), "defeasible-input")
        assert at(d) == locate(text, "~bird(X)")
        assert "'bird' is an input" in d.message

    def test_a_theory_that_cannot_be_stratified(self, make_kb):
        text = HEAD.replace("[penguins_do_not] normally ~flies(X) if penguin(X).",
                            "[penguins_do_not] normally ~flies(X) if penguin(X), flies(X).")
        d = only(diagnostics_of(make_kb(text, sources=SOURCE)), "unstratifiable")
        assert at(d) == locate(text, "flies(X) if bird")
        assert d.message.startswith("a defeasible theory that cannot be stratified: whether flies holds depends "
                                    "on whether an undefeated rule stands against flies")

    def test_the_opposite_takes_the_same_arguments(self, make_kb):
        text = HEAD.replace("normally ~flies(X) if penguin(X)", "normally ~flies(X, X) if penguin(X)")
        found = {at(d): d.message for d in diagnostics_of(make_kb(text, sources=SOURCE)) if d.code == "arity-mismatch"}
        assert found[locate(text, "~flies(X, X)")] == "¬flies takes 1 argument(s), as flies does, not 2"

    def test_the_cli_reports_a_theory_error_at_its_place(self, make_kb, tmp_path):
        from conftest import run_cli

        text = HEAD + ordered("penguins_do_not prevails over birds_fly because lex_special.")
        folder = make_kb(text, sources=SOURCE)
        result = run_cli("check", str(folder))
        assert result.returncode == 1 and b"Traceback" not in result.stderr + result.stdout
        line, column = locate(text, "penguins_do_not prevails")
        assert f"rules.clog:{line}:{column}: error[bad-reason]: unknown reason".encode() in result.stdout + result.stderr


# ---- explanations: the defeated rule, what defeated it, both citations --------------------------------------------

KB_TEXT = HEAD + """\
interpretation specificity {
  note "a penguin is a bird of a special kind"
  "99 U.S.C. 1(b)" prevails over "99 U.S.C. 1(a)" because lex_specialis.
}
"""


@pytest.fixture
def birds(make_kb):
    kb = citelog.load(make_kb(KB_TEXT, sources=SOURCE))
    kb.add_facts({"bird": [("tweety",), ("polly",), ("hen",)], "penguin": [("tweety",)], "injured": [("hen",)]})
    return kb


class TestExplanations:
    def test_the_winning_conclusion_shows_the_defeated_rule_and_why(self, birds):
        (item,) = citelog.explain(birds, "~flies(tweety)").answers
        assert item.citations == ["99 U.S.C. 1(b)", "99 U.S.C. 1(a)", "specificity"]
        proof = item.proof
        assert proof.sentence == "it is not the case that tweety flies"
        assert (proof.rule, proof.citation) == ("penguins_do_not", "99 U.S.C. 1(b)")
        given, absent = proof.premises
        assert given.statement == "penguin(tweety)"
        assert absent.kind == "absent" and absent.citation == "99 U.S.C. 1(a)"  # the rule it defeated
        assert absent.sentence == ("there is no evidence that an undefeated rule stands against the conclusion "
                                   "that it is not the case that tweety flies")
        (prevails,) = absent.premises
        assert prevails.sentence == ("rule penguins_do_not of 99 U.S.C. 1(b) prevails over rule birds_fly of "
                                     "99 U.S.C. 1(a): lex specialis: the specific provision prevails over the "
                                     "general one")
        assert (prevails.authority, prevails.citation) == ("interpretation", "specificity")
        (applies,) = prevails.premises
        assert applies.sentence == ("rule penguins_do_not of 99 U.S.C. 1(b) applies: normally, it is not the case "
                                    "that tweety flies")

    def test_an_unopposed_conclusion_cites_the_rules_it_was_checked_against(self, birds):
        (item,) = citelog.explain(birds, "flies(polly)").answers
        assert set(item.citations) == {"99 U.S.C. 1(a)", "99 U.S.C. 1(b)", "99 CFR 1(c)"}
        absent = item.proof.premises[-1]
        reasons = [p.sentence for p in absent.premises]
        assert reasons == ["there is no evidence that rule penguins_do_not of 99 U.S.C. 1(b) applies: normally, "
                           "it is not the case that polly flies",
                           "there is no evidence that rule injured_cannot of 99 CFR 1(c) applies: it might be "
                           "that it is not the case that polly flies"]
        assert [p.premises[0].sentence for p in absent.premises] == ["there is no evidence that polly is a penguin",
                                                                     "there is no evidence that polly is injured"]

    def test_why_not_names_the_defeater_that_stands(self, birds):
        result = citelog.why_not(birds, "flies(hen)")
        (attempt,) = result.attempts
        assert (attempt.rule.id, attempt.outcome) == ("birds_fly", "defeated")
        assert attempt.defeat.sentence == "an undefeated rule stands against the conclusion that hen flies"
        assert attempt.defeat.citation == "99 CFR 1(c)"
        assert "rule injured_cannot of 99 CFR 1(c) applies: it might be that it is not the case that hen flies" in (
            result.to_text())

    def test_json_of_a_defeat_follows_the_schema(self, birds):
        jsonschema = pytest.importorskip("jsonschema")
        from citelog.render import schema_path

        payload = json.loads(citelog.explain(birds, "~flies(X)").to_json())
        jsonschema.validate(payload, json.loads(schema_path().read_text(encoding="utf-8")))
        assert payload["answers"][0]["bindings"] == {"X": "tweety"}

    def test_a_query_of_a_negative_conclusion(self, birds):
        assert [a.as_dict() for a in birds.query("~flies(X)")] == [{"X": "tweety"}]
        assert [a.as_dict() for a in birds.query("¬flies(X)")] == [{"X": "tweety"}]
