"""The services checks of one address: a table of check functions behind the gate
they need (the address was scanned; scanner.probes.table). Categories of exposed
services, mail access and file transfer in clear text, end-of-life versions, ports
beyond the role; a check gives one failure per port that falls short."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.checks import finding, not_assessed
from scanner.model import Finding, Status
from scanner.observations.ports import Dialogue, PortResult
from scanner.probes.services.classify import category, eol_table, outdated
from scanner.probes.services.inventory import shown_service
from scanner.probes.services.known_vulns import (
    EXPLOITED,
    KNOWN,
    known_exploited,
    known_vulnerabilities,
)
from scanner.probes.services.observations import ServicesObservation
from scanner.probes.table import GatedCheck, Skip, run

IDS = (
    "service.cleartext_remote_access",
    "service.cleartext_mail_access",
    "service.cleartext_file_transfer",
    "service.remote_desktop_exposed",
    "service.database_exposed",
    "service.container_api_exposed",
    "service.unauthenticated_access",
    "service.outdated_version",
    "service.known_exploited",
    "service.known_vulnerabilities",
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


def _port_evidence(p: PortResult) -> dict[str, Any]:
    return {
        "port": p.port,
        "service": p.service,
        "product": p.product,
        "version": p.version,
        "cpe": p.cpe,
    }


def _hosts(obs: ServicesObservation) -> str:
    return ", ".join(obs.hosts)


def _open_ports(obs: ServicesObservation) -> str:
    """What was seen, so a pass states it: "open ports: 80 http, 443 https"."""
    shown = (f"{p.port} {shown_service(p.service, p.tunnel)}".strip() for p in obs.ports)
    return ", ".join(shown) or "none"


def scanned(obs: ServicesObservation) -> Skip | None:
    """The address was port-scanned (not refused by the policy, the scan did not fail)."""
    if obs.outcome == "scanned":
        return None
    detail = f"Services of {obs.address} not assessed: {obs.reason}."
    return Skip(obs.reason, unanswered=True, detail=detail, evidence={"reason": obs.reason})


def _category(key: str) -> Callable[[ServicesObservation], list[Finding]]:
    check_id, label = _CATEGORY_CHECKS[key]

    def check(obs: ServicesObservation) -> list[Finding]:
        a, hosts = obs.address, _hosts(obs)
        hits = [p for p in obs.ports if category(p.service, p.product) == key]
        out = []
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
            detail = f"Nothing open on {a} ({hosts}) is {label}; open ports: {_open_ports(obs)}."
            out.append(finding(check_id, Status.PASS, a, detail))
        return out

    check.__doc__ = f"{check_id}: one failure per port exposing {label}, else a pass."
    return check


def outdated_version(obs: ServicesObservation) -> list[Finding]:
    """service.outdated_version: no service older than the shipped end-of-life table."""
    a, table = obs.address, eol_table()
    versioned = [p for p in obs.ports if p.product and p.version]
    old = [
        (p, rule) for p in versioned if (rule := outdated(p.product, p.version, table)) is not None
    ]
    out = [
        finding(
            "service.outdated_version",
            Status.FAIL,
            f"{a}:{p.port}",
            f"{a}:{p.port} runs {p.product} {p.version}, older than {rule.minimum}: {rule.why} (table of {table.date}).",
            minimum=rule.minimum,
            table_date=table.date,
            **_port_evidence(p),
        )
        for p, rule in old
    ]
    if old:
        return out
    if versioned:
        return [
            finding(
                "service.outdated_version",
                Status.PASS,
                a,
                f"No service on {a} is older than vetscan's table of {table.date}.",
                products=[f"{p.product} {p.version}" for p in versioned],
                table_date=table.date,
            )
        ]
    return [
        finding(
            "service.outdated_version",
            Status.INFO,
            a,
            f"No service on {a} disclosed a version to compare.",
            table_date=table.date,
        )
    ]


def unexpected_open(obs: ServicesObservation) -> Finding:
    """service.unexpected_open: the address opens only the ports its role needs."""
    a = obs.address
    unexpected = [p for p in obs.ports if p.port not in obs.expected_ports]
    if unexpected:
        ports = ", ".join(f"{p.port}/{p.service or 'unknown'}" for p in unexpected)
        return finding(
            "service.unexpected_open",
            Status.FAIL,
            a,
            f"{a} ({_hosts(obs)}) has ports open beyond its web and mail role: {ports}.",
            ports=[p.port for p in unexpected],
            expected=list(obs.expected_ports),
        )
    return finding(
        "service.unexpected_open",
        Status.PASS,
        a,
        f"{a} opens only the ports its role needs.",
        open=[p.port for p in obs.ports],
    )


_PROTOCOL_NAMES = {"imap": "IMAP", "pop3": "POP3", "submission": "Mail submission", "ftp": "FTP"}


def _dialogue_evidence(d: Dialogue) -> dict[str, Any]:
    return {
        "protocol": d.protocol,
        "greeting": d.greeting,
        "starttls": d.starttls,
        "login_before_tls": d.clear_login,
        "capabilities": list(d.capabilities[:40]),
    }


def mail_access(obs: ServicesObservation) -> list[Finding]:
    """service.cleartext_mail_access: IMAP, POP3 and submission offer STARTTLS and take
    no password before it (one finding per port that falls short)."""
    check_id = "service.cleartext_mail_access"
    a, hosts = obs.address, _hosts(obs)
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
            f"open ports: {_open_ports(obs)}."
        )
        out.append(finding(check_id, Status.PASS, a, detail, secured=secured))
    return out


def file_transfer(obs: ServicesObservation) -> Finding:
    """service.cleartext_file_transfer: an FTP server offers AUTH TLS."""
    check_id = "service.cleartext_file_transfer"
    a, hosts = obs.address, _hosts(obs)
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


_ACCESS_NAMES = {"redis": "Redis", "docker": "The Docker Engine API"}


def unauthenticated_access(obs: ServicesObservation) -> list[Finding]:
    """service.unauthenticated_access: no Redis or Docker API port hands out data
    without a password (one failure per port that does)."""
    check_id = "service.unauthenticated_access"
    a, hosts = obs.address, _hosts(obs)
    if obs.access is None:
        reason = "the scan was made before vetscan asked Redis and Docker ports for data"
        return [not_assessed(check_id, a, reason)]
    out: list[Finding] = []
    protected = []
    for seen in obs.access:
        asset, name = f"{a}:{seen.port}", _ACCESS_NAMES.get(seen.service, seen.service)
        if seen.outcome == "open":
            out.append(
                finding(
                    check_id,
                    Status.FAIL,
                    asset,
                    f"{name} on {asset} ({hosts}) answers without a password ({seen.said}): "
                    "anyone who reaches it can read and change its data.",
                    port=seen.port,
                    service=seen.service,
                    said=seen.said,
                )
            )
        elif seen.outcome == "unknown":
            out.append(not_assessed(check_id, asset, seen.said))
        else:
            protected.append(f"{seen.port} ({seen.said})")
    if not out:
        detail = (
            f"Every Redis and Docker API port on {a} asks for a password: {', '.join(protected)}."
            if protected
            else f"No Redis or Docker API port is open on {a}; open ports: {_open_ports(obs)}."
        )
        out.append(finding(check_id, Status.PASS, a, detail))
    return out


# In the order the findings are given (the report and the saved scans keep it).
CHECKS: tuple[GatedCheck[ServicesObservation], ...] = (
    *(GatedCheck(_CATEGORY_CHECKS[k][0], (scanned,), _category(k)) for k in _CATEGORY_CHECKS),
    GatedCheck("service.unauthenticated_access", (scanned,), unauthenticated_access),
    GatedCheck("service.cleartext_mail_access", (scanned,), mail_access),
    GatedCheck("service.cleartext_file_transfer", (scanned,), file_transfer),
    GatedCheck("service.outdated_version", (scanned,), outdated_version),
    GatedCheck(EXPLOITED, (scanned,), known_exploited),
    GatedCheck(KNOWN, (scanned,), known_vulnerabilities),
    GatedCheck("service.unexpected_open", (scanned,), unexpected_open),
)


def evaluate_address(obs: ServicesObservation) -> list[Finding]:
    return run(obs.address, obs, CHECKS)
