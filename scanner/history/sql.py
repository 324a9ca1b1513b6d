"""The history written once in SQL, for every database that speaks it: the tables and
their migrations, and every query of the HistoryStore roles (runs, the audit ledger,
export and import). A dialect (scanner.history.sqlite, scanner.history.postgres)
adds only what differs: how it connects, identifies and checks a database, its
column types, its placeholder, its transactions and errors, and its audit lock.

Queries are written with ``?`` placeholders; a dialect with another style converts
them once (``Dialect.param``).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from scanner.document.answers import Answer
from scanner.errors import HistoryUnusable
from scanner.history.base import HistoryStore, RunSummary
from scanner.history.records import RunRecord, StoredRun, dump_row, load_document, run_record


@dataclass(frozen=True)
class Dialect:
    """The column types and placeholder of one database."""

    serial_key: str  # the runs table's own key
    key_ref: str  # a column referring to it
    real: str
    boolean: str
    blob: str
    param: str = "?"


SQLITE = Dialect("INTEGER PRIMARY KEY", "INTEGER", "REAL", "INTEGER", "BLOB")
POSTGRES = Dialect(
    "BIGSERIAL PRIMARY KEY", "BIGINT", "DOUBLE PRECISION", "BOOLEAN", "BYTEA", param="%s"
)

# One set of migrations for every dialect; an existing database's tables are exactly
# what these gave it (the types are filled in per dialect).
MIGRATIONS: tuple[str, ...] = (
    # 1: runs and their findings
    """
    CREATE TABLE runs (
        id {serial_key},
        run_id TEXT NOT NULL UNIQUE,
        vendor TEXT NOT NULL,
        started TEXT NOT NULL,
        finished TEXT NOT NULL,
        profile TEXT NOT NULL,
        grade TEXT,
        overall {real},
        adjusted_overall {real},
        failed_checks INTEGER NOT NULL,
        regressed {boolean} NOT NULL,
        sha256 TEXT NOT NULL,
        document {blob} NOT NULL
    );
    CREATE INDEX runs_by_vendor ON runs (vendor, started);
    CREATE TABLE findings (
        run {key_ref} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        asset TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT NOT NULL,
        waived {boolean} NOT NULL,
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
    # 3: the provider's answers to the questions (vetscan answers import)
    """
    CREATE TABLE answers (
        id {serial_key},
        vendor TEXT NOT NULL,
        run_id TEXT NOT NULL,
        check_id TEXT NOT NULL,
        status TEXT NOT NULL,
        response TEXT NOT NULL,
        answered_by TEXT NOT NULL,
        answered_on TEXT NOT NULL,
        expires TEXT,
        recorded_at TEXT NOT NULL,
        source TEXT NOT NULL
    );
    CREATE INDEX answers_by_vendor ON answers (vendor, check_id);
    """,
)
TABLES = frozenset({"schema_migrations", "runs", "findings", "audits", "audit_outcomes", "answers"})
# The tables each schema version must have (a damaged history misses one).
EXPECTED = {
    1: {"schema_migrations", "runs", "findings"},
    2: {"schema_migrations", "runs", "findings", "audits", "audit_outcomes"},
    3: set(TABLES),
}
# Vendors asked about per query (SQLite allows some 32,000 parameters).
_CHUNK = 500


def statements(version: int, dialect: Dialect) -> list[str]:
    """The statements of one migration, in this dialect."""
    text = MIGRATIONS[version - 1].format(
        serial_key=dialect.serial_key,
        key_ref=dialect.key_ref,
        real=dialect.real,
        boolean=dialect.boolean,
        blob=dialect.blob,
    )
    return [s for s in text.split(";") if s.strip()]


class Rows(Protocol):
    """What a query returns: a DB-API cursor."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class SqlHistory(ABC):
    """The HistoryStore queries over a dialect's connection."""

    dialect: Dialect
    location: str
    error: type[HistoryUnusable]

    # -- what a dialect provides -------------------------------------------------------

    @abstractmethod
    def _run(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        """Executes one statement (``?`` placeholders already converted)."""

    @abstractmethod
    def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abstractmethod
    def _errors(self) -> AbstractContextManager[None]:
        """Turns the driver's errors into ``self.error`` with a message for people."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[None]:
        """One transaction: committed when the block ends, rolled back if it raises."""

    @abstractmethod
    def lock(self) -> AbstractContextManager[object]: ...

    @abstractmethod
    def reader(self) -> HistoryStore: ...

    @abstractmethod
    def check(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    # -- shared ----------------------------------------------------------------------

    def _sql(self, text: str) -> str:
        return text if self.dialect.param == "?" else text.replace("?", self.dialect.param)

    def _execute(self, text: str, params: Sequence[Any] = ()) -> Rows:
        return self._run(self._sql(text), params)

    def _apply(self, version: int) -> None:
        """One migration and its record (inside the caller's transaction)."""
        for statement in statements(version, self.dialect):
            self._run(statement)
        self._execute(
            "INSERT INTO schema_migrations VALUES (?, ?)", (version, datetime.now(UTC).isoformat())
        )

    def _too_new(self, version: int) -> str:
        return (
            f"history database {self.location} has schema version {version}, newer than this "
            f"vetscan knows ({len(MIGRATIONS)}); upgrade vetscan (the file was left untouched)"
        )

    @property
    def schema_version(self) -> int:
        with self._errors():
            row = self._execute(
                "SELECT coalesce(max(version), 0) FROM schema_migrations"
            ).fetchone()
        return int(row[0]) if row else 0

    # runs

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
        with self._transaction():
            if audit_run is not None and outcome is not None:
                if not self._claim(audit_run, vendor, record.run_id, outcome):
                    return False  # nothing was written: the transaction commits empty
            self._insert(record)
        return True

    def _insert(self, record: RunRecord) -> None:
        row = self._execute(
            "INSERT INTO runs (run_id, vendor, started, finished, profile, grade, overall, "
            "adjusted_overall, failed_checks, regressed, sha256, document, audit_run) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                record.run_id, record.vendor, record.started, record.finished, record.profile,
                record.grade, record.overall, record.adjusted_overall, record.failed_checks,
                record.regressed, record.sha256, record.blob, record.audit_run,
            ),
        ).fetchone()  # fmt: skip
        assert row is not None
        self._run_many(
            self._sql("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)"),
            [(row[0], *finding) for finding in record.findings],
        )

    def runs(self, vendor: str) -> list[RunSummary]:
        """The vendor's runs, oldest first."""
        with self._errors():
            rows = self._execute(
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
            rows = self._execute("SELECT DISTINCT vendor FROM runs").fetchall()
        # Sorted in Python: the database's collation must not change the order.
        return sorted(r[0] for r in rows)

    def get(self, run_id: str) -> dict[str, Any] | None:
        with self._errors():
            row = self._execute("SELECT document FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return load_document(row[0], self.error) if row else None

    def previous(self, vendor: str, exclude_audit: str | None = None) -> dict[str, Any] | None:
        with self._errors():
            row = self._execute(
                "SELECT document FROM runs WHERE vendor = ? "
                "AND (CAST(? AS TEXT) IS NULL OR audit_run IS DISTINCT FROM ?) "
                "ORDER BY started DESC, id DESC LIMIT 1",
                (vendor, exclude_audit, exclude_audit),
            ).fetchone()
        return load_document(row[0], self.error) if row else None

    # answers

    def record_answers(self, answers: Sequence[Answer]) -> int:
        rows = [
            (
                a.vendor, a.run_id, a.check_id, a.status, a.response, a.answered_by,
                a.answered_on, a.expires, a.recorded_at, a.source,
            )
            for a in answers
        ]  # fmt: skip
        if not rows:
            return 0
        with self._errors(), self._transaction():
            self._run_many(
                self._sql(
                    "INSERT INTO answers (vendor, run_id, check_id, status, response, "
                    "answered_by, answered_on, expires, recorded_at, source) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                rows,
            )
        return len(rows)

    def answers(self, vendor: str) -> list[Answer]:
        if self.schema_version < 3:
            return []  # a history opened read-only before its migration to answers
        with self._errors():
            rows = self._execute(
                "SELECT vendor, run_id, check_id, status, response, answered_by, answered_on, "
                "expires, recorded_at, source FROM answers WHERE vendor = ? ORDER BY id",
                (vendor,),
            ).fetchall()
        return [
            Answer(
                vendor=str(r[0]), run_id=str(r[1]), check_id=str(r[2]), status=str(r[3]),
                response=str(r[4]), answered_by=str(r[5]), answered_on=str(r[6]),
                expires=None if r[7] is None else str(r[7]), recorded_at=str(r[8]),
                source=str(r[9]),
            )
            for r in rows
        ]  # fmt: skip

    def prune(self, vendor: str, keep: int) -> int:
        """Deletes all but the newest ``keep`` runs of ``vendor``; returns how many went."""
        with self._transaction():
            cursor = self._execute(
                "DELETE FROM runs WHERE vendor = ? AND id NOT IN "
                "(SELECT id FROM runs WHERE vendor = ? ORDER BY started DESC, id DESC LIMIT ?)",
                (vendor, vendor, keep),
            )
            return cursor.rowcount

    # the audit ledger

    def _claim(
        self, audit_run: str, vendor: str, run_id: str | None, outcome: Mapping[str, Any]
    ) -> bool:
        row = self._execute(
            "INSERT INTO audit_outcomes VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
            (audit_run, vendor, run_id, dump_row(outcome), datetime.now(UTC).isoformat()),
        ).fetchone()
        return row is not None

    def record_outcome(self, audit_run: str, vendor: str, outcome: Mapping[str, Any]) -> bool:
        """A vendor of a queued audit that ended without a run (its scan failed)."""
        with self._transaction():
            return self._claim(audit_run, vendor, None, outcome)

    def begin_audit(self, audit_run: str, manifest: Mapping[str, Any]) -> None:
        with self._transaction():
            self._execute(
                "INSERT INTO audits VALUES (?, ?, ?)",
                (audit_run, datetime.now(UTC).isoformat(), dump_row(manifest)),
            )

    def audit_manifest(self, audit_run: str) -> dict[str, Any] | None:
        with self._errors():
            row = self._execute(
                "SELECT manifest FROM audits WHERE audit_run = ?", (audit_run,)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def outcomes(
        self, audit_run: str, vendors: Collection[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        # With ``vendors`` only their rows travel: a worker asks about its one vendor,
        # the coordinator about those still pending, not about thousands every poll.
        query = "SELECT vendor, row FROM audit_outcomes WHERE audit_run = ?"
        with self._errors():
            if vendors is None:
                rows = self._execute(query, (audit_run,)).fetchall()
            else:
                wanted, rows = sorted(set(vendors)), []
                for i in range(0, len(wanted), _CHUNK):
                    chunk = wanted[i : i + _CHUNK]
                    marks = ", ".join("?" for _ in chunk)
                    rows += self._execute(
                        f"{query} AND vendor IN ({marks})", (audit_run, *chunk)
                    ).fetchall()
        return {vendor: json.loads(row) for vendor, row in rows}

    # export and import

    def export(self) -> Iterator[StoredRun]:
        """Every run, oldest first (``history migrate``)."""
        with self._errors():
            rows = self._execute(
                "SELECT vendor, document, regressed, audit_run FROM runs ORDER BY started, id"
            ).fetchall()
        for vendor, blob, regressed, audit_run in rows:
            yield StoredRun(vendor, load_document(blob, self.error), bool(regressed), audit_run)

    def import_runs(self, runs: Iterable[StoredRun]) -> int:
        """Copies runs in (one transaction), skipping run IDs already here."""
        added = 0
        with self._transaction():
            known = {r[0] for r in self._execute("SELECT run_id FROM runs").fetchall()}
            for run in runs:
                # An audit of the source store is not an audit here.
                record = run_record(run.vendor, run.document, run.regressed, None)
                if record.run_id in known:
                    continue
                known.add(record.run_id)
                self._insert(record)
                added += 1
        return added

    def __enter__(self) -> SqlHistory:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
