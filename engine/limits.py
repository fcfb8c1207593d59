"""Limits on one evaluation: a query that would derive too much stops with a clear error.

pyDatalog evaluates inside compiled code that holds the interpreter: no watchdog thread or signal
can interrupt it. But it calls Python in places citelog controls: the resolvers that serve stored
relations (`evaluator.py`), and the methods of the `Pulse` term that ends the head of every
compiled clause: pyDatalog substitutes the head at every step of a join (each partial match of a
rule's atoms, replayed from its tables or not) and checks it is ground once per firing. So the
clock is read all through a join and the firings are counted exactly, whatever the shape of the
rule. The evaluator reports a limit as an `EvaluationError` with the code `limit-exceeded`. See
docs/LIMITS.md.
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

TIME_VARIABLE = "CITELOG_TIME_LIMIT"
FIRINGS_VARIABLE = "CITELOG_FIRING_LIMIT"


@dataclass(frozen=True)
class Limits:
    """How long one evaluation may run (seconds) and how many rule firings it may make; None
    (or 0 in the environment) means no limit."""

    seconds: float | None = 60.0
    firings: int | None = 10_000_000

    @property
    def unlimited(self) -> bool:
        """No limit at all: clauses are compiled without the pulse (no overhead)."""
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


class LimitExceeded(BaseException):
    """Raised inside pyDatalog's evaluation to stop it; the message names the limit. A
    BaseException, because pyDatalog turns an Exception raised by an operation into a value."""


class Budget:
    """What one evaluation (all the rounds of one query) may still spend, in one thread."""

    __slots__ = ("limits", "left", "deadline")

    def __init__(self, limits: Limits):
        self.limits = limits
        self.left = limits.firings if limits.firings is not None else math.inf
        self.deadline = time.monotonic() + limits.seconds if limits.seconds is not None else math.inf

    def spend(self) -> None:
        """One firing."""
        self.left -= 1
        if self.left < 0:
            raise LimitExceeded(
                f"stopped after {self.limits.firings:,} rule firings, the size limit: the query derives too much "
                f"(a recursive rule over a large scenario?); raise the limit with {FIRINGS_VARIABLE}=N "
                "(0: no limit) or Limits(firings=N)")

    def check_clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(
                f"stopped after {self.limits.seconds:g} s, the time limit: the query derives too much to finish; "
                f"raise the limit with {TIME_VARIABLE}=SECONDS (0: no limit) or Limits(seconds=SECONDS)")


_state = threading.local()


@contextmanager
def evaluation(limits: Limits) -> Iterator[Budget]:
    """The budget of one evaluation in this thread (an inner evaluation shares the outer one's)."""
    outer = getattr(_state, "budget", None)
    if outer is not None:
        yield outer
        return
    _state.budget = Budget(limits)
    try:
        yield _state.budget
    finally:
        _state.budget = None


@contextmanager
def restoring_engine() -> Iterator[None]:
    """If pyDatalog stops half-way (a limit, a type error), put back its task lists and tables,
    which its `ask` only restores when it ends normally."""
    logic = Logic.tl.logic
    saved = logic.Tasks, logic.Recursive_Tasks, logic.Recursive, logic.Subgoals, logic.Goal
    try:
        yield
    except BaseException:
        logic.Tasks, logic.Recursive_Tasks, logic.Recursive, logic.Subgoals, logic.Goal = saved
        raise


def check_clock() -> None:
    """Called by the resolvers of stored relations, each time pyDatalog searches one."""
    budget = getattr(_state, "budget", None)
    if budget is not None:
        budget.check_clock()


class Pulse(pyEngine.VarTuple):
    """A constant term at the end of every compiled clause's head, whose methods pyDatalog calls:
    `subst` at each step of a join (the clock is read every 64 steps), `is_const` once per
    firing (counted). Its value is 0; the evaluator drops that column."""

    def __init__(self):  # a VarTuple (pyDatalog binds a query's variable to one) with no elements
        self._id, self.id, self.is_constant = (), 0, True

    def subst(self, env):
        global _steps
        _steps += 1
        if not _steps & 63:
            check_clock()
        return self

    def is_const(self) -> bool:
        budget = getattr(_state, "budget", None)
        if budget is not None:
            budget.spend()
        return True

    def shuffle(self, env):
        return self

    def chase(self, env):
        return self

    def get_tag(self, env):
        return 0


_steps = 0
PULSE = Pulse()
