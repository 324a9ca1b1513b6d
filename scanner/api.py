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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.audit import alerts
from scanner.audit.alerts import AlertOptions
from scanner.audit.portfolio import Portfolio, load_portfolio
from scanner.audit.result import AuditInterrupted, AuditResult
from scanner.audit.runner import run_audit
from scanner.distributed.coordinator import QueueOptions, run_queued_audit
from scanner.document import changes, integrity, reissue
from scanner.document.answers import Answer
from scanner.document.integrity import Check, IntegrityError
from scanner.errors import EnvironmentUnusable, InputError
from scanner.history.base import HistoryStore, default_location, sqlite_path
from scanner.history.stores import open_store
from scanner.model import ScanResult
from scanner.pipeline import (
    AuditOptions,
    Prepared,
    build_document,
    comparison,
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
from scanner.probes.services.kev import KevCatalogue
from scanner.registry import installed
from scanner.rejudge import rejudge as _rejudge
from scanner.scoring.profile import Profile, load_profile

__all__ = [
    "AlertOptions",
    "Answer",
    "AuditInterrupted",
    "AuditOptions",
    "AuditResult",
    "HistoryStore",
    "Prepared",
    "QueueOptions",
    "WorkerOptions",
    "audit",
    "build_document",
    "change_lines",
    "comparison",
    "completed",
    "default_location",
    "diff",
    "evidence",
    "failed_overview_row",
    "generate_key",
    "import_answers",
    "kev_catalogue",
    "load_portfolio",
    "migrate_history",
    "open_store",
    "overview_row",
    "plugin_problems",
    "prepare",
    "queued_audit",
    "readable_history",
    "rejudge",
    "require_completed",
    "run_worker",
    "saved_scan",
    "scan",
    "send_alerts",
    "store",
    "stored_scan",
    "trend_of",
    "update_kev",
    "verify_report",
    "write_comparison",
    "write_overview",
    "write_reports",
]


@dataclass(frozen=True)
class WorkerOptions:
    """A queue worker: its broker, the shared history (PostgreSQL), how many scans at
    once, when an unacknowledged task goes back to the queue, and whether it may scan
    private addresses."""

    broker: str
    history: str
    concurrency: int = 1
    visibility_timeout: float = 3600.0
    allow_private: bool = False
    verbose: bool = False


def readable_history(location: str) -> str:
    """``location`` for a command that only reads: a typo must not create an empty
    database, so a SQLite file that does not exist is an InputError."""
    if "://" not in location or location.startswith("sqlite:"):
        path = sqlite_path(location)
        if path is not None and not Path(path).is_file():
            raise InputError(f"no history database at {path}")
    return location


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


# --- saved evidence: reports re-issued, scans judged again, reports verified ------


def saved_scan(path: Path) -> dict[str, Any]:
    """A saved scan (its JSON) brought up to today's document for re-rendering; its
    observations, findings and scores stay as gathered. Refuses altered evidence."""
    return reissue.load_saved_scan(path)


def stored_scan(location: str, run: str) -> dict[str, Any]:
    """A run from the history at ``location``, brought up to today's document."""
    return reissue.upgrade_saved(_stored(location, run), f"run {run}")


def evidence(
    path: Path | None = None, location: str | None = None, run: str = ""
) -> dict[str, Any]:
    """A saved scan as it was written (a file, or a run of a history), refused when its
    digest or signature shows it was altered: what ``rejudge`` takes."""
    if path is not None:
        return reissue.load_evidence(path)
    assert location is not None
    return reissue.checked_evidence(_stored(location, run), f"run {run}")


def _stored(location: str, run: str) -> dict[str, Any]:
    with open_store(location, read_only=True) as history:
        stored = history.get(run)
    if stored is None:
        raise InputError(f"run {run} is not in {history.location}")
    return stored


def verify_report(path: Path, pubkey: Path | None = None) -> list[Check]:
    """Whether a report (HTML, JSON, PDF, SARIF, JUnit, OSCAL) and its JSON were
    altered since written."""
    try:
        return reissue.verify_report(path, pubkey, export_renderers())
    except (IntegrityError, OSError) as exc:
        raise InputError(str(exc)) from None


def export_renderers() -> dict[str, Callable[[dict[str, Any]], str]]:
    """The exports `verify` re-renders from their JSON, by file suffix."""
    from scanner.render import RENDERERS, Format

    def one(fmt: Format, name: str | None = None) -> Callable[[dict[str, Any]], str]:
        def render(document: dict[str, Any]) -> str:
            out = RENDERERS[fmt](document)
            picked = out[name] if isinstance(out, dict) and name else out
            assert isinstance(picked, str)
            return picked

        return render

    return {
        ".sarif": one(Format.SARIF),
        ".junit.xml": one(Format.JUNIT, "junit.xml"),
        ".oscal.json": one(Format.OSCAL, "oscal.json"),
    }


def generate_key(path: Path) -> Path:
    """A new Ed25519 key pair for signing reports: ``path`` (private), its .pub (returned)."""
    try:
        return integrity.generate_key(path)
    except (IntegrityError, OSError) as exc:
        raise InputError(str(exc)) from None


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What changed between two documents of one provider (pure)."""
    return changes.diff(old, new)


def change_lines(change: Mapping[str, Any]) -> list[str]:
    """The asset changes of a ``diff`` as lines of text, each worded by its probe."""
    return changes.change_lines(change, installed().probes)


# --- alerts, workers, history copies ------------------------------------------------


def send_alerts(
    options: AlertOptions, summary: Mapping[str, Any], stop: threading.Event | None = None
) -> list[str]:
    """An audit's alerts (webhook, e-mail) when its summary calls for them; a warning
    per alert not delivered."""
    return alerts.send_alerts(options, summary, stop or threading.Event())


def import_answers(location: str, path: Path) -> list[Answer]:
    """Records the provider's answers of a filled questions CSV (``path``) in the
    history at ``location``, all or none; returns them."""
    from scanner.inputs import read_input_text
    from scanner.pipeline.answering import import_answers as _import

    text = read_input_text(path, "answers file")
    with open_store(location) as history:
        return _import(history, text, path.name)


def kev_catalogue() -> KevCatalogue:
    """The Known Exploited Vulnerabilities catalogue scans judge by now: the one
    ``update_kev`` installed, else the snapshot shipped with vetscan."""
    from scanner.probes.services.kev import active_catalogue

    return active_catalogue()


def update_kev(
    path: Path | None = None,
    allow_older: bool = False,
    url: str | None = None,
    timeout: float = 60.0,
) -> tuple[KevCatalogue, Path]:
    """Installs the KEV catalogue, from the file at ``path`` (CISA's JSON, or it
    gzipped) or downloaded from ``url``, for every later scan, after checking it
    whole; returns it and where it now lives. A failed download, a malformed file or
    one older than the catalogue in use changes nothing (KevError)."""
    from scanner.probes.services.kev import install, install_url

    if (path is None) == (url is None):
        raise InputError("give the catalogue as a file or as a URL, not both")
    if url is not None:
        return install_url(url, allow_older, timeout)
    assert path is not None
    return install(path, allow_older)


def migrate_history(source: str, target: str) -> tuple[int, int, int, str, str]:
    """Copies every run of the history ``source`` into ``target`` (runs already there
    are kept once): (runs added, runs read, vendors, source, target as shown)."""
    if source == target:
        raise InputError("history migrate: --from and --to name the same history")
    with open_store(source, read_only=True) as old, open_store(target) as new:
        runs = list(old.export())
        added = new.import_runs(runs)
        # The provider's answers go with the runs (those already there kept once).
        for vendor in sorted({r.vendor for r in runs}):
            there = set(new.answers(vendor))
            new.record_answers([a for a in old.answers(vendor) if a not in there])
        new.check()
        return added, len(runs), len({r.vendor for r in runs}), old.location, new.location


def run_worker(
    options: WorkerOptions,
    on_start: Callable[[], None] | None = None,
    on_ready: Callable[[], None] | None = None,
) -> int:
    """Serves queued audits until stopped (Celery): the history is reached (and
    migrated) and the broker checked first, so a wrong URL ends here with one
    message. ``on_start`` hears that both answered, ``on_ready`` that the worker
    takes tasks. Needs the ``workers`` extra."""
    try:
        from scanner.distributed import app as adapter
        from scanner.distributed.work import WorkerSettings
    except ImportError:
        raise EnvironmentUnusable(
            "the worker needs Celery and psycopg (pip install 'vetscan[workers]')"
        ) from None
    with open_store(options.history):
        pass
    settings = WorkerSettings(history=options.history, allow_private=options.allow_private)
    # Restores are looked for often enough that a lost task waits little longer than
    # the visibility timeout itself.
    restore = min(10.0, options.visibility_timeout / 4)
    app = adapter.make_app(options.broker, options.visibility_timeout, restore, worker=settings)
    adapter.check_broker(app, options.broker)
    if on_start is not None:
        on_start()
    level = "INFO" if options.verbose else "WARNING"
    return adapter.run_worker(app, options.concurrency, level, on_ready or (lambda: None))
