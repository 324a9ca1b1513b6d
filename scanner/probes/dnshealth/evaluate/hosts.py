"""The checks on a domain's hosts by role: name-server and MX redundancy, IPv6 reach."""

from __future__ import annotations

import ipaddress

from scanner.checks import finding
from scanner.model import Finding, Status

from .view import DomainView


def _net(address: str) -> str:
    ip = ipaddress.ip_address(address)
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def ns_redundancy(view: DomainView) -> list[Finding]:
    """dns.ns.redundancy: two or more working name servers, in two or more networks."""
    domain, out = view.domain, []
    ns = view.sets.get("ns")
    if ns is None or not ns.hosts:
        out.append(
            finding(
                "dns.ns.redundancy",
                Status.NOT_ASSESSED,
                domain,
                f"No NS records were found for {domain}.",
                reason="no NS answer",
            )
        )
    else:
        working = [(h, a) for h, a, _ in ns.hosts if a]
        networks = {_net(a) for _, addrs in working for a in addrs}
        evidence = {
            "name_servers": {h: list(a) for h, a, _ in ns.hosts},
            "networks": sorted(networks),
        }
        if len(working) < 2:
            out.append(
                finding(
                    "dns.ns.redundancy",
                    Status.FAIL,
                    domain,
                    f"{domain} has {len(working)} working name server(s) of {len(ns.hosts)} listed: one outage takes the domain, its web and its mail offline.",
                    **evidence,
                )
            )
        elif len(networks) < 2:
            out.append(
                finding(
                    "dns.ns.redundancy",
                    Status.FAIL,
                    domain,
                    f"All name servers of {domain} sit in one network ({next(iter(networks))}): one network failure takes the domain offline.",
                    **evidence,
                )
            )
        else:
            out.append(
                finding(
                    "dns.ns.redundancy",
                    Status.PASS,
                    domain,
                    f"{domain} has {len(working)} name servers in {len(networks)} networks.",
                    **evidence,
                )
            )
    return out


def mx_redundancy(view: DomainView) -> list[Finding]:
    """dns.mx.redundancy: more than one working MX host (info only when there is one)."""
    domain, out = view.domain, []
    mx = view.sets.get("mail")
    if mx is None or not mx.hosts:
        out.append(finding("dns.mx.redundancy", Status.INFO, domain, f"{domain} has no MX host."))
    else:
        working_mx = [h for h, a, _ in mx.hosts if a]
        status = Status.PASS if len(working_mx) >= 2 else Status.INFO
        text = f"{domain} has {len(working_mx)} working MX host(s)" + (
            "."
            if status is Status.PASS
            else ": a single mail server means queued or bounced mail while it is down."
        )
        out.append(finding("dns.mx.redundancy", status, domain, text, mx=working_mx))
    return out


def ipv6(view: DomainView) -> list[Finding]:
    """dns.ipv6.missing: the web, mail and name-server hosts have IPv6 addresses."""
    domain, sets, lacking = view.domain, view.sets, []
    for role in ("web", "mail", "ns"):
        hosts = sets.get(role)
        if hosts is None or not any(a for _, a, _ in hosts.hosts):
            continue
        if not any(":" in addr for _, addrs, _ in hosts.hosts for addr in addrs):
            lacking.append(role)
    if lacking:
        return [
            finding(
                "dns.ipv6.missing",
                Status.FAIL,
                domain,
                f"No IPv6 address for the {', '.join(lacking)} host(s) of {domain}: IPv6-only users and networks cannot reach them.",
                roles=lacking,
            )
        ]
    return [
        finding(
            "dns.ipv6.missing",
            Status.PASS,
            domain,
            f"Web, mail and name-server hosts of {domain} all have IPv6 addresses.",
        )
    ]
