"""A judged scan with its reports written, stored in history in one transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from scanner.document.answers import Answer
from scanner.document.waivers import Waiver
from scanner.history.base import HistoryStore
from scanner.model import ScanResult
from scanner.options import OutputOptions
from scanner.output import (
    WriteError,
)
from scanner.pipeline.documents import Prepared, judge
from scanner.pipeline.reports import write_reports
from scanner.scoring.profile import Profile


def with_reports(prepared: Prepared, output: OutputOptions) -> Prepared:
    """The prepared scan with its reports written. A full disk costs the reports, not
    the scan (``report_error`` says so)."""
    try:
        paths, report_error = tuple(write_reports(prepared.document, output)), ""
    except WriteError as exc:
        paths, report_error = (), str(exc)
    return dataclasses.replace(prepared, paths=paths, report_error=report_error)


def prepare(
    result: ScanResult,
    profile: Profile,
    output: OutputOptions,
    previous: Mapping[str, Any] | None,
    vendor: str | None = None,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
    answers: Sequence[Answer] = (),
) -> Prepared:
    """Compare, seal, write reports and find regressions: every step but storing.
    A full disk costs the reports, not the scan (``report_error`` says so)."""
    prepared = judge(result, profile, previous, vendor, waivers, today, answers)
    return with_reports(prepared, output)


def store(
    history: HistoryStore,
    prepared: Prepared,
    retention: int | None = None,
    audit_run: str | None = None,
    outcome: Mapping[str, Any] | None = None,
) -> bool:
    """Stores a prepared scan in one transaction (and applies retention). With
    ``audit_run`` and ``outcome`` (a queued audit), False when that audit already
    stored the vendor: nothing was written."""
    stored = history.save(
        prepared.vendor, prepared.document, prepared.regressed, audit_run, outcome
    )
    if stored and retention is not None:
        history.prune(prepared.vendor, retention)
    return stored


def trend_of(history: HistoryStore, vendor: str, runs: int = 8) -> list[dict[str, Any]]:
    """A vendor's last runs, oldest first: grade, score and date of each (the
    overview's "last runs" and its trend chart)."""
    return [
        {"grade": r.grade or "-", "overall": r.overall, "started": r.started[:10]}
        for r in history.runs(vendor)[-runs:]
    ]
