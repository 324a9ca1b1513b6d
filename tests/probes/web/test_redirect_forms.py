"""Redirects a hostile provider chooses: every form that names another authority is
resolved and parsed strictly, and without --allow-private nothing inside is contacted.

The lab's redirector (hostile provider, fN.redirect.hostile.test) answers with form N;
a recording listener on 127.0.0.1:9998 and [::1]:9998 must see nothing, and Python's
audit hooks must show no connection except to the redirector and the name server."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.recording import network_events, recorders

from scanner.lab import banners, hostile
from scanner.net.http import HttpClient
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver, parse_nameserver
from scanner.net.urls import BadLocation, HttpUrl, parse_http_url, resolve_location
from scanner.probes.base import ProbeContext
from scanner.probes.web.evaluate import evaluate_host
from scanner.probes.web.probe import WebObservation, follow
from scanner.scoring.profile import Profile

BASE = HttpUrl("http", "www.example.com", 80, "/a/b")

# (form index) -> what must happen: "same-host" (followed on the same host and
# address), "refused" (the address policy stopped it) or "invalid" (not followed).
EXPECTED = {
    0: "same-host",  # @localhost:9998/x is a relative path
    1: "same-host",
    2: "invalid",  # userinfo
    3: "refused",  # 0x7f000001
    4: "refused",  # 2130706433
    5: "refused",  # 127.1
    6: "refused",  # 0177.0.0.1
    7: "refused",  # [::1]
    8: "refused",  # //127.0.0.1:9998/
    9: "invalid",  # localhost: not a qualified name
    10: "refused",  # resolves to 127.0.0.1 through the scan's resolver
    11: "invalid",  # port 99999
    12: "invalid",  # port abc
    13: "invalid",  # [oops
    14: "invalid",  # http:\\127.0.0.1:9998\ has a scheme and no host
    15: "invalid",  # ftp://
}


def test_every_lab_form_has_an_expectation() -> None:
    assert set(EXPECTED) == set(range(len(banners.REDIRECT_FORMS)))
    assert hostile.REDIRECT_FORMS == len(banners.REDIRECT_FORMS)


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("@localhost:9998/x", "http://www.example.com/a/@localhost:9998/x"),
        ("/@0x7f000001:9998/", "http://www.example.com/@0x7f000001:9998/"),
        ("//other.example.org/p?q=1", "http://other.example.org/p?q=1"),
        ("https://Other.Example.org:8443/x y", "https://other.example.org:8443/x%20y"),
        ("http://0x7f000001/", "http://127.0.0.1/"),
        ("http://2130706433/", "http://127.0.0.1/"),
        ("http://127.1/", "http://127.0.0.1/"),
        ("http://0177.0.0.1/", "http://127.0.0.1/"),
        ("http://[::ffff:10.0.0.1]/", "http://[::ffff:a00:1]/"),
        ("../c", "http://www.example.com/c"),
        ("?x=<y>", "http://www.example.com/a/b?x=%3Cy%3E"),
    ],
)
def test_locations_resolve_as_rfc_3986_says(location: str, expected: str) -> None:
    assert str(resolve_location(BASE, location)) == expected


@pytest.mark.parametrize(
    "location",
    [
        "http://user@example.org/",
        "http://user:pw@example.org/",
        "http://example.org:99999/",
        "http://example.org:0/",
        "http://example.org:abc/",
        "http://example.org:\u00b2/",
        "http://[oops/",
        "http://[fe80::1%25eth0]/",
        "ftp://example.org/",
        "javascript:alert(1)",
        "http://localhost/",
        "http://exa mple.org/",
        "http://example.org/\r\nX-Injected: 1",
        "http:///nohost",
        "http://256.1.1.1/",
        "",
    ],
)
def test_bad_locations_are_refused(location: str) -> None:
    with pytest.raises(BadLocation):
        resolve_location(BASE, location)


@given(st.text(max_size=80))
def test_any_location_is_a_clean_url_or_refused(location: str) -> None:
    try:
        url = resolve_location(BASE, location)
    except BadLocation:
        return
    assert url.scheme in ("http", "https") and 1 <= url.port <= 65535
    assert url.target.startswith("/") and url.target.isascii() and " " not in url.target
    text = str(url)
    assert "@" not in text.split("/", 3)[2]  # no userinfo in the authority
    assert parse_http_url(text) == url  # what is shown parses back to the same URL


@pytest.fixture(scope="module")
def hostile_context(lab: Path, default_profile: Profile) -> ProbeContext:
    resolver = Resolver(parse_nameserver(hostile.HOSTILE_NAMESERVER), timeout=2.0)
    # The redirector stands in for a public host; every other address stays refused.
    policy = AddressPolicy(lab_public=(ipaddress.ip_network(f"{hostile.REDIRECTOR}/32"),))
    return ProbeContext(
        resolver, policy, default_profile, http=HttpClient(timeout=2, policy=policy)
    )


@pytest.mark.lab
@pytest.mark.parametrize("form", sorted(EXPECTED))
def test_no_redirect_form_reaches_an_address_the_policy_forbids(
    hostile_context: ProbeContext, form: int
) -> None:
    host = f"f{form}.redirect.{hostile.DOMAIN}"
    nine = [("127.0.0.1", 9998), ("::1", 9998)]
    with recorders(nine) as seen, network_events() as events:
        hops = follow(host, hostile.REDIRECTOR, hostile_context)
    assert seen == [], seen
    connected = {e[1][0] for e in events if e[0] == "socket.connect"}
    assert connected <= {hostile.REDIRECTOR}, connected
    assert not [e for e in events if e[0] == "socket.getaddrinfo"]  # no system resolver
    assert hops[0].status == 302 and hops[0].location == banners.REDIRECT_FORMS[form]
    outcome = EXPECTED[form]
    if outcome == "same-host":
        assert (
            len(hops) == 2 and hops[1].status == 200 and hops[1].url.startswith(f"http://{host}/")
        )
    elif outcome == "refused":
        assert hops[-1].error.startswith("redirect refused"), hops
    else:
        assert hops[-1].invalid and "invalid redirect Location" in hops[-1].error, hops


@pytest.mark.lab
def test_a_malformed_location_fails_the_redirect_and_leaves_the_other_checks(
    hostile_context: ProbeContext,
) -> None:
    host = f"f11.redirect.{hostile.DOMAIN}"  # Location: http://hostile.test:99999/
    hops = follow(host, hostile.REDIRECTOR, hostile_context)
    observation = WebObservation(
        host=host, address=hostile.REDIRECTOR, http_hops=hops, https_status=200, https_error="",
        headers=(("Set-Cookie", "id=1"),), scripts=(), security_txt_url="", security_txt_status=404,
        security_txt_type="text/html", security_txt=None, security_txt_error="",
    )  # fmt: skip
    verdicts = {f.check_id: f for f in evaluate_host(observation)}
    redirect = verdicts["web.https_redirect.missing"]
    assert redirect.status == "fail" and "not a valid http(s) URL" in redirect.detail
    # The real weaknesses around it are still reported (they vanished before).
    assert verdicts["web.header.csp_missing"].status == "fail"
    assert verdicts["web.cookie.insecure"].status == "fail"
    assert not [f for f in verdicts.values() if f.status == "error"]
