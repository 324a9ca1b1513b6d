"""Portfolio audits against the lab, as cron would run them: history, drift, waivers, kills."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scanner.cli import main
from scanner.document.changes import is_empty
from scanner.history.lock import AuditLock
from scanner.history.sqlite import SqliteHistory as History
from scanner.lab import manager
from scanner.lab.providers import NAMESERVER

pytestmark = pytest.mark.lab

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lab-portfolio.toml"
VENDORS = ["Broken Networks", "Exemplary Hosting", "Legacy Systems", "Stale Signatures"]


def _network(lab: Path) -> list[str]:
    return [
        "--nameserver",
        NAMESERVER,
        "--ca-file",
        str(manager.ca_file(lab)),
        "--trust-anchors",
        str(manager.trust_anchors(lab)),
        "--allow-private",
    ]


def _args(lab: Path, root: Path, portfolio: Path = EXAMPLE, *more: str) -> list[str]:
    return [
        "audit",
        str(portfolio),
        *_network(lab),
        "--db",
        str(root / "h.db"),
        "--out",
        str(root / "reports"),
        *more,
    ]


@pytest.fixture(scope="module")
def audited(
    lab: Path, example_audit: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The example portfolio audited twice: the session's first audit (a webhook
    listening), copied, then audited again into the copy."""
    root = tmp_path_factory.mktemp("audit") / "twice"
    shutil.copytree(example_audit["root"], root)
    second = main(_args(lab, root))
    return {
        "root": root,
        "first": example_audit["proc"].returncode,
        "first_stderr": example_audit["proc"].stderr,
        "second": second,
        "webhook": example_audit["webhook"],
    }


def test_a_first_audit_is_a_baseline_not_a_regression(audited: dict[str, Any]) -> None:
    # Every vendor is new: its failures are news to us, not a change at the provider,
    # so the audit exits 0 and alerts only because --notify-always asked.
    assert audited["first"] == 0, audited["first_stderr"][-2000:]
    ((_, summary),) = audited["webhook"]
    assert [row["status"] for row in summary["vendors"]] == ["new"] * 4
    assert summary["regressed"] == 0 and summary["new"] == 4
    by_name = {row["vendor"]: row for row in summary["vendors"]}
    assert (
        by_name["Broken Networks"]["regressions"] == [] and by_name["Broken Networks"]["first_scan"]
    )


def test_an_audit_without_a_terminal_reports_progress_line_by_line(
    audited: dict[str, Any],
) -> None:
    # cron, CI and systemd give no terminal: no progress bar, a line per vendor.
    lines = [line for line in audited["first_stderr"].splitlines() if "vetscan: [" in line]
    assert sorted(line.split("] ")[1].split(":")[0] for line in lines) == VENDORS
    assert {line.split("]")[0] for line in lines} == {f"vetscan: [{n}/4" for n in range(1, 5)}
    assert all(": new, grade " in line for line in lines)


def test_the_overview_lists_owners_trends_and_the_portfolio_files(
    audited: dict[str, Any],
) -> None:
    reports = audited["root"] / "reports"
    index = (reports / "index.html").read_text()
    assert "owner: it-procurement@customer.example" in index
    assert "tags: hosting, tier-1" in index
    assert "F → F" in index  # Broken Networks, two runs
    assert "question(s)</a>" in index and "#questions" in index
    summary = json.loads((reports / "portfolio.json").read_text())
    assert {r["vendor"] for r in summary["vendors"]} == set(VENDORS)
    rows = (reports / "portfolio.csv").read_text().splitlines()
    assert rows[0].startswith("vendor,owner,tags,status,grade,overall,")
    assert len(rows) == 1 + 4


def test_an_unchanged_portfolio_audited_again_shows_no_drift(audited: dict[str, Any]) -> None:
    assert audited["second"] == 0
    with History(audited["root"] / "h.db") as history:
        assert history.vendors() == VENDORS
        for vendor in VENDORS:
            runs = history.runs(vendor)
            assert len(runs) == 2
            latest = history.get(runs[-1].run_id)
            assert latest is not None and latest["changes"] is not None
            # Nothing changed at the lab, so nothing may look changed: no volatile
            # value (countdowns, set orders, timestamps) leaks into the comparison.
            assert is_empty(latest["changes"]), (vendor, latest["changes"])
    reports = audited["root"] / "reports"
    assert len(list(reports.glob("*.html"))) == 2 * 4 + 2 + 1  # reports, 2 overviews, index
    page = max(reports.glob("legacy-systems-*.html")).read_text()
    assert "Compared with the scan of" in page


def test_a_waiver_is_shown_as_accepted_and_kept_out_of_questions(audited: dict[str, Any]) -> None:
    with History(audited["root"] / "h.db") as history:
        doc = history.previous("Legacy Systems")
    assert doc is not None
    waived = [f for f in doc["findings"] if f.get("waiver")]
    assert waived and all(f["check_id"] == "service.database_exposed" for f in waived)
    assert all(f["status"] == "fail" and f["waiver"]["active"] for f in waived)
    assert "service.database_exposed" not in {q["check_id"] for q in doc["questions"]}
    assert doc["adjusted_scores"]["overall"] > doc["scores"]["overall"]
    page = max((audited["root"] / "reports").glob("legacy-systems-*.html")).read_text()
    assert "Accepted by CISO, customer.example until 2027-06-30" in page


def test_the_day_a_waiver_expires_its_failure_is_a_regression(
    lab: Path, audited: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = datetime.now(UTC).date().isoformat()
    text = EXAMPLE.read_text().replace("expires = 2027-06-30", f"expires = {today}")
    legacy_only = text[text.index('[[vendor]]\nname = "Legacy Systems"') :]
    legacy_only = legacy_only[: legacy_only.index('[[vendor]]\nname = "Broken')]
    (tmp_path / "p.toml").write_text(legacy_only)
    code = main(_args(lab, audited["root"], tmp_path / "p.toml", "--retention", "2"))
    out = capsys.readouterr().out
    assert code == 1
    assert "REGRESSED Legacy Systems" in out and "critical: Database exposure on" in out
    with History(audited["root"] / "h.db") as history:
        assert len(history.runs("Legacy Systems")) == 2  # retention pruned the oldest


def test_an_overlapping_run_exits_at_once_with_its_own_code(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AuditLock(tmp_path / "h.db"):
        start = time.monotonic()
        assert main(_args(lab, tmp_path)) == 4
    assert time.monotonic() - start < 2
    assert "another vetscan audit" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


def test_a_corrupt_history_stops_the_audit_and_is_left_untouched(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "h.db").write_bytes(b"garbage" * 1000)
    assert main(_args(lab, tmp_path)) == 3
    assert "unusable" in capsys.readouterr().err
    assert (tmp_path / "h.db").read_bytes() == b"garbage" * 1000


PASSIVE = [
    f'[[vendor]]\nname = "{n}"\ndomains = ["{d}"]\nprofile = "passive"\n'
    for n, d in [
        ("Exemplary Hosting", "exemplary.test"),
        ("Legacy Systems", "legacy.test"),
        ("Broken Networks", "broken.test"),
        ("Stale Signatures", "stale.test"),
    ]
]


def _spawn(lab: Path, root: Path, portfolio: Path) -> subprocess.Popen[str]:
    args = _args(lab, root, portfolio, "--jobs", "1", "-q")
    return subprocess.Popen(
        [sys.executable, "-m", "scanner", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_runs(db: Path, count: int, proc: subprocess.Popen[str], limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                    if conn.execute("SELECT count(*) FROM runs").fetchone()[0] >= count:
                        return
            except sqlite3.OperationalError:
                pass
        time.sleep(0.1)
    pytest.fail("the audit stored nothing in time")


def _fingerprints(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_audit_leaves_history_and_reports_intact(
    lab: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    portfolio = tmp_path / "p.toml"
    portfolio.write_text("\n".join(PASSIVE))
    assert main([*_args(lab, tmp_path, portfolio), "-q"]) == 0  # a complete first run
    before = _fingerprints(tmp_path / "reports")

    proc = _spawn(lab, tmp_path, portfolio)
    _wait_for_runs(tmp_path / "h.db", 5, proc)  # the second run is mid-way
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if sig == signal.SIGTERM:
        assert proc.returncode == 3 and "interrupted" in err, err
    else:
        assert proc.returncode == -signal.SIGKILL

    db = sqlite3.connect(tmp_path / "h.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for run_id, blob_findings in db.execute(
        "SELECT r.id, count(f.run) FROM runs r LEFT JOIN findings f ON f.run = r.id GROUP BY r.id"
    ):
        assert blob_findings > 0, run_id  # no run without its findings
    stored = db.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert 5 <= stored < 8
    db.close()
    after = _fingerprints(tmp_path / "reports")
    assert {k: v for k, v in after.items() if k in before} == before  # earlier reports untouched

    assert main([*_args(lab, tmp_path, portfolio), "-q"]) in (0, 1)  # the next run completes
    with History(tmp_path / "h.db") as history:
        assert all(len(history.runs(v)) >= 2 for v in VENDORS)


def test_progress_bar_on_a_terminal_only(lab: Path, tmp_path: Path) -> None:
    portfolio = tmp_path / "p.toml"
    portfolio.write_text(PASSIVE[0])
    args = [sys.executable, "-m", "scanner", *_args(lab, tmp_path, portfolio)]
    plain = subprocess.run(args, capture_output=True, text=True, timeout=120)
    # Without a terminal: one plain line per vendor, never a bar's control characters.
    assert plain.returncode == 0 and plain.stderr.startswith("vetscan: [1/1] ")
    assert "\r" not in plain.stderr and "\x1b" not in plain.stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    assert b"vendor" in seen and b"1/1" in seen


def test_history_and_diff_commands(
    audited: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(audited["root"] / "h.db")
    capsys.readouterr()
    assert main(["history", "Exemplary Hosting", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 2 and all(" A+ " in line or " A " in line for line in lines)
    assert main(["diff", "Exemplary Hosting", "--db", db, "--json"]) == 0
    assert is_empty(json.loads(capsys.readouterr().out))
    assert main(["diff", "Nobody", "--db", db]) == 2
    run_id = lines[0].split()[1]
    out = audited["root"] / "reissued"
    assert main(["report", "--run", run_id, "--db", db, "--out", str(out), "-q"]) == 0
    assert run_id in next(out.glob("*.html")).read_text()
