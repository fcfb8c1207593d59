"""Benchmark of the evaluation engine against a plain-Python floor and clingo, on real workloads.

Run from the repository root (clingo is optional: `pip install clingo`):

    python bench/bench_engine.py            # every workload, 3 paired repetitions
    python bench/bench_engine.py --quick    # the smaller workloads, once
    python bench/bench_engine.py --only chain-1000 --repeat 5

Each measurement is a fresh child process (so peak memory is that run's own) that generates the
workload from a fixed seed and times the evaluation alone (not imports or generation):
- citelog: `citelog.evaluate(facts, rules)`; for the bundled KB, `citelog.load()` (timed
  apart) then the scenario's dated obligations (`keeps`) through `kb.scenario(...)` and `kb.query`;
- floor: `bench/plain_datalog.py`, a plain-Python semi-naive evaluator of the same program;
- clingo: the same rules and facts as ASP text, grounded and solved (not for the bundled KB, whose
  date arithmetic ASP does not have).
The repetitions are paired: each repetition runs every system on the workload in turn, the order
rotating. Medians are printed with the citelog/floor ratio, peak memory (max RSS of the child,
interpreter included) and whether every system computed the same tuples (a digest of the sorted
output relation). It prints figures and PASS/MISS against the targets; it never asserts. The
figures also go to bench/results/engine.json (git-ignored).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import workloads  # noqa: E402

WORKLOADS = {
    "chain-200": lambda: workloads.chain(200),
    "chain-500": lambda: workloads.chain(500),
    "chain-1000": lambda: workloads.chain(1000),
    "random-graph": workloads.random_graph,
    "same-generation": workloads.same_generation,
    "not-reachable": workloads.not_reachable,
    "lubm": workloads.lubm,
    "points-to": workloads.points_to,
    "scenario-1k": lambda: workloads.scenario(1_000),
    "scenario-10k": lambda: workloads.scenario(10_000),
    "scenario-100k": lambda: workloads.scenario(100_000),
}
QUICK = ["chain-200", "chain-500", "same-generation", "not-reachable", "lubm", "scenario-1k", "scenario-10k"]
SYSTEMS = ["citelog", "floor", "clingo"]
TIME_RATIO, MEMORY_MB, SCENARIO_10K_S = 10.0, 1024, 5.0


# ---- one measurement, in a child process --------------------------------------------------------


def _plain(value):
    import datetime

    from citelog.values import Date

    if isinstance(value, datetime.date):
        return Date(value)
    return value


def _digest(rows) -> str:
    text = "\n".join(sorted(repr(tuple(str(v) if not isinstance(v, int) else v for v in row)) for row in rows))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def child(name: str, system: str) -> dict:
    workload = WORKLOADS[name]()
    facts = workload.facts
    extra: dict = {}
    if system == "citelog":
        import citelog

        if workload.rules:
            started = time.perf_counter()
            rows = citelog.evaluate(facts, workload.rules)[workload.output]
        else:
            loading = time.perf_counter()
            kb = citelog.load()
            extra["load_s"] = time.perf_counter() - loading
            started = time.perf_counter()
            with kb.scenario(facts):
                arity = kb.arities[workload.output]
                atom = f"{workload.output}({', '.join(f'V{i}' for i in range(arity))})"
                rows = [answer.values for answer in kb.query(atom)]
    elif system == "floor":
        import plain_datalog

        from citelog import resources
        from citelog.pipeline import build, build_plain

        given = {n: [tuple(_plain(v) for v in row) for row in rows] for n, rows in facts.items()}
        started = time.perf_counter()  # with the front end, as citelog.evaluate is timed
        if workload.rules:
            program = build_plain(workload.rules, {n: None for n in facts})
        else:
            program = build(resources.bundled_kb())[0]
            started = time.perf_counter()  # the KB is loaded apart, as for citelog
        rows = plain_datalog.evaluate(program, given).get(workload.output, set())
    else:
        import clingo

        text = "".join(f"{n}({','.join(_asp(v) for v in row)}).\n" for n, rows in facts.items() for row in rows)
        text += "\n".join(r.replace("==", "=") for r in workload.rules) + f"\n#show {workload.output}/"
        text += f"{len(next(iter(_first_row(workload))))}.\n"
        started = time.perf_counter()
        control = clingo.Control(["--warn=none"])
        control.add("base", [], text)
        control.ground([("base", [])])
        found = []
        control.solve(on_model=lambda m: found.extend(m.symbols(shown=True)))
        rows = [tuple(_from_clingo(a) for a in s.arguments) for s in found]
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, "tuples": len(set(map(tuple, rows))),
            "digest": _digest(set(map(tuple, rows))), **extra}


def _first_row(workload):
    """A row of the output relation's arity: from the rule heads (the benchmark's programs)."""
    import re

    for rule in workload.rules:
        match = re.match(rf"{workload.output}\(([^)]*)\)", rule)
        if match:
            return [tuple(match.group(1).split(","))]
    raise ValueError(workload.output)


def _asp(value) -> str:
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def _from_clingo(symbol):
    import clingo

    if symbol.type == clingo.SymbolType.Number:
        return symbol.number
    if symbol.type == clingo.SymbolType.String:
        return symbol.string
    return symbol.name


# ---- the run ----------------------------------------------------------------------------------------


def measure(name: str, system: str) -> dict | None:
    process = subprocess.run([sys.executable, __file__, "--child", name, system], capture_output=True, text=True,
                             cwd=REPO, timeout=900)
    if process.returncode != 0:
        last = (process.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:160]}
    return json.loads(process.stdout.strip().splitlines()[-1])


def available(system: str) -> bool:
    if system != "clingo":
        return True
    return subprocess.run([sys.executable, "-c", "import clingo"], capture_output=True).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("WORKLOAD", "SYSTEM"), help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="the smaller workloads, once")
    parser.add_argument("--only", nargs="*", choices=sorted(WORKLOADS), help="these workloads")
    parser.add_argument("--repeat", type=int, default=None, help="paired repetitions (default 3, quick 1)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    names = args.only or (QUICK if args.quick else list(WORKLOADS))
    repeat = args.repeat or (1 if args.quick else 3)
    systems = [s for s in SYSTEMS if available(s)]
    load_before = os.getloadavg()
    print(f"engine benchmark: {repeat} paired repetition(s); systems: {', '.join(systems)}; "
          f"load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; {os.cpu_count()} cores")
    results: dict[str, dict[str, list[dict]]] = {}
    for name in names:
        applicable = [s for s in systems if s != "clingo" or WORKLOADS[name]().rules]
        runs: dict[str, list[dict]] = {s: [] for s in applicable}
        for rep in range(repeat):
            order = applicable[rep % len(applicable):] + applicable[:rep % len(applicable)]
            for system in order:
                runs[system].append(measure(name, system))
        results[name] = runs
        print(_line(name, runs), flush=True)
    load_after = os.getloadavg()
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print(_verdict(results))
    out = REPO / "bench" / "results" / "engine.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"load": [load_before, load_after], "results": results}, indent=1))


def _median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def _line(name: str, runs: dict[str, list[dict]]) -> str:
    cells = [f"{name:<16}"]
    for system, measured in runs.items():
        errors = [r["error"] for r in measured if "error" in r]
        if errors:
            cells.append(f"{system}: FAILED ({errors[0]})")
            continue
        seconds, peak = _median(measured, "seconds"), _median(measured, "peak_mb")
        cells.append(f"{system} {seconds:8.3f} s {peak:6.0f} MB")
    citelog_s, floor_s = _median(runs.get("citelog", []), "seconds"), _median(runs.get("floor", []), "seconds")
    if citelog_s is not None and floor_s:
        cells.append(f"ratio {citelog_s / floor_s:5.1f}x")
    digests = {r.get("digest") for measured in runs.values() for r in measured}
    tuples = {r.get("tuples") for measured in runs.values() for r in measured}
    cells.append(f"{max(t or 0 for t in tuples):>9,} tuples " + ("same" if len(digests) == 1 else "DIFFERENT"))
    load = _median(runs.get("citelog", []), "load_s")
    if load is not None:
        cells.append(f"(KB load {load:.2f} s)")
    return " | ".join(cells)


def _verdict(results: dict[str, dict[str, list[dict]]]) -> str:
    lines = ["targets:"]
    for name, runs in results.items():
        citelog_runs = runs.get("citelog", [])
        if any("error" in r for r in citelog_runs):
            lines.append(f"  MISS {name}: citelog did not finish under the default limits")
            continue
        seconds, peak = _median(citelog_runs, "seconds"), _median(citelog_runs, "peak_mb")
        floor_s = _median(runs.get("floor", []), "seconds")
        ratio = seconds / floor_s if floor_s else float("nan")
        same = len({r.get("digest") for measured in runs.values() for r in measured}) == 1
        ok = ratio <= TIME_RATIO and peak <= MEMORY_MB and same
        if name == "scenario-10k":
            ok = ok and seconds <= SCENARIO_10K_S
        lines.append(f"  {'PASS' if ok else 'MISS'} {name}: {ratio:.1f}x the floor (target <= {TIME_RATIO:g}x), "
                     f"{peak:.0f} MB (<= {MEMORY_MB}), {'same tuples' if same else 'DIFFERENT tuples'}"
                     + (f", {seconds:.2f} s (<= {SCENARIO_10K_S:g} s)" if name == "scenario-10k" else ""))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
