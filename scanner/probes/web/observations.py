"""What the web probe saw of one web host: the plain-HTTP redirect chain, the HTTPS
front page's headers and scripts, and its security.txt."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import Observation


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
