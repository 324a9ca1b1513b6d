"""DMARC, DKIM, MTA-STS, TLS-RPT and BIMI parsers on literal records, and fuzzed."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st

from scanner.probes.email import dkim, dmarc, mtasts, reporting


def test_dmarc_valid_record() -> None:
    record = dmarc.parse(
        "v=DMARC1; p=reject; sp=quarantine; rua=mailto:a@example.com,mailto:b@example.net!10m; adkim=s; fo=0:1"
    )
    assert record.valid
    assert record.policy == "reject"
    assert record.rua == ["mailto:a@example.com", "mailto:b@example.net!10m"]
    assert dmarc.rua_domain(record.rua[1]) == "example.net"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("v=DMARC1; p=maybe", "not one of"),
        ("v=DMARC1; p=none; p=reject", "appears twice"),
        ("v=DMARC1; p=none; adkim=x", "must be 'r' or 's'"),
        ("v=DMARC1; p=none; rua=https://example.com", "not a mailto"),
        ("v=DMARC1; p=none; pct=150", "0 to 100"),
        ("v=DMARC1; p=none; fo=7", "fo="),
        ("v=DMARC1; p=none; t=maybe", "must be one of"),
        ("p=none; v=DMARC1", "does not start"),
    ],
)
def test_dmarc_errors(text: str, error: str) -> None:
    record = dmarc.parse(text)
    assert not record.valid
    assert any(error in e for e in record.errors), record.errors


def test_dmarc_obsolete_tags_warn_and_pct_counts() -> None:
    record = dmarc.parse("v=DMARC1; p=none; pct=50; rf=afrf; ri=86400")
    assert record.valid and record.pct == 50
    assert sum("obsolete" in w for w in record.warnings) == 3


def test_dmarc_tree_walk_order_and_limit() -> None:
    assert dmarc.walk_names("a.b.example.com") == [
        "a.b.example.com",
        "b.example.com",
        "example.com",
        "com",
    ]
    long = ".".join(f"l{i}" for i in range(12)) + ".example.com"
    names = dmarc.walk_names(long)
    assert names[0] == long and len(names) <= dmarc.MAX_WALK
    assert names[1].count(".") == 6  # shortened to seven labels


def test_dmarc_discovery_stops_at_the_first_record_and_on_failures() -> None:
    zone = {"_dmarc.example.com": ("ok", ["v=DMARC1; p=reject"])}

    def fetch(name: str) -> tuple[str, list[str]]:
        return zone.get(name, ("nxdomain", []))

    found = dmarc.discover("mail.example.com", fetch)
    assert found.found_at == "example.com"
    assert found.queried == ("mail.example.com", "example.com")
    broken = dmarc.discover("x.example.org", lambda name: ("servfail", []))
    assert broken.found_at is None and broken.inconclusive


def _rsa_record(bits: int, extra: str = "") -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return f"v=DKIM1; k=rsa{extra}; p={base64.b64encode(der).decode()}"


def test_dkim_key_sizes_flags_and_revocation() -> None:
    key = dkim.parse(_rsa_record(1024, "; t=y"))
    assert (key.key_bits, key.testing, key.revoked, key.valid) == (1024, True, False, True)
    assert dkim.parse("v=DKIM1; p=").revoked
    assert not dkim.parse("v=DKIM1; p=!!!notbase64").valid
    assert (
        dkim.parse("v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(32)).decode()).key_bits == 256
    )
    assert not dkim.parse("v=DKIM1; k=dsa; p=AAAA").valid


def test_mta_sts_record_and_policy() -> None:
    assert mtasts.parse_record("v=STSv1; id=20260101T000000").errors == ()
    assert mtasts.parse_record("v=STSv1; id=bad-id!").errors
    policy = mtasts.parse_policy(
        "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n"
    )
    assert policy.errors == () and policy.mode == "enforce"
    assert mtasts.mx_matches("*.example.net", "mx1.example.net")
    assert not mtasts.mx_matches("*.example.net", "a.b.example.net")
    assert not mtasts.mx_matches("*.example.net", "example.net")
    bad = mtasts.parse_policy("version: STSv2\nmode: sometimes\nmax_age: forever\n")
    assert len(bad.errors) >= 3


def test_tlsrpt_and_bimi() -> None:
    assert (
        reporting.parse_tlsrpt(
            "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.com/x"
        ).errors
        == ()
    )
    assert reporting.parse_tlsrpt("v=TLSRPTv1; rua=ftp://x").errors
    assert reporting.parse_tlsrpt("v=TLSRPTv1").errors
    assert (
        reporting.parse_bimi("v=BIMI1; l=https://example.com/logo.svg").logo
        == "https://example.com/logo.svg"
    )
    assert reporting.parse_bimi("v=BIMI1; l=http://example.com/logo.svg").errors


@given(st.text(max_size=300))
def test_parsers_never_raise(text: str) -> None:
    dmarc.parse(text)
    dkim.parse(text)
    mtasts.parse_record(text)
    mtasts.parse_policy(text)
    reporting.parse_tlsrpt(text)
    reporting.parse_bimi(text)


@given(
    st.dictionaries(
        st.sampled_from(["v", "p", "sp", "np", "adkim", "aspf", "rua", "pct", "t", "fo", "x"]),
        st.text(alphabet="abcdefnoqrsjtuy0123456789:@.=,!", max_size=20),
        max_size=8,
    )
)
def test_dmarc_tag_soup(tags: dict[str, str]) -> None:
    text = "v=DMARC1; " + "; ".join(f"{k}={v}" for k, v in tags.items() if k != "v")
    record = dmarc.parse(text)
    # A record the parser accepts carries only values RFC 9989 allows.
    if record.valid:
        assert record.policy in ("none", "quarantine", "reject")
        assert all(record.tags.get(k, "r").lower() in ("r", "s") for k in ("adkim", "aspf"))
        assert 0 <= record.pct <= 100
    else:
        assert all(isinstance(e, str) and e for e in record.errors)
