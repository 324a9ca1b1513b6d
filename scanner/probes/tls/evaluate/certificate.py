"""The certificate checks of one endpoint (each behind the has_certificate gate):
validity dates, names, chain, trust, key, signatures, OCSP stapling, and the
STARTTLS certificate of an MX judged as senders do."""

from __future__ import annotations

import dataclasses

from scanner.model import Finding, Severity, Status
from scanner.observations.tls import CertificateResult, CertInfo, TlsEndpointResult
from scanner.probes.tls.hostname import matches
from scanner.probes.tls.trust_text import trust_reason

from .view import Thresholds, asset, finding


def _leaf(ep: TlsEndpointResult) -> CertInfo:
    assert ep.certificate is not None  # behind the has_certificate gate
    return ep.certificate.leaf


def _cert_evidence(cert: CertInfo) -> dict[str, object]:
    return {
        "subject": cert.subject,
        "issuer": cert.issuer,
        "not_after": cert.not_after.isoformat(),
        "sha256": cert.sha256,
    }


def expired(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    leaf = _leaf(ep)
    if leaf.not_after < ep.observed_at:
        days = (ep.observed_at - leaf.not_after).days
        return finding(
            "tls.cert.expired",
            Status.FAIL,
            ep,
            f"The certificate of {asset(ep)} expired {days} day(s) ago, on {leaf.not_after:%Y-%m-%d}.",
            **_cert_evidence(leaf),
        )
    return finding(
        "tls.cert.expired",
        Status.PASS,
        ep,
        f"The certificate of {asset(ep)} is valid until {leaf.not_after:%Y-%m-%d}.",
        **_cert_evidence(leaf),
    )


def not_yet_valid(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    leaf = _leaf(ep)
    if leaf.not_before > ep.observed_at:
        return finding(
            "tls.cert.not_yet_valid",
            Status.FAIL,
            ep,
            f"The certificate of {asset(ep)} is not valid before {leaf.not_before:%Y-%m-%d %H:%M} UTC.",
            not_before=leaf.not_before.isoformat(),
            **_cert_evidence(leaf),
        )
    return finding(
        "tls.cert.not_yet_valid",
        Status.PASS,
        ep,
        f"The certificate of {asset(ep)} is already valid.",
        **_cert_evidence(leaf),
    )


def expiring_soon(ep: TlsEndpointResult, t: Thresholds) -> Finding:
    check_id = "tls.cert.expiring_soon"
    leaf = _leaf(ep)
    left = leaf.not_after - ep.observed_at
    days = left.days
    evidence = _cert_evidence(leaf)
    if left.total_seconds() < 0:
        return finding(
            check_id,
            Status.INFO,
            ep,
            f"The certificate of {asset(ep)} has already expired (see tls.cert.expired).",
            **evidence,
        )
    # The band, not the day count, identifies the finding across runs.
    if days < t.cert_expiry_fail_days:
        urgent = finding(
            check_id,
            Status.FAIL,
            ep,
            f"The certificate of {asset(ep)} expires in {days} day(s), on {leaf.not_after:%Y-%m-%d}.",
            band=f"<{t.cert_expiry_fail_days}d",
            days_left=days,
            **evidence,
        )
        return dataclasses.replace(urgent, severity=Severity.HIGH)
    if days < t.cert_expiry_warn_days:
        return finding(
            check_id,
            Status.WARN,
            ep,
            f"The certificate of {asset(ep)} expires in {days} days, on {leaf.not_after:%Y-%m-%d}.",
            band=f"<{t.cert_expiry_warn_days}d",
            days_left=days,
            **evidence,
        )
    return finding(
        check_id,
        Status.PASS,
        ep,
        f"The certificate of {asset(ep)} has {days} days left.",
        days_left=days,
        **evidence,
    )


def hostname(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    leaf = _leaf(ep)
    names = [*leaf.sans, *leaf.ip_sans]
    if matches(ep.host, leaf.sans, leaf.ip_sans):
        return finding(
            "tls.cert.hostname_mismatch",
            Status.PASS,
            ep,
            f"The certificate covers {ep.host}.",
            names=names,
        )
    return finding(
        "tls.cert.hostname_mismatch",
        Status.FAIL,
        ep,
        f"The certificate of {asset(ep)} does not cover {ep.host}; it names {', '.join(names) or 'no host at all'}.",
        names=names,
        subject=leaf.subject,
    )


def _issuer_missing(ep: TlsEndpointResult) -> str | None:
    """The issuer the server should have sent but did not, if the chain is cut short."""
    cert = ep.certificate
    assert cert is not None
    received = {c.sha256 for c in cert.received_chain}
    if cert.trusted:
        # Trusted only thanks to a certificate the server did not send (found in
        # the trust store): clients without it cached fail.
        for c in cert.verified_chain[1:]:
            if c.sha256 not in received and not c.self_issued:
                return c.subject
        return None
    # Without fetching (vetscan sends nothing beyond the handshake) a missing
    # intermediate can only be told apart from an unknown CA in the plain case:
    # a CA-issued leaf sent all alone.
    if len(cert.received_chain) == 1 and not cert.leaf.self_issued:
        return cert.leaf.issuer
    return None


def incomplete_chain(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.cert.incomplete_chain"
    missing = _issuer_missing(ep)
    if missing:
        assert ep.certificate is not None
        fetched = (
            f" Browsers fetch it from {ep.certificate.aia_url} and then trust the chain; "
            "mail servers, API clients and many devices do not, and fail."
            if ep.certificate.aia_completed
            else ""
        )
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"{asset(ep)} does not send the certificate of its issuer {missing}; clients that do not already hold it cannot validate the chain.{fetched}",
            missing_issuer=missing,
            issuer_url=ep.certificate.aia_url or None,
        )
    assert ep.certificate is not None
    if ep.certificate.chain_in_order is False:
        return finding(
            check_id, Status.FAIL, ep, f"{asset(ep)} sends its chain out of order.", order="invalid"
        )
    return finding(check_id, Status.PASS, ep, f"{asset(ep)} sends a complete chain.")


def untrusted(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    cert = ep.certificate
    assert cert is not None
    if cert.trusted:
        return finding(
            "tls.cert.untrusted",
            Status.PASS,
            ep,
            f"The chain of {asset(ep)} validates against the {cert.trust_store} trust store.",
            trust_store=cert.trust_store,
        )
    if cert.aia_completed:
        # What SSL Labs calls "Chain issues: Incomplete": a trusted CA issued it, the
        # server only forgets the intermediate (reported by tls.cert.incomplete_chain).
        return finding(
            "tls.cert.untrusted",
            Status.PASS,
            ep,
            f"The certificate of {asset(ep)} is issued by a CA the {cert.trust_store} trust "
            f"store trusts: it validates once the intermediate the server omits is added "
            f"(fetched from {cert.aia_url}, as browsers do).",
            trust_store=cert.trust_store,
            issuer_url=cert.aia_url,
        )
    return finding(
        "tls.cert.untrusted",
        Status.FAIL,
        ep,
        f"The certificate of {asset(ep)} (CN {cert.leaf.common_name!r}) does not validate "
        f"against the {cert.trust_store} trust store: {_untrusted_reason(cert)}.",
        trust_store=cert.trust_store,
        # The library's own message stays in the observation; readers get the reason.
        reason=_untrusted_reason(cert),
        subject=cert.leaf.subject,
    )


def _untrusted_reason(cert: CertificateResult) -> str:
    if len(cert.received_chain) == 1 and cert.leaf.self_issued:
        return "it is self-signed"
    return trust_reason(cert.trust_error) if cert.trust_error else "no path to a trusted root"


def weak_key(ep: TlsEndpointResult, t: Thresholds) -> Finding:
    leaf = _leaf(ep)
    minimum = {"RSA": t.min_rsa_bits, "DSA": t.min_rsa_bits, "EC": t.min_ec_bits}.get(
        leaf.key_type, 0
    )
    if leaf.key_size < minimum or leaf.key_type == "DSA":
        return finding(
            "tls.cert.weak_key",
            Status.FAIL,
            ep,
            f"The certificate of {asset(ep)} has a {leaf.key_size}-bit {leaf.key_type} key (minimum {minimum}).",
            key_type=leaf.key_type,
            key_size=leaf.key_size,
        )
    return finding(
        "tls.cert.weak_key",
        Status.PASS,
        ep,
        f"The certificate of {asset(ep)} has a {leaf.key_size}-bit {leaf.key_type} key.",
        key_type=leaf.key_type,
        key_size=leaf.key_size,
    )


def sha1(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    cert = ep.certificate
    assert cert is not None
    # The root's own signature does not matter: trust in it comes from the store.
    chain = cert.verified_chain[:-1] if cert.verified_chain else cert.received_chain
    sha1 = [c.subject for c in chain if c.signature_hash in ("sha1", "md5") and not c.self_issued]
    if sha1:
        return finding(
            "tls.cert.sha1_signature",
            Status.FAIL,
            ep,
            f"{asset(ep)} presents certificates signed with SHA-1 or MD5: {'; '.join(sha1)}.",
            certificates=sha1,
        )
    return finding(
        "tls.cert.sha1_signature",
        Status.PASS,
        ep,
        f"No certificate in the chain of {asset(ep)} is signed with SHA-1.",
    )


def ocsp(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    """Stapling is judged only where the certificate names a responder: since
    CA/Browser Forum ballot SC-063 OCSP is optional, and Let's Encrypt's certificates
    carry no OCSP URL since 2025-05 (its responders are off since 2025-08), so there
    is nothing to staple (internet.nl 1.11: "not in cert")."""
    check_id = "tls.ocsp_stapling.missing"
    cert = ep.certificate
    assert cert is not None
    urls = cert.leaf.ocsp_urls
    if cert.ocsp_stapled:
        return finding(check_id, Status.PASS, ep, f"{asset(ep)} staples an OCSP response.")
    if urls is None:
        return finding(
            check_id,
            Status.NOT_ASSESSED,
            ep,
            f"Not assessed: this scan did not record whether the certificate of {asset(ep)} "
            "names an OCSP responder, so whether it should staple is not known.",
            reason="OCSP responder URL not recorded",
        )
    if not urls:
        return finding(
            check_id,
            Status.INFO,
            ep,
            f"Not applicable: the certificate of {asset(ep)} names no OCSP responder "
            "(Let's Encrypt's certificates have named none since 2025), so there is no OCSP "
            "answer to staple.",
            ocsp_urls=[],
        )
    return finding(
        check_id,
        Status.FAIL,
        ep,
        f"{asset(ep)} does not staple an OCSP response, although its certificate names the "
        f"responder {urls[0]}.",
        ocsp_urls=list(urls),
    )


def must_staple(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.ocsp.must_staple_unstapled"
    cert = ep.certificate
    assert cert is not None
    required = cert.leaf.must_staple
    if cert.ocsp_stapled:
        return finding(
            check_id,
            Status.PASS,
            ep,
            f"{asset(ep)} staples an OCSP response"
            + (", as its certificate requires (must-staple)." if required else "."),
        )
    if required is None:
        return finding(
            check_id,
            Status.NOT_ASSESSED,
            ep,
            f"Not assessed: this scan did not record whether the certificate of {asset(ep)} "
            "requires OCSP stapling.",
            reason="TLS Feature extension not recorded",
        )
    if not required:
        return finding(
            check_id,
            Status.INFO,
            ep,
            f"Not applicable: the certificate of {asset(ep)} does not require OCSP stapling "
            "(no must-staple extension).",
        )
    return finding(
        check_id,
        Status.FAIL,
        ep,
        f"The certificate of {asset(ep)} requires OCSP stapling (must-staple, RFC 7633) but "
        "the server staples no OCSP response: browsers that enforce it refuse to connect.",
    )


def starttls_cert(ep: TlsEndpointResult, t: Thresholds) -> Finding:
    check_id = "mail.starttls.cert_invalid"
    cert = ep.certificate
    assert cert is not None
    leaf = cert.leaf
    problems = []
    if not cert.trusted:
        problems.append(f"untrusted ({_untrusted_reason(cert)})")
    if leaf.not_after < ep.observed_at:
        problems.append(f"expired on {leaf.not_after:%Y-%m-%d}")
    if leaf.not_before > ep.observed_at:
        problems.append(f"not valid before {leaf.not_before:%Y-%m-%d}")
    if not matches(ep.host, leaf.sans, leaf.ip_sans):
        problems.append(f"does not cover {ep.host}")
    if problems:
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"The STARTTLS certificate of {asset(ep)} is {'; '.join(problems)}. Opportunistic senders still deliver, but MTA-STS and DANE senders will not.",
            problems=problems,
            subject=leaf.subject,
        )
    return finding(
        check_id,
        Status.PASS,
        ep,
        f"The STARTTLS certificate of {asset(ep)} is valid for {ep.host}.",
    )
