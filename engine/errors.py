"""Errors are values: a code, a message and a source position.

The checker collects every problem of a KB as `Diagnostic`s and raises them together in one
`CheckError`; the CLI prints them as `path:line:col: error[code]: message`. A warning is a
`Diagnostic` too (`path:line:col: warning[code]: message`), but it is never raised: it travels
beside what was read (`Module.warnings`, `Scenario.warnings`). All exceptions that
citelog raises on purpose derive from `CitelogError` and carry a `.code`, so callers (and the
CLI) never need to catch anything else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Position:
    """Where something is in a file (line and column count from 1)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}"
        return self.path


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in user input: an error, or a warning about input that is accepted but
    probably not what its author meant (an invisible character inside a value)."""

    position: Position
    code: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        return f"{self.position}: {self.severity}[{self.code}]: {self.message}"


def warning(position: Position, code: str, message: str) -> Diagnostic:
    return Diagnostic(position, code, message, "warning")


class CitelogError(Exception):
    """Base of every error citelog raises on purpose; `.code` names its kind."""

    code = "error"

    def __init__(self, message: str, position: Position | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.position = position
        if code is not None:
            self.code = code

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(self.position or Position("<input>"), self.code, self.message)]

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


class CheckError(CitelogError):
    """A program failed its checks; holds every diagnostic found, sorted by position."""

    code = "check"

    def __init__(self, diagnostics: list[Diagnostic]):
        self._diagnostics = sorted(set(diagnostics))
        first = self._diagnostics[0]
        super().__init__(first.message, first.position, first.code)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return list(self._diagnostics)


class QueryError(CitelogError):
    """A query text is malformed or asks about something the KB does not define."""

    code = "query"


class EvaluationError(CitelogError):
    """The engine could not evaluate a program (e.g. values of incompatible types compared)."""

    code = "evaluation"


class InputError(CitelogError):
    """Facts handed to the engine through the Python API are malformed."""

    code = "input"
