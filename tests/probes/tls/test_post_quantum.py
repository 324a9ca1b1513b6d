"""tls.kex.post_quantum on hand-built endpoints: pass, warn, not applicable, not assessed."""

from __future__ import annotations

import dataclasses

import pytest
from test_evaluate import OFFERED, endpoint, protocols, verdicts

from scanner.model import Severity, Status
from scanner.observations.tls import HybridKeyExchange, ProtocolResult

CHECK = "tls.kex.post_quantum"


def _judged(kex: HybridKeyExchange | None, **changes: object) -> tuple[Status, str]:
    found = verdicts(endpoint(hybrid_kex=kex, **changes))[CHECK]
    return found.status, found.detail


def test_a_server_choosing_a_hybrid_group_passes_and_names_it() -> None:
    status, detail = _judged(HybridKeyExchange("selected", OFFERED, group="X25519MLKEM768"))
    assert status is Status.PASS
    assert "X25519MLKEM768" in detail and "the server chose it" in detail


def test_a_hello_retry_asking_for_a_hybrid_group_passes() -> None:
    status, detail = _judged(HybridKeyExchange("retry", OFFERED, group="SecP256r1MLKEM768"))
    assert status is Status.PASS
    assert "SecP256r1MLKEM768" in detail and "HelloRetryRequest" in detail


@pytest.mark.parametrize(
    ("kex", "said"),
    [
        (
            HybridKeyExchange("refused", OFFERED, alert="handshake_failure"),
            "it refused them (TLS alert handshake_failure)",
        ),
        (
            HybridKeyExchange("closed", OFFERED, reason="the server closed the connection"),
            "it closed the connection without an answer",
        ),
    ],
)
def test_no_hybrid_group_is_a_warning_never_a_failure(kex: HybridKeyExchange, said: str) -> None:
    found = verdicts(endpoint(hybrid_kex=kex))[CHECK]
    assert found.status is Status.WARN
    assert found.severity is Severity.LOW
    assert said in found.detail
    assert "X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024" in found.detail


def test_without_tls13_it_is_not_applicable() -> None:
    without = tuple(
        dataclasses.replace(p, accepted=False, ciphers=()) if p.version == "TLS 1.3" else p
        for p in protocols()
    )
    status, detail = _judged(None, protocols=without)
    assert status is Status.INFO
    assert detail.startswith("Not applicable") and "TLS 1.3" in detail


@pytest.mark.parametrize(
    ("kex", "tls13", "reason"),
    [
        (None, True, "did not run"),  # a scan saved before the test existed
        (HybridKeyExchange("timeout", OFFERED, reason="no answer within 3 s"), True, "no answer"),
        (HybridKeyExchange("limited", OFFERED, reason="the server limited us"), True, "limited"),
        (HybridKeyExchange("invalid", OFFERED, reason="key share has 12 bytes"), True, "12 bytes"),
        (None, None, "TLS 1.3"),  # TLS 1.3 itself could not be tested
    ],
)
def test_what_could_not_be_told_is_not_assessed(
    kex: HybridKeyExchange | None, tls13: bool | None, reason: str
) -> None:
    versions = tuple(
        ProtocolResult("TLS 1.3", None, reason="timed out")
        if p.version == "TLS 1.3" and tls13 is None
        else p
        for p in protocols()
    )
    status, detail = _judged(kex, protocols=versions)
    assert status is Status.NOT_ASSESSED
    assert reason in detail
