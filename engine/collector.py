"""Keep Python's garbage collector out of the way of bulk work.

Loading a KB and evaluating a query create millions of small objects that live on; each full
collection walks all of them, so with the default thresholds the collector dominated the run
time (10,000 provisions: build 16.8 s and load 3.9 s with it, 10.2 s and 0.8 s without). The collector is process-wide
and several KBs may work at once, so the first user tunes it and the last one restores it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_users = 0
_saved: tuple[int, ...] = ()


@contextmanager
def tuned(young: int = 100_000) -> Iterator[None]:
    """Collect rarely inside the block: objects alive at its start are frozen out of collections.

    `young` is the allocation count that starts a collection; 0 turns collection off, for
    building, which makes little garbage (the first of several concurrent users sets it).
    """
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(young, 50, 100)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                gc.set_threshold(*_saved)
                gc.freeze()  # what the block made joins the oldest generation unscanned, instead of
                gc.unfreeze()  # making the next young collection walk millions of objects
