"""Certificate lifecycle: the leaf's lifetime against the CA/Browser Forum schedule,
and its embedded SCTs against the browsers' certificate-transparency policies, both
from the dated thresholds of lifecycle.toml. These rules bind publicly trusted
certificates: one that is not trusted is judged by tls.cert.untrusted instead."""

from __future__ import annotations

from scanner.model import Finding, Status
from scanner.observations.tls import CertificateResult, TlsEndpointResult
from scanner.probes.tls.lifecycle import lifecycle

from .view import Thresholds, asset, finding, not_assessed


def _trusted(cert: CertificateResult) -> bool:
    return cert.trusted or cert.aia_completed


def _untrusted(check_id: str, ep: TlsEndpointResult) -> Finding:
    return finding(
        check_id,
        Status.INFO,
        ep,
        f"Not applicable: the certificate of {asset(ep)} is not publicly trusted (see the "
        "trust row), and these rules bind publicly trusted certificates.",
    )


def lifetime(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.cert.lifetime"
    cert = ep.certificate
    assert cert is not None
    if not _trusted(cert):
        return _untrusted(check_id, ep)
    leaf = cert.leaf
    data = lifecycle()
    issued = leaf.not_before.date()
    limit = data.limit_for(issued)
    days = leaf.lifetime_days
    if limit is None:
        return not_assessed(check_id, ep, f"no lifetime limit is recorded for {issued}")
    said = f"{days:.0f} days (issued {issued}, valid until {leaf.not_after.date()})"
    evidence = {
        "lifetime_days": round(days, 1),
        "max_days": limit.max_days,
        "since": str(limit.since),
    }
    if days > limit.max_days:
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"The certificate of {asset(ep)} is valid for {said}, longer than the "
            f"{limit.max_days} days allowed for certificates issued from {limit.since} "
            f"({data.lifetime_source}): browsers may refuse it.",
            **evidence,
        )
    return finding(
        check_id,
        Status.PASS,
        ep,
        f"The certificate of {asset(ep)} is valid for {said}, within the {limit.max_days} "
        f"days allowed from {limit.since}.",
        **evidence,
    )


def transparency(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.cert.transparency"
    cert = ep.certificate
    assert cert is not None
    if not _trusted(cert):
        return _untrusted(check_id, ep)
    leaf = cert.leaf
    if leaf.scts is None:
        return not_assessed(check_id, ep, "this scan did not record the certificate's SCTs")
    data = lifecycle()
    required = data.scts_required(leaf.lifetime_days)
    logs = sorted({s.log_id for s in leaf.scts})
    evidence = {"scts": len(leaf.scts), "logs": logs, "required": required}
    if not leaf.scts:
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"The certificate of {asset(ep)} carries no SCT: nothing shows it was published "
            "in a certificate-transparency log, which Chrome and Apple platforms require "
            "(SCTs sent in the handshake or an OCSP answer are not read).",
            **evidence,
        )
    if len(logs) < required:
        return finding(
            check_id,
            Status.WARN,
            ep,
            f"The certificate of {asset(ep)} carries SCTs from {len(logs)} log(s); for its "
            f"lifetime of {leaf.lifetime_days:.0f} days Chrome and Apple ask for {required} "
            f"({data.transparency_source}), unless more arrive in the handshake.",
            **evidence,
        )
    return finding(
        check_id,
        Status.PASS,
        ep,
        f"The certificate of {asset(ep)} carries {len(leaf.scts)} SCTs from {len(logs)} "
        f"different logs (required for its lifetime: {required}).",
        **evidence,
    )
