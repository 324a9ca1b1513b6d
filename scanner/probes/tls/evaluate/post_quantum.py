"""Post-quantum key exchange: does a TLS 1.3 endpoint take a hybrid ML-KEM group?

Traffic recorded today can be decrypted once a large quantum computer exists
("harvest now, decrypt later"); a hybrid group (X25519MLKEM768 and its kin, with
ML-KEM from FIPS 203) protects it now. Browsers offer X25519MLKEM768 by default
since 2024-25 and OpenSSL 3.5 servers take it by default. It is a warning, never a
failure: an endpoint without it is as safe today as the classical exchange is.
"""

from __future__ import annotations

from scanner.model import Finding, Status
from scanner.observations.tls import TlsEndpointResult

from .view import Thresholds, asset, finding, not_assessed

CHECK_ID = "tls.kex.post_quantum"


def post_quantum(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    tls13 = ep.protocol("TLS 1.3")
    if tls13 is None or tls13.accepted is None:
        return not_assessed(CHECK_ID, ep, "whether TLS 1.3 is offered was not determined")
    if not tls13.accepted:
        return finding(
            CHECK_ID,
            Status.INFO,
            ep,
            f"Not applicable: {asset(ep)} does not offer TLS 1.3, and the hybrid "
            "post-quantum key exchanges exist only in TLS 1.3 (see the TLS 1.3 row).",
            tls13=False,
        )
    kex = ep.hybrid_kex
    if kex is None:
        return not_assessed(
            CHECK_ID, ep, "the post-quantum key-exchange test did not run in this scan"
        )
    offered = ", ".join(kex.offered)
    if kex.hybrid is True:
        how = "chose it" if kex.outcome == "selected" else "asked for it (HelloRetryRequest)"
        return finding(
            CHECK_ID,
            Status.PASS,
            ep,
            f"{asset(ep)} takes the hybrid post-quantum key exchange {kex.group}: offered "
            f"only {offered}, the server {how}.",
            group=kex.group,
            answer=kex.outcome,
        )
    if kex.hybrid is False:
        if kex.alert:
            answer = f"it refused them (TLS alert {kex.alert})"
        elif kex.outcome == "closed":
            answer = "it closed the connection without an answer"
        else:
            answer = f"it refused them ({kex.reason})" if kex.reason else "it refused them"
        return finding(
            CHECK_ID,
            Status.WARN,
            ep,
            f"{asset(ep)} takes no hybrid post-quantum key exchange: offered only {offered}, "
            f"{answer}. Traffic recorded today could be decrypted once a large quantum "
            "computer exists.",
            answer=kex.outcome,
            alert=kex.alert,
        )
    return not_assessed(CHECK_ID, ep, kex.reason or kex.outcome)
