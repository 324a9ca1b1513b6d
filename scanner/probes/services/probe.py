"""The services probe: what each port the ports probe found open runs, and what it
exposes (clear-text access, databases, remote desktops, container APIs, old versions)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.checks import finding
from scanner.concurrency import DaemonPool
from scanner.model import Finding, Observation, Status, Target
from scanner.net.nameservers import server_version
from scanner.net.portscan import MIN_IDENTIFY_S
from scanner.net.reachability import tls_first_line
from scanner.observations.ports import Dialogue, OpenPorts, PortDialogue, PortResult
from scanner.observations.tls_services import tls_service
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.services.changes import port_changes, port_line
from scanner.probes.services.classify import category, eol_table, outdated
from scanner.probes.services.identify import dns_identity, greeting_identity, http_identity
from scanner.probes.services.inventory import service_rows, shown_service
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
MAIL_ACCESS = ("imap", "pop3", "submission")
# Ports whose service vetscan names itself (nmap would wait seconds on each, since
# a web server says nothing until asked): plain HTTP, and HTTPS or mail inside TLS.
_HTTP_NAMES = {"http", "http-alt", "http-proxy"}
_TLS_GREETING = {"imaps", "pop3s", "submissions"}
IDENTIFY_WORKERS = 8
# Share of the probe's timeout the identification may use: the rest is kept for
# judging, so a host whose every port is slow (a tarpit, a port-spoofing firewall)
# ends with the ports it found and notes, never as a probe timeout that drops them.
IDENTIFY_SHARE = 0.85
NMAP_OVERRUN_S = 6.0  # the longest wait of one nmap version probe (the NULL probe's)


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
    # Ports whose software could not be named, and why (version detection gave up).
    unidentified: tuple[tuple[int, str], ...] = ()


class ServicesProbe(Probe):
    name = "services"
    description = (
        "What each open port runs and exposes: web servers named from their Server header, "
        "mail over TLS from its greeting, every other port by nmap's version detection "
        "(-sV --version-light), one bounded run per port."
    )
    version = "2"
    rank = 70
    change_sections = ("ports_opened", "ports_closed")
    inventory_sections = ("services",)
    consumes = ("ports",)
    observation_types = (ServicesObservation,)
    checks = IDS

    def changes(
        self, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return port_changes(old, new)

    def change_line(self, section: str, row: Mapping[str, Any]) -> str:
        return port_line(section, row)

    def inventory(
        self, observations: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return {"services": service_rows(observations)}

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        upstream = context.upstream["ports"]
        table_date = eol_table().date
        if upstream.status != "completed":
            reason = f"the port scan did not run: {upstream.reason or upstream.status}"
            where = target.domains[0] if target.domains else target.name
            return [ServicesObservation(where, (), (), (), "error", reason, (), table_date)]
        found = upstream.observations_of(OpenPorts)
        jobs = [(o, p) for o in found if o.outcome == "scanned" for p in o.ports]
        named: dict[tuple[str, int], tuple[PortResult, str]] = {}
        if jobs:
            deadline = time.monotonic() + context.profile.probe_timeout * IDENTIFY_SHARE
            with DaemonPool(min(IDENTIFY_WORKERS, len(jobs)), name="identify") as pool:
                identified = list(pool.map(lambda job: _identify(*job, context, deadline), jobs))
            named = {(o.address, p.port): r for (o, p), r in zip(jobs, identified, strict=True)}
        out: list[Observation] = []
        for o in found:
            ports = tuple(named[(o.address, p.port)][0] for p in o.ports) if o.ports else ()
            notes = tuple(
                (p.port, note) for p in o.ports if (note := named[(o.address, p.port)][1])
            )
            out.append(
                ServicesObservation(
                    address=o.address,
                    hosts=o.hosts,
                    roles=o.roles,
                    expected_ports=o.expected_ports,
                    outcome=o.outcome,
                    reason=o.reason,
                    ports=ports if o.outcome == "scanned" else (),
                    eol_table_date=table_date,
                    dialogues=o.dialogues,
                    unidentified=notes,
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


def _identify(
    obs: OpenPorts, port: PortResult, context: ProbeContext, deadline: float
) -> tuple[PortResult, str]:
    """What one open port runs: named by vetscan from what it says (an HTTP Server
    header, a mail or FTP greeting, version.bind), otherwise by nmap's version
    detection on that port alone; never past ``deadline``."""
    out_of_time = (
        port,
        "not identified: the probe's time ran out with many slow ports before this one",
    )
    started = time.monotonic()
    if deadline - started < context.timeout:
        return out_of_time
    own = _own_identity(obs, port, context)
    if own is not None:
        return own, ""
    if context.ports is None:
        return port, "no port scanner in the probe context"
    now = time.monotonic()
    # nmap looks at its host timeout only between version probes, so a run may end
    # up to one probe's wait after it: kept clear of the deadline.
    left = deadline - now - NMAP_OVERRUN_S
    if left < MIN_IDENTIFY_S:
        return out_of_time
    # One budget per port: a tarpit that held our own request costs the host timeout
    # once, not our timeout and then nmap's; and no run may outlast the deadline.
    return context.ports.identify(obs.address, port, spent=now - started, limit=left)


def _own_identity(obs: OpenPorts, port: PortResult, context: ProbeContext) -> PortResult | None:
    known = tls_service(port.port, port.service, port.tunnel)
    host = _web_host(obs)
    identity = None
    if context.http is not None and (known is None or not known.starttls):
        if known is not None and known.service == "https":
            answer = context.http.get(host, obs.address, "/", "https", port.port, verify=False)
            if answer.status is not None:
                identity = http_identity(answer.header("Server"), tls=True)
        elif known is None and port.service in _HTTP_NAMES:
            answer = context.http.get(host, obs.address, "/", "http", port.port)
            if answer.status is not None:
                identity = http_identity(answer.header("Server"), tls=False)
    if known is not None and known.service in _TLS_GREETING:
        greeting = tls_first_line(
            obs.address, port.port, host, context.timeout, policy=context.policy
        )
        if greeting is not None:
            identity = greeting_identity(known.service, greeting)
    if port.port == 53 or port.service == "domain":
        answered, text = server_version(
            obs.address, port.port, context.timeout, policy=context.policy
        )
        if answered:
            identity = dns_identity(text)
    said = next((d.dialogue for d in obs.dialogues if d.port == port.port), None)
    if said is not None and said.ok and said.greeting:
        # The dialogue's greeting names the product as nmap's NULL probe would; when it
        # names none, nmap gets its turn.
        named = greeting_identity(said.protocol, said.greeting, tls=False)
        # nmap calls a submission port's service "smtp"; so do we.
        service = "smtp" if said.protocol == "submission" else said.protocol
        identity = dataclasses.replace(named, service=service) if named.product else None
    if identity is None:
        return None
    return dataclasses.replace(
        port,
        service=identity.service,
        product=identity.product,
        version=identity.version,
        extrainfo=identity.extrainfo,
        tunnel=identity.tunnel,
    )


def _web_host(obs: OpenPorts) -> str:
    """The name to ask for (Host header, SNI): the address's first name, else itself."""
    return obs.hosts[0] if obs.hosts else obs.address


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
    open_ports = (
        ", ".join(f"{p.port} {shown_service(p.service, p.tunnel)}".strip() for p in obs.ports)
        or "none"
    )
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


PROBE = ServicesProbe
