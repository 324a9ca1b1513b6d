"""Which open ports carry TLS, and how: a pure table over port numbers and nmap's names.

Implicit TLS speaks TLS from the first byte (HTTPS, IMAPS, ...); STARTTLS
upgrades a clear-text dialogue (SMTP, IMAP, POP3, FTP, LDAP, XMPP, PostgreSQL),
which sslyze speaks for every one of these.
"""

from __future__ import annotations

from dataclasses import dataclass

# port -> the service the TLS on it belongs to
IMPLICIT = {
    443: "https",
    465: "submissions",
    636: "ldaps",
    853: "dns-over-tls",
    990: "ftps",
    993: "imaps",
    995: "pop3s",
    5061: "sips",
    8443: "https",
}
STARTTLS = {
    21: "ftp",
    25: "smtp",
    110: "pop3",
    143: "imap",
    389: "ldap",
    587: "submission",
    5222: "xmpp-client",
    5269: "xmpp-server",
    5432: "postgresql",
}
# Services reached by STARTTLS, whatever port they are on.
STARTTLS_SERVICES = frozenset(STARTTLS.values())
# nmap's service names for TLS it recognised on a port outside the table.
_NMAP_TLS = {"https": "https", "imaps": "imaps", "pop3s": "pop3s", "ldaps": "ldaps", "ftps": "ftps"}
_NMAP_TUNNELLED = {"http": "https", "imap": "imaps", "pop3": "pop3s", "smtp": "submissions"}
# Services whose STARTTLS the services probe's own dialogue confirms first; for the
# others sslyze's connection attempt is the test.
DIALOGUE = {"ftp", "pop3", "imap", "submission"}
# Clients of these services are people and programs that check certificates
# strictly; an MX (smtp) is judged as senders judge it (mail.starttls.*).
HTTP = {"https"}


@dataclass(frozen=True)
class TlsService:
    service: str  # https, imaps, smtp, imap, ...
    starttls: bool


def tls_service(port: int, nmap_name: str = "", tunnel: str = "") -> TlsService | None:
    """How TLS is reached on an open port, or None when nothing says it has TLS."""
    if port in IMPLICIT:
        return TlsService(IMPLICIT[port], False)
    if port in STARTTLS:
        return TlsService(STARTTLS[port], True)
    name = nmap_name.lower().rstrip("?")
    if tunnel == "ssl":
        return TlsService(_NMAP_TUNNELLED.get(name, _NMAP_TLS.get(name, "tls")), False)
    if name in _NMAP_TLS or name.startswith("ssl"):
        return TlsService(_NMAP_TLS.get(name, "tls"), False)
    return None
