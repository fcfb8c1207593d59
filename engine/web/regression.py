"""The Tests page: the KB's regression cases with their results, and the semantic diff of the KB
against a git revision.

The cases are those `citelog test` runs (KB/tests), run by the same library functions on the
served KB; their results cannot change while it is served, so they are computed once. The diff is
`citelog diff --base REV`: the KB at that revision is written by git into a temporary folder
outside the KB, loaded, compared and deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from .. import load
from ..cases import Case, kb_cases
from ..errors import CitelogError, Position, QueryError
from ..knowledge_base import KnowledgeBase
from ..runner import CaseResult, Coverage, coverage, run_case
from ..semantic_diff import SemanticDiff, diff_kbs, kb_at
from .html import download, page
from .library import Library, status
from .limits import offload

DIFF_DOWNLOADS = {"md": ("text/markdown; charset=utf-8", "md"), "json": ("application/json", "json")}
NO_GIT = ("The knowledge base served is not in a git work tree, so it has no earlier versions to compare it with "
          "here. Serve a KB folder that is in a git repository to see what an edit changed.")


@dataclass(frozen=True)
class Report:
    results: tuple[CaseResult, ...]
    problems: tuple[str, ...]  # case files that did not load
    coverage: Coverage

    @property
    def passed(self) -> int:
        return sum(1 for result in self.results if result.passed)

    @property
    def cases(self) -> list[Case]:
        return [result.case for result in self.results]


def run(kb: KnowledgeBase, root: Path) -> Report:
    """Every case of ROOT/tests, run on the KB; the files that fail to load are reported."""
    cases, problems = kb_cases(kb, root, shown=lambda path: path.relative_to(root).as_posix())
    results = tuple(run_case(kb, case) for case in cases)
    return Report(results, tuple(str(d) for diagnostics in problems.values() for d in diagnostics),
                  coverage(kb, list(results)))


def report(library: Library) -> Report:
    return library.once("regression", lambda kb: run(kb, library.root))


def diff(library: Library, revision: str) -> SemanticDiff:
    """The served KB against the KB at a git revision (its regression cases run on both)."""
    cases = report(library).cases
    with kb_at(library.root, revision) as base_root, library.given(None) as head:
        base = load(base_root, library.request_limits())  # its law texts are read from the folder as needed
        return diff_kbs(base, head, cases, base_label=f"the KB at {revision}", head_label="the KB served")


# ---- handlers ----------------------------------------------------------------------------------------


async def tests_page(request: Request) -> Response:
    library: Library = request.app.state.library
    result = await offload(request, report, library)
    return page(request, "tests.html.j2", report=result, revision="HEAD", in_git=library.in_git, no_git=NO_GIT)


async def diff_page(request: Request) -> Response:
    """The diff, offered only where it can work: for a KB in a git work tree."""
    library: Library = request.app.state.library
    if not library.in_git:
        return page(request, "diff.html.j2", 404, in_git=False, no_git=NO_GIT, errors=[])
    revision = request.query_params.get("base", "").strip() or "HEAD"
    fmt = request.query_params.get("format", "")
    if fmt and fmt not in DIFF_DOWNLOADS:
        raise QueryError(f"no download format '{fmt}' (formats: {', '.join(DIFF_DOWNLOADS)})", Position("<format>"),
                         code="bad-format")
    try:
        result = await offload(request, diff, request.app.state.library, revision)
    except CitelogError as error:
        return page(request, "diff.html.j2", status(error), result=None, revision=revision, in_git=True,
                    errors=request.app.state.library.shown(error))
    if fmt:
        media, extension = DIFF_DOWNLOADS[fmt]
        text = result.to_markdown() if fmt == "md" else result.to_json()
        return download(text, media, f"citelog-diff.{extension}")
    return page(request, "diff.html.j2", result=result, revision=revision, in_git=True, errors=[])
