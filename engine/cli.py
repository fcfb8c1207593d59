"""The `citelog` command: a thin layer over the library.

Every command prints errors as `path:line:col: error[code]: message` on stderr and exits 1;
nothing a user types can make a Python traceback reach the terminal.
"""

from __future__ import annotations

import json
import re
import sys
from functools import wraps
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from . import resources
from .errors import CitelogError, Position, QueryError
from .pipeline import build, rule_files
from .proofs import Prover
from .values import to_json

FORMATS = click.Choice(["text", "json"])


def _console() -> Console:
    """A console whose output does not depend on the terminal when piped (for byte-stable output)."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=160, color_system=None, force_terminal=False, soft_wrap=False)


def _table(*headers: str) -> Table:
    """A table whose cells wrap, and fold long words, rather than cut anything off."""
    table = Table(highlight=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


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


KB_OPTION = click.option(
    "--kb", "kb_path", type=click.Path(), help="KB folder or rule file (default: the bundled KB)"
)
FORMAT_OPTION = click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)


SCENARIO_OPTION = click.option(
    "--scenario", "scenario_path", type=click.Path(), help="a scenario file (YAML or JSON) of given facts"
)


def _load(kb_path: str | None, scenario_path: str | None = None):
    """The KB, with the scenario's facts given if a scenario file is named."""
    from . import load
    from .scenario import load_scenario

    kb = load(_kb_path(kb_path))
    if scenario_path:
        kb.add_facts(load_scenario(scenario_path, kb.program).facts)
    return kb


def _resolve(kb, question: str):
    """A catalogue NAME or a query atom, as the atom to ask."""
    if not re.fullmatch(r"[a-z][a-zA-Z0-9_]*", question):
        return question
    named = kb.program.named_query(question)
    if named is None:
        names = ", ".join(q.name for q in kb.program.queries) or "none"
        raise QueryError(
            f"no query named '{question}' in the catalogue (citelog queries lists them: {names})",
            Position("<query>", 1, 1),
            code="unknown-query",
        )
    return named.atom


def _emit(text: str, out: str | None) -> None:
    """Write a rendered document to a file, or to standard output."""
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("question")
@KB_OPTION
@SCENARIO_OPTION
@FORMAT_OPTION
@_guarded
def query(question: str, kb_path: str | None, scenario_path: str | None, fmt: str) -> None:
    """Answer QUESTION, an atom such as 'duty(C, keep, R)' or the NAME of a catalogue query."""
    kb = _load(kb_path, scenario_path)
    atom = _resolve(kb, question)
    answers = kb.query(atom)
    prover = Prover(kb)
    rows = []
    for answer in answers:
        proof = prover.prove(answer.predicate, answer.values)
        rows.append((answer, proof.citations() if proof else []))
    if fmt == "json":
        payload = {
            "query": question if atom is question else str(atom),
            "answers": [
                {"bindings": {k: to_json(v) for k, v in answer.bindings}, "citations": citations}
                for answer, citations in rows
            ],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    _print_answers(str(atom), rows)


def _print_answers(atom: str, rows) -> None:
    console = _console()
    if not rows:
        console.print(f"no answers to {atom}", highlight=False)
        return
    variables = [name for name, _ in rows[0][0].bindings]
    if not variables:
        console.print(f"yes: {atom} holds ({'; '.join(rows[0][1]) or 'given'})", highlight=False)
        return
    table = _table(*variables, "citations")
    for answer, citations in rows:
        table.add_row(*(str(v) for _, v in answer.bindings), "; ".join(citations))
    console.print(table)
    console.print(f"{len(rows)} answer(s)", highlight=False)


@main.command()
@KB_OPTION
@FORMAT_OPTION
@_guarded
def queries(kb_path: str | None, fmt: str) -> None:
    """List the catalogue: the named questions the KB answers."""
    catalogue = _load(kb_path).program.queries
    if fmt == "json":
        items = [{"name": q.name, "means": q.meaning, "asks": str(q.atom)} for q in catalogue]
        click.echo(json.dumps({"queries": items}, indent=2, ensure_ascii=False))
        return
    table = _table("name", "question", "asks")
    for named in catalogue:
        table.add_row(named.name, named.meaning, str(named.atom))
    _console().print(table)


EXPLAIN_FORMATS = click.Choice(["text", "md", "html", "json"])


def _render(explanation, fmt: str) -> str:
    return {"text": explanation.to_text, "md": explanation.to_markdown, "html": explanation.to_html,
            "json": explanation.to_json}[fmt]()


@main.command()
@click.argument("question")
@KB_OPTION
@SCENARIO_OPTION
@click.option("--format", "fmt", type=EXPLAIN_FORMATS, default="text", show_default=True)
@click.option("--out", type=click.Path(), help="write to this file instead of standard output")
@click.option("--depth", type=click.IntRange(min=1), help="show proofs down to this depth only")
@_guarded
def explain(question: str, kb_path, scenario_path, fmt: str, out: str | None, depth: int | None) -> None:
    """Explain every answer of QUESTION (an atom or a catalogue NAME): proofs with citations."""
    from .explain import Explainer

    kb = _load(kb_path, scenario_path)
    _emit(_render(Explainer(kb, depth).explain(_resolve(kb, question)), fmt), out)


@main.command("why-not")
@click.argument("atom")
@KB_OPTION
@SCENARIO_OPTION
@FORMAT_OPTION
@_guarded
def why_not(atom: str, kb_path, scenario_path, fmt: str) -> None:
    """Explain why ATOM does not follow: the condition or exception that stops each rule."""
    from .explain import Explainer

    result = Explainer(_load(kb_path, scenario_path)).why_not(atom)
    click.echo(result.to_json() if fmt == "json" else result.to_text(), nl=False)


@main.command()
@KB_OPTION
@SCENARIO_OPTION
@click.option("--format", "fmt", type=EXPLAIN_FORMATS, default="text", show_default=True)
@click.option("--explain", "explained", is_flag=True, help="explain every row (proofs with citations)")
@click.option("--out", type=click.Path(), help="with --explain: write to this file")
@_guarded
def retention(kb_path: str | None, scenario_path, fmt: str, explained: bool, out: str | None) -> None:
    """Who must keep what, for how long: the headline question over the whole KB."""
    from .explain import Explainer
    from .retention import HEADLINE, retention_rows

    kb = _load(kb_path, scenario_path)
    if explained:
        _emit(_render(Explainer(kb).explain(HEADLINE), fmt), out)
        return
    if fmt not in ("text", "json"):
        raise click.UsageError("--format md and html need --explain")
    rows = retention_rows(kb)
    if fmt == "json":
        payload = {"question": "who must keep what, for how long", "rows": [r.to_json(rows) for r in rows]}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    table = _table("", "who", "what", "how long", "from", "citations")
    for number, row in enumerate(rows, start=1):
        mark = f"{number}" + ("*" if row.conflicts else "")
        table.add_row(mark, row.who.replace("_", " "), row.what.replace("_", " "), row.period, row.starts,
                      "; ".join(row.citations))
    console = _console()
    console.print(table)
    for number, row in enumerate(rows, start=1):
        if row.conflicts:
            others = ", ".join(str(i + 1) for i in row.conflicts)
            console.print(
                f"* row {number} conflicts with row(s) {others}: the same records under periods that may not "
                "both be met",
                highlight=False,
            )
    console.print(f"{len(rows)} row(s)", highlight=False)


@main.command()
@KB_OPTION
@FORMAT_OPTION
@click.option("--strict", is_flag=True, help="exit 1 if any text is neither quoted nor declared noise")
@_guarded
def coverage(kb_path: str | None, fmt: str, strict: bool) -> None:
    """How much of each source the KB's verified quotes cover; every uncovered span."""
    from .coverage import coverage as measure

    kb = _load(kb_path)
    report = measure(kb.program, kb.sources)
    if fmt == "json":
        click.echo(json.dumps({"sources": [c.to_json() for c in report]}, indent=2, ensure_ascii=False))
    else:
        console = _console()
        for source in report:
            console.print(
                f"{source.file}: {source.quoted / max(source.characters, 1):.1%} quoted, "
                f"{source.noise / max(source.characters, 1):.1%} declared noise, "
                f"{len(source.uncovered)} uncovered span(s)",
                highlight=False,
            )
            for span in source.spans:
                where = f"{span.start[0]}:{span.start[1]}-{span.end[0]}:{span.end[1]}"
                note = f" ({span.note})" if span.note else ""
                text = span.text if len(span.text) <= 100 else span.text[:97] + "..."
                console.print(f"  {span.kind:9} {where:>13}  {text}{note}", highlight=False, soft_wrap=True)
    if strict and any(source.uncovered for source in report):
        sys.exit(1)
