"""The HSTS preload list: Chromium's, as shipped in the ``hstspreload`` package (a
dated snapshot: its version is the date), plus names a profile adds for entries
newer than the snapshot (``web.hsts_preloaded``). The only module that reads it."""

from __future__ import annotations

from collections.abc import Sequence

import hstspreload


def snapshot() -> str:
    """The snapshot's date, from the package version (YYYY.M.D)."""
    year, month, day = (int(part) for part in hstspreload.__version__.split(".")[:3])
    return f"{year:04d}-{month:02d}-{day:02d}"


def listed(host: str, extra: Sequence[str] = ()) -> str | None:
    """Where ``host`` is preloaded: "snapshot", the added name that covers it (with its
    subdomains), or None when it is on neither."""
    lowered = host.lower().rstrip(".")
    for name in extra:
        name = name.lower().rstrip(".")
        if lowered == name or lowered.endswith("." + name):
            return name
    try:
        return "snapshot" if hstspreload.in_hsts_preload(lowered) else None
    except UnicodeEncodeError:  # not an A-label name: the list holds none
        return None
