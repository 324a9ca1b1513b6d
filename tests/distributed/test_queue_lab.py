"""Portfolio audits through the queue, with real parts: Debian's redis-server as the
broker, a throwaway PostgreSQL cluster as the shared history, and `vetscan worker`
processes (Celery, prefork) scanning the lab's providers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from support.queue import WorkerProcess, new_database
from support.receivers import Receiver

from scanner.history.stores import open_store
from scanner.lab import manager
from scanner.lab.providers import NAMESERVER

pytestmark = pytest.mark.lab

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lab-portfolio.toml"
SECRET = "Pg-s3cret-9"


def _network(lab: Path) -> list[str]:
    return [
        "--nameserver", NAMESERVER, "--ca-file", str(manager.ca_file(lab)),
        "--trust-anchors", str(manager.trust_anchors(lab)), "--allow-private",
    ]  # fmt: skip


def _with_password(url: str) -> str:
    # Trust authentication ignores it; the point is that it never shows anywhere.
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{SECRET}@")


def _broker(redis_url: str, number: int) -> str:
    """A Redis database of the test's own: queues of other tests never mix in."""
    return f"{redis_url.rsplit('/', 1)[0]}/{number}"


def vetscan(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args], capture_output=True, text=True, timeout=timeout
    )


def _findings(doc: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {(f["check_id"], f["asset"], f["status"], f["severity"]) for f in doc["findings"]}


@pytest.fixture(scope="module")
def audits(
    lab: Path,
    postgres: str,
    redis_url: str,
    example_audit: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Any]]:
    """The example portfolio audited locally (the session's audit, SQLite), then
    through the queue by two worker processes of two scans each (PostgreSQL)."""
    root = tmp_path_factory.mktemp("queued")
    db = _with_password(new_database(postgres))
    broker = _broker(redis_url, 1)
    local = example_audit["proc"]
    workers = [
        WorkerProcess(broker, db, root / f"worker{n}.log", "--concurrency", "2") for n in range(2)
    ]
    receiver = Receiver()
    try:
        for worker in workers:
            worker.wait_for("vetscan worker ready")
        queued = vetscan(
            "audit", str(EXAMPLE), *_network(lab), "--queue", broker, "--db", db,
            "--out", str(root / "queued"), "--notify-webhook", receiver.url, "--notify-always",
        )  # fmt: skip
    finally:
        receiver.close()
        for worker in workers:
            worker.stop()
    yield {
        "root": root,
        "local_db": example_audit["root"] / "h.db",
        "db": db,
        "local": local,
        "queued": queued,
        "workers": workers,
        "webhook": receiver.bodies,
    }


def test_a_queued_audit_gives_the_results_of_a_local_one(audits: dict[str, Any]) -> None:
    local, queued = audits["local"], audits["queued"]
    assert queued.returncode == local.returncode == 0, queued.stderr

    # The same summary, vendor by vendor (only the paths and the history's location differ).
    def verdicts(out: str) -> list[str]:
        return [
            line
            for line in out.splitlines()
            if not line.lstrip().startswith(("report:", "overview:")) and "history" not in line
        ]

    assert verdicts(queued.stdout) == verdicts(local.stdout)
    assert queued.stdout.count("report: ") == 4
    with (
        open_store(f"sqlite:///{audits['local_db']}", read_only=True) as here,
        open_store(audits["db"], read_only=True) as shared,
    ):
        assert shared.vendors() == here.vendors()
        for vendor in here.vendors():
            (mine,), (theirs,) = here.runs(vendor), shared.runs(vendor)
            a, b = here.get(mine.run_id), shared.get(theirs.run_id)
            assert a is not None and b is not None
            assert (b["scores"]["grade"], b["scores"]["overall"]) == (
                a["scores"]["grade"],
                a["scores"]["overall"],
            ), vendor
            assert _findings(b) == _findings(a), vendor
            assert b["adjusted_scores"] == a["adjusted_scores"], vendor


def test_the_alert_carries_the_summary_a_local_audit_would_send(audits: dict[str, Any]) -> None:
    ((_, summary),) = audits["webhook"]
    rows = {r["vendor"]: r for r in summary["vendors"]}
    assert [r["status"] for r in summary["vendors"]] == ["new"] * 4
    assert rows["Legacy Systems"]["adjusted_grade"] and rows["Legacy Systems"]["reports"]
    assert summary["history"].startswith("postgresql://postgres:***@")


def test_each_vendor_is_stored_once_with_its_audit_run(audits: dict[str, Any]) -> None:
    with psycopg.connect(audits["db"]) as db:
        rows = db.execute("SELECT vendor, count(*) FROM runs GROUP BY vendor").fetchall()
        (audit_run,) = {r[0] for r in db.execute("SELECT audit_run FROM runs").fetchall()}
        outcomes = db.execute("SELECT count(*) FROM audit_outcomes").fetchone()
    assert sorted(rows) == [
        ("Broken Networks", 1),
        ("Exemplary Hosting", 1),
        ("Legacy Systems", 1),
        ("Stale Signatures", 1),
    ]
    assert audit_run and outcomes == (4,)
    assert f"audit run {audit_run}" in audits["queued"].stderr


def test_the_coordinator_writes_the_reports_and_any_machine_renders_the_same(
    audits: dict[str, Any], tmp_path: Path
) -> None:
    reports = audits["root"] / "queued"
    pages = sorted(p.name for p in reports.glob("*.html"))
    assert "index.html" in pages and len(pages) == 4 + 2  # vendors, overview, index
    page = max(reports.glob("legacy-systems-*.html"))
    assert "Accepted by CISO, customer.example until 2027-06-30" in page.read_text()
    document = json.loads(max(reports.glob("legacy-systems-*.json")).read_text())
    again = vetscan(
        "report", "--run", document["scan"]["run_id"], "--db", audits["db"],
        "--out", str(tmp_path), "--format", "html,json",
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    (html,) = tmp_path.glob("*.html")
    (js,) = tmp_path.glob("*.json")
    assert html.read_bytes() == page.read_bytes()
    assert json.loads(js.read_text()) == document


def test_no_password_reaches_output_logs_or_reports(audits: dict[str, Any]) -> None:
    queued = audits["queued"]
    assert "***@" in queued.stdout  # the history's location, redacted
    texts = [queued.stdout, queued.stderr, *(w.text() for w in audits["workers"])]
    texts += [p.read_text(errors="replace") for p in (audits["root"] / "queued").iterdir()]
    assert not [t for t in texts if SECRET in t]


def test_killing_a_worker_mid_scan_loses_and_duplicates_nothing(
    lab: Path, postgres: str, redis_url: str, tmp_path: Path
) -> None:
    db = new_database(postgres)
    broker = _broker(redis_url, 2)
    names = [f"Copy {n}" for n in range(1, 5)]
    portfolio = tmp_path / "p.toml"
    portfolio.write_text(
        "".join(f'[[vendor]]\nname = "{n}"\ndomains = ["stale.test"]\n' for n in names)
    )
    # One scan at a time each; a message taken by a lost worker comes back after 12 s
    # (a scan of stale.test takes about 7 s).
    options = ("--concurrency", "1", "--visibility-timeout", "12", "-v")
    doomed = WorkerProcess(broker, db, tmp_path / "doomed.log", *options)
    survivor = WorkerProcess(broker, db, tmp_path / "survivor.log", *options)
    try:
        doomed.wait_for("vetscan worker ready")
        survivor.wait_for("vetscan worker ready")
        coordinator = subprocess.Popen(
            [sys.executable, "-m", "scanner", "audit", str(portfolio), *_network(lab),
             "--queue", broker, "--db", db, "--out", str(tmp_path / "reports"), "-q"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        doomed.wait_for("received", 60)
        time.sleep(1.0)  # well inside the scan
        doomed.kill()
        out, err = coordinator.communicate(timeout=300)
    finally:
        doomed.stop()
        survivor.stop()
    assert coordinator.returncode == 0, (out, err, survivor.text())
    with psycopg.connect(db) as pg:
        stored = pg.execute("SELECT vendor, count(*) FROM runs GROUP BY vendor").fetchall()
        findings = pg.execute(
            "SELECT count(DISTINCT run) = count(DISTINCT r.id) FROM findings f "
            "JOIN runs r ON r.id = f.run"
        ).fetchone()
        outcomes = pg.execute("SELECT count(*) FROM audit_outcomes").fetchone()
    assert sorted(stored) == [(n, 1) for n in names]
    assert findings == (True,) and outcomes == (4,)
    assert "received" in survivor.text()


def test_concurrent_audits_on_one_history_are_refused(
    lab: Path, postgres: str, redis_url: str, tmp_path: Path
) -> None:
    db = new_database(postgres)
    with open_store(db) as history, history.lock():
        start = time.monotonic()
        result = vetscan(
            "audit", str(EXAMPLE), *_network(lab), "--queue", _broker(redis_url, 3), "--db", db,
            "--out", str(tmp_path),
        )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert "another vetscan audit" in result.stderr and time.monotonic() - start < 10
    assert not list(tmp_path.iterdir())


def test_a_dead_broker_is_one_clear_error_and_leaves_nothing(
    lab: Path, postgres: str, tmp_path: Path
) -> None:
    db = new_database(postgres)
    result = vetscan(
        "audit", str(EXAMPLE), *_network(lab), "--queue", "redis://:hunter22@127.0.40.1:1/0",
        "--db", db, "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 3
    (line,) = result.stderr.strip().splitlines()
    assert "broker redis://:***@127.0.40.1:1/0 cannot be reached" in line
    assert "hunter22" not in result.stderr + result.stdout
    with psycopg.connect(db) as pg:
        assert pg.execute("SELECT count(*) FROM audits").fetchone() == (0,)
    assert not list(tmp_path.iterdir())


def test_a_dead_database_is_one_clear_error(lab: Path, redis_url: str, tmp_path: Path) -> None:
    url = f"postgresql://auditor:{SECRET}@127.0.40.2:1/vetscan"
    for command in (
        ["audit", str(EXAMPLE), *_network(lab), "--queue", _broker(redis_url, 4), "--db", url],
        ["worker", "--queue", _broker(redis_url, 4), "--db", url],
    ):
        result = (
            vetscan(*command, "--out", str(tmp_path))
            if command[0] == "audit"
            else vetscan(*command)
        )
        assert result.returncode == 3, (command[0], result.stderr)
        (line,) = result.stderr.strip().splitlines()
        assert "postgresql://auditor:***@127.0.40.2:1/vetscan" in line
        assert SECRET not in result.stderr + result.stdout


def test_a_queued_audit_needs_a_shared_history(tmp_path: Path) -> None:
    result = vetscan(
        "audit", str(EXAMPLE), "--queue", "redis://127.0.40.1:1/0", "--db", str(tmp_path / "h.db")
    )
    assert result.returncode == 2
    assert "needs a history every worker can reach" in result.stderr


def test_history_migrate_copies_a_local_history_to_postgresql(
    audits: dict[str, Any], postgres: str, tmp_path: Path
) -> None:
    source = f"sqlite:///{audits['local_db']}"
    target = _with_password(new_database(postgres))
    before = audits["local_db"].read_bytes()
    first = vetscan("history", "migrate", "--from", source, "--to", target)
    assert first.returncode == 0, first.stderr
    assert "copied 4 run(s) of 4 vendor(s)" in first.stdout and SECRET not in first.stdout
    again = vetscan("history", "migrate", "--from", source, "--to", target)
    assert "copied 0 run(s)" in again.stdout and "(4 already there)" in again.stdout
    assert audits["local_db"].read_bytes() == before  # the source is only read
    listed = vetscan("history", "--db", target)
    assert [line.split(":")[0] for line in listed.stdout.split("\n")[:4]] == [
        "Broken Networks", "Exemplary Hosting", "Legacy Systems", "Stale Signatures",
    ]  # fmt: skip
    assert all("(1 run(s), last " in line for line in listed.stdout.split("\n")[:4])
    with open_store(source, read_only=True) as history:
        (run,) = history.runs("Legacy Systems")
    pages = []
    for n, db in enumerate((source, target)):
        out = tmp_path / str(n)
        result = vetscan("report", "--run", run.run_id, "--db", db, "--out", str(out))
        assert result.returncode == 0, result.stderr
        (page,) = out.glob("*.html")
        pages.append(page.read_bytes())
    assert pages[0] == pages[1]


def _vendor_files(folder: Path) -> dict[str, int]:
    """The vendors' report files (not the overview) and when each was written."""
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("resumed-*")}


def test_a_coordinator_killed_mid_audit_is_resumed_and_collects_everything(
    lab: Path, postgres: str, redis_url: str, tmp_path: Path
) -> None:
    db = new_database(postgres)
    broker = _broker(redis_url, 6)
    names = [f"Resumed {n}" for n in range(1, 5)]
    portfolio = tmp_path / "p.toml"
    portfolio.write_text(
        "".join(f'[[vendor]]\nname = "{n}"\ndomains = ["stale.test"]\n' for n in names)
    )
    worker = WorkerProcess(broker, db, tmp_path / "w.log", "--concurrency", "2")
    err = (tmp_path / "coordinator.err").open("w+")
    try:
        worker.wait_for("vetscan worker ready")
        coordinator = subprocess.Popen(
            [sys.executable, "-m", "scanner", "audit", str(portfolio), *_network(lab),
             "--queue", broker, "--db", db, "--out", str(tmp_path / "first")],
            stdout=subprocess.DEVNULL, stderr=err, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while "audit run " not in (tmp_path / "coordinator.err").read_text():
            assert time.monotonic() < deadline, (tmp_path / "coordinator.err").read_text()
            time.sleep(0.1)
        coordinator.kill()  # SIGKILL: its tasks are queued, the workers go on
        coordinator.wait()
        said = (tmp_path / "coordinator.err").read_text()
        audit_run = said.split("audit run ", 1)[1].split(":", 1)[0]
        resumed = vetscan(
            "audit", "--queue", broker, "--db", db, "--resume", audit_run,
            "--out", str(tmp_path / "second"),
        )  # fmt: skip
        # Resumed again into the same folder: the reports are there already, and are
        # neither written twice nor replaced.
        before = _vendor_files(tmp_path / "second")
        again = vetscan(
            "audit", "--queue", broker, "--db", db, "--resume", audit_run,
            "--out", str(tmp_path / "second"),
        )  # fmt: skip
        unknown = vetscan(
            "audit", "--queue", broker, "--db", db, "--resume", "20261130T000000Z-ffffffff"
        )
    finally:
        err.close()
        worker.stop()
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.count("NEW ") == 4
    with psycopg.connect(db) as pg:
        stored = pg.execute("SELECT vendor, count(*) FROM runs GROUP BY vendor").fetchall()
    assert sorted(stored) == [(n, 1) for n in names]
    assert len(list((tmp_path / "second").glob("resumed-*.html"))) == 4
    assert again.returncode == 0, again.stderr

    def reports(out: str) -> list[str]:
        return sorted(
            line.split("report: ", 1)[1] for line in out.splitlines() if "report: " in line
        )

    assert reports(again.stdout) == reports(resumed.stdout) and len(reports(again.stdout)) == 4
    assert _vendor_files(tmp_path / "second") == before
    assert unknown.returncode == 2 and "no queued audit" in unknown.stderr
