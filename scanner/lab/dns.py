"""Knot DNS configuration and zone files for the lab."""

from __future__ import annotations

from pathlib import Path

from scanner.lab.providers import DNS_ADDRESSES, DNS_PORT, LabProvider

SERIAL = 2026112901


def zone_text(provider: LabProvider) -> str:
    lines = [
        f"$ORIGIN {provider.domain}.",
        "$TTL 300",
        f"@ SOA ns1.{provider.domain}. hostmaster.{provider.domain}. {SERIAL} 3600 600 604800 300",
    ]
    lines += [f"{owner} {rtype} {rdata}" for owner, rtype, rdata in provider.records]
    return "\n".join(lines) + "\n"


def knot_config(directory: Path, providers: tuple[LabProvider, ...]) -> str:
    listen = ", ".join(f"{address}@{DNS_PORT}" for address in DNS_ADDRESSES)
    zones = []
    for p in providers:
        zone = [f"  - domain: {p.domain}", f"    file: {directory}/zones/{p.domain}.zone"]
        if p.signed:
            zone += ["    dnssec-signing: on", "    dnssec-policy: lab"]
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


def write(directory: Path, providers: tuple[LabProvider, ...]) -> Path:
    for sub in ("zones", "run", "db"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    for p in providers:
        (directory / "zones" / f"{p.domain}.zone").write_text(zone_text(p), "utf-8")
    conf = directory / "knot.conf"
    conf.write_text(knot_config(directory, providers), "utf-8")
    return conf
