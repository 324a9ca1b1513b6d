"""Checks made before any probe runs: do the targets exist, and may we contact them?

This is where "a public name that resolves to a private address" is caught: a
scan is refused whole, with one line, rather than half-run against the user's
own network. Addresses discovered later (MX, NS hosts) are filtered by the
same policy inside the discovery probe.
"""

from __future__ import annotations

import ipaddress

from scanner.errors import InputError, ScanIncomplete, VetscanError
from scanner.model import Target
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import DnsOutcome, Resolver


def _refused(message: str, usage: bool) -> VetscanError:
    # usage: the input is wrong (a name that does not exist, a refused address);
    # otherwise the network is (the resolver did not answer).
    return InputError(message) if usage else ScanIncomplete(message)


def preflight(target: Target, resolver: Resolver, policy: AddressPolicy) -> None:
    for domain in target.domains:
        _check_name(domain, resolver, policy, must_exist=True)
    for endpoint in target.extra_hosts:
        try:
            ipaddress.ip_address(endpoint.host)
        except ValueError:
            _check_name(endpoint.host, resolver, policy, must_exist=True)
            continue
        refusal = policy.refusal(endpoint.host)
        if refusal:
            raise _refused(refusal, usage=True)


def _check_name(name: str, resolver: Resolver, policy: AddressPolicy, must_exist: bool) -> None:
    answers = [resolver.query(name, rdtype) for rdtype in ("A", "AAAA")]
    if all(a.outcome is DnsOutcome.NXDOMAIN for a in answers) and must_exist:
        raise _refused(f"{name} does not exist (NXDOMAIN from {resolver.description})", True)
    if not any(a.outcome.conclusive for a in answers):
        reasons = "; ".join(sorted({a.reason for a in answers}))
        raise _refused(f"cannot resolve {name} via {resolver.description}: {reasons}", False)
    for answer in answers:
        for address in answer.records:
            refusal = policy.refusal(address)
            if refusal:
                raise _refused(f"{name}: {refusal}", usage=True)
