"""The services probe: a TCP connect scan of the provider's web, mail and extra
addresses over the profile's port list, and what each open port exposes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.checks import finding
from scanner.concurrency import DaemonPool
from scanner.model import Finding, Observation, Status, Target
from scanner.net.portscan import PortResult, PortScanError
from scanner.net.starttls import Dialogue, talk
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.discovery import HostAddresses
from scanner.probes.services.classify import category, eol_table, outdated
from scanner.probes.services.inventory import service_rows
from scanner.scoring.profile import Profile

IDS = (
    "service.cleartext_remote_access",
    "service.cleartext_mail_access",
    "service.cleartext_file_transfer",
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
MAIL_ACCESS = ("imap", "pop3", "submission")


def dialogue_protocol(port: PortResult) -> str | None:
    """The dialogue to hold with an open port: by its number, or by nmap's name for it."""
    if port.tunnel == "ssl":
        return None
    return DIALOGUE_PORTS.get(port.port) or _DIALOGUE_NAMES.get(port.service.lower())


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
    # What the mail-access and FTP ports said before TLS (greeting, STARTTLS, login).
    dialogues: tuple[PortDialogue, ...] = ()


@dataclass(frozen=True)
class PortDialogue:
    port: int
    dialogue: Dialogue


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
        dialogues = _dialogues(results, context.timeout)
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
                    dialogues=tuple(d for a, d in dialogues if a == address),
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


def _dialogues(results: Sequence[PortResult], timeout: float) -> list[tuple[str, PortDialogue]]:
    """One clear-text dialogue per open mail-access or FTP port, side by side."""
    wanted = [
        (r, protocol)
        for r in results
        if r.state == "open" and (protocol := dialogue_protocol(r)) is not None
    ]
    if not wanted:
        return []
    with DaemonPool(min(8, len(wanted)), name="dialogue") as pool:
        said = list(pool.map(lambda w: talk(w[0].address, w[0].port, w[1], timeout), wanted))
    return [(r.address, PortDialogue(r.port, d)) for (r, _), d in zip(wanted, said, strict=True)]


def _shown(p: PortResult) -> str:
    """nmap's name for a port's service, with the TLS it found it in ("https", "ssl/imap")."""
    if p.tunnel == "ssl":
        return "https" if p.service == "http" else f"ssl/{p.service}"
    return p.service


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
    open_ports = ", ".join(f"{p.port} {_shown(p)}".strip() for p in obs.ports) or "none"
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
    out.extend(_mail_access(obs, hosts, open_ports))
    out.append(_file_transfer(obs, hosts))
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


_PROTOCOL_NAMES = {"imap": "IMAP", "pop3": "POP3", "submission": "Mail submission", "ftp": "FTP"}


def _dialogue_evidence(d: Dialogue) -> dict[str, Any]:
    return {
        "protocol": d.protocol,
        "greeting": d.greeting,
        "starttls": d.starttls,
        "login_before_tls": d.clear_login,
        "capabilities": list(d.capabilities[:40]),
    }


def _mail_access(obs: ServicesObservation, hosts: str, open_ports: str) -> list[Finding]:
    """IMAP, POP3 and submission must offer STARTTLS and take no password before it."""
    check_id = "service.cleartext_mail_access"
    a = obs.address
    out: list[Finding] = []
    secured = []
    for pd in obs.dialogues:
        d, asset = pd.dialogue, f"{a}:{pd.port}"
        if d.protocol not in MAIL_ACCESS:
            continue
        name = _PROTOCOL_NAMES[d.protocol]
        if not d.ok:
            out.append(
                finding(
                    check_id,
                    Status.NOT_ASSESSED,
                    asset,
                    f"{name} on {asset} not assessed: {d.reason}.",
                    reason=d.reason,
                    protocol=d.protocol,
                )
            )
        elif not d.starttls:
            out.append(
                finding(
                    check_id,
                    Status.FAIL,
                    asset,
                    f"{name} on {asset} ({hosts}) offers no STARTTLS: passwords and mail "
                    "cross the network in clear text.",
                    **_dialogue_evidence(d),
                )
            )
        elif d.clear_login:
            how = "AUTH PLAIN/LOGIN" if d.protocol == "submission" else "a login"
            out.append(
                finding(
                    check_id,
                    Status.FAIL,
                    asset,
                    f"{name} on {asset} ({hosts}) offers STARTTLS but also accepts {how} "
                    "before it: a client that skips STARTTLS sends its password in clear text.",
                    **_dialogue_evidence(d),
                )
            )
        else:
            secured.append(f"{pd.port} {name}")
    if not out:
        detail = (
            f"Mail access on {a} ({hosts}) requires TLS: {', '.join(secured)} offer STARTTLS "
            "and take no password before it."
            if secured
            else f"No clear-text mail access port (110, 143, 587) is open on {a}; "
            f"open ports: {open_ports}."
        )
        out.append(finding(check_id, Status.PASS, a, detail, secured=secured))
    return out


def _file_transfer(obs: ServicesObservation, hosts: str) -> Finding:
    check_id = "service.cleartext_file_transfer"
    a = obs.address
    ftp = [pd for pd in obs.dialogues if pd.dialogue.protocol == "ftp"]
    failing = [pd for pd in ftp if pd.dialogue.ok and not pd.dialogue.starttls]
    if failing:
        pd = failing[0]
        asset = f"{a}:{pd.port}"
        return finding(
            check_id,
            Status.FAIL,
            asset,
            f"FTP on {asset} ({hosts}) offers no AUTH TLS: logins and files cross the "
            "network in clear text.",
            **_dialogue_evidence(pd.dialogue),
        )
    unknown = [pd for pd in ftp if not pd.dialogue.ok]
    if unknown:
        pd = unknown[0]
        return finding(
            check_id,
            Status.NOT_ASSESSED,
            f"{a}:{pd.port}",
            f"FTP on {a}:{pd.port} not assessed: {pd.dialogue.reason}.",
            reason=pd.dialogue.reason,
        )
    if ftp:
        ports = ", ".join(str(pd.port) for pd in ftp)
        return finding(
            check_id,
            Status.PASS,
            a,
            f"FTP on {a} (port {ports}) offers AUTH TLS.",
            ports=[pd.port for pd in ftp],
        )
    return finding(check_id, Status.PASS, a, f"No FTP server is open on {a} ({hosts}).")
