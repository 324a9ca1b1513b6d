"""The PostgreSQL history store (psycopg 3): the same runs, findings and documents
as the SQLite store, shared by the workers of a queued audit on many machines.

One transaction per scan; a vendor's run and its audit outcome are written in the
same transaction, and the outcome's primary key (audit run, vendor) makes a task
that ran twice store once. The audit lock is a session-level advisory lock, which
PostgreSQL drops when the holder's connection ends, however the holder ends.
Passwords in the URL never reach a message: ``location`` is redacted and library
errors are scrubbed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import psycopg

from scanner.errors import HistoryUnusable, LockHeld
from scanner.history.base import RunSummary
from scanner.history.records import RunRecord, StoredRun, dump_row, load_document, run_record
from scanner.redact import redact, scrub

CONNECT_TIMEOUT_S = 10
STATEMENT_TIMEOUT_MS = 120_000
# pg_advisory_lock keys (bigint): the audit lock, and migrations (many workers
# starting at once must not race to create the tables).
AUDIT_LOCK_KEY = 0x7665747363616E01  # "vetscan" + 1
MIGRATION_LOCK_KEY = 0x7665747363616E02

MIGRATIONS: tuple[str, ...] = (
    # 1: runs and their findings (as SQLite's migration 1)
    """
    CREATE TABLE runs (
        id BIGSERIAL PRIMARY KEY,
        run_id TEXT NOT NULL UNIQUE,
        vendor TEXT NOT NULL,
        started TEXT NOT NULL,
        finished TEXT NOT NULL,
        profile TEXT NOT NULL,
        grade TEXT,
        overall DOUBLE PRECISION,
        adjusted_overall DOUBLE PRECISION,
        failed_checks INTEGER NOT NULL,
        regressed BOOLEAN NOT NULL,
        sha256 TEXT NOT NULL,
        document BYTEA NOT NULL
    );
    CREATE INDEX runs_by_vendor ON runs (vendor, started);
    CREATE TABLE findings (
        run BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        asset TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT NOT NULL,
        waived BOOLEAN NOT NULL,
        fingerprint TEXT NOT NULL
    );
    CREATE INDEX findings_by_run ON findings (run);
    CREATE INDEX findings_by_check ON findings (check_id, status);
    """,
    # 2: queued audits (as SQLite's migration 2)
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
_TABLES = {"schema_migrations", "runs", "findings", "audits", "audit_outcomes"}


class PostgresHistoryError(HistoryUnusable):
    """The PostgreSQL history cannot be used; the message says why (never the password)."""


class PostgresLocked(LockHeld):
    pass


def _connect(url: str, read_only: bool) -> psycopg.Connection[Any]:
    options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    return psycopg.connect(
        url,
        autocommit=True,
        connect_timeout=CONNECT_TIMEOUT_S,
        application_name="vetscan",
        options=options,
        keepalives=1,
        keepalives_idle=30,
    )


class PostgresHistory:
    def __init__(self, url: str, verify: bool = True, read_only: bool = False) -> None:
        self._url = url
        self.location = redact(url)
        self.read_only = read_only
        with self._errors("cannot connect to"):
            self._db = _connect(url, read_only)
        try:
            with self._errors():
                tables = self._tables()
                if "schema_migrations" not in tables:
                    if read_only:
                        raise PostgresHistoryError(f"no vetscan history in {self.location}")
                    if tables & _TABLES:
                        raise PostgresHistoryError(self._foreign())
                elif verify:
                    self._check(tables)
                if verify and not read_only:
                    self._migrate()
        except BaseException:
            self._db.close()
            raise

    def _foreign(self) -> str:
        return (
            f"{self.location} holds tables named like vetscan's but is not a vetscan history; "
            "it was left untouched (choose another --db)"
        )

    @contextmanager
    def _errors(self, doing: str = "") -> Iterator[None]:
        try:
            yield
        except psycopg.Error as exc:
            lines = str(exc).strip().splitlines()
            reason = scrub(lines[0], self._url) if lines else type(exc).__name__
            lead = f"{doing} history database" if doing else "history database"
            raise PostgresHistoryError(f"{lead} {self.location}: {reason}") from None

    def _tables(self) -> set[str]:
        rows = self._db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
        return {r[0] for r in rows}

    def _check(self, tables: set[str] | None = None) -> None:
        tables = self._tables() if tables is None else tables
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise PostgresHistoryError(
                f"history database {self.location} has schema version {version}, newer than "
                f"this vetscan knows ({len(MIGRATIONS)}); upgrade vetscan (left untouched)"
            )
        expected = {"schema_migrations", "runs", "findings"}
        if version >= 2:
            expected |= {"audits", "audit_outcomes"}
        missing = expected - tables
        if missing:
            raise PostgresHistoryError(
                f"history database {self.location} is damaged (missing table(s) "
                f"{', '.join(sorted(missing))}); it was left untouched"
            )

    def _migrate(self) -> None:
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
            )
            current = self.schema_version
            if current > len(MIGRATIONS):
                self._check()
            for version in range(current + 1, len(MIGRATIONS) + 1):
                for statement in MIGRATIONS[version - 1].split(";"):
                    if statement.strip():
                        self._db.execute(statement.encode())
                self._db.execute(
                    "INSERT INTO schema_migrations VALUES (%s, %s)",
                    (version, datetime.now(UTC).isoformat()),
                )

    @property
    def schema_version(self) -> int:
        row = self._db.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
        return int(row[0]) if row else 0

    # -- the HistoryStore protocol -------------------------------------------------

    def save(
        self,
        vendor: str,
        document: Mapping[str, Any],
        regressed: bool,
        audit_run: str | None = None,
        outcome: Mapping[str, Any] | None = None,
    ) -> bool:
        record = run_record(vendor, document, regressed, audit_run)
        with self._errors(), self._db.transaction():
            if audit_run is not None and outcome is not None:
                if not self._claim(audit_run, vendor, record.run_id, outcome):
                    return False  # nothing was written: the transaction commits empty
            self._insert(record)
        return True

    def _insert(self, record: RunRecord) -> None:
        row = self._db.execute(
            "INSERT INTO runs (run_id, vendor, started, finished, profile, grade, overall, "
            "adjusted_overall, failed_checks, regressed, sha256, document, audit_run) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                record.run_id, record.vendor, record.started, record.finished, record.profile,
                record.grade, record.overall, record.adjusted_overall, record.failed_checks,
                record.regressed, record.sha256, record.blob, record.audit_run,
            ),
        ).fetchone()  # fmt: skip
        assert row is not None
        with self._db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO findings VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(row[0], *finding) for finding in record.findings],
            )

    def _claim(
        self, audit_run: str, vendor: str, run_id: str | None, outcome: Mapping[str, Any]
    ) -> bool:
        row = self._db.execute(
            "INSERT INTO audit_outcomes VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            (audit_run, vendor, run_id, dump_row(outcome), datetime.now(UTC).isoformat()),
        ).fetchone()
        return row is not None

    def record_outcome(self, audit_run: str, vendor: str, outcome: Mapping[str, Any]) -> bool:
        with self._errors(), self._db.transaction():
            return self._claim(audit_run, vendor, None, outcome)

    def begin_audit(self, audit_run: str, manifest: Mapping[str, Any]) -> None:
        with self._errors(), self._db.transaction():
            self._db.execute(
                "INSERT INTO audits VALUES (%s, %s, %s)",
                (audit_run, datetime.now(UTC).isoformat(), dump_row(manifest)),
            )

    def audit_manifest(self, audit_run: str) -> dict[str, Any] | None:
        with self._errors():
            row = self._db.execute(
                "SELECT manifest FROM audits WHERE audit_run = %s", (audit_run,)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def outcomes(
        self, audit_run: str, vendors: Collection[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        # With ``vendors`` only their rows travel: a worker asks about its one vendor,
        # the coordinator about those still pending, not about thousands every poll.
        with self._errors():
            if vendors is None:
                rows = self._db.execute(
                    "SELECT vendor, row FROM audit_outcomes WHERE audit_run = %s", (audit_run,)
                ).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT vendor, row FROM audit_outcomes "
                    "WHERE audit_run = %s AND vendor = ANY(%s)",
                    (audit_run, list(vendors)),
                ).fetchall()
        return {vendor: json.loads(row) for vendor, row in rows}

    def runs(self, vendor: str) -> list[RunSummary]:
        with self._errors():
            rows = self._db.execute(
                "SELECT run_id, vendor, started, grade, overall, adjusted_overall, failed_checks, "
                "regressed FROM runs WHERE vendor = %s ORDER BY started, id",
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
            rows = self._db.execute("SELECT DISTINCT vendor FROM runs").fetchall()
        # Sorted in Python: the database's collation must not change the order.
        return sorted(r[0] for r in rows)

    def get(self, run_id: str) -> dict[str, Any] | None:
        with self._errors():
            row = self._db.execute(
                "SELECT document FROM runs WHERE run_id = %s", (run_id,)
            ).fetchone()
        return load_document(row[0], PostgresHistoryError) if row else None

    def previous(self, vendor: str, exclude_audit: str | None = None) -> dict[str, Any] | None:
        with self._errors():
            row = self._db.execute(
                "SELECT document FROM runs WHERE vendor = %s "
                "AND (%s::text IS NULL OR audit_run IS DISTINCT FROM %s) "
                "ORDER BY started DESC, id DESC LIMIT 1",
                (vendor, exclude_audit, exclude_audit),
            ).fetchone()
        return load_document(row[0], PostgresHistoryError) if row else None

    def prune(self, vendor: str, keep: int) -> int:
        with self._errors(), self._db.transaction():
            cursor = self._db.execute(
                "DELETE FROM runs WHERE vendor = %s AND id NOT IN "
                "(SELECT id FROM runs WHERE vendor = %s ORDER BY started DESC, id DESC LIMIT %s)",
                (vendor, vendor, keep),
            )
            return cursor.rowcount

    def check(self) -> None:
        with self._errors():
            self._check()

    def export(self) -> Iterator[StoredRun]:
        with self._errors():
            rows = self._db.execute(
                "SELECT vendor, document, regressed, audit_run FROM runs ORDER BY started, id"
            ).fetchall()
        for vendor, blob, regressed, audit_run in rows:
            yield StoredRun(vendor, load_document(blob, PostgresHistoryError), regressed, audit_run)

    def import_runs(self, runs: Iterable[StoredRun]) -> int:
        added = 0
        with self._errors(), self._db.transaction():
            known = {r[0] for r in self._db.execute("SELECT run_id FROM runs").fetchall()}
            for run in runs:
                record = run_record(run.vendor, run.document, run.regressed, run.audit_run)
                if record.run_id in known:
                    continue
                known.add(record.run_id)
                # An audit of the source store is not an audit here.
                self._insert(dataclasses.replace(record, audit_run=None))
                added += 1
        return added

    def lock(self) -> AdvisoryLock:
        return AdvisoryLock(self._url, self.location)

    def reader(self) -> PostgresHistory:
        return PostgresHistory(self._url, verify=False, read_only=True)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> PostgresHistory:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class AdvisoryLock:
    """The audit lock on a shared history: pg_try_advisory_lock on a connection of
    its own, held for the audit. PostgreSQL releases it when that connection ends,
    so a killed coordinator never leaves a stale lock behind."""

    def __init__(self, url: str, location: str) -> None:
        self._url = url
        self.location = location
        self._db: psycopg.Connection[Any] | None = None

    def __enter__(self) -> AdvisoryLock:
        try:
            db = _connect(self._url, read_only=False)
        except psycopg.Error as exc:
            raise PostgresHistoryError(
                f"cannot take the audit lock on history database {self.location}: "
                f"{scrub(str(exc).strip(), self._url)}"
            ) from None
        row = db.execute("SELECT pg_try_advisory_lock(%s)", (AUDIT_LOCK_KEY,)).fetchone()
        if not (row and row[0]):
            holder = db.execute(
                "SELECT a.pid, coalesce(host(a.client_addr), 'local') FROM pg_locks l "
                "JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' "
                "AND l.granted AND (l.classid::bigint << 32 | l.objid::bigint) = %s LIMIT 1",
                (AUDIT_LOCK_KEY,),
            ).fetchone()
            db.close()
            who = f"database session {holder[0]} from {holder[1]}" if holder else "unknown"
            raise PostgresLocked(f"another vetscan audit ({who}) is using {self.location}")
        self._db = db
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._db is not None:
            self._db.close()  # ending the session releases the lock
            self._db = None
