"""Does a long-running `citelog serve` keep memory flat? 10,000 uncached questions, memory sampled.

Run from the repository root:

    python bench/bench_serve_memory.py              # 10,000 questions
    python bench/bench_serve_memory.py --questions 2000

It starts `citelog serve --port 0` (the console script beside this Python), then asks questions
over one keep-alive connection, each under a bundled scenario and about a party chosen in turn, so
that every request evaluates (a scenario's model lives for its request only) and none is answered
from a cache: the dated obligations of the scenario, why-not of an importer that is not one, an
explanation. The server's resident memory (VmRSS) is read every 500 questions. Flat means the
last sample is within 10% (or 15 MB) of the sample after the first 1,000 questions, which is
when the server has built all it keeps (the KB, its caches of readings and the Law page). It
prints figures; it never asserts.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(p.name for p in (REPO / "kb" / "scenarios").glob("*.yaml"))


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def questions(count: int):
    for n in range(count):
        scenario = SCENARIOS[n % len(SCENARIOS)]
        kind = n % 3
        if kind == 0:
            params = {"name": "dated_obligations", "scenario": scenario}
            yield "/ask?" + urllib.parse.urlencode(params)
        elif kind == 1:
            yield "/why-not?" + urllib.parse.urlencode({"atom": f"is_a(party{n}, importer)", "scenario": scenario})
        else:
            yield "/explain?" + urllib.parse.urlencode({"headline": "1", "answer": "1", "scenario": scenario})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    args = parser.parse_args()
    command = [str(Path(sys.executable).with_name("citelog")), "serve", "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        url = urllib.parse.urlparse(re.search(r"http://\S+/", server.stdout.readline()).group(0))
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        load = os.getloadavg()
        print(f"citelog serve (pid {server.pid}), {args.questions:,} questions; load {load[0]:.2f}; "
              f"started at {rss_mb(server.pid):.1f} MB")
        samples: list[tuple[int, float]] = []
        started = time.perf_counter()
        statuses: dict[int, int] = {}
        for n, path in enumerate(questions(args.questions), start=1):
            connection.request("GET", path, headers={"Host": f"{url.hostname}:{url.port}"})
            response = connection.getresponse()
            response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1
            if n % 500 == 0:
                samples.append((n, rss_mb(server.pid)))
                print(f"{n:>7,} questions  {samples[-1][1]:8.1f} MB  {(time.perf_counter() - started) / n * 1000:6.1f} "
                      "ms a question", flush=True)
        base = next((mb for n, mb in samples if n >= 1000), samples[0][1])
        last = samples[-1][1]
        growth = last - base
        flat = growth <= max(0.10 * base, 15)
        per_question = growth * 1024 / max(args.questions - 1000, 1)
        print(f"statuses: {statuses}")
        print(f"{'PASS' if flat else 'MISS'} flat: {base:.1f} MB after 1,000 questions, {last:.1f} MB after "
              f"{args.questions:,} ({growth:+.1f} MB, {per_question:+.2f} KB a question; target within 10% or 15 MB)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
