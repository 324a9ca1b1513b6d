from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.probes.tls.hostname import matches


@pytest.mark.parametrize(
    ("host", "names", "expected"),
    [
        ("www.example.com", ["www.example.com"], True),
        ("WWW.Example.COM.", ["www.example.com"], True),
        ("www.example.com", ["*.example.com"], True),
        ("a.b.example.com", ["*.example.com"], False),  # one label only
        ("example.com", ["*.example.com"], False),
        ("www.example.com", ["w*.example.com"], False),  # partial wildcards are not honoured
        ("www.example.com", ["*.*.com"], False),
        ("example.com", ["*.com"], False),  # no wildcard on a TLD
        ("www.example.com", ["example.com"], False),
        ("www.example.com", [], False),
        ("xn--bcher-kva.example", ["xn--bcher-kva.example"], True),
    ],
)
def test_dns_names(host: str, names: list[str], expected: bool) -> None:
    assert matches(host, names) is expected


def test_ip_hosts_match_only_ip_sans() -> None:
    assert matches("192.0.2.1", ["192.0.2.1"], ["192.0.2.1"]) is True
    assert matches("192.0.2.1", ["192.0.2.1"], []) is False


labels = st.from_regex(r"[a-z]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@given(st.lists(labels, min_size=2, max_size=5))
def test_a_name_matches_itself_and_a_wildcard_covers_exactly_one_label(parts: list[str]) -> None:
    host = ".".join(parts)
    assert matches(host, [host])
    parent = ".".join(parts[1:])
    assert matches(host, [f"*.{parent}"]) is ("." in parent)
    assert not matches(f"extra.{host}", [f"*.{parent}"])
