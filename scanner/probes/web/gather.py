"""Gathering for the web probe: every request through the context's HTTP client, to
an address the policy approved; redirects followed one hop at a time."""

from __future__ import annotations

from scanner.net.http import HttpResponse
from scanner.net.urls import BadLocation, HttpUrl, resolve_location
from scanner.observations.dns import HostAddresses
from scanner.probes.base import ProbeContext
from scanner.probes.web import preload
from scanner.probes.web.html import Page, read_page

from .observations import Hop, WebObservation

MAX_REDIRECTS = 5


def answered_http(o: WebObservation) -> bool:
    return bool(o.http_hops) and o.http_hops[0].status is not None


def follow(host: str, address: str, context: ProbeContext) -> tuple[Hop, ...]:
    """GET http://host/ and follow up to five redirects (see ``follow_to_page``)."""
    return follow_to_page(host, address, context)[0]


def follow_to_page(
    host: str, address: str, context: ProbeContext
) -> tuple[tuple[Hop, ...], HttpResponse | None]:
    """GET http://host/ and follow up to five redirects; the hops, and the last
    response when it is a page (not a redirect) still on plain HTTP.

    Each Location is resolved and parsed strictly (scanner.net.urls); a new host is
    looked up through the scan's resolver and its address checked by the policy
    before any packet goes there. A Location that is not a plain http(s) URL ends
    the chain with an invalid hop; the other web checks do not depend on it.
    """
    assert context.http is not None
    hops: list[Hop] = []
    url = HttpUrl("http", host, 80, "/")
    for _ in range(MAX_REDIRECTS + 1):
        response = context.http.get(
            url.host,
            address,
            url.target,
            scheme=url.scheme,
            port=url.port,
            verify=False,
        )
        location = response.header("location") or ""
        hops.append(Hop(str(url), response.status, location, response.error))
        if response.status not in (301, 302, 303, 307, 308) or not location:
            plain = url.scheme == "http" and response.status is not None
            return tuple(hops), response if plain else None
        try:
            following = resolve_location(url, location)
        except BadLocation as exc:
            hops.append(Hop("", None, "", f"invalid redirect Location: {exc}", invalid=True))
            return tuple(hops), None
        if following.host != url.host:
            next_address = _address_of(following, context)
            if next_address.startswith("!"):
                hops.append(Hop(str(following), None, "", next_address[1:]))
                return tuple(hops), None
            address = next_address
        url = following
    hops.append(Hop("", None, "", f"more than {MAX_REDIRECTS} redirects"))
    return tuple(hops), None


def _address_of(url: HttpUrl, context: ProbeContext) -> str:
    """The address to connect to for ``url``'s host, or "!reason" when there is none."""
    if url.ip is not None:
        candidates = [str(url.ip)]
    else:
        candidates = []
        for rtype in ("A", "AAAA"):
            candidates = list(context.resolver.query(url.host, rtype).records)
            if candidates:
                break
        if not candidates:
            return f"!redirect target {url.host} does not resolve"
    refusal = context.policy.refusal(candidates[0])
    if refusal:
        return f"!redirect refused: {refusal}"
    return candidates[0]


def observe(h: HostAddresses, context: ProbeContext) -> WebObservation:
    assert context.http is not None
    address = h.addresses[0]
    hops, plain = follow_to_page(h.host, address, context)
    plain_page = _html(plain) if plain is not None else None
    page: HttpResponse = context.http.get(h.host, address, "/", verify=False)
    front = _html(page)
    sectxt_url = f"https://{h.host}/.well-known/security.txt"
    sectxt = context.http.get(h.host, address, "/.well-known/security.txt")
    cert_error = ""
    if sectxt.tls_error:
        # RFC 9116 wants valid HTTPS; read the file anyway, to report everything at once.
        cert_error = sectxt.error
        sectxt = context.http.get(h.host, address, "/.well-known/security.txt", verify=False)
    text = None
    if sectxt.status == 200 and not sectxt.truncated:
        text = sectxt.body.decode("utf-8", errors="replace")
    return WebObservation(
        host=h.host,
        address=address,
        http_hops=hops,
        https_status=page.status,
        https_error=page.error,
        headers=page.headers,
        scripts=tuple(front.scripts) if front else (),
        security_txt_url=sectxt_url,
        security_txt_status=sectxt.status,
        security_txt_type=(sectxt.header("content-type") or "").split(";")[0].strip().lower(),
        security_txt=text,
        security_txt_error=sectxt.error
        or ("larger than the body limit" if sectxt.truncated else ""),
        security_txt_cert_error=cert_error,
        security_txt_too_large=sectxt.status == 200 and sectxt.truncated,
        html_read=front is not None,
        plain_http_loads=tuple(front.plain_http) if front else (),
        forms=tuple(front.forms) if front else (),
        meta=tuple(front.meta) if front else (),
        plain_page_url=hops[-1].url if plain is not None else "",
        plain_html_read=plain_page is not None,
        plain_forms=tuple(plain_page.forms) if plain_page else (),
        preload_list=preload.snapshot(),
        preload_entry=preload.listed(
            h.host, tuple(context.profile.setting("web", "hsts_preloaded"))
        ),
    )


def _html(response: HttpResponse) -> Page | None:
    """What an HTML page loads, submits and declares; None when it is no HTML page."""
    if response.status is None or "html" not in (response.header("content-type") or ""):
        return None
    return read_page(response.body.decode("utf-8", errors="replace"))
