"""The discovery sources' parsers: pure, on literal answers, and fuzzed."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.discovery.base import SourceUnavailable
from scanner.discovery.ct import _json, certspotter_names, crtsh_names
from scanner.discovery.scope import clean, in_scope
from scanner.discovery.spf import named_domains
from scanner.discovery.srv import srv_targets
from scanner.probes.email import spf


def test_crtsh_entries_hold_newline_separated_names_and_wildcards() -> None:
    answer = [
        {"common_name": "a.test", "name_value": "a.test\n*.a.test\nvpn.a.test"},
        {"common_name": "mail.a.test", "name_value": "mail.a.test"},
    ]
    assert crtsh_names(answer) == [
        "a.test",
        "*.a.test",
        "vpn.a.test",
        "a.test",
        "mail.a.test",
        "mail.a.test",
    ]


def test_certspotter_pages_by_the_last_id() -> None:
    page = [{"id": "7", "dns_names": ["a.test", "x.a.test"]}, {"id": "9", "dns_names": []}]
    assert certspotter_names(page) == (["a.test", "x.a.test"], "9")
    assert certspotter_names([]) == ([], None)


@pytest.mark.parametrize(
    ("status", "body", "error", "reason"),
    [
        (403, b"<html>no</html>", "", "HTTP 403 (refused)"),
        (200, b"<!DOCTYPE html><html>busy</html>", "", "an HTML page, not JSON"),
        (200, b"[", "the answer is larger than 16 MiB", "larger than 16 MiB"),
        (None, b"", "no response within 3 s", "no response within 3 s"),
    ],
)
def test_search_failures_name_their_reason(
    status: int | None, body: bytes, error: str, reason: str
) -> None:
    with pytest.raises(SourceUnavailable, match=reason.replace("(", r"\(").replace(")", r"\)")):
        _json(status, body, error, "CT search")


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=20,
    )
)
def test_any_json_is_names_or_unavailable(data: object) -> None:
    for parse in (crtsh_names, lambda d: certspotter_names(d)[0]):
        try:
            names = parse(data)
        except SourceUnavailable:
            continue
        assert all(isinstance(n, str) for n in names)
    json.dumps(data)  # what a server could send


def test_srv_targets_skip_the_no_service_dot() -> None:
    assert srv_targets(("0 5 993 imap.a.test.", "0 0 0 .", "garbage")) == [("imap.a.test", 993)]


def test_spf_names_without_macros() -> None:
    record = spf.parse("v=spf1 a:gw.a.test mx:a.test include:_spf.a.test exists:%{i}.a.test -all")
    assert named_domains(record) == [
        ("a", "gw.a.test"),
        ("mx", "a.test"),
        ("include", "_spf.a.test"),
    ]


def test_names_are_cleaned_and_scoped() -> None:
    assert clean("*.VPN.a.test.") == ("vpn.a.test", "")
    assert clean("bad name.a.test")[0] is None
    assert in_scope("x.a.test", ["a.test"]) and in_scope("a.test", ["a.test"])
    assert not in_scope("evila.test", ["a.test"]) and not in_scope("a.test.evil", ["a.test"])


@given(st.text(max_size=300))
def test_clean_never_passes_an_invalid_name(raw: str) -> None:
    name, why = clean(raw)
    assert (name is None) == bool(why)
    if name is not None:
        assert name == name.lower() and " " not in name and not name.startswith("*")
