"""Probe discovery: built-ins, and third-party probes through the entry-point group."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from scanner.lab import manager
from scanner.lab.providers import NAMESERVER
from scanner.registry import ENTRY_POINT_GROUP, builtin, load_registry

BUILTIN_NAMES = [cls.name for cls in builtin()]

PLUGIN = Path(__file__).parent / "fixtures" / "plugin_pkg"


def _ep(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def test_builtins_load_without_plugins() -> None:
    registry = load_registry(plugins=[])
    assert registry.names() == BUILTIN_NAMES
    assert BUILTIN_NAMES[:2] == ["dns-discovery", "tls"]
    assert registry.errors == ()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("no_such_module:Probe", "ModuleNotFoundError"),
        ("json:dumps", "does not subclass"),
        ("scanner.probes.discovery.probe:DnsDiscoveryProbe", "already taken"),
    ],
)
def test_bad_plugins_are_reported_not_fatal(value: str, reason: str) -> None:
    registry = load_registry(plugins=[_ep("bad", value)])
    assert registry.names() == BUILTIN_NAMES
    (error,) = registry.errors
    assert reason in error.reason
    assert "bad = " in error.entry_point


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny plugin package, really installed (by pip) into a folder of its own."""
    target = tmp_path_factory.mktemp("plugin-site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(PLUGIN),
        ],
        check=True,
    )
    return target


def _vetscan(args: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_an_installed_plugin_is_listed_and_a_broken_one_reported(
    plugin_site: Path, tmp_path: Path
) -> None:
    proc = _vetscan(["probes"], plugin_site, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "hello  v1  [plugin from vetscan-hello] (after dns-discovery)" in proc.stdout
    assert "broken plugin broken = vetscan_hello:DoesNotExist" in proc.stdout
    # The plugin's own profile table, with its default, beside the built-in ones.
    shown = _vetscan(["profiles", "show", "default"], plugin_site, tmp_path)
    assert json.loads(shown.stdout)["hello"] == {"limit": 2}, shown.stderr
    bad = tmp_path / "p.toml"
    bad.write_text('name = "p"\nfail_threshold = "high"\n[hello]\nlimit = 5000\n')
    refused = _vetscan(["profiles", "validate", str(bad)], plugin_site, tmp_path)
    assert refused.returncode == 2 and "key 'hello.limit' must be a whole number" in refused.stderr


@pytest.mark.slow
@pytest.mark.lab
def test_an_installed_plugin_runs_in_a_scan(plugin_site: Path, lab: Path, tmp_path: Path) -> None:
    proc = _vetscan(
        [
            "scan",
            "exemplary.test",
            "--nameserver",
            NAMESERVER,
            "--allow-private",
            "--ca-file",
            str(manager.ca_file(lab)),
            "--format",
            "json",
            "--out",
            str(tmp_path),
            "--profile",
            "passive",
        ],
        plugin_site,
        tmp_path,
    )
    assert proc.returncode in (0, 1), proc.stderr  # 1: the plugin check fails
    assert "plugin broken = vetscan_hello:DoesNotExist" in proc.stderr
    document = json.loads(next(tmp_path.glob("*.json")).read_text())
    hello = {f["check_id"]: f for f in document["findings"] if f["probe"] == "hello"}
    hosts = [o for o in document["observations"] if o["kind"] == "dns.host_addresses"]
    assert hello["hello.hosts_counted"]["evidence"].get("count") == len(hosts) > 2, hello
    # Its report hook adds an inventory section beside the built-in ones.
    assert document["inventory"]["hello"] == [{"hosts counted": len(hosts)}]
    # The plugin's own check is scored and reported like a built-in one: its severity
    # and title come from the plugin's checks.toml, and it is asked about.
    limit = hello["hello.host_limit"]
    assert (limit["status"], limit["severity"]) == ("fail", "medium")
    assert document["checks"]["hello.host_limit"]["title"] == "At most two hosts"
    assert any(q["check_id"] == "hello.host_limit" for q in document["questions"])
    hygiene = document["scores"]["pitfalls"]["hygiene"]
    assert hygiene["score"] is not None and hygiene["score"] < 100, hygiene


@pytest.mark.lab
def test_an_installed_discovery_source_runs_when_the_profile_names_it(
    plugin_site: Path, lab: Path, tmp_path: Path
) -> None:
    profile = tmp_path / "hello.toml"
    profile.write_text(
        'name = "hello"\nextends = "passive"\n[discovery]\nsources = ["spf", "hello-source"]\n'
    )
    proc = _vetscan(
        [
            "scan", "legacy.test", "--nameserver", NAMESERVER, "--allow-private",
            "--ca-file", str(manager.ca_file(lab)), "--format", "json",
            "--out", str(tmp_path), "--profile", str(profile), "--no-history",
        ],
        plugin_site,
        tmp_path,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    document = json.loads(next(tmp_path.glob("*.json")).read_text())
    attempts = {o["source"]: o for o in document["observations"] if o["kind"] == "discovery.source"}
    assert set(attempts) == {"spf", "hello-source"}
    named = {r["name"]: r for r in document["inventory"]["discovered"]}
    found = named["plugin-only.legacy.test"]
    assert found["found_by"] == [{"source": "hello-source", "where": "the hello plugin"}]
    assert found["status"] == "no_address"
