"""Alerts to servers that misbehave (the hostile lab's relay and webhooks): one deadline
for all of them, no redirects, a stop honoured at once, and a failed alert is a warning
that keeps the audit's own exit code."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scanner.audit.notify import NotifyError, deliver, post_webhook, send_email
from scanner.cli import main
from scanner.lab import hostile, manager
from scanner.lab.providers import NAMESERVER

pytestmark = pytest.mark.lab

SUMMARY = {"tool": "vetscan", "regressed": 0, "errors": 0, "history": "h", "vendors": []}


def test_a_webhook_redirect_is_not_followed(lab: Path) -> None:
    with pytest.raises(NotifyError, match=r"HTTP 302 \(a redirect"):
        post_webhook(hostile.ALERT_WEBHOOK_REDIRECT, SUMMARY, timeout=3)


def test_a_webhook_that_is_not_http_is_a_notify_error(lab: Path) -> None:
    with pytest.raises(NotifyError, match="not an HTTP answer"):
        post_webhook(hostile.ALERT_WEBHOOK_BAD_STATUS, SUMMARY, timeout=3)


def test_trickling_servers_cost_the_deadline_and_no_more(lab: Path) -> None:
    host, port = hostile.ALERT_SMTP.split(":")
    start = time.monotonic()
    warnings = deliver(
        [
            ("webhook", lambda: post_webhook(hostile.ALERT_WEBHOOK_TRICKLE, SUMMARY)),
            ("email", lambda: send_email(SUMMARY, host, int(port), "a@b.test", ["c@d.test"])),
        ],
        4.0,
        threading.Event(),
    )
    elapsed = time.monotonic() - start
    assert elapsed < 4.0 + 1.0, elapsed
    assert len(warnings) == 2 and all("deadline" in w for w in warnings), warnings


def test_a_stop_ends_the_alerts_at_once(lab: Path) -> None:
    host, port = hostile.ALERT_SMTP.split(":")
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    start = time.monotonic()
    warnings = deliver(
        [("email", lambda: send_email(SUMMARY, host, int(port), "a@b.test", ["c@d.test"]))],
        120.0,
        stop,
    )
    assert time.monotonic() - start < 2.5
    assert warnings == ["email: not sent, the audit was told to stop"]


def _portfolio(tmp_path: Path) -> Path:
    path = tmp_path / "portfolio.toml"
    # The passive profile: DNS only, so the audit itself takes a second or two.
    path.write_text('[[vendor]]\nname = "Exemplary"\ndomains = ["exemplary.test"]\n')
    return path


def _audit_args(lab: Path, tmp_path: Path, *more: str) -> list[str]:
    return [
        "audit", str(_portfolio(tmp_path)), "--profile", "passive",
        "--nameserver", NAMESERVER, "--ca-file", str(manager.ca_file(lab)),
        "--trust-anchors", str(manager.trust_anchors(lab)), "--allow-private",
        "--db", str(tmp_path / "h.db"), "--out", str(tmp_path / "reports"), "--notify-always",
        *more,
    ]  # fmt: skip


def test_alert_options_are_checked_before_any_scan(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    smtp = ["--notify-email", "ops@example.test", "--smtp", hostile.ALERT_SMTP]
    cases = [
        [*smtp, "--smtp-ca-file", str(tmp_path / "missing.pem")],
        ["--notify-email", "ops@example.test", "--smtp", "relay.test:99999"],
        ["--notify-email", "not an address", "--smtp", hostile.ALERT_SMTP],
        ["--notify-webhook", "http://example.test:99999/hook"],
        ["--notify-webhook", "ftp://example.test/hook"],
    ]
    for more in cases:
        assert main(_audit_args(lab, tmp_path, *more)) == 2, more
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "unexpected" not in err, err
    assert not (tmp_path / "h.db").exists()  # nothing was scanned or stored


def test_failed_alerts_keep_the_audit_exit_code_and_are_bounded(lab: Path, tmp_path: Path) -> None:
    args = _audit_args(
        lab, tmp_path,
        "--notify-webhook", hostile.ALERT_WEBHOOK_BAD_STATUS,
        "--notify-email", "ops@example.test", "--smtp", hostile.ALERT_SMTP,
        "--notify-timeout", "4",
    )  # fmt: skip
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "scanner", *args], capture_output=True, text=True, timeout=120
    )
    elapsed = time.monotonic() - start
    # Exemplary under the passive profile is a first run without failures: exit 0,
    # whatever the alerts did (a failed alert used to turn it into 3).
    assert proc.returncode == 0, proc.stderr
    assert "failed after 1 attempt(s): not an HTTP answer (BadStatusLine)" in proc.stderr
    assert "alert not delivered: email: gave up after the alerts' 4 s deadline" in proc.stderr
    assert elapsed < 60, elapsed
    with sqlite3.connect(tmp_path / "h.db") as db:
        assert db.execute("select count(*) from runs").fetchone() == (1,)


def test_sigterm_while_alerts_trickle_ends_the_audit_at_once(lab: Path, tmp_path: Path) -> None:
    args = _audit_args(
        lab, tmp_path, "--notify-email", "ops@example.test", "--smtp", hostile.ALERT_SMTP,
        "--notify-timeout", "300",
    )  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "scanner", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 90
    db = tmp_path / "h.db"
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if db.exists():
            with sqlite3.connect(db) as conn:
                if conn.execute("select count(*) from runs").fetchone() == (1,):
                    break
        time.sleep(0.2)
    time.sleep(2)  # the summary is printed and the relay is trickling its EHLO answer
    proc.send_signal(signal.SIGTERM)
    start = time.monotonic()
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - start < 3
    assert proc.returncode == 3, err
    assert "not sent, the audit was told to stop" in err
    # The lock was released before the alerts: another audit may start right away.
    assert main(_audit_args(lab, tmp_path, "-q")) == 0
