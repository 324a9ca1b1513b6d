"""Pure verdicts on the policies a site declares, as MDN HTTP Observatory v2 judges
them: its Content-Security-Policy (headers and <meta>), its cross-origin isolation
headers, its cookies one by one, and whether its name is HSTS-preloaded."""

from __future__ import annotations

from scanner.checks import finding
from scanner.model import Finding, Status

from . import cookies, csp, isolation
from .observations import WebObservation


def enforced_csp(obs: WebObservation) -> list[csp.Policy]:
    """Every policy the browser enforces: the headers' and the page's <meta> ones."""
    metas = obs.meta_values("http-equiv", "content-security-policy")
    return csp.policies(obs.header_values("content-security-policy"), metas)


def csp_missing(obs: WebObservation) -> Finding:
    check, h = "web.header.csp_missing", obs.host
    header = obs.header_values("content-security-policy")
    meta = obs.meta_values("http-equiv", "content-security-policy")
    report_only = obs.header_values("content-security-policy-report-only")
    evidence = {
        "csp": "; ".join(header) or None,
        "csp_meta": list(meta),
        "report_only": "; ".join(report_only) or None,
    }
    if not enforced_csp(obs):
        if report_only:
            return finding(
                check,
                Status.FAIL,
                h,
                f"{h} sends its CSP only as Content-Security-Policy-Report-Only: browsers "
                "report what it would block and block nothing.",
                **evidence,
            )
        return finding(check, Status.FAIL, h, f"{h} sends no Content-Security-Policy.", **evidence)
    where = "in a header" if header else "in a <meta> tag of its front page"
    also = "; a report-only policy is sent beside it" if report_only else ""
    return finding(
        check, Status.PASS, h, f"{h} sends a Content-Security-Policy {where}{also}.", **evidence
    )


def csp_unsafe(obs: WebObservation) -> Finding:
    check, h = "web.header.csp_unsafe", obs.host
    enforced = enforced_csp(obs)
    if not enforced:
        return finding(check, Status.INFO, h, "Not applicable: no enforced CSP.")
    found = csp.shared_weaknesses(enforced)
    serious = [w.text for w in found if w.serious]
    minor = [w.text for w in found if not w.serious]
    evidence = {
        "csp": [
            ";".join(f"{k} {' '.join(v)}".strip() for k, v in p.directives.items())
            for p in enforced
        ],
        "weaknesses": [w.key for w in found],
    }
    if serious:
        return finding(
            check,
            Status.FAIL,
            h,
            f"The CSP of {h} weakens itself: {'; '.join(serious + minor)}.",
            **evidence,
        )
    if minor:
        return finding(
            check,
            Status.WARN,
            h,
            f"The CSP of {h} restricts scripts and plugins, but {'; '.join(minor)}.",
            **evidence,
        )
    return finding(check, Status.PASS, h, f"The CSP of {h} avoids unsafe sources.", **evidence)


def _isolation(check: str, header: isolation.Header, obs: WebObservation) -> Finding:
    h, given = obs.host, obs.header_values(header.name)
    policy, valid = isolation.value(header, given)
    evidence = {"value": list(given)}
    if not valid:
        return finding(
            check,
            Status.FAIL,
            h,
            f"{h} sends {header.name}: {' / '.join(given)}, which browsers do not accept"
            f"{' (more than one header)' if len(given) > 1 else ''}: it protects nothing.",
            **evidence,
        )
    if policy is None:
        return finding(
            check,
            Status.INFO,
            h,
            f"{h} sends no {header.name} (optional hardening: it {header.purpose}).",
            **evidence,
        )
    if policy == header.open_value:
        return finding(
            check,
            Status.INFO,
            h,
            f"{h} sends {header.name}: {policy}, the browser's default, which allows everything.",
            **evidence,
        )
    return finding(
        check,
        Status.PASS,
        h,
        f"{h} sends {header.name}: {policy}, which {header.purpose}.",
        **evidence,
    )


def coop(obs: WebObservation) -> Finding:
    return _isolation("web.header.coop", isolation.COOP, obs)


def coep(obs: WebObservation) -> Finding:
    return _isolation("web.header.coep", isolation.COEP, obs)


def corp(obs: WebObservation) -> Finding:
    return _isolation("web.header.corp", isolation.CORP, obs)


def cookie_attributes(obs: WebObservation) -> Finding:
    check, h = "web.cookie.insecure", obs.host
    hsts = cookies.max_age_positive(obs.header("strict-transport-security"))
    grades = [cookies.grade(cookies.parse(v), hsts) for v in obs.header_values("set-cookie")]
    if not grades:
        return finding(check, Status.INFO, h, f"{h} sets no cookie on its front page.")
    evidence = {"cookies": [g.to_json() for g in grades]}
    weak = [g for g in grades if g.problems]
    said = "; ".join(
        f"{g.cookie.name or '(unnamed)'}{' (session)' if g.cookie.session else ''}: "
        + ", ".join(g.problems)
        for g in weak
    )
    if any(g.serious for g in grades):
        return finding(
            check, Status.FAIL, h, f"Cookies of {h} lack protection: {said}.", **evidence
        )
    if weak:
        return finding(
            check, Status.WARN, h, f"Cookies of {h} are protected, short of: {said}.", **evidence
        )
    return finding(
        check,
        Status.PASS,
        h,
        f"Every cookie of {h} is Secure, its session cookies HttpOnly, and SameSite is valid.",
        **evidence,
    )


def hsts_preload(obs: WebObservation) -> Finding:
    check, h = "web.hsts.preload", obs.host
    entry, snapshot = obs.preload_entry, obs.preload_list
    header = (obs.header("strict-transport-security") or "").lower()
    asked = "preload" in [part.strip() for part in header.split(";")]
    evidence = {"list": f"Chromium {snapshot}", "entry": entry, "asks_for_preload": asked}
    if entry is not None:
        where = (
            f"Chromium's list (snapshot of {snapshot})"
            if entry == "snapshot"
            else f"the list as the profile adds it ({entry})"
        )
        return finding(
            check,
            Status.PASS,
            h,
            f"{h} is on the HSTS preload list, in {where}: browsers use HTTPS for it "
            "from the very first visit.",
            **evidence,
        )
    asking = (
        " Its HSTS header asks for preloading, but the name is not listed: it still has "
        "to be submitted (hstspreload.org)."
        if asked
        else ""
    )
    return finding(
        check,
        Status.INFO,
        h,
        f"{h} is not on the HSTS preload list (Chromium's, snapshot of {snapshot}): a "
        f"first visit can be downgraded until the browser has seen its HSTS header.{asking}",
        **evidence,
    )
