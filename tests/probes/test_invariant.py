"""One finding per declared check and asset, on every path a probe can take.

For each built-in probe: on the lab providers (success, hosts that do not answer),
with a name server that never answers (every lookup fails), with a probe timeout
too short to finish, and with the probe disabled, every declared check ID gets a
finding, no (check, asset) pair is reported twice, and each asset gets a complete
set of checks: one its probe gives that kind of asset on the success path, or all
of them. A check silently missing for an asset overstates coverage and drops the
asset from "Not assessed"."""

from __future__ import annotations

import dataclasses
import socket
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from support.labscan import lab_context

from scanner.engine import run_probes
from scanner.lab.providers import EXEMPLARY
from scanner.model import ProbeResult, ScanResult, Status, Target
from scanner.net.resolver import Resolver, parse_nameserver
from scanner.registry import builtin, load_registry
from scanner.scoring.profile import Profile

pytestmark = pytest.mark.lab

PROBES = {cls.name: cls for cls in builtin()}


def _groups(result: ProbeResult) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for f in result.findings:
        out.setdefault(f.asset, Counter())[f.check_id] += 1
    return out


def _reached_nothing(result: ProbeResult, asset: str) -> bool:
    return all(
        f.status is Status.NOT_ASSESSED and "reached nothing" in f.detail
        for f in result.findings
        if f.asset == asset
    )


# Providers whose servers answer: what their assets get is what "complete" means. The
# stale provider (no server behind its addresses) is the "host not answering" path.
ANSWERING = ("exemplary", "legacy", "broken", "sprawl", "wild")


def _success_groups(scans: dict[str, ScanResult], probe: str) -> set[frozenset[str]]:
    return {
        frozenset(counts)
        for key, result in scans.items()
        if key in ANSWERING
        for r in result.probes
        if r.probe == probe and r.status == "completed"
        for counts in _groups(r).values()
    }


def _check(result: ProbeResult, allowed: set[frozenset[str]]) -> None:
    declared = set(PROBES[result.probe].checks)
    groups = _groups(result)
    seen = {c for counts in groups.values() for c in counts}
    assert seen == declared, (result.probe, result.status, sorted(declared - seen))
    for asset, counts in groups.items():
        twice = [c for c, n in counts.items() if n > 1]
        assert not twice, (result.probe, asset, twice)
        elsewhere = {c for other, cs in groups.items() if other != asset for c in cs}
        if set(counts) == declared - elsewhere and _reached_nothing(result, asset):
            # The engine's answer for the checks no asset got (guarded.test has MX
            # endpoints and no HTTPS one: the HTTPS-only checks "reached nothing").
            continue
        assert frozenset(counts) in allowed | {frozenset(declared)}, (
            result.probe,
            result.status,
            asset,
            sorted(min((g - set(counts) for g in allowed), key=len)),
        )


@pytest.fixture(scope="module")
def dead_nameserver() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.10.98", 0))
    yield f"127.0.10.98:{sock.getsockname()[1]}"
    sock.close()


def _run(lab: Path, profile: Profile, nameserver: str) -> Sequence[ProbeResult]:
    resolver = Resolver(parse_nameserver(nameserver), timeout=0.5)
    context = lab_context(lab, resolver, profile, EXEMPLARY)
    target = Target(EXEMPLARY.name, (EXEMPLARY.domain,))
    return run_probes(
        target, load_registry(plugins=[]).probes, context, disabled=profile.disabled_probes
    )


@pytest.fixture(scope="module")
def path_results(
    lab: Path, default_profile: Profile, dead_nameserver: str
) -> dict[str, Sequence[ProbeResult]]:
    """Every probe on the failure paths, run once for all the probes' checks."""
    paths = {
        "every lookup fails": (default_profile, dead_nameserver),
        "timeout": (dataclasses.replace(default_profile, probe_timeout=0.001), dead_nameserver),
        "disabled": (
            dataclasses.replace(default_profile, disabled_probes=frozenset(PROBES)),
            dead_nameserver,
        ),
    }
    return {path: _run(lab, profile, nameserver) for path, (profile, nameserver) in paths.items()}


# The ports probe gathers for the services and TLS probes and judges nothing itself.
@pytest.mark.parametrize("probe", sorted(name for name, cls in PROBES.items() if cls.checks))
def test_every_probe_reports_each_check_once_per_asset_on_every_path(
    probe: str,
    default_scans: dict[str, ScanResult],
    path_results: dict[str, Sequence[ProbeResult]],
) -> None:
    allowed = _success_groups(default_scans, probe)
    assert allowed, f"{probe} completed on no lab provider"
    # Success, and hosts that do not answer (the stale provider has no servers).
    for result in default_scans.values():
        (mine,) = [r for r in result.probes if r.probe == probe]
        _check(mine, allowed)
    for path, results in path_results.items():
        (mine,) = [r for r in results if r.probe == probe]
        try:
            _check(mine, allowed)
        except AssertionError as exc:
            raise AssertionError(f"path {path!r}: {exc}") from None
