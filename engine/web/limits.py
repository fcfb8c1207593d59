"""Limits on every request: how long it may take and how large its body may be.

pyDatalog cannot be interrupted, so the work of a page runs in a worker thread (`offload`) that the
request abandons when its time is up: the middleware cancels the request and answers 503 with a
page that says so, while the abandoned thread finishes on its own and then releases the KB. A body
is refused as soon as it is known to be too large, from its Content-Length or while it streams,
so that an upload is never read past the limit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import anyio
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

T = TypeVar("T")


class TooLarge(Exception):
    """The request body passed the size limit."""


async def offload(function: Callable[..., T], *args, **kwargs) -> T:
    """Run blocking library work in a worker thread that a timed-out request can abandon."""
    return await anyio.to_thread.run_sync(partial(function, *args, **kwargs), abandon_on_cancel=True)


class Limits:
    """ASGI middleware: a time limit on each request and a size limit on its body."""

    def __init__(self, app: ASGIApp, seconds: float, max_body: int,
                 refuse: Callable[[int, str], Response]):
        self.app = app
        self.seconds = seconds
        self.max_body = max_body
        self.refuse = refuse  # (status, message) -> the error page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        size = 0
        too_large = f"the request is larger than {self.max_body / 1_000_000:g} MB, the limit of an upload"

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        async def receiving() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > self.max_body:
                    raise TooLarge
            return message

        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            await self._reply(413, too_large, scope, receive, send)
            return
        try:
            with anyio.move_on_after(self.seconds) as deadline:
                await self.app(scope, receiving, sending)
        except TooLarge:
            if not started:
                await self._reply(413, too_large, scope, receive, send)
            return
        if deadline.cancelled_caught and not started:
            await self._reply(503, f"the request took longer than the time limit of {self.seconds:g} s and was "
                                   "stopped; ask a narrower question, or try again", scope, receive, send)

    async def _reply(self, status: int, message: str, scope: Scope, receive: Receive, send: Send) -> None:
        await self.refuse(status, message)(scope, receive, send)
