"""The web checks of #27 item 6, as MDN HTTP Observatory v2 judges them: CSP quality
(headers and <meta>, report-only apart), cross-origin isolation headers, cookies
graded one by one, mixed content, password forms over plain HTTP, HSTS preloading;
and the page reader over literal and hostile HTML."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.model import Finding, Status
from scanner.probes.web import cookies, csp, isolation, preload
from scanner.probes.web.evaluate import evaluate_host
from scanner.probes.web.html import read_page
from scanner.probes.web.observations import Form, Hop, Meta, Resource, WebObservation

P, F, W, INF, NA = Status.PASS, Status.FAIL, Status.WARN, Status.INFO, Status.NOT_ASSESSED
HOST = "www.example.com"


def obs(
    headers: list[tuple[str, str]] = (), page: str | None = "", **fields: object
) -> WebObservation:  # type: ignore[assignment]
    """An observation of an HTTPS front page with ``headers``, its HTML ``page`` read
    as the probe reads it (None: not HTML)."""
    read = read_page(page) if page is not None else None
    base = WebObservation(
        host=HOST, address="192.0.2.1",
        http_hops=(Hop(f"http://{HOST}/", 301, f"https://{HOST}/", ""),),
        https_status=200, https_error="", headers=tuple(headers),
        scripts=tuple(read.scripts) if read else (),
        security_txt_url="", security_txt_status=404, security_txt_type="",
        security_txt=None, security_txt_error="",
        html_read=read is not None,
        plain_http_loads=tuple(read.plain_http) if read else (),
        forms=tuple(read.forms) if read else (),
        meta=tuple(read.meta) if read else (),
        plain_html_read=False, preload_list="2025-01-01",
    )  # fmt: skip
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


def judged(o: WebObservation, check: str) -> Finding:
    return next(f for f in evaluate_host(o) if f.check_id == check)


# --- Content-Security-Policy ---------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "expected", "said"),
    [
        ("default-src 'self'; object-src 'none'", P, "avoids unsafe sources"),
        ("default-src 'self' 'unsafe-inline'", F, "'unsafe-inline'"),
        # Beside a nonce, browsers ignore 'unsafe-inline' (CSP3 8.2).
        ("default-src 'self'; script-src 'nonce-abc' 'unsafe-inline'", P, ""),
        # 'strict-dynamic' with a nonce: host and scheme sources are ignored too.
        ("default-src 'self'; script-src 'nonce-abc' 'strict-dynamic' https: http:", P, ""),
        ("default-src 'self'; script-src 'self' 'unsafe-eval'", F, "'unsafe-eval'"),
        ("default-src 'self'; script-src 'self' data:", F, "data: URLs"),
        ("default-src 'self'; script-src https:", F, "script-src allows https:"),
        ("default-src 'self'; script-src http://cdn.example.net", F, "plain HTTP"),
        ("default-src 'self'; object-src *", F, "object-src allows *"),
        ("img-src 'self'", F, "no script-src or default-src"),
        ("script-src 'self'", F, "plugins load from anywhere"),
        ("script-src 'self'; object-src 'none'", W, "no default-src"),
        ("default-src 'self'; style-src 'self' 'unsafe-inline'", W, "inline or any styles"),
        ("default-src 'self'; img-src http://img.example.net", W, "images or media"),
        ("default-src 'self'; default-src *", W, "given twice"),
    ],
)
def test_csp_quality(policy: str, expected: Status, said: str) -> None:
    found = judged(obs([("Content-Security-Policy", policy)]), "web.header.csp_unsafe")
    assert found.status is expected
    assert said in found.detail


def test_every_enforced_policy_must_allow_a_weakness() -> None:
    # A second, strict policy blocks what the first allows: browsers enforce both.
    headers = [
        ("Content-Security-Policy", "default-src * 'unsafe-inline'"),
        ("Content-Security-Policy", "default-src 'self'"),
    ]
    assert judged(obs(headers), "web.header.csp_unsafe").status is P
    # The same two policies in one header, comma-separated (CSP3 2.2.2).
    joined = [("Content-Security-Policy", "default-src * 'unsafe-inline', default-src 'self'")]
    assert judged(obs(joined), "web.header.csp_unsafe").status is P


def test_a_meta_policy_counts_without_the_directives_a_meta_cannot_carry() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'self'; frame-ancestors 'none'\"></head></html>"
    )
    o = obs(page=page)
    missing = judged(o, "web.header.csp_missing")
    assert missing.status is P and "<meta>" in missing.detail
    assert judged(o, "web.header.csp_unsafe").status is P
    # frame-ancestors is ignored in a <meta> (HTML): the page can still be framed.
    assert judged(o, "web.header.clickjacking").status is F
    assert csp.parse("frame-ancestors 'none'; sandbox", "meta").directives == {}


def test_report_only_is_reported_apart() -> None:
    only = obs([("Content-Security-Policy-Report-Only", "default-src 'self'")])
    found = judged(only, "web.header.csp_missing")
    assert found.status is F and "Report-Only" in found.detail
    assert found.evidence["report_only"] == "default-src 'self'"
    assert judged(only, "web.header.csp_unsafe").status is INF
    both = obs(
        [
            ("Content-Security-Policy", "default-src 'self'"),
            ("Content-Security-Policy-Report-Only", "default-src 'none'"),
        ]
    )
    assert "report-only" in judged(both, "web.header.csp_missing").detail


@given(st.text(max_size=200))
def test_the_csp_parser_takes_any_text(text: str) -> None:
    for policy in csp.policies([text], [text]):
        csp.weaknesses(policy)


# --- Cross-origin isolation ------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "values", "policy", "valid"),
    [
        (isolation.COOP, [], None, True),
        (isolation.COOP, ["same-origin"], "same-origin", True),
        (isolation.COOP, ['same-origin; report-to="coop"'], "same-origin", True),
        (isolation.COOP, ["same-site"], None, False),
        (isolation.COOP, ["same-origin", "same-origin"], None, False),
        (isolation.COEP, ["require-corp"], "require-corp", True),
        (isolation.COEP, ["require_corp"], None, False),
        (isolation.CORP, ["same-site"], "same-site", True),
        (isolation.CORP, ["same-domain"], None, False),
    ],
)
def test_isolation_values(
    header: isolation.Header, values: list[str], policy: str | None, valid: bool
) -> None:
    assert isolation.value(header, values) == (policy, valid)


def test_isolation_verdicts() -> None:
    assert judged(obs(), "web.header.coop").status is INF
    weakest = judged(obs([("Cross-Origin-Opener-Policy", "unsafe-none")]), "web.header.coop")
    assert weakest.status is INF and "default" in weakest.detail
    invalid = judged(obs([("Cross-Origin-Resource-Policy", "same-domain")]), "web.header.corp")
    assert invalid.status is F and "protects nothing" in invalid.detail
    assert (
        judged(obs([("Cross-Origin-Embedder-Policy", "credentialless")]), "web.header.coep").status
        is P
    )


# --- Cookies, one by one ---------------------------------------------------------

HSTS = ("Strict-Transport-Security", "max-age=31536000")


@pytest.mark.parametrize(
    ("cookie", "hsts", "expected", "said"),
    [
        ("__Host-session=1; Path=/; Secure; HttpOnly; SameSite=Lax", False, P, ""),
        ("PHPSESSID=1; path=/", True, F, "PHPSESSID (session): no Secure"),
        ("sessionid=1; Secure", False, F, "no HttpOnly"),
        ("lang=en", False, F, "lang: no Secure"),
        ("lang=en", True, W, "HSTS keeps returning visitors"),
        ("theme=dark; Secure; SameSite=Sometimes", False, F, "SameSite=sometimes is not a valid"),
        ("track=1; SameSite=None", True, F, "SameSite=None without Secure"),
        ("csrftoken=1; Secure", False, F, "anti-CSRF token without SameSite"),
        ("auth_token=1; Secure; HttpOnly", False, W, "no SameSite"),
        # Not a session cookie: HttpOnly and SameSite are its own business (MDN).
        ("lang=en; Secure", False, P, ""),
    ],
)
def test_cookies_are_graded_one_by_one(
    cookie: str, hsts: bool, expected: Status, said: str
) -> None:
    headers = [("Set-Cookie", cookie), *([HSTS] if hsts else [])]
    found = judged(obs(headers), "web.cookie.insecure")
    assert found.status is expected, found.detail
    assert said in found.detail
    (graded,) = found.evidence["cookies"]  # type: ignore[misc]
    assert graded["grade"] == str(expected)  # type: ignore[index]


def test_each_cookie_keeps_its_own_grade() -> None:
    found = judged(
        obs(
            [("Set-Cookie", "sid=1; Secure; HttpOnly; SameSite=Strict"), ("Set-Cookie", "lang=en")]
        ),
        "web.cookie.insecure",
    )
    grades = {c["name"]: c["grade"] for c in found.evidence["cookies"]}  # type: ignore[index, union-attr]
    assert grades == {"sid": "pass", "lang": "fail"}
    assert judged(obs(), "web.cookie.insecure").status is INF


@given(st.text(max_size=200), st.booleans())
def test_the_cookie_reader_takes_any_text(text: str, hsts: bool) -> None:
    cookies.grade(cookies.parse(text), hsts)


# --- What the page loads and submits -----------------------------------------------

PAGE = (
    "<html><head>"
    '<link rel="stylesheet" href="http://cdn.example.net/site.css">'
    '<link rel="icon" href="http://cdn.example.net/favicon.ico">'
    '<meta name="referrer" content="no-referrer">'
    "<!-- <script src='http://hidden.example.net/x.js'></script> -->"
    "</head><body>"
    '<img src="http://img.example.net/logo.png">'
    '<form action="http://www.example.com/search"><input name="q"></form>'
    '<form action="/login" method="post"><input type="text" name="u">'
    '<INPUT TYPE="password" name="p"></form>'
    "</body></html>"
)


def test_the_page_reader() -> None:
    page = read_page(PAGE)
    assert page.plain_http == [
        Resource("link", "http://cdn.example.net/site.css"),
        Resource("img", "http://img.example.net/logo.png"),
    ]
    assert page.forms == [
        Form("http://www.example.com/search", "get"),
        Form("/login", "post", password=True),
    ]
    assert page.meta == [Meta("name", "referrer", "no-referrer")]
    # A password field outside any form is still a login.
    assert read_page('<input type="password">').forms == [Form("", "", password=True)]


@given(st.text(max_size=400))
def test_the_page_reader_takes_any_text(text: str) -> None:
    read_page(text)
    read_page("<form><input type=password>" + text)


def test_mixed_content() -> None:
    o = obs(page=PAGE)
    found = judged(o, "web.mixed_content")
    assert found.status is F
    assert "link http://cdn.example.net/site.css" in found.detail
    assert "form to http://www.example.com/search" in found.detail
    passive = obs(page='<img src="http://img.example.net/a.png">')
    assert judged(passive, "web.mixed_content").status is W
    upgraded = obs([("Content-Security-Policy", "upgrade-insecure-requests")], page=PAGE)
    assert judged(upgraded, "web.mixed_content").status is P
    assert judged(obs(page="<p>hello</p>"), "web.mixed_content").status is P
    assert judged(obs(page=None), "web.mixed_content").status is INF
    # A scan saved before pages were read says so, never "pass".
    assert judged(obs(html_read=None), "web.mixed_content").status is NA


def test_referrer_policy_from_meta() -> None:
    assert judged(obs(page=PAGE), "web.header.referrer_policy_missing").status is P
    leaky = obs(
        [("Referrer-Policy", "no-referrer")], page='<meta name="referrer" content="unsafe-url">'
    )
    assert judged(leaky, "web.header.referrer_policy_missing").status is F
    listed = obs([("Referrer-Policy", "no-referrer, strict-origin-when-cross-origin")])
    assert judged(listed, "web.header.referrer_policy_missing").status is P


def test_password_forms() -> None:
    assert judged(obs(page=PAGE), "web.login.plain_http").status is P
    to_plain = obs(page='<form action="http://www.example.com/login"><input type=password></form>')
    assert judged(to_plain, "web.login.plain_http").status is F
    plain = obs(
        http_hops=(Hop(f"http://{HOST}/", 200, "", ""),),
        plain_page_url=f"http://{HOST}/",
        plain_html_read=True,
        plain_forms=(Form("/login", "post", password=True),),
    )
    found = judged(plain, "web.login.plain_http")
    assert found.status is F and "over plain HTTP" in found.detail
    assert judged(obs(page="<p>hi</p>"), "web.login.plain_http").status is INF
    down = obs(https_status=None, https_error="connection refused", html_read=False)
    assert judged(down, "web.login.plain_http").status is NA
    saved_before = obs(html_read=None, plain_html_read=None)
    assert judged(saved_before, "web.login.plain_http").status is NA


# --- HSTS preloading ---------------------------------------------------------------


def test_preload_from_the_shipped_snapshot_and_the_profile() -> None:
    assert preload.snapshot() == "2025-01-01"
    # On Chromium's list, with their subdomains.
    assert preload.listed("github.com") == "snapshot"
    assert preload.listed("sub.hstspreload.org") == "snapshot"
    assert preload.listed("example.com") is None
    assert preload.listed("www.exemplary.test", ("exemplary.test",)) == "exemplary.test"
    on = judged(obs(preload_entry="snapshot"), "web.hsts.preload")
    assert on.status is P and "2025-01-01" in on.detail
    added = judged(obs(preload_entry="example.com"), "web.hsts.preload")
    assert added.status is P and "the profile adds" in added.detail
    asked = obs([("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload")])
    off = judged(asked, "web.hsts.preload")
    assert off.status is INF and "asks for preloading" in off.detail
    # A scan saved before the list was read: not assessed, never "not listed".
    assert judged(obs(preload_list=""), "web.hsts.preload").status is NA
