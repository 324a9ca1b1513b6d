"""The protocol and cipher-suite checks of one endpoint: which versions it accepts,
its suites (weak, CBC only, without forward secrecy), key exchange and downgrade
protection."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.model import Finding, Status
from scanner.observations.tls import TlsEndpointResult
from scanner.probes.tls import ciphers

from .view import Check, Thresholds, asset, finding, not_assessed


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


def protocol_check(check_id: str, versions: Sequence[str], label: str) -> Check:
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

    return check


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
