from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.model import HostPort
from scanner.net.targets import InvalidTarget, normalize_hostname, parse_host_port

SAFE = re.compile(r"^[a-z0-9.-]+$")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("mail-1.example.co.uk", "mail-1.example.co.uk"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("exemplary.test", "exemplary.test"),
    ],
)
def test_valid_names_are_normalized(raw: str, expected: str) -> None:
    assert normalize_hostname(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " example.com",
        "example.com ",
        "exa mple.com",
        "example.com\n",
        "-oN.example.com",
        "-iL/etc/passwd",
        "--script=evil",
        "example.com;id",
        "$(id).example.com",
        "`id`.example.com",
        "example.com|nc",
        "example.com&",
        "ex*ample.com",
        "exam_ple.com",
        "example..com",
        "-bad.example.com",
        "bad-.example.com",
        "localhost",
        "a" * 64 + ".com",
        ".".join(["abcdefghi"] * 30) + ".com",
        "example.123",
        "127.0.0.1",
        "exa\u202emple.com",
    ],
)
def test_unsafe_or_invalid_names_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidTarget):
        normalize_hostname(raw)


@given(st.text(max_size=80))
def test_any_accepted_name_uses_only_the_safe_alphabet(raw: str) -> None:
    try:
        name = normalize_hostname(raw)
    except InvalidTarget:
        return
    assert SAFE.match(name)
    assert not name.startswith("-")
    assert len(name) <= 253


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("mail.example.com", HostPort("mail.example.com", 443)),
        ("mail.example.com:25", HostPort("mail.example.com", 25)),
        ("192.0.2.1:8443", HostPort("192.0.2.1", 8443)),
        ("[2001:db8::1]:993", HostPort("2001:db8::1", 993)),
        ("2001:db8::1", HostPort("2001:db8::1", 443)),
    ],
)
def test_endpoints_parse(raw: str, expected: HostPort) -> None:
    assert parse_host_port(raw) == expected


@pytest.mark.parametrize(
    "raw", ["mail.example.com:0", "mail.example.com:65536", "mail.example.com:-1", "[::1", "x:y"]
)
def test_bad_endpoints_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidTarget):
        parse_host_port(raw)


@given(st.text(max_size=60))
def test_endpoint_parser_only_raises_invalid_target(raw: str) -> None:
    try:
        endpoint = parse_host_port(raw)
    except InvalidTarget:
        return
    assert 1 <= endpoint.port <= 65535
    assert re.match(r"^[a-z0-9.:-]+$", endpoint.host)
