"""Knot DNS configuration and zone files for the lab."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Mapping
from pathlib import Path

import dns.dnssec
import dns.dnssectypes
import dns.name
import dns.rdtypes.ANY.DNSKEY
import dns.zone
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from scanner.lab.pki import IssuedCert
from scanner.lab.providers import (
    DNS_ADDRESSES,
    DNS_PORT,
    LOOKALIKE_ZONES,
    SERVICE_ZONES,
    TURNOVER_ADDRESS,
    TURNOVER_DOMAIN,
    DkimKey,
    LabProvider,
)

SERIAL = 2026112901
ANCHORS = "anchors.txt"


def zone_text(
    provider: LabProvider,
    dkim_dir: Path | None = None,
    mail_certs: Mapping[str, IssuedCert] | None = None,
) -> str:
    lines = [
        f"$ORIGIN {provider.domain}.",
        "$TTL 300",
        f"@ SOA ns1.{provider.domain}. hostmaster.{provider.domain}. {SERIAL} 3600 600 604800 300",
    ]
    lines += [f"{owner} {rtype} {rdata}" for owner, rtype, rdata in provider.records]
    for key in provider.dkim:
        record = dkim_record(
            key, dkim_dir / f"{provider.key}-{key.selector}.pem" if dkim_dir else None
        )
        lines.append(f"{key.selector}._domainkey TXT {_txt_strings(record)}")
    for mail in provider.mail:
        if mail.tlsa is None:
            continue
        issued = (mail_certs or {}).get(mail.name)
        if issued is None:
            continue
        spki = issued.leaf.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        # "mismatch": the digest of a key the server does not hold (a stale record).
        digest = hashlib.sha256(spki if mail.tlsa == "match" else b"retired key" + spki)
        owner = mail.name.removesuffix(f".{provider.domain}")
        lines.append(f"_25._tcp.{owner} TLSA 3 1 1 {digest.hexdigest()}")
    return "\n".join(lines) + "\n"


def presign_expired(text: str, origin: str) -> tuple[str, str]:
    """Sign a zone with signatures that expired long ago; return (zone text, DS line)."""
    zone = dns.zone.from_text(text, origin=origin, relativize=False)
    private = ec.generate_private_key(ec.SECP256R1())
    dnskey = dns.dnssec.make_dnskey(
        private.public_key(), dns.dnssectypes.Algorithm.ECDSAP256SHA256, flags=257
    )
    dns.dnssec.sign_zone(
        zone,
        keys=[(private, dnskey)],
        inception=dt.datetime(2019, 1, 1, tzinfo=dt.UTC),
        expiration=dt.datetime(2019, 2, 1, tzinfo=dt.UTC),
    )
    ds = dns.dnssec.make_ds(origin, dnskey, "SHA256")
    text_out: str = zone.to_text(relativize=False)
    return text_out, f"{origin} DS {ds.to_text()}"  # type: ignore[no-untyped-call]


def dkim_record(key: DkimKey, pem: Path | None) -> str:
    """The DKIM TXT value for ``key``, creating (or reusing) its private key at ``pem``."""
    tags = f"; {key.tags}" if key.tags else ""
    if key.bits == 0:
        return f"v=DKIM1; k=rsa{tags}; p="
    if pem is not None and pem.exists():
        private = serialization.load_pem_private_key(pem.read_bytes(), password=None)
        assert isinstance(private, rsa.RSAPrivateKey)
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=key.bits)
        if pem is not None:
            pem.parent.mkdir(parents=True, exist_ok=True)
            pem.write_bytes(
                private.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            pem.chmod(0o600)
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return f"v=DKIM1; k=rsa{tags}; p={base64.b64encode(public).decode()}"


def _txt_strings(value: str) -> str:
    """Zone-file TXT data: one record split into character-strings of at most 255 bytes."""
    chunks = [value[i : i + 255] for i in range(0, len(value), 255)] or [""]
    return " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)


def knot_config(
    directory: Path,
    providers: tuple[LabProvider, ...],
    addresses: tuple[str, ...] = (*DNS_ADDRESSES, "::1"),
) -> str:
    listen = ", ".join(f"{address}@{DNS_PORT}" for address in addresses)
    # The parent zone "test." answers NXDOMAIN for names no provider serves, as a
    # real TLD would, instead of REFUSED (which would make every tree walk -
    # DMARC, CAA - inconclusive at its last step).
    zones = [f"  - domain: test\n    file: {directory}/zones/test.zone"]
    zones += [
        f"  - domain: {name}\n    file: {directory}/zones/{name}.zone"
        for name in {**SERVICE_ZONES, **LOOKALIKE_ZONES}
    ]
    for p in providers:
        zone = [f"  - domain: {p.domain}", f"    file: {directory}/zones/{p.domain}.zone"]
        if p.signed in ("knot", "knot-nsec3"):
            policy = "lab-nsec3" if p.signed == "knot-nsec3" else "lab"
            zone += ["    dnssec-signing: on", f"    dnssec-policy: {policy}"]
        if p.axfr_open:
            zone += ["    acl: transfer-to-anyone"]
        zones.append("\n".join(zone))
    return f"""server:
    rundir: "{directory}/run"
    listen: [ {listen} ]

log:
  - target: stderr
    any: info

database:
    storage: "{directory}/db"

policy:
  - id: lab
    algorithm: ecdsap256sha256
    nsec3: off
  - id: lab-nsec3
    algorithm: ecdsap256sha256
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0

# A zone with this ACL hands itself to whoever asks (dns.axfr.open); the others
# refuse transfers, as Knot does by default.
acl:
  - id: transfer-to-anyone
    address: [0.0.0.0/0, ::/0]
    action: transfer

template:
  - id: default
    storage: "{directory}/zones"
    # Never write the signed zone back over our source file; keep signatures
    # in the journal so a restart serves the same keys.
    zonefile-sync: -1
    zonefile-load: difference-no-serial
    journal-content: all

zone:
{chr(10).join(zones)}
"""


def write(
    directory: Path,
    providers: tuple[LabProvider, ...],
    mail_certs: Mapping[str, IssuedCert] | None = None,
    addresses: tuple[str, ...] = (*DNS_ADDRESSES, "::1"),
) -> Path:
    for sub in ("zones", "run", "db"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    static_anchors = []
    for p in providers:
        zone = zone_text(p, directory / "dkim", mail_certs)
        if p.signed == "expired":
            zone, ds = presign_expired(zone, f"{p.domain}.")
            static_anchors.append(ds)
        (directory / "zones" / f"{p.domain}.zone").write_text(zone, "utf-8")
    (directory / "zones" / "test.zone").write_text(
        "$ORIGIN test.\n$TTL 300\n"
        f"@ SOA ns1.test. hostmaster.test. {SERIAL} 3600 600 604800 300\n"
        f"@ NS ns1\nns1 A {addresses[0]}\n"
        f"{TURNOVER_DOMAIN.removesuffix('.test')} A {TURNOVER_ADDRESS}\n",
        "utf-8",
    )
    for name, records in {**SERVICE_ZONES, **LOOKALIKE_ZONES}.items():
        body = "".join(f"{owner} {rtype} {rdata}\n" for owner, rtype, rdata in records)
        # A zone that names its own name servers (a provider's defensive registration)
        # gets no ns1 of its own.
        own_ns = any(owner == "@" and rtype == "NS" for owner, rtype, _ in records)
        ns = "" if own_ns else f"@ NS ns1\nns1 A {addresses[0]}\n"
        (directory / "zones" / f"{name}.zone").write_text(
            f"$ORIGIN {name}.\n$TTL 300\n"
            f"@ SOA ns1.{name}. hostmaster.{name}. {SERIAL} 3600 600 604800 300\n"
            f"{ns}{body}",
            "utf-8",
        )
    (directory / "static-anchors.txt").write_text("\n".join(static_anchors) + "\n", "utf-8")
    conf = directory / "knot.conf"
    conf.write_text(knot_config(directory, providers, addresses), "utf-8")
    return conf
