"""The provider's answers brought into the history (``vetscan answers import``): the
filled questions CSV read (scanner.document.answers), each row checked against the
run it answers, all recorded in one transaction or none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from scanner.document.answers import Answer, AnswerFileError, Row, parse_rows
from scanner.errors import InputError
from scanner.history.base import HistoryStore


class AnswersRefused(InputError):
    """A file of answers that cannot be recorded; says which line and why."""


def _answerable(document: Mapping[str, Any]) -> set[str]:
    asked = [*(document.get("questions") or []), *(document.get("retests") or [])]
    return {str(q["check_id"]) for q in asked if isinstance(q, dict)}


def check_rows(
    rows: Sequence[Row], history: HistoryStore, source: str, now: datetime | None = None
) -> list[Answer]:
    """The rows as answers of the vendors whose runs they name; refused (nothing
    recorded) when a row names a run the history does not hold, a question that run
    did not ask, or an accepted risk that has already expired."""
    moment = now or datetime.now(UTC)
    today = moment.date()
    documents: dict[str, dict[str, Any] | None] = {}
    out = []
    for row in rows:
        if row.run_id not in documents:
            documents[row.run_id] = history.get(row.run_id)
        document = documents[row.run_id]
        if document is None:
            raise AnswersRefused(f"line {row.line}: run {row.run_id} is not in {history.location}")
        if row.check_id not in _answerable(document):
            raise AnswersRefused(
                f"line {row.line}: run {row.run_id} asked no question about {row.check_id}"
            )
        answered_on = row.answered_on or today.isoformat()
        if date.fromisoformat(answered_on) > today:
            raise AnswersRefused(f"line {row.line}: answered_on {answered_on} is in the future")
        if row.expires is not None and date.fromisoformat(row.expires) <= today:
            raise AnswersRefused(
                f"line {row.line}: the risk would be accepted until {row.expires}, which has passed"
            )
        vendor = str((document.get("provider") or {}).get("name", ""))
        out.append(
            Answer(
                vendor=vendor,
                run_id=row.run_id,
                check_id=row.check_id,
                status=row.status,
                response=row.response,
                answered_by=row.answered_by,
                answered_on=answered_on,
                expires=row.expires,
                recorded_at=moment.isoformat(timespec="seconds"),
                source=source,
            )
        )
    return out


def import_answers(
    history: HistoryStore, text: str, source: str, now: datetime | None = None
) -> list[Answer]:
    """Reads, checks and records the answers of ``text`` (a filled questions CSV)."""
    try:
        rows = parse_rows(text)
    except AnswerFileError as exc:
        raise AnswersRefused(f"{source}: {exc}") from None
    try:
        answers = check_rows(rows, history, source, now)
    except AnswersRefused as exc:
        raise AnswersRefused(f"{source}: {exc}") from None
    history.record_answers(answers)
    return answers
