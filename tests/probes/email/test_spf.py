from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.probes.email import spf


@pytest.mark.parametrize(
    "text",
    [
        "v=spf1 -all",
        "v=spf1 mx a:mail.example.com/24 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net ~all",
        "v=spf1 a/24//64 mx:example.com ?all",
        "v=spf1 exists:%{i}.spf.example.com -all",
        "v=spf1 redirect=_spf.example.com",
        "v=spf1 include:example.com exp=explain.example.com -all",
        "V=SPF1 -ALL",
    ],
)
def test_valid_records(text: str) -> None:
    record = spf.parse(text)
    assert record.valid, record.errors


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("v=spf2 -all", "does not start"),
        ("v=spf1 ip4:300.1.1.1 -all", "invalid address"),
        ("v=spf1 ip4:2001:db8::1 -all", "ip4 with an IPv6"),
        ("v=spf1 include -all", "include needs a domain"),
        ("v=spf1 foo:bar -all", "unknown mechanism"),
        ("v=spf1 all:x", "takes no argument"),
        ("v=spf1 redirect=a.example redirect=b.example", "more than once"),
        ("v=spf1 -redirect=a.example", "cannot carry a qualifier"),
        ("v=spf1 a:bad_domain -all", "invalid domain"),
        ("v=spf1 mx/999 -all", "invalid CIDR"),
    ],
)
def test_invalid_records_name_the_problem(text: str, error: str) -> None:
    record = spf.parse(text)
    assert not record.valid
    assert any(error in e for e in record.errors), record.errors


def test_counts_and_qualifiers() -> None:
    record = spf.parse("v=spf1 a mx ptr include:x.example exists:y.example ip4:192.0.2.1 ~all")
    assert record.lookups == 5
    assert record.all_qualifier == "~"
    assert any("ptr" in w for w in record.warnings)


def fetcher(zone: dict[str, list[str]]) -> spf.Fetch:
    def fetch(name: str) -> tuple[str, list[str]]:
        if name in zone:
            return "ok", zone[name]
        return "nxdomain", []

    return fetch


def exists_all(name: str, rdtype: str) -> str:
    return "ok"


def test_includes_are_followed_and_counted() -> None:
    zone = {
        "example.com": ["v=spf1 include:a.example.com mx -all", "some other txt"],
        "a.example.com": ["v=spf1 include:b.example.com -all"],
        "b.example.com": ["v=spf1 ip4:192.0.2.0/24 -all"],
    }
    result = spf.evaluate("example.com", fetcher(zone), exists_all)
    assert result.lookups == 3
    assert result.errors == []
    assert result.effective_all == "-"


def test_a_chain_past_ten_lookups() -> None:
    zone = {f"s{i}.example.com": [f"v=spf1 include:s{i + 1}.example.com -all"] for i in range(12)}
    zone["example.com"] = ["v=spf1 include:s0.example.com -all"]
    zone["s12.example.com"] = ["v=spf1 -all"]
    result = spf.evaluate("example.com", fetcher(zone), exists_all)
    assert result.lookups > spf.LOOKUP_LIMIT


def test_loops_are_detected_and_stop() -> None:
    zone = {
        "example.com": ["v=spf1 include:a.example.com -all"],
        "a.example.com": ["v=spf1 include:example.com -all"],
    }
    result = spf.evaluate("example.com", fetcher(zone), exists_all)
    assert any("loop" in e for e in result.errors)


def test_include_of_a_missing_record_is_an_error_and_a_void_lookup() -> None:
    zone = {"example.com": ["v=spf1 include:gone.example.com -all"]}
    result = spf.evaluate("example.com", fetcher(zone), exists_all)
    assert any("gone.example.com" in e for e in result.errors)
    assert result.void_lookups == 1


def test_two_records_are_a_permerror() -> None:
    zone = {"example.com": ["v=spf1 -all", "v=spf1 a -all"]}
    result = spf.evaluate("example.com", fetcher(zone), exists_all)
    assert any("2 SPF records" in e for e in result.errors)


def test_redirect_supplies_the_all() -> None:
    zone = {
        "example.com": ["v=spf1 redirect=_spf.example.com"],
        "_spf.example.com": ["v=spf1 +all"],
    }
    assert spf.evaluate("example.com", fetcher(zone), exists_all).effective_all == "+"


def test_void_a_lookups_are_counted() -> None:
    zone = {"example.com": ["v=spf1 a:x.example.com a:y.example.com a:z.example.com -all"]}
    result = spf.evaluate("example.com", fetcher(zone), lambda name, rdtype: "nxdomain")
    assert result.void_lookups == 3


def test_a_failed_lookup_is_inconclusive_not_an_error() -> None:
    def fetch(name: str) -> tuple[str, list[str]]:
        return (
            ("ok", ["v=spf1 include:t.example.com -all"])
            if name == "example.com"
            else ("timeout", [])
        )

    result = spf.evaluate("example.com", fetch, exists_all)
    assert result.inconclusive and not result.errors


@given(st.text(max_size=200))
def test_parser_never_raises(text: str) -> None:
    record = spf.parse(text)
    assert isinstance(record.errors, tuple)


@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "mx",
                "-all",
                "~all",
                "ip4:192.0.2.1",
                "include:x.example",
                "ptr",
                "exists:e.example",
                "redirect=r.example",
                "exp=e.example",
                "+all",
                "?all",
                "a/24",
                "mx:m.example/24//64",
                "bogus",
                "ip6:::1",
            ]
        ),
        max_size=12,
    )
)
def test_parser_on_term_soup(terms: list[str]) -> None:
    record = spf.parse("v=spf1 " + " ".join(terms))
    assert record.lookups <= len(terms)
