"""TLS on every service the lab's providers expose, from the shared session scans:
implicit TLS (IMAPS, POP3S, 8443), STARTTLS (submission, IMAP), legacy protocols on a
real tlslite-ng handshake, and mail servers that limit or greylist their clients."""

from __future__ import annotations

import pytest

from scanner.model import Finding, ScanResult, Status
from scanner.observations.tls import TlsEndpointResult

pytestmark = pytest.mark.lab


def _endpoints(scan: ScanResult) -> dict[tuple[str, int, str], TlsEndpointResult]:
    tls = scan.probe("tls")
    assert tls is not None
    return {(e.host, e.port, e.address): e for e in tls.observations_of(TlsEndpointResult)}


def _verdicts(scan: ScanResult) -> dict[tuple[str, str], Finding]:
    return {(f.check_id, f.asset): f for f in scan.findings}


@pytest.mark.parametrize(
    ("provider", "host", "port", "address", "service"),
    [
        ("exemplary", "mx1.exemplary.test", 587, "127.0.10.11", "submission"),
        ("exemplary", "mx1.exemplary.test", 143, "127.0.10.11", "imap"),
        ("exemplary", "mx1.exemplary.test", 993, "127.0.10.11", "imaps"),
        ("exemplary", "mx1.exemplary.test", 995, "127.0.10.11", "pop3s"),
        ("exemplary", "mx1.exemplary.test", 465, "127.0.10.11", "submissions"),
        ("legacy", "mail.legacy.test", 587, "127.0.10.21", "submission"),
        ("legacy", "mail.legacy.test", 993, "127.0.10.21", "imaps"),
        ("sprawl", "webmail.sprawl.test", 8443, "127.0.10.85", "https"),
    ],
)
def test_every_lab_tls_port_is_assessed(
    default_scans: dict[str, ScanResult],
    provider: str,
    host: str,
    port: int,
    address: str,
    service: str,
) -> None:
    endpoint = _endpoints(default_scans[provider])[(host, port, address)]
    assert endpoint.outcome == "scanned", endpoint.reason
    assert endpoint.service == service
    assert endpoint.certificate is not None and endpoint.certificate.trusted


def test_ports_without_tls_get_no_tls_endpoint(default_scans: dict[str, ScanResult]) -> None:
    # legacy's IMAP and POP3 offer no STARTTLS: the services checks report them, and
    # the TLS probe does not pretend they have an endpoint to judge.
    ports = {(h, p) for h, p, _ in _endpoints(default_scans["legacy"])}
    assert ("mail.legacy.test", 143) not in ports and ("mail.legacy.test", 110) not in ports
    services = _verdicts(default_scans["legacy"])
    assert services[("service.cleartext_mail_access", "127.0.10.21:143")].status is Status.FAIL


def test_ssl3_rc4_and_3des_fail_on_a_real_handshake(default_scans: dict[str, ScanResult]) -> None:
    """legacy.test's IMAPS is served by tlslite-ng with SSL 3.0, RC4 and 3DES."""
    scan = default_scans["legacy"]
    endpoint = _endpoints(scan)[("mail.legacy.test", 993, "127.0.10.21")]
    ssl3 = endpoint.protocol("SSL 3.0")
    assert ssl3 is not None and ssl3.accepted
    names = {c.name for c in ssl3.ciphers}
    assert {"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"} <= names
    verdicts = _verdicts(scan)
    protocol = verdicts[("tls.protocol.sslv2_sslv3", "mail.legacy.test:993")]
    assert protocol.status is Status.FAIL and "SSL 3.0" in protocol.detail
    weak = verdicts[("tls.cipher.weak", "mail.legacy.test:993")]
    assert weak.status is Status.FAIL
    assert "RC4" in weak.detail and "3DES" in weak.detail
    # The caps these checks carry: SSL 3.0 would hold legacy.test at F (its many
    # failures already leave a score in F, so the cap is listed, not applying).
    card = scan.scores
    assert card.grade == "F"
    assert any(c.check == "tls.protocol.sslv2_sslv3" and c.cap == "F" for c in card.caps)


def test_https_checks_stay_on_https_and_mx_checks_on_the_mx(
    default_scans: dict[str, ScanResult],
) -> None:
    checks_at: dict[str, set[str]] = {}
    for f in default_scans["exemplary"].findings:
        checks_at.setdefault(f.asset, set()).add(f.check_id)
    imaps = checks_at["mx1.exemplary.test:993 [127.0.10.11]"]
    submission = checks_at["mx1.exemplary.test:587 [127.0.10.11]"]
    mx = checks_at["mx1.exemplary.test:25 [127.0.10.11]"]
    for endpoint in (imaps, submission):
        assert not {c for c in endpoint if c.startswith(("tls.hsts.", "mail.starttls."))}
        # Mail clients check certificates as browsers do.
        assert {"tls.cert.untrusted", "tls.cert.hostname_mismatch", "tls.cert.expired"} <= endpoint
    assert {"mail.starttls.missing", "mail.starttls.cert_invalid"} <= mx
    assert not {c for c in mx if c.startswith("tls.hsts.")}
    hsts = _verdicts(default_scans["sprawl"])[("tls.hsts.missing", "webmail.sprawl.test:8443")]
    assert hsts.status is Status.PASS  # 8443 is HTTPS: HSTS is judged there


def test_a_rate_limiting_mx_is_not_assessed_never_missing_starttls(
    default_scans: dict[str, ScanResult],
) -> None:
    """mx1.guarded.test takes two connections a minute, then answers 421."""
    verdicts = _verdicts(default_scans["guarded"])
    starttls = verdicts[("mail.starttls.missing", "mx1.guarded.test:25")]
    # Not assessed when even the first EHLO was refused; a pass when that EHLO offered
    # STARTTLS before the limit struck. Never a failure.
    assert starttls.status in (Status.NOT_ASSESSED, Status.PASS), starttls.detail
    rest = [
        f
        for (check, asset), f in verdicts.items()
        if asset == "mx1.guarded.test:25" and check != "mail.starttls.missing"
    ]
    assert rest and {f.status for f in rest} == {Status.NOT_ASSESSED}
    assert all("the server limited our connections (421" in f.detail for f in rest)


def test_a_greylisting_mx_is_assessed(default_scans: dict[str, ScanResult]) -> None:
    endpoint = _endpoints(default_scans["guarded"])[("mx2.guarded.test", 25, "127.0.10.96")]
    assert endpoint.outcome == "scanned", endpoint.reason
    starttls = _verdicts(default_scans["guarded"])[("mail.starttls.missing", "mx2.guarded.test:25")]
    assert starttls.status is Status.PASS


def test_a_server_on_openssl_35_takes_the_post_quantum_key_exchange(
    default_scans: dict[str, ScanResult],
) -> None:
    # exemplary's submission port over implicit TLS runs on OpenSSL 3.5 (pyOpenSSL);
    # its other TLS services run on Debian's OpenSSL 3.0, which knows no ML-KEM.
    verdicts = _verdicts(default_scans["exemplary"])
    modern = verdicts[("tls.kex.post_quantum", "mx1.exemplary.test:465 [127.0.10.11]")]
    assert modern.status is Status.PASS, modern.detail
    assert modern.evidence["group"] == "X25519MLKEM768"
    nginx = verdicts[("tls.kex.post_quantum", "mta-sts.exemplary.test:443")]
    assert nginx.status is Status.WARN
    assert "it refused them (TLS alert handshake_failure)" in nginx.detail
    # STARTTLS services are taken through their dialogue first; the listener then
    # hangs up on the ClientHello (asyncio sends no alert): still no hybrid group.
    for port in (25, 143, 587):
        asset = f"mx1.exemplary.test:{port} [127.0.10.11]"
        found = verdicts[("tls.kex.post_quantum", asset)]
        assert found.status is Status.WARN, (asset, found.detail)
        assert "it closed the connection without an answer" in found.detail
    # Without TLS 1.3 there is nothing to test: not applicable, never a warning.
    legacy = _verdicts(default_scans["legacy"])[("tls.kex.post_quantum", "legacy.test:443")]
    assert legacy.status is Status.INFO and legacy.detail.startswith("Not applicable")


@pytest.mark.parametrize(
    ("provider", "check", "asset", "expected"),
    [
        # tlslite-ng's SSL 3.0 listener has no extended master secret.
        ("legacy", "tls.ems.missing", "mail.legacy.test:993", Status.FAIL),
        # Python's OpenSSL no longer has the suites it serves: the order is not assessed.
        ("legacy", "tls.cipher.order", "mail.legacy.test:993", Status.NOT_ASSESSED),
        # The admin console on OpenSSL 3.5 set up without care.
        ("legacy", "tls.renegotiation.client_initiated", "mail.legacy.test:8443", Status.FAIL),
        ("legacy", "tls.cipher.order", "mail.legacy.test:8443", Status.FAIL),
        ("legacy", "tls.ems.missing", "mail.legacy.test:8443", Status.PASS),
        ("sprawl", "tls.early_data.accepted", "sprawl.test:443", Status.FAIL),
        ("sprawl", "tls.early_data.accepted", "blog.sprawl.test:443", Status.PASS),
        ("sprawl", "tls.cipher.order", "vpn.sprawl.test:443", Status.FAIL),
        ("wild", "tls.cipher.order", "portal.wild.test:443", Status.PASS),
        (
            "exemplary",
            "tls.renegotiation.client_initiated",
            "mx1.exemplary.test:465 [127.0.10.11]",
            Status.PASS,
        ),
    ],
)
def test_handshake_details_pass_and_fail_on_their_lab_cases(
    default_scans: dict[str, ScanResult], provider: str, check: str, asset: str, expected: Status
) -> None:
    found = _verdicts(default_scans[provider])[(check, asset)]
    assert found.status is expected, found.detail


def test_alpn_and_groups_are_recorded_for_the_report(default_scans: dict[str, ScanResult]) -> None:
    endpoints = _endpoints(default_scans["exemplary"])
    web = endpoints[("mta-sts.exemplary.test", 443, "127.0.10.10")]
    assert web.alpn is not None and web.alpn.chosen in ("h2", "http/1.1"), web.alpn
    mail = endpoints[("mx1.exemplary.test", 993, "127.0.10.11")]
    assert mail.alpn is None  # asked of HTTPS only
    assert any(c.curve for p in web.protocols for c in p.ciphers)
