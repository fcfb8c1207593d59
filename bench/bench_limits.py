"""What the evaluation limits cost: the same work with firings counted and without (docs/LIMITS.md).

Run from the repository root:

    python bench/bench_limits.py            # 9 rounds
    python bench/bench_limits.py --rounds 3

Each round loads the bundled KB twice, with the default limits (the pulse term in every clause,
firings counted and the clock read) and with `Limits(None, None)` (no pulse at all), in
alternating order, and times in
each the headline question, every catalogue query with the citations of its answers, and the
obligations of every shipped scenario; then a left-recursive transitive closure over a chain of
400 nodes (80,200 firings). CPU time (process_time) is used, being less disturbed than wall
time by other processes on a shared machine; medians are printed. It never asserts.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import citelog
from citelog import Limits
from citelog.obligations import obligations
from citelog.retention import retention_rows
from citelog.scenario import load_scenario

REPO = Path(__file__).resolve().parent.parent
COUNTED, UNCOUNTED = Limits(), Limits(None, None)
CLOSURE = ["path(X, Y) :- edge(X, Y).", "path(X, Z) :- path(X, Y), edge(Y, Z)."]


def bundled_work(limits: Limits) -> float:
    kb = citelog.load(limits=limits)
    start = time.process_time()
    retention_rows(kb)
    prover = citelog.Prover(kb)
    for named in kb.program.queries:
        for answer in kb.query(named.atom):
            prover.prove(answer.predicate, answer.values)
    for path in sorted((REPO / "kb" / "scenarios").glob("*.yaml")):
        with kb.scenario(load_scenario(path, kb.program).facts):
            obligations(kb, None)
    return time.process_time() - start


def closure(limits: Limits) -> float:
    facts = {"edge": [(i, i + 1) for i in range(400)]}
    start = time.process_time()
    citelog.evaluate(facts, CLOSURE, limits=limits)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    rounds = parser.parse_args().rounds
    figures: dict[tuple[str, str], list[float]] = {}
    for number in range(rounds):
        order = (COUNTED, UNCOUNTED) if number % 2 else (UNCOUNTED, COUNTED)
        for work in (bundled_work, closure):
            for limits in order:
                label = "counted" if limits == COUNTED else "uncounted"
                figures.setdefault((work.__name__, label), []).append(work(limits))
    print(f"median CPU seconds over {rounds} rounds")
    for name in ("bundled_work", "closure"):
        counted = statistics.median(figures[(name, "counted")])
        uncounted = statistics.median(figures[(name, "uncounted")])
        print(f"{name:13} uncounted {uncounted:7.3f}  counted {counted:7.3f}  overhead {counted / uncounted - 1:+6.1%}")


if __name__ == "__main__":
    main()
