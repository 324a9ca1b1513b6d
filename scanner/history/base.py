"""The history store: what the audit runner, the CLI and the report need from it,
as a small protocol, and the one place that opens a store from a URL or a path.

The protocol is split by role: runs (``RunStore``), the queued audits' ledger
(``AuditLedger``), export and import (``Portable``), and the lock. One SQL store
(scanner.history.sql) implements them over two dialects: SQLite
(scanner.history.sqlite), the built-in one, and PostgreSQL
(scanner.history.postgres), shared by workers on several machines. Another SQL
database is a dialect; another kind of backend implements ``HistoryStore`` and gets
a branch in ``scanner.history.stores.open_store``.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from scanner.document.answers import Answer
from scanner.errors import InputError
from scanner.history.records import StoredRun


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    vendor: str
    started: str
    grade: str | None
    overall: float | None
    adjusted_overall: float | None
    failed_checks: int
    regressed: bool


class RunStore(Protocol):
    """Runs by vendor, each with its whole sealed document. Every write is one
    transaction; a store that cannot be used raises HistoryError (a HistoryUnusable)."""

    location: str  # where it is, for messages (never with a password)

    def save(
        self,
        vendor: str,
        document: Mapping[str, Any],
        regressed: bool,
        audit_run: str | None = None,
        outcome: Mapping[str, Any] | None = None,
    ) -> bool:
        """Stores one run. With ``audit_run`` and ``outcome`` (a queued audit's
        worker), the vendor's outcome row is claimed in the same transaction: False,
        and nothing written, when that audit already stored the vendor."""

    def previous(self, vendor: str, exclude_audit: str | None = None) -> dict[str, Any] | None:
        """The vendor's latest stored document (not one of ``exclude_audit``), or None."""

    def runs(self, vendor: str) -> list[RunSummary]:
        """The vendor's runs, oldest first."""

    def vendors(self) -> list[str]: ...

    def get(self, run_id: str) -> dict[str, Any] | None:
        """One run's document, or None."""

    def prune(self, vendor: str, keep: int) -> int:
        """Retention: deletes all but the newest ``keep`` runs; returns how many went."""

    def check(self) -> None:
        """Integrity check; raises HistoryError when the store is damaged."""


class AnswerStore(Protocol):
    """The provider's answers to the questions (scanner.document.answers), by vendor."""

    def record_answers(self, answers: Sequence[Answer]) -> int:
        """Stores answers in one transaction (all or none); returns how many."""

    def answers(self, vendor: str) -> list[Answer]:
        """Every answer recorded for the vendor, oldest first."""


class AuditLedger(Protocol):
    """What a queued audit records beside the runs: its vendors' tasks and outcomes."""

    def begin_audit(self, audit_run: str, manifest: Mapping[str, Any]) -> None:
        """Records a queued audit: its vendors' tasks, so ``--resume`` can finish it."""

    def audit_manifest(self, audit_run: str) -> dict[str, Any] | None: ...

    def outcomes(
        self, audit_run: str, vendors: Collection[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """The summary rows of the vendors a queued audit has finished, by vendor
        (only those of ``vendors`` when given)."""

    def record_outcome(self, audit_run: str, vendor: str, outcome: Mapping[str, Any]) -> bool:
        """A queued audit's vendor that ended without a run (False: already recorded)."""


class Portable(Protocol):
    """A whole history out and in (``history migrate``)."""

    def export(self) -> Iterator[StoredRun]:
        """Every run, oldest first."""

    def import_runs(self, runs: Iterable[StoredRun]) -> int:
        """Copies runs in, in one transaction, skipping run IDs already stored."""


class HistoryStore(RunStore, AnswerStore, AuditLedger, Portable, Protocol):
    """A history: its runs, its audit ledger, export and import, and the audit lock.
    Both stores are scanner.history.sql over a dialect (SQLite, PostgreSQL)."""

    def lock(self) -> AbstractContextManager[object]:
        """The audit lock: exclusive, released however the holder ends (LockHeld if taken)."""

    def reader(self) -> HistoryStore:
        """Another handle for reading from another thread (no checks, no migrations)."""

    def close(self) -> None: ...

    def __enter__(self) -> HistoryStore: ...

    def __exit__(self, *exc: object) -> None: ...


def default_location() -> str:
    """$VETSCAN_DB, or history.sqlite3 in the user data directory (platformdirs)."""
    env = os.environ.get("VETSCAN_DB")
    if env:
        return env
    import platformdirs

    return str(Path(platformdirs.user_data_dir("vetscan")) / "history.sqlite3")


def sqlite_path(location: str | Path) -> Path | None:
    """The file of an SQLite location (a path or sqlite:///path), or None for another kind."""
    if isinstance(location, Path):
        return location
    if location.startswith("sqlite:"):
        parts = urlsplit(location)
        if parts.netloc not in ("", "localhost"):
            raise InputError(f"history URL {location!r}: sqlite:///PATH has no host")
        return Path(unquote(parts.path))
    if "://" in location:
        return None
    return Path(location)
