"""The `citelog` command: a thin layer over the library.

Every command prints errors as `path:line:col: error[code]: message` on stderr and exits 1;
nothing a user types can make a Python traceback reach the terminal. Everything printed passes
through `citelog.characters`: a value is shown as written, never read as Rich markup, and its
control characters are escaped, so that a value cannot drive the terminal. Files are written
whole, never over an input (`citelog.outputs`). Ctrl-C prints `interrupted` and exits 130; a
reader that stops early (`citelog retention | head -1`) ends the command quietly, exit 0.
"""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import nullcontext
from functools import wraps
from pathlib import Path

import click

from . import resources
from .characters import printable, printable_document
from .errors import CitelogError, Position, QueryError
from .outputs import kb_files, write_text
from .pipeline import build, rule_files
from .proofs import Prover
from .terminal import console as _console, line as _line, print_table, table as _table
from .values import to_json

FORMATS = click.Choice(["text", "json"])


def _err(text: object) -> None:
    """One line on standard error (a diagnostic, a note), control characters escaped."""
    click.echo(printable(str(text)), err=True)


def _document(text: str, json_text: bool = False) -> None:
    """A rendered document (explanation, report, JSON) on standard output, safe for a terminal."""
    click.echo(printable_document(text, json_text), nl=False)


def _json(payload: dict) -> None:
    _document(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", json_text=True)


def _fail(error: CitelogError, status: int = 1) -> None:
    for diagnostic in error.diagnostics:
        _err(diagnostic)
    sys.exit(status)


def _internal(error: Exception, status: int) -> None:
    """A bug in citelog: say so plainly, on one line, without a traceback."""
    _err(f"citelog: internal error: {type(error).__name__}: {error}")
    sys.exit(status)


def _guarded(command):
    """Turn citelog's errors into diagnostics and anything else into one line, never a traceback."""

    @wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CitelogError as error:
            _fail(error)
        except (click.ClickException, BrokenPipeError):  # a usage error (click prints it, exit 2); see _Citelog
            raise
        except Exception as error:
            _internal(error, 70)

    return run


class _Citelog(click.Group):
    """The command group: `-h` is `--help` everywhere; Ctrl-C and a closed pipe end a command cleanly."""

    def invoke(self, ctx: click.Context):
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # a reader that went away is found here, not at exit
        except BrokenPipeError:  # `citelog retention | head -1`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


def _kb_path(path: str | None) -> Path:
    return Path(path) if path else resources.bundled_kb()


@click.group(cls=_Citelog, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="citelog")
def main() -> None:
    """citelog: US customs recordkeeping law as an executable, citable knowledge base."""


@main.command()
@click.argument("path", required=False, type=click.Path())
@_guarded
def check(path: str | None) -> None:
    """Check a KB folder or a single rule file; print every problem found."""
    from .activities import problems

    target = _kb_path(path)
    program, _, diagnostics = build(target)
    diagnostics = diagnostics + (problems(program) if not diagnostics else [])  # checked against a sound program
    warnings = program.warnings
    for diagnostic in sorted(diagnostics + warnings):
        _err(diagnostic)
    noted = f", {len(warnings)} warning(s)" if warnings else ""
    if diagnostics:
        _err(f"{len(diagnostics)} error(s){noted}")
        sys.exit(1)
    files = len(rule_files(target))
    click.echo(
        f"ok: {files} file(s), {len(program.provisions)} provision(s), "
        f"{len(program.rules)} rule(s), no errors{noted}"
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
    return _load_scenario(kb_path, scenario_path)[0]


def _load_scenario(kb_path: str | None, scenario_path: str | None):
    """The KB and the scenario named (None if none), its facts given to the KB."""
    from . import load

    kb = load(_kb_path(kb_path))
    scenario = _scenario(kb, scenario_path) if scenario_path else None
    if scenario:
        kb.add_facts(scenario.facts)
    return kb, scenario


def _memo(kb, scenario=None):
    """What an explanation made here says about itself (citelog.memo)."""
    from .memo import memo

    return memo(kb, scenario)


def _scenario(kb, scenario_path: str):
    """A scenario file read against the KB; its warnings (invisible characters) on stderr."""
    from .scenario import load_scenario

    scenario = load_scenario(scenario_path, kb.program)
    for warned in scenario.warnings:
        _err(warned)
    return scenario


def _inputs(kb, *paths: str | None) -> list[Path]:
    """Every file a command read: the KB's, and the ones named (a scenario)."""
    return kb_files(kb) + [Path(p) for p in paths if p]


def _resolve(kb, question: str):
    """A catalogue NAME or a query atom, as the atom to ask."""
    if re.fullmatch(r"[a-z][a-zA-Z0-9_]*", question):
        return kb.program.catalogue_query(question).atom
    return _atom(kb, question)


def _atom(kb, text: str):
    """A typed query atom, with a hint on stderr for each likely slip (citelog.hints)."""
    from .hints import hints, parse_question

    atom = parse_question(text)
    for hint in hints(atom, kb.program, kb.given_facts()):
        click.echo(f"hint: {hint}", err=True)
    return atom


def _emit(text: str, out: str | None, inputs: list[Path], json_text: bool = False) -> None:
    """Write a rendered document to a file (whole, never over one of `inputs`), or to standard output."""
    if out:
        write_text(out, text, inputs)
        _err(f"wrote {out}")
    else:
        _document(text, json_text)


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
    rows = Prover(kb).cited(atom)
    if fmt == "json":
        _json({
            "query": str(atom),
            "answers": [
                {"bindings": {k: to_json(v) for k, v in one.answer.bindings}, "citations": list(one.citations)}
                for one in rows
            ],
        })
        return
    _print_answers(str(atom), rows)


def _cited(citations) -> str:
    """Citations as a table cell: statute, regulation, then interpretations, each marked as one."""
    from .provenance import by_label

    return "; ".join(c.shown for c in by_label(citations))


def _print_answers(atom: str, rows) -> None:
    console = _console()
    if not rows:
        _line(console, f"no answers to {atom}")
        return
    variables = [name for name, _ in rows[0].answer.bindings]
    if not variables:
        _line(console, f"yes: {atom} holds ({_cited(rows[0].citations) or 'given'})")
        return
    table = _table(*variables, "citations")
    for one in rows:
        table.add_row(*(v for _, v in one.answer.bindings), _cited(one.citations))
    print_table(console, table)
    _line(console, f"{len(rows)} answer(s)")


@main.command()
@KB_OPTION
@FORMAT_OPTION
@_guarded
def queries(kb_path: str | None, fmt: str) -> None:
    """List the catalogue: the named questions the KB answers."""
    catalogue = _load(kb_path).program.queries
    if fmt == "json":
        _json({"queries": [{"name": q.name, "means": q.meaning, "asks": str(q.atom)} for q in catalogue]})
        return
    table = _table("name", "question", "asks")
    for named in catalogue:
        table.add_row(named.name, named.meaning, named.atom)
    print_table(_console(), table)


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
    from .explanations import Explainer

    kb, scenario = _load_scenario(kb_path, scenario_path)
    _emit(_render(Explainer(kb, depth).explain(_resolve(kb, question)).with_memo(_memo(kb, scenario)), fmt), out,
          _inputs(kb, scenario_path), fmt == "json")


@main.command("why-not")
@click.argument("atom")
@KB_OPTION
@SCENARIO_OPTION
@FORMAT_OPTION
@_guarded
def why_not(atom: str, kb_path, scenario_path, fmt: str) -> None:
    """Explain why ATOM does not follow: the condition or exception that stops each rule."""
    from .explanations import Explainer

    kb = _load(kb_path, scenario_path)
    result = Explainer(kb).why_not(_atom(kb, atom))
    _document(result.to_json() if fmt == "json" else result.to_text(), fmt == "json")


@main.command()
@KB_OPTION
@SCENARIO_OPTION
@click.option("--format", "fmt", type=EXPLAIN_FORMATS, default="text", show_default=True)
@click.option("--explain", "explained", is_flag=True, help="explain every row (proofs with citations)")
@click.option("--out", type=click.Path(), help="with --explain: write to this file")
@click.option("--person", help="with --scenario: only this party's obligations")
@_guarded
def retention(kb_path: str | None, scenario_path, fmt: str, explained: bool, out: str | None,
              person: str | None) -> None:
    """Who must keep what, for how long: the headline question over the whole KB.

    With --scenario, the obligations of the scenario's parties instead, with concrete dates."""
    from .explanations import Explainer
    from .report import headline, unresolved_conflicts
    from .retention import HEADLINE, retention_rows
    from .terminal import show

    if scenario_path:
        _scenario_retention(kb_path, scenario_path, fmt, explained, out, person)
        return
    if person:
        raise click.UsageError("--person needs --scenario")
    kb = _load(kb_path, scenario_path)
    if explained:
        explained = Explainer(kb).explain_answers(HEADLINE, [row.source for row in retention_rows(kb)])
        _emit(_render(explained.with_memo(_memo(kb)), fmt), out, _inputs(kb), fmt == "json")
        return
    if fmt not in ("text", "json"):
        raise click.UsageError("--format md and html need --explain")
    if fmt == "json":
        rows = retention_rows(kb)
        _json({"question": "who must keep what, for how long", "rows": [r.to_json(rows) for r in rows],
               "unresolved_conflicts": unresolved_conflicts(kb)})
        return
    show(headline(kb), _console())


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
        _json({"sources": [c.to_json() for c in report]})
    else:
        console = _console()
        for source in report:
            _line(console, f"{source.file}: {source.quoted / max(source.characters, 1):.1%} quoted, "
                           f"{source.noise / max(source.characters, 1):.1%} declared noise, "
                           f"{len(source.uncovered)} uncovered span(s)")
            for span in source.spans:
                where = f"{span.start[0]}:{span.start[1]}-{span.end[0]}:{span.end[1]}"
                note = f" ({span.note})" if span.note else ""
                text = span.text if len(span.text) <= 100 else span.text[:97] + "..."
                _line(console, f"  {span.kind:9} {where:>13}  {text}{note}", soft_wrap=True)
    if strict and any(source.uncovered for source in report):
        sys.exit(1)


# ---- scenarios and the batch schedule (docs/SCENARIOS.md, docs/SCHEDULE.md) -------------------------


def _scenario_retention(kb_path, scenario_path: str, fmt: str, explained: bool, out: str | None,
                        person: str | None) -> None:
    """`retention --scenario FILE`: the parties' obligations with concrete dates and citations."""
    from .explanations import Explainer
    from .obligations import obligations, warnings
    from .report import obligations_report, obligations_title, role_notes, unresolved_conflicts
    from .terminal import show

    kb, scenario = _load_scenario(kb_path, scenario_path)
    rows = obligations(kb, person)
    if person is not None and not rows and person not in scenario.names():  # the KB may name one: the director
        known = ", ".join(sorted(scenario.parties)) or "the parties named in the facts"
        raise QueryError(f"no party '{person}' in the scenario ({known})", Position(scenario.path),
                         code="unknown-party")
    title = scenario.title or scenario.path
    if explained:
        explanation = Explainer(kb).explain_answers(obligations_title(scenario, person), [row.source for row in rows])
        _emit(_render(explanation.with_memo(_memo(kb, scenario)), fmt), out, _inputs(kb, scenario_path),
              fmt == "json")
        return
    if fmt not in ("text", "json"):
        raise click.UsageError("--format md and html need --explain")
    if fmt == "json":
        _json({
            "question": "who must keep what, for how long",
            "scenario": title,
            "parties": [{"id": p.id, "name": p.name, "roles": list(p.roles)} for p in scenario.parties.values()],
            "rows": [row.to_json(rows) for row in rows],
            "role_notes": role_notes(kb, scenario, person),
            "warnings": warnings(kb, person),
            "unresolved_conflicts": unresolved_conflicts(kb),
        })
        return
    show(obligations_report(kb, scenario, rows, person), _console(), f"Scenario: {title}")


@main.command()
@click.argument("inventory", type=click.Path())
@click.option("--out", "out", required=True, type=click.Path(), help="the schedule to write (CSV)")
@click.option("--rejects", type=click.Path(), help="where rejected rows go (default: OUT's name + .rejects.csv)")
@click.option("--raw-cells", is_flag=True, help="copy the inventory's cells as they are, even those a spreadsheet "
              "would run as a formula (=, +, -, @): by default they get a leading '")
@KB_OPTION
@_guarded
def schedule(inventory: str, out: str, rejects: str | None, raw_cells: bool, kb_path: str | None) -> None:
    """Write the retention schedule of INVENTORY.csv (columns: record_id, party, activity, subject,
    event, date [, certificate]): who must keep which records until when, with citations.

    Rejected rows go to the rejects file and to stderr with their row number; the exit status is 1
    if any row was rejected (or the file cannot be read), 0 otherwise."""
    from . import load
    from .schedule import schedule as run

    kb = load(_kb_path(kb_path))
    result = run(kb, inventory, out, rejects, report=_err, progress=sys.stderr.isatty(), raw_cells=raw_cells)
    _err(f"{result.rows} row(s): {result.scheduled} scheduled ({result.lines} line(s) in {result.out}), "
         f"{len(result.rejected)} rejected ({result.rejects})")
    if result.rejected:
        sys.exit(1)


# ---- regression: test, snapshot, diff (docs/REGRESSION.md) ------------------------------------------


def _regression_cases(kb, root: Path, strict: bool):
    """The regression cases of a KB folder (ROOT/tests), parsed against a loaded KB.

    strict: a case file that does not load is an error; otherwise it is skipped with a warning.
    """
    from .cases import kb_cases
    from .errors import CheckError

    found, problems = kb_cases(kb, root)
    if strict and problems:
        raise CheckError([d for diagnostics in problems.values() for d in diagnostics])
    for path, diagnostics in problems.items():
        _err(f"warning: the cases of {path} are left out of the snapshot:")
        for diagnostic in diagnostics:
            _err(f"  {diagnostic}")
    return found


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-k", "pattern", metavar="PATTERN", help="run only the cases whose FILE::NAME contains PATTERN "
              "(case-insensitive)")
@click.option("--kb", "kb_path", type=click.Path(), help="the KB every case file tests (default: the KB folder "
              "above each file's tests/ folder)")
@click.option("--coverage", "show_coverage", is_flag=True, help="also list the provisions with rules that no case "
              "exercises (exit 1 if there is one)")
@click.option("-v", "--verbose", is_flag=True, help="list every case with its verdict")
@_guarded
def test_cases(paths, pattern: str | None, kb_path: str | None, show_coverage: bool, verbose: bool) -> None:
    """Run regression cases (PATHS: case files or folders; default: the KB's tests/ folder)."""
    from .errors import CheckError, Diagnostic
    from .runner import Runner, coverage, run_case

    runner = Runner(Path(kb_path) if kb_path else None)
    targets = [Path(p) for p in paths] or [(_kb_path(kb_path) if _kb_path(kb_path).is_dir()
                                            else _kb_path(kb_path).parent) / "tests"]
    loaded, problems = runner.load(targets)
    if problems:
        raise CheckError(problems)
    if pattern:
        loaded = [(kb, case) for kb, case in loaded if pattern.lower() in case.id.lower()]
    if not loaded:
        where = ", ".join(str(t) for t in targets)
        raise CheckError([Diagnostic(Position(where), "no-cases",
                                     "no regression case found" + (f" matching '{pattern}'" if pattern else ""))])
    results = []
    for kb, case in loaded:
        result = run_case(kb, case)
        results.append((kb, result))
        if verbose:
            click.echo(printable(f"{'PASS' if result.passed else 'FAIL'} {case.position} {case.name}"))
        if not result.passed:
            _document(result.report() + "\n")
    uncovered = 0
    if show_coverage:
        for kb in dict.fromkeys(kb for kb, _ in loaded):
            report = coverage(kb, [r for k, r in results if k is kb])
            missing = report.uncovered
            uncovered += len(missing)
            total = len(report.provisions)
            click.echo(printable(f"coverage of {_report_root(kb)}: {total - len(missing)} of {total} provision(s) "
                                 "with rules exercised by a case"))
            for citation, position in missing:
                click.echo(printable(f"  not exercised: {citation} ({position})"))
    passed = sum(1 for _, r in results if r.passed)
    click.echo(f"{passed} passed, {len(results) - passed} failed")
    if passed < len(results) or uncovered:
        sys.exit(1)


def _report_root(kb) -> str:
    from .cases import display

    return display(kb.program.root) if kb.program.root else "the KB"


@main.command()
@KB_OPTION
@click.option("--out", type=click.Path(), help="write the snapshot to this file instead of standard output")
@click.option("--cases/--no-cases", "with_cases", default=True, show_default=True,
              help="also record the answers of the KB's scenario-based regression cases (KB/tests)")
@_guarded
def snapshot(kb_path: str | None, out: str | None, with_cases: bool) -> None:
    """Record every answer of the headline query and the catalogue, with citations and proof digests."""
    from . import load
    from .snapshot import dumps, snapshot as take

    root = _kb_path(kb_path)
    kb = load(root)
    cases = _regression_cases(kb, root, strict=True) if with_cases else []
    read = [path for case in cases for path in (Path(case.path), case.scenario_file) if path]
    _emit(dumps(take(kb, cases)), out, kb_files(kb) + read, json_text=True)


@main.command()
@click.option("--base", "base_rev", metavar="GIT_REV", help="compare with the KB at this git revision "
              "(default: HEAD)")
@click.option("--base-kb", "base_kb", type=click.Path(), help="compare with this KB folder")
@KB_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True)
@click.option("--cases/--no-cases", "with_cases", default=True, show_default=True,
              help="also compare the answers of the scenario-based regression cases (KB/tests)")
def diff(base_rev: str | None, base_kb: str | None, kb_path: str | None, fmt: str, with_cases: bool) -> None:
    """Compare the KB with another version: provisions edited, answers added, removed and changed.

    Exit status: 0 no change, 1 changes found, 2 error.
    """
    try:
        changed = _diff(base_rev, base_kb, kb_path, fmt, with_cases)
    except CitelogError as error:
        _fail(error, 2)
    except BrokenPipeError:
        raise
    except Exception as error:
        _internal(error, 2)
    sys.exit(1 if changed else 0)


def _diff(base_rev: str | None, base_kb: str | None, kb_path: str | None, fmt: str, with_cases: bool) -> bool:
    from . import load
    from .cases import display
    from .semantic_diff import diff_kbs, kb_at

    if base_rev and base_kb:
        raise QueryError("give --base GIT_REV or --base-kb PATH, not both", Position("<base>", 1, 1),
                         code="bad-option")
    root = _kb_path(kb_path)
    head = load(root)
    cases = _regression_cases(head, root, strict=False) if with_cases else []
    base_label = display(Path(base_kb)) if base_kb else f"{display(root)} at {base_rev or 'HEAD'}"
    with nullcontext(Path(base_kb)) if base_kb else kb_at(root, base_rev or "HEAD") as base_root:
        result = diff_kbs(load(base_root), head, cases, base_label=base_label, head_label=display(root))
    _document({"text": result.to_text, "md": result.to_markdown, "json": result.to_json}[fmt](), fmt == "json")
    return result.changed


# ---- the web app (docs/WEB.md) ----------------------------------------------------------------------


@main.command()
@KB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="the address to listen on (the default lets only this machine in)")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="the port to listen on (0: any free port)")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="seconds a request may take before it is answered with an error page")
@_guarded
def serve(kb_path: str | None, host: str, port: int, time_limit: float) -> None:
    """Serve the web pages: read the law, ask the questions, take the explanations away."""
    from .web import create_app
    from .web.serve import listen, serve as run

    try:
        sock = listen(host, port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    try:  # the app answers only requests addressed to this address and port (DNS rebinding)
        app = create_app(_kb_path(kb_path), time_limit=time_limit, host=host, port=sock.getsockname()[1])
    except BaseException:
        sock.close()
        raise
    where = "the bundled KB" if kb_path is None else kb_path

    def announce(url: str) -> None:
        click.echo(printable(f"citelog: serving {where} at {url} (Ctrl-C stops it)"))
        if host not in ("127.0.0.1", "localhost", "::1"):
            _err(f"warning: listening on {host}: other machines can reach these pages")

    try:
        run(app, sock, announce)
    except KeyboardInterrupt:  # Ctrl-C is how a server stops, not an interruption: no message
        sys.exit(130)
