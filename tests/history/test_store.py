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


def test_runs_are_stored_whole_and_read_back_in_order(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        history.save("Acme", _doc("r1", "2026-11-01T00:00:00+00:00"), regressed=True)
        history.save("Acme", _doc("r2", "2026-11-02T00:00:00+00:00", "A"), regressed=False)
        history.save("Beta", _doc("r3", "2026-11-02T00:00:00+00:00"), regressed=False)
        assert [r.run_id for r in history.runs("Acme")] == ["r1", "r2"]
        assert history.runs("Acme")[0].regressed and history.runs("Acme")[0].failed_checks == 1
        latest = history.previous("Acme")
        assert latest is not None and latest["scan"]["run_id"] == "r2"
        assert history.get("r1") == _doc("r1", "2026-11-01T00:00:00+00:00")
        assert history.vendors() == ["Acme", "Beta"]
        assert history.schema_version == len(MIGRATIONS)
    db = sqlite3.connect(tmp_path / "h.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == 9


def test_a_failed_save_leaves_nothing_behind(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        history.save("Acme", _doc("r1", "2026-11-01T00:00:00+00:00"), regressed=False)
        broken = _doc("r2", "2026-11-02T00:00:00+00:00")
        broken["findings"].append({"check_id": "x"})  # no asset: fails after the run row
        with pytest.raises(KeyError):
            history.save("Acme", broken, regressed=False)
        assert [r.run_id for r in history.runs("Acme")] == ["r1"]
    db = sqlite3.connect(tmp_path / "h.db")
    assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == 3


def test_retention_keeps_the_newest_runs_and_their_findings_only(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        for day in range(1, 6):
            history.save("Acme", _doc(f"r{day}", f"2026-11-0{day}T00:00:00+00:00"), False)
        assert history.prune("Acme", 2) == 3
        assert [r.run_id for r in history.runs("Acme")] == ["r4", "r5"]
    db = sqlite3.connect(tmp_path / "h.db")
    assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == 6


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
