"""What programs mean: `citelog.evaluate(facts, rules)` on small core-Datalog programs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

import citelog
from citelog import Date, Money

from conftest import run_python


def ev(facts, rules):
    return citelog.evaluate(facts, rules)


def _closure(edges) -> set[tuple]:
    """The transitive closure of a graph, computed in plain Python to check the engine against."""
    closure = set(edges)
    while True:
        more = {(x, z) for x, y in closure for y2, z in edges if y == y2} - closure
        if not more:
            return closure
        closure |= more


def d(text: str) -> Date:
    return Date(datetime.date.fromisoformat(text))


class TestJoinsAndRecursion:
    def test_join(self):
        result = ev({"e": [(1, 2), (2, 3), (3, 4)]}, ["j(X, Z) :- e(X, Y), e(Y, Z)."])
        assert result["j"] == {(1, 3), (2, 4)}
        assert result["e"] == {(1, 2), (2, 3), (3, 4)}

    def test_join_on_two_relations_with_constants(self):
        facts = {"person": [("ann", "nyc"), ("bob", "sf"), ("cy", "nyc")], "office": [("nyc", "east"), ("sf", "west")]}
        result = ev(facts, ["east(P) :- person(P, C), office(C, east).", 'west(P) :- person(P, C), office(C, "west").'])
        assert result["east"] == {("ann",), ("cy",)}
        assert result["west"] == {("bob",)}

    def test_repeated_variable_in_an_atom(self):
        assert ev({"e": [(1, 1), (1, 2), (3, 3)]}, ["loop(X) :- e(X, X)."])["loop"] == {(1,), (3,)}

    def test_anonymous_variables_are_distinct(self):
        assert ev({"e": [(1, 2, 3)]}, ["p(X) :- e(X, _, _)."])["p"] == {(1,)}

    def test_anonymous_variable_is_apart_from_underscore_variables(self):
        # `_` is any value; `_anon0` is an ordinary (if unusual) variable name of the language
        result = ev({"e": [(1, 2), (3, 3)]}, ["p(X) :- e(X, _), e(_anon0, _anon0)."])
        assert result["p"] == {(1,), (3,)}

    def test_transitive_closure_left_recursive_chain(self):
        n = 200
        facts = {"edge": [(i, i + 1) for i in range(n - 1)]}
        result = ev(facts, ["path(X, Y) :- edge(X, Y).", "path(X, Z) :- path(X, Y), edge(Y, Z)."])
        assert len(result["path"]) == n * (n - 1) // 2
        assert (0, n - 1) in result["path"]
        assert (n - 1, 0) not in result["path"]
        assert result["path"] == {(i, j) for i in range(n) for j in range(i + 1, n)}

    @pytest.mark.parametrize(
        "cycle, expected",
        [
            ([("a", "a")], [("a",)]),
            ([("a", "b"), ("b", "c"), ("c", "a")], [("a",), ("b",), ("c",)]),
        ],
    )
    def test_right_recursion_on_a_cycle_terminates(self, cycle, expected):
        # P is an importer if P acts for an importer: recursion written right-recursively
        code = (
            "import citelog\n"
            f"facts = {{'agent_of': {cycle!r}, 'imports': [('a', 'e1')]}}\n"
            "rules = ['imp(P) :- imports(P, _).', 'imp(P) :- agent_of(P, Q), imp(Q).']\n"
            "print(sorted(citelog.evaluate(facts, rules)['imp']))\n"
        )
        assert run_python(code).strip() == repr(expected)

    # pyDatalog alone loops forever when its subgoals wait on each other in a cycle of three or more
    # (mutual recursion, right recursion over a cyclic graph); the evaluator runs recursion in
    # semi-naive rounds instead, so every shape ends. Each runs in a subprocess: a regression
    # fails, not hangs.
    RECURSIVE_SHAPES = {
        "left": ["p(X, Y) :- e(X, Y).", "p(X, Z) :- p(X, Y), e(Y, Z)."],
        "right": ["p(X, Y) :- e(X, Y).", "p(X, Z) :- e(X, Y), p(Y, Z)."],
        "double": ["p(X, Y) :- e(X, Y).", "p(X, Z) :- p(X, Y), p(Y, Z)."],
        "mutual": ["p(X, Y) :- e(X, Y).", "p(X, Z) :- e(X, Y), q(Y, Z).", "q(X, Y) :- p(X, Y)."],
        "mutual of three": ["p(X, Y) :- e(X, Y).", "p(X, Z) :- e(X, Y), q(Y, Z).", "q(X, Y) :- s(X, Y).",
                            "s(X, Y) :- p(X, Y)."],
    }

    @pytest.mark.parametrize("shape", sorted(RECURSIVE_SHAPES))
    def test_every_recursive_shape_ends_with_the_closure_on_cyclic_graphs(self, shape):
        import random

        rng = random.Random(7)
        graphs = [[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")], [("a", "a")], []]
        graphs += [[(rng.randrange(12), rng.randrange(12)) for _ in range(20)] for _ in range(3)]
        code = (
            "import citelog, json\n"
            f"for graph in {graphs!r}:\n"
            f"    model = citelog.evaluate({{'e': graph}}, {self.RECURSIVE_SHAPES[shape]!r})\n"
            "    print(sorted(model['p']))\n"
            "    kb = citelog.KnowledgeBase(citelog.pipeline.build_plain("
            f"{self.RECURSIVE_SHAPES[shape]!r}, {{'e': 2}}))\n"
            "    kb.add_facts({'e': graph})\n"
            "    starts = sorted({x for x, _ in graph})[:2]\n"
            "    print([sorted(a.values for a in kb.query(f'p({json.dumps(x)}, Y)')) for x in starts])\n"
        )
        lines = run_python(code, timeout=30).splitlines()
        for graph, model, bound in zip(graphs, lines[::2], lines[1::2]):
            closure = _closure(graph)
            assert model == repr(sorted(closure)), graph
            starts = sorted({x for x, _ in graph})[:2]
            assert bound == repr([sorted(pair for pair in closure if pair[0] == x) for x in starts]), graph

    def test_facts_of_a_mutually_recursive_predicate(self):
        # reach has a fact of its own and is defined through hop, which is defined through reach
        rules = ["reach(z, a).", "reach(X, Y) :- link(X, Y).", "reach(X, Z) :- hop(X, Y), reach(Y, Z).",
                 "hop(X, Y) :- reach(X, Y), open(Y)."]
        code = (
            "import citelog\n"
            f"model = citelog.evaluate({{'link': [('a', 'b'), ('b', 'a')], 'open': [('a',), ('b',)]}}, {rules!r})\n"
            "print(sorted(model['reach'])); print(sorted(model['hop']))\n"
        )
        reach, hop = run_python(code).splitlines()
        assert reach == repr([("a", "a"), ("a", "b"), ("b", "a"), ("b", "b"), ("z", "a"), ("z", "b")])
        assert hop == reach

    def test_transitive_closure_on_a_cycle(self):
        facts = {"edge": [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]}
        result = ev(facts, ["path(X, Y) :- edge(X, Y).", "path(X, Z) :- path(X, Y), edge(Y, Z)."])
        assert result["path"] == {(x, y) for x in "abc" for y in "abcd"}

    def test_facts_in_the_program(self):
        result = ev({"n": [(1,)]}, ["edge(1, 2).", "edge(2, 3).", "two(X, Z) :- edge(X, Y), edge(Y, Z)."])
        assert result["two"] == {(1, 3)}

    def test_zero_arity(self):
        result = ev({"n": [(1,)]}, ["yes() :- n(1).", "no() :- n(2)."])
        assert result["yes"] == {()}
        assert result["no"] == set()


class TestNegation:
    def test_two_strata(self):
        facts = {"n": [(1,), (2,), (3,)], "bad": [(2,)]}
        assert ev(facts, ["good(X) :- n(X), not bad(X)."])["good"] == {(1,), (3,)}

    def test_three_strata(self):
        facts = {"n": [(1,), (2,), (3,)], "bad": [(2,)]}
        result = ev(
            facts,
            ["good(X) :- n(X), not bad(X).", "rest(X) :- n(X), not good(X).", "top(X) :- n(X), not rest(X)."],
        )
        assert result["good"] == {(1,), (3,)}
        assert result["rest"] == {(2,)}
        assert result["top"] == {(1,), (3,)}

    def test_negation_of_a_recursive_predicate(self):
        facts = {"node": [(i,) for i in range(5)], "edge": [(0, 1), (1, 2)]}
        result = ev(
            facts,
            [
                "reach(X) :- edge(0, X).",
                "reach(Y) :- reach(X), edge(X, Y).",
                "unreached(X) :- node(X), X != 0, not reach(X).",
            ],
        )
        assert result["unreached"] == {(3,), (4,)}

    def test_anonymous_variable_in_negation_means_any_value(self):
        facts = {"person": [("a",), ("b",), ("c",)], "owns": [("a", "car"), ("c", "bike")]}
        assert ev(facts, ["poor(P) :- person(P), not owns(P, _)."])["poor"] == {("b",)}

    def test_sources_and_sinks(self):
        facts = {"node": [(1,), (2,), (3,)], "edge": [(1, 2)]}
        result = ev(
            facts,
            ["src(X) :- node(X), not edge(_, X).", "sink(X) :- node(X), not edge(X, _).", "alone(X) :- src(X), sink(X)."],
        )
        assert result["src"] == {(1,), (3,)}
        assert result["sink"] == {(2,), (3,)}
        assert result["alone"] == {(3,)}

    def test_order_of_body_literals_does_not_matter(self):
        facts = {"n": [(1,), (2,), (3,)], "bad": [(2,)]}
        result = ev(facts, ["good(Y) :- not bad(X), Y = X * 10, X > 1, n(X)."])
        assert result["good"] == {(30,)}

    def test_negation_of_a_ground_atom(self):
        result = ev({"q": [("b",)]}, ["p(a) :- not q(a).", "r(b) :- not q(b)."])
        assert result["p"] == {("a",)}
        assert result["r"] == set()

    def test_negation_against_an_input_without_rows(self):
        # an input relation given as an empty table is empty, not a relation of arity 0
        result = ev({"n": [(1,), (2,)], "bad": []}, ["good(X) :- n(X), not bad(X)."])
        assert result["good"] == {(1,), (2,)}
        assert result["bad"] == set()

    def test_unstratifiable_program_is_refused(self):
        with pytest.raises(citelog.CheckError) as caught:
            ev({"b": [(1,)]}, ["p(X) :- b(X), not q(X).", "q(X) :- p(X)."])
        assert caught.value.code == "unstratifiable"


class TestComparisonsAndArithmetic:
    def test_comparisons(self):
        result = ev(
            {"n": [(i,) for i in range(6)]},
            [
                "lt(X) :- n(X), X < 2.",
                "le(X) :- n(X), X <= 1.",
                "gt(X) :- n(X), X > 3.",
                "ge(X) :- n(X), X >= 4.",
                "eq(X) :- n(X), X == 5.",
                "eq1(X) :- n(X), X = 0.",
                "ne(X) :- n(X), X != 3, X > 1, X <= 4.",
                "pair(X, Y) :- n(X), n(Y), X + 1 == Y, Y < 3.",
            ],
        )
        assert result["lt"] == {(0,), (1,)}
        assert result["le"] == {(0,), (1,)}
        assert result["gt"] == {(4,), (5,)}
        assert result["ge"] == {(4,), (5,)}
        assert result["eq"] == {(5,)}
        assert result["eq1"] == {(0,)}
        assert result["ne"] == {(2,), (4,)}
        assert result["pair"] == {(0, 1), (1, 2)}

    def test_integer_arithmetic(self):
        result = ev(
            {"n": [(7,), (-7,)]},
            [
                "half(X, Y) :- n(X), Y = X // 2.",
                "calc(X, Y) :- n(X), Y = (X + 1) * 3 - 2.",
                "neg(X, Y) :- n(X), Y = -X.",
                "minus(X, Y) :- n(X), Y = X - -1.",
                "noparen(X, Y) :- n(X), Y = X + 1 * 3.",
            ],
        )
        assert result["half"] == {(7, 3), (-7, -4)}  # floor division
        assert result["calc"] == {(7, 22), (-7, -20)}
        assert result["neg"] == {(7, -7), (-7, 7)}
        assert result["minus"] == {(7, 8), (-7, -6)}
        assert result["noparen"] == {(7, 10), (-7, -4)}

    def test_modulo(self):
        result = ev({"n": [(7,), (-7,), (9,)]}, ["rem(X, Y) :- n(X), Y = X mod 3."])
        assert result["rem"] == {(7, 1), (-7, 2), (9, 0)}

    def test_expression_in_head_and_in_atom(self):
        result = ev({"s": [(3,)], "u": [(4,)]}, ["next(X + 1) :- s(X).", "hit(X) :- s(X), u(X + 1).", "miss(X) :- s(X), not u(X + 1)."])
        assert result["next"] == {(4,)}
        assert result["hit"] == {(3,)}
        assert result["miss"] == set()

    def test_assignment_from_a_constant(self):
        result = ev({"n": [(1,)]}, ["five(X) :- X = 5.", "both(X, Y) :- n(X), Y = 5."])
        assert result["five"] == {(5,)}
        assert result["both"] == {(1, 5)}

    def test_division_by_zero_is_an_evaluation_error(self):
        with pytest.raises(citelog.EvaluationError) as caught:
            ev({"n": [(1,)]}, ["z(Y) :- n(X), Y = X // 0."])
        assert caught.value.code == "type-error"
        assert "division by zero" in caught.value.message


class TestDates:
    def test_date_literal_comparison(self):
        facts = {"filed": [("c1", d("2023-12-31")), ("c2", d("2024-01-01")), ("c3", d("2024-06-30"))]}
        result = ev(facts, ["late(C) :- filed(C, D), D > 2023-12-31.", "exact(C) :- filed(C, D), D == 2024-01-01."])
        assert result["late"] == {("c2",), ("c3",)}
        assert result["exact"] == {("c2",)}

    def test_date_plus_days(self):
        facts = {"filed": [("c1", d("2023-01-31")), ("c2", d("2024-02-29"))]}
        result = ev(facts, ["due(C, E) :- filed(C, D), E = D + 30.", "before(C, E) :- filed(C, D), E = D - 1."])
        assert result["due"] == {("c1", d("2023-03-02")), ("c2", d("2024-03-30"))}
        assert result["before"] == {("c1", d("2023-01-30")), ("c2", d("2024-02-28"))}

    def test_date_minus_date_gives_days(self):
        facts = {"span": [(d("2023-01-01"), d("2024-01-01")), (d("2024-01-01"), d("2025-01-01"))]}
        result = ev(facts, ["days(N) :- span(A, B), N = B - A.", "back(N) :- span(A, B), N = A - B."])
        assert result["days"] == {(365,), (366,)}
        assert result["back"] == {(-365,), (-366,)}
        assert all(type(n) is int for (n,) in result["days"])

    def test_deadline_comparison(self):
        facts = {"filed": [("c1", datetime.date(2024, 5, 1)), ("c2", datetime.date(2024, 5, 10))]}
        result = ev(facts, ["late(C) :- filed(C, F), D = F + 30, D > 2024-06-01."])
        assert result["late"] == {("c2",)}

    def test_python_dates_as_input(self):
        result = ev({"born": [("ann", datetime.date(2000, 2, 29))]}, ["b(P, D) :- born(P, D)."])
        assert result["b"] == {("ann", d("2000-02-29"))}
        ((_, value),) = result["b"]
        assert isinstance(value, Date)
        assert value.day == datetime.date(2000, 2, 29)

    def test_datetime_is_not_a_date(self):
        with pytest.raises(citelog.InputError) as caught:
            ev({"at": [(datetime.datetime(2024, 1, 1, 12, 0),)]}, ["p(X) :- at(X)."])
        assert caught.value.code == "bad-value"


class TestMoney:
    def test_exact_amount_passes_through(self):
        amount = Money(123_456_789)  # $1,234,567.89: 9 significant digits, a float would round it
        result = ev({"paid": [("a", amount)]}, ["p(P, X) :- paid(P, X)."])
        assert result["p"] == {("a", Money(123_456_789))}
        ((_, value),) = result["p"]
        assert value.cents == 123_456_789
        assert str(value) == "$1,234,567.89"

    def test_comparisons_at_the_cent(self):
        facts = {"paid": [("a", Money(123_456_789))]}
        result = ev(
            facts,
            [
                "eq(P) :- paid(P, X), X == $1,234,567.89.",
                "above(P) :- paid(P, X), X > $1,234,567.88.",
                "below(P) :- paid(P, X), X < $1,234,567.90.",
                "not_above(P) :- paid(P, X), X > $1,234,567.89.",
            ],
        )
        assert result["eq"] == {("a",)}
        assert result["above"] == {("a",)}
        assert result["below"] == {("a",)}
        assert result["not_above"] == set()

    def test_money_arithmetic(self):
        result = ev(
            {"m": [(Money(1050),)]},
            ["plus(Y) :- m(X), Y = X + $0.01.", "times(Y) :- m(X), Y = X * 3.", "less(Y) :- m(X), Y = X - $0.50."],
        )
        assert result["plus"] == {(Money(1051),)}
        assert result["times"] == {(Money(3150),)}
        assert result["less"] == {(Money(1000),)}

    def test_large_money_literal(self):
        result = ev({"n": [(1,)]}, ["cap($12,345,678.91) :- n(_)."])
        assert result["cap"] == {(Money(1_234_567_891),)}

    def test_decimal_input_is_exact(self):
        result = ev({"rate": [(Decimal("0.123456789"),)]}, ["r(X) :- rate(X)."])
        assert result["r"] == {(Decimal("0.123456789"),)}

    @pytest.mark.parametrize("value", [1.5, 1234567.89, 0.1])
    def test_floats_are_refused(self, value):
        with pytest.raises(citelog.InputError) as caught:
            ev({"m": [(value,)]}, ["p(X) :- m(X)."])
        assert caught.value.code == "bad-value"
        assert "float" in caught.value.message


class TestTypes:
    def test_comparing_a_date_with_an_integer_is_an_error(self):
        with pytest.raises(citelog.EvaluationError) as caught:
            ev({"d": [(datetime.date(2023, 1, 1),)]}, ["x(D) :- d(D), D > 5."])
        assert caught.value.code == "type-error"
        assert "date" in caught.value.message and "integer" in caught.value.message

    def test_comparing_two_bound_values_of_different_types_is_an_error(self):
        with pytest.raises(citelog.EvaluationError):
            ev({"d": [(datetime.date(2023, 1, 1),)], "n": [(5,)]}, ["x(D) :- d(D), n(N), D < N."])

    def test_type_error_below_a_negation_is_reported(self):
        with pytest.raises(citelog.EvaluationError):
            ev({"d": [(datetime.date(2023, 1, 1),)]}, ["a(D) :- d(D), not z(D).", "z(D) :- d(D), D > 5."])

    def test_mixed_column_compared_with_a_date(self):
        with pytest.raises(citelog.EvaluationError):
            ev({"v": [(datetime.date(2023, 1, 1),), (5,)]}, ["x(V) :- v(V), V > 2022-01-01."])

    @pytest.mark.parametrize(
        "rule",
        [
            "x(E) :- d(D), E = D + D.",
            "x(E) :- d(D), E = 1 - D.",
            'x(E) :- d(D), E = D + "x".',
            "x(E) :- d(D), E = D * 2.",
            "x(E) :- d(D), E = D + $1.",
        ],
    )
    def test_arithmetic_on_incompatible_types_is_an_error(self, rule):
        with pytest.raises(citelog.EvaluationError) as caught:
            ev({"d": [(datetime.date(2023, 1, 1),)]}, [rule])
        assert caught.value.code == "type-error"

    def test_money_compared_with_integer_is_an_error(self):
        with pytest.raises(citelog.EvaluationError):
            ev({"m": [(Money(100),)]}, ["t(X) :- m(X), X > 5."])

    def test_string_compared_with_integer_is_an_error(self):
        with pytest.raises(citelog.EvaluationError):
            ev({"s": [("a",)]}, ["t(X) :- s(X), X > 5."])

    def test_strings_true_and_false_stay_strings(self):
        result = ev(
            {"s": [("True",), ("False",), ("x",)]},
            ['t(X) :- s(X).', 'u("True").', 'v(X) :- s(X), X == "False".', 'w(X) :- s(X), X != "True".'],
        )
        assert result["t"] == {("True",), ("False",), ("x",)}
        assert all(type(v) is str for (v,) in result["t"])
        assert all(type(v) is str for (v,) in result["u"])
        assert result["u"] == {("True",)}
        assert result["v"] == {("False",)}
        assert result["w"] == {("False",), ("x",)}
        assert True not in {v for (v,) in result["t"]}

    def test_string_one_and_integer_one_stay_distinct(self):
        result = ev(
            {"s": [("1",), (1,), ("01",)], "n": [(1,)]},
            ["both(X) :- s(X), n(X).", "int1(X) :- s(X), X == 1.", 'str1(X) :- s(X), X == "1".'],
        )
        assert result["s"] == {("1",), (1,), ("01",)}
        assert {type(v) for (v,) in result["s"]} == {str, int}
        assert result["both"] == {(1,)}
        assert [type(v) for (v,) in result["both"]] == [int]
        assert result["int1"] == {(1,)}
        assert result["str1"] == {("1",)}
        assert [type(v) for (v,) in result["str1"]] == [str]


class TestErrors:
    @pytest.mark.parametrize(
        "facts, rules, exception, code",
        [
            ({"n": [(1,)]}, ["p(X) :- n(X), m(X)."], citelog.CheckError, "unknown-predicate"),
            ({"n": [(1,)]}, ["p(X, Y) :- n(X)."], citelog.CheckError, "unsafe-variable"),
            ({"n": [(1,)]}, ["p(X) :- n(X, 2)."], citelog.CheckError, "arity-mismatch"),
            ({"n": [(1,)]}, ["p(X) :- n(X)"], citelog.CheckError, "syntax-error"),
            ({"n": [(1,), (1, 2)]}, [], citelog.InputError, "arity-mismatch"),
            ({"n": [(1.5,)]}, [], citelog.InputError, "bad-value"),
            ({"n": [(object(),)]}, [], citelog.InputError, "bad-value"),
            ({"d": [(datetime.date(2023, 1, 1),)]}, ["x(D) :- d(D), D > 5."], citelog.EvaluationError, "type-error"),
        ],
    )
    def test_errors_are_citelog_errors_with_a_code(self, facts, rules, exception, code):
        with pytest.raises(citelog.CitelogError) as caught:
            ev(facts, rules)
        assert type(caught.value) is exception
        assert caught.value.code == code
        assert caught.value.diagnostics and caught.value.diagnostics[0].code == code

    def test_facts_cannot_forge_generated_predicates(self):
        # generated names contain a character no rule file can write; facts must not reach them
        # either, or a caller could assert a rule firing whose premises are false
        with pytest.raises(citelog.InputError):
            ev({"n": [(1,)], "rule:0": [(99,)]}, ["p(X) :- n(X)."])

    def test_generated_predicates_are_not_reported(self):
        result = ev({"n": [(1,), (2,)]}, ["p(X) :- n(X), not q(X).", "q(2)."])
        assert set(result) == {"n", "p", "q"}
        assert result["p"] == {(1,)}

    def test_plain_programs_need_no_provisions(self):
        assert ev({}, ["fact(1).", "fact(2)."])["fact"] == {(1,), (2,)}
