"""One row per finding, for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from scanner.textsafe import visible

COLUMNS = (
    "provider",
    "run_id",
    "started",
    "check_id",
    "status",
    "severity",
    "asset",
    "probe",
    "detail",
    "evidence",
)


def _cell(value: str) -> str:
    # A cell starting with = + - @ is a formula to spreadsheet programs; text from a
    # target must never become one (CSV injection). Control characters are shown as
    # escapes, as everywhere else.
    value = visible(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def render_csv(document: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in document["findings"]:
        row = (
            document["provider"]["name"],
            document["scan"]["run_id"],
            document["scan"]["started"],
            f["check_id"],
            f["status"],
            f["severity"],
            f["asset"],
            f["probe"],
            f["detail"],
            json.dumps(f["evidence"], ensure_ascii=True, sort_keys=True),
        )
        writer.writerow([_cell(str(v)) for v in row])
    return out.getvalue()
