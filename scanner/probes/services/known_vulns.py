"""The vulnerability checks of one address: the CVEs of vetscan's dated table that
apply to the versions its services announce, and among them those CISA lists as
exploited in the wild. Pure over the observation, the table and the catalogue."""

from __future__ import annotations

import dataclasses
from typing import Any

from scanner.checks import finding
from scanner.model import Finding, Severity, Status
from scanner.observations.ports import PortResult
from scanner.probes.services.kev import KevCatalogue, active_catalogue
from scanner.probes.services.observations import ServicesObservation
from scanner.probes.services.vulns import Cve, CveTable, cve_table, distribution_build

KNOWN = "service.known_vulnerabilities"
EXPLOITED = "service.known_exploited"
# What a port's worst CVE makes of the known_vulnerabilities finding: a critical
# CVE is high (the check's own severity), a high one medium, the rest low. A CVE
# CISA lists as exploited is judged by service.known_exploited, critical.
_BY_RATING = {"critical": Severity.HIGH, "high": Severity.MEDIUM}


def _name(p: PortResult) -> str:
    return f"{p.product} {p.version}"


def _cve_row(cve: Cve, version: str, kev: KevCatalogue) -> dict[str, Any]:
    listed = kev.get(cve.id)
    return {
        "id": cve.id,
        "cvss": cve.cvss,
        "cvss_source": cve.cvss_source,
        "rating": cve.rating,
        "summary": cve.summary,
        "condition": cve.condition,
        "fixed_in": cve.fixed_in(version),
        "known_exploited": listed is not None,
        "kev_date_added": listed.date_added if listed else "",
        "ransomware": bool(listed and listed.ransomware),
        "references": list(cve.references),
    }


def _caveat(p: PortResult) -> str:
    distro = distribution_build(p.version, p.extrainfo)
    if not distro:
        return ""
    return (
        f" The version names a {distro} build: distributions backport fixes without "
        "changing the number, so ask the provider whether its package carries them."
    )


def _port_failure(
    check_id: str,
    obs: ServicesObservation,
    p: PortResult,
    said: str,
    cves: list[Cve],
    kev: KevCatalogue,
    **evidence: Any,
) -> Finding:
    """One port's failure: what it announces, what applies, the release that fixes it."""
    asset = f"{obs.address}:{p.port}"
    return finding(
        check_id,
        Status.FAIL,
        asset,
        f"{asset} ({', '.join(obs.hosts)}) announces {_name(p)}, {said}. Fixed in "
        f"{cves[0].fixed_in(p.version)} ({evidence.pop('source')}).{_caveat(p)}",
        port=p.port,
        product=p.product,
        version=p.version,
        cves=[_cve_row(c, p.version, kev) for c in cves],
        **evidence,
    )  # fmt: skip


def _covered(obs: ServicesObservation, table: CveTable) -> tuple[list[PortResult], list[str]]:
    """The ports whose announced product and version the table can judge, and the
    versioned products it does not cover."""
    versioned = [p for p in obs.ports if p.product and p.version]
    covered = [p for p in versioned if table.covers(p.product)]
    others = list(dict.fromkeys(_name(p) for p in versioned if not table.covers(p.product)))
    return covered, others


def _nothing_to_judge(
    check_id: str, obs: ServicesObservation, table: CveTable, others: list[str]
) -> Finding:
    a = obs.address
    told = f"; {', '.join(others)} announced, not in the table" if others else ""
    return finding(
        check_id,
        Status.INFO,
        a,
        f"No service on {a} announced a version of a product vetscan's vulnerability "
        f"table covers ({', '.join(table.products)}){told}.",
        table_date=table.advisories_through,
        uncovered=others,
    )


def known_vulnerabilities(obs: ServicesObservation) -> list[Finding]:
    """service.known_vulnerabilities: one failure per port whose announced version
    the table's CVEs apply to, its severity from the worst of them."""
    table, kev, a = cve_table(), active_catalogue(), obs.address
    covered, others = _covered(obs, table)
    if not covered:
        return [_nothing_to_judge(KNOWN, obs, table, others)]
    out = []
    for p in covered:
        cves = table.matching(p.product, p.version)
        if not cves:
            continue
        listed = ", ".join(
            f"{c.id} (CVSS {c.cvss:g}{', exploited in the wild' if kev.get(c.id) else ''}: "
            f"{c.summary}{'; ' + c.condition if c.condition else ''})"
            for c in cves
        )
        many = f"{len(cves)} known vulnerabilities" if len(cves) > 1 else "a known vulnerability"
        failed = _port_failure(
            KNOWN, obs, p, f"which has {many}: {listed}", cves, kev,
            source=f"vetscan's table of {table.advisories_through}",
            table_date=table.advisories_through, kev_catalogue=kev.version,
        )  # fmt: skip
        severity = _BY_RATING.get(cves[0].rating, Severity.LOW)
        out.append(dataclasses.replace(failed, severity=severity))
    if out:
        return out
    judged = [_name(p) for p in covered]
    return [
        finding(
            KNOWN,
            Status.PASS,
            a,
            f"No vulnerability in vetscan's table of {table.advisories_through} applies to "
            f"the versions {a} announces: {', '.join(dict.fromkeys(judged))}.",
            products=judged,
            uncovered=others,
            table_date=table.advisories_through,
        )
    ]


def known_exploited(obs: ServicesObservation) -> list[Finding]:
    """service.known_exploited: no announced version is affected by a CVE in CISA's
    Known Exploited Vulnerabilities catalogue (one failure per port)."""
    table, kev, a = cve_table(), active_catalogue(), obs.address
    covered, others = _covered(obs, table)
    if not covered:
        return [_nothing_to_judge(EXPLOITED, obs, table, others)]
    out = []
    for p in covered:
        exploited = [c for c in table.matching(p.product, p.version) if kev.get(c.id)]
        if not exploited:
            continue
        said = []
        for c in exploited:
            entry = kev.get(c.id)
            assert entry is not None
            ransom = ", used in ransomware campaigns" if entry.ransomware else ""
            said.append(f"{c.id} ({c.summary}; listed since {entry.date_added}{ransom})")
        count = f"{len(exploited)} vulnerabilit{'ies' if len(exploited) > 1 else 'y'}"
        out.append(
            _port_failure(
                EXPLOITED,
                obs,
                p,
                f"affected by {count} that CISA lists as exploited by attackers: {'; '.join(said)}",
                exploited,
                kev,
                source=f"KEV catalogue {kev.version}",
                kev_catalogue=kev.version,
                kev_released=kev.released_day,
            )
        )
    if out:
        return out
    judged = list(dict.fromkeys(_name(p) for p in covered))
    return [
        finding(
            EXPLOITED,
            Status.PASS,
            a,
            f"None of the versions {a} announces ({', '.join(judged)}) is affected by a "
            f"vulnerability in vetscan's table that CISA's catalogue of "
            f"{kev.released_day} lists as exploited.",
            products=judged,
            kev_catalogue=kev.version,
            table_date=table.advisories_through,
        )
    ]
