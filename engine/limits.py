"""Limits on one evaluation: a query that would derive too much stops with a clear error.

pyDatalog evaluates inside compiled code that no watchdog can interrupt, but it calls the
Python function registered as a predicate's resolver whenever it searches that predicate. So
the compiler follows the positive atoms of every rule body with a budget literal over the rule's
number and the variables those atoms bind: pyDatalog searches it once for each combination of
facts that matches the rule's atoms (a firing), and its resolver counts the firings and reads
the clock, stopping the evaluation past either limit. `KnowledgeBase.ask` reports that as an
`EvaluationError` with the code `limit-exceeded`. See docs/LIMITS.md.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from pyDatalog import pyEngine
from pyDatalog.Logic import Logic

from .errors import InputError, Position
from .names import INTERNAL

BUDGET = f"budget{INTERNAL}"
TIME_VARIABLE = "CITELOG_TIME_LIMIT"
FIRINGS_VARIABLE = "CITELOG_FIRING_LIMIT"


@dataclass(frozen=True)
class Limits:
    """How long one evaluation may run (seconds) and how many rule firings it may make; None
    (or 0 in the environment) means no limit."""

    seconds: float | None = 60.0
    firings: int | None = 1_000_000

    @property
    def unlimited(self) -> bool:
        """No limit at all: firings are not even counted (no overhead)."""
        return self.seconds is None and self.firings is None

    def within(self, seconds: float) -> "Limits":
        """These limits, with the time cut to at most `seconds`."""
        return Limits(min(self.seconds or seconds, seconds), self.firings)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Limits":
        """The defaults, overridden by CITELOG_TIME_LIMIT and CITELOG_FIRING_LIMIT."""
        default = cls()
        return cls(_setting(environ, TIME_VARIABLE, float, default.seconds),
                   _setting(environ, FIRINGS_VARIABLE, int, default.firings))


def _setting(environ: Mapping[str, str], name: str, kind: type, default):
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = -1
    if not value >= 0 or value == math.inf:
        raise InputError(f"{name}={text!r} is not a limit: give a positive number, or 0 for no limit",
                         Position(name), code="bad-option")
    return value or None


class LimitExceeded(Exception):
    """Raised inside pyDatalog's evaluation to stop it; the message names the limit."""


_state = threading.local()


@contextmanager
def evaluation(limits: Limits) -> Iterator[None]:
    """Count the firings of one evaluation in this thread; if it stops half-way (a limit, a type
    error), put back pyDatalog's task lists and tables, which its `ask` only restores at the end."""
    logic = Logic.tl.logic
    saved = logic.Tasks, logic.Recursive_Tasks, logic.Recursive, logic.Subgoals, logic.Goal
    _state.limits = limits
    _state.left = limits.firings if limits.firings is not None else math.inf
    _state.deadline = time.monotonic() + limits.seconds if limits.seconds is not None else math.inf
    try:
        yield
    except BaseException:
        logic.Tasks, logic.Recursive_Tasks, logic.Recursive, logic.Subgoals, logic.Goal = saved
        raise
    finally:
        _state.limits = None


def _spend(*terms):
    """The resolver of the budget literal: one firing; it always holds."""
    limits = getattr(_state, "limits", None)
    if limits is not None:
        _state.left -= 1
        if _state.left < 0:
            raise LimitExceeded(
                f"stopped after {limits.firings:,} rule firings, the size limit: the query derives too much "
                f"(a recursive rule over a large scenario?); raise the limit with {FIRINGS_VARIABLE}=N "
                "(0: no limit) or Limits(firings=N)")
        if time.monotonic() > _state.deadline:
            raise LimitExceeded(
                f"stopped after {limits.seconds:g} s, the time limit: the query derives too much to finish; "
                f"raise the limit with {TIME_VARIABLE}=SECONDS (0: no limit) or Limits(seconds=SECONDS)")
    yield True


def budget_literal(rule: str, variables: tuple[str, ...]):
    """The literal that counts a firing of `rule`, searched once per binding of `variables`."""
    pyEngine.Python_resolvers.setdefault(f"{BUDGET}/{len(variables) + 1}", _spend)
    return pyEngine.Literal(BUDGET, [pyEngine.Const(rule)] + [pyEngine.Var(v) for v in variables])
