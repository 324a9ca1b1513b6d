"""What a worker accepts: vetscan's own task, as JSON, with arguments it checks
again itself; and what it does with a task it must not or need not run."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from celery import Celery
from hypothesis import given, settings
from hypothesis import strategies as st
from support.queue import WorkerProcess, new_database

from scanner.audit.portfolio import Vendor
from scanner.checks import catalogue
from scanner.distributed.task import TASK_NAME, ScanSettings, TaskError, VendorTask, parse_task
from scanner.distributed.work import Worker, WorkerSettings
from scanner.document.waivers import Waiver
from scanner.history.stores import open_store
from scanner.lab import manager
from scanner.lab.providers import NAMESERVER
from scanner.model import HostPort
from scanner.scoring.settings import Override

CHECKS = set(catalogue())


def _task(audit_run: str = "20261130T000000Z-abcd1234", **scan: Any) -> VendorTask:
    vendor = Vendor(
        name="Stale Signatures",
        domains=("stale.test",),
        hosts=(HostPort("::1", 8443), HostPort("www.stale.test", 443)),
        owner="it@customer.example",
        tags=("dns",),
        dkim_selectors=("s1",),
        waivers=(Waiver("email.spf.missing", "*", "letter", "CISO", date(2027, 6, 30)),),
    )
    return VendorTask(
        audit_run=audit_run,
        vendor=vendor,
        profile="default",
        scan=ScanSettings(nameserver=NAMESERVER, allow_private=True, **scan),
        budget=120.0,
        retention=None,
        today=date(2026, 11, 30),
    )


def test_a_task_survives_its_journey_as_json_unchanged() -> None:
    settings = (
        Override.of("discovery.crtsh_urls", ["http://127.0.10.70/ok/"]),
        Override.of("services.ports", [443, 25]),
        Override.of("dkim.selectors", ["k1"], extend=True),
    )
    task = _task(anchors=("test. DS 1 13 2 00",), settings=settings)
    assert parse_task(json.loads(json.dumps(task.payload())), CHECKS) == task


def test_a_custom_profile_travels_as_data_with_its_parents_laid_in(tmp_path: Path) -> None:
    """Workers run on other machines: the coordinator sends the profile itself, with
    what it extends merged in, and the worker judges with the same profile."""
    import dataclasses
    import json

    from scanner.scoring.profile import describe, load_profile, profile_data

    (tmp_path / "base.toml").write_text(
        'name = "base"\nextends = "strict"\nprobe_timeout = 90\n[services]\nhost_timeout = 12\n'
    )
    (tmp_path / "mine.toml").write_text(
        'name = "mine"\nextends = "base.toml"\nfail_threshold = "critical"\n'
    )
    data = profile_data(str(tmp_path / "mine.toml"))
    task = dataclasses.replace(_task(), profile="mine", profile_data=data)
    payload = json.loads(json.dumps(task.payload()))  # as the broker hands it over
    for path in tmp_path.iterdir():
        path.unlink()  # the worker's machine has no such file
    received = parse_task(payload, CHECKS).load_profile()
    local = load_profile("strict")
    assert received.name == "mine" and received.probe_timeout == 90
    assert str(received.fail_threshold) == "critical"
    assert received.setting("services", "host_timeout") == 12
    assert received.disabled_checks == local.disabled_checks
    theirs, ours = describe(received), describe(local)
    assert theirs["severity"] == ours["severity"] and theirs["pitfalls"] == ours["pitfalls"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda p: p.update(extra=1), "unexpected or missing keys: extra"),
        (lambda p: p.update(version=1), "task version 1"),
        # A task never makes a worker read a file: a profile is a built-in name or data.
        (lambda p: p.update(profile="/etc/passwd"), "no built-in profile"),
        (lambda p: p.update(profile="../custom.toml"), "no built-in profile"),
        (
            lambda p: p.update(profile="x", profile_data={"name": "x", "extends": "/etc/x.toml"}),
            "'extends' is not accepted",
        ),
        (
            lambda p: p.update(profile="x", profile_data={"name": "y", "fail_threshold": "high"}),
            "names profile 'x' but carries 'y'",
        ),
        (
            lambda p: p.update(profile="x", profile_data={"name": "x", "fail_threshold": "none!"}),
            "fail_threshold",
        ),
        (
            lambda p: p.update(profile="x", profile_data={"name": "x", "z": "a" * 70_000}),
            "larger than 65536",
        ),
        (lambda p: p.update(audit_run="../../x"), "not an audit run ID"),
        (lambda p: p.update(budget=True), "budget must be"),
        (lambda p: p.update(budget=float("inf")), "not plain JSON"),
        (lambda p: p["scan"].update(allow_private="yes"), "allow_private must be"),
        (lambda p: p["scan"].update(timeout=0), "timeout must be"),
        (lambda p: p["scan"].update(max_hosts=3), "unexpected or missing keys: max_hosts"),
        (
            lambda p: p["scan"].update(settings=[{"set": "x.y", "value": 1, "extend": False}]),
            "unknown setting 'x.y'",
        ),
        (
            lambda p: p["scan"].update(
                settings=[{"set": "discovery.max_hosts", "value": True, "extend": False}]
            ),
            "discovery.max_hosts must be a whole number",
        ),
        (
            lambda p: p["scan"].update(settings=[{"set": "dkim.selectors", "value": []}]),
            "a setting has unexpected or missing keys: extend",
        ),
        (lambda p: p["scan"].update(settings=[{}] * 65), "at most 64"),
        (
            lambda p: p["vendor"].update(settings={"services": {"max_rate": 0}}),
            "services.max_rate must be",
        ),
        (lambda p: p["vendor"].update(domains=["exa mple.test"]), "domains"),
        (lambda p: p["vendor"].update(hosts=["127.0.0.1:99999"]), "hosts"),
        (lambda p: p["vendor"].update(dkim_selectors=["a;b"]), "invalid DKIM selector"),
        (lambda p: p["vendor"]["waivers"][0].update(check="no.such"), "unknown check"),
        (lambda p: p["vendor"]["waivers"][0].update(expires="soon"), "ISO date"),
        (lambda p: p.update(today="2026-13-01"), "today must be"),
        (lambda p: p["scan"].update(ca_pem="x" * (3 * 1024 * 1024)), "larger than"),
    ],
)
def test_a_task_with_anything_out_of_place_is_refused(change: Any, reason: str) -> None:
    payload = _task().payload()
    change(payload)
    with pytest.raises(TaskError, match=reason):
        parse_task(payload, CHECKS)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(sorted(_task().payload())), json_values))
def test_any_json_is_a_task_or_a_refusal(fields: dict[str, Any]) -> None:
    payload = {**_task().payload(), **fields}
    try:
        parse_task(payload, CHECKS)
    except TaskError:
        pass


def _begin(db: str, task: VendorTask) -> None:
    with open_store(db) as history:
        history.begin_audit(task.audit_run, {"tasks": [task.payload()]})


def test_a_worker_that_may_not_scan_private_addresses_says_so(postgres: str) -> None:
    db = new_database(postgres)
    task = _task()
    _begin(db, task)
    row = Worker(WorkerSettings(db, allow_private=False)).run(task.payload())
    assert row["status"] == "error"
    assert "does not scan private or loopback addresses" in row["error"]
    with open_store(db, read_only=True) as history:
        assert history.outcomes(task.audit_run)["Stale Signatures"]["status"] == "error"
        assert history.vendors() == []


def test_a_task_already_done_is_not_scanned_again(postgres: str) -> None:
    db = new_database(postgres)
    task = _task()
    _begin(db, task)
    with open_store(db) as history:
        history.record_outcome(task.audit_run, "Stale Signatures", {"status": "ok", "n": 1})
    start = time.monotonic()
    assert Worker(WorkerSettings(db, True)).run(task.payload()) == {"status": "ok", "n": 1}
    assert time.monotonic() - start < 1


@pytest.mark.lab
def test_a_worker_refuses_pickle_and_foreign_tasks_and_goes_on(
    lab: Path, postgres: str, redis_url: str, tmp_path: Path
) -> None:
    db = new_database(postgres)
    broker = f"{redis_url.rsplit('/', 1)[0]}/5"
    task = _task(ca_pem=manager.ca_file(lab).read_text())
    _begin(db, task)
    hostile = Celery("hostile", broker=broker, set_as_current=False)
    hostile.conf.accept_content = ["pickle", "json"]
    worker = WorkerProcess(broker, db, tmp_path / "w.log", "--concurrency", "1", "-v")
    try:
        worker.wait_for("vetscan worker ready")
        # A pickled task would run code on the worker when loaded.
        hostile.send_task(TASK_NAME, args=[task.payload()], queue="vetscan", serializer="pickle")
        hostile.send_task("celery.backend_cleanup", queue="vetscan")
        hostile.send_task("os.system", args=["touch /tmp/pwned"], queue="vetscan")
        worker.wait_for("pickle", 30)
        worker.wait_for("unregistered task", 30)
        # A profile that names a file on the worker, and a 100 MiB task (of an audit
        # nobody started, so their refusals leave no error row behind).
        stranger = _task("20261130T000000Z-ffff0000").payload()
        named = {**stranger, "profile": "/etc/passwd"}
        hostile.send_task(TASK_NAME, args=[named], queue="vetscan", serializer="json")
        worker.wait_for("built-in profile", 30)
        huge = {**stranger, "padding": "x" * (100 * 1024 * 1024)}
        hostile.send_task(TASK_NAME, args=[huge], queue="vetscan", serializer="json")
        del huge
        worker.wait_for("task refused unread: larger than", 60)
        with open_store(db, read_only=True) as history:
            assert history.outcomes(task.audit_run) == {}
        hostile.send_task(TASK_NAME, args=[task.payload()], queue="vetscan", serializer="json")
        deadline = time.monotonic() + 90
        while True:
            with psycopg.connect(db) as pg:
                done = pg.execute("SELECT row FROM audit_outcomes").fetchall()
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        peak = worker.peak_mb()
    finally:
        worker.stop()
    assert len(done) == 1 and '"grade"' in done[0][0], worker.text()
    assert not Path("/tmp/pwned").exists()
    # Redis's transport holds a message several times over while it reads it (about
    # 740 MB for this one); its body is then refused before it is decoded.
    assert peak < 1024, peak
