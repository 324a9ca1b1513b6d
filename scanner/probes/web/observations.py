"""What the web probe saw of one web host: the plain-HTTP redirect chain (and the
page it ends on when that stays on HTTP), the HTTPS front page's headers and what
its HTML loads, submits and declares, and its security.txt."""

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
class Resource:
    """Something a page loads: the tag (script, iframe, link for a style sheet, img …)
    and the URL it names."""

    tag: str
    url: str


@dataclass(frozen=True)
class Form:
    """A <form>: where it submits (its action, as written; empty is the page itself)
    and whether it holds a password field."""

    action: str
    method: str
    password: bool = False


@dataclass(frozen=True)
class Meta:
    """A declaration in the page's <meta>: http-equiv (key: the header it stands
    for, lowercased) or name="referrer"."""

    kind: str
    key: str
    content: str


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
    # The HTTPS front page's HTML: None in scans saved before it was read, False when
    # the page is not HTML (nothing to read).
    html_read: bool | None = None
    plain_http_loads: tuple[Resource, ...] = ()  # what it loads from http:// URLs
    forms: tuple[Form, ...] = ()
    meta: tuple[Meta, ...] = ()
    # The page plain HTTP ends on when the chain stays on HTTP (no redirect to HTTPS):
    # its URL, and its forms when it is HTML (None: saved before; False: not HTML or
    # the chain reached HTTPS).
    plain_page_url: str = ""
    plain_html_read: bool | None = None
    plain_forms: tuple[Form, ...] = ()
    # The HSTS preload list as it stood for this scan: its date ("" in scans saved
    # before it was looked up) and the entry covering the host ("snapshot" for
    # Chromium's list, a name the profile added, None: not listed).
    preload_list: str = ""
    preload_entry: str | None = None

    def header_values(self, name: str) -> tuple[str, ...]:
        """Every value of the HTTPS front page's header ``name``, in order."""
        lowered = name.lower()
        return tuple(v for k, v in self.headers if k.lower() == lowered)

    def header(self, name: str) -> str | None:
        """The first value of the header ``name``; None when it was not sent."""
        values = self.header_values(name)
        return values[0] if values else None

    def meta_values(self, kind: str, key: str) -> tuple[str, ...]:
        """The content of every <meta> of ``kind`` ("http-equiv" or "name") for ``key``."""
        return tuple(m.content for m in self.meta if m.kind == kind and m.key == key)
