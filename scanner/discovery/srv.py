"""SRV records of common services: mail, calendars, chat, directories, voice.

The list is ranked by how often a provider runs the service and how much it
exposes (Exchange autodiscover and mail access first). A SRV target is the host
that serves it; "." means the service is explicitly not offered (RFC 2782).
"""

from __future__ import annotations

from scanner.concurrency import DaemonPool
from scanner.discovery.base import Found, Source, SourceContext, SourceResult, SourceUnavailable

SERVICES = (
    "_autodiscover._tcp",
    "_submission._tcp",
    "_submissions._tcp",
    "_imaps._tcp",
    "_imap._tcp",
    "_pop3s._tcp",
    "_pop3._tcp",
    "_sip._tls",
    "_sip._tcp",
    "_sipfederationtls._tcp",
    "_caldavs._tcp",
    "_carddavs._tcp",
    "_xmpp-server._tcp",
    "_xmpp-client._tcp",
    "_ldap._tcp",
    "_ldaps._tcp",
    "_kerberos._tcp",
    "_matrix._tcp",
    "_jabber._tcp",
    "_ftp._tcp",
    "_vpn._tcp",
    "_collab-edge._tls",
)


def srv_targets(records: tuple[str, ...]) -> list[tuple[str, int]]:
    """(target, port) of SRV record texts "priority weight port target"."""
    out = []
    for record in records:
        parts = record.split()
        if len(parts) != 4 or not parts[2].isdigit():
            continue
        target = parts[3].rstrip(".")
        if target:  # "." : no such service here
            out.append((target.lower(), int(parts[2])))
    return out


class SrvSource(Source):
    name = "srv"
    description = "SRV records of common services (autodiscover, IMAP, SIP, LDAP, XMPP, ...)"

    def discover(self, domain: str, context: SourceContext) -> SourceResult:
        names = [f"{service}.{domain}" for service in SERVICES]
        with DaemonPool(8, name="srv") as pool:
            answers = list(pool.map(lambda n: context.resolver.query(n, "SRV"), names))
        unanswered = [a.reason or a.outcome.value for a in answers if not a.outcome.conclusive]
        if len(unanswered) == len(answers):
            # Nothing answered is no result, not "no SRV records".
            raise SourceUnavailable(f"no SRV query under {domain} was answered ({unanswered[0]})")
        found = [
            Found(target, self.name, f"{answer.name} SRV (port {port})")
            for answer in answers
            for target, port in srv_targets(answer.records)
        ]
        notes: tuple[str, ...] = ()
        if unanswered:
            notes = (
                f"{len(unanswered)} of {len(names)} SRV names got no answer ({unanswered[0]}), "
                "so services among them may be missing",
            )
        return SourceResult(tuple(found), notes)
