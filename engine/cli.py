"""The `citelog` command: a thin layer over the library.

Every command prints errors as `path:line:col: error[code]: message` on stderr and exits 1;
nothing a user types can make a Python traceback reach the terminal.
"""

from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from . import resources
from .errors import CitelogError
from .pipeline import build, rule_files
from .proofs import Prover
from .values import to_json

FORMATS = click.Choice(["text", "json"])


def _console() -> Console:
    """A console whose output does not depend on the terminal when piped (for byte-stable output)."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=160, color_system=None, force_terminal=False, soft_wrap=False)


def _fail(error: CitelogError) -> None:
    for diagnostic in error.diagnostics:
        click.echo(str(diagnostic), err=True)
    sys.exit(1)


def _guarded(command):
    """Turn citelog's errors into diagnostics and anything else into one line, never a traceback."""

    @wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CitelogError as error:
            _fail(error)
        except (KeyboardInterrupt, BrokenPipeError):
            sys.exit(130)
        except Exception as error:  # a bug in citelog: say so plainly, without a traceback
            click.echo(f"citelog: internal error: {type(error).__name__}: {error}", err=True)
            sys.exit(70)

    return run


def _kb_path(path: str | None) -> Path:
    return Path(path) if path else resources.bundled_kb()


@click.group()
@click.version_option(package_name="citelog")
def main() -> None:
    """citelog: US customs recordkeeping law as an executable, citable knowledge base."""


@main.command()
@click.argument("path", required=False, type=click.Path())
@_guarded
def check(path: str | None) -> None:
    """Check a KB folder or a single rule file; print every problem found."""
    target = _kb_path(path)
    program, _, diagnostics = build(target)
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)
    if diagnostics:
        click.echo(f"{len(diagnostics)} error(s)", err=True)
        sys.exit(1)
    files = len(rule_files(target))
    click.echo(
        f"ok: {files} file(s), {len(program.provisions)} provision(s), "
        f"{len(program.rules)} rule(s), no errors"
    )


@main.command()
@click.argument("atom")
@click.option("--kb", "kb_path", type=click.Path(), help="KB folder or rule file (default: the bundled KB)")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@_guarded
def query(atom: str, kb_path: str | None, fmt: str) -> None:
    """Answer a query ATOM such as 'retention(R, N, U, T, B)', with citations."""
    from . import load

    kb = load(_kb_path(kb_path))
    answers = kb.query(atom)
    prover = Prover(kb)
    rows = []
    for answer in answers:
        proof = prover.prove(answer.predicate, answer.values)
        rows.append((answer, proof.citations() if proof else []))
    if fmt == "json":
        payload = {
            "query": atom,
            "answers": [
                {"bindings": {k: to_json(v) for k, v in answer.bindings}, "citations": citations}
                for answer, citations in rows
            ],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    _print_answers(atom, rows)


def _print_answers(atom: str, rows) -> None:
    console = _console()
    if not rows:
        console.print(f"no answers to {atom}", highlight=False)
        return
    variables = [name for name, _ in rows[0][0].bindings]
    if not variables:
        console.print(f"yes: {atom} holds ({'; '.join(rows[0][1]) or 'given'})", highlight=False)
        return
    table = Table(*variables, "citations", show_lines=False, highlight=False)
    for answer, citations in rows:
        table.add_row(*(str(v) for _, v in answer.bindings), "; ".join(citations))
    console.print(table)
    console.print(f"{len(rows)} answer(s)", highlight=False)
