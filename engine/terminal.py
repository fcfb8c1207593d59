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
from rich.table import Table
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


def table(*headers: str) -> Table:
    """A table whose cells wrap, and fold long words, rather than cut anything off."""
    shown = Table(highlight=False)
    for header in headers:
        shown.add_column(header, overflow="fold")
    return shown


def citations(row: Row) -> list[str]:
    """A row's citations, one per line, an analyst's interpretation marked as one (it is not law)."""
    return [f"{c} (interpretation)" if kind == "interpretation" else c for c, kind in row.citations]


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
        out.print(Text(blocks(report, out.width)), end="")
    else:
        shown = table("", *report.columns)
        shown.add_column("citations", no_wrap=True, min_width=longest)
        for row, lines in zip(report.rows, cited):
            shown.add_row(*map(cell, (mark(row), *row.cells)), Text("\n".join(map(printable, lines))))
        out.print(shown)
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
                wrapped = textwrap.wrap(value, max(columns - len(indent), 20), break_long_words=True) or [""]
                lines.append(head + wrapped[0])
                lines += [indent + more for more in wrapped[1:]]
                first = False
        lines.append("")
    return "\n".join(lines) + ("\n" if lines else "")
