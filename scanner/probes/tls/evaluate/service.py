"""The checks on what an endpoint answers beyond its handshake settings: known
vulnerabilities, HSTS, Mozilla's configurations, STARTTLS offered."""

from __future__ import annotations

from scanner.model import Finding, Status
from scanner.observations.tls import TlsEndpointResult
from scanner.probes.tls.mozilla_text import change_for

from .view import Check, Thresholds, asset, finding

VULNS = {
    "heartbleed": ("tls.vuln.heartbleed", "Heartbleed (CVE-2014-0160)"),
    "robot": ("tls.vuln.robot", "ROBOT (RSA padding oracle)"),
    "ccs_injection": ("tls.vuln.ccs_injection", "OpenSSL CCS injection (CVE-2014-0224)"),
    "insecure_renegotiation": (
        "tls.vuln.insecure_renegotiation",
        "insecure renegotiation (CVE-2009-3555)",
    ),
    "compression": ("tls.vuln.compression", "TLS compression (CRIME)"),
}


def vuln_check(key: str) -> Check:
    check_id, label = VULNS[key]

    def check(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
        vuln = next(v for v in ep.vulnerabilities if v.name == key)  # behind vuln_ran
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


def hsts_missing(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    check_id = "tls.hsts.missing"
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


def hsts_weak(ep: TlsEndpointResult, t: Thresholds) -> Finding:
    check_id = "tls.hsts.weak"
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


def mozilla_check(level: str) -> Check:
    check_id = f"tls.mozilla.{level}"

    def check(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
        result = next(m for m in ep.mozilla if m.level == level)  # behind mozilla_ran
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
        # 'modern' (TLS 1.3 only) is a comparison for most buyers: the detail a
        # reader meets first must not advise an A+ provider to drop TLS 1.2. The
        # changes stay in the evidence, and a profile that requires modern raises the
        # check's severity and asks for them through its remediation.
        detail = (
            f"{standing} (modern is TLS 1.3 only; it matters where a profile requires it)."
            if level == "modern" and met
            else f"{standing}. To meet it: {'; '.join(changes)}."
        )
        return finding(check_id, Status.FAIL, ep, detail, changes=changes, meets=met)

    return check


def starttls_offered(ep: TlsEndpointResult, _t: Thresholds) -> Finding:
    return finding("mail.starttls.missing", Status.PASS, ep, f"{asset(ep)} offers STARTTLS.")
