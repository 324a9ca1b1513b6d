"""Which names a scan may look at: the provider's domains and names under them.

A source may return names of other domains (a shared certificate lists a CDN's
names): those are "related", listed in the report and never scanned.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.net.targets import InvalidTarget, normalize_hostname


def clean(raw: str) -> tuple[str | None, str]:
    """(the name in canonical form, "") or (None, why it is not a host name).

    A certificate's wildcard ``*.a.test`` says hosts exist under ``a.test``; the
    name itself is kept without the wildcard label.
    """
    text = raw.strip().rstrip(".")
    if text.startswith("*."):
        text = text[2:]
    try:
        return normalize_hostname(text), ""
    except InvalidTarget as exc:
        return None, str(exc)


def in_scope(name: str, domains: Iterable[str]) -> bool:
    return any(name == d or name.endswith("." + d) for d in domains)
