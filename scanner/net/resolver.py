"""The one DNS resolver of a scan (dnspython adapter).

Every probe resolves names through the ``Resolver`` in its context, so
``--nameserver`` points the whole scan at one server (the lab's, in tests).
dnspython objects never leave this module: answers become ``DnsAnswer`` values.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.resolver
import dns.rrset

from scanner.errors import InputError
from scanner.observations.dns import DnsOutcome

__all__ = ["DnsAnswer", "DnsOutcome", "Nameserver", "Resolver"]

MAX_CNAME_HOPS = 8


@dataclass(frozen=True)
class DnsAnswer:
    name: str
    rdtype: str
    outcome: DnsOutcome
    records: tuple[str, ...] = ()
    ttl: int | None = None
    authenticated: bool = False
    reason: str = ""
    # A NODATA answer that stopped at a CNAME into another zone: its target.
    cname: str = ""


@dataclass(frozen=True)
class Nameserver:
    address: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


class ResolverConfigError(InputError):
    """A --nameserver value that cannot be used."""


def parse_nameserver(text: str) -> Nameserver:
    """Parse ``HOST[:PORT]`` (``[v6]:PORT`` for IPv6); HOST may be a name."""
    host, port = text, 53
    if not text or text != text.strip() or not text.isprintable():
        raise ResolverConfigError(f"invalid nameserver {text!r}: expected HOST[:PORT]")
    if text.startswith("["):
        host, closed, rest = text[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")):
            raise ResolverConfigError(f"invalid nameserver {text!r}: expected [IPv6]:PORT")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ResolverConfigError(f"invalid nameserver {text!r}: not an IPv6 address") from None
        if rest:
            port = _port(rest.removeprefix(":"), text)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port = _port(port_text, text)
    try:
        return Nameserver(str(ipaddress.ip_address(host)), port)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_UDP)
    except (OSError, UnicodeError) as exc:
        raise ResolverConfigError(f"cannot resolve nameserver {host!r}: {exc}") from None
    return Nameserver(str(infos[0][4][0]), port)


def _port(text: str, raw: str) -> int:
    # ASCII digits only: str.isdigit() also accepts '²', which int() then refuses.
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise ResolverConfigError(f"invalid nameserver {raw!r}: port must be 1-65535")
    return int(text)


class Resolver:
    """Thread-safe enough for concurrent ``query`` calls: dnspython's resolver keeps
    no per-query state on the object, and we do not enable its cache."""

    def __init__(self, nameserver: Nameserver | None = None, timeout: float = 3.0) -> None:
        if nameserver is None:
            self._resolver = dns.resolver.Resolver(configure=True)
            self.description = (
                "system resolver (" + ", ".join(str(ns) for ns in self._resolver.nameservers) + ")"
            )
        else:
            self._resolver = dns.resolver.Resolver(configure=False)
            self._resolver.nameservers = [nameserver.address]
            self._resolver.port = nameserver.port
            self.description = str(nameserver)
        # Per-try timeout and whole-query lifetime: a dead server costs at most
        # `timeout`, never the library's default of several retries.
        self._resolver.timeout = timeout
        self._resolver.lifetime = timeout
        self._resolver.use_edns(0, dns.flags.DO, 1232)
        self.timeout = timeout

    def addresses(self) -> list[str]:
        """The addresses of the name servers every lookup goes to."""
        return [str(ns) for ns in self._resolver.nameservers]

    def query(self, name: str, rdtype: str) -> DnsAnswer:
        answer = self._query(name, rdtype)
        # An authoritative-only server (a --nameserver that does not recurse) answers a
        # CNAME into another zone with the CNAME alone; follow it as a resolver would.
        seen = {name.lower().rstrip(".")}
        while answer.outcome is DnsOutcome.NODATA and answer.cname and rdtype.upper() != "CNAME":
            target = answer.cname
            if target in seen or len(seen) > MAX_CNAME_HOPS:
                return DnsAnswer(
                    name,
                    rdtype,
                    DnsOutcome.ERROR,
                    reason=f"CNAME loop or chain too long at {target}",
                )
            seen.add(target)
            followed = self._query(target, rdtype)
            answer = dataclasses.replace(followed, name=name)
        return answer

    def _query(self, name: str, rdtype: str) -> DnsAnswer:
        try:
            answer = self._resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            return DnsAnswer(name, rdtype, DnsOutcome.NXDOMAIN, reason="name does not exist")
        except dns.resolver.LifetimeTimeout:
            return DnsAnswer(
                name, rdtype, DnsOutcome.TIMEOUT, reason=f"no answer within {self.timeout:g} s"
            )
        except dns.resolver.NoNameservers as exc:
            return DnsAnswer(name, rdtype, DnsOutcome.SERVFAIL, reason=_first_line(exc))
        except dns.exception.DNSException as exc:
            return DnsAnswer(name, rdtype, DnsOutcome.ERROR, reason=_first_line(exc))
        rrset = answer.rrset
        authenticated = bool(answer.response.flags & dns.flags.AD)
        if rrset is None:
            canonical = answer.canonical_name.to_text().rstrip(".").lower()
            cname = canonical if canonical != name.lower().rstrip(".") else ""
            return DnsAnswer(
                name, rdtype, DnsOutcome.NODATA, authenticated=authenticated, cname=cname
            )
        return DnsAnswer(
            name,
            rdtype,
            DnsOutcome.OK,
            records=tuple(_rdata_text(rrset, rdtype)),
            ttl=rrset.ttl,
            authenticated=authenticated,
        )

    def raw_query(self, name: str, rdtype: str) -> dns.message.Message | str:
        """The full response (RRSIGs included, DO bit set) for DNSSEC validation,
        or a one-line reason when there is none. Only ``net/dnssec.py`` uses it."""
        try:
            answer = self._resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN as exc:
            responses = exc.responses()  # type: ignore[no-untyped-call]
            return next(iter(responses.values())) if responses else "name does not exist"
        except dns.resolver.LifetimeTimeout:
            return f"no answer within {self.timeout:g} s"
        except dns.exception.DNSException as exc:
            return _first_line(exc)
        response: dns.message.Message = answer.response
        return response


def _rdata_text(rrset: dns.rrset.RRset, rdtype: str) -> list[str]:
    if rdtype.upper() == "TXT":
        # A TXT record is a sequence of character-strings that consumers
        # (SPF, DMARC, ...) read concatenated; bytes that are not UTF-8 stay visible.
        return [b"".join(rd.strings).decode("utf-8", errors="replace") for rd in rrset]
    return sorted(rd.to_text() for rd in rrset)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
