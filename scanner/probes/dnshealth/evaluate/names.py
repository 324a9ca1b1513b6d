"""The checks on a domain's names: CNAMEs that dangle, and CNAMEs to third-party
resources anyone can claim (the fingerprints are data: ``takeover.toml``)."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.checks import finding, not_assessed
from scanner.model import Finding, Status
from scanner.observations.dns import describe

from ..observations import CnameObservation, TakeoverObservation
from ..takeover import fingerprints
from .view import DomainView

TAKEOVER = "dns.takeover.possible"


def _failed(c: CnameObservation) -> str:
    return describe(c.target_outcome, c.target_reason)


def dangling(view: DomainView) -> list[Finding]:
    """dns.cname.dangling: every CNAME among the domain's names resolves (one finding
    per name that dangles or could not be told)."""
    domain, cnames, out = view.domain, view.cnames, list[Finding]()
    gone = [c for c in cnames if c.target_outcome.no_record]
    # A loop, SERVFAIL or timeout at the end of a chain tells nothing about dangling:
    # not assessed for that name, never a pass.
    unknown = [c for c in cnames if not c.target_outcome.conclusive]
    out += [
        finding(
            "dns.cname.dangling",
            Status.FAIL,
            c.name,
            f"{c.name} is a CNAME to {c.target}, which does not resolve ({c.target_outcome}). Whoever registers or claims {c.target} serves content under {c.name}.",
            target=c.target,
        )
        for c in gone
    ]
    out += [
        finding(
            "dns.cname.dangling",
            Status.NOT_ASSESSED,
            c.name,
            f"Not assessed: {c.name} is a CNAME to {c.target}, whose lookup failed "
            f"({_failed(c)}: a CNAME loop or a failing name server)."
            if c.target
            else f"Not assessed: the CNAME lookup of {c.name} failed ({_failed(c)}).",
            target=c.target,
            reason=_failed(c),
        )
        for c in unknown
    ]
    if cnames and not gone and not unknown:
        out.append(
            finding(
                "dns.cname.dangling",
                Status.PASS,
                domain,
                f"Every CNAME among {domain}'s names resolves.",
                cnames={c.name: c.target for c in cnames},
            )
        )
    elif not cnames:
        out.append(
            finding(
                "dns.cname.dangling",
                Status.INFO,
                domain,
                f"None of {domain}'s discovered names is a CNAME.",
            )
        )
    return out


def takeover(view: DomainView) -> Finding:
    """dns.takeover.possible: one verdict per domain over the CNAMEs of its names to
    services in the takeover table."""
    domain, mine = view.domain, view.takeovers
    table = {f.key: f for f in fingerprints()[1]}
    reviewed = fingerprints()[0]
    claimable = [
        o for o in mine if o.verdict == "unclaimed" and table[o.service].status == "vulnerable"
    ]
    edge = [o for o in mine if o.verdict == "unclaimed" and table[o.service].status == "edge_case"]
    unknown = [
        o for o in mine if o.verdict == "unknown" and table[o.service].status != "not_vulnerable"
    ]

    def listing(items: Sequence[TakeoverObservation]) -> str:
        return "; ".join(
            f"{o.name} -> {o.target} ({table[o.service].name}: {o.evidence})" for o in items
        )

    evidence = {
        "cnames": {o.name: o.target for o in mine},
        "references": sorted({table[o.service].reference for o in mine}),
        "table_reviewed": reviewed,
    }
    if claimable:
        return finding(
            TAKEOVER,
            Status.FAIL,
            domain,
            f"Names of {domain} point at unclaimed third-party resources that anyone can "
            f"claim and then serve content under the provider's name: {listing(claimable)}.",
            **evidence,
        )
    if edge:
        return finding(
            TAKEOVER,
            Status.WARN,
            domain,
            f"Names of {domain} point at unclaimed resources of services where claiming "
            f"them takes extra conditions: {listing(edge)}.",
            **evidence,
        )
    if unknown:
        return not_assessed(
            TAKEOVER, domain, f"the service did not answer clearly: {listing(unknown)}"
        )
    if mine:
        return finding(
            TAKEOVER,
            Status.PASS,
            domain,
            f"Every CNAME of {domain} to a third-party service points at a claimed resource.",
            **evidence,
        )
    return finding(
        TAKEOVER,
        Status.PASS,
        domain,
        f"No name of {domain} is a CNAME to a service in the takeover table (reviewed {reviewed}).",
        table_reviewed=reviewed,
    )
