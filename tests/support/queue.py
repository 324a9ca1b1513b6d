"""Databases and worker processes for the distributed mode's tests: each test
module gets a database of its own on the session's PostgreSQL, and real
`vetscan worker` processes (Celery) started and stopped like a service would be."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

_names = itertools.count()


def new_database(server: str) -> str:
    """A new, empty database on the PostgreSQL server of URL ``server``; its URL."""
    name = f"t{os.getpid()}_{next(_names)}"
    base = server.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}".encode())
    return f"{base}/{name}"


class WorkerProcess:
    """`vetscan worker` in a process group of its own (Celery's pool processes are
    its children, so a SIGKILL to the group is a machine lost mid-scan)."""

    def __init__(self, queue: str, db: str, log: Path, *more: str) -> None:
        self.log = log
        self._handle = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scanner", "worker", "--queue", queue, "--db", db,
             "--allow-private", *more],
            stdout=self._handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def peak_mb(self) -> float:
        """The largest peak memory (VmHWM) of the worker and its pool processes."""
        peaks = []
        pids = [str(self.process.pid)]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += children.read_text().split()
        for pid in pids:
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
                peaks.append(int(line.split()[1]) / 1024)
        return max(peaks, default=0.0)

    def wait_for(self, needle: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while needle not in self.text():
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited ({self.process.returncode}): {self.text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"worker never said {needle!r}: {self.text()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes at once."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()
        self._handle.close()
