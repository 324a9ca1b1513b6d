"""Writing reports: atomically, as a set sharing one name, and never over an earlier file."""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from scanner.errors import ScanIncomplete

TEMP_PREFIX = ".vetscan-"


class WriteError(ScanIncomplete):
    """Reports could not be written (a full disk, a read-only folder); says where and why."""


def describe_write_error(directory: Path, exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return f"no space left on the device of {directory}"
    if exc.errno == errno.EDQUOT:
        return f"disk quota exceeded in {directory}"
    return f"cannot write to {directory}: {exc.strerror or exc}"


def report_stem(provider: str, started: datetime) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", provider.lower()).strip("-")[:60] or "provider"
    return f"{slug}-{started.strftime('%Y%m%dT%H%M%SZ')}"


def _umask() -> int:
    # Read, not set: os.umask() would change it process-wide for a moment, under threads.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _temporary(directory: Path, content: str | bytes) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=directory)
    try:
        # mkstemp makes 0600 files; a report gets the mode any new file would get.
        os.fchmod(fd, 0o666 & ~_umask())
        data = content.encode("utf-8") if isinstance(content, str) else content
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        # A full disk fails the write or the fsync: no half-written file stays behind.
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return Path(tmp_name)


def _sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_set(directory: Path, stem: str, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write each ``suffix -> content`` as ``directory/stem.suffix``, all under one name.

    Every file is written to a temporary file in the same folder first and then
    hard-linked into place: a reader never sees a half-written report, and an
    existing report is never replaced. When any name of the set is taken, the
    whole set moves on to ``stem-2``, ``stem-3``, ... so an HTML page and its JSON
    always share a name.
    """
    directory.mkdir(parents=True, exist_ok=True)
    temps: dict[str, Path] = {}
    try:
        for suffix, content in files.items():
            temps[suffix] = _temporary(directory, content)
        for n in range(1, 1000):
            name = stem if n == 1 else f"{stem}-{n}"
            linked: list[Path] = []
            try:
                for suffix, tmp in temps.items():
                    final = directory / f"{name}.{suffix}"
                    os.link(tmp, final)
                    linked.append(final)
            except FileExistsError:
                for path in linked:
                    path.unlink(missing_ok=True)
                continue
            _sync_dir(directory)
            return linked
        raise FileExistsError(f"too many reports named {stem}.* in {directory}")
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def write_new(directory: Path, stem: str, suffix: str, content: str | bytes) -> Path:
    return write_set(directory, stem, {suffix: content})[0]


def replace_atomic(path: Path, content: str | bytes) -> Path:
    """Replace ``path`` in one step (for pointers such as index.html, never for reports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path.parent, content)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _sync_dir(path.parent)
    return path
