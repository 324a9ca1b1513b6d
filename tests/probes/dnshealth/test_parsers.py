from __future__ import annotations

import dataclasses
import hashlib

from hypothesis import given
from hypothesis import strategies as st

from scanner.observations.tls import CertInfo
from scanner.probes.dnshealth import caa, tlsa


def test_caa_records() -> None:
    assert caa.parse('0 issue "letsencrypt.org"').errors == ()
    assert caa.parse('0 issue "ca.example; account=123; validationmethods=dns-01"').errors == ()
    assert caa.parse('0 issuewild ";"').errors == ()
    assert caa.parse('0 iodef "mailto:security@example.com"').errors == ()
    assert caa.parse('0 issue "%%bad%%"').errors
    assert caa.parse('0 iodef "ftp://example.com"').errors
    assert caa.parse('128 futuretag "x"').errors  # unknown and critical
    assert caa.parse('0 futuretag "x"').errors == ()
    assert caa.parse("nonsense").errors


def _cert(spki: bytes) -> CertInfo:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    base = CertInfo(
        "CN=x", "x", ("x",), (), "CN=ca", "1", now, now, "EC", 256, "sha256", "aa" * 32, False
    )
    return dataclasses.replace(base, spki_sha256=hashlib.sha256(spki).hexdigest())


def test_tlsa_matching() -> None:
    leaf = _cert(b"leaf key")
    good = tlsa.parse("3 1 1 " + hashlib.sha256(b"leaf key").hexdigest())
    stale = tlsa.parse("3 1 1 " + hashlib.sha256(b"old key").hexdigest())
    assert good.errors == () and tlsa.matches(good, (leaf,))
    assert not tlsa.matches(stale, (leaf,))
    assert tlsa.parse("1 1 1 " + "ab" * 32).errors  # PKIX usage is unusable for SMTP
    assert tlsa.parse("3 1 1 abcd").errors  # wrong digest length
    assert tlsa.parse("3 1").errors


@given(st.text(max_size=120))
def test_parsers_never_raise(text: str) -> None:
    caa.parse(text)
    tlsa.parse(text)
