"""Discovery sources fed by a hostile provider or a hostile search service stay within
their bounds in time and memory and say what they cut: a CT answer of 100,000 names
and one of JSON nested 200,000 deep, a zone transfer of 50,000 names and one that
never ends, an NSEC chain that loops and one that never ends."""

from __future__ import annotations

import dataclasses
import resource
import time
from pathlib import Path

import pytest

from scanner.discovery.base import SourceContext
from scanner.discovery.ct import MAX_NAMES, CertspotterSource, CrtShSource
from scanner.discovery.run import run_sources
from scanner.discovery.zone import MAX_WALK, AxfrSource, NsecSource
from scanner.lab import banners, hostile
from scanner.lab.providers import CT_ADDRESS
from scanner.model import Target
from scanner.net.http import HttpClient
from scanner.net.lookups import MAX_SEARCH_BODY, DiscoveryClient
from scanner.net.nameservers import MAX_TRANSFER_NAMES
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver, parse_nameserver
from scanner.options import with_discovery
from scanner.probes.base import ProbeContext
from scanner.probes.discovery.observations import DiscoveredName
from scanner.probes.discovery.probe import DnsDiscoveryProbe

pytestmark = pytest.mark.lab

LAB_POLICY = AddressPolicy(allow_private=True)


def _ct_context(resolver: Resolver, mode: str) -> SourceContext:
    client = DiscoveryClient(
        HttpClient(timeout=2.0, max_body=MAX_SEARCH_BODY, policy=LAB_POLICY),
        resolver,
        LAB_POLICY,
        2.0,
    )
    url = f"http://{CT_ADDRESS}/{mode}/"
    return SourceContext(
        resolver,
        LAB_POLICY,
        settings={"crtsh_urls": (url,), "certspotter_urls": (url,)},
        fetch=client.get,
    )


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_ct_answer_of_100000_names_is_cut_to_the_source_limit(
    lab: Path, lab_resolver: Resolver
) -> None:
    start, before = time.monotonic(), _rss_mb()
    runs = run_sources(
        [CrtShSource(), CertspotterSource()], ["sprawl.test"], _ct_context(lab_resolver, "many"), 60
    )
    elapsed = time.monotonic() - start
    assert [r.status for r in runs] == ["ok", "ok"], runs
    assert all(len(r.found) == MAX_NAMES for r in runs)
    assert all(any(str(MAX_NAMES) in n for n in r.notes) for r in runs), [r.notes for r in runs]
    assert elapsed < 30, elapsed
    assert _rss_mb() - before < 400


def test_ct_json_nested_200000_deep_is_unavailable_not_a_crash(
    lab: Path, lab_resolver: Resolver
) -> None:
    assert banners.CT_NESTING == 200_000
    runs = run_sources(
        [CrtShSource(), CertspotterSource()],
        ["sprawl.test"],
        _ct_context(lab_resolver, "nested"),
        20,
    )
    assert [r.status for r in runs] == ["unavailable", "unavailable"], runs
    assert all("nested too deeply" in r.reason for r in runs), runs


def test_a_provider_with_100000_ct_names_is_discovered_within_the_host_budget(
    lab_context: ProbeContext,
) -> None:
    """The whole discovery probe: 20,000 distinct names after the sources' cut, a
    budget of max_hosts, the rest listed as over budget, in bounded time."""
    url = f"http://{CT_ADDRESS}/many/"
    profile = with_discovery(lab_context.profile, None, (url, f"certspotter={url}"))
    client = DiscoveryClient(
        HttpClient(timeout=3.0, max_body=MAX_SEARCH_BODY, policy=LAB_POLICY),
        lab_context.resolver,
        LAB_POLICY,
        3.0,
    )
    context = dataclasses.replace(lab_context, profile=profile, discovery=client)
    start = time.monotonic()
    observations = list(DnsDiscoveryProbe().gather(Target("Sprawl", ("sprawl.test",)), context))
    elapsed = time.monotonic() - start
    names = [o for o in observations if isinstance(o, DiscoveredName)]
    scanned = [o for o in names if o.status == "scanned"]
    limit = int(profile.setting("discovery", "max_hosts"))
    assert len(scanned) <= limit
    assert sum(1 for o in names if o.status == "over_budget") >= MAX_NAMES - limit
    assert elapsed < 60, elapsed


def _zone_context() -> SourceContext:
    resolver = Resolver(parse_nameserver(hostile.HOSTILE_NAMESERVER), timeout=1.0)
    return SourceContext(resolver, LAB_POLICY, timeout=2.0)


@pytest.mark.parametrize("zone", [hostile.AXFR_BIG, hostile.AXFR_ENDLESS])
def test_a_zone_transfer_of_50000_names_or_without_end_is_cut(lab: Path, zone: str) -> None:
    assert hostile.AXFR_NAMES == 50_000
    start = time.monotonic()
    (run,) = run_sources([AxfrSource()], [zone], _zone_context(), 30)
    assert time.monotonic() - start < 15
    assert run.status == "ok", run
    (tried,) = run.evidence["transfers"]  # type: ignore[misc]
    assert tried["outcome"] == "transferred"  # the zone is open: dns.axfr.open fails
    assert len(run.found) == MAX_TRANSFER_NAMES


def test_an_nsec_chain_that_loops_is_walked_once_and_said(lab: Path) -> None:
    (run,) = run_sources([NsecSource()], [hostile.WALK_LOOP], _zone_context(), 30)
    assert run.status == "ok", run
    assert sorted(f.name for f in run.found) == [f"{x}.{hostile.WALK_LOOP}" for x in "abc"]
    assert run.notes == (
        f"the chain loops back to a.{hostile.WALK_LOOP} and never reaches the apex",
    )


def test_an_nsec_chain_without_end_stops_at_the_walk_limit(lab: Path) -> None:
    start = time.monotonic()
    (run,) = run_sources([NsecSource()], [hostile.WALK_ENDLESS], _zone_context(), 60)
    assert time.monotonic() - start < 30
    assert run.status == "ok", run
    assert len(run.found) == MAX_WALK
    assert run.notes == (f"the walk stopped after {MAX_WALK} names; the chain goes on",)
