"""The application layer: scan a provider, build its document, write its reports,
record it in history, audit a portfolio. The CLI is a client of these functions; so
is your own Python code::

    from scanner import OutputOptions, ScanOptions, Target, api

    options = ScanOptions.build(nameserver="127.0.10.53", allow_private=True)
    result = api.scan(Target("Exemplary", ("exemplary.test",)), options)
    document = api.build_document(result, profile=options.profile)
    paths = api.write_reports(document, OutputOptions.build(out="reports"))

Nothing here prints, parses arguments or exits. Errors are VetscanError kinds
(scanner.errors): InputError for what the caller gave, ScanIncomplete when the scan
or its outputs could not be completed, HistoryUnusable, IntegrityFailure, LockHeld.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from scanner.audit.portfolio import Portfolio, load_portfolio
from scanner.audit.result import AuditInterrupted, AuditResult
from scanner.audit.runner import run_audit
from scanner.distributed.coordinator import QueueOptions, run_queued_audit
from scanner.history.base import HistoryStore, default_location
from scanner.history.stores import open_store
from scanner.model import ScanResult
from scanner.pipeline import (
    AuditOptions,
    Prepared,
    build_document,
    completed,
    failed_overview_row,
    overview_row,
    plugin_problems,
    prepare,
    require_completed,
    scan,
    store,
    trend_of,
    write_comparison,
    write_overview,
    write_reports,
)
from scanner.registry import installed
from scanner.rejudge import rejudge as _rejudge
from scanner.scoring.profile import Profile, load_profile

__all__ = [
    "AuditInterrupted",
    "AuditOptions",
    "AuditResult",
    "HistoryStore",
    "Prepared",
    "QueueOptions",
    "audit",
    "build_document",
    "completed",
    "default_location",
    "failed_overview_row",
    "load_portfolio",
    "open_store",
    "overview_row",
    "plugin_problems",
    "prepare",
    "queued_audit",
    "rejudge",
    "require_completed",
    "scan",
    "store",
    "trend_of",
    "write_comparison",
    "write_overview",
    "write_reports",
]


def queued_audit(
    portfolio: Portfolio | None,
    options: AuditOptions,
    queue: QueueOptions,
    stop: threading.Event | None = None,
    on_vendor: Callable[[dict[str, Any]], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> AuditResult:
    """Audits a portfolio on Celery workers (``queue``: a
    scanner.distributed.coordinator.QueueOptions with the broker URL, or the run ID
    to resume) with a shared history (``options.history``, PostgreSQL): one task per
    vendor, each stored once by the worker that scanned it; the reports, overview
    and result are those of a local audit. Needs the ``workers`` extra."""
    return run_queued_audit(portfolio, options, queue, stop or threading.Event(), on_vendor, notice)


def audit(
    portfolio: Portfolio,
    options: AuditOptions,
    stop: threading.Event | None = None,
    on_vendor: Callable[[dict[str, Any]], None] | None = None,
) -> AuditResult:
    """Audits every vendor of ``portfolio``: ``options.jobs`` scans at a time, each
    stored in history as it finishes (under the history's lock), with its reports and
    the portfolio overview. ``stop`` ends the audit between two vendors
    (AuditInterrupted; what was stored stays); ``on_vendor`` hears each vendor's
    summary row as it is stored (a progress bar)."""
    return run_audit(portfolio, options, stop or threading.Event(), on_vendor)


def rejudge(document: Mapping[str, Any], profile: Profile | str = "default") -> ScanResult:
    """A saved scan (its JSON document, checked for alteration:
    scanner.document.reissue.load_evidence) judged again under ``profile`` by the
    installed probes' checks, without any network. The result records which profile
    gathered and which judged; build its document and reports as for a scan. Raises
    InputError when the document cannot be judged here (an unknown probe or
    observation, a probe of another version)."""
    loaded = profile if isinstance(profile, Profile) else load_profile(profile)
    return _rejudge(document, loaded, installed().probes)
