"""The audit lock: one run at a time, and no stale lock after a crash."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from scanner.history.lock import AuditLock, Locked


def test_a_second_holder_is_refused_naming_the_first(tmp_path: Path) -> None:
    with AuditLock(tmp_path / "h.db"):
        with pytest.raises(Locked, match=r"pid \d+"):
            with AuditLock(tmp_path / "h.db"):
                pass
    with AuditLock(tmp_path / "h.db"):  # released on exit
        pass


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    code = (
        "import sys, time; from pathlib import Path; from scanner.history.lock import AuditLock\n"
        f"with AuditLock(Path({str(tmp_path / 'h.db')!r})):\n"
        "    print('held', flush=True); time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(Locked):
            with AuditLock(tmp_path / "h.db"):
                pass
    finally:
        holder.kill()
        holder.wait()
    start = time.monotonic()
    with AuditLock(tmp_path / "h.db"):
        assert time.monotonic() - start < 1
