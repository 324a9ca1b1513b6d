"""The provider's answers to the questions (pure): read from the filled questions CSV,
kept in the history, shown by the next report and re-audit.

An answer says one of three things about one question of one run:
- ``fixed``: the provider claims it is fixed. The next scan tells: a claim whose
  check still fails is flagged, never taken on trust.
- ``accepted``: the risk is accepted until ``expires`` (who accepted it and why are
  recorded); it then acts as a waiver (scanner.document.waivers) until that day.
- ``disputed``: the provider says the finding is wrong, with its reason; the
  finding stays as observed, with the dispute beside it for the buyer to judge.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from scanner.document.types import FindingDoc, waived
from scanner.document.waivers import Waiver

STATUSES = ("fixed", "accepted", "disputed")
# What people write in a spreadsheet for each status.
_SPELLINGS = {
    "fixed": "fixed", "fixed-claimed": "fixed", "fixed (claimed)": "fixed", "done": "fixed",
    "resolved": "fixed", "accepted": "accepted", "accepted risk": "accepted",
    "accepted-risk": "accepted", "risk accepted": "accepted", "disputed": "disputed",
    "dispute": "disputed", "false positive": "disputed",
}  # fmt: skip
REQUIRED_COLUMNS = ("run_id", "check_id", "status", "response", "answered_by")
MAX_TEXT = 2000  # a response longer than this is not an answer to one question
MAX_ROWS = 5000


@dataclass(frozen=True)
class Answer:
    vendor: str
    run_id: str
    check_id: str
    status: str
    response: str
    answered_by: str
    answered_on: str  # ISO date
    expires: str | None  # ISO date, for an accepted risk
    recorded_at: str  # ISO time the buyer imported it
    source: str  # the file it came from

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def waiver(self) -> Waiver | None:
        """An accepted risk as the waiver it is; None for other answers."""
        if self.status != "accepted" or not self.expires or self.check_id.startswith("untested."):
            return None
        return Waiver(
            self.check_id,
            "*",
            f"{self.response} (answer of {self.answered_on})",
            self.answered_by,
            date.fromisoformat(self.expires),
        )


@dataclass(frozen=True)
class Row:
    """One answered line of the CSV, checked for form (not yet against history)."""

    line: int
    run_id: str
    check_id: str
    status: str
    response: str
    answered_by: str
    answered_on: str | None
    expires: str | None


class AnswerFileError(ValueError):
    """The file cannot be read as answers; says where and why."""


def _date(value: str, what: str, line: int) -> str | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise AnswerFileError(f"line {line}: {what} {value!r} is not a date (YYYY-MM-DD)") from None


def _text(value: str | None) -> str:
    # Our CSV defuses formulas with a leading quote; an answer keeps the provider's text.
    text = (value or "").strip()
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text


def parse_rows(text: str) -> list[Row]:
    """The answered rows of a filled questions CSV (comma or semicolon, with or
    without a byte-order mark). Unanswered rows (no status) are skipped; any row
    that is malformed refuses the whole file, with its line."""
    try:
        return _parse(text)
    except csv.Error as exc:
        raise AnswerFileError(f"not a CSV file ({exc})") from None


def _parse(text: str) -> list[Row]:
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    # newline="": line ends inside quoted cells are kept, CRLF and CR read as line ends.
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise AnswerFileError(
            f"not a filled questions CSV of vetscan: the columns {', '.join(missing)} are "
            "missing (write it with --format questions and fill status, response, answered_by)"
        )
    rows = []
    for number, raw in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise AnswerFileError(f"more than {MAX_ROWS} rows; not a questions file")
        cells = {k.strip(): _text(v) for k, v in raw.items() if isinstance(k, str)}
        status_text = cells.get("status", "").lower()
        if not status_text:
            continue
        status = _SPELLINGS.get(status_text)
        if status is None:
            raise AnswerFileError(
                f"line {number}: status {status_text!r} is not one of {', '.join(STATUSES)}"
            )
        response, by = cells.get("response", ""), cells.get("answered_by", "")
        for name, value in (("response", response), ("answered_by", by)):
            if len(value) > MAX_TEXT:
                raise AnswerFileError(f"line {number}: {name} is longer than {MAX_TEXT} characters")
        if not by:
            raise AnswerFileError(f"line {number}: answered_by is empty; say who answers")
        if status == "disputed" and not response:
            raise AnswerFileError(f"line {number}: a dispute needs its reason in response")
        if status == "accepted" and not response:
            raise AnswerFileError(f"line {number}: an accepted risk needs its reason in response")
        expires = _date(cells.get("expires", ""), "expires", number)
        if status == "accepted" and expires is None:
            raise AnswerFileError(f"line {number}: an accepted risk needs expires (YYYY-MM-DD)")
        run_id, check_id = cells.get("run_id", ""), cells.get("check_id", "")
        if not run_id or not check_id:
            raise AnswerFileError(f"line {number}: run_id and check_id must name the question")
        rows.append(
            Row(
                number,
                run_id,
                check_id,
                status,
                response,
                by,
                _date(cells.get("answered_on", ""), "answered_on", number),
                expires,
            )
        )
    return rows


def latest(answers: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The newest answer per check (answered_on, then when it was recorded)."""
    out: dict[str, Mapping[str, Any]] = {}
    for a in sorted(answers, key=lambda a: (str(a["answered_on"]), str(a["recorded_at"]))):
        out[str(a["check_id"])] = a
    return out


def answer_states(
    answers: Sequence[Mapping[str, Any]],
    findings: Sequence[FindingDoc],
    retests: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Each check's latest answer with what this scan says of it: ``still_failing``
    (the check fails on some asset, an accepted risk aside; for ``untested.<area>``,
    the area could still not be tested) and ``flag``, a sentence for a claim the
    scan contradicts."""
    failing = {f["check_id"] for f in findings if f["status"] in ("fail", "warn") and not waived(f)}
    untested = {str(r["check_id"]) for r in retests}
    out = []
    for check_id, a in sorted(latest(answers).items()):
        still = check_id in failing or check_id in untested
        entry = {
            k: a.get(k)
            for k in (
                "check_id", "status", "response", "answered_by", "answered_on", "expires",
                "recorded_at", "run_id",
            )
        }  # fmt: skip
        entry["still_failing"] = still
        still_says = "it still could not be tested" if check_id in untested else "it still fails"
        entry["flag"] = (
            f"Claimed fixed by {a['answered_by']} on {a['answered_on']}, but {still_says} "
            "in this scan."
            if a["status"] == "fixed" and still
            else ""
        )
        out.append(entry)
    return out


def waivers_of(answers: Sequence[Answer]) -> list[Waiver]:
    """The accepted risks among the answers (the newest answer per check decides)."""
    newest = latest([a.as_dict() for a in answers])
    chosen = [a for a in answers if newest.get(a.check_id) == a.as_dict()]
    return [w for a in chosen if (w := a.waiver()) is not None]
