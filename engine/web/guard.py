"""Which requests the app answers: those addressed to it by its own name, and posts from its own pages.

DNS rebinding: a page at evil.example can make its name resolve to 127.0.0.1; the analyst's
browser then sends this server requests for `evil.example` and lets that page read the answers.
So a request is answered only if its Host header names the server as it is reached (127.0.0.1,
localhost or [::1], or the address it was bound to with `--host`) with its port.

Cross-site posts: any page can make the browser post a form here and start a costly evaluation.
So a POST must come from the app's own pages: a browser says where a request comes from in
`Sec-Fetch-Site` (or, if it is older, in `Origin`), which must name this server. A program that
sends neither (curl, a script) is not a browser another site can drive, and is answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
_HOST = re.compile(r"(?P<name>\[[0-9a-f:.]+\]|[^:\[\]]+)(?::(?P<port>[0-9]{1,5}))?")


@dataclass(frozen=True)
class Hosts:
    """The host names the server answers to, and its port (None: any port, for an app run by hand)."""

    names: frozenset[str]
    port: int | None = None

    @classmethod
    def bound(cls, host: str, port: int | None = None) -> "Hosts":
        """The loopback names, and `host` if the server is bound to another address."""
        named = f"[{host}]" if ":" in host and not host.startswith("[") else host
        return cls(frozenset(name.lower() for name in (*LOOPBACK, named)), port)

    def allow(self, header: str) -> bool:
        match = _HOST.fullmatch(header.lower())
        if match is None or match["name"] not in self.names:
            return False
        port = int(match["port"]) if match["port"] else 80
        return self.port is None or port == self.port


def _same_origin(headers: dict[bytes, bytes], host: str) -> bool:
    """Whether a request comes from this server's own pages, as far as a browser says. Browsers
    send `Sec-Fetch-Site`; an older one only `Origin`, which is `null` under the pages' policy of
    sending no referrer, and then the post is refused."""
    site = headers.get(b"sec-fetch-site")
    if site is not None:
        return site in (b"same-origin", b"none")
    origin = headers.get(b"origin")
    return origin is None or origin.decode("latin-1").lower() == f"http://{host.lower()}"


class Guard:
    """ASGI middleware: refuse (403) a request for another host, and a cross-site POST."""

    def __init__(self, app: ASGIApp, hosts: Hosts, refuse: Callable[[int, str], Response]):
        self.app = app
        self.hosts = hosts
        self.refuse = refuse  # (status, message) -> the error page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        host = headers.get(b"host", b"").decode("latin-1")
        if not self.hosts.allow(host):
            message = ("this server answers only requests addressed to it by its own address (such as "
                       "127.0.0.1 with its port); the page that sent this request used another name")
        elif scope["method"] == "POST" and not _same_origin(headers, host):
            message = "a form of another site cannot be posted here: use the pages of this server"
        else:
            await self.app(scope, receive, send)
            return
        await self.refuse(403, message)(scope, receive, send)
