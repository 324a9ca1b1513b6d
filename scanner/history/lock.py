"""One audit per history database at a time (overlapping cron runs)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from scanner.errors import HistoryUnusable, LockHeld


class Locked(LockHeld):
    """Another run holds the lock."""


class LockUnavailable(HistoryUnusable):
    """The lock file cannot be made (a read-only folder, a full disk)."""


class AuditLock:
    """An exclusive, non-blocking flock on ``<db>.lock``.

    The kernel drops the lock when the holder exits, however it exits (SIGKILL
    included), so a crashed run never leaves a stale lock behind. The file keeps
    the holder's PID for the message the next run prints.
    """

    def __init__(self, db: Path) -> None:
        self.path = db.with_name(db.name + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> AuditLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockUnavailable(
                f"cannot create the audit's lock file {self.path}: {exc.strerror or exc}; "
                "the history database needs a writable folder"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise Locked(
                f"another vetscan audit (pid {holder}) is using {self.path.with_suffix('')}"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None
