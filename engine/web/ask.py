"""The Ask, Explain and Why-not pages: answers as a table of words, each answer's proof, the downloads.

Each handler reads the request (`forms.read`), does the library work in a worker thread under the
time limit (`limits.offload`), and renders a template. The work itself is the library's: the
tables are `citelog.report`'s (the headline, a scenario's obligations, any other question), the
hints `citelog.hints`', the explanations `Explainer`'s with the memo of `citelog.memo`; nothing
here words or interprets the law. A question is a GET with its fields in the address; posting a
scenario file keeps it (`uploads`) and redirects (303) to the address of the same question under it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..characters import printable
from ..errors import CitelogError, Position, QueryError
from ..explanations import Explainer, Explanation, WhyNot
from ..hints import hints
from ..knowledge_base import Answer, KnowledgeBase
from ..memo import memo
from ..obligations import obligations
from ..report import Report, answers_report, headline, obligations_report, obligations_title
from ..retention import HEADLINE, retention_rows
from ..scenario import Scenario
from ..wording import Wording
from . import forms
from .html import download, page, ranks
from .library import Library, status
from .limits import offload

DOWNLOADS = {  # format: (media type, file extension, rendering)
    "md": ("text/markdown; charset=utf-8", "md", Explanation.to_markdown),
    "html": ("text/html; charset=utf-8", "html", Explanation.to_html),
    "json": ("application/json", "json", Explanation.to_json),
}
WHY_NOT_DOWNLOADS = {
    "text": ("text/plain; charset=utf-8", "txt", WhyNot.to_text),
    "json": ("application/json", "json", WhyNot.to_json),
}


PAGE = 500  # rows of a table on one page: a company's scenario has thousands, a browser sorts a page at once


@dataclass(frozen=True)
class Asked:
    """A question and its answers, ready for the table: one page of the rows the filters keep."""

    report: Report  # every answer, numbered
    shown: Report  # the answers the reader's filters keep, with their numbers
    scenario: Scenario | None
    hints: tuple[str, ...]
    atom: str | None  # the atom asked (None: the headline question)
    page: int = 1  # from 1

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.shown.rows) // PAGE))

    @property
    def first(self) -> int:
        """The place (from 1) of the page's first row among the rows shown."""
        return (self.page - 1) * PAGE + 1

    @property
    def last(self) -> int:
        return min(self.first + PAGE - 1, len(self.shown.rows))

    @property
    def why_not(self) -> str | None:
        """The atom to ask why-not about, when it has no answers."""
        return self.atom if not self.report.rows else None

    def table(self) -> list[tuple[object, list[tuple[str, int]]]]:
        """The rows shown, each cell with its rank in its column (how the browser sorts it by value)."""
        columns = [ranks([row.keys[i] for row in self.shown.rows]) for i in range(len(self.shown.columns))]
        return [(row, [(cell, columns[i][n]) for i, cell in enumerate(row.cells)])
                for n, row in enumerate(self.shown.rows) if self.first <= n + 1 <= self.last]


def _party(fields: dict[str, str]) -> str | None:
    return fields.get("party") or None


def asked(library: Library, fields: dict[str, str], choice: forms.Choice) -> Asked:
    """The answers of the question the fields ask, under the scenario chosen."""
    scenario = library.scenario(choice)
    atom, found_hints = None, []
    if fields.get("headline") and scenario is None:
        report = library.once("headline", headline)  # the same for every request: made once
    else:
        with library.given(scenario) as kb:
            if fields.get("headline"):
                party = _party(fields)
                report = obligations_report(kb, scenario, obligations(kb, party), party)
            else:
                atom = library.question(fields.get("name"), fields.get("query"))
                meaning = library.meaning(atom)
                report = answers_report(kb, atom, meaning or "Answers", scenario)
                found_hints = [] if meaning else hints(atom, kb.program, kb.given_facts())
    shown = report.filtered(**{"class": fields.get("class", ""), "records": fields.get("records", "")})
    result = Asked(report, shown, scenario, tuple(found_hints), str(atom) if atom else None)
    page = _number(fields.get("page"), "page")
    page = 1 if page is None else page
    if not 1 <= page <= result.pages:
        raise QueryError(f"there is no page {page} of these answers (pages 1 to {result.pages})",
                         Position("<page>"), code="no-page")
    return replace(result, page=page)


def _answers(library: Library, kb: KnowledgeBase, fields: dict[str, str],
             scenario: Scenario | None) -> tuple[str, list[Answer]]:
    """What Explain explains for a question: its title, and its answers in the order of its table."""
    if fields.get("headline"):
        if scenario is None:
            return HEADLINE, [row.source for row in retention_rows(kb)]
        party = _party(fields)
        return obligations_title(scenario, party), [row.source for row in obligations(kb, party)]
    atom = library.question(fields.get("name"), fields.get("query"))
    return str(atom), kb.query(atom)


def explanation(library: Library, fields: dict[str, str], choice: forms.Choice,
                with_memo: bool = False) -> tuple[Explanation, Scenario | None]:
    """The explanation of every answer of the question, or of the one numbered `answer` (from 1);
    with its memo (for a download)."""
    scenario = library.scenario(choice)
    number = _number(fields.get("answer"))
    with library.given(scenario) as kb:
        title, found = _answers(library, kb, fields, scenario)
        explainer = Explainer(kb)
        if number is None:
            explained = explainer.explain_answers(title, found)
        elif 1 <= number <= len(found):
            explained = explainer.explain_answers(title, [found[number - 1]], [number])
        else:
            raise QueryError(f"{title} has {len(found)} answer(s): there is no answer {number}",
                             Position("<answer>"), code="no-answer")
        if with_memo:
            explained = explained.with_memo(memo(kb, scenario, of=library.revision))
    return explained, scenario


def why_not(library: Library, fields: dict[str, str], choice: forms.Choice) -> tuple[WhyNot, Scenario | None,
                                                                                       list[str]]:
    scenario = library.scenario(choice)
    atom = library.question(None, fields.get("atom"))
    with library.given(scenario) as kb:
        return Explainer(kb).why_not(atom), scenario, hints(atom, kb.program, kb.given_facts())


def _number(text: str | None, what: str = "answer") -> int | None:
    """An answer's or a page's number as the address gives it (None: none given)."""
    if not text:
        return None
    if not text.isascii() or not text.isdigit():  # str.isdigit() alone also takes '²', which int() refuses
        raise QueryError(f"'{printable(text[:40])}' is not {'an' if what[0] in 'aeiou' else 'a'} {what} number",
                         Position(f"<{what}>"), code=f"no-{what}")
    if len(text.lstrip("0")) > 9:  # more than any table has rows; int() would refuse 4,300 digits
        raise QueryError(f"there is no {what} {text[:20]}...", Position(f"<{what}>"), code=f"no-{what}")
    return int(text)


def choices(library: Library) -> dict[str, list[tuple[str, str]]]:
    """The pick-lists of the headline question: the classes and records the KB's table names."""
    report = library.once("headline", headline)
    words = library.once("words", lambda kb: Wording.of(kb.program))
    return {"class": report.choices("class", words), "records": report.choices("records", words)}


# ---- handlers ----------------------------------------------------------------------------------------


def _context(request: Request, fields: dict[str, str], choice: forms.Choice) -> dict:
    library: Library = request.app.state.library
    return {"library": library, "fields": fields, "choice": choice, "law": library.law}


async def ask_page(request: Request) -> Response:
    library: Library = request.app.state.library
    fields, choice = forms.read(request)
    result, scenario, errors, code = None, None, [], 200
    try:
        if any(fields.get(key) for key in ("headline", "name", "query")):
            result = await offload(request, asked, library, fields, choice)
            scenario = result.scenario
        elif choice:
            scenario = await offload(request, library.scenario, choice)
    except CitelogError as error:
        code, errors = status(error), library.shown(error)
    picks = await offload(request, choices, library)
    return page(request, "ask.html.j2", code, result=result, scenario=scenario, errors=errors, picks=picks,
                **_context(request, fields, choice))


async def upload(request: Request) -> Response:
    """A posted scenario file: kept, then the same question under it, at an address of its own."""
    library: Library = request.app.state.library
    try:
        where = await forms.posted(request, library.uploads)
    except CitelogError as error:
        fields, choice = forms.read(request)
        return page(request, "ask.html.j2", status(error), result=None, scenario=None,
                    picks=await offload(request, choices, library), errors=library.shown(error),
                    **_context(request, fields, choice))
    return RedirectResponse(where, status_code=303)


async def explain_page(request: Request) -> Response:
    fields, choice = forms.read(request)
    wanted = _format(DOWNLOADS, fields["format"]) if fields.get("format") else None
    explained, scenario = await offload(request, explanation, request.app.state.library, fields, choice, bool(wanted))
    if wanted:
        media, extension, render = wanted
        suffix = f"-answer-{fields['answer']}" if fields.get("answer") else ""
        return download(render(explained), media, f"citelog-explanation{suffix}.{extension}")
    return page(request, "explain.html.j2", explanation=explained, scenario=scenario,
                **_context(request, fields, choice))


async def why_not_page(request: Request) -> Response:
    library: Library = request.app.state.library
    fields, choice = forms.read(request)
    result, scenario, found_hints, errors, code = None, None, [], [], 200
    try:
        if fields.get("atom"):
            result, scenario, found_hints = await offload(request, why_not, library, fields, choice)
            if fields.get("format"):
                media, extension, render = _format(WHY_NOT_DOWNLOADS, fields["format"])
                return download(render(result), media, f"citelog-why-not.{extension}")
        elif choice:
            scenario = await offload(request, library.scenario, choice)
    except CitelogError as error:
        code, errors = status(error), library.shown(error)
    return page(request, "why_not.html.j2", code, result=result, scenario=scenario, hints=found_hints,
                errors=errors, **_context(request, fields, choice))


def _format(table: dict, name: str):
    if name not in table:
        raise QueryError(f"no download format '{name}' (formats: {', '.join(table)})", Position("<format>"),
                         code="bad-format")
    return table[name]
