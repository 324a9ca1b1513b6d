"""Pure verdicts on what the front page loads and submits: mixed content (W3C Mixed
Content: scripts, frames, style sheets and plugins over plain HTTP are blockable,
images and media upgradeable) and password fields over plain HTTP."""

from __future__ import annotations

from scanner.checks import finding
from scanner.model import Finding, Status
from scanner.probes.table import Skip, absent, unanswered

from . import csp
from .observations import WebObservation
from .policy_checks import enforced_csp

_PASSIVE = ("img", "audio", "video", "source")


def page_read(obs: WebObservation) -> Skip | None:
    """The HTTPS front page's HTML was read."""
    if obs.html_read is None:
        return unanswered("scanned before vetscan read the page's HTML")
    if not obs.html_read:
        return absent("its front page is not an HTML page")
    return None


def _plain(url: str) -> bool:
    return url.lower().startswith("http:")


def mixed_content(obs: WebObservation) -> Finding:
    check, h = "web.mixed_content", obs.host
    active = [f"{r.tag} {r.url}" for r in obs.plain_http_loads if r.tag not in _PASSIVE]
    passive = [f"{r.tag} {r.url}" for r in obs.plain_http_loads if r.tag in _PASSIVE]
    # Forms with a password field are the login check's.
    forms = [f"form to {f.action}" for f in obs.forms if _plain(f.action) and not f.password]
    evidence = {"active": active + forms, "passive": passive}
    if not (active or passive or forms):
        return finding(
            check,
            Status.PASS,
            h,
            f"The front page of {h} loads and submits nothing over plain HTTP.",
        )
    if csp.upgrades_requests(enforced_csp(obs)):
        return finding(
            check,
            Status.PASS,
            h,
            f"The front page of {h} names plain-HTTP URLs ({', '.join(active + forms + passive)}), "
            "but its CSP has the browser fetch them over HTTPS (upgrade-insecure-requests).",
            upgraded=True,
            **evidence,
        )
    if active or forms:
        return finding(
            check,
            Status.FAIL,
            h,
            f"The HTTPS front page of {h} loads or submits over plain HTTP: "
            f"{', '.join(active + forms)}: whoever is on the network can change them (and so "
            "the page); browsers block them, breaking the page.",
            **evidence,
        )
    return finding(
        check,
        Status.WARN,
        h,
        f"The HTTPS front page of {h} loads images or media over plain HTTP "
        f"({', '.join(passive)}): they can be watched and swapped on the way.",
        **evidence,
    )


def any_page(obs: WebObservation) -> Skip | None:
    """A page was read: the HTTPS front page, or the one plain HTTP ends on."""
    if obs.html_read is None and obs.plain_html_read is None:
        return unanswered("scanned before vetscan read the pages' HTML")
    if obs.https_status is None and not obs.plain_page_url:
        return unanswered(f"no page answered over HTTPS ({obs.https_error}) or plain HTTP")
    return None


def login_over_http(obs: WebObservation) -> Finding:
    check, h = "web.login.plain_http", obs.host
    if obs.plain_html_read and any(f.password for f in obs.plain_forms):
        return finding(
            check,
            Status.FAIL,
            h,
            f"{obs.plain_page_url or f'http://{h}/'} serves a password field over plain HTTP "
            "without redirecting to HTTPS: whoever is on the network reads the password, or "
            "changes the form.",
            page=obs.plain_page_url,
        )
    to_plain = [f.action for f in obs.forms if f.password and _plain(f.action)]
    if to_plain:
        return finding(
            check,
            Status.FAIL,
            h,
            f"The login form on https://{h}/ sends the password over plain HTTP "
            f"(to {', '.join(to_plain)}).",
            actions=to_plain,
        )
    if any(f.password for f in obs.forms):
        return finding(
            check,
            Status.PASS,
            h,
            f"The login form on the front page of {h} is served and submitted over HTTPS.",
        )
    return finding(
        check,
        Status.INFO,
        h,
        f"Not applicable to {h}: no password field on its front page (only the front page "
        "is read).",
    )
