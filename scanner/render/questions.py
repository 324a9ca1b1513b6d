"""The questions for the provider alone, ready to send: plain text for an e-mail,
Markdown for a ticket, CSV for a questionnaire portal or a spreadsheet the provider
fills in and sends back (``vetscan answers import`` reads it). Questions to answer
before signing come first, hygiene after, then what could not be tested; each names
every affected asset with what was seen there, and its dated deadline.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from scanner.document.questions import BEFORE_SIGNING, HYGIENE
from scanner.render.csv import cell
from scanner.textsafe import visible

CLOSING = (
    "Please confirm in writing, by each item's deadline, that it is done, or describe "
    "the compensating control that makes the risk acceptable. In the CSV, answer each "
    "item in its status column (fixed, accepted or disputed), with your response, your "
    "name in answered_by and, for an accepted risk, the date it is accepted until in "
    "expires."
)
NOT_TESTED = "not tested"
GROUPS = (
    (BEFORE_SIGNING, "Answer before signing"),
    (HYGIENE, "Hygiene: answer by the deadline"),
    (NOT_TESTED, "What could not be tested"),
)
CSV_COLUMNS = (
    "group", "number", "provider", "run_id", "scan_date", "check_id", "severity", "title",
    "due", "deadline_days", "affected", "observed", "request",
    # Filled in by the provider, read back by `vetscan answers import`:
    "status", "response", "answered_by", "answered_on", "expires",
)  # fmt: skip
# What makes markup inside running text; every line we write starts with our own
# words, so line-start markers (#, -, 1.) in target text cannot take effect.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")


def _md(text: object) -> str:
    """Target text as Markdown that renders as the same text, never as markup."""
    return _MARKDOWN.sub(r"\\\1", visible(text))


def _plain(text: object) -> str:
    return visible(text)


def observed_line(observation: Mapping[str, Any]) -> tuple[str, str]:
    """(asset, detail) as a line says them: a detail that already names its asset is
    not prefixed with it again."""
    asset, detail = str(observation["asset"]), str(observation["detail"])
    host = asset.split(" [", 1)[0]
    return ("", detail) if host in detail else (asset, detail)


def items(document: Mapping[str, Any]) -> list[tuple[str, int, dict[str, Any]]]:
    """(group, number, item) for every question and retest request, in sending order."""
    questions = document.get("questions") or []
    ordered: list[tuple[str, dict[str, Any]]] = [
        (q.get("group", BEFORE_SIGNING), dict(q)) for q in questions
    ]
    ordered.sort(key=lambda g: [k for k, _ in GROUPS].index(g[0]))
    ordered += [(NOT_TESTED, dict(r)) for r in document.get("retests") or []]
    return [(group, number, item) for number, (group, item) in enumerate(ordered, 1)]


def _due(item: Mapping[str, Any]) -> str:
    if item.get("due"):
        return f"by {item['due']} ({item['deadline_days']} days from the scan)"
    return f"within {item['deadline_days']} days"


def _answer(item: Mapping[str, Any], answers: Mapping[str, Mapping[str, Any]]) -> str:
    a = answers.get(str(item["check_id"]))
    if not a:
        return ""
    said = {"fixed": "claimed fixed", "accepted": "risk accepted", "disputed": "disputed"}
    until = f" until {a['expires']}" if a.get("expires") else ""
    text = f"Your answer of {a['answered_on']} ({a['answered_by']}): {said.get(str(a['status']), a['status'])}{until}"
    text += f": {a['response']}" if a.get("response") else ""
    return text + (f" {a['flag']}" if a.get("flag") else "")


def _text(
    document: Mapping[str, Any],
    say: Callable[[object], str],
    heading: Callable[[int, str], str],
    bullet: str,
    code: Callable[[str], str],
) -> str:
    provider = document["provider"]["name"]
    scan = document["scan"]
    listed = items(document)
    answers = {str(a["check_id"]): a for a in document.get("answers") or []}
    lines = [
        heading(1, f"Security questions for {say(provider)}"),
        "",
        f"From an external, non-intrusive scan of {say(', '.join(document['provider']['domains']))} "
        f"on {say(scan['started'][:10])} (run {say(scan['run_id'])}). "
        + (
            f"{len(listed)} item{'s' if len(listed) != 1 else ''}, most urgent first."
            if listed
            else "The scan found nothing to ask about."
        ),
        "",
    ]
    for key, title in GROUPS:
        group = [(n, i) for g, n, i in listed if g == key]
        if not group:
            continue
        lines += [heading(2, title), ""]
        for number, item in group:
            lines += [heading(3, f"{number}. {say(item['title'])}"), ""]
            if key == NOT_TESTED:
                lines += [f"Please answer {_due(item)}. (Item {code(item['check_id'])}.)", ""]
                lines += [say(item["request"]), ""]
            else:
                lines += [
                    f"Severity: {item['severity']}. Please answer {_due(item)}. "
                    f"(Check {code(item['check_id'])}.)",
                    "",
                    "What we observed:",
                    "",
                ]
                for asset, detail in map(observed_line, item.get("observations") or []):
                    lines.append(
                        f"{bullet}{say(asset)}: {say(detail)}"
                        if asset
                        else f"{bullet}{say(detail)}"
                    )
                lines += ["", f"What we ask: {say(item.get('remediation', ''))}", ""]
            answer = _answer(item, answers)
            if answer:
                lines += [say(answer), ""]
    if listed:
        lines += [CLOSING, ""]
    return "\n".join(lines)


def render_markdown(document: dict[str, Any]) -> str:
    return _text(document, _md, lambda level, t: "#" * level + " " + t, "- ", lambda c: f"`{c}`")


def render_plain(document: dict[str, Any]) -> str:
    """For pasting into an e-mail: no markup and no escapes."""

    def heading(level: int, text: str) -> str:
        underline = {1: "=", 2: "-"}.get(level)
        return f"{text}\n{underline * len(text)}" if underline else text

    return _text(document, _plain, heading, "  * ", lambda c: c)


def render_csv(document: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    scan = document["scan"]
    answers = {str(a["check_id"]): a for a in document.get("answers") or []}
    for group, number, item in items(document):
        observed: Sequence[Mapping[str, Any]] = item.get("observations") or []
        a = answers.get(str(item["check_id"]), {})
        values = (
            group, number, document["provider"]["name"], scan["run_id"], scan["started"][:10],
            item["check_id"], item.get("severity", ""), item["title"], item.get("due", ""),
            item["deadline_days"],
            "; ".join(item.get("assets") or []),
            " | ".join(
                f"{asset}: {detail}" if asset else detail for asset, detail in map(observed_line, observed)
            )
            if observed
            else item.get("reasons", ""),
            item.get("remediation") or item.get("request", ""),
            # An earlier answer comes back filled in; the provider may change it.
            a.get("status", ""), a.get("response", ""), a.get("answered_by", ""),
            a.get("answered_on", ""), a.get("expires") or "",
        )  # fmt: skip
        writer.writerow([cell(str(v)) for v in values])
    return out.getvalue()


def render_questions(document: dict[str, Any]) -> dict[str, str]:
    """Three files: ``questions.txt`` (e-mail), ``questions.md`` (ticket) and
    ``questions.csv`` (to fill in and send back)."""
    return {
        "questions.txt": render_plain(document),
        "questions.md": render_markdown(document),
        "questions.csv": render_csv(document),
    }
