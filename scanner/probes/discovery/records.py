"""The host names an MX or NS answer names: pure parsing of the recorded records,
read by the gathering (which hosts to look up) and by the checks (which hosts to judge)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scanner.net.targets import InvalidTarget, normalize_hostname
from scanner.observations.dns import DnsRecords

from .observations import InvalidHostName

# A hostile zone could list hundreds of MX or NS hosts; looking up a few is enough
# to judge them and keeps the scan bounded.
MAX_HOSTS_PER_KIND = 16


def hosts_from(
    name: str, rdtype: str, records: Iterable[str]
) -> tuple[list[str], list[InvalidHostName]]:
    """The valid host names of an MX or NS answer (at most MAX_HOSTS_PER_KIND, in
    record order) and the values that are not host names."""
    hosts: list[str] = []
    invalid: list[InvalidHostName] = []
    for record in records:
        raw = record.split()[-1]  # "10 mail.example." for MX, "ns1.example." for NS
        if rdtype == "MX" and raw == ".":
            continue  # a null MX (RFC 7505): the domain accepts no mail
        try:
            host = normalize_hostname(raw)
        except InvalidTarget as exc:
            invalid.append(InvalidHostName(f"{name} {rdtype}", raw, str(exc)))
            continue
        if host not in hosts:
            hosts.append(host)
    return hosts[:MAX_HOSTS_PER_KIND], invalid


def mx_hosts(domain: str, records: Sequence[DnsRecords]) -> list[str]:
    """The valid MX host names of ``domain`` as discovery recorded them."""
    answer = next((r for r in records if r.name == domain and r.rdtype == "MX"), None)
    return hosts_from(domain, "MX", answer.records)[0] if answer else []
