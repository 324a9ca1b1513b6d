"""One root for every error vetscan raises on purpose, and the few kinds a caller
must tell apart. Domain errors subclass a kind; none carries an exit code (the CLI
maps kinds to codes in one place: scanner/cli/exits.py).

- InputError: what the caller gave is wrong (a name, a file, an option). Exit 2.
- EnvironmentUnusable: something vetscan needs here is missing or broken (a tool,
  a lab server, a library). Exit 3.
- ScanIncomplete: the scan, or writing its results, could not be completed. Exit 3.
- HistoryUnusable: the history store cannot be used. Exit 3.
- IntegrityFailure: evidence does not verify, or a key cannot be used. Exit 3
  (``verify`` reports altered files with exit 1 without raising).
- LockHeld: another audit holds the history's lock. Exit 4.
"""

from __future__ import annotations


class VetscanError(Exception):
    """The root: ``except VetscanError`` catches everything vetscan raises on purpose."""


class InputError(VetscanError, ValueError):
    """The caller's input is wrong; the message says which and why."""


class EnvironmentUnusable(VetscanError):
    """A tool, server or library vetscan needs is missing or unusable."""


class ScanIncomplete(VetscanError):
    """The scan or its outputs could not be completed."""


class HistoryUnusable(VetscanError):
    """The history store cannot be used; the message says why and what to do."""


class IntegrityFailure(VetscanError):
    """Evidence or a key that does not verify or cannot be used."""


class LockHeld(VetscanError):
    """Another audit holds the lock on the same history."""
