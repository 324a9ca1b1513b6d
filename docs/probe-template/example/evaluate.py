"""The template probe's checks: pure functions of its observation and the profile,
one per check ID, in a table with the gates each needs (scanner.probes.table). Every
declared check gives exactly one finding on every path."""

from __future__ import annotations

from collections.abc import Callable

from scanner.checks import finding
from scanner.model import Finding, Status
from scanner.probes.table import GatedCheck, Skip, run, unanswered
from scanner.scoring.profile import Profile

from .observations import ExposedHosts

Check = Callable[[ExposedHosts], Finding]


def _complete(obs: ExposedHosts) -> Skip | None:
    return None if obs.complete else unanswered(f"DNS discovery {obs.reason or 'did not finish'}")


def _limit(limit: int) -> Check:
    def check(obs: ExposedHosts) -> Finding:
        count = len(obs.resolved)
        status = Status.FAIL if count > limit else Status.PASS
        detail = f"{count} hosts answer in DNS with an address; the profile allows {limit}."
        return finding("example.hosts.limit", status, obs.domain, detail, hosts=count, limit=limit)

    return check


def _ipv6(obs: ExposedHosts) -> Finding:
    with_v6 = sorted(host for host, addresses in obs.resolved if any(":" in a for a in addresses))
    if with_v6:
        detail = f"{len(with_v6)} of {len(obs.resolved)} hosts have an IPv6 address."
        return finding("example.hosts.ipv6", Status.PASS, obs.domain, detail, hosts=with_v6)
    detail = "No host has an IPv6 address: clients on IPv6-only networks cannot reach them."
    return finding("example.hosts.ipv6", Status.WARN, obs.domain, detail, hosts=[])


def _unresolved(obs: ExposedHosts) -> Finding:
    if not obs.unresolved:
        detail = "Every host the provider's DNS names has an address."
        return finding("example.hosts.unresolved", Status.PASS, obs.domain, detail, hosts=[])
    names = ", ".join(f"{host} ({why})" for host, why in obs.unresolved)
    return finding(
        "example.hosts.unresolved",
        Status.FAIL,
        obs.domain,
        f"Hosts named by the provider's DNS have no address: {names}.",
        hosts=[host for host, _ in obs.unresolved],
    )


def table(profile: Profile) -> tuple[GatedCheck[ExposedHosts], ...]:
    """The checks, with what the profile sets (example.max_hosts) bound in."""
    limit = int(profile.setting("example", "max_hosts"))
    return (
        GatedCheck("example.hosts.limit", (_complete,), _limit(limit)),
        GatedCheck("example.hosts.ipv6", (_complete,), _ipv6),
        GatedCheck("example.hosts.unresolved", (_complete,), _unresolved),
    )


IDS = ("example.hosts.limit", "example.hosts.ipv6", "example.hosts.unresolved")


def evaluate(obs: ExposedHosts, profile: Profile) -> list[Finding]:
    return run(obs.domain, obs, table(profile))
