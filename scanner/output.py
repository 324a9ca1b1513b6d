"""Writing reports: atomically, and never over an earlier file."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path


def report_stem(provider: str, started: datetime) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", provider.lower()).strip("-")[:60] or "provider"
    return f"{slug}-{started.strftime('%Y%m%dT%H%M%SZ')}"


def write_new(directory: Path, stem: str, suffix: str, text: str) -> Path:
    """Write ``text`` to ``directory/stem.suffix`` (or ``stem-2.suffix``, ...).

    The content goes to a temporary file in the same folder first and is then
    hard-linked into place: a reader never sees a half-written report, and an
    existing report is never replaced.
    """
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".vetscan-", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        for n in range(1, 1000):
            final = directory / (f"{stem}.{suffix}" if n == 1 else f"{stem}-{n}.{suffix}")
            try:
                os.link(tmp, final)
            except FileExistsError:
                continue
            return final
        raise FileExistsError(f"too many reports named {stem}.* in {directory}")
    finally:
        tmp.unlink(missing_ok=True)
