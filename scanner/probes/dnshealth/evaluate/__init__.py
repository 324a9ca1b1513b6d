"""Pure verdicts on the DNS-health observations of one domain: a table of check
functions behind the gates they need (scanner.probes.table), over a view that
groups the domain's observations. One module per subject: the zone, its hosts,
its names, its name servers."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.model import Finding, Observation
from scanner.probes.table import GatedCheck, run

from . import hosts, names, servers, zone
from .view import DomainView

# In the order the findings are given (the report and the saved scans keep it).
CHECKS: tuple[GatedCheck[DomainView], ...] = (
    GatedCheck("dns.dnssec.unsigned", (), zone.unsigned),
    GatedCheck("dns.dnssec.invalid", (), zone.invalid),
    GatedCheck("dns.caa.missing", (zone.caa_answered,), zone.caa_missing),
    GatedCheck("dns.caa.invalid", (zone.caa_answered,), zone.caa_invalid),
    GatedCheck("dns.ns.redundancy", (), hosts.ns_redundancy),
    GatedCheck("dns.mx.redundancy", (), hosts.mx_redundancy),
    GatedCheck("dns.ipv6.missing", (), hosts.ipv6),
    GatedCheck("dns.takeover.possible", (), names.takeover),
    GatedCheck("dns.ns.lame", (servers.asked,), servers.lame),
    GatedCheck("dns.ns.open_resolver", (servers.asked,), servers.open_resolver),
    GatedCheck("dns.ns.inconsistent", (servers.answered_for_zone,), servers.consistent),
    GatedCheck("dns.cname.dangling", (), names.dangling),
)
# In the catalogue's order.
IDS = (
    "dns.dnssec.unsigned", "dns.dnssec.invalid", "dns.caa.missing", "dns.caa.invalid",
    "dns.ns.redundancy", "dns.mx.redundancy", "dns.ipv6.missing", "dns.cname.dangling",
    "dns.takeover.possible", "dns.ns.lame", "dns.ns.open_resolver", "dns.ns.inconsistent",
)  # fmt: skip

__all__ = ["CHECKS", "IDS", "DomainView", "evaluate", "evaluate_domain"]


def evaluate_domain(domain: str, observations: Sequence[Observation]) -> list[Finding]:
    return run(domain, DomainView.of(domain, observations), CHECKS)


def evaluate(observations: Sequence[Observation]) -> list[Finding]:
    domains = sorted({getattr(o, "domain", "") for o in observations} - {""})
    return [f for domain in domains for f in evaluate_domain(domain, observations)]
