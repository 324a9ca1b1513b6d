"""The SQLite history store (the default HistoryStore): SQLite (WAL), one transaction per scan, versioned migrations.

Each run keeps its whole sealed scan document (zlib-compressed JSON), from which
reports can be re-issued and diffs computed, plus one row per finding so that a
portfolio can be queried with SQL. A database this vetscan does not understand
(corrupt, someone else's, or written by a newer vetscan) is refused with a clear
error; it is never "repaired" or overwritten.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from scanner.errors import HistoryUnusable
from scanner.history.base import RunSummary
from scanner.history.lock import AuditLock
from scanner.history.records import StoredRun, dump_row, load_document, run_record

MIGRATIONS: tuple[str, ...] = (
    # 1: runs and their findings
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL UNIQUE,
        vendor TEXT NOT NULL,
        started TEXT NOT NULL,
        finished TEXT NOT NULL,
        profile TEXT NOT NULL,
        grade TEXT,
        overall REAL,
        adjusted_overall REAL,
        failed_checks INTEGER NOT NULL,
        regressed INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        document BLOB NOT NULL
    );
    CREATE INDEX runs_by_vendor ON runs (vendor, started);
    CREATE TABLE findings (
        run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        asset TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT NOT NULL,
        waived INTEGER NOT NULL,
        fingerprint TEXT NOT NULL
    );
    CREATE INDEX findings_by_run ON findings (run);
    CREATE INDEX findings_by_check ON findings (check_id, status);
    """,
    # 2: audits run by several workers (the queue): each vendor stored once per audit
    """
    ALTER TABLE runs ADD COLUMN audit_run TEXT;
    CREATE UNIQUE INDEX runs_once_per_audit ON runs (audit_run, vendor);
    CREATE TABLE audits (
        audit_run TEXT PRIMARY KEY,
        started TEXT NOT NULL,
        manifest TEXT NOT NULL
    );
    CREATE TABLE audit_outcomes (
        audit_run TEXT NOT NULL REFERENCES audits (audit_run) ON DELETE CASCADE,
        vendor TEXT NOT NULL,
        run_id TEXT,
        row TEXT NOT NULL,
        finished TEXT NOT NULL,
        PRIMARY KEY (audit_run, vendor)
    );
    """,
)


class HistoryError(HistoryUnusable):
    """The history database cannot be used; the message says why and what to do."""


# PRAGMA application_id of a vetscan history ("VETS"); older histories lack it and
# are known by their schema_migrations table.
APPLICATION_ID = 0x56455453
_SQLITE_HEADER = b"SQLite format 3\x00"


class SqliteHistory:
    def __init__(self, path: Path, verify: bool = True, read_only: bool = False) -> None:
        """``verify=False`` skips the integrity check and migrations: for extra readers
        while a process that opened the database with ``verify=True`` is running.
        ``read_only`` opens an existing history without ever writing to it (history,
        diff, report --run), also on read-only media."""
        self.path = path
        self.location = str(path)
        self.read_only = read_only
        if read_only:
            self._db = self._open_read_only()
            try:
                with self._errors():
                    self._identify(self._db)
                    if verify:
                        self._check()
            except HistoryError:
                self._db.close()
                raise
            return
        # Someone else's file is recognised before anything is written to it: even
        # PRAGMA journal_mode=WAL changes the file.
        if path.exists() and path.stat().st_size > 0:
            probe = self._open_read_only()
            try:
                with self._errors():
                    self._identify(probe)
            finally:
                probe.close()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"cannot create the folder of {path}: {_why(exc)}") from None
        if not os.access(path.parent, os.W_OK):
            # SQLite would only say "unable to open database file".
            raise HistoryError(
                f"cannot write history database {path}: its folder is read-only; "
                "the history database needs a writable folder"
            )
        try:
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"cannot open history database {path}: {_why(exc)}") from None
        try:
            with self._errors():
                self._db.execute("PRAGMA foreign_keys = ON")
                self._db.execute("PRAGMA journal_mode = WAL")
                # FULL: a committed run survives a power cut, not only a killed process.
                self._db.execute("PRAGMA synchronous = FULL")
                if verify:
                    self._check()
                    self._migrate()
        except HistoryError:
            self._db.close()
            raise

    def _open_read_only(self) -> sqlite3.Connection:
        if not self.path.is_file():
            raise HistoryError(f"no history database at {self.path}")
        try:
            with self.path.open("rb") as handle:
                header = handle.read(len(_SQLITE_HEADER))
        except OSError as exc:
            raise HistoryError(f"cannot read history database {self.path}: {_why(exc)}") from None
        if header != _SQLITE_HEADER:
            raise HistoryError(
                f"history database {self.path} is unusable (not an SQLite file: corrupt or "
                "someone else's); it was left untouched. Restore it from a backup or choose "
                "another --db."
            )
        uri = f"file:{quote(str(self.path.resolve()))}"
        try:
            db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=30)
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError:
            # A WAL database on read-only media cannot make its -shm file; nobody can
            # write there either, so reading it as immutable is safe.
            try:
                db = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return db
            except sqlite3.Error as exc:
                raise HistoryError(
                    f"cannot open history database {self.path}: {_why(exc)}"
                ) from None
        except sqlite3.DatabaseError as exc:
            raise HistoryError(
                f"history database {self.path} is unusable ({exc}); it was left untouched. "
                "Restore it from a backup or move it aside to start a new history."
            ) from None

    def _identify(self, db: sqlite3.Connection) -> None:
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        if application_id == APPLICATION_ID or "schema_migrations" in tables:
            return
        if tables or application_id:
            raise HistoryError(
                f"{self.path} is an SQLite database but not a vetscan history; "
                "it was left untouched (choose another --db)"
            )
        if self.read_only:
            raise HistoryError(f"{self.path} is an empty database, not a vetscan history")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SqliteHistory:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise HistoryError(
                f"history database {self.path} is unusable ({exc}); it was left untouched. "
                "Restore it from a backup or move it aside to start a new history."
            ) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _check(self) -> None:
        verdict = self._db.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"integrity check: {verdict}")
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if tables and "schema_migrations" not in tables:
            raise HistoryError(
                f"{self.path} is an SQLite database but not a vetscan history; "
                "it was left untouched (choose another --db)"
            )

    def _migrate(self) -> None:
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
        )
        current = self._db.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0
        if current == 0:
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if current > len(MIGRATIONS):
            raise HistoryError(
                f"history database {self.path} has schema version {current}, newer than this "
                f"vetscan knows ({len(MIGRATIONS)}); upgrade vetscan (the file was left untouched)"
            )
        for version in range(current + 1, len(MIGRATIONS) + 1):
            with self._transaction() as db:
                for statement in MIGRATIONS[version - 1].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?)",
                    (version, datetime.now(UTC).isoformat()),
                )

    @property
    def schema_version(self) -> int:
        with self._errors():
            value: int = self._db.execute("SELECT max(version) FROM schema_migrations").fetchone()[
                0
            ]
        return value

    def save(
        self,
        vendor: str,
        document: Mapping[str, Any],
        regressed: bool,
        audit_run: str | None = None,
        outcome: Mapping[str, Any] | None = None,
    ) -> bool:
        """Stores one scan, with its findings (and its audit outcome), in one
        transaction. False when this audit already stored the vendor (a task run twice)."""
        record = run_record(vendor, document, regressed, audit_run)
        with self._transaction() as db:
            if audit_run is not None and outcome is not None:
                if not self._claim(db, audit_run, vendor, record.run_id, outcome):
                    return False
            cursor = db.execute(
                "INSERT INTO runs (run_id, vendor, started, finished, profile, grade, overall, "
                "adjusted_overall, failed_checks, regressed, sha256, document, audit_run) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.run_id,
                    vendor,
                    record.started,
                    record.finished,
                    record.profile,
                    record.grade,
                    record.overall,
                    record.adjusted_overall,
                    record.failed_checks,
                    int(regressed),
                    record.sha256,
                    record.blob,
                    audit_run,
                ),
            )
            db.executemany(
                "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (cursor.lastrowid, c, a, s, sev, int(w), fp)
                    for c, a, s, sev, w, fp in record.findings
                ],
            )
        return True

    @staticmethod
    def _claim(
        db: sqlite3.Connection,
        audit_run: str,
        vendor: str,
        run_id: str | None,
        outcome: Mapping[str, Any],
    ) -> bool:
        row = db.execute(
            "INSERT INTO audit_outcomes VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
            (audit_run, vendor, run_id, dump_row(outcome), datetime.now(UTC).isoformat()),
        ).fetchone()
        return row is not None

    def record_outcome(self, audit_run: str, vendor: str, outcome: Mapping[str, Any]) -> bool:
        """A vendor of a queued audit that ended without a run (its scan failed)."""
        with self._transaction() as db:
            return self._claim(db, audit_run, vendor, None, outcome)

    def begin_audit(self, audit_run: str, manifest: Mapping[str, Any]) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO audits VALUES (?, ?, ?)",
                (audit_run, datetime.now(UTC).isoformat(), dump_row(manifest)),
            )

    def audit_manifest(self, audit_run: str) -> dict[str, Any] | None:
        with self._errors():
            row = self._db.execute(
                "SELECT manifest FROM audits WHERE audit_run = ?", (audit_run,)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def outcomes(
        self, audit_run: str, vendors: Collection[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        with self._errors():
            rows = self._db.execute(
                "SELECT vendor, row FROM audit_outcomes WHERE audit_run = ?", (audit_run,)
            ).fetchall()
        wanted = None if vendors is None else set(vendors)
        return {v: json.loads(r) for v, r in rows if wanted is None or v in wanted}

    def export(self) -> Iterator[StoredRun]:
        with self._errors():
            rows = self._db.execute(
                "SELECT vendor, document, regressed, audit_run FROM runs ORDER BY started, id"
            ).fetchall()
        for vendor, blob, regressed, audit_run in rows:
            yield StoredRun(vendor, load_document(blob, HistoryError), bool(regressed), audit_run)

    def import_runs(self, runs: Iterable[StoredRun]) -> int:
        """Copies runs in (one transaction), skipping run IDs already here."""
        added = 0
        with self._transaction() as db:
            known = {r[0] for r in db.execute("SELECT run_id FROM runs")}
            for run in runs:
                record = run_record(run.vendor, run.document, run.regressed, run.audit_run)
                if record.run_id in known:
                    continue
                known.add(record.run_id)
                cursor = db.execute(
                    "INSERT INTO runs (run_id, vendor, started, finished, profile, grade, "
                    "overall, adjusted_overall, failed_checks, regressed, sha256, document) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.run_id, record.vendor, record.started, record.finished,
                        record.profile, record.grade, record.overall, record.adjusted_overall,
                        record.failed_checks, int(record.regressed), record.sha256, record.blob,
                    ),
                )  # fmt: skip
                db.executemany(
                    "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (cursor.lastrowid, c, a, s, sev, int(w), fp)
                        for c, a, s, sev, w, fp in record.findings
                    ],
                )
                added += 1
        return added

    def runs(self, vendor: str) -> list[RunSummary]:
        """The vendor's runs, oldest first."""
        with self._errors():
            rows = self._db.execute(
                "SELECT run_id, vendor, started, grade, overall, adjusted_overall, failed_checks, "
                "regressed FROM runs WHERE vendor = ? ORDER BY started, id",
                (vendor,),
            ).fetchall()
        return [
            RunSummary(
                run_id=r[0],
                vendor=r[1],
                started=r[2],
                grade=r[3],
                overall=r[4],
                adjusted_overall=r[5],
                failed_checks=r[6],
                regressed=bool(r[7]),
            )
            for r in rows
        ]

    def vendors(self) -> list[str]:
        with self._errors():
            return [r[0] for r in self._db.execute("SELECT DISTINCT vendor FROM runs ORDER BY 1")]

    def get(self, run_id: str) -> dict[str, Any] | None:
        with self._errors():
            row = self._db.execute(
                "SELECT document FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
        return load_document(row[0], HistoryError) if row else None

    def previous(self, vendor: str, exclude_audit: str | None = None) -> dict[str, Any] | None:
        with self._errors():
            row = self._db.execute(
                "SELECT document FROM runs WHERE vendor = ? AND (? IS NULL OR audit_run IS NOT ?) "
                "ORDER BY started DESC, id DESC LIMIT 1",
                (vendor, exclude_audit, exclude_audit),
            ).fetchone()
        return load_document(row[0], HistoryError) if row else None

    def check(self) -> None:
        with self._errors():
            self._check()

    def lock(self) -> AuditLock:
        """An flock on ``<db>.lock`` beside the database."""
        return AuditLock(self.path)

    def reader(self) -> SqliteHistory:
        # A reader never writes: a read-only connection (WAL readers do not block the
        # writer), not a writer's open with its identification, mkdir and pragmas.
        return SqliteHistory(self.path, verify=False, read_only=True)

    def prune(self, vendor: str, keep: int) -> int:
        """Deletes all but the newest ``keep`` runs of ``vendor``; returns how many went."""
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM runs WHERE vendor = ? AND id NOT IN "
                "(SELECT id FROM runs WHERE vendor = ? ORDER BY started DESC, id DESC LIMIT ?)",
                (vendor, vendor, keep),
            )
            return cursor.rowcount


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
