"""One choke point for the address policy, proven over a whole scan.

The inward provider (scanner.lab.inward) points every input it controls back inside:
AIA issuer URLs as IP literals in every spelling, a redirect, CNAME, SRV, MX and NS
targets, SPF a:/mx: names, its MTA-STS host and CT names resolving to loopback,
private and link-local addresses. A full default-profile scan of it runs under a
Python audit hook that notes every connect, sendto and name lookup of this process
and the argument list of every program it starts (nmap's targets): nothing may go
to an address outside the provider's own range and the lab's name server.

The lab's own hosts are on loopback, so they stand in for public addresses through
the policy's test-only ``lab_public`` ranges. The control scan widens those ranges
to all of loopback: it must then reach the inside service, so the watching can fail.
(The control does not use --allow-private itself: that would send packets to the
provider's 10.0.0.1 and 169.254.169.254, off this machine.)
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from support.recording import recorders

from scanner import api
from scanner.lab import hostile, inward, manager
from scanner.lab.providers import CT_ADDRESS, CT_URLS
from scanner.model import Finding, ScanResult, Target
from scanner.observations.tls import TlsEndpointResult
from scanner.options import ScanOptions
from scanner.probes.discovery.observations import DiscoveredName
from scanner.probes.dnshealth.observations import TakeoverObservation as Takeover

pytestmark = pytest.mark.lab
ALLOW = "not scanned without --allow-private"

OWN = (inward.PUBLIC_RANGE, f"{hostile.DNS_ADDRESS}/32", f"{CT_ADDRESS}/32")
ALL_LOOPBACK = (*OWN, "127.0.0.0/8", "::1/128")


def _allowed(address: str, ranges: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(n) for n in ranges)


@contextmanager
def watching() -> Iterator[list[tuple[str, str]]]:
    """(event, destination) for every connection, datagram, name lookup and program
    this process starts while the block runs."""
    seen: list[tuple[str, str]] = []
    active = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if not active[0]:
            return
        if event in ("socket.connect", "socket.sendto") and isinstance(args[-1], tuple):
            seen.append((event, str(args[-1][0])))
        elif event == "socket.getaddrinfo":
            seen.append((event, str(args[0])))
        elif event == "subprocess.Popen":
            for word in args[1] or ():
                for part in str(word).split():
                    try:
                        ipaddress.ip_address(part)
                    except ValueError:
                        continue
                    seen.append(("program target", part))

    sys.addaudithook(hook)  # hooks cannot be removed: this one switches itself off
    try:
        yield seen
    finally:
        active[0] = False


def _scan(lab: Path, ranges: tuple[str, ...]) -> tuple[ScanResult, list[tuple[str, str]]]:
    options = ScanOptions.build(
        "default",
        nameserver=hostile.HOSTILE_NAMESERVER,
        ca_file=manager.ca_file(lab),
        ct_urls=CT_URLS,
        timeout=3.0,
    )
    options = ScanOptions(**{**options.__dict__, "lab_public": ranges})
    target = Target("Inward Vendor", (inward.DOMAIN,))
    with watching() as seen:
        result = api.scan(target, options)
    return result, seen


def _leaks(seen: list[tuple[str, str]], ranges: tuple[str, ...]) -> list[tuple[str, str]]:
    leaks = []
    for event, where in seen:
        if event == "socket.getaddrinfo":
            # A literal address is no lookup; a name would go to the system resolver.
            try:
                ipaddress.ip_address(where.strip("[]").split("%")[0])
            except ValueError:
                leaks.append((event, where))
            else:
                if not _allowed(where.strip("[]"), ranges):
                    leaks.append((event, where))
        elif not _allowed(where, ranges):
            leaks.append((event, where))
    return leaks


@pytest.fixture(scope="module")
def inward_scans(lab: Path) -> dict[str, Any]:
    with recorders([("127.0.0.1", inward.INSIDE_PORT)]) as knocked:
        strict, strict_seen = _scan(lab, OWN)
        strict_knocks = list(knocked)
        control, control_seen = _scan(lab, ALL_LOOPBACK)
    return {
        "strict": strict,
        "strict_seen": strict_seen,
        "strict_knocks": strict_knocks,
        "control": control,
        "control_seen": control_seen,
        "control_knocks": list(knocked)[len(strict_knocks) :],
    }


def test_nothing_the_provider_points_inward_is_contacted(inward_scans: dict[str, Any]) -> None:
    seen = inward_scans["strict_seen"]
    assert seen, "the hook saw nothing: it watches nothing"
    assert any(_allowed(w, (inward.PUBLIC_RANGE,)) for _, w in seen)  # the provider was scanned
    assert _leaks(seen, OWN) == []
    assert inward_scans["strict_knocks"] == []


def test_the_control_scan_reaches_inside_so_the_watch_can_fail(
    inward_scans: dict[str, Any],
) -> None:
    assert _leaks(inward_scans["control_seen"], OWN) != []
    assert inward_scans["control_knocks"], "no AIA fetch or redirect reached the inside service"


def _findings(result: ScanResult, check: str) -> list[Finding]:
    return [f for f in result.findings if f.check_id == check]


def test_refused_inputs_are_not_assessed_with_the_policy_reason(
    inward_scans: dict[str, Any],
) -> None:
    result: ScanResult = inward_scans["strict"]
    chains = {f.asset: f for f in _findings(result, "tls.cert.incomplete_chain")}
    notes = {
        o.host: o.certificate.aia_note
        for p in result.probes
        for o in p.observations
        if isinstance(o, TlsEndpointResult) and o.certificate is not None
    }
    for host in inward.AIA_HOSTS:
        mine = [f for asset, f in chains.items() if asset.startswith(host)]
        assert mine, (host, sorted(chains))
        # The issuer could not be fetched: never "the chain is complete".
        assert all(f.status.value != "pass" for f in mine), mine
        # And the reason is the policy's, whatever spelling the URL used.
        assert notes[host].startswith("the issuer could not be fetched from "), notes[host]
        assert ALLOW in notes[host], notes[host]
    # Every inside name discovery found is listed as refused, with the reason.
    refused = {
        o.name: o.reason
        for p in result.probes
        for o in p.observations
        if isinstance(o, DiscoveredName) and o.status == "refused"
    }
    for name in ("alias", "ct-in", "srv-in", "spf-in", "ten", "meta", "blog"):
        assert ALLOW in refused[f"{name}.{inward.DOMAIN}"], (name, refused)


def test_takeover_fingerprints_that_drip_or_point_inside_are_not_assessed(
    inward_scans: dict[str, Any],
) -> None:
    result: ScanResult = inward_scans["strict"]
    observed = {o.name: o for p in result.probes for o in p.observations if isinstance(o, Takeover)}
    drip, redirect, inside = (observed[f"{n}.{inward.DOMAIN}"] for n in ("shop", "docs", "blog"))
    assert drip.verdict == "unknown" and "did not arrive within" in drip.evidence, drip
    assert inside.verdict == "unknown" and ALLOW in inside.evidence, inside
    # The redirect inside is an answer, never followed (nothing reached 127.0.0.1).
    assert redirect.verdict == "claimed", redirect
    (possible,) = _findings(result, "dns.takeover.possible")
    assert possible.status.value == "not_assessed", possible
    assert "shop.inward.test" in possible.detail and "blog.inward.test" in possible.detail
