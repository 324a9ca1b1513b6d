"""The history database: transactions, migrations, and refusing what it does not understand."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from scanner.history.sqlite import MIGRATIONS, HistoryError
from scanner.history.sqlite import SqliteHistory as History


def _doc(run: str, started: str, grade: str = "B", findings: int = 3) -> dict[str, Any]:
    return {
        "scan": {
            "run_id": run,
            "started": started,
            "finished": started,
            "profile": "default",
        },
        "scores": {"grade": grade, "overall": 81.5},
        "findings": [
            {
                "check_id": f"x.c{i}",
                "asset": "a.test",
                "status": "fail" if i == 0 else "pass",
                "severity": "low",
                "detail": "d",
                "evidence": {},
            }
            for i in range(findings)
        ],
        "integrity": {"sha256": "ab" * 32},
    }


# Round trips, failed saves and retention are promises of every store: see
# test_store_contract.py, which runs them on SQLite and PostgreSQL alike.


def test_sqlite_history_is_wal_and_at_the_latest_schema(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        history.save("Acme", _doc("r1", "2026-11-01T00:00:00+00:00"), regressed=False)
        assert history.schema_version == len(MIGRATIONS)
    db = sqlite3.connect(tmp_path / "h.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_corrupt_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(HistoryError, match=r"unusable.*left untouched"):
        History(path)
    assert path.read_bytes() == before


def test_a_damaged_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with History(path) as history:
        for day in range(1, 9):
            history.save(
                "Acme", _doc(f"r{day}", f"2026-11-0{day}T00:00:00+00:00", findings=200), False
            )
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 2 + 2000] = b"\xff" * 2000  # a page in the middle overwritten
    path.write_bytes(bytes(data))
    with pytest.raises(HistoryError):
        with History(path) as history:
            history.runs("Acme")


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    History(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_migrations VALUES (99, 'future')")
    db.commit()
    db.close()
    with pytest.raises(HistoryError, match="schema version 99, newer than this vetscan knows"):
        History(path)


def test_someone_elses_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(HistoryError, match="not a vetscan history"):
        History(path)
