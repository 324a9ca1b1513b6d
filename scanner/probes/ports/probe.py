"""The ports probe: which TCP ports are open on the provider's addresses, and what its
mail and FTP ports say before TLS. It gathers only (no checks of its own), and its
observations are shared shapes (scanner.observations.ports), so this one module
holds it.

A connect scan (nmap -sT, no version detection) takes a fraction of a second, so
the TLS probe can start on every TLS port it finds while the services probe is
still asking nmap what the silent ports run. The dialogues (greeting and one
capability request on IMAP, POP3, submission and FTP) tell both of them whether
STARTTLS is offered and whether a password is taken before it.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.concurrency import DaemonPool
from scanner.model import Finding, Observation, Target
from scanner.net.policy import AddressPolicy
from scanner.net.portscan import PortScanError
from scanner.net.starttls import talk
from scanner.observations.dns import HostAddresses
from scanner.observations.ports import OpenPorts, PortDialogue, PortResult
from scanner.probes.base import Probe, ProbeContext
from scanner.scoring.profile import Profile

EXPECTED_PORTS = {
    "web": {80, 443},
    "mta-sts": {80, 443},
    # A mail host commonly serves its users too: submission, IMAP and POP3 (with TLS).
    "mail": {25, 110, 143, 465, 587, 993, 995},
    "discovered": {80, 443},
}
# NS hosts are left out on purpose: they are often a DNS provider's shared servers,
# not the provider's own network.
SCANNED_ROLES = ("web", "mta-sts", "mail", "extra", "discovered")
# Ports whose clear-text dialogue says whether TLS is offered and login waits for it.
DIALOGUE_PORTS = {21: "ftp", 110: "pop3", 143: "imap", 587: "submission"}
_DIALOGUE_NAMES = {"ftp": "ftp", "pop3": "pop3", "imap": "imap", "submission": "submission"}


def dialogue_protocol(port: PortResult) -> str | None:
    """The dialogue to hold with an open port: by its number, or by nmap's name for it."""
    if port.tunnel == "ssl":
        return None
    return DIALOGUE_PORTS.get(port.port) or _DIALOGUE_NAMES.get(port.service.lower())


class PortsProbe(Probe):
    name = "ports"
    description = (
        "TCP connect scan (nmap -sT) of web, mail, extra and discovered addresses over the "
        "profile's ports, and what IMAP, POP3, submission and FTP say before TLS."
    )
    version = "1"
    rank = 60
    consumes = ("dns-discovery",)
    observation_types = (OpenPorts,)

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
        out: list[Observation] = [
            OpenPorts(a, (), (), (), "refused_by_policy", r, ()) for a, r in sorted(refused.items())
        ]
        if not by_address:
            return out
        results: tuple[PortResult, ...] = ()
        incomplete: dict[str, str] = {}
        failure = ""
        try:
            if context.ports is None:
                raise PortScanError("no port scanner in the probe context")
            report = context.ports.connect_scan(sorted(by_address))
            results, incomplete = report.ports, report.incomplete
        except PortScanError as exc:
            failure = str(exc)
        open_ports = [r for r in results if r.state == "open"]
        dialogues = _dialogues(open_ports, context.timeout, context.policy)
        for address, entry in sorted(by_address.items()):
            expected = set().union(*(EXPECTED_PORTS.get(r, set()) for r in entry["roles"]))
            expected |= extra_ports.get(address, set())
            expected |= {53} if address in ns_addresses else set()
            out.append(
                OpenPorts(
                    address=address,
                    hosts=tuple(sorted(entry["hosts"])),
                    roles=tuple(sorted(entry["roles"])),
                    expected_ports=tuple(sorted(expected)),
                    outcome="error" if failure or address in incomplete else "scanned",
                    reason=failure or incomplete.get(address, ""),
                    ports=tuple(r for r in open_ports if r.address == address),
                    dialogues=tuple(d for a, d in dialogues if a == address),
                )
            )
        return out

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return []  # the services and TLS probes judge what these observations hold


def _dialogues(
    results: Sequence[PortResult], timeout: float, policy: AddressPolicy
) -> list[tuple[str, PortDialogue]]:
    """One clear-text dialogue per open mail-access or FTP port, side by side."""
    wanted = [(r, protocol) for r in results if (protocol := dialogue_protocol(r)) is not None]
    if not wanted:
        return []
    with DaemonPool(min(8, len(wanted)), name="dialogue") as pool:
        said = list(
            pool.map(lambda w: talk(w[0].address, w[0].port, w[1], timeout, policy=policy), wanted)
        )
    return [(r.address, PortDialogue(r.port, d)) for (r, _), d in zip(wanted, said, strict=True)]


PROBE = PortsProbe
