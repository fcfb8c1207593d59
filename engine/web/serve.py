"""Run the app with uvicorn on an address of our own socket, so the address printed is the real one.

The socket is bound and listening before the address is announced: a browser (or a test) that
connects as soon as it reads the address waits in the queue instead of being refused, and port 0
(any free port) prints the port the system chose.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; raises OSError (address in use, unknown host)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(app: Starlette, sock: socket.socket, announce: Callable[[str], None]) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM end it cleanly)."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=5))
    announce(address(sock))
    server.run(sockets=[sock])
