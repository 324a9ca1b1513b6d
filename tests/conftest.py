"""Shared fixtures. The lab is started once per test run and stopped at the end
(unless it was already running, e.g. for the demo, in which case it is reused)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from support.labscan import scan_lab_provider
from support.receivers import Receiver

from scanner.lab import manager
from scanner.lab.providers import CT_URLS, NAMESERVER, PROVIDERS
from scanner.model import ScanResult
from scanner.net.http import HttpClient
from scanner.net.lookups import DiscoveryClient
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver, parse_nameserver
from scanner.options import with_discovery
from scanner.probes.base import ProbeContext
from scanner.scoring.profile import Profile, load_profile


@pytest.fixture(scope="session", autouse=True)
def private_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Scans store history by default; the tests' go to a folder of their own."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite3"
    before = os.environ.get("VETSCAN_DB")
    os.environ["VETSCAN_DB"] = str(path)
    yield path
    if before is None:
        os.environ.pop("VETSCAN_DB", None)
    else:
        os.environ["VETSCAN_DB"] = before


@pytest.fixture(scope="session")
def lab() -> Iterator[Path]:
    already = all(manager.status().values())
    try:
        lab_dir = manager.up()
    except manager.LabError as exc:
        pytest.fail(f"the lab could not start: {exc}")
    yield lab_dir
    if not already:
        manager.down(lab_dir)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway PostgreSQL cluster on loopback (initdb in a temp folder); its URL."""
    from scanner.lab import backends

    # Not under pytest's temp tree: that is private to root, and PostgreSQL runs as
    # the unprivileged 'postgres' user.
    folder = Path(tempfile.mkdtemp(prefix="vetscan-postgres-"))
    try:
        server = backends.start_postgres(folder, backends.free_port(backends.POSTGRES_ADDRESS))
    except (manager.LabError, OSError) as exc:
        pytest.fail(f"PostgreSQL could not start: {exc}")
    yield server.url
    backends.stop_postgres(server)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's redis-server on loopback, as the queue's broker; its URL."""
    from scanner.lab import backends

    try:
        server = backends.start_redis(
            tmp_path_factory.mktemp("redis"), backends.free_port(backends.REDIS_ADDRESS)
        )
    except (manager.LabError, OSError) as exc:
        pytest.fail(f"redis-server could not start: {exc}")
    yield server.url
    backends.stop_redis(server)


@pytest.fixture(scope="session")
def lab_resolver(lab: Path) -> Resolver:
    return Resolver(parse_nameserver(NAMESERVER), timeout=2.0)


@pytest.fixture(scope="session")
def default_profile() -> Profile:
    return load_profile("default")


@pytest.fixture()
def lab_context(lab: Path, lab_resolver: Resolver, default_profile: Profile) -> ProbeContext:
    """Discovery's adapters included, with certificate transparency from the lab's stub."""
    policy = AddressPolicy(allow_private=True)
    return ProbeContext(
        resolver=lab_resolver,
        policy=policy,
        profile=with_discovery(default_profile, None, CT_URLS),
        ca_file=manager.ca_file(lab),
        discovery=DiscoveryClient(
            HttpClient(timeout=3.0, policy=policy), lab_resolver, policy, 3.0
        ),
    )


@pytest.fixture(scope="session")
def default_scans(lab: Path, lab_resolver: Resolver) -> dict[str, ScanResult]:
    """Every lab provider scanned once with the default profile, shared by all tests."""
    profile = load_profile("default")
    # Three at a time, as an audit would: the providers live on different addresses.
    with ThreadPoolExecutor(max_workers=3) as pool:
        scans = pool.map(lambda p: scan_lab_provider(lab, lab_resolver, profile, p), PROVIDERS)
        return {p.key: result for p, result in zip(PROVIDERS, scans, strict=True)}


EXAMPLE_PORTFOLIO = Path(__file__).resolve().parents[1] / "examples" / "lab-portfolio.toml"


def lab_network(lab: Path) -> list[str]:
    """The options that point a scan or audit at the lab."""
    return [
        "--nameserver", NAMESERVER, "--ca-file", str(manager.ca_file(lab)),
        "--trust-anchors", str(manager.trust_anchors(lab)), "--allow-private",
    ]  # fmt: skip


@pytest.fixture(scope="session")
def example_audit(lab: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The example portfolio audited once, as cron runs it: a process, a new SQLite
    history (``h.db``), reports in ``reports/``, a webhook listening. Shared by the
    audit and queue tests; a test that adds to it works on a copy."""
    root = tmp_path_factory.mktemp("example-audit")
    receiver = Receiver()
    try:
        proc = subprocess.run(
            [
                sys.executable, "-m", "scanner", "audit", str(EXAMPLE_PORTFOLIO),
                *lab_network(lab), "--db", str(root / "h.db"), "--out", str(root / "reports"),
                "--notify-webhook", receiver.url, "--notify-always",
            ],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    finally:
        receiver.close()
    return {"root": root, "proc": proc, "webhook": receiver.bodies}
