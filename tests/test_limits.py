"""Evaluation limits (docs/LIMITS.md): a query that would derive too much stops with a clear
`limit-exceeded` error, and the KB answers the next query correctly."""

from __future__ import annotations

import pytest
from pyDatalog.Logic import Logic

import citelog
from citelog import EvaluationError, Limits
from citelog.limits import FIRINGS_VARIABLE, TIME_VARIABLE

from conftest import run_cli

CHAIN = 3_000  # a closure of 4.5 million routes: far beyond any limit below
COUNTING = ["count(0).", "count(N) :- count(M), N = M + 1."]  # an infinite model: only a limit ends it


def chain(length: int) -> list[tuple[str, str]]:
    return [(f"n{i}", f"n{i + 1}") for i in range(length)]


def test_a_recursive_rule_over_a_large_scenario_stops_at_the_size_limit(routes_kb):
    kb = citelog.load(routes_kb, limits=Limits(seconds=None, firings=10_000))
    kb.add_facts({"link": chain(CHAIN)})
    with pytest.raises(EvaluationError) as caught:
        kb.query("route(X, Y)")
    error = caught.value
    assert error.code == "limit-exceeded"
    assert "10,000 rule firings, the size limit" in error.message
    assert f"{FIRINGS_VARIABLE}=N" in error.message and "Limits(firings=N)" in error.message
    assert (error.position.path, error.position.line, error.position.column) == ("<query>", 1, 1)


def test_the_time_limit(routes_kb):
    kb = citelog.load(routes_kb, limits=Limits(seconds=0.2, firings=None))
    kb.add_facts({"link": chain(CHAIN)})
    with pytest.raises(EvaluationError) as caught:
        kb.query("route(X, Y)")
    assert caught.value.code == "limit-exceeded"
    assert "0.2 s, the time limit" in caught.value.message and f"{TIME_VARIABLE}=SECONDS" in caught.value.message


def test_the_kb_answers_correctly_after_a_stopped_evaluation(routes_kb):
    kb = citelog.load(routes_kb, limits=Limits(seconds=None, firings=10_000))
    kb.add_facts({"link": chain(CHAIN)})
    for _ in range(2):  # stopped twice, at the same place
        with pytest.raises(EvaluationError):
            kb.query("route(X, Y)")
    assert [a["C"] for a in kb.query("is_a(kbco, C)")] == ["importer"]
    kb.withdraw_facts()
    kb.add_facts({"link": chain(10)})
    routes = kb.query("route(X, Y)")
    assert len(routes) == 10 * 11 // 2 + 3  # the chain's closure and the KB's own p1 -> p2 -> p3
    assert [a["Y"] for a in kb.query("route(n7, Y)")] == ["n10", "n8", "n9"]
    proof = citelog.Prover(kb).prove("route", ("n0", "n10"))
    assert proof is not None and proof.citations() == ["19 U.S.C. 1508(c)"]


def test_a_stopped_evaluation_leaves_nothing_behind(routes_kb):
    # pyDatalog restores its task lists and tables only when an evaluation ends normally; the
    # thread's logic is kept between queries, so a stopped one would keep its tables alive
    kb = citelog.load(routes_kb, limits=Limits(seconds=None, firings=10_000))
    kb.add_facts({"link": chain(CHAIN)})
    with pytest.raises(EvaluationError):
        kb.query("route(X, Y)")
    kb.query("is_a(P, C)")
    with kb.bound():
        assert not Logic.tl.logic.Subgoals


def test_an_infinite_model_stops():
    with pytest.raises(EvaluationError) as caught:
        citelog.evaluate({}, COUNTING, limits=Limits(seconds=None, firings=500))
    assert caught.value.code == "limit-exceeded"


def test_the_limits_count_only_what_is_derived():
    facts = {"edge": chain(40)}
    closure = ["path(X, Y) :- edge(X, Y).", "path(X, Z) :- path(X, Y), edge(Y, Z)."]
    expected = {(f"n{i}", f"n{j}") for i in range(41) for j in range(i + 1, 41)}
    for limits in (Limits(), Limits(None, None), Limits(seconds=30, firings=len(expected) + 40)):
        assert citelog.evaluate(facts, closure, limits=limits)["path"] == expected
    with pytest.raises(EvaluationError):
        citelog.evaluate(facts, closure, limits=Limits(seconds=None, firings=len(expected) // 2))


@pytest.mark.parametrize("environment, limits", [
    ({}, Limits()),
    ({TIME_VARIABLE: "5", FIRINGS_VARIABLE: "1000"}, Limits(5.0, 1000)),
    ({TIME_VARIABLE: "0.5", FIRINGS_VARIABLE: " "}, Limits(0.5, Limits().firings)),
    ({TIME_VARIABLE: "0", FIRINGS_VARIABLE: "0"}, Limits(None, None)),
])
def test_limits_from_the_environment(environment, limits):
    assert Limits.from_environment(environment) == limits


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "inf", "1e400", "2.5"])
def test_a_bad_limit_in_the_environment(value):
    variable = FIRINGS_VARIABLE if value == "2.5" else TIME_VARIABLE
    with pytest.raises(citelog.InputError) as caught:
        Limits.from_environment({variable: value})
    assert caught.value.code == "bad-option" and variable in caught.value.message


def test_the_cli_reports_a_limit_in_one_line(make_kb):
    root = make_kb('provision "19 U.S.C. 1508(a)" {\n  reconstructed "counting"\n  '
                   + "\n  ".join(COUNTING) + "\n}\n")
    result = run_cli("query", "count(N)", "--kb", str(root), env={FIRINGS_VARIABLE: "2000"})
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode().startswith("<query>:1:1: error[limit-exceeded]: while evaluating count: stopped "
                                             "after 2,000 rule firings, the size limit")
    assert len(result.stderr.splitlines()) == 1
    bad = run_cli("query", "count(N)", "--kb", str(root), env={TIME_VARIABLE: "soon"})
    assert bad.returncode == 1 and b"error[bad-option]" in bad.stderr and b"Traceback" not in bad.stderr
