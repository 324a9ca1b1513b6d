"""Both history stores keep the same promises: SQLite (the default) and PostgreSQL
(shared by the workers of a queued audit), each against a real server."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from support.queue import new_database

from scanner.document.answers import Answer
from scanner.errors import HistoryUnusable, LockHeld
from scanner.history.base import HistoryStore
from scanner.history.records import StoredRun
from scanner.history.stores import open_store


def _doc(run: str, started: str, grade: str = "B", findings: int = 3) -> dict[str, Any]:
    return {
        "scan": {"run_id": run, "started": started, "finished": started, "profile": "default"},
        "scores": {"grade": grade, "overall": 81.5},
        "findings": [
            {
                "check_id": f"x.c{i}",
                "asset": "a.test",
                "status": "fail" if i == 0 else "pass",
                "severity": "low",
                "detail": "d é \u2014 <b>",
                "evidence": {"n": i, "list": [1.5, None, True]},
            }
            for i in range(findings)
        ],
        "integrity": {"sha256": "ab" * 32},
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/h.db"
    else:
        yield new_database(request.getfixturevalue("postgres"))


def _count(location: str, table: str) -> int:
    if location.startswith("sqlite"):
        import sqlite3

        db = sqlite3.connect(location.removeprefix("sqlite://"))
        value = int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        db.close()
        return value
    with psycopg.connect(location) as pg:
        row = pg.execute(f"SELECT count(*) FROM {table}".encode()).fetchone()
        assert row is not None
        return int(row[0])


def test_runs_are_stored_whole_and_read_back_in_order(location: str) -> None:
    with open_store(location) as history:
        history.save("Acme", _doc("r1", "2026-11-01T00:00:00+00:00"), regressed=True)
        history.save("Acme", _doc("r2", "2026-11-02T00:00:00+00:00", "A"), regressed=False)
        history.save("Beta", _doc("r3", "2026-11-02T00:00:00+00:00"), regressed=False)
        assert [r.run_id for r in history.runs("Acme")] == ["r1", "r2"]
        first = history.runs("Acme")[0]
        assert first.regressed and first.failed_checks == 1 and first.grade == "B"
        latest = history.previous("Acme")
        assert latest is not None and latest["scan"]["run_id"] == "r2"
        assert history.get("r1") == _doc("r1", "2026-11-01T00:00:00+00:00")
        assert history.get("nope") is None
        assert history.vendors() == ["Acme", "Beta"]
        history.check()
    assert _count(location, "findings") == 9


def test_a_failed_save_leaves_nothing_behind(location: str) -> None:
    with open_store(location) as history:
        history.save("Acme", _doc("r1", "2026-11-01T00:00:00+00:00"), regressed=False)
        broken = _doc("r2", "2026-11-02T00:00:00+00:00")
        broken["findings"].append({"check_id": "x"})  # no asset: fails after the run row
        with pytest.raises(KeyError):
            history.save("Acme", broken, regressed=False)
        assert [r.run_id for r in history.runs("Acme")] == ["r1"]
    assert _count(location, "findings") == 3


def test_retention_keeps_the_newest_runs_and_their_findings(location: str) -> None:
    with open_store(location) as history:
        for day in range(1, 6):
            history.save("Acme", _doc(f"r{day}", f"2026-11-0{day}T00:00:00+00:00"), False)
        assert history.prune("Acme", 2) == 3
        assert [r.run_id for r in history.runs("Acme")] == ["r4", "r5"]
    assert _count(location, "findings") == 6


def test_an_audit_stores_each_vendor_once_whatever_runs_twice(location: str) -> None:
    with open_store(location) as history:
        history.save("Acme", _doc("old", "2026-10-01T00:00:00+00:00"), False)
        history.begin_audit("A1", {"vendors": ["Acme", "Beta"]})
        row = {"vendor": "Acme", "status": "ok"}
        assert history.save("Acme", _doc("s1", "2026-11-01T00:00:00+00:00"), False, "A1", row)
        # The same vendor scanned again by another worker (a redelivered task).
        again = _doc("s2", "2026-11-01T00:01:00+00:00")
        assert not history.save("Acme", again, False, "A1", {**row, "status": "dup"})
        assert not history.record_outcome("A1", "Acme", {"status": "error"})
        assert history.record_outcome("A1", "Beta", {"vendor": "Beta", "status": "error"})
        assert [r.run_id for r in history.runs("Acme")] == ["old", "s1"]
        assert history.outcomes("A1") == {
            "Acme": row,
            "Beta": {"vendor": "Beta", "status": "error"},
        }
        assert history.audit_manifest("A1") == {"vendors": ["Acme", "Beta"]}
        assert history.audit_manifest("A2") is None
        # A worker compares with the run before this audit, not with its own.
        before = history.previous("Acme", exclude_audit="A1")
        assert before is not None and before["scan"]["run_id"] == "old"
        latest = history.previous("Acme")
        assert latest is not None and latest["scan"]["run_id"] == "s1"


def test_concurrent_writers_lose_nothing_and_never_interleave(location: str) -> None:
    with open_store(location):
        pass  # created and migrated once, as `vetscan worker` does at start

    def writer(n: int) -> None:
        with open_store(location, verify=False) as history:
            for i in range(8):
                doc = _doc(f"w{n}-{i}", f"2026-11-01T00:{n:02d}:{i:02d}+00:00", findings=5)
                history.save(f"V{n}", doc, regressed=False)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open_store(location, read_only=True) as history:
        assert len(history.vendors()) == 6
        for n in range(6):
            runs = history.runs(f"V{n}")
            assert [r.run_id for r in runs] == [f"w{n}-{i}" for i in range(8)]
            for run in runs:
                doc = history.get(run.run_id)
                assert doc is not None and len(doc["findings"]) == 5
    assert _count(location, "findings") == 6 * 8 * 5


def test_the_audit_lock_is_exclusive_and_dies_with_its_holder(location: str) -> None:
    with open_store(location) as history:
        with history.lock():
            with pytest.raises(LockHeld, match="another vetscan audit"):
                with history.lock():
                    pass
        # A holder killed with SIGKILL leaves no stale lock behind.
        holder = subprocess.Popen(
            [
                sys.executable, "-c",
                "import sys, time\n"
                "from scanner.history.stores import open_store\n"
                "h = open_store(sys.argv[1])\n"
                "lock = h.lock(); lock.__enter__(); print('held', flush=True); time.sleep(60)",
                location,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld):
            with history.lock():
                pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        deadline = time.monotonic() + 10
        while True:
            try:
                with history.lock():
                    break
            except LockHeld:
                assert time.monotonic() < deadline, "the lock outlived its holder"
                time.sleep(0.1)


def test_export_and_import_copy_runs_once(location: str, tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path}/source.db"
    with open_store(source) as history:
        history.save("Acme", _doc("r1", "2026-11-01T00:00:00+00:00"), True)
        history.save("Beta", _doc("r2", "2026-11-02T00:00:00+00:00"), False)
        runs: list[StoredRun] = list(history.export())
    with open_store(location) as target:
        assert target.import_runs(runs) == (0 if location == source else 2)
        assert target.import_runs(runs) == 0
        assert target.get("r1") == _doc("r1", "2026-11-01T00:00:00+00:00")
        assert target.runs("Acme")[0].regressed


def test_postgres_refuses_someone_elses_tables_and_leaves_them(postgres: str) -> None:
    url = new_database(postgres)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE runs (x int)")
        db.execute("INSERT INTO runs VALUES (7)")
    with pytest.raises(HistoryUnusable, match="not a vetscan history"):
        open_store(url)
    with psycopg.connect(url) as db:
        assert db.execute("SELECT x FROM runs").fetchall() == [(7,)]
        tables = db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        assert tables == [("runs",)]


def test_postgres_read_only_never_creates_a_history(postgres: str) -> None:
    url = new_database(postgres)
    with pytest.raises(HistoryUnusable, match="no vetscan history"):
        open_store(url, read_only=True)
    with psycopg.connect(url) as db:
        assert db.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone() == (0,)


def test_a_database_password_never_reaches_a_message() -> None:
    url = "postgresql://auditor:Sup3r-s3cret%21@127.0.40.2:1/vetscan"
    with pytest.raises(HistoryUnusable) as caught:
        open_store(url)
    message = str(caught.value)
    assert "Sup3r" not in message and "s3cret" not in message
    assert "postgresql://auditor:***@127.0.40.2:1/vetscan" in message


def test_a_store_is_a_history_store(location: str) -> None:
    with open_store(location) as history:
        store: HistoryStore = history
        assert "***" not in store.location or "@" in store.location


def _answer(check: str, status: str, on: str, vendor: str = "Acme") -> Answer:
    return Answer(
        vendor=vendor, run_id="r1", check_id=check, status=status, response="r \u2014 <b>",
        answered_by="ops@acme.test", answered_on=on,
        expires="2027-06-30" if status == "accepted" else None,
        recorded_at=f"{on}T10:00:00+00:00", source="answers.csv",
    )  # fmt: skip


def test_answers_are_kept_per_vendor_whole_and_in_order(location: str) -> None:
    answers = [_answer("x.c0", "fixed", "2026-12-08"), _answer("x.c1", "accepted", "2026-12-09")]
    with open_store(location) as history:
        assert history.record_answers(answers) == 2
        history.record_answers([_answer("x.c0", "disputed", "2026-12-10", vendor="Other")])
        assert history.answers("Acme") == answers
        assert [a.status for a in history.answers("Other")] == ["disputed"]
        assert history.answers("Nobody") == []
    # All or none: a batch with a row the database refuses leaves nothing.
    broken = dataclasses.replace(answers[0], check_id=None)  # type: ignore[arg-type]
    with open_store(location) as history:
        with pytest.raises(HistoryUnusable):
            history.record_answers([_answer("x.c2", "fixed", "2026-12-11"), broken])
        assert len(history.answers("Acme")) == 2


def test_history_migrate_carries_the_answers_once(location: str, tmp_path: Path) -> None:
    from scanner import api

    source = f"sqlite:///{tmp_path}/old.db"
    with open_store(source) as old:
        old.save("Acme", _doc("r1", "2026-12-01T00:00:00+00:00"), False)
        old.record_answers([_answer("x.c0", "fixed", "2026-12-08")])
    for _ in range(2):
        api.migrate_history(source, location)
    with open_store(location) as history:
        assert [a.check_id for a in history.answers("Acme")] == ["x.c0"]
