"""Pure verdicts on what DNS discovery saw for one domain: a table of check functions
behind the gates they need (scanner.probes.table), over a view that groups the
domain's observations. One module per subject: its hosts, its discovery sources."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.model import Finding, Observation
from scanner.probes.table import GatedCheck, run

from . import hosts, sources
from .view import DomainView, domains

# In the order the findings are given (the report and the saved scans keep it).
CHECKS: tuple[GatedCheck[DomainView], ...] = (
    GatedCheck("dns.domain.resolves", (), hosts.resolves),
    GatedCheck(
        "dns.discovery.sources",
        (sources.sources_enabled, sources.sources_answered),
        sources.sources,
    ),
    GatedCheck("dns.discovery.budget", (), sources.budget),
    GatedCheck("dns.axfr.open", (sources.axfr_ran,), sources.axfr),
    GatedCheck("dns.nsec.walkable", (sources.nsec_ran,), sources.nsec),
    GatedCheck(
        "dns.mx.unresolvable", (hosts.mx_looked_up, hosts.mx_published), hosts.mx_unresolvable
    ),
    GatedCheck(
        "dns.ns.unresolvable", (hosts.ns_looked_up, hosts.ns_published), hosts.ns_unresolvable
    ),
)
# In the catalogue's order.
IDS = (
    "dns.domain.resolves", "dns.mx.unresolvable", "dns.ns.unresolvable",
    "dns.discovery.sources", "dns.discovery.budget", "dns.axfr.open", "dns.nsec.walkable",
)  # fmt: skip

__all__ = ["CHECKS", "IDS", "DomainView", "evaluate", "evaluate_domain"]


def evaluate_domain(domain: str, observations: Sequence[Observation]) -> list[Finding]:
    return run(domain, DomainView.of(domain, observations), CHECKS)


def evaluate(observations: Sequence[Observation]) -> list[Finding]:
    return [f for domain in domains(observations) for f in evaluate_domain(domain, observations)]
