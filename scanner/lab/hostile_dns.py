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


def _soa(zone: str) -> dns.rrset.RRset:
    return dns.rrset.from_text(
        dns.name.from_text(zone),
        300,
        "IN",
        "SOA",
        f"ns1.{zone}. hostmaster.{zone}. 1 3600 600 86400 300",
    )


SOA = _soa(hostile.DOMAIN)
SOAS = {ZONE: SOA, INWARD: _soa(inward.DOMAIN)}


def _zone() -> dict[tuple[dns.name.Name, int], dns.rrset.RRset]:
    grouped: dict[tuple[dns.name.Name, str], list[str]] = {}
    for zone, records in ((ZONE, hostile.RECORDS), (INWARD, inward.RECORDS)):
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
            response.authority.append(SOAS[INWARD if name.is_subdomain(INWARD) else ZONE])
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
                reply = answer(wire, udp=False)
                if reply is None:
                    return
                conn.sendall(struct.pack("!H", len(reply)) + reply)
        except OSError:
            return


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
