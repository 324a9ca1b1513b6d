"""The questions for the provider alone, ready to send: Markdown for an email or a
ticket, CSV for a questionnaire portal. One question per failing check, every
affected asset with what was seen there, the closing request once at the end.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from scanner.render.csv import cell
from scanner.textsafe import visible

CLOSING = (
    "Please confirm in writing, by each item's deadline, that it is done, or describe "
    "the compensating control that makes the risk acceptable."
)
CSV_COLUMNS = (
    "number",
    "check_id",
    "severity",
    "title",
    "deadline_days",
    "affected",
    "observed",
    "request",
)
# What makes markup inside running text; every line we write starts with our own
# words, so line-start markers (#, -, 1.) in target text cannot take effect.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")


def _md(text: object) -> str:
    """Target text as Markdown that renders as the same text, never as markup."""
    return _MARKDOWN.sub(r"\\\1", visible(text))


def render_markdown(document: dict[str, Any]) -> str:
    provider = document["provider"]["name"]
    scan = document["scan"]
    questions = document["questions"]
    lines = [
        f"# Security questions for {_md(provider)}",
        "",
        f"From an external, non-intrusive scan of {_md(', '.join(document['provider']['domains']))} "
        f"on {_md(scan['started'][:10])} (run {_md(scan['run_id'])}). "
        + (
            f"{len(questions)} item{'s' if len(questions) != 1 else ''}, most urgent first."
            if questions
            else "The scan found nothing to ask about."
        ),
        "",
    ]
    for number, q in enumerate(questions, 1):
        lines += [
            f"## {number}. {_md(q['title'])}",
            "",
            f"Severity: {q['severity']}. Please answer within {q['deadline_days']} days. "
            f"(Check `{q['check_id']}`.)",
            "",
            "What we observed:",
            "",
            *(f"- {_md(o['asset'])}: {_md(o['detail'])}" for o in q["observations"]),
            "",
            f"What we ask: {_md(q['remediation'])}",
            "",
        ]
    if questions:
        lines += [CLOSING, ""]
    return "\n".join(lines)


def render_csv(document: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, q in enumerate(document["questions"], 1):
        observed = q["observations"]
        writer.writerow(
            [
                cell(str(v))
                for v in (
                    number,
                    q["check_id"],
                    q["severity"],
                    q["title"],
                    q["deadline_days"],
                    "; ".join(o["asset"] for o in observed),
                    " | ".join(f"{o['asset']}: {o['detail']}" for o in observed),
                    q["remediation"],
                )
            ]
        )
    return out.getvalue()


def render_questions(document: dict[str, Any]) -> dict[str, str]:
    """Two files: ``questions.md`` and ``questions.csv``."""
    return {"questions.md": render_markdown(document), "questions.csv": render_csv(document)}
