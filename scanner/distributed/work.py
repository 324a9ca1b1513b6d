"""What a worker does with one task: check it, scan the vendor, compare with the
vendor's run before this audit, and store the run and the vendor's outcome in one
transaction. A task delivered twice (a worker lost mid-scan, a visibility timeout)
stores once: the outcome's key (audit run, vendor) is claimed in that transaction.

No Celery here: the adapter (scanner.distributed.app) calls ``Worker.run``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner import pipeline
from scanner.audit.run import VendorOutcome, summary_row
from scanner.checks import catalogue
from scanner.distributed.task import ScanSettings, TaskError, VendorTask, parse_task
from scanner.errors import HistoryUnusable, InputError, ScanIncomplete
from scanner.history.base import HistoryStore
from scanner.history.stores import open_store
from scanner.model import Target
from scanner.options import ScanOptions
from scanner.scoring.profile import ProfileError


@dataclass(frozen=True)
class WorkerSettings:
    """How a worker was started: its history, and whether this machine may scan
    private addresses at all (a task's --allow-private needs both)."""

    history: str
    allow_private: bool = False


class Worker:
    """One per worker process: its own history connection, its own temp folder."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        self._store: HistoryStore | None = None
        self._files = Path(tempfile.mkdtemp(prefix="vetscan-worker-"))
        self._checks = set(catalogue())

    def store(self) -> HistoryStore:
        if self._store is None:
            self._store = open_store(self.settings.history, verify=False)
        return self._store

    def drop_store(self) -> None:
        """After a database error: the next attempt opens a new connection."""
        if self._store is not None:
            with contextlib.suppress(Exception):  # the connection is already broken
                self._store.close()
            self._store = None

    def run(self, payload: Any) -> dict[str, Any]:
        """The vendor's summary row. Raises HistoryUnusable when the history cannot be
        reached (the adapter retries the task later); any other failure becomes the
        vendor's error row, as in a local audit."""
        start = time.monotonic()
        try:
            task = parse_task(payload, self._checks)
        except TaskError as exc:
            self.give_up(payload, str(exc))
            raise
        done = self.store().outcomes(task.audit_run, [task.vendor.name])
        if task.vendor.name in done:
            return done[task.vendor.name]  # a redelivered task: already stored
        try:
            options, profile = self._options(task)
            target = Target(task.vendor.name, task.vendor.domains, task.vendor.hosts)
            result = pipeline.scan(target, options, deadline=start + task.budget)
        except (InputError, ScanIncomplete, ProfileError) as exc:
            return self._error(task, str(exc), start)
        previous = self.store().previous(task.vendor.name, exclude_audit=task.audit_run)
        answers = self.store().answers(task.vendor.name)
        prepared = pipeline.judge(
            result, profile, previous, task.vendor.name, task.vendor.waivers, task.today, answers
        )
        elapsed = round(time.monotonic() - start, 3)
        row = summary_row(VendorOutcome(task.vendor, prepared, elapsed_s=elapsed))
        if not pipeline.store(self.store(), prepared, task.retention, task.audit_run, row):
            stored = self.store().outcomes(task.audit_run, [task.vendor.name])
            return stored.get(task.vendor.name, row)
        return row

    def _error(self, task: VendorTask, message: str, start: float) -> dict[str, Any]:
        elapsed = round(time.monotonic() - start, 3)
        row = summary_row(VendorOutcome(task.vendor, None, error=message, elapsed_s=elapsed))
        self.store().record_outcome(task.audit_run, task.vendor.name, row)
        return row

    def give_up(self, payload: Any, message: str) -> None:
        """A task that cannot be done (refused, or out of time) gets an error row when
        it names an existing audit and a vendor, so the coordinator is not left waiting."""
        if not isinstance(payload, dict) or not isinstance(payload.get("vendor"), dict):
            return
        audit_run, name = payload.get("audit_run"), payload["vendor"].get("name")
        if not (isinstance(audit_run, str) and isinstance(name, str)) or len(name) > 512:
            return
        try:
            if self.store().audit_manifest(audit_run) is None:
                return
            row = {"vendor": name, "status": "error", "error": message, "grade": None}
            self.store().record_outcome(audit_run, name, row)
        except HistoryUnusable:
            return

    def _options(self, task: VendorTask) -> tuple[ScanOptions, Any]:
        scan = task.scan
        if scan.allow_private and not self.settings.allow_private:
            raise InputError(
                "this worker does not scan private or loopback addresses "
                "(start it with vetscan worker --allow-private)"
            )
        profile = task.load_profile()
        options = ScanOptions.build(
            profile=profile,
            nameserver=scan.nameserver,
            ca_file=self._file("ca", scan.ca_pem),
            allow_private=scan.allow_private,
            timeout=scan.timeout,
            trust_anchors=self._file(
                "anchors", "\n".join(scan.anchors) + "\n" if scan.anchors is not None else None
            ),
            settings=(*scan.settings, *task.vendor.scan_settings()),
        )
        return options, profile

    def _file(self, kind: str, text: str | None) -> Path | None:
        """A task's CA bundle or anchors as a private file (the scan options take
        paths); named by content, so each distinct one is written once per process."""
        if text is None:
            return None
        path = self._files / f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"
        if not path.exists():
            partial = path.with_suffix(".tmp")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            partial.replace(path)
        return path


def settings_of(options: ScanOptions) -> ScanSettings:
    """The values a task carries for a coordinator's scan options (files read here)."""
    ca_pem = options.ca_file.read_text("utf-8") if options.ca_file is not None else None
    anchors = None
    if options.anchors is not None:
        anchors = tuple(
            f"{name} {rdata}" for name, rows in options.anchors.items() for rdata in rows
        )
    return ScanSettings(
        nameserver=str(options.nameserver) if options.nameserver is not None else None,
        ca_pem=ca_pem,
        allow_private=options.allow_private,
        timeout=options.timeout,
        anchors=anchors,
        settings=options.settings,
    )
