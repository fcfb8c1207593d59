"""The Ask and Explain pages: answers as a table, each answer's proof, why-not, the downloads.

Each handler reads the request (`forms.read`), does the library work in a worker thread under the
time limit (`limits.offload`), and renders a template. The work itself is the library's: the KB
answers, `Prover` gives each answer's citations, `Explainer` builds explanations and why-not, and
`Explanation` renders the downloads; nothing here interprets the law.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from ..errors import CitelogError, Position, QueryError
from ..explain import Explainer, Explanation, WhyNot
from ..proofs import Prover
from ..retention import HEADLINE
from ..scenario import Scenario
from ..syntax import Atom
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


@dataclass(frozen=True)
class Asked:
    """A question and its answers, ready for the table."""

    atom: Atom
    meaning: str | None
    scenario: Scenario | None
    variables: tuple[str, ...]
    rows: tuple[tuple[tuple, tuple[str, ...]], ...]  # (values of the variables, citations)

    def table(self) -> list[tuple[int, list[tuple[object, int]], tuple[str, ...]]]:
        """The rows numbered, each value with its rank in its column (how the browser sorts it)."""
        columns = [ranks([values[i] for values, _ in self.rows]) for i in range(len(self.variables))]
        return [(number, [(value, columns[i][number - 1]) for i, value in enumerate(values)], citations)
                for number, (values, citations) in enumerate(self.rows, start=1)]


def _question(library: Library, fields: dict[str, str]) -> Atom:
    """The atom asked: the headline, a catalogue query (one click each) or the query typed."""
    if fields.get("headline"):
        return library.question(None, HEADLINE)
    return library.question(fields.get("name"), fields.get("query"))


def answers(library: Library, fields: dict[str, str], choice: forms.Choice) -> Asked:
    scenario = library.scenario(choice.name, choice.text, choice.label)
    atom = _question(library, fields)
    with library.given(scenario) as kb:
        found = Prover(kb).cited(atom)
    rows = tuple((tuple(value for _, value in answer.bindings), tuple(citations)) for answer, citations in found)
    variables = tuple(name for name, _ in found[0][0].bindings) if found else ()
    return Asked(atom, library.meaning(atom), scenario, variables, rows)


def explanation(library: Library, fields: dict[str, str], choice: forms.Choice) -> tuple[Explanation, Scenario | None]:
    """The explanation of every answer of the question, or of the one numbered `answer` (from 1)."""
    scenario = library.scenario(choice.name, choice.text, choice.label)
    atom = _question(library, fields)
    number = _number(fields.get("answer"))
    with library.given(scenario) as kb:
        explainer = Explainer(kb)
        if number is None:
            return explainer.explain(atom), scenario
        found = kb.query(atom)
        if not 1 <= number <= len(found):
            raise QueryError(f"{atom} has {len(found)} answer(s): there is no answer {number}",
                             Position("<answer>"), code="no-answer")
        return explainer.explain_answers(str(atom), [found[number - 1]]), scenario


def why_not(library: Library, fields: dict[str, str], choice: forms.Choice) -> tuple[WhyNot, Scenario | None]:
    scenario = library.scenario(choice.name, choice.text, choice.label)
    atom = library.question(None, fields.get("atom"))
    with library.given(scenario) as kb:
        return Explainer(kb).why_not(atom), scenario


def _number(text: str | None) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise QueryError(f"'{text}' is not an answer number", Position("<answer>"), code="no-answer")
    return int(text)


# ---- handlers ----------------------------------------------------------------------------------------


def _context(request: Request, fields: dict[str, str], choice: forms.Choice) -> dict:
    library: Library = request.app.state.library
    return {"library": library, "fields": fields, "choice": choice, "law": library.law, "headline": HEADLINE}


async def ask_page(request: Request) -> Response:
    fields, choice, result, errors, code = {}, forms.Choice(), None, [], 200
    try:
        fields, choice = await forms.read(request)
        if any(fields.get(key) for key in ("headline", "name", "query")):
            result = await offload(request, answers, request.app.state.library, fields, choice)
    except CitelogError as error:
        code, errors = status(error), request.app.state.library.shown(error)
    return page(request, "ask.html.j2", code, result=result, errors=errors,
                **_context(request, fields, choice))


async def explain_page(request: Request) -> Response:
    fields, choice = await forms.read(request)
    wanted = _format(DOWNLOADS, fields["format"]) if fields.get("format") else None
    explained, scenario = await offload(request, explanation, request.app.state.library, fields, choice)
    if wanted:
        media, extension, render = wanted
        suffix = f"-answer-{fields['answer']}" if fields.get("answer") else ""
        return download(render(explained), media, f"citelog-explanation{suffix}.{extension}")
    return page(request, "explain.html.j2", explanation=explained, scenario=scenario,
                **_context(request, fields, choice))


async def why_not_page(request: Request) -> Response:
    fields, choice, result, scenario, errors, code = {}, forms.Choice(), None, None, [], 200
    try:
        fields, choice = await forms.read(request)
        if fields.get("atom"):
            result, scenario = await offload(request, why_not, request.app.state.library, fields, choice)
            if fields.get("format"):
                media, extension, render = _format(WHY_NOT_DOWNLOADS, fields["format"])
                return download(render(result), media, f"citelog-why-not.{extension}")
    except CitelogError as error:
        code, errors = status(error), request.app.state.library.shown(error)
    return page(request, "why_not.html.j2", code, result=result, scenario=scenario, errors=errors,
                **_context(request, fields, choice))


def _format(table: dict, name: str):
    if name not in table:
        raise QueryError(f"no download format '{name}' (formats: {', '.join(table)})", Position("<format>"),
                         code="bad-format")
    return table[name]

