"""One row per finding, for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from scanner.checks import PITFALL_TITLES
from scanner.controls.matrix import controls_text
from scanner.textsafe import visible

COLUMNS = (
    "provider",
    "run_id",
    "started_utc",
    "grade",
    "score",
    "adjusted_grade",
    "check_id",
    "title",
    "area",
    "status",
    "severity",
    "asset",
    "probe",
    "observed_utc",
    "detail",
    "remediation",
    "controls",
    "waiver_accepted_by",
    "waiver_expires",
    "waiver_reason",
    "evidence",
)
BOM = "\ufeff"  # lets Excel read the file as UTF-8 (--csv-bom)


def cell(value: str) -> str:
    # A cell starting with = + - @ is a formula to spreadsheet programs; text from a
    # target must never become one (CSV injection). Control characters are shown as
    # escapes, as everywhere else.
    value = visible(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def excel_csv(text: str) -> str:
    """A CSV of ours as Excel opens it where the decimal separator is a comma (most of
    Europe): semicolon-separated, CRLF line ends. The cells stay as they were."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(csv.reader(io.StringIO(text)))
    return out.getvalue()


def utc_second(value: object) -> str | None:
    """An ISO time to the second in UTC ("2026-12-06 03:11:59", as a spreadsheet
    reads it and the HTML shows it with its zone); None when it is not a time."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def when(value: str) -> str:
    return utc_second(value) or value


def render_csv(document: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    scores = document.get("scores") or {}
    adjusted = document.get("adjusted_scores") or {}
    checks = document.get("checks") or {}
    titles = {**PITFALL_TITLES, **(document.get("pitfall_titles") or {})}
    for f in document["findings"]:
        check = checks.get(f["check_id"], {})
        waiver = f.get("waiver") or {}
        row = (
            document["provider"]["name"],
            document["scan"]["run_id"],
            when(document["scan"]["started"]),
            scores.get("grade", ""),
            "" if scores.get("overall") is None else scores["overall"],
            adjusted.get("grade", ""),
            f["check_id"],
            check.get("title", ""),
            titles.get(check.get("pitfall", ""), check.get("pitfall", "")),
            f["status"],
            f["severity"],
            f["asset"],
            f["probe"],
            when(f["observed_at"]) if f.get("observed_at") else "",
            f["detail"],
            check.get("remediation", ""),
            controls_text(document.get("controls"), f["check_id"]),
            waiver.get("accepted_by", ""),
            waiver.get("expires", ""),
            waiver.get("reason", ""),
            json.dumps(f["evidence"], ensure_ascii=True, sort_keys=True),
        )
        writer.writerow([cell(str(v)) for v in row])
    return out.getvalue()
