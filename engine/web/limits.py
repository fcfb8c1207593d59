"""Limits on every request: how long it may take and how large its body may be.

The work of a page runs in a worker thread (`offload`) that the request abandons when its time is
up: the middleware cancels the request and answers 503 with a page that says so. The thread cannot
be stopped from outside, so every evaluation it starts runs under the time the request has left
(`Library.given`, which reads the deadline `offload` hands it): an abandoned evaluation stops
when the request gives up, and releases the KB. A body is refused as soon as it is known to be
too large, from its Content-Length or while it streams, so that an upload is never read past the
limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .library import until

T = TypeVar("T")


class TooLarge(Exception):
    """The request body passed the size limit."""


DEADLINE = "citelog.deadline"  # the scope key of the request's deadline (time.monotonic)


async def offload(request: Request, function: Callable[..., T], *args) -> T:
    """Run blocking library work in a worker thread that a timed-out request can abandon; the
    work's evaluations stop at the request's deadline."""
    deadline = request.scope.get(DEADLINE, float("inf"))
    return await anyio.to_thread.run_sync(partial(_until, deadline, function, *args), abandon_on_cancel=True)


def _until(deadline: float, function: Callable[..., T], *args) -> T:
    with until(deadline):
        return function(*args)


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
            with anyio.CancelScope(shield=started):  # a response begun just before the time is up is sent whole
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
        scope[DEADLINE] = time.monotonic() + self.seconds
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
