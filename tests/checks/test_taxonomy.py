"""The area taxonomy, reviewed once (#26 item 7): every check sits in the area that
names its pitfall, so a reader of "Encryption in transit" finds TLS there and not
browser headers, and "Security contacts" holds ways to report, not version banners."""

from __future__ import annotations

from scanner.checks import PITFALL_SCOPE, PITFALL_TITLES, PITFALLS, catalogue

# Each family of checks and the one area it belongs to (first matching prefix wins).
FAMILIES = (
    ("tls.cert.expired", "hygiene"),
    ("tls.cert.not_yet_valid", "hygiene"),
    ("tls.cert.expiring_soon", "hygiene"),
    ("tls.cert.incomplete_chain", "hygiene"),
    ("tls.cert.sha1_signature", "hygiene"),
    ("tls.cert.lifetime", "hygiene"),  # lifecycle, as expiry: #27 item 2
    ("tls.", "transport"),
    ("web.https_redirect.", "transport"),
    ("web.hsts.", "transport"),  # #27 item 6: forcing HTTPS, as the redirect
    ("web.mixed_content", "transport"),
    ("web.login.", "transport"),
    ("web.security_txt.", "communication"),
    ("web.", "web"),
    ("email.dmarc.no_reporting", "communication"),
    ("email.dmarc.external_rua_unauthorized", "communication"),
    ("email.tlsrpt.", "communication"),
    ("email.bimi.", "communication"),
    ("email.spf.ptr", "hygiene"),
    ("email.dkim.revoked", "hygiene"),
    ("email.", "email"),
    ("mail.", "email"),
    ("service.outdated_version", "hygiene"),
    ("service.known_", "hygiene"),
    ("service.", "exposure"),
    ("dns.discovery.", "exposure"),
    ("dns.mx.unresolvable", "hygiene"),
    ("dns.cname.dangling", "hygiene"),
    ("dns.", "dns"),
)


def area_of(check_id: str) -> str:
    return next(area for prefix, area in FAMILIES if check_id.startswith(prefix))


def test_every_check_sits_in_the_area_its_family_names() -> None:
    misplaced = {
        check.id: (check.pitfall, area_of(check.id))
        for check in catalogue().values()
        if check.pitfall != area_of(check.id)
    }
    assert not misplaced, misplaced


def test_the_areas_the_issue_named_are_where_a_reader_looks() -> None:
    checks = catalogue()
    transport = {c.id for c in checks.values() if c.pitfall == "transport"}
    assert not {c for c in transport if c.startswith("web.header.")}
    assert checks["web.header.version_disclosure"].pitfall != "communication"
    assert checks["tls.protocol.tls10_tls11"].pitfall == "transport"
    communication = {c.id for c in checks.values() if c.pitfall == "communication"}
    assert all(
        any(word in c for word in ("security_txt", "rua", "reporting", "tlsrpt", "bimi"))
        for c in communication
    ), communication


def test_every_area_has_a_title_a_scope_and_checks() -> None:
    used = {c.pitfall for c in catalogue().values()}
    for area in PITFALLS:
        assert PITFALL_TITLES[area] and PITFALL_SCOPE[area].endswith(".")
        assert area in used, f"{area} holds no check"
