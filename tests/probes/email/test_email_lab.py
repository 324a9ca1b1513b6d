"""Email, DNS-health and DANE verdicts against the lab's real Knot DNS, nginx and MX servers."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.labscan import lab_context

from scanner.engine import run_probes
from scanner.lab import manager
from scanner.lab.providers import BROKEN, EXEMPLARY, LEGACY, SPRAWL, STALE
from scanner.model import Finding, ProbeResult, Status, Target
from scanner.net.dnssec import DnssecValidator, load_anchors
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver
from scanner.probes.context import build_context
from scanner.probes.dane.probe import DaneProbe
from scanner.probes.discovery.probe import DnsDiscoveryProbe
from scanner.probes.dnshealth.probe import DnsHealthProbe
from scanner.probes.email.probe import EmailProbe
from scanner.probes.tls.probe import TlsProbe
from scanner.scoring.profile import Profile

pytestmark = pytest.mark.lab

P, F, W, INF, NA = Status.PASS, Status.FAIL, Status.WARN, Status.INFO, Status.NOT_ASSESSED
PROBES = [DnsDiscoveryProbe(), TlsProbe(), EmailProbe(), DnsHealthProbe(), DaneProbe()]


@pytest.fixture(scope="module")
def verdicts(
    lab: Path, lab_resolver: Resolver, default_profile: Profile
) -> dict[str, dict[tuple[str, str], Finding]]:
    out = {}
    for provider, domain in (
        (EXEMPLARY, EXEMPLARY.domain),
        (LEGACY, LEGACY.domain),
        (BROKEN, BROKEN.domain),
        (STALE, STALE.domain),
        (BROKEN, "shop.broken.test"),
        (SPRAWL, SPRAWL.domain),
    ):
        context = lab_context(lab, lab_resolver, default_profile, provider)
        results: list[ProbeResult] = run_probes(Target(provider.name, (domain,)), PROBES, context)
        out[domain] = {(f.check_id, f.asset): f for r in results for f in r.findings}
    return out


EXPECTED: list[tuple[str, str, str, Status]] = [
    # SPF
    ("exemplary.test", "email.spf.missing", "exemplary.test", P),
    ("stale.test", "email.spf.missing", "stale.test", F),
    ("exemplary.test", "email.spf.invalid", "exemplary.test", P),
    ("shop.broken.test", "email.spf.invalid", "shop.broken.test", F),
    ("exemplary.test", "email.spf.too_many_lookups", "exemplary.test", P),
    ("broken.test", "email.spf.too_many_lookups", "broken.test", F),
    ("exemplary.test", "email.spf.permissive_all", "exemplary.test", P),
    ("broken.test", "email.spf.permissive_all", "broken.test", F),
    ("exemplary.test", "email.spf.softfail_all", "exemplary.test", P),
    ("legacy.test", "email.spf.softfail_all", "legacy.test", F),
    ("exemplary.test", "email.spf.ptr", "exemplary.test", P),
    ("legacy.test", "email.spf.ptr", "legacy.test", F),
    ("exemplary.test", "email.spf.include_unresolvable", "exemplary.test", P),
    ("sprawl.test", "email.spf.include_unresolvable", "sprawl.test", F),
    ("exemplary.test", "dns.takeover.possible", "exemplary.test", P),
    ("sprawl.test", "dns.takeover.possible", "sprawl.test", F),
    # sprawl.test lists an open resolver (ns3) and a stale secondary (ns4).
    ("exemplary.test", "dns.ns.lame", "exemplary.test", P),
    ("sprawl.test", "dns.ns.lame", "sprawl.test", F),
    ("exemplary.test", "dns.ns.open_resolver", "exemplary.test", P),
    ("sprawl.test", "dns.ns.open_resolver", "sprawl.test", F),
    ("exemplary.test", "dns.ns.inconsistent", "exemplary.test", P),
    ("sprawl.test", "dns.ns.inconsistent", "sprawl.test", F),
    # DMARC
    ("exemplary.test", "email.dmarc.missing", "exemplary.test", P),
    ("stale.test", "email.dmarc.missing", "stale.test", F),
    ("exemplary.test", "email.dmarc.invalid", "exemplary.test", P),
    ("shop.broken.test", "email.dmarc.invalid", "shop.broken.test", F),
    ("exemplary.test", "email.dmarc.policy_none", "exemplary.test", P),
    ("legacy.test", "email.dmarc.policy_none", "legacy.test", F),
    ("exemplary.test", "email.dmarc.policy_quarantine", "exemplary.test", P),
    # Broken's p=quarantine is in testing mode (t=y): applied as none (RFC 9989).
    ("broken.test", "email.dmarc.policy_none", "broken.test", F),
    ("broken.test", "email.dmarc.policy_quarantine", "broken.test", INF),
    ("broken.test", "email.dmarc.partial_pct", "broken.test", F),
    # Sprawl claims to be a public suffix domain (psd=y): invalid.
    ("sprawl.test", "email.dmarc.invalid", "sprawl.test", F),
    ("exemplary.test", "email.dmarc.partial_pct", "exemplary.test", P),
    ("legacy.test", "email.dmarc.partial_pct", "legacy.test", F),
    ("exemplary.test", "email.dmarc.no_reporting", "exemplary.test", P),
    ("legacy.test", "email.dmarc.no_reporting", "legacy.test", F),
    ("exemplary.test", "email.dmarc.external_rua_unauthorized", "exemplary.test", P),
    ("broken.test", "email.dmarc.external_rua_unauthorized", "broken.test", F),
    # DKIM
    ("exemplary.test", "email.dkim.not_found", "exemplary.test", P),
    # Stale publishes no name under _domainkey at all: NXDOMAIN, known, a failure.
    ("stale.test", "email.dkim.not_found", "stale.test", F),
    ("exemplary.test", "email.dkim.weak_key", "exemplary.test", P),
    ("legacy.test", "email.dkim.weak_key", "legacy.test", F),
    ("exemplary.test", "email.dkim.testing", "exemplary.test", P),
    ("legacy.test", "email.dkim.testing", "legacy.test", F),
    ("exemplary.test", "email.dkim.revoked", "exemplary.test", P),
    ("broken.test", "email.dkim.revoked", "broken.test", F),
    # MTA-STS, TLS-RPT, BIMI
    ("exemplary.test", "email.mta_sts.missing", "exemplary.test", P),
    ("stale.test", "email.mta_sts.missing", "stale.test", F),
    ("exemplary.test", "email.mta_sts.invalid", "exemplary.test", P),
    ("broken.test", "email.mta_sts.invalid", "broken.test", F),
    ("exemplary.test", "email.mta_sts.testing", "exemplary.test", P),
    ("legacy.test", "email.mta_sts.testing", "legacy.test", F),
    ("exemplary.test", "email.mta_sts.mx_mismatch", "exemplary.test", P),
    ("legacy.test", "email.mta_sts.mx_mismatch", "legacy.test", F),
    ("exemplary.test", "email.tlsrpt.missing", "exemplary.test", P),
    ("legacy.test", "email.tlsrpt.missing", "legacy.test", F),
    ("exemplary.test", "email.tlsrpt.invalid", "exemplary.test", P),
    ("broken.test", "email.tlsrpt.invalid", "broken.test", F),
    ("exemplary.test", "email.bimi.present", "exemplary.test", P),
    ("legacy.test", "email.bimi.present", "legacy.test", INF),
    # DNS
    ("exemplary.test", "dns.dnssec.unsigned", "exemplary.test", P),
    ("legacy.test", "dns.dnssec.unsigned", "legacy.test", F),
    ("exemplary.test", "dns.dnssec.invalid", "exemplary.test", P),
    ("stale.test", "dns.dnssec.invalid", "stale.test", F),
    ("exemplary.test", "dns.caa.missing", "exemplary.test", P),
    ("legacy.test", "dns.caa.missing", "legacy.test", F),
    ("exemplary.test", "dns.caa.invalid", "exemplary.test", P),
    ("broken.test", "dns.caa.invalid", "broken.test", F),
    ("exemplary.test", "dns.ns.redundancy", "exemplary.test", P),
    ("broken.test", "dns.ns.redundancy", "broken.test", F),
    ("exemplary.test", "dns.mx.redundancy", "exemplary.test", P),
    ("stale.test", "dns.mx.redundancy", "stale.test", INF),
    ("exemplary.test", "dns.ipv6.missing", "exemplary.test", P),
    ("legacy.test", "dns.ipv6.missing", "legacy.test", F),
    ("exemplary.test", "dns.cname.dangling", "exemplary.test", P),
    ("broken.test", "dns.cname.dangling", "mta-sts.broken.test", F),
    # DANE
    ("exemplary.test", "mail.dane.missing", "mx1.exemplary.test", P),
    ("legacy.test", "mail.dane.missing", "mail.legacy.test", F),
    ("exemplary.test", "mail.dane.invalid", "mx1.exemplary.test", P),
    ("broken.test", "mail.dane.invalid", "mx-dane.broken.test", F),
]


@pytest.mark.parametrize(
    ("domain", "check", "asset", "expected"), EXPECTED, ids=[f"{d}-{c}" for d, c, _, _ in EXPECTED]
)
def test_lab_verdicts(
    verdicts: dict[str, dict[tuple[str, str], Finding]],
    domain: str,
    check: str,
    asset: str,
    expected: Status,
) -> None:
    finding = verdicts[domain][(check, asset)]
    assert finding.status is expected, finding.detail


def test_every_email_and_dns_check_has_a_pass_and_a_fail_in_the_lab() -> None:
    covered: dict[str, set[Status]] = {}
    for _, check, _, status in EXPECTED:
        covered.setdefault(check, set()).add(status)
    ids = {*EmailProbe.checks, *DnsHealthProbe.checks, *DaneProbe.checks}
    assert set(covered) == ids
    for check, statuses in covered.items():
        assert P in statuses and statuses - {P}, check


def test_exemplary_has_no_email_or_dns_failure(
    verdicts: dict[str, dict[tuple[str, str], Finding]],
) -> None:
    probes = {"email", "dns-health", "dane"}
    bad = {
        k: f.status
        for k, f in verdicts["exemplary.test"].items()
        if f.probe in probes and f.status is not P
    }
    assert bad == {}


def test_dnssec_validator_statuses(lab: Path, lab_resolver: Resolver) -> None:
    validator = DnssecValidator(lab_resolver, load_anchors(manager.trust_anchors(lab)))
    statuses = {
        d: validator.status(d).status
        for d in (
            "exemplary.test",
            "www.exemplary.test",
            "legacy.test",
            "broken.test",
            "stale.test",
        )
    }
    assert statuses == {
        "exemplary.test": "secure",
        "www.exemplary.test": "secure",
        "legacy.test": "unsigned",
        "broken.test": "secure",
        "stale.test": "bogus",
    }
    assert "2019" in validator.status("stale.test").reason
    # With only the real root keys, the lab's private zones cannot be validated: no verdict.
    root_only = DnssecValidator(lab_resolver, load_anchors(None))
    assert root_only.status("exemplary.test").status == "indeterminate"


def test_a_wrong_anchor_makes_the_zone_bogus(
    lab: Path, lab_resolver: Resolver, tmp_path: Path
) -> None:
    anchors = tmp_path / "anchors"
    anchors.write_text("exemplary.test. DS 1 13 2 " + "00" * 32 + "\n")
    status = DnssecValidator(lab_resolver, load_anchors(anchors)).status("exemplary.test")
    assert status.status == "bogus" and "matches" in status.reason


def test_the_escaping_target_txt_is_data(
    verdicts: dict[str, dict[tuple[str, str], Finding]],
) -> None:
    # broken.test publishes a TXT record that is a <script> element; it is no SPF record.
    assert verdicts["broken.test"][("email.spf.invalid", "broken.test")].status is P


def test_dkim_under_an_unknown_selector_is_a_warning_not_a_verdict(
    lab: Path, lab_resolver: Resolver, default_profile: Profile
) -> None:
    # Exemplary signs with "mail2026", which no common list holds: without the
    # selector, _domainkey.exemplary.test answers NOERROR (names exist below it).
    context = build_context(
        lab_resolver,
        AddressPolicy(allow_private=True),
        default_profile,
        manager.ca_file(lab),
        3.0,
        load_anchors(manager.trust_anchors(lab)),
    )
    probes = [DnsDiscoveryProbe(), EmailProbe()]
    results = run_probes(Target(EXEMPLARY.name, (EXEMPLARY.domain,)), probes, context)
    (found,) = [f for r in results for f in r.findings if f.check_id == "email.dkim.not_found"]
    assert found.status is W
    assert "names exist under _domainkey.exemplary.test" in found.detail
