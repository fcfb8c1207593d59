"""Fuzzing the front end and the engine: whatever text comes in, only citelog's own errors go out.

Two generators feed the real path (a KB folder on disk -> parse -> desugar -> check -> compile ->
load into pyDatalog -> query -> prove), with small evaluation limits so that a generated
recursive program cannot run long:
- grammar-aware: rule files built from the forms of the language (declarations, provision and
  interpretation blocks, every legal statement, core rules with negation, comparisons and
  arithmetic), with valid and invalid names, values and citations mixed in;
- mutation: a bundled kb/*.clog file with lines and characters deleted, doubled, swapped, or
  random bytes inserted.
Queries typed by hand and scenario texts get random text too.

CI runs the `ci` profile (a bounded number of examples, well under a minute in all); for a long
local run: HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py (docs/HARDENING.md).
"""

from __future__ import annotations

import os
import re
import shutil
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import citelog
from citelog import CitelogError, KnowledgeBase, Limits
from citelog.names import INTERNAL
from citelog.pipeline import build
from citelog.scenario import parse_scenario

from conftest import BUNDLED_KB, LAW

settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

LIMITS = Limits(seconds=2, firings=20_000)  # a generated recursive program stops quickly
INTERNALS = re.compile(r"[A-Z]{2,}|\$END|<END-OF-FILE>|__ANON")


def exercise(root: Path) -> None:
    """The whole path on a KB folder; any error that is not a CitelogError fails the test."""
    program, sources, diagnostics = build(root)
    for diagnostic in diagnostics:
        assert diagnostic.code and diagnostic.message and diagnostic.position.path
        expected = diagnostic.message.partition("; expected ")[2]
        assert not INTERNALS.search(expected), diagnostic  # words, not the parser's terminal names
    if diagnostics:
        event(f"refused: {diagnostics[0].code}")
        return
    event("checked: loaded and queried")
    try:
        kb = KnowledgeBase(program, sources, LIMITS)
        prover = citelog.Prover(kb)
        for predicate, arity in sorted(kb.arities.items()):
            if INTERNAL in predicate:
                continue
            answers = kb.query(f"{predicate}({', '.join(f'V{i}' for i in range(arity))})")
            for answer in answers[:3]:
                prover.prove(answer.predicate, answer.values)
    except CitelogError as error:
        event(f"evaluation: {error.code}")


# ---- grammar-aware generation ---------------------------------------------------------------------------

NAMES = st.one_of(st.sampled_from(["p", "q", "r", "imports", "is_a", "duty", "retention", "records", "importer",
                                   "mod", "not", "keep", "a", "x_1"]),
                  st.from_regex(r"[a-z][a-zA-Z0-9_]{0,5}", fullmatch=True))
VARIABLES = st.sampled_from(["X", "Y", "Z", "P", "_", "_Y", "Claim"])
STRINGS = st.text(alphabet=string.ascii_letters + ' \\"\n{}$%', max_size=12).map(
    lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')
VALUES = st.one_of(
    st.integers(-10**20, 10**20).map(str), STRINGS, NAMES,
    st.sampled_from(["2024-02-29", "2023-02-30", "2023-13-01", "1999-12-31", "$10,000", "$12.50", "$1,00", "$0.01",
                     "$123,456,789.01", "12345678901234567"]),
)
TERMS = st.recursive(
    st.one_of(VARIABLES, VALUES),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "//", "mod"]), inner).map(" ".join),
        inner.map(lambda t: f"({t})"),
        inner.map(lambda t: f"-{t}"),
    ),
    max_leaves=4,
)
ATOMS = st.builds(lambda name, args: f"{name}({', '.join(args)})", NAMES, st.lists(TERMS, max_size=3))
LITERALS = st.one_of(
    ATOMS, ATOMS.map(lambda a: f"not {a}"),
    st.tuples(TERMS, st.sampled_from(["=", "==", "!=", "<", "<=", ">", ">="]), TERMS).map(" ".join),
)
BODIES = st.lists(LITERALS, min_size=1, max_size=4).map(", ".join)
CONDITIONS = st.tuples(st.one_of(st.just(""), BODIES.map(lambda b: f" if {b}")),
                       st.one_of(st.just(""), BODIES.map(lambda b: f" unless {b}"))).map("".join)
PERIODS = st.one_of(
    st.builds(lambda b, n, u, t: f"for {b}{n} {u} from {t}", st.sampled_from(["", "at least ", "at most ", "exactly "]),
              st.integers(0, 30), st.sampled_from(["years", "year", "days", "calendar days"]), NAMES),
    st.builds(lambda n, t: f"until the {n} anniversary of {t}", st.sampled_from(["1st", "2nd", "3rd", "21st"]), NAMES),
    NAMES.map(lambda a: f"for the period prescribed by {a}"),
)
STATEMENTS = st.one_of(
    st.builds(lambda h, b: f"{h}{b}.", ATOMS, st.one_of(st.just(""), BODIES.map(lambda b: f" :- {b}"))),
    st.builds(lambda v, c, cond: f"{v} is a {c}{cond}.", VARIABLES, NAMES, CONDITIONS),
    st.builds(lambda who, acts, what, cond: f"{who} must {' and '.join(acts)} {what}{cond}.", NAMES,
              st.lists(NAMES, min_size=1, max_size=3), NAMES, CONDITIONS),
    st.builds(lambda who, what, n, t: f"{who} must disclose {what} within {n} days after {t}.", NAMES, NAMES,
              st.integers(0, 99), NAMES),
    st.builds(lambda r, p, cond: f"keep {r} {p}{cond}.", NAMES, PERIODS, CONDITIONS),
    st.builds(lambda a, act, o: f"{a} may {act} {o}.", NAMES, NAMES, NAMES),
    st.builds(lambda t, s, parts: f"define {t} as {s}{' including ' + ', '.join(parts) if parts else ''}.", NAMES,
              STRINGS, st.lists(NAMES, max_size=2)),
    st.builds(lambda act, o, k, cap: f"failing to {act} {o} is liable to a {k}{cap}.", NAMES, NAMES, NAMES,
              st.sampled_from(["", " not exceeding $10,000", " not exceeding $1,00"])),
    st.builds(lambda label, body: f"exception to {label} if {body}.", NAMES, BODIES),
)
LABELLED = st.tuples(st.one_of(st.just(""), NAMES.map(lambda n: f"[{n}] ")), STATEMENTS).map("".join)
CITATIONS = st.one_of(st.sampled_from(["19 U.S.C. 1508(a)", "19 U.S.C. 1508(c)(3)", "19 CFR 163.12(b)(3)(iv)",
                                       "19 CFR 163.4(a)", "section 1508"]), st.text(max_size=8))
QUOTES = st.one_of(
    st.builds(lambda start, length: LAW[start:start + length], st.integers(0, len(LAW)), st.integers(1, 60)),
    st.text(max_size=20),
).map(lambda q: 'quote law "' + q.replace("\\", "\\\\").replace('"', '\\"') + '"')
META = st.lists(st.one_of(QUOTES, STRINGS.map(lambda s: f"reconstructed {s}"), STRINGS.map(lambda s: f"note {s}")),
                max_size=2)
BLOCKS = st.one_of(
    st.builds(lambda c, meta, body: f'provision "{c}" {{\n' + "\n".join(meta + body) + "\n}",
              CITATIONS.map(lambda c: c.replace("\\", "").replace('"', "")), META,
              st.lists(LABELLED, max_size=4)),
    st.builds(lambda n, note, body: f"interpretation {n} {{\n note {note}\n" + "\n".join(body) + "\n}", NAMES,
              STRINGS, st.lists(LABELLED, max_size=3)),
    st.builds(lambda n, ps, reads: f"input {n}({', '.join(ps)}) means \"m\"{reads}.", NAMES,
              st.lists(st.sampled_from(["Party", "Entry", "When: date", "Amount: money", "N: integer"]), max_size=3,
                       unique=True), st.one_of(st.just(""), STRINGS.map(lambda s: f" reads {s}"))),
    st.builds(lambda n, ps: f"predicate {n}({', '.join(ps)}).", NAMES, st.lists(VARIABLES, max_size=3)),
    st.builds(lambda n, a: f'query {n} means "a question" asks {a}.', NAMES, ATOMS),
    LABELLED,
)
RULE_FILES = st.lists(BLOCKS, max_size=6).map(lambda items: 'source law = "sources/law.txt".\n' + "\n".join(items))


@pytest.fixture(scope="module")
def folder():
    """A KB folder whose rule file each example rewrites (one folder for all examples: fast)."""
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        (root / "sources").mkdir()
        (root / "sources" / "law.txt").write_text(LAW, encoding="utf-8")
        yield root


@given(text=RULE_FILES)
def test_generated_rule_files(folder, text):
    (folder / "rules.clog").write_text(text, encoding="utf-8")
    exercise(folder)


# ---- mutation of the bundled KB ---------------------------------------------------------------------------

BUNDLED_FILES = sorted(p.name for p in BUNDLED_KB.glob("*.clog"))


def mutate(data: bytes, operations: list[tuple[str, int, int, bytes]]) -> bytes:
    """Apply edits by line (delete, double, swap) and by byte (delete, insert random bytes)."""
    for kind, i, j, noise in operations:
        lines = data.split(b"\n")
        a, b = i % len(lines), j % len(lines)
        if kind == "delete-line":
            del lines[a]
        elif kind == "double-line":
            lines.insert(a, lines[a])
        elif kind == "swap-lines":
            lines[a], lines[b] = lines[b], lines[a]
        elif kind == "delete-bytes":
            start = i % (len(data) or 1)
            data = data[:start] + data[start + 1 + j % 8:]
            continue
        else:  # insert bytes
            start = i % (len(data) + 1)
            data = data[:start] + noise + data[start:]
            continue
        data = b"\n".join(lines)
    return data


OPERATIONS = st.lists(st.tuples(st.sampled_from(["delete-line", "double-line", "swap-lines", "delete-bytes",
                                                 "insert-bytes"]),
                                st.integers(0, 10**6), st.integers(0, 10**6),
                                st.one_of(st.binary(min_size=1, max_size=4),
                                          st.sampled_from([b".", b",", b"(", b")", b"{", b"}", b'"', b"not ", b"X",
                                                           b"_", b"$", b"%", b":-", b"\xff", b"\x00"]))),
                      min_size=1, max_size=4)


@pytest.fixture(scope="module")
def bundled_copy():
    with tempfile.TemporaryDirectory() as name:
        root = Path(name) / "kb"
        shutil.copytree(BUNDLED_KB, root, ignore=shutil.ignore_patterns("tests", "scenarios"))
        yield root


@given(file=st.sampled_from(BUNDLED_FILES), operations=OPERATIONS)
def test_mutated_bundled_files(bundled_copy, file, operations):
    path = bundled_copy / file
    original = (BUNDLED_KB / file).read_bytes()
    path.write_bytes(mutate(original, operations))
    try:
        exercise(bundled_copy)
    finally:
        path.write_bytes(original)


# ---- queries and scenarios typed by hand -----------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return citelog.load(limits=LIMITS)


QUERY_TEXT = st.one_of(
    st.text(max_size=30),
    st.builds(lambda n, args: f"{n}({', '.join(args)})",
              st.sampled_from(["is_a", "duty", "must_keep", "retention", "penalty_cap", "nope"]),
              st.lists(st.one_of(VARIABLES, VALUES), max_size=7)),
)


@given(text=QUERY_TEXT)
def test_typed_queries(bundled, text):
    try:
        bundled.query(text)
    except CitelogError:
        pass


SCENARIO_TEXT = st.one_of(
    st.text(max_size=60),
    st.builds(lambda name, rows: f"facts:\n  {name}:\n" + "".join(f"    - [{', '.join(r)}]\n" for r in rows),
              st.sampled_from(["imports", "claim_liquidated", "conference_request_received", "nope"]),
              st.lists(st.lists(st.one_of(VALUES, st.text(max_size=5)), max_size=4), max_size=3)),
)


@given(text=SCENARIO_TEXT)
def test_scenario_texts(bundled, text):
    try:
        scenario = parse_scenario(text, bundled.program)
        with bundled.scenario(scenario.facts):
            bundled.query("must_keep(C, R, N, U, T, B)")
    except CitelogError:
        pass


# ---- differential: core programs against a plain reference evaluator ------------------------------------

ARITY = {"e": 2, "f": 1, "p": 2, "q": 1, "r": 1}
DERIVED = ("p", "q", "r")
TERM_VARIABLES = ("X", "Y", "Z")
SMALL = st.integers(0, 4)


@st.composite
def core_rules(draw):
    """A rule over e/2, f/1 (given) and p/2, q/1, r/1 (derived): atoms, then maybe a negation, a
    comparison or an assignment; the head's variables come from the positive atoms, so most are safe."""
    def atom(predicates):
        name = draw(st.sampled_from(predicates))
        return name, tuple(draw(st.one_of(st.sampled_from(TERM_VARIABLES), SMALL)) for _ in range(ARITY[name]))

    body = [atom(list(ARITY)) for _ in range(draw(st.integers(1, 3)))]
    bound = sorted({a for _, args in body for a in args if isinstance(a, str)})
    extra = draw(st.sampled_from(["", "negation", "comparison", "assignment"]))
    literals = [f"{n}({', '.join(map(str, args))})" for n, args in body]
    if extra == "negation":
        name, args = atom(list(ARITY))
        args = tuple(a if not isinstance(a, str) or a in bound else "_" for a in args)
        literals.append(f"not {name}({', '.join(map(str, args))})")
    elif extra == "comparison" and bound:
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "!=", "=="]))
        literals.append(f"{draw(st.sampled_from(bound))} {op} {draw(st.one_of(st.sampled_from(bound), SMALL))}")
    elif extra == "assignment" and bound:
        literals.append(f"W = {draw(st.sampled_from(bound))} {draw(st.sampled_from(['+', '-']))} {draw(SMALL)}")
        bound.append("W")
    head = draw(st.sampled_from(DERIVED))
    args = [draw(st.one_of(st.sampled_from(bound), SMALL)) if bound else draw(SMALL) for _ in range(ARITY[head])]
    literals = draw(st.permutations(literals))  # the written order must not matter
    return f"{head}({', '.join(map(str, args))}) :- {', '.join(literals)}."


class Unbounded(Exception):
    """The reference model grew past its cap (an infinite model, most likely)."""


def reference(facts: dict[str, set[tuple]], rules: list[str]) -> dict[str, set[tuple]]:
    """The model of a stratified program, by naive evaluation stratum by stratum (independent of
    the compiler: rules are read back from citelog's parser only)."""
    from citelog.parser import parse_module
    from citelog.core import Atom, Comparison, Const, Negation, Var

    parsed = [parse_module(text).loose[0].form for text in rules]
    stratum = dict.fromkeys(ARITY, 0)
    for _ in range(len(ARITY) + 1):
        for rule in parsed:
            for literal in rule.body:
                atom, step = (literal.atom, 1) if isinstance(literal, Negation) else (literal, 0)
                if isinstance(atom, Atom):
                    stratum[rule.head.predicate] = max(stratum[rule.head.predicate], stratum[atom.predicate] + step)
    model = {name: set(facts.get(name, ())) for name in ARITY}

    def value(term, env):
        if isinstance(term, Var):
            return env[term.name]
        if isinstance(term, Const):
            return term.value
        left, right = value(term.left, env), value(term.right, env)
        return left + right if term.op == "+" else left - right

    def match(atom, row, env):
        env = dict(env)
        for term, item in zip(atom.args, row):
            if isinstance(term, Var) and term.name == "_":
                continue
            if isinstance(term, Var) and term.name not in env:
                env[term.name] = item
            elif value(term, env) != item:
                return None
        return env

    def solutions(body):
        envs = [{}]
        for atom in [lit for lit in body if isinstance(lit, Atom)]:
            envs = [m for env in envs for row in model[atom.predicate] if (m := match(atom, row, env)) is not None]
        for comparison in [lit for lit in body if isinstance(lit, Comparison)]:
            kept = []
            for env in envs:
                left, right = comparison.left, comparison.right
                if comparison.op == "==" and isinstance(left, Var) and left.name not in env:
                    kept.append({**env, left.name: value(right, env)})
                elif {"==": int.__eq__, "!=": int.__ne__, "<": int.__lt__, "<=": int.__le__, ">": int.__gt__,
                      ">=": int.__ge__}[comparison.op](value(left, env), value(right, env)):
                    kept.append(env)
            envs = kept
        for negation in [lit for lit in body if isinstance(lit, Negation)]:
            envs = [env for env in envs if not any(match(negation.atom, row, env) is not None
                                                   for row in model[negation.atom.predicate])]
        return envs

    for level in sorted(set(stratum.values())):
        changed = True
        while changed:
            changed = False
            for rule in [r for r in parsed if stratum[r.head.predicate] == level]:
                for env in solutions(rule.body):
                    row = tuple(value(a, env) for a in rule.head.args)
                    if row not in model[rule.head.predicate]:
                        model[rule.head.predicate].add(row)
                        changed = True
                        if len(model[rule.head.predicate]) > 500:
                            raise Unbounded
    return model


FACTS = st.fixed_dictionaries({"e": st.sets(st.tuples(SMALL, SMALL), max_size=8),
                               "f": st.sets(st.tuples(SMALL), max_size=4)})


BASE = ["p(X, Y) :- e(Y, X).", "q(X) :- f(X).", "r(X) :- e(X, _)."]  # every derived predicate is defined


@settings(max_examples=settings.default.max_examples * 4)  # fast: about 20 ms an example
@given(facts=FACTS, rules=st.lists(core_rules(), min_size=1, max_size=4).map(lambda rules: BASE + rules))
def test_core_programs_answer_like_a_reference_evaluator(facts, rules):
    try:
        model = citelog.evaluate(facts, rules, limits=LIMITS)
    except citelog.CheckError as error:
        event(f"refused: {error.code}")
        return
    except citelog.EvaluationError as error:
        assert error.code == "limit-exceeded", error  # only ints: no type can clash
        event("evaluation: limit-exceeded")
        return
    try:
        expected = reference(facts, rules)
    except Unbounded:
        event("infinite model")
        return
    event("compared")
    assert {name: model.get(name, set()) for name in ARITY} == expected
