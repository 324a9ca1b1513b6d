"""Connection URLs (history database, broker) in messages: the password never
appears, whether the URL is printed or a library quotes it in an error."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit, urlunsplit


def redact(url: str) -> str:
    """A history or broker URL fit for messages: the password becomes ***
    (in the authority and in a ``password=`` query parameter)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{hostport}"
    query = "&".join(
        f"{k}=***" if unquote(k).lower() == "password" else f"{k}={v}" if sep else k
        for k, sep, v in (p.partition("=") for p in parts.query.split("&") if p)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def secrets_of(url: str) -> tuple[str, ...]:
    """The password of a URL, raw and percent-decoded, to scrub from error texts."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    found = []
    if parts.password:
        found += [parts.password, unquote(parts.password), quote(unquote(parts.password))]
    for k, _, v in (p.partition("=") for p in parts.query.split("&") if p):
        if unquote(k).lower() == "password" and v:
            found += [v, unquote(v)]
    return tuple(sorted({s for s in found if s}, key=len, reverse=True))


def scrub(text: str, url: str) -> str:
    for secret in secrets_of(url):
        text = text.replace(secret, "***")
    return text
