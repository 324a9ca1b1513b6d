"""Reading the files a user names: regular files only, each kind with a size cap.

A profile named /dev/zero grew vetscan to 14 GB in seconds and a FIFO named as
the portfolio hung it. Files are opened without blocking, checked to be regular
files on the open descriptor (no race with a rename), and read up to their cap.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from scanner.errors import InputError

KiB, MiB = 1024, 1024 * 1024
LIMITS = {
    "profile": 1 * MiB,
    "portfolio": 16 * MiB,
    "trust anchors": 1 * MiB,
    "key": 64 * KiB,
    "signature": 64 * KiB,
    "saved scan": 256 * MiB,
    "report": 256 * MiB,
    "CA file": 16 * MiB,
    "answers file": 16 * MiB,
}


class InputFileError(InputError):
    """A named file that cannot be used, with a one-line reason naming it."""


def read_input(path: Path, kind: str) -> bytes:
    limit = LIMITS[kind]
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read {kind}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"{path}: the {kind} must be a regular file")
        if info.st_size > limit:
            raise InputFileError(f"{path}: larger than the {limit // KiB} KiB a {kind} may be")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, min(1 * MiB, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise InputFileError(f"{path}: larger than the {limit // KiB} KiB a {kind} may be")
        return b"".join(chunks)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read {kind}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_input_text(path: Path, kind: str) -> str:
    data = read_input(path, kind)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: the {kind} is not UTF-8 text ({exc.reason})") from None


def check_input(path: Path, kind: str) -> None:
    """For files a library reads itself (a CA file): regular, and within the cap."""
    try:
        info = path.stat()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read {kind}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(f"{path}: the {kind} must be a regular file")
    if info.st_size > LIMITS[kind]:
        raise InputFileError(f"{path}: larger than the {LIMITS[kind] // KiB} KiB a {kind} may be")
