"""Hardening: concurrent queries, byte-identical output across hash seeds, exact numbers, and the
small defects fixed on the way (values that pyDatalog would confuse, messages that showed parser
internals)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

import citelog
from citelog import Money
from citelog.explanations import Explainer
from citelog.parser import parse_atom, parse_module
from citelog.scenario import load_scenario

from conftest import BUNDLED_KB, run_cli

SCENARIO = BUNDLED_KB / "scenarios" / "drawback-claim.yaml"


# ---- concurrency ------------------------------------------------------------------------------------------


def test_eight_threads_of_a_hundred_queries_and_explanations_answer_like_serial_ones():
    kb = citelog.load()
    kb.add_facts(load_scenario(SCENARIO, kb.program).facts)
    catalogue = [q.atom for q in kb.program.queries]
    parties = [f'is_a("party{i}", C)' for i in range(40)]  # new atoms: evaluated, not taken from the cache

    def operation(number: int):
        kind = number % 4
        if kind == 0:
            return catalogue[number % len(catalogue)], kb.query(catalogue[number % len(catalogue)])
        if kind == 1:
            return parties[number % len(parties)], kb.query(parties[number % len(parties)])
        atom = ("is_a(acme, C)", "must_keep(C, R, N, U, T, B)")[kind % 2]
        return f"explain {atom}", Explainer(kb).explain(atom).to_json()

    serial = dict(operation(n) for n in range(400))
    start = threading.Barrier(8)

    def work(thread: int):
        start.wait()
        return [operation(thread * 7 + n) for n in range(100)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [item for result in pool.map(work, range(8)) for item in result]
    assert len(results) == 800
    assert all(answers == serial[key] for key, answers in results)
    assert {key for key, _ in results} >= {f"explain {a}" for a in ("is_a(acme, C)", "must_keep(C, R, N, U, T, B)")}


# ---- determinism -------------------------------------------------------------------------------------------


def test_cli_outputs_are_byte_identical_across_hash_seeds(tmp_path):
    inventory = tmp_path / "inventory.csv"
    inventory.write_text("record_id,party,activity,subject,event,date,certificate\n"
                         "r1,acme,imports,E-1,entry,2020-01-10,\n"
                         "r2,acme,files_drawback_claim,C-7,liquidation,2024-05-01,\n"
                         "r3,andes,completes_and_issues_certificate,G-2,issuance,2023-06-30,"
                         "chile_fta_certificate_of_origin\n"
                         "r4,acme,smuggles,E-1,entry,2023-02-03,\n", encoding="utf-8")
    commands = [
        ("check",),
        ("query", "must_keep(C, R, N, U, T, B)"),
        ("query", "must_keep(C, R, N, U, T, B)", "--format", "json"),
        ("retention",),
        ("retention", "--scenario", str(SCENARIO), "--format", "json"),
        ("explain", "who_keeps_what", "--format", "json"),
        ("explain", "who_keeps_what", "--format", "md"),
        ("explain", "dated_obligations", "--scenario", str(SCENARIO), "--format", "html"),
    ]
    for seed in ("0", "1", "12345"):
        outputs = []
        for command in commands:  # the time an explanation is made is an input too (docs/EXPLANATIONS.md)
            result = run_cli(*command, env={"PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1798797600"})
            assert result.returncode == 0, (command, result.stderr)
            outputs.append(result.stdout + result.stderr)
        out = tmp_path / f"schedule-{seed}.csv"
        result = run_cli("schedule", str(inventory), "--out", str(out), env={"PYTHONHASHSEED": seed})
        assert result.returncode == 1  # the smuggling row is rejected
        outputs += [out.read_bytes(), out.with_name(f"{out.stem}.rejects.csv").read_bytes()]
        if seed == "0":
            first = outputs
            assert all(outputs)
        else:
            assert outputs == first, [c for c, a, b in zip(commands, outputs, first) if a != b]


# ---- exact numbers -----------------------------------------------------------------------------------------

EXACT_KB = """\
input paid(Party, Amount: money) means "Party paid Amount".
input count(Party, N: integer) means "Party counted N".
provision "19 U.S.C. 1508(a)" {
  reconstructed "exact values"
  owed(acme, $123,456,789.01).
  huge(12345678901234567).
  owed_plus(P, X) :- owed(P, A), X = A + $0.01.
  owed_twice(P, X) :- owed(P, A), X = A * 2.
  huge_next(N) :- huge(H), N = H + 1.
  exactly_owed(P) :- owed(P, A), A == $123,456,789.01.
  not_rounded(P) :- owed(P, A), A != $123,456,789.00, A != $123,456,789.02.
  paid_more(P, X) :- paid(P, A), X = A + $0.01.
  counted_next(P, M) :- count(P, N), M = N + 1.
}
"""


def test_exact_values_pass_through_queries_and_arithmetic(make_kb, tmp_path):
    # pyDatalog would round floats to 8 significant digits: both values would change
    assert float(f"{123456789.01:.8g}") != 123456789.01 and float(f"{12345678901234567:.8g}") != 12345678901234567
    root = make_kb(EXACT_KB)
    kb = citelog.load(root)
    assert kb.query("owed_plus(acme, X)")[0]["X"] == Money(12_345_678_902)
    assert kb.query("owed_twice(acme, X)")[0]["X"] == Money(24_691_357_802)
    assert kb.query("huge_next(N)")[0]["N"] == 12345678901234568
    assert [a["P"] for a in kb.query("exactly_owed(P)")] == [a["P"] for a in kb.query("not_rounded(P)")] == ["acme"]
    scenario = tmp_path / "exact.yaml"
    scenario.write_text("facts:\n  paid:\n    - [bob, $123456789.01]\n"
                        "  count:\n    - - bob\n      - 12345678901234567\n", encoding="utf-8")
    with kb.scenario(load_scenario(scenario, kb.program).facts):
        assert kb.query("paid_more(bob, X)")[0]["X"] == Money(12_345_678_902)
        assert kb.query("counted_next(bob, M)")[0]["M"] == 12345678901234568
    result = run_cli("query", "huge_next(N)", "--kb", str(root), "--format", "json")
    assert json.loads(result.stdout)["answers"][0]["bindings"] == {"N": 12345678901234568}
    result = run_cli("query", "owed_plus(P, X)", "--kb", str(root), "--scenario", str(scenario), "--format", "json")
    assert json.loads(result.stdout)["answers"][0]["bindings"] == {"P": "acme", "X": "$123,456,789.02"}


# ---- values pyDatalog would confuse ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False, Decimal("NaN"), Decimal("Infinity")])
def test_values_that_would_collide_or_never_equal_are_refused(value):
    with pytest.raises(citelog.InputError) as caught:
        citelog.evaluate({"n": [(value,), (1,)]}, ["p(X) :- n(X)."])
    assert caught.value.code == "bad-value"


def test_true_is_refused_as_a_given_fact_and_never_becomes_one(routes_kb):
    kb = citelog.load(routes_kb)
    with pytest.raises(citelog.InputError) as caught:
        kb.add_facts({"imports": [(True, "e1")]})
    assert caught.value.code == "bad-value" and "True" in caught.value.message
    assert kb.given_facts() == []


@pytest.mark.parametrize("text", ["$1,00", "$1.5", "$1,0000", "$12,34.56", "$1.234"])
def test_malformed_amounts_are_refused_everywhere(text, make_kb, tmp_path):
    with pytest.raises(ValueError):
        Money.parse(text)
    with pytest.raises(citelog.CheckError) as caught:
        parse_module(f"p(a, {text}).", "t.clog")
    assert caught.value.code == "bad-value" and f"malformed amount {text}" in caught.value.message
    kb = citelog.load(make_kb(EXACT_KB))
    scenario = tmp_path / "amount.yaml"
    scenario.write_text(f"facts:\n  paid:\n    - - bob\n      - {text}\n", encoding="utf-8")  # a comma splits [...]
    with pytest.raises(citelog.CheckError) as caught:
        load_scenario(scenario, kb.program)
    assert caught.value.code == "bad-value" and f"malformed amount {text}" in caught.value.message


@pytest.mark.parametrize("text, value", [("$1,000", 100_000), ("$1000", 100_000), ("$0.01", 1), ("$1,234,567.89",
                                                                                                   123_456_789)])
def test_well_formed_amounts(text, value):
    assert Money.parse(text) == Money(value)
    assert parse_module(f"p({text}, 2).", "t.clog").loose[0].form.head.args[0].value == Money(value)


# ---- messages in words ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["p(X :- q(X).", "p(1 2).", "p(X) :- q(X), X = 1 +", "p(", "provision \"x\" {",
                                  "p(a). }", "keep r for at least years from e."])
def test_syntax_errors_name_no_parser_internals(text):
    with pytest.raises(citelog.CheckError) as caught:
        parse_module(text, "t.clog")
    message = caught.value.message
    for internal in ("ADDOP", "MULOP", "addop", "mulop", "$END", "<END-OF-FILE>", "__ANON", "LPAR", "RPAR"):
        assert internal not in message, message


@pytest.mark.parametrize("text, says", [
    ("p(X) extra", "expected nothing more: a query is one atom"),
    ("p(X).", "expected nothing more: a query is one atom"),
    ("p(X", "expected ')', ',', an operator (+ - * // mod)"),
])
def test_query_syntax_errors_in_words(text, says):
    with pytest.raises(citelog.CheckError) as caught:
        parse_atom(text)
    assert says in caught.value.message


def test_a_byte_order_mark_is_not_an_error(make_kb):
    root = make_kb('provision "19 U.S.C. 1508(a)" {\n  reconstructed "x"\n  p(a).\n}\n')
    rules = root / "rules.clog"
    rules.write_bytes(b"\xef\xbb\xbf" + rules.read_bytes())
    assert citelog.load(root).query("p(X)")[0]["X"] == "a"
