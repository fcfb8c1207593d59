"""Benchmark of the batch schedule: 10,000 and 100,000 rows, against a plain-Python baseline.

Run from the repository root:

    python bench/bench_schedule.py            # 10,000 and 100,000 rows, best of 3 in process
    python bench/bench_schedule.py --quick    # 2,000 and 20,000 rows, best of 2

It prints a table of figures with the target beside each one and PASS/MISS (it never asserts),
and writes the same figures to bench/results/schedule.json (git-ignored).

What is measured, all in one run, on inventories generated into a temporary folder (a fixed
seed; a mix of the activities of the KB: imports with entry and reconciliation dates, drawback
claims with liquidation and entry dates, NAFTA certificates signed, Chile and Korea
certificates issued, exports to Canada, claims under 1508(b)(2)(B)(i); dates from 1995 to 2025,
29 February included):

1. End to end in process: `citelog.load()` (the bundled KB) + `citelog.schedule.schedule(...)`
   (policy inference, reading, date arithmetic, writing), the best of N runs for each size; and
   the schedule alone on a KB loaded beforehand (policy inference included). The ratio of the two
   sizes' times says whether the time grows linearly (at most 1.3 x the ratio of the sizes, as in
   bench_core.py; the fixed cost of loading the KB and inferring the policies makes it smaller).
2. End to end through the CLI for the large size: `citelog schedule IN --out OUT`, a fresh
   process, wall-clock time and its peak memory (ru_maxrss of that process, read by a small
   parent process so that the benchmark's own memory is not counted).
3. The plain-Python baseline: the same schedule computed from periods, triggers, bounds and
   citations hard-coded in this file (no KB, no pyDatalog), in the same run, on the same files;
   its output must be byte-identical to citelog's (checked, and reported). The ratio
   citelog / baseline is printed for both sizes.

Targets (from the issue): 100,000 rows in at most 10 s end to end, peak memory at most 1 GB,
time for 10,000 and 100,000 rows growing linearly, and the ratio to the baseline printed.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "schedule.json"
TIME_TARGET_S = 10.0
MEMORY_TARGET_MB = 1024.0
RATIO_SLACK = 1.3

HEADER = ["record_id", "party", "activity", "subject", "event", "date", "certificate"]
# (activity, event, certificate, weight)
MIX = [
    ("imports", "entry", "", 30),
    ("imports", "reconciliation", "", 8),
    ("files_drawback_claim", "liquidation", "", 12),
    ("files_drawback_claim", "entry", "", 6),
    ("completes_and_signs_nafta_certificate", "signature", "", 12),
    ("completes_and_issues_certificate", "issuance", "chile_fta_certificate_of_origin", 8),
    ("completes_and_issues_certificate", "issuance", "kfta_certification_of_origin", 8),
    ("exports_to_canada", "exportation", "", 8),
    ("claims_bond_credit", "making_of_claim", "", 8),
]


def generate(path: Path, rows: int, seed: int = 1508) -> None:
    rng = random.Random(seed)
    choices = [m[:3] for m in MIX]
    weights = [m[3] for m in MIX]
    first, span = datetime.date(1995, 1, 1).toordinal(), 31 * 365
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for i in range(rows):
            activity, event, certificate = rng.choices(choices, weights)[0]
            day = datetime.date(2024, 2, 29) if i % 997 == 0 else datetime.date.fromordinal(first + rng.randrange(span))
            writer.writerow([f"R{i:07d}", f"party{rng.randrange(5000)}", activity, f"S{i}", event, day.isoformat(),
                             certificate])


# ---- the plain-Python baseline -----------------------------------------------------------------------

A = "19 U.S.C. 1508(a)(1)(A); 19 U.S.C. 1508(a); 19 U.S.C. 1508(a)(1); "
CAP_TRIGGER = "entry_reconciliation_or_exportation"
CAP = (5, "years", CAP_TRIGGER, "at_most", "at most 5 years from entry reconciliation or exportation", "maximum")
SECRETARY = (0, "prescribed", "secretary", "as_prescribed", "as prescribed by the secretary", "prescribed")
TAIL = "records_and_events; duties_of_persons; retention_of_duties"
JOIN = "duties_of_persons; retention_of_duties"


def _fta(letter: str, role: str, records: str) -> dict:
    return {"issuance": [(role, "keep", records, 5, "years", "issuance", "at_least", "at least 5 years from issuance",
                          "minimum", f"19 U.S.C. 1508({letter})(2); 19 U.S.C. 1508({letter})(3); {TAIL}")]}


# (activity, certificate) -> {event: [line template]} and the undated lines; hard-coded from the law
BASELINE = {
    ("imports", ""): {
        "entry": [("importer", "keep", "activity_records", *CAP, A + "19 U.S.C. 1508(c)(1); " + TAIL)],
        "reconciliation": [("importer", "keep", "activity_records", *CAP, A + "19 U.S.C. 1508(c)(1); " + TAIL)],
        None: [("importer", "keep", "activity_records", *SECRETARY, A + "19 U.S.C. 1508(c); " + JOIN)],
    },
    ("files_drawback_claim", ""): {
        "liquidation": [("drawback_claimant", "keep", "drawback_claim_records", 3, "anniversary",
                         "liquidation_of_claim", "until", "until the 3rd anniversary of liquidation of claim",
                         "minimum", A + "19 U.S.C. 1508(c)(3); " + TAIL + "; drawback_claim_records_under_a")],
        "entry": [("drawback_claimant", "keep", "activity_records", *CAP, A + "19 U.S.C. 1508(c)(1); " + TAIL),
                  ("drawback_claimant", "keep", "drawback_claim_records", *CAP,
                   A + "19 U.S.C. 1508(c)(1); " + TAIL + "; drawback_claim_records_under_a")],
        None: [("drawback_claimant", "keep", "activity_records", *SECRETARY, A + "19 U.S.C. 1508(c); " + JOIN)],
    },
    ("completes_and_signs_nafta_certificate", ""): {
        "signature": [("nafta_certificate_signer", "keep", records, 5, "years", "signature", "at_least",
                       "at least 5 years from signature", "minimum",
                       "19 U.S.C. 1508(b)(2)(A); 19 U.S.C. 1508(c)(2); " + TAIL)
                      for records in ("associated_records", "nafta_origin_records")],
        None: [("nafta_certificate_signer", "keep", records, *SECRETARY,
                "19 U.S.C. 1508(b)(2)(A); 19 U.S.C. 1508(c); " + JOIN)
               for records in ("associated_records", "nafta_origin_records")],
    },
    ("completes_and_issues_certificate", "chile_fta_certificate_of_origin"):
        _fta("f", "chile_certificate_issuer", "chile_origin_records"),
    ("completes_and_issues_certificate", "kfta_certification_of_origin"):
        _fta("i", "korea_certification_issuer", "korea_origin_records"),
    ("exports_to_canada", ""): {
        "exportation": [("canadian_agreement_exporter", "keep", "canadian_export_records", *CAP,
                         "19 U.S.C. 1508(b)(3); 19 U.S.C. 1508(c)(1); " + TAIL)],
        None: [("canadian_agreement_exporter", "keep", "canadian_export_records", *SECRETARY,
                "19 U.S.C. 1508(b)(3); 19 U.S.C. 1508(c); " + JOIN)],
    },
    ("claims_bond_credit", ""): {
        "making_of_claim": [("waiver_refund_or_credit_claimant", "disclose", "whether_nafta_certificate_prepared", 30,
                             "days", "making_of_claim", "within", "within 30 days after making of claim", "deadline",
                             "19 U.S.C. 1508(b)(2)(B)(i); 19 U.S.C. 1508(b)(2)(B)(i)(II); "
                             "19 U.S.C. 1508(b)(2)(B)(ii); deadlines_of_persons; duties_of_persons")],
    },
}
OUTPUT = ["row", "record_id", "party", "activity", "subject", "class", "action", "what", "event", "start", "period",
          "bound", "until", "meaning", "citations"]


def _end(day: datetime.date, amount: int, unit: str) -> datetime.date:
    if unit in ("years", "anniversary"):
        year = day.year + amount
        return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))
    return day + datetime.timedelta(days=amount)


def baseline(inventory: Path, out: Path) -> None:
    """The same schedule in plain Python: hard-coded periods, no KB, good rows only."""
    with inventory.open(encoding="utf-8", newline="") as source, out.open("w", encoding="utf-8", newline="") as sink:
        reader, writer = csv.reader(source), csv.writer(sink)
        header = next(reader)
        index = {name: header.index(name) for name in HEADER}
        writer.writerow(OUTPUT)
        for number, cells in enumerate(reader, start=2):
            record, party, activity, subject, event, date, certificate = (cells[index[n]] for n in HEADER)
            day = datetime.date.fromisoformat(date)
            table = BASELINE[(activity, certificate)]
            base = (number, record, party, activity, subject)
            for role, action, what, amount, unit, trigger, bound, period, meaning, citations in table[event]:
                end = "" if unit == "prescribed" or unit == "reasonable_time" else _end(day, amount, unit).isoformat()
                writer.writerow((*base, role, action, what, event, date, period, bound, end, meaning, citations))
            for role, action, what, amount, unit, trigger, bound, period, meaning, citations in table.get(None, ()):
                writer.writerow((*base, role, action, what, "", "", period, bound, "", meaning, citations))


# ---- measurements ---------------------------------------------------------------------------------------


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def citelog_in_process(inventory: Path, out: Path, kb=None) -> None:
    """End to end (load the KB, then schedule), or the schedule alone on a loaded KB."""
    import citelog
    from citelog.schedule import schedule

    result = schedule(kb if kb is not None else citelog.load(), inventory, out)
    if result.rejected:
        raise SystemExit(f"unexpected rejects: {result.rejected[:3]}")


def citelog_cli(inventory: Path, out: Path) -> tuple[float, float, int]:
    """Wall-clock seconds, peak RSS in MB and exit status of `citelog schedule` in a fresh process."""
    script = Path(sys.executable).parent / "citelog"
    command = [str(script)] if script.is_file() else [sys.executable, "-c", "from citelog.cli import main; main()"]
    # A small Python process starts the command and reports its children's peak RSS: measured from
    # this (large) process, the forked child's pages would count until it execs.
    probe = ("import json, os, resource, subprocess, sys, time\n"
             "t0 = time.perf_counter()\n"
             "status = subprocess.run(json.loads(sys.argv[1]), stdout=subprocess.DEVNULL,"
             " stderr=subprocess.DEVNULL).returncode\n"
             "elapsed = time.perf_counter() - t0\n"
             "print(json.dumps([elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, status]))\n")
    full = command + ["schedule", str(inventory), "--out", str(out)]
    report = subprocess.run([sys.executable, "-c", probe, json.dumps(full)], capture_output=True, text=True,
                            check=True)
    elapsed, maxrss_kib, status = json.loads(report.stdout)
    return elapsed, maxrss_kib / 1024.0, status  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 rows, best of 2")
    options = parser.parse_args()
    small, large = (2_000, 20_000) if options.quick else (10_000, 100_000)
    runs = 2 if options.quick else 3
    figures: dict = {"quick": options.quick,
                     "machine": f"{platform.python_implementation()} {platform.python_version()}, "
                                f"{os.cpu_count()} CPU(s), {platform.machine()}",
                     "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="citelog-bench-") as folder:
        root = Path(folder)
        citelog_in_process(_tiny(root), root / "warm-out.csv")  # imports and byte-code first, untimed
        for rows in (small, large):
            inventory = root / f"inventory-{rows}.csv"
            generate(inventory, rows)
            ours = best_of(runs, lambda: citelog_in_process(inventory, root / f"citelog-{rows}.csv"))
            import citelog

            loaded = citelog.load()
            alone = best_of(runs, lambda: citelog_in_process(inventory, root / f"citelog-{rows}.csv", loaded))
            theirs = best_of(runs, lambda: baseline(inventory, root / f"baseline-{rows}.csv"))
            same = (root / f"citelog-{rows}.csv").read_bytes() == (root / f"baseline-{rows}.csv").read_bytes()
            with (root / f"citelog-{rows}.csv").open(encoding="utf-8") as file:
                lines = sum(1 for _ in file) - 1
            figures["sizes"][rows] = {"citelog_s": round(ours, 3), "schedule_only_s": round(alone, 3),
                                      "baseline_s": round(theirs, 3),
                                      "ratio_to_baseline": round(ours / theirs, 2), "same_output": same,
                                      "output_lines": lines}
        cli_s, peak_mb, status = citelog_cli(root / f"inventory-{large}.csv", root / "cli-out.csv")
        cli_same = (root / "cli-out.csv").read_bytes() == (root / f"baseline-{large}.csv").read_bytes()
    figures["cli"] = {"rows": large, "seconds": round(cli_s, 3), "peak_mb": round(peak_mb, 1), "exit_status": status,
                      "same_output": cli_same}
    growth = figures["sizes"][large]["citelog_s"] / figures["sizes"][small]["citelog_s"]
    figures["growth_ratio"] = round(growth, 2)
    growth_alone = figures["sizes"][large]["schedule_only_s"] / figures["sizes"][small]["schedule_only_s"]
    figures["growth_ratio_schedule_only"] = round(growth_alone, 2)
    scale = large / small
    checks = [
        (f"in process, {small:,} rows (load KB + schedule)", f"{figures['sizes'][small]['citelog_s']:.2f} s", "",
         None),
        (f"in process, {large:,} rows (load KB + schedule)", f"{figures['sizes'][large]['citelog_s']:.2f} s",
         f"<= {TIME_TARGET_S:.0f} s", figures["sizes"][large]["citelog_s"] <= TIME_TARGET_S),
        (f"CLI, {large:,} rows (fresh process)", f"{cli_s:.2f} s", f"<= {TIME_TARGET_S:.0f} s",
         cli_s <= TIME_TARGET_S and status == 0),
        (f"CLI peak memory, {large:,} rows", f"{peak_mb:.0f} MB", f"<= {MEMORY_TARGET_MB:.0f} MB",
         peak_mb <= MEMORY_TARGET_MB),
        (f"growth {large:,} / {small:,} rows, end to end", f"{growth:.2f} x",
         f"<= {scale * RATIO_SLACK:.0f} x (linear)", growth <= scale * RATIO_SLACK),
        (f"growth {large:,} / {small:,} rows, schedule alone (KB loaded)", f"{growth_alone:.2f} x",
         f"<= {scale * RATIO_SLACK:.0f} x (linear)", growth_alone <= scale * RATIO_SLACK),
        (f"plain-Python baseline, {small:,} rows", f"{figures['sizes'][small]['baseline_s']:.2f} s", "", None),
        (f"plain-Python baseline, {large:,} rows", f"{figures['sizes'][large]['baseline_s']:.2f} s", "", None),
        (f"citelog / baseline, {small:,} rows", f"{figures['sizes'][small]['ratio_to_baseline']:.2f} x", "printed",
         None),
        (f"citelog / baseline, {large:,} rows", f"{figures['sizes'][large]['ratio_to_baseline']:.2f} x", "printed",
         None),
        ("same schedule as the baseline (both sizes, and the CLI)",
         "yes" if all(s["same_output"] for s in figures["sizes"].values()) and cli_same else "NO", "yes",
         all(s["same_output"] for s in figures["sizes"].values()) and cli_same),
    ]
    figures["checks"] = [{"figure": f, "value": v, "target": t, "pass": ok} for f, v, t, ok in checks]
    width = max(len(f) for f, *_ in checks)
    print(f"citelog schedule benchmark ({figures['machine']}; best of {runs} in process)")
    print(f"{'figure'.ljust(width)}  {'value':>10}  {'target':<16} verdict")
    for figure, value, target, ok in checks:
        print(f"{figure.ljust(width)}  {value:>10}  {target:<16} {'' if ok is None else 'PASS' if ok else 'MISS'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}")


def _tiny(root: Path) -> Path:
    path = root / "warm.csv"
    generate(path, 50, seed=1)
    return path


if __name__ == "__main__":
    main()
