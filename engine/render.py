"""Render explanations: one structure, four views (terminal text, Markdown, HTML, JSON).

Every view is deterministic (same explanation, same bytes). HTML is one self-contained file
(inline CSS and script, no network fetch) from a Jinja2 template; JSON follows the versioned
schema shipped in `schemas/explanation.schema.json`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .explain import Attempt, Explanation, Step, WhyNot
from .values import to_json as value_json

SCHEMA_ID = "citelog.explanation/1"
_HERE = Path(__file__).resolve().parent

_LABEL = {"statute": "statute", "regulation": "regulation", "interpretation": "interpretation"}


def _source(step: Step) -> str:
    """'19 U.S.C. 1508(c)(3) (statute)' or 'given' for the line under a step."""
    if step.kind == "given":
        return "given"
    if not step.citation:
        return ""
    return f"{step.citation} ({_LABEL.get(step.authority, step.authority)})"


def _bindings(step: Step) -> str:
    return ", ".join(f"{name} = {value}" for name, value in step.bindings)


# ---- text ------------------------------------------------------------------------------------


def to_text(explanation: Explanation) -> str:
    lines = [f"Query: {explanation.query}", f"{len(explanation.answers)} answer(s)", ""]
    for number, item in enumerate(explanation.answers, start=1):
        lines.append(f"{number}. {item.proof.sentence}")
        if item.answer.bindings:
            lines.append("   " + ", ".join(f"{k} = {v}" for k, v in item.answer.bindings))
        lines.append(f"   citations: {'; '.join(item.citations) or 'none (given facts only)'}")
        lines += _text_tree(item.proof, "   ")
        lines.append("")
    lines += _text_provisions(explanation)
    return "\n".join(lines).rstrip() + "\n"


def _text_tree(step: Step, indent: str, depth: int = 0) -> list[str]:
    pad = indent + "    " * depth + ("- " if depth else "")
    detail = indent + "    " * depth + ("  " if depth else "") + "    "
    lines = [f"{pad}{step.sentence}" + (f"  [{_source(step)}]" if _source(step) else "")]
    if step.rule:
        lines.append(f"{detail}by rule {step.rule}" + (f" with {_bindings(step)}" if step.bindings else ""))
    if step.arithmetic:
        lines.append(f"{detail}date arithmetic: {step.arithmetic}")
    if step.quote:
        lines.append(f'{detail}the text says: "{step.quote}"')
    elif step.no_quote and step.kind != "given":
        lines.append(f"{detail}no quote: {step.no_quote}")
    if step.alternatives:
        lines.append(f"{detail}({step.alternatives} other derivation(s) not shown)")
    if step.kind == "truncated":
        lines.append(f"{detail}(deeper steps not shown)")
    for premise in step.premises:
        lines += _text_tree(premise, indent, depth + 1)
    return lines


def _text_provisions(explanation: Explanation) -> list[str]:
    if not explanation.provisions:
        return []
    lines = ["Provisions cited:"]
    for number, (citation, authority, quote, no_quote) in enumerate(explanation.provisions, start=1):
        lines.append(f"[{number}] {citation} ({authority}): " + (f'"{quote}"' if quote else no_quote or ""))
    return lines


# ---- Markdown ------------------------------------------------------------------------------------


def to_markdown(explanation: Explanation) -> str:
    numbers = {c[0]: i for i, c in enumerate(explanation.provisions, start=1)}
    lines = [f"# Explanation: `{explanation.query}`", "", f"{len(explanation.answers)} answer(s).", ""]
    for number, item in enumerate(explanation.answers, start=1):
        lines.append(f"## Answer {number}: {item.proof.sentence}")
        lines.append("")
        if item.answer.bindings:
            lines += [", ".join(f"`{k}` = {v}" for k, v in item.answer.bindings), ""]
        refs = ", ".join(f"[{numbers[c]}] {c}" for c in item.citations)
        lines.append(f"Rests on: {refs or 'given facts only'}.")
        lines.append("")
        lines += _md_tree(item.proof, 0, numbers)
        lines.append("")
    if explanation.provisions:
        lines += ["## Provisions cited", ""]
        for number, (citation, authority, quote, no_quote) in enumerate(explanation.provisions, start=1):
            text = f"> {quote}" if quote else f"*{no_quote}*"
            lines.append(f"{number}. **{citation}** ({authority})")
            lines.append("")
            lines.append(f"   {text}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md_tree(step: Step, depth: int, numbers: dict[str, int]) -> list[str]:
    pad = "  " * depth
    ref = f" [{numbers[step.citation]}]" if step.citation in numbers else ""
    how = " *(given)*" if step.kind == "given" else ""
    extra = []
    if step.rule:
        extra.append(f"rule `{step.rule}`" + (f" with {_bindings(step)}" if step.bindings else ""))
    if step.arithmetic:
        extra.append(f"date arithmetic: {step.arithmetic}")
    if step.alternatives:
        extra.append(f"{step.alternatives} other derivation(s)")
    if step.kind == "truncated":
        extra.append("deeper steps not shown")
    tail = f" — {'; '.join(extra)}" if extra else ""
    lines = [f"{pad}- {step.sentence}{how}{ref}{tail}"]
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


def explanation_dict(explanation: Explanation) -> dict:
    return {
        "schema": SCHEMA_ID,
        "query": explanation.query,
        "answers": [
            {
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
    numbers = {c[0]: i for i, c in enumerate(explanation.provisions, start=1)}
    return _template().render(explanation=explanation, numbers=numbers, bindings=_bindings)


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
