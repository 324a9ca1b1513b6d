"""Web hardening: HTTP to HTTPS redirect, security headers, cookies, version
disclosure and security.txt on each web host (domain and www)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.concurrency import DaemonPool
from scanner.model import Finding, Observation, Target
from scanner.net.http import HttpResponse
from scanner.net.urls import BadLocation, HttpUrl, resolve_location
from scanner.observations.dns import HostAddresses
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.web.evaluate import IDS, evaluate_host
from scanner.probes.web.html import external_scripts
from scanner.scoring.profile import Profile

MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Hop:
    url: str
    status: int | None
    location: str
    error: str
    invalid: bool = False  # the Location was not a plain http(s) URL


@dataclass(frozen=True)
class WebObservation(Observation):
    kind = "web.host"
    host: str
    address: str
    http_hops: tuple[Hop, ...]  # from http://host/ on, following redirects
    https_status: int | None
    https_error: str
    headers: tuple[tuple[str, str], ...]  # of the HTTPS response for /
    scripts: tuple[tuple[str, bool], ...]  # (src, has integrity=) of <script src> on the page
    security_txt_url: str
    security_txt_status: int | None
    security_txt_type: str
    security_txt: str | None
    security_txt_error: str
    security_txt_cert_error: str = ""  # set when only an unverified fetch got the file
    security_txt_too_large: bool = False  # answered 200 with more than the body limit


class WebProbe(Probe):
    name = "web"
    description = "HTTPS redirect, security headers, cookies, version disclosure and security.txt of the web hosts."
    version = "1"
    rank = 80
    consumes = ("dns-discovery",)
    observation_types = (WebObservation,)
    checks = IDS

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        hosts = [
            h
            for h in context.upstream["dns-discovery"].observations_of(HostAddresses)
            if ("web" in h.roles or "discovered" in h.roles) and h.addresses
        ]
        with DaemonPool(8, name="web") as pool:
            seen = pool.map(lambda h: _observe(h, context), hosts)
        # A host discovery found is judged as a website only if it serves one.
        return [
            o
            for h, o in zip(hosts, seen, strict=True)
            if "web" in h.roles or o.https_status is not None or _answered_http(o)
        ]

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return [f for o in observations if isinstance(o, WebObservation) for f in evaluate_host(o)]


def _answered_http(o: WebObservation) -> bool:
    return bool(o.http_hops) and o.http_hops[0].status is not None


def _follow(host: str, address: str, context: ProbeContext) -> tuple[Hop, ...]:
    """GET http://host/ and follow up to five redirects.

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
            break
        try:
            following = resolve_location(url, location)
        except BadLocation as exc:
            hops.append(Hop("", None, "", f"invalid redirect Location: {exc}", invalid=True))
            break
        if following.host != url.host:
            next_address = _address_of(following, context)
            if next_address.startswith("!"):
                hops.append(Hop(str(following), None, "", next_address[1:]))
                break
            address = next_address
        url = following
    else:
        hops.append(Hop("", None, "", f"more than {MAX_REDIRECTS} redirects"))
    return tuple(hops)


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


def _observe(h: HostAddresses, context: ProbeContext) -> WebObservation:
    assert context.http is not None
    address = h.addresses[0]
    hops = _follow(h.host, address, context)
    page: HttpResponse = context.http.get(h.host, address, "/", verify=False)
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
        scripts=tuple(external_scripts(page.body.decode("utf-8", errors="replace")))
        if "html" in (page.header("content-type") or "")
        else (),
        security_txt_url=sectxt_url,
        security_txt_status=sectxt.status,
        security_txt_type=(sectxt.header("content-type") or "").split(";")[0].strip().lower(),
        security_txt=text,
        security_txt_error=sectxt.error
        or ("larger than the body limit" if sectxt.truncated else ""),
        security_txt_cert_error=cert_error,
        security_txt_too_large=sectxt.status == 200 and sectxt.truncated,
    )


PROBE = WebProbe
