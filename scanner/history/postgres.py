"""The PostgreSQL history store (psycopg 3): the same runs, findings and documents
as the SQLite store (the tables and queries are scanner.history.sql's), shared by
the workers of a queued audit on many machines.

One transaction per scan; a vendor's run and its audit outcome are written in the
same transaction, and the outcome's primary key (audit run, vendor) makes a task
that ran twice store once. The audit lock is a session-level advisory lock, which
PostgreSQL drops when the holder's connection ends, however the holder ends.
Passwords in the URL never reach a message: ``location`` is redacted and library
errors are scrubbed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import psycopg

from scanner.errors import HistoryUnusable, LockHeld
from scanner.history.sql import EXPECTED, MIGRATIONS, POSTGRES, TABLES, SqlHistory
from scanner.redact import redact, scrub

CONNECT_TIMEOUT_S = 10
STATEMENT_TIMEOUT_MS = 120_000
# pg_advisory_lock keys (bigint): the audit lock, and migrations (many workers
# starting at once must not race to create the tables).
AUDIT_LOCK_KEY = 0x7665747363616E01  # "vetscan" + 1
MIGRATION_LOCK_KEY = 0x7665747363616E02


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


class PostgresHistory(SqlHistory):
    dialect = POSTGRES
    error = PostgresHistoryError

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
                    if tables & TABLES:
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
            raise PostgresHistoryError(self._too_new(version))
        missing = EXPECTED[max(1, version)] - tables
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
                self._apply(version)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._errors(), self._db.transaction():
            yield

    def _run(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        # Statements from the migrations carry no parameters: sent as bytes, so psycopg
        # does not read their '%' as placeholders.
        return self._db.execute(sql.encode() if not params else sql, params or None)

    def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._db.cursor() as cursor:
            cursor.executemany(sql, rows)

    def check(self) -> None:
        with self._errors():
            self._check()

    def lock(self) -> AdvisoryLock:
        return AdvisoryLock(self._url, self.location)

    def reader(self) -> PostgresHistory:
        return PostgresHistory(self._url, verify=False, read_only=True)

    def close(self) -> None:
        self._db.close()


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
