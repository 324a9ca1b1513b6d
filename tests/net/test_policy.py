from __future__ import annotations

import pytest

from scanner.net.policy import AddressPolicy, AddressRefused

REFUSED = {
    "127.0.0.1": "loopback",
    "127.0.10.10": "loopback",
    "::1": "loopback",
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "fc00::1": "private",
    "169.254.169.254": "link-local",
    "fe80::1": "link-local",
    "100.64.0.1": "carrier-grade NAT",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "0.0.0.0": "unspecified",
    "::": "unspecified",
    "240.0.0.1": "reserved",
    "255.255.255.255": "reserved",
    "192.0.2.10": "private",
    "2001:db8::1": "private",
    "198.18.0.1": "private",
    "::ffff:10.0.0.1": "private",
    "::ffff:127.0.0.1": "loopback",
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


@pytest.mark.parametrize("address", sorted(REFUSED))
def test_allow_private_lifts_the_refusal(address: str) -> None:
    assert AddressPolicy(allow_private=True).refusal(address) is None


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert AddressPolicy().refusal(address) is None


def test_garbage_is_refused_even_with_allow_private() -> None:
    assert AddressPolicy(allow_private=True).refusal("not-an-ip") is not None
