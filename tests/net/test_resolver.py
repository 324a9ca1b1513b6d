"""The resolver adapter against the lab's real Knot DNS server."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from scanner.lab.providers import EXEMPLARY, LEGACY
from scanner.net.resolver import (
    DnsOutcome,
    Nameserver,
    Resolver,
    ResolverConfigError,
    parse_nameserver,
)

pytestmark = pytest.mark.lab


def test_answers_come_from_the_lab_zone(lab_resolver: Resolver) -> None:
    answer = lab_resolver.query("mx1.exemplary.test", "A")
    assert answer.outcome is DnsOutcome.OK
    expected = [a for a in EXEMPLARY.address_records()["mx1.exemplary.test"] if ":" not in a]
    assert answer.records == tuple(expected)
    assert answer.ttl == 300


def test_txt_strings_are_joined(lab_resolver: Resolver) -> None:
    answer = lab_resolver.query("legacy.test", "TXT")
    expected = [r[2].strip('"') for r in LEGACY.records if r[1] == "TXT" and r[0] == "@"]
    assert list(answer.records) == expected


def test_nxdomain_and_nodata_are_told_apart(lab_resolver: Resolver) -> None:
    assert lab_resolver.query("nope.exemplary.test", "A").outcome is DnsOutcome.NXDOMAIN
    assert lab_resolver.query("mx1.exemplary.test", "MX").outcome is DnsOutcome.NODATA


def test_a_zone_the_server_does_not_serve_is_servfail_not_a_verdict(
    lab_resolver: Resolver,
) -> None:
    answer = lab_resolver.query("example.invalid", "A")
    assert answer.outcome is DnsOutcome.SERVFAIL
    assert not answer.outcome.conclusive
    assert answer.reason


@pytest.fixture()
def silent_server() -> Iterator[Nameserver]:
    """A UDP and TCP port that accepts queries and never answers."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.10.99", 0))
    port = udp.getsockname()[1]
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.10.99", port))
    tcp.listen()
    yield Nameserver("127.0.10.99", port)
    udp.close()
    tcp.close()


def test_a_silent_server_costs_the_timeout_and_no_more(silent_server: Nameserver) -> None:
    resolver = Resolver(silent_server, timeout=0.5)
    start = time.monotonic()
    answer = resolver.query("exemplary.test", "A")
    elapsed = time.monotonic() - start
    assert answer.outcome is DnsOutcome.TIMEOUT
    assert elapsed < 1.5


def test_the_answer_carries_dnssec_records_when_signed(lab_resolver: Resolver) -> None:
    # The DO bit is set, so a signed zone's DNSKEY can be fetched; unsigned has none.
    assert lab_resolver.query("exemplary.test", "DNSKEY").outcome is DnsOutcome.OK
    assert lab_resolver.query("legacy.test", "DNSKEY").outcome is DnsOutcome.NODATA


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.10.53", Nameserver("127.0.10.53", 53)),
        ("127.0.10.53:5353", Nameserver("127.0.10.53", 5353)),
        ("[::1]:53", Nameserver("::1", 53)),
        ("::1", Nameserver("::1", 53)),
    ],
)
def test_nameserver_parsing(text: str, expected: Nameserver) -> None:
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text", ["127.0.10.53:0", "127.0.10.53:x", "[::1]:99999"])
def test_bad_nameserver_is_rejected(text: str) -> None:
    with pytest.raises(ResolverConfigError):
        parse_nameserver(text)


def test_a_large_txt_set_arrives_whole_over_tcp(lab_resolver: Resolver) -> None:
    # 16 records of 252 characters: more than the 1232-byte EDNS buffer, so the UDP
    # answer is truncated and the resolver must retry over TCP.
    answer = lab_resolver.query("big.broken.test", "TXT")
    assert answer.outcome is DnsOutcome.OK
    assert len(answer.records) == 16
    assert sum(len(r) for r in answer.records) > 4000
