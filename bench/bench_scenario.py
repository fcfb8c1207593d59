"""Benchmark of a company's scenario end to end: `citelog retention --scenario` and the web app's
Ask page, on the bundled KB with a scenario of thousands of rows and declared parties.

Run from the repository root:

    python bench/bench_scenario.py                 # 10,000 rows over 1,000 parties, 3 runs
    python bench/bench_scenario.py --rows 1000 --parties 100 --runs 5

The scenario is `bench/workloads.py`'s (importers, entries, reconciliations, brokers, drawback
claims, NAFTA certificates), written as a scenario file with a `parties:` block that declares every
party an importer, as a company would. What is measured, paired in each run:

1. the CLI, a fresh process (`citelog retention --scenario FILE`, output to a file), wall clock,
   with its peak memory; the KB's build is cached by an untimed warm-up run;
2. the same work in process, phase by phase (reading the scenario, evaluating, the obligations
   with their proofs and dates, the report and its layout), so that the total can be read;
3. the floor: the plain-Python semi-naive evaluator (`bench/plain_datalog.py`) on the same
   facts and the bundled KB's rules, with a check that it derives the same `keeps` tuples;
4. the web app: the scenario posted to /ask (Starlette's TestClient, in process) and the
   headline question asked under it.

It prints medians, the ratio of the CLI to the floor and the load average, never asserts, and
writes the figures to bench/results/scenario.json (git-ignored). Target (issue 13): a scenario of
10,000 rows answers in seconds, in the CLI and on the web; the evaluation alone <= 5 s.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import plain_datalog  # noqa: E402
import workloads  # noqa: E402

RESULTS = HERE / "results" / "scenario.json"


def scenario_yaml(rows: int, parties: int) -> tuple[str, dict]:
    """The workload's scenario as a file's text, and its facts."""
    facts = workloads.scenario(rows, parties).facts
    lines = [f"scenario: A company's records, {rows:,} rows over {parties:,} declared parties", "parties:"]
    lines += [f"  p{i}: {{name: Party {i}, roles: [importer]}}" for i in range(parties)]
    lines.append("facts:")
    for predicate, tuples in facts.items():
        if tuples:
            lines.append(f"  {predicate}:")
            lines += ["    - [" + ", ".join(str(v) for v in row) + "]" for row in tuples]
    return "\n".join(lines) + "\n", facts


def cli_run(path: Path) -> tuple[float, int]:
    """One fresh `citelog retention --scenario`: wall seconds and the child's peak memory (KB)."""
    citelog = Path(sys.executable).with_name("citelog")
    with tempfile.TemporaryFile() as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run([str(citelog), "retention", "--scenario", str(path)], stdout=out, check=True,
                       env={**os.environ, "COLUMNS": "160"})
        seconds = time.perf_counter() - start
    return seconds, max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)


def phases(path: Path) -> dict[str, float]:
    """The CLI's work in process, timed phase by phase."""
    from citelog import load, resources
    from citelog.obligations import obligations
    from citelog.report import obligations_report
    from citelog.scenario import load_scenario
    from citelog.terminal import console, show

    timed: dict[str, float] = {}

    def clock(name, work):
        start = time.perf_counter()
        value = work()
        timed[name] = time.perf_counter() - start
        return value

    kb = clock("load the KB", lambda: load(resources.bundled_kb()))
    scenario = clock("read the scenario", lambda: load_scenario(path, kb.program))
    kb.add_facts(scenario.facts)
    keeps = clock("evaluate", lambda: kb.query("keeps(P, C, R, S, N, U, T, B, E, D)"))
    rows = clock("obligations, proofs, dates", lambda: obligations(kb))
    out = console()
    out.file = io.StringIO()
    clock("report and layout", lambda: show(obligations_report(kb, scenario, rows), out, "Scenario"))
    timed["rows"] = len(rows)
    timed["keeps"] = {tuple(str(v) for v in a.values) for a in keeps}
    return timed


def floor(facts: dict) -> tuple[float, set]:
    """The plain-Python evaluator on the bundled KB's rules: seconds and its `keeps` tuples."""
    import datetime

    from citelog import resources
    from citelog.pipeline import build
    from citelog.values import Date

    program = build(resources.bundled_kb())[0]
    given = {name: [tuple(Date(v) if isinstance(v, datetime.date) else v for v in row) for row in rows]
             for name, rows in facts.items()}
    start = time.perf_counter()
    derived = plain_datalog.evaluate(program, given)
    seconds = time.perf_counter() - start
    return seconds, {tuple(str(v) for v in row) for row in derived.get("keeps", ())}


def web_run(text: str) -> tuple[float, int]:
    """The scenario posted to /ask and the headline asked under it: seconds and the page's bytes."""
    from citelog.web import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    client = TestClient(create_app(time_limit=600), base_url="http://127.0.0.1")
    start = time.perf_counter()
    posted = client.post("/ask", data={"headline": "1"}, follow_redirects=False,
                         files={"upload": ("scenario.yaml", text.encode(), "application/yaml")})
    page = client.get(posted.headers["location"])
    seconds = time.perf_counter() - start
    if page.status_code != 200:
        raise SystemExit(f"the Ask page answered {page.status_code}")
    return seconds, len(page.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--parties", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    text, facts = scenario_yaml(args.rows, args.parties)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(text, encoding="utf-8")
        cli_run(path)  # warm-up: the KB's build goes into the cache, byte code is compiled
        runs = []
        for _ in range(args.runs):
            cli_seconds, peak = cli_run(path)
            timed = phases(path)
            floor_seconds, floor_keeps = floor(facts)
            web_seconds, page = web_run(text)
            runs.append((cli_seconds, peak, timed, floor_seconds, floor_keeps, web_seconds, page))
    same = all(timed["keeps"] == floor_keeps for _, _, timed, _, floor_keeps, _, _ in runs)
    median = lambda values: statistics.median(values)  # noqa: E731
    cli = median([r[0] for r in runs])
    floor_median = median([r[3] for r in runs])
    evaluation = median([r[2]["evaluate"] for r in runs])
    figures = {
        "rows": args.rows, "parties": args.parties, "runs": args.runs, "load": os.getloadavg()[0],
        "obligations": runs[0][2]["rows"], "same keeps as the floor": same,
        "cli seconds": cli, "cli peak MB": max(r[1] for r in runs) / 1024,
        "phases": {name: median([r[2][name] for r in runs]) for name in runs[0][2] if name not in ("rows", "keeps")},
        "floor seconds": floor_median, "evaluation / floor": evaluation / floor_median,
        "web seconds": median([r[5] for r in runs]), "web page bytes": runs[0][6],
    }
    print(f"scenario of {args.rows:,} rows over {args.parties:,} parties: {figures['obligations']:,} obligations; "
          f"{args.runs} paired runs, load {figures['load']:.2f}")
    print(f"  citelog retention --scenario (fresh process): {cli:.2f} s median, peak {figures['cli peak MB']:.0f} MB")
    for name, seconds in figures["phases"].items():
        print(f"    {name:<28} {seconds:.2f} s")
    print(f"  plain-Python floor (evaluation): {floor_median:.2f} s; citelog's evaluation {evaluation:.2f} s "
          f"= {figures['evaluation / floor']:.1f}x; same keeps: {'yes' if same else 'NO'}")
    print(f"  web: post and Ask page {figures['web seconds']:.2f} s median ({figures['web page bytes']:,} bytes)")
    print(f"  target: evaluation <= 5 s: {'PASS' if evaluation <= 5 else 'MISS'}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
