"""Pure verdicts on what the web probe saw, following Mozilla HTTP Observatory's tests.

The security.txt text is judged by ``sectxt``, the validator internet.nl uses, and
its error codes are carried as evidence.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sectxt

from scanner.checks import finding
from scanner.model import Finding, Status
from scanner.probes.table import GatedCheck, Skip, ids, run, unanswered
from scanner.probes.web import content, policy_checks
from scanner.probes.web.observations import WebObservation

_VERSION = re.compile(r"\d+(\.\d+)+")
_WEAK_REFERRER = {"unsafe-url", "no-referrer-when-downgrade", ""}
_REFERRER_TOKENS = {
    "no-referrer",
    "no-referrer-when-downgrade",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
}


def _header(obs: WebObservation, name: str) -> str | None:
    return obs.header(name)


def _redirect(obs: WebObservation) -> Finding:
    check, h = "web.https_redirect.missing", obs.host
    first = obs.http_hops[0] if obs.http_hops else None
    if first is None or first.status is None:
        reason = first.error if first else "no HTTP request made"
        return finding(
            check,
            Status.NOT_ASSESSED,
            h,
            f"Not assessed on {h}: plain HTTP gave no response ({reason}).",
            reason=reason,
        )
    chain = [hop.url for hop in obs.http_hops]
    final = obs.http_hops[-1]
    if final.invalid:
        # A browser cannot follow it either: visitors stay on (or fail at) plain HTTP.
        return finding(
            check,
            Status.FAIL,
            h,
            f"http://{h}/ redirects to a Location that is not a valid http(s) URL ({final.error}).",
            chain=chain,
            location=obs.http_hops[-2].location if len(obs.http_hops) > 1 else "",
        )
    if first.location.lower().startswith("https://"):
        return finding(
            check,
            Status.PASS,
            h,
            f"http://{h}/ redirects straight to HTTPS: {first.status} to {first.location}.",
            chain=chain,
        )
    if final.url.startswith("https://") and final.status is not None and final.status < 400:
        return finding(
            check,
            Status.WARN,
            h,
            f"http://{h}/ reaches HTTPS only after an HTTP redirect: the first hop can be intercepted.",
            chain=chain,
        )
    return finding(
        check,
        Status.FAIL,
        h,
        f"http://{h}/ does not redirect to HTTPS (status {first.status}{', ' + final.error if final.error else ''}).",
        chain=chain,
    )


def _xcto(obs: WebObservation) -> Finding:
    h = obs.host
    xcto = (_header(obs, "x-content-type-options") or "").strip().lower()
    return finding(
        "web.header.xcto_missing",
        Status.PASS if xcto == "nosniff" else Status.FAIL,
        h,
        f"{h} "
        + (
            "sends X-Content-Type-Options: nosniff."
            if xcto == "nosniff"
            else "does not send X-Content-Type-Options: nosniff."
        ),
    )


def _clickjacking(obs: WebObservation) -> Finding:
    h, csp = obs.host, _header(obs, "content-security-policy")
    xfo = (_header(obs, "x-frame-options") or "").strip().upper()
    ancestors = csp is not None and "frame-ancestors" in csp.lower()
    framed = xfo in ("DENY", "SAMEORIGIN") or ancestors
    return finding(
        "web.header.clickjacking",
        Status.PASS if framed else Status.FAIL,
        h,
        f"{h} "
        + (
            "forbids framing by other sites."
            if framed
            else "can be framed by any site (no X-Frame-Options, no frame-ancestors)."
        ),
    )


def _referrer_policy(obs: WebObservation) -> str | None:
    """The policy the browser applies: a <meta name="referrer"> overrides the header
    (HTML 4.2.5.2); in a comma-separated header the last token it knows counts."""
    metas = obs.meta_values("name", "referrer")
    if metas:
        return metas[-1]
    header = _header(obs, "referrer-policy")
    if header is None:
        return None
    tokens = [t.strip().lower() for t in header.split(",")]
    known = [t for t in tokens if t in _REFERRER_TOKENS]
    return known[-1] if known else header


def _referrer(obs: WebObservation) -> Finding:
    h, referrer = obs.host, _referrer_policy(obs)
    weak = referrer is None or referrer.strip().lower() in _WEAK_REFERRER
    return finding(
        "web.header.referrer_policy_missing",
        Status.FAIL if weak else Status.PASS,
        h,
        f"{h} "
        + (
            f"sends Referrer-Policy: {referrer}."
            if not weak
            else "sends no (or a leaky) Referrer-Policy."
        ),
        value=referrer,
    )


def _permissions(obs: WebObservation) -> Finding:
    h, permissions = obs.host, _header(obs, "permissions-policy")
    return finding(
        "web.header.permissions_policy_missing",
        Status.PASS if permissions else Status.FAIL,
        h,
        f"{h} "
        + ("sends a Permissions-Policy." if permissions else "sends no Permissions-Policy."),
    )


def _version_disclosure(obs: WebObservation) -> Finding:
    h = obs.host
    disclosed = [
        f"{name}: {value}"
        for name in ("server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version")
        if (value := _header(obs, name)) and _VERSION.search(value)
    ]
    return finding(
        "web.header.version_disclosure",
        Status.FAIL if disclosed else Status.PASS,
        h,
        f"{h} "
        + (
            f"discloses software versions: {'; '.join(disclosed)}."
            if disclosed
            else "discloses no software version in its headers."
        ),
        headers=disclosed,
    )


def _cors(obs: WebObservation) -> Finding:
    """Mozilla HTTP Observatory's CORS test."""
    h = obs.host
    origin = (_header(obs, "access-control-allow-origin") or "").strip()
    if origin == "*":
        return finding(
            "web.header.cors_universal",
            Status.FAIL,
            h,
            f"{h} lets every origin read its pages (Access-Control-Allow-Origin: *).",
        )
    return finding(
        "web.header.cors_universal",
        Status.PASS,
        h,
        f"{h} does not open its pages to every origin.",
        value=origin or None,
    )


def _sri(obs: WebObservation) -> Finding:
    """Mozilla HTTP Observatory's subresource-integrity test."""
    h = obs.host
    foreign = [(src, sri) for src, sri in obs.scripts if urlsplit(src).hostname not in (None, h)]
    plain = [src for src, _ in foreign if src.lower().startswith("http:")]
    unchecked = [src for src, sri in foreign if not sri]
    if plain or unchecked:
        why = (
            (f"loaded over plain HTTP: {', '.join(plain)}" if plain else "")
            + ("; " if plain and unchecked else "")
            + (f"without integrity=: {', '.join(unchecked)}" if unchecked else "")
        )
        return finding(
            "web.sri.missing",
            Status.FAIL,
            h,
            f"{h} loads scripts from other origins {why}.",
            scripts=[s for s, _ in foreign],
        )
    if foreign:
        return finding(
            "web.sri.missing",
            Status.PASS,
            h,
            f"Every script {h} loads from another origin carries an integrity hash.",
        )
    return finding(
        "web.sri.missing", Status.INFO, h, f"{h}'s front page loads no script from another origin."
    )


def _sectxt_missing(obs: WebObservation) -> Finding:
    h = obs.host
    if obs.security_txt_too_large:
        # Something answers at the path, but nobody can read an endless file.
        return finding(
            "web.security_txt.missing", Status.PASS, h, f"{h} answers at {obs.security_txt_url}."
        )
    if obs.security_txt_status != 200 or obs.security_txt is None:
        return finding(
            "web.security_txt.missing",
            Status.FAIL,
            h,
            f"{h} publishes no security.txt ({obs.security_txt_url} answered "
            f"{obs.security_txt_status}): researchers have no published way to report a vulnerability.",
        )
    return finding("web.security_txt.missing", Status.PASS, h, f"{h} publishes a security.txt.")


def _sectxt_invalid(obs: WebObservation) -> Finding:
    h = obs.host
    if obs.security_txt_too_large:
        return finding(
            "web.security_txt.invalid",
            Status.FAIL,
            h,
            f"The security.txt of {h} is larger than vetscan reads (1 MiB); it was not "
            "parsed and no researcher's tool will read it either.",
            problems=["larger than the body limit"],
        )
    if obs.security_txt_status != 200 or obs.security_txt is None:
        return finding(
            "web.security_txt.invalid", Status.INFO, h, "Not applicable: no security.txt."
        )
    parser = sectxt.Parser(obs.security_txt.encode("utf-8"), urls=obs.security_txt_url)
    errors = [e["code"] for e in parser.errors]
    problems = [e["message"] for e in parser.errors]
    if obs.security_txt_type != "text/plain":
        errors.append("invalid_media")
        problems.append(f"served as {obs.security_txt_type or 'no type'}, not text/plain")
    if obs.security_txt_cert_error:
        errors.append("invalid_cert")
        problems.append("not served over valid HTTPS (the certificate does not validate)")
    if errors:
        return finding(
            "web.security_txt.invalid",
            Status.FAIL,
            h,
            f"The security.txt of {h} is invalid: {'; '.join(problems)}.",
            errors=errors,
        )
    return finding(
        "web.security_txt.invalid",
        Status.PASS,
        h,
        f"The security.txt of {h} is valid (RFC 9116).",
        recommendations=[r["code"] for r in parser.recommendations],
    )


def _https(obs: WebObservation) -> Skip | None:
    """The HTTPS front page answered."""
    return (
        None
        if obs.https_status is not None
        else unanswered(f"no HTTPS response ({obs.https_error})")
    )


def _preload_looked_up(obs: WebObservation) -> Skip | None:
    """The preload list was consulted (scans saved before it was did not)."""
    return None if obs.preload_list else unanswered("scanned before vetscan read the preload list")


def _security_txt(obs: WebObservation) -> Skip | None:
    """The security.txt request answered (whatever its status)."""
    if obs.security_txt_status is not None:
        return None
    reason = obs.security_txt_error or "no response"
    return Skip(reason, unanswered=True, subject=f"the security.txt of {obs.host}")


# One finding per check and host on every path: when what a check needs is missing
# (the plain-HTTP chain is always there; HTTPS and security.txt may not answer), it
# is "not assessed" with the reason.
CHECKS: tuple[GatedCheck[WebObservation], ...] = (
    GatedCheck("web.https_redirect.missing", (), _redirect),
    GatedCheck("web.header.csp_missing", (_https,), policy_checks.csp_missing),
    GatedCheck("web.header.csp_unsafe", (_https,), policy_checks.csp_unsafe),
    GatedCheck("web.header.xcto_missing", (_https,), _xcto),
    GatedCheck("web.header.clickjacking", (_https,), _clickjacking),
    GatedCheck("web.header.referrer_policy_missing", (_https,), _referrer),
    GatedCheck("web.header.permissions_policy_missing", (_https,), _permissions),
    GatedCheck("web.cookie.insecure", (_https,), policy_checks.cookie_attributes),
    GatedCheck("web.header.version_disclosure", (_https,), _version_disclosure),
    GatedCheck("web.header.cors_universal", (_https,), _cors),
    GatedCheck("web.sri.missing", (_https,), _sri),
    GatedCheck("web.header.coop", (_https,), policy_checks.coop),
    GatedCheck("web.header.coep", (_https,), policy_checks.coep),
    GatedCheck("web.header.corp", (_https,), policy_checks.corp),
    GatedCheck("web.mixed_content", (_https, content.page_read), content.mixed_content),
    GatedCheck("web.login.plain_http", (content.any_page,), content.login_over_http),
    GatedCheck("web.hsts.preload", (_https, _preload_looked_up), policy_checks.hsts_preload),
    GatedCheck("web.security_txt.missing", (_security_txt,), _sectxt_missing),
    GatedCheck("web.security_txt.invalid", (_security_txt,), _sectxt_invalid),
)
IDS = ids(CHECKS)


def evaluate_host(obs: WebObservation) -> list[Finding]:
    return run(obs.host, obs, CHECKS)
