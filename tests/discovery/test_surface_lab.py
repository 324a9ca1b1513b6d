"""Discovery against the lab: every host a source can find is found, with where
from, and what is not the provider's or not there is listed, not scanned."""

from __future__ import annotations

import dataclasses

import pytest

from scanner.discovery.base import SourceContext
from scanner.discovery.ct import CertspotterSource, CrtShSource
from scanner.discovery.run import run_sources
from scanner.lab.providers import CT_ADDRESS, PROVIDERS, SPRAWL, WILD, LabProvider
from scanner.model import Target
from scanner.net.http import HttpClient
from scanner.net.lookups import DiscoveryClient
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver
from scanner.observations.dns import HostAddresses
from scanner.options import with_discovery
from scanner.probes.base import ProbeContext
from scanner.probes.discovery.observations import DiscoveredName, SourceAttempt
from scanner.probes.discovery.probe import DnsDiscoveryProbe

# The lab lives on loopback: these adapter tests may contact it.
LAB_POLICY = AddressPolicy(allow_private=True)

PROBE = DnsDiscoveryProbe()
pytestmark = pytest.mark.lab


def _gather(provider: LabProvider, context: ProbeContext) -> list[object]:
    return list(PROBE.gather(Target(provider.name, (provider.domain,)), context))


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.key)
def test_every_discoverable_host_is_found_with_its_provenance(
    provider: LabProvider, lab_context: ProbeContext
) -> None:
    observations = _gather(provider, lab_context)
    scanned = {
        o.name: tuple(sorted({source for source, _ in o.found_by}))
        for o in observations
        if isinstance(o, DiscoveredName) and o.status == "scanned"
    }
    assert scanned == dict(provider.discoverable)
    hosts = {o.host: o for o in observations if isinstance(o, HostAddresses)}
    for name, sources in provider.discoverable:
        # Handed on to every other probe, with the role that gets it TLS, web and port checks.
        assert "discovered" in hosts[name].roles and hosts[name].addresses
        assert hosts[name].found_by == sources


def test_related_and_retired_names_are_listed_not_scanned(lab_context: ProbeContext) -> None:
    observations = _gather(SPRAWL, lab_context)
    named = {o.name: o for o in observations if isinstance(o, DiscoveredName)}
    assert (named["cdn.partner-cdn.test"].scope, named["cdn.partner-cdn.test"].status) == (
        "related",
        "related",
    )
    assert named["old-shop.sprawl.test"].status == "no_address"
    hosts = {o.host for o in observations if isinstance(o, HostAddresses)}
    assert "cdn.partner-cdn.test" not in hosts and "old-shop.sprawl.test" not in hosts


def test_a_wildcard_zone_yields_no_phantom_hosts(lab_context: ProbeContext) -> None:
    observations = _gather(WILD, lab_context)
    (wordlist,) = [
        o for o in observations if isinstance(o, SourceAttempt) and o.source == "wordlist"
    ]
    assert wordlist.found == 1 and wordlist.dropped > 90
    assert "*.wild.test is a wildcard" in wordlist.notes[0]
    findings = PROBE.evaluate(observations, lab_context.profile)  # type: ignore[arg-type]
    (sources,) = [f for f in findings if f.check_id == "dns.discovery.sources"]
    assert "*.wild.test is a wildcard" in sources.detail


def test_the_host_budget_lists_what_it_leaves_out(lab_context: ProbeContext) -> None:
    profile = dataclasses.replace(
        lab_context.profile,
        settings={
            **lab_context.profile.settings,
            "discovery": {**lab_context.profile.settings["discovery"], "max_hosts": 8},
        },
    )
    context = dataclasses.replace(lab_context, profile=profile)
    observations = _gather(SPRAWL, context)
    named = {o.name: o.status for o in observations if isinstance(o, DiscoveredName)}
    # Seven known hosts (apex, www, MX, four NS; mta-sts has no address): room for one,
    # the SPF-named host, most trusted; the rest are listed, not dropped.
    assert [n for n, s in named.items() if s == "scanned"] == ["sender-gw1.sprawl.test"]
    over = {n for n, s in named.items() if s == "over_budget"}
    # (A name the budget leaves out is not looked up either: old-shop's absence is unknown.)
    wanted = {n for n, _ in SPRAWL.discoverable} | {"old-shop.sprawl.test", "old.sprawl.test"}
    assert over == wanted - {"sender-gw1.sprawl.test"}
    findings = PROBE.evaluate(observations, context.profile)  # type: ignore[arg-type]
    (budget,) = [f for f in findings if f.check_id == "dns.discovery.budget"]
    assert budget.status == "not_assessed" and "9 hosts found beyond" in budget.detail


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("403", "answered HTTP 403 (refused)"),
        ("429", "answered HTTP 429 (rate limited)"),
        ("502", "answered HTTP 502 (gateway error)"),
        ("html", "answered with an HTML page, not JSON"),
        ("huge", "the answer is larger than 16 MiB"),
        ("drip", "did not arrive within"),
    ],
)
def test_a_failing_ct_search_is_unavailable_with_the_reason(
    mode: str, reason: str, lab_resolver: Resolver
) -> None:
    policy = AddressPolicy(allow_private=True)
    client = DiscoveryClient(
        HttpClient(timeout=1.0, max_body=16 * 1024 * 1024, exchange_limit=3.0, policy=LAB_POLICY),
        lab_resolver,
        policy,
        1.0,
    )
    url = f"http://{CT_ADDRESS}/{mode}/"
    context = SourceContext(
        lab_resolver,
        policy,
        settings={"crtsh_urls": (url,), "certspotter_urls": (url,)},
        fetch=client.get,
    )
    runs = run_sources([CrtShSource(), CertspotterSource()], ["sprawl.test"], context, 20.0)
    assert [r.status for r in runs] == ["unavailable", "unavailable"]
    assert all(reason in r.reason for r in runs), runs


def test_a_ct_outage_leaves_a_complete_honest_scan(lab_context: ProbeContext) -> None:
    profile = with_discovery(lab_context.profile, None, (f"http://{CT_ADDRESS}/429/",))
    context = dataclasses.replace(lab_context, profile=profile)
    observations = _gather(SPRAWL, context)
    scanned = {
        o.name for o in observations if isinstance(o, DiscoveredName) and o.status == "scanned"
    }
    # Everything but the CT-only host is still found.
    assert scanned == {n for n, _ in SPRAWL.discoverable} - {"billing-2019.sprawl.test"}
    findings = PROBE.evaluate(observations, profile)  # type: ignore[arg-type]
    (sources,) = [f for f in findings if f.check_id == "dns.discovery.sources"]
    assert sources.status == "not_assessed" and "HTTP 429" in sources.detail


@pytest.mark.parametrize(
    ("provider", "axfr", "nsec"),
    [
        ("exemplary", "pass", "pass"),  # transfers refused; signed with NSEC3
        ("broken", "pass", "fail"),  # signed with NSEC: walkable
        ("legacy", "pass", "info"),  # not signed: not applicable
        ("wild", "fail", "info"),  # hands its zone to anyone
    ],
)
def test_zone_transfer_and_walking_verdicts(
    provider: str, axfr: str, nsec: str, lab_context: ProbeContext
) -> None:
    lab = {p.key: p for p in PROVIDERS}[provider]
    findings = PROBE.evaluate(_gather(lab, lab_context), lab_context.profile)  # type: ignore[arg-type]
    got = {f.check_id: str(f.status) for f in findings}
    assert (got["dns.axfr.open"], got["dns.nsec.walkable"]) == (axfr, nsec)


def test_the_passive_profile_sends_nothing_to_the_provider_for_discovery(
    lab_context: ProbeContext,
) -> None:
    from scanner.scoring.profile import load_profile

    profile = with_discovery(load_profile("passive"), None, (f"http://{CT_ADDRESS}/ok/",))
    context = dataclasses.replace(lab_context, profile=profile)
    observations = _gather(SPRAWL, context)
    ran = {o.source for o in observations if isinstance(o, SourceAttempt)}
    assert ran == {"spf", "ct", "ct-certspotter"}
    scanned = {
        o.name for o in observations if isinstance(o, DiscoveredName) and o.status == "scanned"
    }
    assert scanned == {"sender-gw1.sprawl.test", "billing-2019.sprawl.test"}


def test_a_name_server_that_answers_nothing_makes_the_dns_sources_unavailable() -> None:
    """Before, the word list, SRV and SPF sources came back "ok, 0 names" from a silent
    name server (each word costing its timeout): a clean result a reader would trust."""
    import socket
    import time

    from scanner.discovery.spf import SpfSource
    from scanner.discovery.srv import SrvSource
    from scanner.discovery.wordlist import WordlistSource
    from scanner.net.resolver import parse_nameserver

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.10.98", 0))  # receives queries, answers none
        resolver = Resolver(parse_nameserver(f"127.0.10.98:{silent.getsockname()[1]}"), 0.5)
        context = SourceContext(resolver, AddressPolicy(allow_private=True))
        start = time.monotonic()
        runs = run_sources(
            [WordlistSource(), SrvSource(), SpfSource()], ["sprawl.test"], context, 20.0
        )
        elapsed = time.monotonic() - start
    assert [(r.source, r.status) for r in runs] == [
        ("wordlist", "unavailable"),
        ("srv", "unavailable"),
        ("spf", "unavailable"),
    ]
    assert all("no answer within 0.5 s" in r.reason for r in runs), runs
    assert "the word list was not tried" in runs[0].reason
    assert elapsed < 5  # a few timeouts, not one per word (about 300 queries)
