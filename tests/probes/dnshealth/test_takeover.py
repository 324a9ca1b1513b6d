"""Subdomain takeover: the fingerprint table, pure verdicts, and the lab's
simulated services (a pages service and an app service on loopback)."""

from __future__ import annotations

import pytest

from scanner.model import Finding, ScanResult, Status
from scanner.observations.dns import DnsOutcome
from scanner.probes.dnshealth.evaluate import DomainView
from scanner.probes.dnshealth.evaluate.names import takeover
from scanner.probes.dnshealth.observations import TakeoverObservation
from scanner.probes.dnshealth.takeover import fingerprints, service_for, verdict


def judge(domain: str, seen: list[TakeoverObservation]) -> Finding:
    return takeover(DomainView.of(domain, seen))


def test_the_table_is_dated_cited_and_complete() -> None:
    reviewed, entries = fingerprints()
    assert reviewed == "2026-11-30"
    for entry in entries:
        assert entry.status in ("vulnerable", "edge_case", "not_vulnerable"), entry.key
        assert entry.reference.startswith("https://"), entry.key
        assert entry.suffixes and all(s.startswith(".") for s in entry.suffixes), entry.key
        assert entry.nxdomain or entry.marker, entry.key


def test_service_suffixes_match_whole_labels() -> None:
    assert service_for("team.github.io.").key == "github-pages"  # type: ignore[union-attr]
    assert service_for("notgithub.io") is None
    assert service_for("app.azurewebsites.net").key == "azure-app-service"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("service", "outcome", "body", "expected"),
    [
        ("azure-app-service", "nxdomain", None, "unclaimed"),
        ("azure-app-service", "ok", None, "claimed"),
        ("azure-app-service", "timeout", None, "unknown"),
        ("github-pages", "ok", "<h1>There isn't a GitHub Pages site here.</h1>", "unclaimed"),
        ("github-pages", "ok", "<h1>Our blog</h1>", "claimed"),
        ("github-pages", "ok", None, "unknown"),
        ("github-pages", "nxdomain", None, "unknown"),
    ],
)
def test_verdicts(service: str, outcome: str, body: str | None, expected: str) -> None:
    fingerprint = {f.key: f for f in fingerprints()[1]}[service]
    assert verdict(fingerprint, DnsOutcome(outcome), body, "refused")[0] == expected


def _seen(name: str, service: str, result: str) -> TakeoverObservation:
    return TakeoverObservation("a.test", name, f"x.{service}", service, result, "seen")


def test_an_edge_case_warns_and_never_fails() -> None:
    edge = judge("a.test", [_seen("shop.a.test", "shopify", "unclaimed")])
    assert edge.status is Status.WARN
    claimable = judge(
        "a.test",
        [
            _seen("shop.a.test", "shopify", "unclaimed"),
            _seen("d.a.test", "github-pages", "unclaimed"),
        ],
    )
    assert claimable.status is Status.FAIL and "d.a.test" in claimable.detail
    assert judge("a.test", []).status is Status.PASS


@pytest.mark.lab
def test_the_lab_takeovers(default_scans: dict[str, ScanResult]) -> None:
    def verdicts(key: str) -> dict[str, Status]:
        return {
            f.asset: f.status
            for f in default_scans[key].findings
            if f.check_id == "dns.takeover.possible"
        }

    assert verdicts("exemplary") == {"exemplary.test": Status.PASS}
    (sprawl,) = [
        f for f in default_scans["sprawl"].findings if f.check_id == "dns.takeover.possible"
    ]
    assert sprawl.status is Status.FAIL
    # The deleted pages site and the deleted app, not the blog that is still claimed.
    assert "docs.sprawl.test -> sprawl-docs.github.io" in sprawl.detail
    assert "old.sprawl.test -> sprawl-old.azurewebsites.net" in sprawl.detail
    assert "blog.sprawl.test" not in sprawl.detail
    dangling = {
        f.asset: f.status
        for f in default_scans["sprawl"].findings
        if f.check_id == "dns.cname.dangling"
    }
    # Every discovered CNAME is looked at: the app's name ends in NXDOMAIN.
    assert dangling["old.sprawl.test"] is Status.FAIL
