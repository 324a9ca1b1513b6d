"""Cookies graded one by one, as MDN HTTP Observatory v2 grades them: pure functions
over Set-Cookie header text (RFC 6265bis section 5.6).

A login or session cookie must be Secure and HttpOnly; every cookie should be
Secure (HSTS softens its absence for returning visitors); SameSite must be valid,
and an anti-CSRF token needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What names a cookie as a session or login identifier (MDN: "sess", "login"; the
# common frameworks' auth and token cookies and connect.sid too).
_SESSION = re.compile(r"sess|login|auth|token|(^|[._-])sid$", re.IGNORECASE)
_ANTI_CSRF = re.compile(r"csrf|xsrf", re.IGNORECASE)
_SAMESITE = ("strict", "lax", "none")


@dataclass(frozen=True)
class Cookie:
    name: str
    secure: bool
    httponly: bool
    samesite: str | None  # lowercased; "" when the attribute has no value

    @property
    def session(self) -> bool:
        return bool(_SESSION.search(self.name))

    @property
    def anti_csrf(self) -> bool:
        return bool(_ANTI_CSRF.search(self.name))


@dataclass(frozen=True)
class Grade:
    cookie: Cookie
    problems: tuple[str, ...]  # what a buyer reads, weaknesses first
    serious: bool  # a weakness (fail); only warnings otherwise

    def to_json(self) -> dict[str, object]:
        c = self.cookie
        return {
            "name": c.name,
            "session": c.session,
            "secure": c.secure,
            "httponly": c.httponly,
            "samesite": c.samesite,
            "problems": list(self.problems),
            "grade": "fail" if self.serious else ("warn" if self.problems else "pass"),
        }


def parse(header: str) -> Cookie:
    """A Set-Cookie value: the name before the first '=', then its attributes (the
    last of a repeated attribute counts, as RFC 6265bis 5.6 says)."""
    pair, *attributes = header.split(";")
    name = pair.split("=", 1)[0].strip() if "=" in pair else ""
    secure = httponly = False
    samesite: str | None = None
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        key = key.strip().lower()
        if key == "secure":
            secure = True
        elif key == "httponly":
            httponly = True
        elif key == "samesite":
            samesite = value.strip().lower()
    return Cookie(name, secure, httponly, samesite)


def grade(cookie: Cookie, hsts: bool) -> Grade:
    """``hsts``: the site sends HSTS, so returning visitors never reach it over HTTP."""
    serious: list[str] = []
    warnings: list[str] = []
    if not cookie.secure:
        if cookie.session:
            serious.append("no Secure: the browser also sends it over plain HTTP")
        elif hsts:
            warnings.append("no Secure (HSTS keeps returning visitors on HTTPS)")
        else:
            serious.append("no Secure: the browser also sends it over plain HTTP")
    if cookie.session and not cookie.httponly:
        serious.append("no HttpOnly: scripts on the page can read it")
    if cookie.samesite is not None and cookie.samesite not in _SAMESITE:
        serious.append(f"SameSite={cookie.samesite or '(empty)'} is not a valid value")
    elif cookie.samesite == "none" and not cookie.secure:
        serious.append("SameSite=None without Secure: browsers refuse it")
    if cookie.samesite is None:
        if cookie.anti_csrf:
            serious.append("an anti-CSRF token without SameSite")
        elif cookie.session:
            warnings.append(
                "no SameSite: sent with other sites' requests where Lax is not the default"
            )
    return Grade(cookie, (*serious, *warnings), bool(serious))


def max_age_positive(hsts_header: str | None) -> bool:
    """Whether a Strict-Transport-Security value turns HSTS on (max-age above 0)."""
    if hsts_header is None:
        return False
    match = re.search(r"max-age\s*=\s*\"?(\d+)", hsts_header, re.IGNORECASE)
    return match is not None and int(match.group(1)) > 0
