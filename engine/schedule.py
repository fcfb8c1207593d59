"""The batch schedule: a CSV of records or events in, dated obligations with citations out.

    citelog schedule INVENTORY.csv --out SCHEDULE.csv [--rejects REJECTS.csv] [--kb KB]

Policy first. pyDatalog does the legal inference, but not once per row: for each kind of
activity (and certificate) met in the file, the KB is asked once, with a template case (a
placeholder party and subject doing the activity, and every dated event of the subject on a
placeholder date), which classes, records, periods, triggers, bounds and citations follow, and
from which event each period runs. That policy is then applied to every row in plain Python:
the row's event picks the obligations it starts, and `citelog.dates` computes their end dates.
So changing a period in the KB changes the schedule, and 100,000 rows cost the same inference
as one.

Every row either goes to the schedule or to the rejects file with its row number and reason
(also reported on stderr as `path:ROW: error[code]: message`); nothing is dropped silently. The
columns, the activities and the codes are documented in docs/SCHEDULE.md.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from dataclasses import dataclass, field
from pathlib import Path

from .activities import Activity, activities
from .characters import INVISIBLE_CODE, invisible, nfc, printable
from .dates import Period
from .errors import CitelogError, Diagnostic, InputError, Position, warning
from .knowledge_base import Answer, KnowledgeBase
from .obligations import period_text
from .outputs import OutputError, kb_files, replacing
from .wording import Wording
from .proofs import Prover
from .scenario import PARTY_PARAMS
from .textfile import open_regular
from .values import Date

REQUIRED = ("record_id", "party", "activity", "subject", "event", "date")
OPTIONAL = ("certificate",)
OUTPUT = ("row", "record_id", "party", "activity", "subject", "class", "action", "what", "event", "start",
          "period", "bound", "until", "meaning", "citations")
REJECT_PREFIX = ("row", "code", "reason")

# the template case's party, subject and certificate (quoted in queries: a name starting with `_` is a variable)
PARTY, SUBJECT, CERTIFICATE = "__party__", "__subject__", "__certificate__"
TEMPLATE_DATE = Date(datetime.date(2000, 1, 1))
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# ---- the policy ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyLine:
    """One obligation that an activity brings: applied to a row, it gives one line."""

    role: str
    action: str
    what: str
    period: Period
    citations: str  # joined with "; ", as written


@dataclass
class Policy:
    """What the KB says of one activity (and certificate): the obligations each event starts, and
    those that no event starts (a period the Secretary prescribes)."""

    by_event: dict[str, tuple[PolicyLine, ...]] = field(default_factory=dict)
    undated: tuple[PolicyLine, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.by_event and not self.undated


def infer_policy(kb: KnowledgeBase, activity: Activity, certificate: str = CERTIFICATE) -> Policy:
    """Ask the KB once, with a template case, what the activity brings (add, query, withdraw)."""
    facts = activity.instantiate(PARTY, SUBJECT, certificate)
    for decl in kb.program.declarations:  # every dated event of the subject, on one date
        dates = [p for p in decl.params if p.type == "date"]
        dates_a_subject = any(p.type != "date" and p.name not in PARTY_PARAMS and p.name != "Certificate"
                              for p in decl.params)  # not a decision about the party alone (a removal)
        if decl.is_input and len(dates) == 1 and dates_a_subject:
            args = tuple(TEMPLATE_DATE if p.type == "date" else PARTY if p.name in PARTY_PARAMS
                         else certificate if p.name == "Certificate" else SUBJECT for p in decl.params)
            facts.setdefault(decl.name, []).append(args)
    by_event: dict[str, dict[PolicyLine, None]] = {}
    undated: dict[PolicyLine, None] = {}
    with kb.scenario(facts):
        prover = Prover(kb)

        def cite(*answers: Answer) -> str:
            """The citations of the answers' proofs, each once, as a line of the schedule writes them."""
            return "; ".join(dict.fromkeys(c for answer in answers for c in prover.cite(answer).citations))

        dated = set()
        if kb.arities.get("keeps") == 10:
            for answer in kb.query(f'keeps("{PARTY}", C, R, "{SUBJECT}", N, U, T, B, E, D)'):
                _, c, r, _, n, u, t, b, e, _ = answer.values
                dated.add((c, r, n, u, t, b))
                by_event.setdefault(e, {})[PolicyLine(c, "keep", r, Period(n, u, t, b), cite(answer))] = None
        if kb.arities.get("person_must_keep") == 7:
            for answer in kb.query(f'person_must_keep("{PARTY}", C, R, N, U, T, B)'):
                _, c, r, n, u, t, b = answer.values
                if (c, r, n, u, t, b) not in dated:  # the Secretary's period, or one no dated event starts
                    undated[PolicyLine(c, "keep", r, Period(n, u, t, b), cite(answer))] = None
        if kb.arities.get("deadline_from") == 9:
            for answer in kb.query(f'deadline_from("{PARTY}", C, A, O, "{SUBJECT}", N, U, T, D)'):
                _, c, a, o, _, n, u, t, _ = answer.values
                dated.add((c, a, o, n, u, t))
                line = PolicyLine(c, a, o, Period(n, u, t, "within"), cite(answer))
                by_event.setdefault(t, {})[line] = None
        if kb.arities.get("person_duty") == 4 and kb.arities.get("deadline") == 6:
            deadlines = {}
            for answer in kb.query("deadline(C, A, O, N, U, T)"):
                deadlines.setdefault(answer.values[:3], []).append(answer)
            for answer in kb.query(f'person_duty("{PARTY}", C, A, O)'):
                for deadline in deadlines.get(answer.values[1:], ()):
                    c, a, o, n, u, t = deadline.values
                    if (c, a, o, n, u, t) not in dated:  # a deadline that no dated event starts
                        undated[PolicyLine(c, a, o, Period(n, u, t, "within"), cite(answer, deadline))] = None
    return Policy({e: tuple(rules) for e, rules in sorted(by_event.items())}, tuple(undated))


# ---- reading, applying, writing ----------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RowPosition(Position):
    """A row of a CSV file: shown as `path:ROW` (ROW is the line where the row starts)."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class ScheduleError(CitelogError):
    """The inventory cannot be read at all (no file, not UTF-8, a missing column)."""

    code = "bad-csv"


@dataclass(frozen=True)
class Rejected:
    row: int
    code: str
    reason: str
    cells: tuple[str, ...]

    def diagnostic(self, path: str) -> Diagnostic:
        return Diagnostic(RowPosition(path, self.row), self.code, self.reason)


@dataclass
class Result:
    rows: int = 0  # data rows read
    scheduled: int = 0  # rows that went to the schedule
    lines: int = 0  # lines written to the schedule
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)  # cells with invisible characters
    out: Path | None = None
    rejects: Path | None = None


class Scheduler:
    """Applies the KB's policies to rows; policies are inferred once per activity and certificate."""

    def __init__(self, kb: KnowledgeBase):
        if kb.given_facts():  # the policies are inferred with facts added and withdrawn
            raise InputError("the schedule needs a KB without given facts (no scenario)", code="bad-kb")
        self.kb = kb
        self.activities = activities(kb.program)
        self.policies: dict[tuple[str, str], Policy] = {}
        self.certificates: set[str] | None = None
        if kb.arities.get("certificate_issuer_class") == 2:
            self.certificates = {a.values[0] for a in kb.query("certificate_issuer_class(K, C)")}
        self._ends: dict[tuple, Date | None] = {}
        self._periods: dict[PolicyLine, str] = {}
        self.words = Wording.of(kb.program)
        self.seen: dict[str, int] = {}  # record_id -> the row that used it first

    def policy(self, activity: Activity, certificate: str) -> Policy:
        key = (activity.name, certificate)
        if key not in self.policies:
            self.policies[key] = infer_policy(self.kb, activity, certificate or CERTIFICATE)
        return self.policies[key]

    def lines(self, fields: dict[str, str]) -> list[tuple] | tuple[str, str]:
        """The output lines of one valid-looking row, or (code, reason) if it is rejected."""
        activity = self.activities.get(fields["activity"])
        if activity is None:
            return "unknown-activity", (f"unknown activity '{fields['activity']}' (activities: "
                                        f"{', '.join(self.activities) or 'none'})")
        certificate = fields.get("certificate", "") if activity.needs_certificate else ""
        if activity.needs_certificate:
            if not certificate:
                return "missing-field", (f"activity {activity.name} needs the column 'certificate' "
                                         "(the kind of certificate)")
            if self.certificates is not None and certificate not in self.certificates:
                return "unknown-certificate", (f"unknown certificate '{certificate}' (certificates: "
                                               f"{', '.join(sorted(self.certificates))})")
        text = fields["date"]
        try:
            if not _DATE.fullmatch(text):
                raise ValueError
            start = Date(datetime.date.fromisoformat(text))
        except ValueError:
            return "bad-date", f"invalid date '{text}': write an existing day as YYYY-MM-DD"
        policy = self.policy(activity, certificate)
        event = fields["event"]
        base = (fields["record_id"], fields["party"], activity.name, fields["subject"])
        if policy.empty:
            return [(*base, "", "", "", event, str(start), f"no obligation follows from {activity.name}", "", "",
                     "none", "")]
        rules = policy.by_event.get(event)
        if rules is None:
            known = ", ".join(policy.by_event) or "none"
            return "unknown-event", (f"event '{event}' starts no period for activity {activity.name} "
                                     f"(events that do: {known})")
        lines = []
        for rule in rules:
            key = (start, rule.period)
            if key not in self._ends:
                try:
                    deadline = rule.period.end(start)
                except ValueError as error:
                    return "bad-date", f"date {text}: {error}"
                self._ends[key] = deadline.end if deadline else None
            end = self._ends[key]
            lines.append((*base, rule.role, rule.action, rule.what, event, str(start), self._period(rule), rule.period.bound,
                          str(end) if end else "", rule.period.meaning, rule.citations))
        for rule in policy.undated:
            lines.append((*base, rule.role, rule.action, rule.what, "", "", self._period(rule), rule.period.bound, "",
                          rule.period.meaning, rule.citations))
        return lines

    def _period(self, rule: PolicyLine) -> str:
        """The period of a line in the KB's words (worded once per line of a policy)."""
        if rule not in self._periods:
            self._periods[rule] = period_text(self.words, rule.period)
        return self._periods[rule]


def schedule(
    kb: KnowledgeBase,
    inventory: str | Path,
    out: str | Path,
    rejects: str | Path | None = None,
    *,
    report: Callable[[str], None] | None = None,
    progress: bool = False,
    raw_cells: bool = False,
) -> Result:
    """Write the schedule of an inventory CSV; rejected rows go to `rejects` (default: beside `out`,
    named *.rejects.csv) and, one line each, to `report`. Raises ScheduleError if the file cannot be
    read or its header lacks a column, OutputError if an output cannot be written (both files are
    then as they were). Cells copied from the inventory are neutralised unless `raw_cells`."""
    inventory, out = Path(inventory), Path(out)
    rejects = Path(rejects) if rejects else out.with_name(f"{out.stem}.rejects.csv")
    where = str(inventory)
    result = Result(out=out, rejects=rejects)
    scheduler = Scheduler(kb)
    if out.resolve() == rejects.resolve():
        raise OutputError(f"{rejects} is also the schedule: name two files", Position(str(rejects)))
    inputs = [inventory, *kb_files(kb)]
    copied = (lambda cells: cells) if raw_cells else neutralised
    try:
        source = io.TextIOWrapper(open_regular(inventory), encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ScheduleError(f"cannot read the inventory: {error.strerror or error}", RowPosition(where),
                            code="missing-file") from None
    with source:
        reader = csv.reader(source)
        try:
            header = _header(next(reader, None), where)
            with replacing(out, inputs, newline="") as sink, replacing(rejects, [*inputs, out], newline="") as bad:
                console = _stderr_console() if progress else None
                run = _Run(scheduler, header, where, result, csv.writer(sink), csv.writer(bad), copied,
                           _above_the_bar(console) if report and console else report)  # above the progress bar
                run.schedule_csv.writerow(OUTPUT)
                run.rejects_csv.writerow(REJECT_PREFIX + tuple(copied(header)))
                for number, cells in _rows(reader, inventory, console):
                    run.take(number, cells)
        except UnicodeDecodeError:  # decoded by blocks: the error's offset is within a block, not the file
            line, column = _first_bad_utf8(inventory)
            raise ScheduleError(f"the file is not valid UTF-8 (byte {column} of line {line})",
                                RowPosition(where, line), code="bad-csv") from None
        except csv.Error as error:
            raise ScheduleError(f"not a valid CSV file: {error}", RowPosition(where, reader.line_num),
                                code="bad-csv") from None
    return result


@dataclass
class _Run:
    """One schedule being written: where each row of the inventory goes, and what is said of it."""

    scheduler: Scheduler
    header: list[str]
    where: str  # the inventory, as messages name it
    result: Result
    schedule_csv: Any  # the csv writer of the schedule
    rejects_csv: Any  # the csv writer of the rejects file
    copied: Callable[[Any], tuple[str, ...]]  # cells copied from the inventory (neutralised or not)
    report: Callable[[str], None] | None

    def take(self, number: int, cells: list[str]) -> None:
        """A row: its lines in the schedule, or the row in the rejects file with its reason."""
        if any("\x00" in cell for cell in cells):  # Python's csv reads NUL bytes as text
            raise ScheduleError("the file holds NUL bytes: it is binary (or UTF-16), not a UTF-8 CSV file",
                                RowPosition(self.where, number), code="bad-csv")
        self.result.rows += 1
        outcome = _check(cells, self.header, number, self.scheduler)
        if isinstance(outcome, Rejected):
            self.result.rejected.append(outcome)
            self.rejects_csv.writerow((outcome.row, outcome.code, outcome.reason, *self.copied(outcome.cells)))
            self._say(outcome.diagnostic(self.where))
            return
        for warned in _invisible(cells, self.header, number, self.where):
            self.result.warnings.append(warned)
            self._say(warned)
        self.result.scheduled += 1
        self.result.lines += len(outcome)
        self.schedule_csv.writerows((number, *self.copied(line)) for line in outcome)

    def _say(self, diagnostic: Diagnostic) -> None:
        if self.report:
            self.report(str(diagnostic))


def _header(header: list[str] | None, where: str) -> list[str]:
    """The inventory's column names, checked: every required one, none twice."""
    if header is None:
        raise ScheduleError(f"the file is empty: the first line names the columns ({', '.join(REQUIRED)})",
                            RowPosition(where, 1), code="missing-column")
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ScheduleError(
            f"missing column(s) {', '.join(missing)}: the first line must name the columns "
            f"{', '.join(REQUIRED)} (and optionally {', '.join(OPTIONAL)})",
            RowPosition(where, 1), code="missing-column")
    doubled = sorted(name for name, count in Counter(header).items() if name and count > 1)
    if doubled:
        raise ScheduleError(f"column(s) named twice: {', '.join(doubled)}", RowPosition(where, 1),
                            code="missing-column")
    return header


# A cell that starts so is a formula to a spreadsheet (OWASP, "CSV Injection"): `=HYPERLINK(...)`.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cells) -> tuple[str, ...]:
    """Cells made inert for a spreadsheet: one that starts like a formula gets a leading `'`. The
    cells citelog makes itself never start so (dates, words, citations), so only values copied
    from the inventory can change, and they are identifiers, not numbers (docs/SCHEDULE.md)."""
    return tuple(f"'{cell}" if cell.startswith(FORMULA_START) else cell for cell in cells)


def _invisible(cells: list[str], header: list[str], number: int, where: str) -> Iterator[Diagnostic]:
    for name, cell in zip(header, cells):
        note = invisible(cell.strip())
        if note and name in REQUIRED + OPTIONAL:
            yield warning(RowPosition(where, number), INVISIBLE_CODE, f"{name}: {note}")


def _first_bad_utf8(path: Path) -> tuple[int, int]:
    """Line and byte (from 1) of the first byte of a file that is not UTF-8."""
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                return number, error.start + 1
    return 0, 0


def _check(cells: list[str], header: list[str], number: int, scheduler: Scheduler):
    kept = tuple(cells)
    if len(cells) != len(header):
        return Rejected(number, "bad-row", f"the row has {len(cells)} value(s) but the header names {len(header)} "
                                           "column(s)", kept)
    fields = {name: nfc(cell.strip()) for name, cell in zip(header, cells)}
    empty = [c for c in REQUIRED if not fields[c]]
    if empty:
        return Rejected(number, "missing-field", f"empty {', '.join(empty)}", kept)
    seen = scheduler.seen
    first = seen.get(fields["record_id"])
    if first is not None:
        return Rejected(number, "duplicate-id", f"record_id '{fields['record_id']}' already used at row {first}", kept)
    outcome = scheduler.lines(fields)
    if isinstance(outcome, tuple):
        return Rejected(number, outcome[0], outcome[1], kept)
    seen[fields["record_id"]] = number
    return outcome


def _rows(reader, inventory: Path, console) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells) of every non-empty line, with a progress bar on `console`."""
    if console is None:
        yield from _numbered(reader)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with inventory.open("rb") as counting:
        total = max(sum(1 for _ in counting) - 1, 0)
    columns = (TextColumn("scheduling"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("rows", total=total)
        done = 0
        for item in _numbered(reader):
            yield item
            done += 1
            if done % 2000 == 0:
                bar.update(task, completed=done)
        bar.update(task, completed=total)


def _numbered(reader) -> Iterator[tuple[int, list[str]]]:
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if cells:  # an empty line is no row; a line of empty cells is a row (and is rejected)
            yield start, cells


def _above_the_bar(console) -> Callable[[str], None]:
    def report(line: str) -> None:
        console.print(printable(line), markup=False, highlight=False, soft_wrap=True)

    return report


def _stderr_console():
    from rich.console import Console

    return Console(file=sys.stderr)
