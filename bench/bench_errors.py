"""What a syntax error costs to report: one mistake near the end of a rule file of 1,000 lines.

Run from the repository root:

    python bench/bench_errors.py             # 7 rounds
    python bench/bench_errors.py --rounds 3

The file is the first 1,000 lines or so of the bundled KB (19 U.S.C. 1508 and its free trade
agreements, cut at a declaration or block), then a provision with the mistake. Each round runs in
a fresh process, with the parse tables already in Lark's cache, as `citelog check` does: the
first error of the process (which also parses the examples of grammar/mistakes.yaml, once) and
then nine more, timed apart. Three mistakes: a missing '.' (a hint is found), a stray ')' (no
mistake fits, every candidate is compared) and a missing '.' in the file's first provision (a file
with an error is parsed up to it only). CPU time (process_time); medians are printed. It never asserts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MISTAKES = {
    "a missing '.' (hinted)": "  P is an importer if imports(P, _)\n  importer must keep entry_records.\n",
    "a stray ')' (no hint)": "  P is an importer if imports(P, _)).\n",
}
ROUND = r"""
import json, sys, time
from citelog.errors import CheckError
from citelog.parser import parse_module

text = sys.stdin.read()
try:
    parse_module("p(a).", "warm.clog")  # the parsers, from Lark's cache
except CheckError:
    pass
times, message = [], ""
for _ in range(10):
    start = time.process_time()
    try:
        parse_module(text, "law.clog")
    except CheckError as error:
        message = str(error.diagnostics[0])
    times.append(time.process_time() - start)
print(json.dumps({"times": times, "message": message}))
"""


def rule_file(mistake: str, early: bool = False) -> str:
    """About 1,000 lines of the bundled KB, with a provision holding the mistake at its end (or,
    `early`, at its start)."""
    kb = REPO / "kb"
    lines = ((kb / "usc-1508.clog").read_text(encoding="utf-8")
             + (kb / "usc-1508-fta.clog").read_text(encoding="utf-8")).splitlines()
    cut = max(i for i in range(1000) if lines[i - 1] == "}")  # after a block
    bad = ['provision "19 U.S.C. 1508(a)(1)" {', '  reconstructed "bench"', *mistake.splitlines(), "}"]
    body = lines[:cut]
    return "\n".join(bad + body if early else body + bad) + "\n"


def one_round(text: str) -> dict:
    result = subprocess.run([sys.executable, "-c", ROUND], input=text, capture_output=True, text=True,
                            cwd=REPO, check=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    cases = {name: rule_file(mistake) for name, mistake in MISTAKES.items()}
    cases["a missing '.' at the start"] = rule_file(MISTAKES["a missing '.' (hinted)"], early=True)
    print(f"a rule file of {cases[next(iter(cases))].count(chr(10)):,} lines; {rounds} rounds, medians in ms\n")
    print(f"{'mistake':<28} {'first error':>12} {'later errors':>13}  message")
    for name, text in cases.items():
        runs = [one_round(text) for _ in range(rounds)]
        first = statistics.median(run["times"][0] for run in runs) * 1000
        later = statistics.median(t for run in runs for t in run["times"][1:]) * 1000
        print(f"{name:<28} {first:>12.1f} {later:>13.1f}  {runs[0]['message'][:110]}")


if __name__ == "__main__":
    main()
