"""The web app: routes, error pages and the limits every request runs under.

`create_app` loads the KB once and returns a Starlette app; `citelog serve` runs it with uvicorn.
The app only reads: it never writes into the KB, it serves no file but its own stylesheet and
script, and the only names a request may give are those of the KB's catalogue queries and bundled
scenarios, looked up in fixed lists, and the keys of the scenarios uploaded to it. Every question
is a GET, so every answer has an address; only an upload is posted, then redirected to the address
of its answers. It answers only requests addressed to it, and posts from its own pages (`guard`).
Every error reaches the reader as a page that says what went wrong (with file:line:col for a query
or scenario, paths relative to the KB), never as a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import resources
from ..errors import CitelogError
from . import ask, outline, regression
from .guard import Guard, Hosts
from .html import HERE, error_page, page
from .library import Library, status
from .limits import Limits, offload

TIME_LIMIT = 30.0  # seconds a request may take
MAX_UPLOAD = 1_000_000  # bytes a request body may have (a scenario file is a few hundred)
MESSAGES = {404: "there is no such page", 405: "this page cannot be reached that way"}


async def home(request: Request) -> Response:
    return page(request, "home.html.j2", library=request.app.state.library)


async def law_page(request: Request) -> Response:
    library: Library = request.app.state.library
    return page(request, "law.html.j2", law=library.law)


async def reading_page(request: Request) -> Response:
    library: Library = request.app.state.library
    return page(request, "reading.html.j2", law=library.law, outline=await offload(request, outline.of, library))


async def _http_error(request: Request, error: Exception) -> Response:
    status = getattr(error, "status_code", 500)
    return error_page(status, MESSAGES.get(status, str(getattr(error, "detail", "")) or "the request was refused"))


async def _citelog_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, CitelogError)
    return error_page(status(error), "citelog could not answer this request", request.app.state.library.shown(error))


async def _internal_error(request: Request, error: Exception) -> Response:
    logging.getLogger("citelog.web").error("internal error on %s: %s: %s", request.url.path,
                                           type(error).__name__, error)
    return error_page(500, f"internal error in citelog: {type(error).__name__} (this is a bug in citelog, "
                           "not in your question)")


def create_app(kb_path: str | Path | None = None, *, time_limit: float = TIME_LIMIT,
               max_upload: int = MAX_UPLOAD, host: str = "127.0.0.1", port: int | None = None) -> Starlette:
    """The app over the KB at kb_path (None: the bundled KB); raises CheckError if the KB has errors.

    It answers requests addressed to 127.0.0.1, localhost, [::1] or `host`, on `port` (None: any)."""
    library = Library(Path(kb_path) if kb_path is not None else resources.bundled_kb(), time_limit)
    routes = [
        Route("/", home),
        Route("/law", law_page),
        Route("/law/reading", reading_page),
        Route("/ask", ask.ask_page),
        Route("/ask", ask.upload, methods=["POST"]),
        Route("/explain", ask.explain_page),
        Route("/why-not", ask.why_not_page),
        Route("/why-not", ask.upload, methods=["POST"]),
        Route("/tests", regression.tests_page),
        Route("/tests/diff", regression.diff_page),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard, hosts=Hosts.bound(host, port), refuse=error_page),
                    Middleware(Limits, seconds=time_limit, max_body=max_upload, refuse=error_page)],
        exception_handlers={HTTPException: _http_error, CitelogError: _citelog_error, Exception: _internal_error},
    )
    app.state.library = library
    return app
