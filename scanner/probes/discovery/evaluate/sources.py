"""The checks on what the discovery sources did for a domain: which ran and what
they found, whether every host found was scanned, and what two of them reveal on
their own (an open zone transfer, a walkable NSEC chain)."""

from __future__ import annotations

from scanner.checks import finding, not_assessed
from scanner.discovery.scope import in_scope
from scanner.model import Finding, Status
from scanner.probes.table import Gate, Skip, unanswered

from ..observations import SourceAttempt
from .view import DomainView


def _mine(view: DomainView) -> list[SourceAttempt]:
    # A source that could not start at all (not installed) counts for every domain.
    return [a for a in view.attempts if a.domain in (view.domain, "*")]


def sources_enabled(view: DomainView) -> Skip | None:
    if _mine(view):
        return None
    detail = (
        f"No discovery source is enabled in the profile: only {view.domain}, www, MX, NS "
        "and given hosts were looked at."
    )
    return Skip("no discovery source", unanswered=False, detail=detail)


def sources_answered(view: DomainView) -> Skip | None:
    failed = [a for a in _mine(view) if a.status != "ok"]
    if not failed:
        return None
    reason = "; ".join(f"{a.source}: {a.reason}" for a in failed)
    return Skip(reason, unanswered=True, subject=f"the hosts under {view.domain}")


def sources(view: DomainView) -> Finding:
    """dns.discovery.sources: what each source found under the domain."""
    mine = _mine(view)
    notes = [n for a in mine for n in a.notes]
    counts = ", ".join(f"{a.source} {a.found}" for a in mine)
    return finding(
        "dns.discovery.sources",
        Status.INFO,
        view.domain,
        f"Names found under {view.domain} by source: {counts}." + "".join(f" {n}." for n in notes),
        sources={a.source: a.found for a in mine},
        notes=notes,
    )


def budget(view: DomainView) -> Finding:
    """dns.discovery.budget: every host found under the domain was scanned."""
    check, domain = "dns.discovery.budget", view.domain
    mine = [n for n in view.found if n.scope == "provider" and in_scope(n.name, (domain,))]
    left = sorted(n.name for n in mine if n.status == "over_budget")
    if left:
        shown = ", ".join(left[:10]) + (f" and {len(left) - 10} more" if len(left) > 10 else "")
        hosts = "1 host" if len(left) == 1 else f"{len(left)} hosts"
        reason = f"{hosts} found beyond the host budget (--max-hosts) not scanned: {shown}"
        return not_assessed(check, domain, reason, subject=f"the hosts under {domain}")
    scanned = sorted(n.name for n in mine if n.status == "scanned")
    return finding(
        check,
        Status.INFO,
        domain,
        f"Every host found under {domain} was scanned ({len(scanned)} besides apex, www, MX, "
        "NS and given hosts).",
        scanned=scanned,
    )


def _ran(source: str) -> Gate[DomainView]:
    def gate(view: DomainView) -> Skip | None:
        attempt = view.attempt(source)
        if attempt is None:
            return unanswered(f"the {source} discovery source is not enabled")
        return None if attempt.status == "ok" else unanswered(attempt.reason)

    return gate


axfr_ran = _ran("axfr")
nsec_ran = _ran("nsec")


def axfr(view: DomainView) -> Finding:
    """dns.axfr.open: no name server hands the whole zone to anyone who asks."""
    check, domain = "dns.axfr.open", view.domain
    attempt = view.attempt("axfr")
    tried = list(attempt.evidence.get("transfers", [])) if attempt else []
    handed = [t for t in tried if t.get("outcome") == "transferred"]
    if handed:
        servers = ", ".join(f"{t['server']} ({t['address']})" for t in handed)
        return finding(
            check,
            Status.FAIL,
            domain,
            f"{servers} hand the whole {domain} zone to anyone who asks (AXFR): "
            f"{handed[0]['names']} names, internal ones included.",
            transfers=tried,
        )
    if tried and all(t.get("outcome") == "refused" for t in tried):
        return finding(
            check,
            Status.PASS,
            domain,
            f"Every name server of {domain} refuses zone transfers to anyone.",
            transfers=tried,
        )
    reasons = "; ".join(
        f"{t['server']}: {t['reason']}" for t in tried if t.get("outcome") != "refused"
    )
    return not_assessed(check, domain, reasons or "no name server could be asked")


def nsec(view: DomainView) -> Finding:
    """dns.nsec.walkable: the zone's names cannot be listed by walking its NSEC chain."""
    check, domain = "dns.nsec.walkable", view.domain
    attempt = view.attempt("nsec")
    evidence = attempt.evidence if attempt else {}
    if not evidence.get("signed"):
        return finding(
            check, Status.INFO, domain, f"Not applicable to {domain}: the zone is not signed."
        )
    if evidence.get("denial") == "NSEC":
        return finding(
            check,
            Status.FAIL,
            domain,
            f"{domain} is signed with NSEC, so anyone can list its names by walking the "
            f"chain: {evidence.get('names', 0)} names listed.",
            denial="NSEC",
            names=evidence.get("names", 0),
        )
    if evidence.get("denial") == "NSEC3":
        return finding(
            check,
            Status.PASS,
            domain,
            f"{domain} is signed with NSEC3: its names cannot be listed by walking.",
            denial="NSEC3",
        )
    return not_assessed(check, domain, "could not tell whether the zone uses NSEC or NSEC3")
