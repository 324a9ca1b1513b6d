"""What the port scan and the clear-text dialogues saw: open ports of one address
(nmap's names for them) and what a server said before TLS. The ports probe gathers
them; the TLS and services probes read them."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import Observation


@dataclass(frozen=True)
class PortResult:
    address: str
    port: int
    state: str  # open, closed, filtered, open|filtered
    service: str  # nmap's service name: ssh, ftp, mysql, ...
    product: str
    version: str
    extrainfo: str
    cpe: str
    tunnel: str = ""  # "ssl" when nmap found the service inside TLS


@dataclass(frozen=True)
class Dialogue:
    """One conversation with a server before TLS."""

    protocol: str  # smtp, submission, imap, pop3, ftp
    outcome: str  # ok, limited, not_protocol, timeout, refused, reset, no_route, error
    reason: str = ""
    greeting: str = ""  # the first line, as received (the report escapes it)
    starttls: bool | None = None  # STARTTLS / STLS / AUTH TLS offered
    clear_login: bool | None = None  # a password may be sent before TLS
    capabilities: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class PortDialogue:
    port: int
    dialogue: Dialogue


@dataclass(frozen=True)
class OpenPorts(Observation):
    """The open ports of one address (nmap's service names from its port table)."""

    kind = "ports.address"
    address: str
    hosts: tuple[str, ...]
    roles: tuple[str, ...]
    expected_ports: tuple[int, ...]
    outcome: str  # scanned, error, refused_by_policy
    reason: str
    ports: tuple[PortResult, ...]
    dialogues: tuple[PortDialogue, ...] = ()
