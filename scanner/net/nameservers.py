"""Asking one name server directly (not through the scan's resolver): is it
authoritative for a zone, does it recurse for anyone, does it hand the zone out.

dnspython, like in ``resolver.py``; every exchange has the scan's timeout, and a
zone transfer is cut off after a fixed number of records.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.xfr
import dns.zone

from scanner.net.policy import AddressPolicy

# A zone handed out whole is proven open by its first records; more is not needed.
MAX_TRANSFER_NAMES = 2000


@dataclass(frozen=True)
class ServerAnswer:
    address: str
    outcome: str  # answer, nodata, nxdomain, refused, servfail, timeout, error
    authoritative: bool = False
    recursion_available: bool = False
    records: tuple[str, ...] = ()
    reason: str = ""
    # NS names in the authority section: the delegation a parent's server refers to.
    referral: tuple[str, ...] = ()


def server_version(
    address: str, port: int, timeout: float, *, policy: AddressPolicy
) -> tuple[bool, str]:
    """(the server answered DNS over TCP, what it says of its software) from the
    CHAOS TXT query version.bind, as nmap's DNS version probe asks it."""
    if policy.refusal(address):
        return False, ""
    query = dns.message.make_query("version.bind", "TXT", "CH")
    try:
        response = dns.query.tcp(query, address, timeout=timeout, port=port)
    except (OSError, dns.exception.DNSException):
        return False, ""
    for rrset in response.answer:
        for rd in rrset:
            strings = getattr(rd, "strings", ())
            return True, b"".join(strings).decode("utf-8", "replace")[:200]
    return True, ""


def ask(
    address: str,
    name: str,
    rdtype: str,
    recursion: bool,
    timeout: float,
    port: int = 53,
    *,
    policy: AddressPolicy,
) -> ServerAnswer:
    """One query to ``address``; over TCP when the UDP answer is truncated. An address
    the policy refuses is not asked: the answer is an error with the policy's reason."""
    if refusal := policy.refusal(address):
        return ServerAnswer(address, "error", reason=refusal)
    query = dns.message.make_query(name, rdtype)
    if not recursion:
        query.flags &= ~dns.flags.RD
    try:
        response = dns.query.udp(query, address, timeout=timeout, port=port)
        if response.flags & dns.flags.TC:
            response = dns.query.tcp(query, address, timeout=timeout, port=port)
    except dns.exception.Timeout:
        return ServerAnswer(address, "timeout", reason=f"no answer within {timeout:g} s")
    except (OSError, dns.exception.DNSException) as exc:
        return ServerAnswer(address, "error", reason=str(exc).splitlines()[0][:200])
    rcode = response.rcode()
    flags = response.flags
    aa, ra = bool(flags & dns.flags.AA), bool(flags & dns.flags.RA)
    if rcode == dns.rcode.REFUSED:
        return ServerAnswer(address, "refused", aa, ra, reason="the server refused the query")
    if rcode == dns.rcode.NXDOMAIN:
        return ServerAnswer(address, "nxdomain", aa, ra)
    if rcode != dns.rcode.NOERROR:
        text = dns.rcode.to_text(rcode)
        return ServerAnswer(address, "servfail", aa, ra, reason=f"the server answered {text}")
    wanted = dns.rdatatype.from_text(rdtype)
    records = tuple(
        rd.to_text() for rrset in response.answer if rrset.rdtype == wanted for rd in rrset
    )
    referral = tuple(
        rd.to_text()
        for rrset in response.authority
        if rrset.rdtype == dns.rdatatype.NS
        for rd in rrset
    )
    outcome = "answer" if records else "nodata"
    return ServerAnswer(address, outcome, aa, ra, records, referral=referral)


@dataclass(frozen=True)
class Transfer:
    address: str
    outcome: str  # transferred, refused, timeout, error
    names: tuple[str, ...] = ()
    reason: str = ""


def transfer(
    address: str, zone: str, timeout: float, port: int = 53, *, policy: AddressPolicy
) -> Transfer:
    """Ask ``address`` for the whole of ``zone`` (AXFR over TCP), as anyone could.
    An address the policy refuses is not asked (an error, never "refused")."""
    if refusal := policy.refusal(address):
        return Transfer(address, "error", reason=refusal)
    origin = dns.name.from_text(zone)
    names: dict[str, None] = {}  # in order, each once
    try:
        for message in dns.query.xfr(
            address, origin, timeout=timeout, lifetime=timeout * 3, port=port, relativize=False
        ):
            if message.rcode() != dns.rcode.NOERROR:
                text = dns.rcode.to_text(message.rcode())
                return Transfer(address, "refused", reason=f"the server answered {text}")
            for rrset in message.answer:
                names[rrset.name.to_text().rstrip(".").lower()] = None
                if len(names) >= MAX_TRANSFER_NAMES:
                    break
            if len(names) >= MAX_TRANSFER_NAMES:
                break  # proven open; the rest of the zone is not needed
    except dns.xfr.TransferError as exc:
        return Transfer(address, "refused", reason=f"the server refused the transfer ({exc})")
    except (dns.exception.Timeout, TimeoutError):
        return Transfer(address, "timeout", reason=f"no transfer within {timeout * 3:g} s")
    except (OSError, EOFError, dns.exception.DNSException) as exc:
        # Most servers refusing AXFR just close the connection.
        return Transfer(address, "refused", reason=f"no transfer ({exc or 'connection closed'})")
    if not names:
        return Transfer(address, "refused", reason="the server sent no records")
    return Transfer(address, "transferred", tuple(names))
