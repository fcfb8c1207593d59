"""Pages from templates: one Jinja environment, escaping on, the same bytes for the same request.

The templates are named `*.html.j2`, which Jinja's default would not escape, so escaping is turned
on for all of them: nothing a user types or a KB file holds can become markup. Every page goes out
with a Content-Security-Policy that allows only the app's own script and style, so a page cannot
be made to load anything from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .forms import address

HERE = Path(__file__).resolve().parent
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

environment = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals["address"] = address


def ranks(keys: list) -> list[int]:
    """Each cell's place in the sorted order of its column's sort keys, so that the table sorts
    dates, money and numbers by value in the browser (the `data-sort` of a cell)."""
    order = {key: rank for rank, key in enumerate(sorted(set(keys)))}
    return [order[key] for key in keys]


def render(template: str, status: int = 200, **context) -> HTMLResponse:
    text = environment.get_template(template).render(**context)
    return HTMLResponse(text, status_code=status, headers=HEADERS)


def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    """A page of the app, with the navigation marking where the reader is."""
    return render(template, status, path=request.url.path, **context)


def error_page(status: int, message: str, errors: list[str] | None = None) -> HTMLResponse:
    """The page for a refused or failed request: what went wrong, in words, never a traceback."""
    return render("error.html.j2", status, path="", status_code=status, message=message, errors=errors or [])


def download(text: str, media: str, filename: str) -> Response:
    """A document to save (an explanation, a why-not, a diff), not to show."""
    return Response(text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                     "X-Content-Type-Options": "nosniff"})
