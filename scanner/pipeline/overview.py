"""The portfolio overview: its rows, its page and the audit summary's JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.audit.portfolio import Vendor
from scanner.document.overview import failed_row, overview_of_rows, row
from scanner.output import (
    WriteError,
    describe_write_error,
    replace_atomic,
    write_new,
)
from scanner.pipeline.documents import Prepared
from scanner.render.csv import cell
from scanner.render.html import render_index


def write_overview(
    out: Path, rows: Sequence[dict[str, Any]], summary: Mapping[str, Any] | None = None
) -> Path:
    """The portfolio overview: a dated page, and index.html pointing at the latest one.
    With the audit's ``summary``, also portfolio.json and portfolio.csv beside it (and
    dated copies), for scripts and spreadsheets."""
    now = datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    text = render_index(overview_of_rows(rows, now.isoformat(timespec="seconds")))
    try:
        dated = write_new(out, f"portfolio-{stamp}", "html", text)
        replace_atomic(out / "index.html", text)
        if summary is not None:
            for suffix, content in (
                ("json", json.dumps(summary, indent=2, ensure_ascii=True) + "\n"),
                ("csv", summary_csv(summary)),
            ):
                write_new(out, f"portfolio-{stamp}", suffix, content)
                replace_atomic(out / f"portfolio.{suffix}", content)
    except OSError as exc:
        raise WriteError(f"overview not written: {describe_write_error(out, exc)}") from None
    return dated


SUMMARY_COLUMNS = (
    "vendor", "owner", "tags", "status", "grade", "overall", "adjusted_grade", "previous_grade",
    "first_scan", "regressions", "news", "error", "run_id", "reports",
)  # fmt: skip


def summary_csv(summary: Mapping[str, Any]) -> str:
    """The audit summary, one row per vendor (cells defused as in the report CSV)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for r in summary["vendors"]:
        values = {
            **r,
            "tags": "; ".join(r["tags"]),
            "regressions": len(r["regressions"]),
            "news": len(r.get("news") or []),
            "reports": "; ".join(r["reports"]),
        }
        writer.writerow(
            [cell("" if values.get(k) is None else str(values[k])) for k in SUMMARY_COLUMNS]
        )
    return out.getvalue()


def overview_row(
    prepared: Prepared, vendor: Vendor | None = None, trend: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any] | None:
    """The overview's line for a prepared scan (None when it has no report page)."""
    if not prepared.paths:
        return None
    page = next((p for p in prepared.paths if p.suffix == ".html"), prepared.paths[0])
    questions = next((p.name for p in prepared.paths if p.name.endswith(".questions.md")), None)
    return row(
        prepared.document,
        page.name,
        owner=vendor.owner if vendor else "",
        tags=vendor.tags if vendor else (),
        trend=trend,
        questions=questions,
    )


def failed_overview_row(
    vendor: Vendor, error: str, trend: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    return failed_row(vendor.name, vendor.domains, error, vendor.owner, vendor.tags, trend)
