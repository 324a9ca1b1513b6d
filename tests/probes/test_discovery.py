"""DNS discovery: pure verdicts on hand-built observations, then the real lab."""

from __future__ import annotations

import pytest

from scanner.lab.providers import (
    BROKEN,
    EXEMPLARY,
    LEGACY,
    PROVIDERS,
    SERVICE_ZONES,
    LabProvider,
)
from scanner.model import Finding, Status, Target
from scanner.net.policy import AddressPolicy
from scanner.observations.dns import DnsRecords, HostAddresses
from scanner.probes.base import ProbeContext
from scanner.probes.discovery.probe import DnsDiscoveryProbe
from scanner.scoring.profile import Profile

PROBE = DnsDiscoveryProbe()


def _records(name: str, rdtype: str, outcome: str = "ok", *records: str) -> DnsRecords:
    return DnsRecords(name, rdtype, outcome, tuple(records), 300, "")


def _host(host: str, role: str, *addresses: str, outcome: str = "ok") -> HostAddresses:
    reason = "" if outcome in ("ok", "nxdomain", "nodata") else "no answer within 3 s"
    return HostAddresses(host, (role,), tuple(addresses), (), outcome, reason)


def _statuses(findings: list[Finding]) -> dict[tuple[str, str], Status]:
    return {(f.check_id, f.asset): f.status for f in findings}


def test_unresolvable_mx_fails_and_resolvable_passes(default_profile: Profile) -> None:
    observations = [
        _records("example.test", "MX", "ok", "10 mx1.example.test.", "20 gone.example.test."),
        _records("example.test", "NS", "ok", "ns1.example.test."),
        _host("example.test", "web", "192.0.2.1"),
        _host("mx1.example.test", "mail", "192.0.2.2"),
        _host("gone.example.test", "mail", outcome="nxdomain"),
        _host("ns1.example.test", "ns", "192.0.2.3"),
    ]
    statuses = _statuses(PROBE.evaluate(observations, default_profile))
    assert statuses[("dns.mx.unresolvable", "mx1.example.test")] is Status.PASS
    assert statuses[("dns.mx.unresolvable", "gone.example.test")] is Status.FAIL
    assert statuses[("dns.ns.unresolvable", "ns1.example.test")] is Status.PASS
    assert statuses[("dns.domain.resolves", "example.test")] is Status.PASS


def test_a_lookup_that_timed_out_is_never_a_verdict(default_profile: Profile) -> None:
    observations = [
        _records("example.test", "MX", "ok", "10 mx1.example.test."),
        _records("example.test", "NS", "timeout"),
        _host("example.test", "web", outcome="timeout"),
        _host("www.example.test", "web", outcome="timeout"),
        _host("mx1.example.test", "mail", outcome="servfail"),
    ]
    statuses = _statuses(PROBE.evaluate(observations, default_profile))
    assert statuses[("dns.mx.unresolvable", "mx1.example.test")] is Status.NOT_ASSESSED
    assert statuses[("dns.ns.unresolvable", "example.test")] is Status.NOT_ASSESSED
    assert statuses[("dns.domain.resolves", "example.test")] is Status.NOT_ASSESSED


def test_no_mx_and_null_mx_are_informational(default_profile: Profile) -> None:
    for mx in (_records("example.test", "MX", "nodata"), _records("a.test", "MX", "ok", "0 .")):
        observations = [mx, _records(mx.name, "NS", "nodata")]
        (finding,) = [
            f
            for f in PROBE.evaluate(observations, default_profile)
            if f.check_id == "dns.mx.unresolvable"
        ]
        assert finding.status is Status.INFO


def test_a_domain_without_any_address_is_a_warning(default_profile: Profile) -> None:
    observations = [
        _records("example.test", "MX", "nodata"),
        _host("example.test", "web", outcome="nodata"),
        _host("www.example.test", "web", outcome="nxdomain"),
    ]
    statuses = _statuses(PROBE.evaluate(observations, default_profile))
    assert statuses[("dns.domain.resolves", "example.test")] is Status.WARN


# --- against the lab ---------------------------------------------------------


def _expected_hosts(provider: LabProvider) -> dict[str, set[str]]:
    """What the lab's zone says each discovered name resolves to (following CNAMEs)."""
    addresses = provider.address_records()
    # CNAMEs may lead into the lab's simulated service zones.
    for zone, records in SERVICE_ZONES.items():
        for owner, rtype, rdata in records:
            if rtype in ("A", "AAAA"):
                addresses.setdefault(f"{owner}.{zone}", []).append(rdata)
    cnames = {
        provider.fqdn(owner): rdata.rstrip(".") if rdata.endswith(".") else provider.fqdn(rdata)
        for owner, rtype, rdata in provider.records
        if rtype == "CNAME"
    }
    expected: dict[str, set[str]] = {}
    for owner, rtype, rdata in provider.records:
        if rtype in ("MX", "NS") and owner == "@":
            host = provider.fqdn(rdata.split()[-1])
            expected[host] = set(addresses.get(host, []))
    # A wildcard answers for every name the zone does not list itself.
    wildcard = addresses.get(f"*.{provider.domain}", [])
    for name in (provider.domain, f"www.{provider.domain}", f"mta-sts.{provider.domain}"):
        expected[name] = set(addresses.get(cnames.get(name, name), wildcard))
    # And the hosts only the discovery sources find.
    for name, _ in provider.discoverable:
        expected[name] = set(addresses.get(cnames.get(name, name), []))
    return expected


@pytest.mark.lab
@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.key)
def test_discovery_matches_what_the_lab_serves(
    provider: LabProvider, lab_context: ProbeContext
) -> None:
    observations = PROBE.gather(Target(provider.name, (provider.domain,)), lab_context)
    found = {o.host: set(o.addresses) for o in observations if isinstance(o, HostAddresses)}
    assert found == _expected_hosts(provider)


@pytest.mark.lab
def test_lab_verdicts(lab_context: ProbeContext) -> None:
    def verdicts(provider: LabProvider) -> dict[tuple[str, str], Status]:
        target = Target(provider.name, (provider.domain,))
        return _statuses(PROBE.run(target, lab_context).findings)  # type: ignore[arg-type]

    exemplary = verdicts(EXEMPLARY)
    # Passes, and what discovery found reported as information.
    assert set(exemplary.values()) == {Status.PASS, Status.INFO}
    assert {check for (check, _), status in exemplary.items() if status is Status.INFO} == {
        "dns.discovery.sources",
        "dns.discovery.budget",
    }
    assert ("dns.mx.unresolvable", "mx2.exemplary.test") in exemplary
    broken = verdicts(BROKEN)
    assert broken[("dns.mx.unresolvable", "mail-retired.broken.test")] is Status.FAIL
    assert broken[("dns.ns.unresolvable", "ns-old.broken.test")] is Status.FAIL
    assert broken[("dns.ns.unresolvable", "ns1.broken.test")] is Status.PASS
    legacy = verdicts(LEGACY)
    assert legacy[("dns.mx.unresolvable", "mail.legacy.test")] is Status.PASS


@pytest.mark.lab
def test_the_address_policy_filters_discovered_addresses(lab_context: ProbeContext) -> None:
    strict = ProbeContext(
        resolver=lab_context.resolver, policy=AddressPolicy(), profile=lab_context.profile
    )
    observations = PROBE.gather(Target("x", (EXEMPLARY.domain,)), strict)
    mx1 = next(o for o in observations if isinstance(o, HostAddresses) and o.host.startswith("mx1"))
    assert mx1.addresses == ()
    assert mx1.refused and "loopback" in mx1.refused[0][1]


@pytest.mark.lab
def test_a_host_with_many_addresses_is_assessed_on_a_few_per_family(
    lab_context: ProbeContext,
) -> None:
    """anycast-7q2.exemplary.test has four IPv4 and three IPv6 addresses in the lab's DNS:
    the profile's max_addresses_per_host (2) of each family are kept, in address order,
    and the rest listed as not contacted (the report's "Not contacted" column)."""
    from scanner.model import HostPort
    from scanner.probes.discovery.inventory import host_rows

    target = Target("x", (EXEMPLARY.domain,), (HostPort("anycast-7q2.exemplary.test", 443),))
    observations = PROBE.gather(target, lab_context)
    (host,) = [
        o
        for o in observations
        if isinstance(o, HostAddresses) and o.host == "anycast-7q2.exemplary.test"
    ]
    assert host.addresses == ("127.0.10.10", "127.0.10.13", "::1", "::2")
    assert host.not_scanned == ("127.0.10.14", "127.0.10.15", "::3")
    rows = host_rows([o.to_json() for o in observations])
    (row,) = [r for r in rows if r["host"] == "anycast-7q2.exemplary.test"]
    assert row["not_scanned"] == ["127.0.10.14", "127.0.10.15", "::3"]
