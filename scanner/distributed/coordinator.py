"""A portfolio audit through the queue: the coordinator validates the portfolio,
records the audit (its tasks) in the shared history, sends one task per vendor,
and follows the history as workers store vendors. It writes each vendor's reports
from the stored document (any machine renders the same reports from it), then the
overview, and returns the same AuditResult as a local audit, so the summary,
alerts and exit codes are the local ones.

The shared history is the source of truth, not the broker: a coordinator that dies
is restarted with ``--resume RUN_ID``, sends again only the vendors with no outcome
(a vendor still in a worker's hands may be scanned twice, and is stored once), and
collects everything that finished.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scanner import pipeline
from scanner.audit.portfolio import Portfolio
from scanner.audit.result import AuditInterrupted, AuditResult
from scanner.audit.run import VendorOutcome, summary_row
from scanner.audit.runner import audit_result, vendor_profiles
from scanner.checks import catalogue
from scanner.distributed.task import VendorTask, parse_task
from scanner.distributed.work import settings_of
from scanner.errors import InputError
from scanner.history.base import HistoryStore
from scanner.history.stores import open_store
from scanner.redact import redact
from scanner.scoring.profile import Profile, profile_data

POLL_S = 0.5


@dataclass(frozen=True)
class QueueOptions:
    """Where the tasks go, and how long to wait for them. ``wait`` None: the vendor
    budget times the vendors (what one worker process needs at worst) plus 5 minutes."""

    broker: str
    resume: str | None = None
    wait: float | None = None
    visibility_timeout: float = 3600.0


def _new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def _profile_ref(profile: Profile) -> tuple[str, dict[str, Any] | None]:
    """What a task carries: a built-in profile by name, any other as its data (the
    workers' machines need not have the file)."""
    if profile.source.startswith("built-in"):
        return profile.name, None
    return profile.name, profile_data(profile.source)


def _tasks(
    portfolio: Portfolio, options: pipeline.AuditOptions, audit_run: str
) -> list[VendorTask]:
    profiles = vendor_profiles(portfolio, options.scan.profile)
    scan = settings_of(options.scan)
    today = datetime.now(UTC).date()
    tasks = []
    for vendor in portfolio.vendors:
        name, data = _profile_ref(
            profiles[vendor.profile] if vendor.profile else options.scan.profile
        )
        tasks.append(
            VendorTask(
                audit_run=audit_run,
                vendor=vendor,
                profile=name,
                scan=scan,
                budget=options.vendor_budget,
                retention=options.retention,
                today=today,
                profile_data=data,
            )
        )
    return tasks


def run_queued_audit(
    portfolio: Portfolio | None,
    options: pipeline.AuditOptions,
    queue: QueueOptions,
    stop: threading.Event,
    on_vendor: Callable[[dict[str, Any]], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> AuditResult:
    from scanner.distributed import app as adapter  # Celery only when the queue is used

    say = notice or (lambda _text: None)
    celery = adapter.make_app(queue.broker, queue.visibility_timeout)
    checks = set(catalogue())
    with open_store(options.history) as history, history.lock():
        if queue.resume is not None:
            audit_run = queue.resume
            manifest = history.audit_manifest(audit_run)
            if manifest is None:
                raise InputError(f"no queued audit {audit_run} in {history.location}")
            tasks = [parse_task(p, checks) for p in manifest["tasks"]]
        else:
            if portfolio is None:
                raise InputError("a queued audit needs a portfolio (or --resume RUN_ID)")
            audit_run = _new_run_id()
            tasks = _tasks(portfolio, options, audit_run)
            # Before anything is recorded: a dead broker leaves no audit behind.
            adapter.check_broker(celery, queue.broker)
            history.begin_audit(audit_run, {"tasks": [t.payload() for t in tasks]})
        by_name = {t.vendor.name: t for t in tasks}
        finished = history.outcomes(audit_run)
        missing = [t for t in tasks if t.vendor.name not in finished]
        if missing:
            if queue.resume is not None:
                adapter.check_broker(celery, queue.broker)
            adapter.send(
                celery, queue.broker, [t.payload() for t in missing], options.vendor_budget
            )
        say(
            f"audit run {audit_run}: {len(missing)} of {len(tasks)} vendor(s) sent to "
            f"{redact(queue.broker)}"
        )
        if missing and not adapter.workers_answering(celery):
            say(
                "no worker answered yet; the tasks wait in the queue until one starts "
                "(vetscan worker --queue URL --db URL)"
            )
        wait = queue.wait
        if wait is None:
            wait = options.vendor_budget * len(tasks) + 300
        rows, overview_rows, unfinished = _collect(
            history, audit_run, by_name, options, stop, on_vendor, time.monotonic() + wait
        )
    return audit_result(
        rows, overview_rows, history.location, options, audit_run, tuple(unfinished)
    )


def _collect(
    history: HistoryStore,
    audit_run: str,
    tasks: dict[str, VendorTask],
    options: pipeline.AuditOptions,
    stop: threading.Event,
    on_vendor: Callable[[dict[str, Any]], None] | None,
    deadline: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    rows: list[dict[str, Any]] = []
    overview_rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    while len(seen) < len(tasks):
        if stop.is_set():
            raise AuditInterrupted(
                f"interrupted; the vendors stored so far stay in history, and the workers go "
                f"on: --resume {audit_run} collects the rest"
            )
        pending = [name for name in tasks if name not in seen]
        for name, row in history.outcomes(audit_run, pending).items():
            seen.add(name)
            row = _with_reports(history, dict(row), tasks[name], options, overview_rows)
            rows.append(row)
            if on_vendor is not None:
                on_vendor(row)
        if len(seen) < len(tasks):
            if time.monotonic() > deadline:
                break
            time.sleep(POLL_S)
    unfinished = sorted(set(tasks) - seen)
    for name in unfinished:
        message = (
            "not finished in the time the coordinator waited (is a worker running?); "
            f"vetscan audit --queue URL --resume {audit_run} collects it later"
        )
        rows.append(summary_row(VendorOutcome(tasks[name].vendor, None, error=message)))
        overview_rows.append(pipeline.failed_overview_row(tasks[name].vendor, message))
    return rows, overview_rows, unfinished


def _with_reports(
    history: HistoryStore,
    row: dict[str, Any],
    task: VendorTask,
    options: pipeline.AuditOptions,
    overview_rows: list[dict[str, Any]],
) -> dict[str, Any]:
    """The vendor's reports, rendered here from its stored document."""
    run_id = row.get("run_id")
    document = history.get(run_id) if isinstance(run_id, str) else None
    trend = pipeline.trend_of(history, task.vendor.name)
    if document is None:
        overview_rows.append(
            pipeline.failed_overview_row(task.vendor, str(row.get("error") or "no run"), trend)
        )
        return row
    prepared = pipeline.Prepared(row["vendor"], document)
    # A resumed audit finds what the coordinator it replaces already wrote.
    written = pipeline.written_reports(document, options.output)
    if written:
        prepared = dataclasses.replace(prepared, paths=tuple(written))
    else:
        prepared = pipeline.with_reports(prepared, options.output)
    line = pipeline.overview_row(prepared, task.vendor, trend)
    if line is not None:
        overview_rows.append(line)
    return {
        **row,
        "reports": [str(p) for p in prepared.paths],
        "report_error": prepared.report_error,
    }
