"""Running a portfolio audit with the library API: the scans, history and reports of
every vendor, under the history's lock. No printing, no signals, no exit codes: the
caller passes a stop event and reads the AuditResult."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scanner import pipeline as api
from scanner.audit.memory import limit_arenas, release_memory
from scanner.audit.portfolio import Portfolio, Vendor
from scanner.audit.result import AuditInterrupted, AuditResult
from scanner.audit.run import VendorOutcome, run_vendors, summary, summary_row
from scanner.errors import InputError, ScanIncomplete
from scanner.history.base import HistoryStore
from scanner.history.stores import open_store
from scanner.model import Target
from scanner.output import WriteError
from scanner.scoring.profile import Profile, ProfileError, load_profile


def vendor_profiles(portfolio: Portfolio, default: Profile) -> dict[str, Profile]:
    """Every profile the portfolio names, loaded before any scan (InputError if one fails)."""
    out = {default.name: default}
    for name in sorted({v.profile for v in portfolio.vendors if v.profile}):
        try:
            out[name] = load_profile(name)
        except ProfileError as exc:
            raise InputError(f"portfolio: {exc}") from None
    return out


def run_audit(
    portfolio: Portfolio,
    options: api.AuditOptions,
    stop: threading.Event,
    on_vendor: Callable[[dict[str, Any]], None] | None = None,
) -> AuditResult:
    profiles = vendor_profiles(portfolio, options.scan.profile)
    limit_arenas()
    today = datetime.now(UTC).date()
    with open_store(options.history) as history, history.lock():
        rows: list[dict[str, Any]] = []
        overview_rows: list[dict[str, Any]] = []

        def stored(outcome: VendorOutcome) -> dict[str, Any]:
            if outcome.prepared is not None:
                api.store(history, outcome.prepared, options.retention)
                trend = api.trend_of(history, outcome.vendor.name)
                line = api.overview_row(outcome.prepared, outcome.vendor, trend)
                if line is not None:
                    overview_rows.append(line)
            else:
                trend = api.trend_of(history, outcome.vendor.name)
                overview_rows.append(api.failed_overview_row(outcome.vendor, outcome.error, trend))
            kept = summary_row(outcome)
            release_memory()
            if on_vendor is not None:
                on_vendor(kept)
            return kept

        def worker(vendor: Vendor) -> VendorOutcome:
            profile = profiles[vendor.profile] if vendor.profile else options.scan.profile
            return _scan_vendor(vendor, options, profile, history, today)

        try:
            rows = run_vendors(portfolio.vendors, worker, options.jobs, stored, stop)
        except KeyboardInterrupt:
            raise AuditInterrupted("interrupted; vendors stored so far stay in history") from None
    return audit_result(rows, overview_rows, history.location, options)


def audit_result(
    rows: list[dict[str, Any]],
    overview_rows: list[dict[str, Any]],
    location: str,
    options: api.AuditOptions,
    audit_run: str = "",
    unfinished: tuple[str, ...] = (),
) -> AuditResult:
    """The summary, the overview and the portfolio files: how every audit ends, local
    or queued. A disk that refuses the overview costs the overview, not the audit."""
    report = summary(rows, location)
    overview, overview_error = None, ""
    if overview_rows:
        try:
            overview = api.write_overview(options.output.out, overview_rows, report)
        except WriteError as exc:
            overview_error = str(exc)
    return AuditResult(report, overview, overview_error, audit_run, unfinished)


def _scan_vendor(
    vendor: Vendor,
    options: api.AuditOptions,
    profile: Profile,
    history: HistoryStore,
    today: Any,
) -> VendorOutcome:
    start = time.monotonic()
    target = Target(vendor.name, vendor.domains, vendor.hosts)
    scan_options = dataclasses.replace(options.scan, profile=profile).with_settings(
        *vendor.scan_settings()
    )
    try:
        result = api.scan(target, scan_options, deadline=start + options.vendor_budget)
    except (InputError, ScanIncomplete) as exc:
        return VendorOutcome(vendor, None, error=str(exc))
    # Each worker reads the previous run through a handle of its own.
    with history.reader() as reader:
        previous = reader.previous(vendor.name)
        answers = reader.answers(vendor.name)
    prepared = api.prepare(
        result, profile, options.output, previous, vendor.name, vendor.waivers, today, answers
    )
    return VendorOutcome(vendor, prepared)
