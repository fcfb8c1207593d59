"""Uploaded scenarios, kept for the life of the server so that the URL of their answers holds.

An upload is posted once; the server keeps its text under a key made from its name and content
and redirects to an address with that key (`/ask?upload=KEY&...`), which can be bookmarked, sent
back to with Back, and explained, downloaded or asked again like a bundled scenario. The same
file uploaded twice has the same key. The store is bounded: when it holds `MAX_UPLOADS` files or
`MAX_BYTES` of text, a new upload is refused (the ones kept stay valid) until the server restarts.
"""

from __future__ import annotations

import hashlib
import threading

from ..errors import CitelogError, Position

MAX_UPLOADS = 200
MAX_BYTES = 50_000_000  # 50 uploads at the 1 MB limit of one request


class StoreFull(CitelogError):
    """The server keeps no more uploads (the ones it keeps stay valid)."""

    code = "uploads-full"


class Uploads:
    def __init__(self, max_uploads: int = MAX_UPLOADS, max_bytes: int = MAX_BYTES):
        self.max_uploads = max_uploads
        self.max_bytes = max_bytes
        self._kept: dict[str, tuple[str, str]] = {}  # key -> (label, text)
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, label: str, text: str) -> str:
        """Keep an uploaded scenario; its key. Raises StoreFull when the store is full."""
        key = hashlib.sha256(f"{label}\0{text}".encode()).hexdigest()[:20]
        size = len(text.encode())
        with self._lock:
            if key in self._kept:
                return key
            if len(self._kept) >= self.max_uploads or self._bytes + size > self.max_bytes:
                raise StoreFull(f"this server keeps {len(self._kept)} uploaded scenario(s), as many as it can: the "
                                "answers of each stay at their address until it restarts. Use a bundled example, "
                                "or restart citelog serve to upload again", Position(label))
            self._kept[key] = (label, text)
            self._bytes += size
        return key

    def get(self, key: str) -> tuple[str, str] | None:
        """(label, text) of a kept upload, or None."""
        return self._kept.get(key)
