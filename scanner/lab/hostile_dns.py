"""The hostile provider's authoritative DNS server (UDP and TCP), misbehaving on purpose.

Run as ``python -m scanner.lab.hostile_dns``. It serves ``scanner.lab.hostile``'s
records like an authoritative server (CNAMEs chased inside the zone, TC set
when an answer does not fit the client's UDP size), answers SERVFAIL for some
names and nothing at all for others, and REFUSED outside its zone.
"""

from __future__ import annotations

import signal
import socket
import socketserver
import struct
import sys
import threading
from collections.abc import Iterator

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from scanner.lab import hostile, inward, keytrap
from scanner.lab.providers import STALE_SERIAL

ZONE = dns.name.from_text(hostile.DOMAIN)
# The inward provider's zone (scanner.lab.inward) is served here too, unsigned.
INWARD = dns.name.from_text(inward.DOMAIN)
PAGES = dns.name.from_text(inward.SERVICE_ZONE)


def _soa(zone: str) -> dns.rrset.RRset:
    return dns.rrset.from_text(
        dns.name.from_text(zone),
        300,
        "IN",
        "SOA",
        f"ns1.{zone}. hostmaster.{zone}. 1 3600 600 86400 300",
    )


SOA = _soa(hostile.DOMAIN)
SOAS = {ZONE: SOA, INWARD: _soa(inward.DOMAIN), PAGES: _soa(inward.SERVICE_ZONE)}


def _zone() -> dict[tuple[dns.name.Name, int], dns.rrset.RRset]:
    grouped: dict[tuple[dns.name.Name, str], list[str]] = {}
    zones = ((ZONE, hostile.RECORDS), (INWARD, inward.RECORDS), (PAGES, inward.SERVICE_RECORDS))
    for zone, records in zones:
        for owner, rtype, rdata in records:
            name = zone if owner == "@" else dns.name.from_text(owner, zone)
            grouped.setdefault((name, rtype), []).append(rdata)
    out: dict[tuple[dns.name.Name, int], dns.rrset.RRset] = {}
    for (name, rtype), datas in grouped.items():
        rrset = dns.rrset.from_text_list(name, 300, "IN", rtype, datas)
        out[(name, rrset.rdtype)] = rrset
    for zone, soa in SOAS.items():
        out[(zone, dns.rdatatype.SOA)] = soa
    return out


RECORDS = _zone()
# The apex is also the KeyTrap zone: 80 keys with one tag, 140 bogus SOA signatures.
_DNSKEYS, SIGNATURES = keytrap.signed_rrsets(hostile.DOMAIN)
RECORDS[(ZONE, dns.rdatatype.DNSKEY)] = _DNSKEYS
NAMES = {name for name, _ in RECORDS}
SERVFAIL = {dns.name.from_text(n) for n in hostile.SERVFAIL}
SILENT = {dns.name.from_text(n) for n in hostile.SILENT}


# It also plays a secondary of sprawl.test that stopped transferring the zone in 2019:
# it still answers for the apex with authority, from its old copy.
STALE_ZONE = dns.name.from_text("sprawl.test")
STALE_SOA = dns.rrset.from_text(
    STALE_ZONE,
    300,
    "IN",
    "SOA",
    f"ns1.sprawl.test. hostmaster.sprawl.test. {STALE_SERIAL} 3600 600 86400 300",
)


# The zones that bury a discovery source (scanner.lab.hostile AXFR_* and WALK_*).
AXFR_ZONES = {dns.name.from_text(hostile.AXFR_BIG), dns.name.from_text(hostile.AXFR_ENDLESS)}
WALK_LOOP = dns.name.from_text(hostile.WALK_LOOP)
WALK_ENDLESS = dns.name.from_text(hostile.WALK_ENDLESS)
NS_HERE = dns.rrset.from_text(ZONE, 300, "IN", "NS", f"ns1.{hostile.DOMAIN}.")


def _walk_next(qname: dns.name.Name) -> dns.name.Name | None:
    """The next name of the NSEC chains: walk-loop goes apex, a, b, c, then back to a;
    walk-endless goes apex, n1, n2, ... and never returns."""
    if qname.is_subdomain(WALK_LOOP):
        label = qname.relativize(WALK_LOOP).to_text()
        following = {"@": "a", "a": "b", "b": "c", "c": "a"}.get(label)
        return dns.name.from_text(following, WALK_LOOP) if following else None
    if qname.is_subdomain(WALK_ENDLESS):
        label = qname.relativize(WALK_ENDLESS).to_text()
        number = 0 if label == "@" else int(label[1:]) if label[1:].isdigit() else -1
        return dns.name.from_text(f"n{number + 1}", WALK_ENDLESS) if number >= 0 else None
    return None


def _burying(query: dns.message.Message, qname: dns.name.Name, qtype: int) -> bytes | None:
    """Answers for the burying zones (None: not one of theirs)."""
    apexes = (*AXFR_ZONES, WALK_LOOP, WALK_ENDLESS)
    if not any(qname.is_subdomain(z) for z in apexes):
        return None
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    if qname in apexes and qtype == dns.rdatatype.NS:
        response.answer.append(dns.rrset.from_text(qname, 300, "IN", "NS", NS_HERE[0].to_text()))
    elif qname in (WALK_LOOP, WALK_ENDLESS) and qtype == dns.rdatatype.DNSKEY:
        response.answer.append(dns.rrset.from_rdata_list(qname, 300, list(_DNSKEYS)[:1]))
    elif qtype == dns.rdatatype.NSEC and (following := _walk_next(qname)) is not None:
        response.answer.append(
            dns.rrset.from_text(qname, 300, "IN", "NSEC", f"{following} A RRSIG NSEC")
        )
    else:
        response.authority.append(SOA)
    return response.to_wire()


def transfer_messages(query: dns.message.Message) -> Iterator[bytes]:
    """An AXFR of a burying zone: AXFR_NAMES names, or names without end."""
    zone = query.question[0].name
    soa = dns.rrset.from_text(zone, 300, "IN", "SOA", f"ns1.{zone} h.{zone} 1 3600 600 86400 300")
    endless = zone == dns.name.from_text(hostile.AXFR_ENDLESS)
    sent, first = 0, True
    while endless or sent < hostile.AXFR_NAMES:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if first:
            response.answer.append(soa)
            first = False
        for i in range(sent, sent + 200):
            name = dns.name.from_text(f"h{i}", zone)
            response.answer.append(dns.rrset.from_text(name, 300, "IN", "A", "127.0.10.60"))
        sent += 200
        yield response.to_wire()
    closing = dns.message.make_response(query)
    closing.answer.append(soa)
    yield closing.to_wire()


def answer(wire: bytes, udp: bool) -> bytes | None:
    """The reply to one query, or None to stay silent."""
    try:
        query = dns.message.from_wire(wire)
    except Exception:  # noqa: BLE001 - garbage in: no answer, like many servers
        return None
    if not query.question:
        return None
    question = query.question[0]
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    qname, qtype = question.name, question.rdtype
    if qname in SILENT:
        return None
    if (buried := _burying(query, qname, qtype)) is not None:
        return buried
    if qname == STALE_ZONE and qtype == dns.rdatatype.SOA:
        response.answer.append(STALE_SOA)
    elif not any(qname.is_subdomain(zone) for zone in SOAS):
        response.flags &= ~dns.flags.AA
        response.set_rcode(dns.rcode.REFUSED)
    elif qname in SERVFAIL:
        response.flags &= ~dns.flags.AA
        response.set_rcode(dns.rcode.SERVFAIL)
    else:
        name = qname
        for _ in range(8):  # chase CNAMEs inside the zone, loops included, a few hops
            cname = RECORDS.get((name, dns.rdatatype.CNAME))
            if cname is None or qtype == dns.rdatatype.CNAME:
                break
            response.answer.append(cname)
            name = cname[0].target
        found = RECORDS.get((name, qtype))
        if found is not None:
            response.answer.append(found)
            signatures = SIGNATURES.get(qtype) if name == ZONE else None
            if signatures is not None and query.ednsflags & dns.flags.DO:
                response.answer.append(signatures)
        elif not response.answer:
            if name not in NAMES and not any(n.is_subdomain(name) for n in NAMES):
                response.set_rcode(dns.rcode.NXDOMAIN)
            zone = next((z for z in SOAS if name.is_subdomain(z)), ZONE)
            response.authority.append(SOAS[zone])
    limit = 65535
    if udp:
        limit = max(512, query.payload) if query.edns >= 0 else 512
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        truncated = dns.message.make_response(query)
        truncated.flags |= dns.flags.AA | dns.flags.TC
        return truncated.to_wire()


class _Udp(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Tcp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class UdpHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data, sock = self.request
        reply = answer(data, udp=True)
        if reply is not None:
            sock.sendto(reply, self.client_address)


class TcpHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        conn: socket.socket = self.request
        conn.settimeout(10)
        try:
            while True:
                head = conn.recv(2, socket.MSG_WAITALL)
                if len(head) < 2:
                    return
                (length,) = struct.unpack("!H", head)
                wire = conn.recv(length, socket.MSG_WAITALL)
                if _is_burying_transfer(wire):
                    for message in transfer_messages(dns.message.from_wire(wire)):
                        conn.sendall(struct.pack("!H", len(message)) + message)
                    return
                reply = answer(wire, udp=False)
                if reply is None:
                    return
                conn.sendall(struct.pack("!H", len(reply)) + reply)
        except OSError:
            return


def _is_burying_transfer(wire: bytes) -> bool:
    try:
        query = dns.message.from_wire(wire)
    except Exception:  # noqa: BLE001 - garbage: answered (not) by answer()
        return False
    return bool(
        query.question
        and query.question[0].rdtype == dns.rdatatype.AXFR
        and query.question[0].name in AXFR_ZONES
    )


def main(_argv: list[str]) -> int:
    servers: list[socketserver.BaseServer] = [
        _Udp((hostile.DNS_ADDRESS, 53), UdpHandler),
        _Tcp((hostile.DNS_ADDRESS, 53), TcpHandler),
    ]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print("hostile DNS ready", flush=True)
    stop.wait()
    for server in servers:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
