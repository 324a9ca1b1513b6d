"""The address policy: one test per special-purpose range of the IANA registries, the
IPv6 forms that carry an IPv4 address, and what --allow-private lifts."""

from __future__ import annotations

import ipaddress

import pytest

from scanner.net.policy import (
    IPV4_REFUSED,
    IPV6_REFUSED,
    AddressPolicy,
    AddressRefused,
    embedded_ipv4,
)

REFUSED = {
    "127.0.0.1": "loopback",
    "127.0.10.10": "loopback",
    "::1": "loopback",
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "fc00::1": "private (unique local)",
    "fd12:3456::1": "private (unique local)",
    "169.254.169.254": "link-local",
    "fe80::1": "link-local",
    "100.64.0.1": "carrier-grade NAT",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "0.0.0.0": "unspecified",
    "0.1.2.3": "this-network (RFC 791)",
    "::": "unspecified",
    "240.0.0.1": "reserved",
    "255.255.255.255": "limited broadcast",
    "192.0.0.8": "IETF protocol assignment (RFC 6890)",
    "192.0.0.170": "IETF protocol assignment (RFC 6890)",
    "192.0.2.10": "documentation (TEST-NET-1)",
    "198.51.100.7": "documentation (TEST-NET-2)",
    "203.0.113.9": "documentation (TEST-NET-3)",
    "192.88.99.1": "deprecated 6to4 relay anycast (RFC 7526)",
    "198.18.0.1": "benchmarking (RFC 2544)",
    "2001:db8::1": "documentation (RFC 3849)",
    "3fff::1": "documentation (RFC 9637)",
    "2001:2::1": "benchmarking (RFC 5180)",
    "2001:10::1": "IETF protocol assignment (RFC 2928)",
    "100::1": "discard-only (RFC 6666)",
    "100:0:0:1::1": "dummy prefix (RFC 9780)",
    "64:ff9b:1::1": "local-use NAT64 (RFC 8215)",
    "5f00::1": "segment routing SID (RFC 9602)",
    "fec0::1": "site-local (deprecated, RFC 3879)",
    "4000::1": "reserved (outside the global unicast space 2000::/3)",
    "::ffff:10.0.0.1": "private",
    "::ffff:127.0.0.1": "loopback",
    # IPv6 forms that carry an IPv4 address are judged by that address.
    "2002:a00:1::1": "6to4 (embedding private 10.0.0.1)",
    "2002:7f00:1::": "6to4 (embedding loopback 127.0.0.1)",
    "64:ff9b::a00:1": "NAT64 (embedding private 10.0.0.1)",
    "64:ff9b::127.0.0.1": "NAT64 (embedding loopback 127.0.0.1)",
    "2001:0:7f00:1::": "Teredo server (embedding loopback 127.0.0.1)",
    "2001:0:808:808::f5ff:fffe": "Teredo client (embedding private 10.0.0.1)",
    "::10.0.0.1": "IPv4-compatible (embedding private 10.0.0.1)",
    "::8.8.8.8": "deprecated IPv4-compatible (RFC 4291)",
}


@pytest.mark.parametrize(("address", "category"), sorted(REFUSED.items()))
def test_non_public_addresses_are_refused_by_default(address: str, category: str) -> None:
    policy = AddressPolicy()
    reason = policy.refusal(address)
    assert reason is not None
    assert f"is a {category} address" in reason
    assert "--allow-private" in reason
    with pytest.raises(AddressRefused):
        policy.check(address)


@pytest.mark.parametrize(("network", "reason"), IPV4_REFUSED + IPV6_REFUSED)
def test_every_range_of_the_table_is_refused_at_both_ends(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network, reason: str
) -> None:
    for address in (network.network_address, network.broadcast_address):
        refusal = AddressPolicy().refusal(str(address))
        assert refusal is not None, address


@pytest.mark.parametrize("address", sorted(REFUSED))
def test_allow_private_lifts_the_refusal(address: str) -> None:
    assert AddressPolicy(allow_private=True).refusal(address) is None


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "192.31.196.1",  # AS112-v4: globally reachable
        "192.175.48.1",  # AS112 direct delegation
        "2606:4700:4700::1111",
        "2001:3::1",  # AMT
        "2001:4:112::1",  # AS112-v6
        "2002:808:808::1",  # 6to4 towards a public address
        "64:ff9b::8.8.8.8",  # NAT64 towards a public address
    ],
)
def test_public_addresses_pass(address: str) -> None:
    assert AddressPolicy().refusal(address) is None


def test_teredo_carries_server_and_inverted_client() -> None:
    found = embedded_ipv4(ipaddress.IPv6Address("2001:0:4136:e378:8000:63bf:3fff:fdd2"))
    assert found == [
        ("Teredo server", ipaddress.IPv4Address("65.54.227.120")),
        ("Teredo client", ipaddress.IPv4Address("192.0.2.45")),
    ]


def test_garbage_and_zone_ids_are_refused_even_with_allow_private() -> None:
    assert AddressPolicy(allow_private=True).refusal("not-an-ip") is not None
    assert AddressPolicy(allow_private=True).refusal("fe80::1%eth0") is not None
