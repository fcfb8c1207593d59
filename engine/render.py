"""Render explanations: one structure, four views (terminal text, Markdown, HTML, JSON).

Every view is deterministic (same explanation, same bytes). Each provision's quote (or the reason
it has none, such as an interpretation's note) is shown once, in the numbered list of provisions
cited, and each step refers to it by its number. An explanation with a memo (`citelog.memo`: the
scenario's title and facts, when it was made, the KB's revision, citelog's version) says so at
its top, so that the document stands alone. HTML is one self-contained file (inline CSS and
script, no network fetch) from a Jinja2 template, where a step's technical detail (its Datalog
statement, rule and bindings) is behind a toggle; Markdown escapes every value, so that nothing a
scenario says becomes markup; JSON follows the versioned schema in `schemas/explanation.schema.json`.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .memo import Memo
from .values import to_json as value_json

if TYPE_CHECKING:  # the explanations render themselves through this module, which only reads them
    from .explanations import Attempt, Explanation, Step, WhyNot

SCHEMA_ID = "citelog.explanation/2"
_HERE = Path(__file__).resolve().parent


def _source(step: Step, numbers: dict[str, int] | None = None) -> str:
    """What a step rests on, for the line under it: '[3] 19 U.S.C. 1508(c)(3)' (its number in the
    list of provisions), '[19 U.S.C. 1508(c)(3) (statute)]' where there is no list, or '[given]'."""
    if step.kind == "given":
        return "[given]"
    if not step.citation:
        return ""
    if numbers is not None and step.citation in numbers:
        return f"[{numbers[step.citation]}] {step.citation}"
    return f"[{step.citation} ({step.authority})]"


def _bindings(step: Step) -> str:
    return ", ".join(f"{name} = {value}" for name, value in step.bindings)


def memo_lines(memo: Memo) -> list[str]:
    """The memo in words, one line each: the scenario, its facts, when and from what it was made."""
    lines = []
    if memo.scenario is not None:
        lines.append(f"Scenario: {memo.scenario} ({memo.source})")
        lines += [f"  party {ident}: {name}" for ident, name in memo.parties]
        lines += [f"  fact: {fact.sentence}" for fact in memo.facts]
    else:
        lines.append("Scenario: none (the law alone, no facts given)")
    lines.append(f"Made {memo.made} from the KB {memo.revision} with citelog {memo.version}")
    return lines


# ---- text ------------------------------------------------------------------------------------


def to_text(explanation: Explanation) -> str:
    lines = [f"Query: {explanation.query}"]
    if explanation.memo:
        lines += memo_lines(explanation.memo)
    lines += [f"{len(explanation.answers)} answer(s)", ""]
    numbers = explanation.numbers
    for item in explanation.answers:
        lines.append(f"{item.number}. {item.proof.sentence}")
        if item.answer.bindings:
            lines.append("   " + ", ".join(f"{k} = {v}" for k, v in item.answer.bindings))
        lines.append(f"   citations: {'; '.join(item.citations) or 'none (given facts only)'}")
        lines += _text_tree(item.proof, "   ", numbers=numbers)
        lines.append("")
    lines += _text_provisions(explanation)
    return "\n".join(lines).rstrip() + "\n"


def _text_tree(step: Step, indent: str, depth: int = 0, numbers: dict[str, int] | None = None) -> list[str]:
    """A step and its premises; with `numbers`, a step cites its provision by number and the quotes
    are left to the list of provisions (without, as in why-not, each step says its quote)."""
    pad = indent + "    " * depth + ("- " if depth else "")
    detail = indent + "    " * depth + ("  " if depth else "") + "    "
    source = _source(step, numbers)
    lines = [f"{pad}{step.sentence}" + (f"  {source}" if source else "")]
    if step.rule:
        lines.append(f"{detail}by rule {step.rule}" + (f" with {_bindings(step)}" if step.bindings else ""))
    if step.arithmetic:
        lines.append(f"{detail}date arithmetic: {step.arithmetic}")
    if numbers is None and step.quote:
        lines.append(f'{detail}the text says: "{step.quote}"')
    elif numbers is None and step.no_quote and step.kind != "given":
        lines.append(f"{detail}no quote: {step.no_quote}")
    if step.alternatives:
        lines.append(f"{detail}({step.alternatives} other derivation(s) not shown)")
    if step.kind == "truncated":
        lines.append(f"{detail}(deeper steps not shown)")
    for premise in step.premises:
        lines += _text_tree(premise, indent, depth + 1, numbers)
    return lines


def _text_provisions(explanation: Explanation) -> list[str]:
    if not explanation.provisions:
        return []
    lines = ["Provisions cited:"]
    for number, (citation, authority, quote, no_quote) in enumerate(explanation.provisions, start=1):
        lines.append(f"[{number}] {citation} ({authority}): " + (f'"{quote}"' if quote else no_quote or ""))
    return lines


# ---- Markdown ------------------------------------------------------------------------------------

_MARKDOWN = re.compile(r"([\\`*_\[\]<>&|~#])")


def md(text: object) -> str:
    """Text as Markdown shows it literally: every character Markdown (or the HTML inside it) reads
    as markup is escaped, so that a value such as `E-<svg/onload=...>` stays text."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))


def md_code(text: str) -> str:
    """A code span that holds any text: fenced with more backticks than the text has in a row."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def to_markdown(explanation: Explanation) -> str:
    numbers = explanation.numbers
    lines = [f"# Explanation: {md_code(explanation.query)}", ""]
    if explanation.memo:
        lines += _md_memo(explanation.memo)
    lines += [f"{len(explanation.answers)} answer(s).", ""]
    for item in explanation.answers:
        lines.append(f"## Answer {item.number}: {md(item.proof.sentence)}")
        lines.append("")
        if item.answer.bindings:
            lines += [", ".join(f"{md_code(k)} = {md(v)}" for k, v in item.answer.bindings), ""]
        refs = ", ".join(f"[{numbers[c]}] {md(c)}" for c in item.citations)
        lines.append(f"Rests on: {refs or 'given facts only'}.")
        lines.append("")
        lines += _md_tree(item.proof, 0, numbers)
        lines.append("")
    if explanation.provisions:
        lines += ["## Provisions cited", ""]
        for number, (citation, authority, quote, no_quote) in enumerate(explanation.provisions, start=1):
            text = f"> {md(quote)}" if quote else f"*{md(no_quote)}*"
            lines.append(f"{number}. **{md(citation)}** ({authority})")
            lines.append("")
            lines.append(f"   {text}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md_memo(memo: Memo) -> list[str]:
    if memo.scenario is None:
        lines = ["**Scenario:** none (the law alone, no facts given)", ""]
    else:
        lines = [f"**Scenario:** {md(memo.scenario)} ({md_code(memo.source or '')})", ""]
        lines += [f"- party {md_code(ident)}: {md(name)}" for ident, name in memo.parties]
        lines += [f"- {md(fact.sentence)}" for fact in memo.facts]
        lines.append("")
    lines += [f"*Made {md(memo.made)} from the KB {md(memo.revision)} with citelog {md(memo.version)}.*", ""]
    return lines


def _md_tree(step: Step, depth: int, numbers: dict[str, int]) -> list[str]:
    pad = "  " * depth
    ref = f" [{numbers[step.citation]}]" if step.citation in numbers else ""
    how = " *(given)*" if step.kind == "given" else ""
    extra = []
    if step.rule:
        extra.append(f"rule {md_code(step.rule)}" + (f" with {md(_bindings(step))}" if step.bindings else ""))
    if step.arithmetic:
        extra.append(f"date arithmetic: {md(step.arithmetic)}")
    if step.alternatives:
        extra.append(f"{step.alternatives} other derivation(s)")
    if step.kind == "truncated":
        extra.append("deeper steps not shown")
    tail = f" — {'; '.join(extra)}" if extra else ""
    lines = [f"{pad}- {md(step.sentence)}{how}{ref}{tail}"]
    for premise in step.premises:
        lines += _md_tree(premise, depth + 1, numbers)
    return lines


# ---- JSON ------------------------------------------------------------------------------------------


def _node(step: Step) -> dict:
    node = _plain_node(step)
    if step.arithmetic:  # only on dated periods, so explanations without dates keep their shape
        node["arithmetic"] = step.arithmetic
    return node


def _plain_node(step: Step) -> dict:
    return {
        "kind": step.kind,
        "statement": step.statement,
        "sentence": step.sentence,
        "rule": step.rule,
        "authority": step.authority,
        "citation": step.citation,
        "quote": step.quote,
        "quote_missing_reason": None if step.quote else step.no_quote,
        "bindings": {name: value_json(value) for name, value in step.bindings},
        "alternatives": step.alternatives,
        "premises": [_node(p) for p in step.premises],
    }


def memo_dict(memo: Memo | None) -> dict | None:
    if memo is None:
        return None
    scenario = None if memo.scenario is None else {
        "title": memo.scenario,
        "file": memo.source,
        "parties": [{"id": ident, "name": name} for ident, name in memo.parties],
        "facts": [{"predicate": f.predicate, "values": [value_json(v) for v in f.values], "sentence": f.sentence}
                  for f in memo.facts],
    }
    return {"made": memo.made, "kb_revision": memo.revision.to_json(), "citelog_version": memo.version,
            "scenario": scenario}


def explanation_dict(explanation: Explanation) -> dict:
    return {
        "schema": SCHEMA_ID,
        "query": explanation.query,
        "memo": memo_dict(explanation.memo),
        "answers": [
            {
                "number": item.number,
                "bindings": {k: value_json(v) for k, v in item.answer.bindings},
                "citations": item.citations,
                "proof": _node(item.proof),
            }
            for item in explanation.answers
        ],
        "provisions": [
            {"number": n, "citation": c, "authority": a, "quote": q, "quote_missing_reason": None if q else r}
            for n, (c, a, q, r) in enumerate(explanation.provisions, start=1)
        ],
    }


def to_json(explanation: Explanation) -> str:
    return json.dumps(explanation_dict(explanation), indent=2, ensure_ascii=False) + "\n"


def schema_path() -> Path:
    return _HERE / "schemas" / "explanation.schema.json"


# ---- HTML -------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _template():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("explanation.html.j2")


def to_html(explanation: Explanation) -> str:
    return _template().render(explanation=explanation, numbers=explanation.numbers, bindings=_bindings)


# ---- why not ------------------------------------------------------------------------------------------


def why_not_text(result: WhyNot) -> str:
    if result.holds:
        return f"{result.statement} holds: {result.sentence}\n" + "\n".join(_text_tree(result.proof, "  ")) + "\n"
    lines = [f"Why not {result.statement}?", f"It does not follow that {result.sentence}."]
    if not result.attempts:
        lines.append("No rule of the KB concludes it, and it is not an input that can be given.")
    for attempt in result.attempts:
        lines += _attempt_text(attempt, "  ")
    return "\n".join(lines) + "\n"


def _attempt_text(attempt: Attempt, indent: str) -> list[str]:
    if attempt.rule is None:
        return [f"{indent}- {attempt.sentence}"]
    where = f"{attempt.rule.authority.citation} ({attempt.rule.authority.kind})"
    head = f"{indent}- rule {attempt.rule.id} [{where}]: "
    if attempt.outcome == "defeated":
        return [head + "defeated, because"] + _text_tree(attempt.defeat, indent + "    ")
    if attempt.outcome == "negation-fails":
        return [head + f"fails because {attempt.sentence} ({attempt.condition})"]
    lines = [head + f"fails at {attempt.condition}: {attempt.sentence}"]
    for deeper in attempt.deeper:
        lines += _attempt_text(deeper, indent + "    ")
    return lines


def _attempt_dict(attempt: Attempt) -> dict:
    return {
        "rule": attempt.rule.id if attempt.rule else None,
        "citation": attempt.rule.authority.citation if attempt.rule else None,
        "authority": attempt.rule.authority.kind if attempt.rule else None,
        "outcome": attempt.outcome,
        "condition": attempt.condition,
        "sentence": attempt.sentence,
        "defeated_by": _node(attempt.defeat) if attempt.defeat else None,
        "because": [_attempt_dict(d) for d in attempt.deeper],
    }


def why_not_json(result: WhyNot) -> str:
    payload = {
        "schema": "citelog.why-not/1",
        "query": result.statement,
        "holds": result.holds,
        "sentence": result.sentence,
        "proof": _node(result.proof) if result.proof else None,
        "attempts": [_attempt_dict(a) for a in result.attempts],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
