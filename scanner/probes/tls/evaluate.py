"""Pure verdicts over ``TlsEndpointResult`` observations.

Each check is a small function of one endpoint and the profile's thresholds
that returns one finding. An endpoint that could not be scanned turns every
check that applies to it into "not assessed" with the reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from scanner.checks import lookup
from scanner.model import Finding, Severity, Status
from scanner.observations.tls import CertificateResult, CertInfo, TlsEndpointResult
from scanner.observations.tls_services import HTTP
from scanner.probes.tls import ciphers
from scanner.probes.tls.hostname import matches
from scanner.probes.tls.mozilla_text import change_for
from scanner.scoring.profile import Thresholds

Check = Callable[[TlsEndpointResult, Thresholds], Finding]


def asset(ep: TlsEndpointResult) -> str:
    return ep.asset or f"{ep.host}:{ep.port}"


def finding(
    check_id: str,
    status: Status,
    ep: TlsEndpointResult,
    detail: str,
    **evidence: Any,
) -> Finding:
    return Finding(
        check_id=check_id,
        status=status,
        severity=lookup(check_id).severity,
        asset=asset(ep),
        detail=detail,
        evidence={"address": ep.address, **evidence},
    )


def not_assessed(check_id: str, ep: TlsEndpointResult, reason: str) -> Finding:
    return finding(
        check_id, Status.NOT_ASSESSED, ep, f"Not assessed on {asset(ep)}: {reason}.", reason=reason
    )


# --- protocols and cipher suites --------------------------------------------


def _accepted(ep: TlsEndpointResult, versions: Sequence[str]) -> tuple[list[str], list[str]]:
    """(accepted versions, versions that could not be tested) among ``versions``."""
    accepted, unknown = [], []
    for version in versions:
        result = ep.protocol(version)
        if result is None or result.accepted is None:
            unknown.append(version)
        elif result.accepted:
            accepted.append(version)
    return accepted, unknown


def _protocol_check(check_id: str, versions: Sequence[str], label: str) -> tuple[str, Check]:
    def check(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
        accepted, unknown = _accepted(ep, versions)
        if accepted:
            return finding(
                check_id,
                Status.FAIL,
                ep,
                f"{asset(ep)} accepts {', '.join(accepted)}.",
                accepted=accepted,
            )
        if unknown:
            return not_assessed(check_id, ep, f"could not test {', '.join(unknown)}")
        return finding(check_id, Status.PASS, ep, f"{asset(ep)} refuses {label}.")

    return check_id, check


def no_tls13(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.protocol.no_tls13"
    accepted, unknown = _accepted(ep, ["TLS 1.3"])
    if accepted:
        return finding(check_id, Status.PASS, ep, f"{asset(ep)} offers TLS 1.3.")
    if unknown:
        return not_assessed(check_id, ep, "could not test TLS 1.3")
    return finding(check_id, Status.FAIL, ep, f"{asset(ep)} does not offer TLS 1.3.")


def _untested(ep: TlsEndpointResult) -> list[str]:
    return [p.version for p in ep.protocols if p.accepted is None]


def weak_ciphers(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.cipher.weak"
    weak = sorted(
        {c.name for p in ep.protocols for c in p.ciphers if ciphers.is_weak(c.name, c.anonymous)}
    )
    if weak:
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"{asset(ep)} accepts weak cipher suites: {', '.join(weak)}.",
            ciphers=weak,
        )
    if untested := _untested(ep):
        return not_assessed(check_id, ep, f"could not test {', '.join(untested)}")
    return finding(
        check_id,
        Status.PASS,
        ep,
        f"{asset(ep)} accepts no NULL, export, anonymous, RC4, DES or 3DES suite.",
    )


def cbc_only(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.cipher.cbc_only"
    tls12 = ep.protocol("TLS 1.2")
    if tls12 is None or tls12.accepted is None:
        return not_assessed(check_id, ep, "could not test TLS 1.2")
    if not tls12.accepted:
        return finding(check_id, Status.INFO, ep, f"{asset(ep)} does not offer TLS 1.2.")
    names = [c.name for c in tls12.ciphers]
    if any(ciphers.is_aead(n) for n in names):
        return finding(check_id, Status.PASS, ep, f"{asset(ep)} offers AEAD suites with TLS 1.2.")
    return finding(
        check_id,
        Status.FAIL,
        ep,
        f"With TLS 1.2, {asset(ep)} offers only CBC-mode suites (no GCM or ChaCha20-Poly1305).",
        ciphers=names,
    )


def no_forward_secrecy(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.cipher.no_forward_secrecy"
    static = sorted(
        {c.name for p in ep.protocols for c in p.ciphers if not ciphers.has_forward_secrecy(c.name)}
    )
    if static:
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"{asset(ep)} accepts suites without forward secrecy: {', '.join(static)}.",
            ciphers=static,
        )
    if untested := _untested(ep):
        return not_assessed(check_id, ep, f"could not test {', '.join(untested)}")
    return finding(
        check_id, Status.PASS, ep, f"Every suite {asset(ep)} accepts has forward secrecy."
    )


# Security-relevant size of named curves; X25519/X448 count as their 256/448-bit
# class (nassl reports X25519 keys as 253 bits, which is not a weakness).
_CURVE_BITS = {
    "X25519": 256, "X448": 448, "prime256v1": 256, "secp256r1": 256, "secp384r1": 384,
    "secp521r1": 521, "brainpoolP256r1": 256, "brainpoolP384r1": 384, "brainpoolP512r1": 512,
    "secp160k1": 160, "secp160r1": 160, "secp160r2": 160, "secp192k1": 192, "prime192v1": 192,
    "secp192r1": 192, "secp224k1": 224, "secp224r1": 224, "sect163k1": 163, "sect163r1": 163,
    "sect163r2": 163, "sect193r1": 193, "sect193r2": 193, "sect233k1": 233, "sect233r1": 233,
    "sect239k1": 239, "secp256k1": 256, "sect283k1": 283, "sect283r1": 283,
    "sect409k1": 409, "sect409r1": 409, "sect571k1": 571, "sect571r1": 571,
}  # fmt: skip


def weak_kex(ep: TlsEndpointResult, t: Thresholds) -> Finding:
    check_id = "tls.kex.weak"
    problems = set()
    for p in ep.protocols:
        for c in p.ciphers:
            if c.ephemeral_type == "DH" and c.ephemeral_size and c.ephemeral_size < t.min_dh_bits:
                problems.add(f"{c.name}: {c.ephemeral_size}-bit DH")
            if c.ephemeral_type == "ECDH" and c.ephemeral_size:
                bits = _CURVE_BITS.get(c.curve or "", c.ephemeral_size)
                if bits < t.min_ec_bits:
                    problems.add(f"{c.name}: {bits}-bit curve {c.curve}")
    for curve in ep.supported_curves or ():
        size = _CURVE_BITS.get(curve)
        if size and size < t.min_ec_bits:
            problems.add(f"curve {curve} ({size} bits)")
    if problems:
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"{asset(ep)} negotiates weak key exchange: {'; '.join(sorted(problems))}.",
            weak=sorted(problems),
        )
    if untested := _untested(ep):
        return not_assessed(check_id, ep, f"could not test {', '.join(untested)}")
    if ep.supported_curves is None:
        return not_assessed(check_id, ep, "could not enumerate the supported curves")
    return finding(
        check_id,
        Status.PASS,
        ep,
        f"{asset(ep)} uses DH of at least {t.min_dh_bits} bits and curves of at least {t.min_ec_bits} bits.",
    )


def fallback_scsv(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.fallback_scsv.missing"
    below13 = [p.version for p in ep.protocols if p.accepted and p.version != "TLS 1.3"]
    if ep.fallback_scsv is None:
        return not_assessed(check_id, ep, "the downgrade test did not complete")
    if ep.fallback_scsv:
        return finding(
            check_id,
            Status.PASS,
            ep,
            f"{asset(ep)} refuses protocol downgrades (TLS_FALLBACK_SCSV).",
        )
    if len(below13) < 2:
        return finding(
            check_id,
            Status.INFO,
            ep,
            f"{asset(ep)} offers at most one pre-1.3 version; downgrade protection does not apply.",
        )
    return finding(
        check_id,
        Status.FAIL,
        ep,
        f"{asset(ep)} does not honour TLS_FALLBACK_SCSV, so a downgrade to {below13[0]} can be forced.",
    )


# --- certificate ------------------------------------------------------------


def _cert_check(
    check_id: str, judge: Callable[[TlsEndpointResult, Thresholds], Finding]
) -> tuple[str, Check]:
    """The table entry of a certificate check: not assessed when there is no certificate."""

    def check(ep: TlsEndpointResult, t: Thresholds) -> Finding:
        if ep.certificate is None:
            return not_assessed(check_id, ep, ep.certificate_reason or "no certificate result")
        return judge(ep, t)

    return check_id, check


def _leaf(ep: TlsEndpointResult) -> CertInfo:
    assert ep.certificate is not None
    return ep.certificate.leaf


def _cert_evidence(cert: CertInfo) -> dict[str, object]:
    return {
        "subject": cert.subject,
        "issuer": cert.issuer,
        "not_after": cert.not_after.isoformat(),
        "sha256": cert.sha256,
    }


def _expired(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
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


def _not_yet_valid(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
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


def _expiring_soon(ep: TlsEndpointResult, t: Thresholds) -> Finding:
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


def _hostname(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
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


def _incomplete_chain(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
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


def _untrusted(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
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
        error=cert.trust_error,
        subject=cert.leaf.subject,
    )


def _untrusted_reason(cert: CertificateResult) -> str:
    if len(cert.received_chain) == 1 and cert.leaf.self_issued:
        return "it is self-signed"
    return cert.trust_error or "no path to a trusted root"


def _weak_key(ep: TlsEndpointResult, t: Thresholds) -> Finding:
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


def _sha1(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
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


def _ocsp(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    assert ep.certificate is not None
    if ep.certificate.ocsp_stapled:
        return finding(
            "tls.ocsp_stapling.missing", Status.PASS, ep, f"{asset(ep)} staples an OCSP response."
        )
    return finding(
        "tls.ocsp_stapling.missing",
        Status.FAIL,
        ep,
        f"{asset(ep)} does not staple an OCSP response.",
    )


def _starttls_cert(ep: TlsEndpointResult, t: Thresholds) -> Finding:
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


# --- vulnerabilities, HSTS, Mozilla ----------------------------------------

_VULNS = {
    "heartbleed": ("tls.vuln.heartbleed", "Heartbleed (CVE-2014-0160)"),
    "robot": ("tls.vuln.robot", "ROBOT (RSA padding oracle)"),
    "ccs_injection": ("tls.vuln.ccs_injection", "OpenSSL CCS injection (CVE-2014-0224)"),
    "insecure_renegotiation": (
        "tls.vuln.insecure_renegotiation",
        "insecure renegotiation (CVE-2009-3555)",
    ),
    "compression": ("tls.vuln.compression", "TLS compression (CRIME)"),
}


def _vuln_check(key: str) -> Check:
    check_id, label = _VULNS[key]

    def check(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
        vuln = next((v for v in ep.vulnerabilities if v.name == key), None)
        if vuln is None or vuln.vulnerable is None:
            return not_assessed(check_id, ep, vuln.reason if vuln else "test did not run")
        if vuln.vulnerable:
            return finding(
                check_id,
                Status.FAIL,
                ep,
                f"{asset(ep)} is vulnerable to {label}.",
                result=vuln.detail,
            )
        return finding(
            check_id,
            Status.PASS,
            ep,
            f"{asset(ep)} is not vulnerable to {label}.",
            result=vuln.detail,
        )

    return check


def _hsts_missing(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.hsts.missing"
    if not ep.hsts_assessed:
        return not_assessed(check_id, ep, ep.hsts_reason or "no HTTP response")
    if ep.hsts is None:
        return finding(
            check_id, Status.FAIL, ep, f"{asset(ep)} sends no Strict-Transport-Security header."
        )
    return finding(
        check_id,
        Status.PASS,
        ep,
        f"{asset(ep)} sends Strict-Transport-Security.",
        max_age=ep.hsts.max_age,
    )


def _hsts_weak(ep: TlsEndpointResult, t: Thresholds) -> Finding:
    check_id = "tls.hsts.weak"
    if not ep.hsts_assessed:
        return not_assessed(check_id, ep, ep.hsts_reason or "no HTTP response")
    hsts = ep.hsts
    if hsts is None:
        return finding(
            check_id, Status.INFO, ep, f"{asset(ep)} sends no HSTS header (see tls.hsts.missing)."
        )
    problems = []
    if (hsts.max_age or 0) < t.hsts_min_max_age:
        problems.append(f"max-age {hsts.max_age} is below {t.hsts_min_max_age} seconds")
    if not hsts.include_subdomains:
        problems.append("includeSubDomains is missing")
    evidence = {
        "max_age": hsts.max_age,
        "include_subdomains": hsts.include_subdomains,
        "preload": hsts.preload,
    }
    if problems:
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"The HSTS policy of {asset(ep)} is weak: {'; '.join(problems)}.",
            **evidence,
        )
    return finding(
        check_id, Status.PASS, ep, f"The HSTS policy of {asset(ep)} is strong.", **evidence
    )


def _mozilla_check(level: str) -> Check:
    check_id = f"tls.mozilla.{level}"

    def check(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
        result = next((m for m in ep.mozilla if m.level == level), None)
        if result is None or result.compliant is None:
            return not_assessed(check_id, ep, result.reason if result else "check did not run")
        if result.compliant:
            return finding(
                check_id, Status.PASS, ep, f"{asset(ep)} meets Mozilla's {level} TLS configuration."
            )
        # Say where the endpoint stands, not only where it departs: "meets intermediate;
        # not modern" is a comparison, "does not meet intermediate" a weakness.
        met = [m.level for m in ep.mozilla if m.compliant]
        standing = (
            f"{asset(ep)} meets Mozilla's {' and '.join(met)} configuration; not {level}"
            if met
            else f"{asset(ep)} does not meet Mozilla's {level} TLS configuration"
        )
        changes = [change_for(issue) for issue in result.issues]
        return finding(
            check_id,
            Status.FAIL,
            ep,
            f"{standing}. To meet it: {'; '.join(changes)}.",
            changes=changes,
            meets=met,
        )

    return check


def _starttls_offered(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    return finding("mail.starttls.missing", Status.PASS, ep, f"{asset(ep)} offers STARTTLS.")


COMMON: tuple[tuple[str, Check], ...] = (
    _protocol_check("tls.protocol.sslv2_sslv3", ("SSL 2.0", "SSL 3.0"), "SSL 2.0 and SSL 3.0"),
    _protocol_check("tls.protocol.tls10_tls11", ("TLS 1.0", "TLS 1.1"), "TLS 1.0 and TLS 1.1"),
    ("tls.protocol.no_tls13", no_tls13),
    ("tls.cipher.weak", weak_ciphers),
    ("tls.cipher.cbc_only", cbc_only),
    ("tls.cipher.no_forward_secrecy", no_forward_secrecy),
    ("tls.kex.weak", weak_kex),
    ("tls.fallback_scsv.missing", fallback_scsv),
    _cert_check("tls.cert.expiring_soon", _expiring_soon),
    _cert_check("tls.cert.incomplete_chain", _incomplete_chain),
    _cert_check("tls.cert.weak_key", _weak_key),
    _cert_check("tls.cert.sha1_signature", _sha1),
    _cert_check("tls.ocsp_stapling.missing", _ocsp),
    *((check_id, _vuln_check(key)) for key, (check_id, _) in _VULNS.items()),
    *((f"tls.mozilla.{level}", _mozilla_check(level)) for level in ("modern", "intermediate", "old")),
)  # fmt: skip
# Services whose clients check certificates strictly (browsers, mail and directory
# clients) are judged strictly; for an MX, a bad certificate is one "cert_invalid"
# finding of its own, since opportunistic TLS between servers still encrypts.
CERT_STRICT: tuple[tuple[str, Check], ...] = (
    _cert_check("tls.cert.expired", _expired),
    _cert_check("tls.cert.not_yet_valid", _not_yet_valid),
    _cert_check("tls.cert.hostname_mismatch", _hostname),
    _cert_check("tls.cert.untrusted", _untrusted),
)
HTTPS_ONLY: tuple[tuple[str, Check], ...] = (
    *CERT_STRICT,
    ("tls.hsts.missing", _hsts_missing),
    ("tls.hsts.weak", _hsts_weak),
)
MAIL_ONLY: tuple[tuple[str, Check], ...] = (
    ("mail.starttls.missing", _starttls_offered),
    _cert_check("mail.starttls.cert_invalid", _starttls_cert),
)
ALL_IDS = tuple(check_id for check_id, _ in (*COMMON, *HTTPS_ONLY, *MAIL_ONLY))


def checks_for(ep: TlsEndpointResult) -> tuple[tuple[str, Check], ...]:
    """The checks an endpoint can have: HSTS only on HTTPS, mail.starttls.* on an MX."""
    service = ep.kind_of_service
    if service == "smtp":
        return (*COMMON, *MAIL_ONLY)
    if service in HTTP:
        return (*COMMON, *HTTPS_ONLY)
    return (*COMMON, *CERT_STRICT)


def evaluate_endpoint(ep: TlsEndpointResult, t: Thresholds) -> list[Finding]:
    checks = checks_for(ep)
    if ep.outcome == "limited_after":
        # STARTTLS is decided by the first EHLO, which offered it; the server then
        # refused the connections that would have told the rest. (A submission port
        # has no mail.starttls.* checks: the services probe judges its STARTTLS.)
        offered = [
            finding(c, Status.PASS, ep, f"{asset(ep)} offers STARTTLS (in its first EHLO reply).")
            for c, _ in checks
            if c == "mail.starttls.missing"
        ]
        rest = [not_assessed(c, ep, ep.reason) for c, _ in checks if c != "mail.starttls.missing"]
        return [*offered, *rest]
    if ep.outcome == "no_starttls":
        # Without TLS there is nothing else to judge: the other checks do not apply.
        return [
            finding(
                "mail.starttls.missing",
                Status.FAIL,
                ep,
                f"{asset(ep)} does not offer STARTTLS: mail to it travels in clear text.",
            )
        ]
    if ep.outcome == "unresolved":
        # A host that does not exist is discovery's finding (dns.*.unresolvable);
        # here only the role's own checks say they could not run.
        return [not_assessed(c, ep, ep.reason) for c, _ in checks if c.startswith("mail.")]
    if ep.outcome != "scanned":
        return [not_assessed(c, ep, ep.reason or ep.outcome) for c, _ in checks]
    return [check(ep, t) for _, check in checks]
