"""Extended master secret, 0-RTT, client-initiated renegotiation and cipher order on
hand-built endpoints: each applies only to the versions it exists in."""

from __future__ import annotations

import dataclasses

import pytest
from test_evaluate import GOOD_SUITE, endpoint, protocols, verdicts

from scanner.model import Status
from scanner.observations.tls import CipherInfo, CipherOrder, ProtocolResult
from scanner.probes.tls.own_tests import order_pair

CBC = CipherInfo(
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 128, False, "ECDH", 256, "secp256r1",
    openssl_name="ECDHE-RSA-AES128-SHA",
)  # fmt: skip
STATIC = CipherInfo("TLS_RSA_WITH_AES_128_CBC_SHA", 128, False, openssl_name="AES128-SHA")
AEAD = dataclasses.replace(GOOD_SUITE, openssl_name="ECDHE-RSA-AES128-GCM-SHA256")
ONLY_13 = protocols(TLS_1_2=())
NO_13 = protocols(TLS_1_3=())
MIXED = protocols(TLS_1_2=(AEAD, CBC, STATIC))


def _judged(check_id: str, **changes: object) -> tuple[Status, str]:
    found = verdicts(endpoint(**changes))[check_id]
    return found.status, found.detail


@pytest.mark.parametrize(
    ("value", "expected"), [(True, Status.PASS), (False, Status.FAIL), (None, Status.NOT_ASSESSED)]
)
def test_extended_master_secret(value: bool | None, expected: Status) -> None:
    status, detail = _judged("tls.ems.missing", ems=value)
    assert status is expected
    if expected is Status.FAIL:
        assert "RFC 7627" in detail and "TLS 1.2" in detail


def test_extended_master_secret_does_not_apply_to_tls13_only() -> None:
    status, detail = _judged("tls.ems.missing", ems=None, protocols=ONLY_13)
    assert status is Status.INFO and detail.startswith("Not applicable")


@pytest.mark.parametrize(
    ("value", "expected"), [(True, Status.FAIL), (False, Status.PASS), (None, Status.NOT_ASSESSED)]
)
def test_early_data(value: bool | None, expected: Status) -> None:
    assert _judged("tls.early_data.accepted", early_data=value)[0] is expected


def test_early_data_does_not_apply_without_tls13() -> None:
    status, detail = _judged("tls.early_data.accepted", early_data=None, protocols=NO_13)
    assert status is Status.INFO and "does not offer TLS 1.3" in detail


@pytest.mark.parametrize(
    ("value", "expected"), [(True, Status.FAIL), (False, Status.PASS), (None, Status.NOT_ASSESSED)]
)
def test_client_renegotiation(value: bool | None, expected: Status) -> None:
    assert _judged("tls.renegotiation.client_initiated", client_renegotiation=value)[0] is expected


def test_renegotiation_does_not_apply_to_tls13_only() -> None:
    status, _ = _judged("tls.renegotiation.client_initiated", protocols=ONLY_13)
    assert status is Status.INFO


def test_a_version_that_could_not_be_tested_leaves_them_not_assessed() -> None:
    unknown = tuple(
        ProtocolResult("TLS 1.1", None, reason="timeout") if p.version == "TLS 1.1" else p
        for p in protocols()
    )
    for check in ("tls.ems.missing", "tls.renegotiation.client_initiated", "tls.cipher.order"):
        assert _judged(check, protocols=unknown)[0] is Status.NOT_ASSESSED, check


WEAK, STRONG = STATIC.name, AEAD.name


@pytest.mark.parametrize(
    ("chosen", "expected", "said"),
    [
        ((STRONG, STRONG), Status.PASS, "enforces its own cipher-suite order"),
        ((WEAK, STRONG), Status.FAIL, "takes whichever suite the client names first"),
        ((WEAK, WEAK), Status.FAIL, "prefers TLS_RSA_WITH_AES_128_CBC_SHA"),
        ((), Status.NOT_ASSESSED, "handshake failed"),
        ((STRONG, WEAK), Status.NOT_ASSESSED, "neither by its own order nor by ours"),
    ],
)
def test_cipher_order(chosen: tuple[str, ...], expected: Status, said: str) -> None:
    order = CipherOrder("TLS 1.2", (WEAK, STRONG), chosen, "" if chosen else "the handshake failed")
    status, detail = _judged("tls.cipher.order", protocols=MIXED, cipher_order=order)
    assert status is expected
    assert said in detail


def test_cipher_order_does_not_apply_where_every_suite_is_good() -> None:
    good = protocols(
        TLS_1_2=(AEAD, dataclasses.replace(AEAD, name="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"))
    )
    status, detail = _judged("tls.cipher.order", protocols=good)
    assert status is Status.INFO and "only AEAD suites" in detail
    assert _judged("tls.cipher.order", protocols=ONLY_13)[0] is Status.INFO


def test_the_pair_offered_is_the_weakest_and_the_strongest_this_machine_can_offer() -> None:
    ep = endpoint(protocols=MIXED)
    known = {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA", "AES128-SHA"}
    assert order_pair(ep, known) == (
        "TLS 1.2",
        ((STATIC.name, "AES128-SHA"), (AEAD.name, "ECDHE-RSA-AES128-GCM-SHA256")),
    )
    # A suite this machine's OpenSSL does not have is not offered.
    assert order_pair(ep, known - {"AES128-SHA"}) == (
        "TLS 1.2",
        ((CBC.name, "ECDHE-RSA-AES128-SHA"), (AEAD.name, "ECDHE-RSA-AES128-GCM-SHA256")),
    )
    assert order_pair(ep, {"AES128-SHA"}) is None
