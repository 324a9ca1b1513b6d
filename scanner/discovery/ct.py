"""Certificate transparency: names in the certificates issued for the provider.

Two formats, each behind a base URL that is a profile setting (a mirror or the
lab's stub can stand in for the public services):

- crt.sh style: ``GET {base}?q=%.DOMAIN&output=json``, a JSON list whose entries
  hold ``name_value`` (names separated by newlines, ``*.`` wildcards included);
- Certspotter style: ``GET {base}v1/issuances?domain=DOMAIN&include_subdomains=true
  &expand=dns_names``, a JSON list of issuances with ``dns_names``, paged with
  ``after=<last id>``.

A refusal (403, 429), a gateway error, an HTML error page instead of JSON, a slow
drip or an oversized answer makes the source unavailable, with the reason; the
scan goes on with the other sources.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from scanner.discovery.base import (
    Found,
    HttpFetch,
    Source,
    SourceContext,
    SourceResult,
    SourceUnavailable,
)

MAX_PAGES = 10
MAX_NAMES = 10_000


def _json(status: int | None, body: bytes, error: str, where: str) -> Any:
    if status is None:
        raise SourceUnavailable(f"{where}: {error}")
    if status != 200:
        hint = {403: " (refused)", 429: " (rate limited)", 502: " (gateway error)"}.get(status, "")
        raise SourceUnavailable(f"{where} answered HTTP {status}{hint}")
    if error:  # a body over the size cap
        raise SourceUnavailable(f"{where}: {error}")
    try:
        return json.loads(body)
    except RecursionError:
        raise SourceUnavailable(f"{where} answered with JSON nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        start = body[:200].lstrip().lower()
        kind = "an HTML page" if start.startswith((b"<!doctype", b"<html")) else "text"
        raise SourceUnavailable(f"{where} answered with {kind}, not JSON") from None


def crtsh_names(data: Any) -> list[str]:
    """Names in a crt.sh JSON answer (pure)."""
    if not isinstance(data, list):
        raise SourceUnavailable("the crt.sh answer is not a JSON list")
    names: list[str] = []
    for entry in data:
        if isinstance(entry, dict):
            for key in ("name_value", "common_name"):
                value = entry.get(key)
                if isinstance(value, str):
                    names += [n for n in value.split("\n") if n.strip()]
    return names


def certspotter_names(data: Any) -> tuple[list[str], str | None]:
    """(names, the id to page after) of one Certspotter answer page (pure)."""
    if not isinstance(data, list):
        raise SourceUnavailable("the Certspotter answer is not a JSON list")
    names: list[str] = []
    last = None
    for issuance in data:
        if isinstance(issuance, dict):
            dns_names = issuance.get("dns_names")
            if isinstance(dns_names, list):
                names += [n for n in dns_names if isinstance(n, str)]
            if isinstance(issuance.get("id"), str | int):
                last = str(issuance["id"])
    return names, last


def _fetch(context: SourceContext) -> HttpFetch:
    if context.fetch is None:
        raise SourceUnavailable("no HTTP client for CT lookups")
    return context.fetch


def _urls(context: SourceContext, key: str) -> list[str]:
    urls = context.settings.get(key, ())
    return [str(u) for u in urls] if isinstance(urls, tuple | list) else []


def _result(names: list[str], source: str, where: str) -> SourceResult:
    unique = list(dict.fromkeys(n.strip().lower() for n in names))
    notes: tuple[str, ...] = ()
    if len(unique) > MAX_NAMES:
        notes = (f"{where} listed {len(unique)} names; the first {MAX_NAMES} were taken",)
    found = tuple(Found(n, source, where) for n in unique[:MAX_NAMES])
    return SourceResult(found, notes=notes)


class CrtShSource(Source):
    name = "ct"
    description = "certificate transparency search, crt.sh JSON format"
    passive = True
    needs = ("http",)
    setting = "crtsh_urls"

    def discover(self, domain: str, context: SourceContext) -> SourceResult:
        fetch, names = _fetch(context), []
        urls = _urls(context, self.setting)
        if not urls:
            return SourceResult(notes=("no crt.sh-style search is configured",))
        for base in urls:
            where = f"CT search {base}"
            status, body, error = fetch(base, f"?q={quote('%.' + domain)}&output=json")
            names += crtsh_names(_json(status, body, error, where))
        return _result(names, self.name, f"certificate transparency ({', '.join(urls)})")


class CertspotterSource(Source):
    name = "ct-certspotter"
    description = "certificate transparency search, Certspotter issuances API format"
    passive = True
    needs = ("http",)
    setting = "certspotter_urls"

    def discover(self, domain: str, context: SourceContext) -> SourceResult:
        fetch, names = _fetch(context), []
        urls = _urls(context, self.setting)
        if not urls:
            return SourceResult(notes=("no Certspotter-style search is configured",))
        for base in urls:
            where = f"CT search {base}"
            after = None
            for _ in range(MAX_PAGES):
                query = (
                    f"v1/issuances?domain={quote(domain)}&include_subdomains=true"
                    "&expand=dns_names" + (f"&after={quote(after)}" if after else "")
                )
                page, last = certspotter_names(_json(*fetch(base, query), where))
                names += page
                if not page or last is None or last == after:
                    break
                after = last
        return _result(names, "ct", f"certificate transparency ({', '.join(urls)})")
