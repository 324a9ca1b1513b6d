"""The handshake details the TLS guidelines test, judged as NCSC-NL's IT Security
Guidelines for TLS (the version internet.nl 1.11 applies) and RFC 9325 judge them:
extended master secret, 0-RTT, client-initiated renegotiation, and whose cipher order
decides. Each applies only to the protocol versions it exists in: renegotiation and
the extended master secret are TLS 1.2 and older, 0-RTT is TLS 1.3.
"""

from __future__ import annotations

from scanner.model import Finding, Status
from scanner.observations.tls import TlsEndpointResult
from scanner.probes.tls.inventory import CLASSES, cipher_class

from .view import Thresholds, asset, finding, not_assessed

BELOW_13 = ("SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2")


def _below13(ep: TlsEndpointResult) -> list[str] | None:
    """The pre-1.3 versions the endpoint accepts; None when one could not be tested."""
    accepted = []
    for version in BELOW_13:
        p = ep.protocol(version)
        if p is None or p.accepted is None:
            return None
        if p.accepted:
            accepted.append(version)
    return accepted


def _only_13(check_id: str, ep: TlsEndpointResult, what: str) -> Finding:
    return finding(
        check_id,
        Status.INFO,
        ep,
        f"Not applicable: {asset(ep)} offers only TLS 1.3, which has no {what}.",
    )


def extended_master_secret(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.ems.missing"
    versions = _below13(ep)
    if versions is None:
        return not_assessed(check_id, ep, "not every protocol version could be tested")
    if not versions:
        return _only_13(check_id, ep, "master secret to extend (its key schedule binds it)")
    if ep.ems is None:
        return not_assessed(check_id, ep, "the extended-master-secret test did not run")
    if ep.ems:
        return finding(
            check_id,
            Status.PASS,
            ep,
            f"{asset(ep)} supports the extended master secret (RFC 7627) with "
            f"{' and '.join(versions)}.",
        )
    return finding(
        check_id,
        Status.FAIL,
        ep,
        f"{asset(ep)} does not support the extended master secret (RFC 7627) with "
        f"{' and '.join(versions)}: a man in the middle can tie two connections to one "
        "session (triple handshake), and FIPS 140-3 clients refuse the connection.",
        versions=versions,
    )


def early_data(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.early_data.accepted"
    tls13 = ep.protocol("TLS 1.3")
    if tls13 is None or tls13.accepted is None:
        return not_assessed(check_id, ep, "whether TLS 1.3 is offered was not determined")
    if not tls13.accepted:
        return finding(
            check_id,
            Status.INFO,
            ep,
            f"Not applicable: {asset(ep)} does not offer TLS 1.3, where 0-RTT exists.",
        )
    if ep.early_data is None:
        return not_assessed(check_id, ep, "the 0-RTT test did not run")
    if ep.early_data:
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"{asset(ep)} accepts TLS 1.3 early data (0-RTT): a request sent that way can "
            "be recorded and replayed by an attacker (RFC 8446 section 8).",
        )
    return finding(
        check_id, Status.PASS, ep, f"{asset(ep)} does not accept TLS 1.3 early data (0-RTT)."
    )


def client_renegotiation(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.renegotiation.client_initiated"
    versions = _below13(ep)
    if versions is None:
        return not_assessed(check_id, ep, "not every protocol version could be tested")
    if not versions:
        return _only_13(check_id, ep, "renegotiation")
    if ep.client_renegotiation is None:
        return not_assessed(check_id, ep, "the renegotiation test did not complete")
    if ep.client_renegotiation:
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"{asset(ep)} lets clients start renegotiation: each costs the server a full "
            "handshake, so a few clients can exhaust it.",
        )
    return finding(
        check_id, Status.PASS, ep, f"{asset(ep)} refuses client-initiated renegotiation."
    )


def _rank(name: str, version: str) -> int:
    return CLASSES.index(cipher_class(name, version))


def cipher_order(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    """NCSC-NL: the server enforces its own order, strongest first, unless every suite
    it offers is "good" (any choice is then good)."""
    check_id = "tls.cipher.order"
    versions = _below13(ep)
    if versions is None:
        return not_assessed(check_id, ep, "not every protocol version could be tested")
    if not versions:
        return _only_13(check_id, ep, "suite a server must order (every TLS 1.3 suite is good)")
    suites = {(c.name, p.version) for p in ep.protocols if p.version in versions for c in p.ciphers}
    if len({n for n, _ in suites}) < 2:
        return finding(
            check_id,
            Status.INFO,
            ep,
            f"Not applicable: {asset(ep)} offers a single suite below TLS 1.3, so there "
            "is no order to choose from.",
        )
    if all(_rank(n, v) == 0 for n, v in suites):
        return finding(
            check_id,
            Status.INFO,
            ep,
            f"Not applicable: {asset(ep)} offers only AEAD suites with forward secrecy, so "
            "whichever a client picks is good.",
        )
    order = ep.cipher_order
    if order is None:
        return not_assessed(check_id, ep, "the cipher-order test did not run")
    if order.enforced is None:
        reason = order.reason or (
            "the server chose neither by its own order nor by ours "
            f"({order.chosen[0]}, then {order.chosen[1]})"
        )
        return not_assessed(check_id, ep, reason)
    weaker, stronger = order.offered
    if not order.enforced:
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"{asset(ep)} takes whichever suite the client names first ({order.version}: "
            f"{order.chosen[0]} when offered first, {order.chosen[1]} when offered "
            "second), so an old client gets the weaker suite although both support a "
            "stronger one.",
            chosen=list(order.chosen),
        )
    if order.chosen[0] == weaker and _rank(weaker, order.version) > _rank(stronger, order.version):
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"{asset(ep)} enforces its own order but prefers {weaker} over {stronger} "
            f"({order.version}).",
            chosen=list(order.chosen),
        )
    return finding(
        check_id,
        Status.PASS,
        ep,
        f"{asset(ep)} enforces its own cipher-suite order ({order.version}: it chose "
        f"{order.chosen[0]} whichever we named first).",
    )
