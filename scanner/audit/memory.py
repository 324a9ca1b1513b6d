"""Keeping a long portfolio run's memory flat (glibc only; elsewhere these do nothing).

With many scanning threads, glibc gives each its own malloc arena and rarely
returns freed memory to the system, so a process that only ever holds a few
scans at once still grows with every vendor it has seen. Fewer arenas and an
explicit trim after each vendor keep the peak near what the concurrent scans need.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache

_M_ARENA_MAX = -8
ARENAS = 4


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt  # noqa: B018 - glibc has it; musl and others do not
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas() -> None:
    """Call before starting worker threads."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, ARENAS)


def release_memory() -> None:
    """Collect cycles and hand freed pages back to the system."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
