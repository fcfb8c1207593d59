"""citelog's local web app: read the law, ask the questions, take the explanations away.

A thin layer over the library, like the CLI: `app` (routes and error pages), `library` (the one
loaded KB all requests share, with the Law page's model from `citelog.law_view`), `outline` (the
Law page's reading view), `ask` and `regression` (the other pages), `forms`, `uploads` and
`limits` (what a request may send, the scenarios uploaded, how long a request may take), `html`
(templates), `serve` (uvicorn). docs/WEB.md describes the pages, the limits and the security model.
"""

from .app import create_app

__all__ = ["create_app"]
