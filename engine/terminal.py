"""Reports on a terminal: a table as wide as the terminal, or one block per row when it is narrow.

The width is COLUMNS if set, else the terminal's; output that goes to a file or a pipe without
COLUMNS is `PIPED` columns wide, so that it is the same bytes wherever it runs. When a table
would leave a column of the law's words fewer than `CELL` characters (a word or two per line),
each row becomes a block of labelled lines instead. Citations are never broken inside: one per line.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap

from rich.console import Console
from rich.text import Text

from .characters import printable
from .report import Report, Row

PIPED = 160  # columns of output that goes to a file or a pipe (COLUMNS unset)
CELL = 16  # the narrowest a column of words may be in a table: narrower, and each row becomes a block


def width() -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else PIPED


class _Console(Console):
    def on_broken_pipe(self) -> None:
        raise BrokenPipeError  # Rich would exit 1: a closed pipe is handled once, by the CLI's group


def console() -> Console:
    """A console as wide as `width()`, without colour or markup when the output is not a terminal."""
    if sys.stdout.isatty():
        return _Console(width=width())
    return _Console(width=width(), color_system=None, force_terminal=False, soft_wrap=False)


def cell(value: object) -> Text:
    """A value as a table cell: as written (no markup), control characters escaped."""
    return Text(printable(str(value)))


def line(out: Console, text: str, soft_wrap: bool = False) -> None:
    """One line of a report, printed like a cell."""
    out.print(cell(text), soft_wrap=soft_wrap)


class Grid:
    """A table in the terminal's box characters whose cells wrap, and fold long words, rather than
    cut anything off. Drawn here rather than by Rich, whose tables take seconds per thousand rows."""

    def __init__(self, *headers: str):
        self.headers: list[str] = list(headers)
        self.keep: list[bool] = [False] * len(headers)  # a column whose lines are never wrapped
        self.rows: list[list[list[str]]] = []

    def add_column(self, header: str, no_wrap: bool = False) -> None:
        self.headers.append(header)
        self.keep.append(no_wrap)

    def add_row(self, *cells: object) -> None:
        """A row of values, printed as written (control characters escaped); a cell may hold
        several lines."""
        self.rows.append([[printable(part) for part in str(c).split("\n")] for c in cells])

    def render(self, columns: int) -> str:
        natural = [max([len(self.headers[i])] + [len(line) for row in self.rows for line in row[i]])
                   for i in range(len(self.headers))]
        widths = _fit(natural, self.keep, [len(h) for h in self.headers], columns - 3 * len(natural) - 1)
        wrap = lambda text, i: [text] if self.keep[i] else (  # noqa: E731
            textwrap.wrap(text, widths[i], break_long_words=True, break_on_hyphens=False) or [""])
        out = [_rule("┏", "━", "┳", "┓", widths), _cells([[h] for h in self.headers], widths, "┃")]
        out.append(_rule("┡", "━", "╇", "┩", widths))
        for row in self.rows:
            out.append(_cells([[part for text in cell for part in wrap(text, i)] for i, cell in enumerate(row)],
                              widths, "│"))
        out.append(_rule("└", "─", "┴", "┘", widths))
        return "\n".join(out) + "\n"


def _fit(natural: list[int], keep: list[bool], least: list[int], room: int) -> list[int]:
    """Column widths that fit `room`: the widest column that may wrap gives way first, down to its
    header's width (or 8); a table that still does not fit is wider than the terminal."""
    widths = list(natural)
    while sum(widths) > room:
        candidates = [i for i in range(len(widths)) if not keep[i] and widths[i] > max(least[i], 8)]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _rule(left: str, fill: str, cross: str, right: str, widths: list[int]) -> str:
    return left + cross.join(fill * (w + 2) for w in widths) + right


def _cells(cells: list[list[str]], widths: list[int], bar: str) -> str:
    """The lines of one row of a table: each cell's lines side by side, padded to its width."""
    height = max(len(c) for c in cells)
    lines = []
    for k in range(height):
        lines.append(bar + bar.join(f" {(c[k] if k < len(c) else ''):<{w}} " for c, w in zip(cells, widths)) + bar)
    return "\n".join(lines)


def table(*headers: str) -> Grid:
    return Grid(*headers)


def print_table(out: Console, grid: Grid) -> None:
    _write(out, grid.render(out.width))


def _write(out: Console, text: str) -> None:
    """Write text already laid out to the console's file as it is: no markup, no re-wrapping (Rich
    re-splits a long text in time that grows with its square)."""
    out.file.write(text)
    out.file.flush()


def citations(row: Row) -> list[str]:
    """A row's citations, one per line, an analyst's interpretation marked as one (it is not law)."""
    return [c.shown for c in row.citations]


def mark(row: Row) -> str:
    """The row's number, starred when its period conflicts with another row's, a dagger when a
    provision that prevails displaces it."""
    return f"{row.number}" + ("*" if row.conflicts else "") + ("†" if row.displaced else "")


def show(report: Report, out: Console, title: str = "") -> None:
    """Print a report: its title, its rows (a table, or blocks when narrow), its notes and count."""
    if title:
        line(out, title)
    cited = [citations(row) for row in report.rows]
    longest = max((len(line) for lines in cited for line in lines), default=len("citations"))
    number = len(str(len(report.rows))) + 1
    if out.width < number + longest + len(report.columns) * (CELL + 3) + 7:  # 3 and 7: borders and padding
        _write(out, blocks(report, out.width))
    else:
        shown = table("", *report.columns)
        shown.add_column("citations", no_wrap=True)
        for row, lines in zip(report.rows, cited):
            shown.add_row(mark(row), *row.cells, "\n".join(lines))
        print_table(out, shown)
    for note in report.notes:
        line(out, note)
    line(out, f"{len(report.rows)} row(s)")


def blocks(report: Report, columns: int) -> str:
    """One block per row: the number, then each column as a labelled, wrapped line (values escaped)."""
    labels = [*report.columns, "citations"]
    gap = len(str(max((r.number for r in report.rows), default=1))) + 3
    label_width = max(map(len, labels)) + 2
    indent = " " * (gap + label_width)
    lines: list[str] = []
    for row in report.rows:
        first = True
        for label, values in zip(labels, [[cell] for cell in row.cells] + [citations(row)]):
            for index, value in enumerate(printable(v) for v in values if v):
                head = (mark(row).ljust(gap) if first else " " * gap) + (label if index == 0 else "").ljust(label_width)
                room = max(columns - len(indent), 20)
                wrapped = [value] if len(value) <= room else textwrap.wrap(value, room, break_long_words=True) or [""]
                lines.append(head + wrapped[0])
                lines += [indent + more for more in wrapped[1:]]
                first = False
        lines.append("")
    return "\n".join(lines) + ("\n" if lines else "")
