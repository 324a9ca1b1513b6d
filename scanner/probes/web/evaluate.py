"""Pure verdicts on what the web probe saw, following Mozilla HTTP Observatory's tests.

The security.txt text is judged by ``sectxt``, the validator internet.nl uses, and
its error codes are carried as evidence.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import sectxt

from scanner.checks import finding as _f
from scanner.model import Finding, Status

if TYPE_CHECKING:
    from scanner.probes.web.probe import WebObservation

IDS = (
    "web.https_redirect.missing",
    "web.header.csp_missing",
    "web.header.csp_unsafe",
    "web.header.xcto_missing",
    "web.header.clickjacking",
    "web.header.referrer_policy_missing",
    "web.header.permissions_policy_missing",
    "web.cookie.insecure",
    "web.header.version_disclosure",
    "web.header.cors_universal",
    "web.sri.missing",
    "web.security_txt.missing",
    "web.security_txt.invalid",
)
_VERSION = re.compile(r"\d+(\.\d+)+")
_WEAK_REFERRER = {"unsafe-url", "no-referrer-when-downgrade", ""}


def _header(obs: WebObservation, name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in obs.headers if k.lower() == lowered), None)


def judge(obs: WebObservation) -> list[Finding]:
    h = obs.host
    out = [_redirect(obs)]
    if obs.https_status is None:
        reason = f"no HTTPS response ({obs.https_error})"
        out += [
            _f(c, Status.NOT_ASSESSED, h, f"Not assessed on {h}: {reason}.", reason=reason)
            for c in IDS[1:9]
        ]
    else:
        out += _headers(obs)
    out += _security_txt(obs)
    return out


def _redirect(obs: WebObservation) -> Finding:
    check, h = "web.https_redirect.missing", obs.host
    first = obs.http_hops[0] if obs.http_hops else None
    if first is None or first.status is None:
        reason = first.error if first else "no HTTP request made"
        return _f(
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
        return _f(
            check,
            Status.FAIL,
            h,
            f"http://{h}/ redirects to a Location that is not a valid http(s) URL ({final.error}).",
            chain=chain,
            location=obs.http_hops[-2].location if len(obs.http_hops) > 1 else "",
        )
    if first.location.lower().startswith("https://"):
        return _f(check, Status.PASS, h, f"http://{h}/ redirects straight to HTTPS.", chain=chain)
    if final.url.startswith("https://") and final.status is not None and final.status < 400:
        return _f(
            check,
            Status.WARN,
            h,
            f"http://{h}/ reaches HTTPS only after an HTTP redirect: the first hop can be intercepted.",
            chain=chain,
        )
    return _f(
        check,
        Status.FAIL,
        h,
        f"http://{h}/ does not redirect to HTTPS (status {first.status}{', ' + final.error if final.error else ''}).",
        chain=chain,
    )


def _headers(obs: WebObservation) -> list[Finding]:
    h = obs.host
    out: list[Finding] = []
    csp = _header(obs, "content-security-policy")
    if csp is None:
        out.append(
            _f("web.header.csp_missing", Status.FAIL, h, f"{h} sends no Content-Security-Policy.")
        )
        out.append(_f("web.header.csp_unsafe", Status.INFO, h, "Not applicable: no CSP."))
    else:
        out.append(
            _f(
                "web.header.csp_missing",
                Status.PASS,
                h,
                f"{h} sends a Content-Security-Policy.",
                csp=csp,
            )
        )
        unsafe = [t for t in ("'unsafe-inline'", "'unsafe-eval'") if t in csp.lower()]
        for directive in csp.split(";"):
            parts = directive.split()
            if (
                parts
                and parts[0].lower() in ("default-src", "script-src", "object-src")
                and any(s in ("*", "http:", "https:", "data:") for s in parts[1:])
            ):
                unsafe.append(
                    f"{parts[0]} allows {' '.join(s for s in parts[1:] if s in ('*', 'http:', 'https:', 'data:'))}"
                )
        status = Status.FAIL if unsafe else Status.PASS
        out.append(
            _f(
                "web.header.csp_unsafe",
                status,
                h,
                f"The CSP of {h} "
                + (f"weakens itself: {', '.join(unsafe)}." if unsafe else "avoids unsafe sources."),
                csp=csp,
            )
        )
    xcto = (_header(obs, "x-content-type-options") or "").strip().lower()
    out.append(
        _f(
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
    )
    xfo = (_header(obs, "x-frame-options") or "").strip().upper()
    ancestors = csp is not None and "frame-ancestors" in csp.lower()
    framed = xfo in ("DENY", "SAMEORIGIN") or ancestors
    out.append(
        _f(
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
    )
    referrer = _header(obs, "referrer-policy")
    weak = referrer is None or referrer.strip().lower() in _WEAK_REFERRER
    out.append(
        _f(
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
    )
    permissions = _header(obs, "permissions-policy")
    out.append(
        _f(
            "web.header.permissions_policy_missing",
            Status.PASS if permissions else Status.FAIL,
            h,
            f"{h} "
            + ("sends a Permissions-Policy." if permissions else "sends no Permissions-Policy."),
        )
    )
    cookies = [v for k, v in obs.headers if k.lower() == "set-cookie"]
    weak_cookies = []
    for cookie in cookies:
        attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
        missing = [a for a in ("secure", "httponly", "samesite") if a not in attributes]
        if missing:
            weak_cookies.append(f"{cookie.split('=')[0].strip()} (no {', '.join(missing)})")
    if not cookies:
        out.append(
            _f("web.cookie.insecure", Status.INFO, h, f"{h} sets no cookie on its front page.")
        )
    elif weak_cookies:
        out.append(
            _f(
                "web.cookie.insecure",
                Status.FAIL,
                h,
                f"Cookies of {h} lack protection: {'; '.join(weak_cookies)}.",
                cookies=weak_cookies,
            )
        )
    else:
        out.append(
            _f(
                "web.cookie.insecure",
                Status.PASS,
                h,
                f"Every cookie of {h} is Secure, HttpOnly and SameSite.",
            )
        )
    out += _cors_and_sri(obs)
    disclosed = [
        f"{name}: {value}"
        for name in ("server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version")
        if (value := _header(obs, name)) and _VERSION.search(value)
    ]
    out.append(
        _f(
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
    )
    return out


def _cors_and_sri(obs: WebObservation) -> list[Finding]:
    """Mozilla HTTP Observatory's CORS and subresource-integrity tests."""
    h = obs.host
    out = []
    origin = (_header(obs, "access-control-allow-origin") or "").strip()
    if origin == "*":
        out.append(
            _f(
                "web.header.cors_universal",
                Status.FAIL,
                h,
                f"{h} lets every origin read its pages (Access-Control-Allow-Origin: *).",
            )
        )
    else:
        out.append(
            _f(
                "web.header.cors_universal",
                Status.PASS,
                h,
                f"{h} does not open its pages to every origin.",
                value=origin or None,
            )
        )
    foreign = [(src, sri) for src, sri in obs.scripts if urlsplit(src).hostname not in (None, h)]
    plain = [src for src, _ in foreign if src.lower().startswith("http:")]
    unchecked = [src for src, sri in foreign if not sri]
    if plain or unchecked:
        why = (
            (f"loaded over plain HTTP: {', '.join(plain)}" if plain else "")
            + ("; " if plain and unchecked else "")
            + (f"without integrity=: {', '.join(unchecked)}" if unchecked else "")
        )
        out.append(
            _f(
                "web.sri.missing",
                Status.FAIL,
                h,
                f"{h} loads scripts from other origins {why}.",
                scripts=[s for s, _ in foreign],
            )
        )
    elif foreign:
        out.append(
            _f(
                "web.sri.missing",
                Status.PASS,
                h,
                f"Every script {h} loads from another origin carries an integrity hash.",
            )
        )
    else:
        out.append(
            _f(
                "web.sri.missing",
                Status.INFO,
                h,
                f"{h}'s front page loads no script from another origin.",
            )
        )
    return out


def _security_txt(obs: WebObservation) -> list[Finding]:
    h = obs.host
    if obs.security_txt_status is None:
        reason = obs.security_txt_error or "no response"
        return [
            _f(
                c,
                Status.NOT_ASSESSED,
                h,
                f"security.txt of {h} not assessed: {reason}.",
                reason=reason,
            )
            for c in IDS[11:]
        ]
    if obs.security_txt_too_large:
        # Something answers at the path, but nobody can read an endless file.
        return [
            _f(
                "web.security_txt.missing",
                Status.PASS,
                h,
                f"{h} answers at {obs.security_txt_url}.",
            ),
            _f(
                "web.security_txt.invalid",
                Status.FAIL,
                h,
                f"The security.txt of {h} is larger than vetscan reads (1 MiB); it was not "
                "parsed and no researcher's tool will read it either.",
                problems=["larger than the body limit"],
            ),
        ]
    if obs.security_txt_status != 200 or obs.security_txt is None:
        return [
            _f(
                "web.security_txt.missing",
                Status.FAIL,
                h,
                f"{h} publishes no security.txt ({obs.security_txt_url} answered "
                f"{obs.security_txt_status}): researchers have no published way to report a vulnerability.",
            ),
            _f("web.security_txt.invalid", Status.INFO, h, "Not applicable: no security.txt."),
        ]
    parser = sectxt.Parser(obs.security_txt.encode("utf-8"), urls=obs.security_txt_url)
    errors = [e["code"] for e in parser.errors]
    problems = [e["message"] for e in parser.errors]
    if obs.security_txt_type != "text/plain":
        errors.append("invalid_media")
        problems.append(f"served as {obs.security_txt_type or 'no type'}, not text/plain")
    if obs.security_txt_cert_error:
        errors.append("invalid_cert")
        problems.append("not served over valid HTTPS (the certificate does not validate)")
    found = _f("web.security_txt.missing", Status.PASS, h, f"{h} publishes a security.txt.")
    if errors:
        return [
            found,
            _f(
                "web.security_txt.invalid",
                Status.FAIL,
                h,
                f"The security.txt of {h} is invalid: {'; '.join(problems)}.",
                errors=errors,
            ),
        ]
    recommendations = [r["code"] for r in parser.recommendations]
    return [
        found,
        _f(
            "web.security_txt.invalid",
            Status.PASS,
            h,
            f"The security.txt of {h} is valid (RFC 9116).",
            recommendations=recommendations,
        ),
    ]
