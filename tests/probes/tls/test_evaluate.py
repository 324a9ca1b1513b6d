"""TLS verdicts on hand-built observations: every check's pass and fail, including the
cases the lab cannot serve (SSL 2/3, RC4, 3DES, Heartbleed, ROBOT, CCS injection,
insecure renegotiation, compression), since Debian 12's OpenSSL has none of them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from scanner.model import Finding, Severity, Status
from scanner.observations.tls import (
    PROTOCOLS,
    CertificateResult,
    CertInfo,
    CipherInfo,
    Hsts,
    HybridKeyExchange,
    MozillaCompliance,
    ProtocolResult,
    Sct,
    TlsEndpointResult,
    Vulnerability,
)
from scanner.probes.tls.evaluate import ALL_IDS, Thresholds, evaluate_endpoint

OFFERED = ("X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024")

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
T = Thresholds()

GOOD_SUITE = CipherInfo(
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 128, False, "ECDH", 253, "X25519"
)
TLS13_SUITE = CipherInfo("TLS_AES_128_GCM_SHA256", 128, False, "ECDH", 253, "X25519")


def cert(**changes: object) -> CertInfo:
    base = CertInfo(
        subject="CN=www.example.com",
        common_name="www.example.com",
        sans=("www.example.com", "example.com"),
        ip_sans=(),
        issuer="CN=Issuing CA",
        serial="1f",
        not_before=NOW - timedelta(days=10),
        not_after=NOW + timedelta(days=80),
        key_type="EC",
        key_size=256,
        signature_hash="sha256",
        sha256="aa" * 32,
        self_issued=False,
        # Logged in two CT logs, as public CAs' certificates are.
        scts=(Sct("a" * 43 + "=", NOW - timedelta(days=10)), Sct("b" * 43 + "=", NOW)),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


ISSUER = cert(
    subject="CN=Issuing CA", common_name="Issuing CA", issuer="CN=Root", sans=(), sha256="bb" * 32
)
ROOT = cert(
    subject="CN=Root", common_name="Root", issuer="CN=Root", self_issued=True, sha256="cc" * 32
)


def chain(leaf: CertInfo | None = None, **changes: object) -> CertificateResult:
    leaf = leaf or cert()
    base = CertificateResult(
        received_chain=(leaf, ISSUER),
        verified_chain=(leaf, ISSUER, ROOT),
        trusted=True,
        trust_store="Mozilla",
        trust_error="",
        ocsp_stapled=True,
        chain_in_order=True,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def protocols(**accepted: tuple[CipherInfo, ...] | None) -> tuple[ProtocolResult, ...]:
    """Default: TLS 1.2 with an AEAD suite and TLS 1.3; others refused."""
    table: dict[str, tuple[CipherInfo, ...] | None] = {
        "TLS 1.2": (GOOD_SUITE,),
        "TLS 1.3": (TLS13_SUITE,),
    }
    names = {
        "SSLv2": "SSL 2.0", "SSLv3": "SSL 3.0", "TLS_1_0": "TLS 1.0",
        "TLS_1_1": "TLS 1.1", "TLS_1_2": "TLS 1.2", "TLS_1_3": "TLS 1.3",
    }  # fmt: skip
    table.update({names[k]: v for k, v in accepted.items()})
    results = []
    for version in PROTOCOLS:
        suites = table.get(version, ())
        if suites is None:
            results.append(ProtocolResult(version, None, reason="CONNECTIVITY_ISSUE"))
        else:
            results.append(ProtocolResult(version, bool(suites), suites))
    return tuple(results)


def endpoint(**changes: object) -> TlsEndpointResult:
    base = TlsEndpointResult(
        host="www.example.com",
        port=443,
        address="192.0.2.10",
        role="web",
        starttls=False,
        observed_at=NOW,
        outcome="scanned",
        protocols=protocols(),
        supported_curves=("X25519", "secp256r1"),
        certificate=chain(),
        hsts=Hsts(31536000, True, False),
        hsts_assessed=True,
        fallback_scsv=True,
        vulnerabilities=tuple(
            Vulnerability(n, False)
            for n in (
                "heartbleed",
                "ccs_injection",
                "compression",
                "insecure_renegotiation",
                "robot",
            )
        ),
        mozilla=tuple(
            MozillaCompliance(level, True) for level in ("modern", "intermediate", "old")
        ),
        hybrid_kex=HybridKeyExchange("selected", OFFERED, group="X25519MLKEM768"),
        ems=True,
        early_data=False,
        client_renegotiation=False,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def verdicts(ep: TlsEndpointResult) -> dict[str, Finding]:
    findings = evaluate_endpoint(ep, T)
    by_id = {f.check_id: f for f in findings}
    assert len(by_id) == len(findings), "one finding per check and endpoint"
    return by_id


def status(ep: TlsEndpointResult, check_id: str) -> Status:
    return verdicts(ep)[check_id].status


def test_a_good_endpoint_passes_every_check() -> None:
    found = verdicts(endpoint())
    assert set(found) == {c for c in ALL_IDS if not c.startswith("mail.")}
    # Its only TLS 1.2 suite is AEAD with forward secrecy: no order to enforce.
    assert {c: f.status for c, f in found.items() if f.status is not Status.PASS} == {
        "tls.cipher.order": Status.INFO
    }


@pytest.mark.parametrize(
    ("check_id", "change"),
    [
        ("tls.protocol.sslv2_sslv3", {"protocols": protocols(SSLv3=(GOOD_SUITE,))}),
        ("tls.protocol.sslv2_sslv3", {"protocols": protocols(SSLv2=(GOOD_SUITE,))}),
        ("tls.protocol.tls10_tls11", {"protocols": protocols(TLS_1_0=(GOOD_SUITE,))}),
        ("tls.protocol.no_tls13", {"protocols": protocols(TLS_1_3=())}),
        (
            "tls.cipher.weak",
            {
                "protocols": protocols(
                    TLS_1_2=(CipherInfo("TLS_RSA_WITH_3DES_EDE_CBC_SHA", 168, False),)
                )
            },
        ),
        (
            "tls.cipher.weak",
            {
                "protocols": protocols(
                    TLS_1_2=(
                        CipherInfo(
                            "TLS_ECDHE_RSA_WITH_RC4_128_SHA", 128, False, "ECDH", 256, "secp256r1"
                        ),
                    )
                )
            },
        ),
        (
            "tls.cipher.weak",
            {
                "protocols": protocols(
                    TLS_1_2=(CipherInfo("TLS_ECDH_anon_WITH_AES_128_CBC_SHA", 128, True),)
                )
            },
        ),
        (
            "tls.cipher.cbc_only",
            {
                "protocols": protocols(
                    TLS_1_2=(
                        CipherInfo(
                            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                            128,
                            False,
                            "ECDH",
                            256,
                            "secp256r1",
                        ),
                    )
                )
            },
        ),
        (
            "tls.cipher.no_forward_secrecy",
            {
                "protocols": protocols(
                    TLS_1_2=(GOOD_SUITE, CipherInfo("TLS_RSA_WITH_AES_128_GCM_SHA256", 128, False))
                )
            },
        ),
        (
            "tls.kex.weak",
            {
                "protocols": protocols(
                    TLS_1_2=(
                        CipherInfo("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 128, False, "DH", 1024),
                    )
                )
            },
        ),
        ("tls.kex.weak", {"supported_curves": ("X25519", "secp192r1")}),
        (
            "tls.fallback_scsv.missing",
            {"fallback_scsv": False, "protocols": protocols(TLS_1_1=(GOOD_SUITE,))},
        ),
        ("tls.cert.expired", {"certificate": chain(cert(not_after=NOW - timedelta(days=1)))}),
        (
            "tls.cert.not_yet_valid",
            {"certificate": chain(cert(not_before=NOW + timedelta(days=1)))},
        ),
        ("tls.cert.expiring_soon", {"certificate": chain(cert(not_after=NOW + timedelta(days=5)))}),
        ("tls.cert.hostname_mismatch", {"certificate": chain(cert(sans=("other.example.com",)))}),
        (
            "tls.cert.untrusted",
            {"certificate": chain(trusted=False, verified_chain=(), trust_error="unknown CA")},
        ),
        (
            "tls.cert.incomplete_chain",
            {"certificate": chain(received_chain=(cert(),), trusted=False, verified_chain=())},
        ),
        ("tls.cert.incomplete_chain", {"certificate": chain(received_chain=(cert(),))}),
        ("tls.cert.incomplete_chain", {"certificate": chain(chain_in_order=False)}),
        ("tls.cert.weak_key", {"certificate": chain(cert(key_type="RSA", key_size=1024))}),
        ("tls.cert.weak_key", {"certificate": chain(cert(key_type="EC", key_size=224))}),
        ("tls.cert.sha1_signature", {"certificate": chain(cert(signature_hash="sha1"))}),
        (
            "tls.ocsp_stapling.missing",
            {
                "certificate": chain(
                    cert(ocsp_urls=("http://ocsp.example.test/",)), ocsp_stapled=False
                )
            },
        ),
        (
            "tls.ocsp.must_staple_unstapled",
            {
                "certificate": chain(
                    cert(ocsp_urls=("http://ocsp.example.test/",), must_staple=True),
                    ocsp_stapled=False,
                )
            },
        ),
        ("tls.hsts.missing", {"hsts": None}),
        ("tls.hsts.weak", {"hsts": Hsts(86400, True, False)}),
        ("tls.hsts.weak", {"hsts": Hsts(31536000, False, False)}),
        (
            "tls.mozilla.intermediate",
            {"mozilla": (MozillaCompliance("intermediate", False, ("ciphers: x",)),)},
        ),
    ],
)
def test_each_check_fails_on_its_fault(check_id: str, change: dict[str, object]) -> None:
    assert status(endpoint(**change), check_id) is Status.FAIL


@pytest.mark.parametrize(
    "name", ["heartbleed", "ccs_injection", "compression", "insecure_renegotiation", "robot"]
)
def test_vulnerabilities_fail_as_critical_and_unknown_is_not_a_pass(name: str) -> None:
    check_id = {"ccs_injection": "tls.vuln.ccs_injection"}.get(name, f"tls.vuln.{name}")
    vulnerable = endpoint(
        vulnerabilities=(Vulnerability(name, True, detail="VULNERABLE_STRONG_ORACLE"),)
    )
    finding = verdicts(vulnerable)[check_id]
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.CRITICAL)
    unknown = endpoint(vulnerabilities=(Vulnerability(name, None, reason="inconsistent results"),))
    assert status(unknown, check_id) is Status.NOT_ASSESSED


def test_expiry_bands_warn_then_fail_high() -> None:
    warn = verdicts(endpoint(certificate=chain(cert(not_after=NOW + timedelta(days=20)))))
    fail = verdicts(endpoint(certificate=chain(cert(not_after=NOW + timedelta(days=10)))))
    assert warn["tls.cert.expiring_soon"].status is Status.WARN
    assert (fail["tls.cert.expiring_soon"].status, fail["tls.cert.expiring_soon"].severity) == (
        Status.FAIL,
        Severity.HIGH,
    )
    # The band, not the day count, is the stable part of the evidence.
    assert warn["tls.cert.expiring_soon"].evidence["band"] == "<30d"


def test_untested_protocols_make_protocol_checks_not_assessed() -> None:
    ep = endpoint(protocols=protocols(SSLv3=None))
    assert status(ep, "tls.protocol.sslv2_sslv3") is Status.NOT_ASSESSED
    assert status(ep, "tls.cipher.weak") is Status.NOT_ASSESSED


def test_an_accepted_bad_version_fails_even_if_another_was_untested() -> None:
    ep = endpoint(protocols=protocols(SSLv2=None, SSLv3=(GOOD_SUITE,)))
    assert status(ep, "tls.protocol.sslv2_sslv3") is Status.FAIL


@pytest.mark.parametrize("outcome", ["timeout", "reset", "not_tls", "error", "refused_by_policy"])
def test_an_unscanned_endpoint_is_not_assessed_everywhere_with_the_reason(outcome: str) -> None:
    ep = endpoint(outcome=outcome, reason="the reason", protocols=(), certificate=None)
    found = verdicts(ep)
    assert {f.status for f in found.values()} == {Status.NOT_ASSESSED}
    assert all("the reason" in f.detail for f in found.values())


def mail(**changes: object) -> TlsEndpointResult:
    defaults: dict[str, object] = {
        "host": "mx.example.com",
        "port": 25,
        "role": "mail",
        "starttls": True,
        "hsts": None,
        "hsts_assessed": False,
        "certificate": chain(cert(sans=("mx.example.com",))),
    }
    return endpoint(**{**defaults, **changes})


def test_mail_endpoints_get_starttls_checks_instead_of_https_ones() -> None:
    found = verdicts(mail())
    assert found["mail.starttls.missing"].status is Status.PASS
    assert found["mail.starttls.cert_invalid"].status is Status.PASS
    assert "tls.hsts.missing" not in found and "tls.cert.untrusted" not in found


def test_mail_without_starttls_fails_once() -> None:
    findings = evaluate_endpoint(mail(outcome="no_starttls", protocols=(), certificate=None), T)
    assert [(f.check_id, f.status) for f in findings] == [("mail.starttls.missing", Status.FAIL)]


def test_a_bad_mx_certificate_is_one_medium_finding() -> None:
    bad = mail(
        certificate=chain(cert(sans=("other.example.com",)), trusted=False, verified_chain=())
    )
    finding = verdicts(bad)["mail.starttls.cert_invalid"]
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.MEDIUM)
    assert "does not cover mx.example.com" in finding.detail


def test_an_unresolved_mx_reports_only_its_mail_checks() -> None:
    findings = evaluate_endpoint(
        mail(outcome="unresolved", reason="no address", protocols=(), certificate=None), T
    )
    assert {f.check_id for f in findings} == {"mail.starttls.missing", "mail.starttls.cert_invalid"}
    assert {f.status for f in findings} == {Status.NOT_ASSESSED}


def test_x25519_is_not_a_weak_curve_despite_its_253_bit_size() -> None:
    assert status(endpoint(), "tls.kex.weak") is Status.PASS
