"""Benchmark of the web app's pages on the bundled KB: how long a reader waits for each.

Run from the repository root:

    python bench/bench_web.py             # 5 requests of each page
    python bench/bench_web.py --runs 20

What is measured, in process (Starlette's TestClient, no network):

1. `create_app()`: loading the KB, building the Law page, the KB's revision (a hash of its files
   and two git calls);
2. each page, the first request (which computes what the server keeps: the headline table, the
   reading view's outline, the regression report) and the median of the next ones, with the
   size of the page;
3. an upload posted and its redirect followed.

It prints the figures (it never asserts) and writes them to bench/results/web.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
import warnings
from pathlib import Path

from citelog.web import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "kb" / "scenarios" / "drawback-claim.yaml"
PAGES = [
    "/ask",
    "/ask?headline=1",
    "/ask?headline=1&scenario=drawback-claim.yaml",
    "/ask?name=dated_obligations&scenario=drawback-claim.yaml",
    "/explain?headline=1&answer=12",
    "/explain?headline=1&answer=12&format=md",
    "/explain?headline=1&answer=6&scenario=drawback-claim.yaml",
    "/why-not?atom=is_a(acme,%20importer)",
    "/law",
    "/law/reading",
    "/tests",
]


def seconds(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="requests of each page after the first")
    runs = parser.parse_args().runs
    built, app = seconds(create_app)
    figures = {"python": platform.python_version(), "create_app_s": round(built, 3), "pages": {}}
    print(f"create_app: {built:.2f} s")
    with TestClient(app) as client:
        for page in PAGES:
            first, response = seconds(lambda: client.get(page))
            assert response.status_code == 200, (page, response.status_code)
            later = [seconds(lambda: client.get(page))[0] for _ in range(runs)]
            median = statistics.median(later)
            figures["pages"][page] = {"first_s": round(first, 3), "median_s": round(median, 3),
                                      "bytes": len(response.content)}
            print(f"{page:60} first {first * 1000:7.0f} ms   then {median * 1000:6.0f} ms   {len(response.content):>8} B")
        posted, response = seconds(lambda: client.post("/ask", data={"headline": "1"}, files={
            "upload": ("case.yaml", SCENARIO.read_bytes())}, follow_redirects=True))
        assert response.status_code == 200
        figures["upload_and_redirect_s"] = round(posted, 3)
        print(f"{'upload, then its answers (303 followed)':60} {posted * 1000:7.0f} ms")
    out = ROOT / "bench" / "results" / "web.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
