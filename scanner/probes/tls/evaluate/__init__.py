"""Pure verdicts over ``TlsEndpointResult`` observations: a table of check functions,
one per check ID, each behind the gates it needs (scanner.probes.table). Which rows an
endpoint has follows its service (HSTS only on HTTPS, mail.starttls.* on an MX) and
what the scan could do there: an endpoint that could not be scanned turns every row
into "not assessed" with the reason, through the ``scanned`` gate."""

from __future__ import annotations

from scanner.model import Finding, Status
from scanner.observations.tls import TlsEndpointResult
from scanner.observations.tls_services import HTTP
from scanner.probes.table import Gate, GatedCheck, run

from . import certificate as cert
from . import details, lifecycle, service
from . import protocols as proto
from .post_quantum import post_quantum
from .view import (
    Check,
    Endpoint,
    Thresholds,
    asset,
    finding,
    has_certificate,
    hsts_answered,
    mozilla_ran,
    scanned,
    vuln_ran,
)

__all__ = ["ALL_IDS", "Thresholds", "checks_for", "evaluate_endpoint"]


def row(check_id: str, judge: Check, *gates: Gate[Endpoint]) -> GatedCheck[Endpoint]:
    """A row of the table: ``judge`` behind ``scanned`` and the row's own gates."""
    return GatedCheck(check_id, (scanned, *gates), lambda s: judge(s.ep, s.thresholds))


def _cert(check_id: str, judge: Check) -> GatedCheck[Endpoint]:
    return row(check_id, judge, has_certificate)


COMMON: tuple[GatedCheck[Endpoint], ...] = (
    row("tls.protocol.sslv2_sslv3", proto.protocol_check("tls.protocol.sslv2_sslv3", ("SSL 2.0", "SSL 3.0"), "SSL 2.0 and SSL 3.0")),
    row("tls.protocol.tls10_tls11", proto.protocol_check("tls.protocol.tls10_tls11", ("TLS 1.0", "TLS 1.1"), "TLS 1.0 and TLS 1.1")),
    row("tls.protocol.no_tls13", proto.no_tls13),
    row("tls.cipher.weak", proto.weak_ciphers),
    row("tls.cipher.cbc_only", proto.cbc_only),
    row("tls.cipher.no_forward_secrecy", proto.no_forward_secrecy),
    row("tls.kex.weak", proto.weak_kex),
    row("tls.kex.post_quantum", post_quantum),
    row("tls.ems.missing", details.extended_master_secret),
    row("tls.early_data.accepted", details.early_data),
    row("tls.renegotiation.client_initiated", details.client_renegotiation),
    row("tls.cipher.order", details.cipher_order),
    row("tls.fallback_scsv.missing", proto.fallback_scsv),
    _cert("tls.cert.expiring_soon", cert.expiring_soon),
    _cert("tls.cert.incomplete_chain", cert.incomplete_chain),
    _cert("tls.cert.weak_key", cert.weak_key),
    _cert("tls.cert.sha1_signature", cert.sha1),
    _cert("tls.ocsp_stapling.missing", cert.ocsp),
    _cert("tls.ocsp.must_staple_unstapled", cert.must_staple),
    *(row(check_id, service.vuln_check(key), vuln_ran(key)) for key, (check_id, _) in service.VULNS.items()),
    *(row(f"tls.mozilla.{level}", service.mozilla_check(level), mozilla_ran(level)) for level in ("modern", "intermediate", "old")),
)  # fmt: skip
# Services whose clients check certificates strictly (browsers, mail and directory
# clients) are judged strictly; for an MX, a bad certificate is one "cert_invalid"
# finding of its own, since opportunistic TLS between servers still encrypts.
CERT_STRICT: tuple[GatedCheck[Endpoint], ...] = (
    _cert("tls.cert.expired", cert.expired),
    _cert("tls.cert.not_yet_valid", cert.not_yet_valid),
    _cert("tls.cert.hostname_mismatch", cert.hostname),
    _cert("tls.cert.untrusted", cert.untrusted),
    _cert("tls.cert.lifetime", lifecycle.lifetime),
    _cert("tls.cert.transparency", lifecycle.transparency),
)
HTTPS_ONLY: tuple[GatedCheck[Endpoint], ...] = (
    *CERT_STRICT,
    row("tls.hsts.missing", service.hsts_missing, hsts_answered),
    row("tls.hsts.weak", service.hsts_weak, hsts_answered),
)
MAIL_ONLY: tuple[GatedCheck[Endpoint], ...] = (
    row("mail.starttls.missing", service.starttls_offered),
    _cert("mail.starttls.cert_invalid", cert.starttls_cert),
)
ALL_IDS = tuple(c.check_id for c in (*COMMON, *HTTPS_ONLY, *MAIL_ONLY))


def _offered_first(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    return finding(
        "mail.starttls.missing",
        Status.PASS,
        ep,
        f"{asset(ep)} offers STARTTLS (in its first EHLO reply).",
    )


def _no_starttls(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    return finding(
        "mail.starttls.missing",
        Status.FAIL,
        ep,
        f"{asset(ep)} does not offer STARTTLS: mail to it travels in clear text.",
    )


# STARTTLS judged from the first EHLO, whatever the scan could do after it.
OFFERED_FIRST: GatedCheck[Endpoint] = GatedCheck(
    "mail.starttls.missing", (), lambda s: _offered_first(s.ep, s.thresholds)
)
NO_STARTTLS: GatedCheck[Endpoint] = GatedCheck(
    "mail.starttls.missing", (), lambda s: _no_starttls(s.ep, s.thresholds)
)


def checks_for(ep: TlsEndpointResult) -> tuple[GatedCheck[Endpoint], ...]:
    """The checks an endpoint can have: HSTS only on HTTPS, mail.starttls.* on an MX."""
    kind = ep.kind_of_service
    if kind == "smtp":
        return (*COMMON, *MAIL_ONLY)
    if kind in HTTP:
        return (*COMMON, *HTTPS_ONLY)
    return (*COMMON, *CERT_STRICT)


def table_for(ep: TlsEndpointResult) -> tuple[GatedCheck[Endpoint], ...]:
    """The rows judged on this endpoint, given what the scan could do there."""
    checks = checks_for(ep)
    if ep.outcome == "limited_after":
        # STARTTLS is decided by the first EHLO, which offered it; the server then
        # refused the connections that would have told the rest. (A submission port
        # has no mail.starttls.* checks: the services probe judges its STARTTLS.)
        offers = any(c.check_id == "mail.starttls.missing" for c in checks)
        rest = tuple(c for c in checks if c.check_id != "mail.starttls.missing")
        return (OFFERED_FIRST, *rest) if offers else rest
    if ep.outcome == "no_starttls":
        # Without TLS there is nothing else to judge: the other checks do not apply.
        return (NO_STARTTLS,)
    if ep.outcome == "unresolved":
        # A host that does not exist is discovery's finding (dns.*.unresolvable);
        # here only the role's own checks say they could not run.
        return tuple(c for c in checks if c.check_id.startswith("mail."))
    return checks


def evaluate_endpoint(ep: TlsEndpointResult, t: Thresholds) -> list[Finding]:
    return run(asset(ep), Endpoint(ep, t), table_for(ep))
