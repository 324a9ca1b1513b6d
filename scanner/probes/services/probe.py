"""The services probe: a TCP connect scan of the provider's web, mail and extra
addresses over the profile's port list, and what each open port exposes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.checks import finding
from scanner.model import Finding, Observation, Status, Target
from scanner.net.portscan import PortResult, PortScanError
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.discovery import HostAddresses
from scanner.probes.services.classify import category, eol_table, outdated
from scanner.probes.services.inventory import service_rows
from scanner.scoring.profile import Profile

IDS = (
    "service.cleartext_remote_access",
    "service.remote_desktop_exposed",
    "service.database_exposed",
    "service.container_api_exposed",
    "service.outdated_version",
    "service.unexpected_open",
)
_CATEGORY_CHECKS = {
    "cleartext": ("service.cleartext_remote_access", "clear-text remote access"),
    "remote_desktop": (
        "service.remote_desktop_exposed",
        "a remote desktop or Windows file-sharing service",
    ),
    "database": ("service.database_exposed", "a database"),
    "container": ("service.container_api_exposed", "a container management API"),
}
EXPECTED_PORTS = {
    "web": {80, 443},
    "mta-sts": {80, 443},
    "mail": {25, 465, 587},
    "discovered": {80, 443},
}
# NS hosts are left out on purpose: they are often a DNS provider's shared servers,
# not the provider's own network.
SCANNED_ROLES = ("web", "mta-sts", "mail", "extra", "discovered")


@dataclass(frozen=True)
class ServicesObservation(Observation):
    kind = "services.address"
    address: str
    hosts: tuple[str, ...]
    roles: tuple[str, ...]
    expected_ports: tuple[int, ...]
    outcome: str  # scanned, error, refused_by_policy
    reason: str
    ports: tuple[PortResult, ...]
    eol_table_date: str


class ServicesProbe(Probe):
    name = "services"
    description = "TCP connect scan (nmap -sT -sV, light) of web, mail and extra addresses over the profile's ports."
    version = "1"
    consumes = ("dns-discovery",)
    checks = IDS

    def inventory(
        self, observations: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return {"services": service_rows(observations)}

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        hosts = context.upstream["dns-discovery"].observations_of(HostAddresses)
        by_address: dict[str, dict[str, set[str]]] = {}
        refused: dict[str, str] = {}
        for h in hosts:
            roles = set(h.roles) & set(SCANNED_ROLES)
            if not roles:
                continue
            for address in h.addresses:
                entry = by_address.setdefault(address, {"hosts": set(), "roles": set()})
                entry["hosts"].add(h.host)
                entry["roles"] |= roles
            for address, reason in h.refused:
                refused[address] = reason
        # An address that also serves the domain's DNS legitimately answers on 53.
        ns_addresses = {a for h in hosts if "ns" in h.roles for a in h.addresses}
        extra_ports: dict[str, set[int]] = {}
        for extra in target.extra_hosts:
            for h in hosts:
                if h.host == extra.host:
                    for address in h.addresses:
                        extra_ports.setdefault(address, set()).add(extra.port)
        table_date = eol_table().date
        out: list[Observation] = [
            ServicesObservation(a, (), (), (), "refused_by_policy", r, (), table_date)
            for a, r in sorted(refused.items())
        ]
        if not by_address:
            return out
        results: tuple[PortResult, ...] = ()
        incomplete: dict[str, str] = {}
        failure = ""
        try:
            if context.ports is None:
                raise PortScanError("no port scanner in the probe context")
            report = context.ports.scan(sorted(by_address))
            results, incomplete = report.ports, report.incomplete
        except PortScanError as exc:
            failure = str(exc)
        for address, entry in sorted(by_address.items()):
            expected = set().union(*(EXPECTED_PORTS.get(r, set()) for r in entry["roles"]))
            expected |= extra_ports.get(address, set())
            expected |= {53} if address in ns_addresses else set()
            out.append(
                ServicesObservation(
                    address=address,
                    hosts=tuple(sorted(entry["hosts"])),
                    roles=tuple(sorted(entry["roles"])),
                    expected_ports=tuple(sorted(expected)),
                    outcome="error" if failure or address in incomplete else "scanned",
                    reason=failure or incomplete.get(address, ""),
                    ports=tuple(r for r in results if r.address == address and r.state == "open"),
                    eol_table_date=table_date,
                )
            )
        return out

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return [
            f
            for o in observations
            if isinstance(o, ServicesObservation)
            for f in evaluate_address(o)
        ]


def _port_evidence(p: PortResult) -> dict[str, Any]:
    return {
        "port": p.port,
        "service": p.service,
        "product": p.product,
        "version": p.version,
        "cpe": p.cpe,
    }


def evaluate_address(obs: ServicesObservation) -> list[Finding]:
    a = obs.address
    if obs.outcome != "scanned":
        return [
            finding(
                c,
                Status.NOT_ASSESSED,
                a,
                f"Services of {a} not assessed: {obs.reason}.",
                reason=obs.reason,
            )
            for c in IDS
        ]
    hosts = ", ".join(obs.hosts)
    # What was seen, so a pass states it: "open ports: 80 http, 443 https".
    open_ports = ", ".join(f"{p.port} {p.service}".strip() for p in obs.ports) or "none"
    out: list[Finding] = []
    for key, (check_id, label) in _CATEGORY_CHECKS.items():
        hits = [p for p in obs.ports if category(p.service, p.product) == key]
        for p in hits:
            name = " ".join(x for x in (p.product, p.version) if x) or p.service
            out.append(
                finding(
                    check_id,
                    Status.FAIL,
                    f"{a}:{p.port}",
                    f"{a}:{p.port} ({hosts}) exposes {label} to the internet: {name}.",
                    **_port_evidence(p),
                )
            )
        if not hits:
            out.append(
                finding(
                    check_id,
                    Status.PASS,
                    a,
                    f"Nothing open on {a} ({hosts}) is {label}; open ports: {open_ports}.",
                )
            )
    table = eol_table()
    versioned = [p for p in obs.ports if p.product and p.version]
    old = [
        (p, rule) for p in versioned if (rule := outdated(p.product, p.version, table)) is not None
    ]
    for p, rule in old:
        out.append(
            finding(
                "service.outdated_version",
                Status.FAIL,
                f"{a}:{p.port}",
                f"{a}:{p.port} runs {p.product} {p.version}, older than {rule.minimum}: {rule.why} (table of {table.date}).",
                minimum=rule.minimum,
                table_date=table.date,
                **_port_evidence(p),
            )
        )
    if not old:
        if versioned:
            out.append(
                finding(
                    "service.outdated_version",
                    Status.PASS,
                    a,
                    f"No service on {a} is older than vetscan's table of {table.date}.",
                    products=[f"{p.product} {p.version}" for p in versioned],
                    table_date=table.date,
                )
            )
        else:
            out.append(
                finding(
                    "service.outdated_version",
                    Status.INFO,
                    a,
                    f"No service on {a} disclosed a version to compare.",
                    table_date=table.date,
                )
            )
    unexpected = [p for p in obs.ports if p.port not in obs.expected_ports]
    if unexpected:
        ports = ", ".join(f"{p.port}/{p.service or 'unknown'}" for p in unexpected)
        out.append(
            finding(
                "service.unexpected_open",
                Status.FAIL,
                a,
                f"{a} ({hosts}) has ports open beyond its web and mail role: {ports}.",
                ports=[p.port for p in unexpected],
                expected=list(obs.expected_ports),
            )
        )
    else:
        out.append(
            finding(
                "service.unexpected_open",
                Status.PASS,
                a,
                f"{a} opens only the ports its role needs.",
                open=[p.port for p in obs.ports],
            )
        )
    return out
