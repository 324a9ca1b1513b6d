"""Time to fix (#27 item 8) on a history of real scans: a provider on the lab's
turnover.test runs vsftpd 2.3.4 and a Redis without a password; the portfolio is
audited (as cron does), the FTP server is taken down, audited again, Redis gets a
password, audited a third time. The third run's document, report and overview say
what was fixed, after how long, and what is still open."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import lab_network

from scanner.history.sqlite import SqliteHistory
from scanner.lab import backends
from scanner.lab.providers import TURNOVER_ADDRESS, TURNOVER_DOMAIN

pytestmark = pytest.mark.lab

VENDOR = "Turnover Hosting"
PORTFOLIO = f"""
[[vendor]]
name = "{VENDOR}"
domains = ["{TURNOVER_DOMAIN}"]
"""


class Services:
    """Real servers on the turnover host: the lab's vsftpd 2.3.4 greeter, Debian's
    redis-server."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        config = folder / "banners.json"
        config.write_text(
            json.dumps([{"address": TURNOVER_ADDRESS, "port": 21, "service": "ftp", "version": ""}])
        )
        self.ftp: subprocess.Popen[str] | None = subprocess.Popen(
            [sys.executable, "-m", "scanner.lab.banners", str(config)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.ftp.stdout is not None and "ready" in self.ftp.stdout.readline()
        self.redis = backends.start_redis(folder / "redis-1", 6379, TURNOVER_ADDRESS)

    def stop_ftp(self) -> None:
        if self.ftp is not None:
            self.ftp.terminate()
            self.ftp.wait(10)
            self.ftp = None

    def protect_redis(self) -> None:
        backends.stop_redis(self.redis)
        self.redis = backends.start_redis(
            self.folder / "redis-2", 6379, TURNOVER_ADDRESS, password="turnover-secret"
        )

    def close(self) -> None:
        self.stop_ftp()
        backends.stop_redis(self.redis)


def _audit(lab: Path, root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "scanner", "audit", str(root / "portfolio.toml"),
            *lab_network(lab), "--db", str(root / "h.db"), "--out", str(root / "reports"),
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def history(lab: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("turnover")
    (root / "portfolio.toml").write_text(PORTFOLIO)
    services = Services(root)
    overviews = []
    try:
        runs = [_audit(lab, root)]
        overviews.append((root / "reports" / "index.html").read_text())
        services.stop_ftp()
        runs.append(_audit(lab, root))
        overviews.append((root / "reports" / "index.html").read_text())
        services.protect_redis()
        runs.append(_audit(lab, root))
        overviews.append((root / "reports" / "index.html").read_text())
    finally:
        services.close()
    with SqliteHistory(root / "h.db") as store:
        documents = [store.get(r.run_id) for r in store.runs(VENDOR)]
    yield {"root": root, "runs": runs, "documents": documents, "overviews": overviews}


def _started(doc: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(doc["scan"]["started"])


def test_three_audits_were_stored(history: dict[str, Any]) -> None:
    for proc in history["runs"]:
        assert proc.returncode in (0, 1), proc.stderr  # 1: the first baseline fails checks
    assert len(history["documents"]) == 3


def test_the_first_run_needs_a_second(history: dict[str, Any]) -> None:
    first = history["documents"][0]["cadence"]
    assert first["runs"] == 1 and first["fixed"] == []
    assert {(e["check_id"], e["asset"]) for e in first["open"]} >= {
        ("service.outdated_version", f"{TURNOVER_ADDRESS}:21"),
        ("service.unauthenticated_access", f"{TURNOVER_ADDRESS}:6379"),
    }
    assert "needs two runs" in history["overviews"][0]


def test_each_fix_is_timed_from_first_found_to_found_fixed(history: dict[str, Any]) -> None:
    one, two, three = history["documents"]
    ledger = three["cadence"]
    fixed = {(e["check_id"], e["asset"]): e for e in ledger["fixed"]}
    ftp = f"{TURNOVER_ADDRESS}:21"
    # The FTP server went away with its host still scanned: every failure on it is fixed.
    for check in ("service.outdated_version", "service.known_vulnerabilities",
                  "service.cleartext_file_transfer"):  # fmt: skip
        episode = fixed[(check, ftp)]
        assert episode["fixed_run"] == two["scan"]["run_id"]
        assert episode["seconds"] == round((_started(two) - _started(one)).total_seconds())
        assert episode["before_history"]  # found in the first run: maybe older
    # Redis asks for a password now (its version is no longer told either).
    redis = fixed[("service.unauthenticated_access", f"{TURNOVER_ADDRESS}:6379")]
    assert redis["fixed_run"] == three["scan"]["run_id"]
    assert redis["seconds"] == round((_started(three) - _started(one)).total_seconds())
    # Still exposed (with a password now): open since the first run.
    still = {(e["check_id"], e["asset"]) for e in ledger["open"]}
    assert ("service.database_exposed", f"{TURNOVER_ADDRESS}:6379") in still
    exposure = ledger["areas"]["exposure"]
    assert exposure["fixed"] >= 2 and exposure["open"] >= 1
    assert exposure["worst_seconds"] == redis["seconds"]
    hygiene = ledger["areas"]["hygiene"]
    assert (
        hygiene["fixed"] >= 1
        and hygiene["median_seconds"] == fixed[("service.outdated_version", ftp)]["seconds"]
    )


def test_what_changed_says_resolved_not_unseen_for_the_closed_port(
    history: dict[str, Any],
) -> None:
    changes = history["documents"][1]["changes"]
    resolved = {(c["check_id"], c["asset"]) for c in changes["resolved"]}
    assert ("service.outdated_version", f"{TURNOVER_ADDRESS}:21") in resolved
    assert not [c for c in changes["no_longer_assessed"] if c["asset"].endswith(":21")]


def test_the_report_and_the_overview_show_the_times(history: dict[str, Any]) -> None:
    three = history["documents"][2]
    run_id = three["scan"]["run_id"]
    (page,) = [p for p in (history["root"] / "reports").glob("*.html") if run_id in p.read_text()
               and p.name != "index.html"]  # fmt: skip
    html = page.read_text()
    assert "How fast failures get fixed" in html
    assert "Over 3 scans since" in html
    assert "Fixed since the last scan" in html
    title = three["checks"]["service.unauthenticated_access"]["title"]
    assert f"{title} on {TURNOVER_ADDRESS}:6379 (after at least" in html
    overview = history["overviews"][2]
    assert "Time to fix" in overview and "fixed: median" in overview
