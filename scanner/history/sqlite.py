"""The SQLite history store (the default HistoryStore): SQLite (WAL), one transaction
per scan, versioned migrations. The tables and queries are scanner.history.sql's;
this dialect opens, identifies and checks the file, and locks it with flock.

Each run keeps its whole sealed scan document (zlib-compressed JSON), from which
reports can be re-issued and diffs computed, plus one row per finding so that a
portfolio can be queried with SQL. A database this vetscan does not understand
(corrupt, someone else's, or written by a newer vetscan) is refused with a clear
error; it is never "repaired" or overwritten.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from scanner.errors import HistoryUnusable
from scanner.history.lock import AuditLock
from scanner.history.sql import MIGRATIONS, SQLITE, SqlHistory


class HistoryError(HistoryUnusable):
    """The history database cannot be used; the message says why and what to do."""


# PRAGMA application_id of a vetscan history ("VETS"); older histories lack it and
# are known by their schema_migrations table.
APPLICATION_ID = 0x56455453
_SQLITE_HEADER = b"SQLite format 3\x00"


class SqliteHistory(SqlHistory):
    dialect = SQLITE
    error = HistoryError

    def __init__(self, path: Path, verify: bool = True, read_only: bool = False) -> None:
        """``verify=False`` skips the integrity check and migrations: for extra readers
        while a process that opened the database with ``verify=True`` is running.
        ``read_only`` opens an existing history without ever writing to it (history,
        diff, report --run), also on read-only media."""
        self.path = path
        self.location = str(path)
        self.read_only = read_only
        if sqlite3.sqlite_version_info < (3, 39):
            # The shared queries use RETURNING (3.35) and IS DISTINCT FROM (3.39).
            raise HistoryError(
                f"the history needs SQLite 3.39 or newer; this Python has {sqlite3.sqlite_version}"
            )
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
    def _transaction(self) -> Iterator[None]:
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, params)

    def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._db.executemany(sql, rows)

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
            raise HistoryError(self._too_new(current))
        # One transaction per migration: an interrupted upgrade leaves a known version.
        for version in range(current + 1, len(MIGRATIONS) + 1):
            with self._transaction():
                self._apply(version)

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


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
