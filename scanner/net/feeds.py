"""The operator's reference-data feeds (CISA's Known Exploited Vulnerabilities
catalogue): one bounded HTTP GET. Not a scan target, so not under the scan's address
policy, like the alert webhook; bounded all the same: one deadline for the whole
download (a server that trickles costs the timeout, never more), a size cap, no
redirects, and messages that never show a URL's credentials or query."""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from scanner.errors import InputError


class FeedError(InputError):
    """The feed could not be downloaded; the message names its host and path."""


def shown_url(url: str) -> str:
    """scheme://host[:port]/path, without credentials or query (they may carry a token)."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or '?'}{port}{parts.path}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a moved feed is an error to look at, not a place to follow


def fetch_feed(url: str, timeout: float, max_bytes: int) -> bytes:
    """The body at ``url`` (http or https) within ``timeout`` seconds in all and
    ``max_bytes``; FeedError when it fails."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        valid = valid and (parts.port is None or parts.port > 0)
    except ValueError:
        valid = False
    if not valid or any(c.isspace() or not c.isprintable() for c in url):
        raise FeedError("the feed URL must be an http(s) URL with a host")
    where = shown_url(url)
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"User-Agent": "vetscan"})  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirects)
    chunks: list[bytes] = []
    size = 0
    try:
        with opener.open(request, timeout=timeout) as response:
            while True:
                if time.monotonic() > deadline:
                    raise FeedError(f"{where} did not send the file within {timeout:g} s")
                chunk = response.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FeedError(f"{where} sent more than {max_bytes // 2**20} MiB")
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        moved = " (a redirect: not followed)" if 300 <= exc.code < 400 else ""
        raise FeedError(f"{where} answered HTTP {exc.code}{moved}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise FeedError(f"cannot download {where}: {reason}") from None
    return b"".join(chunks)
