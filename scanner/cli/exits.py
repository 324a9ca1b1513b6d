"""Exit codes, and the one place where errors become them.

0 scanned, nothing failed at or above the profile's fail threshold; 1 findings at
or above it (for audit: a vendor regressed or has news; for verify: something was altered);
2 usage or input error; 3 the scan or its outputs could not be completed; 4 another
audit holds the history's lock.
"""

from __future__ import annotations

from scanner.errors import InputError, LockHeld, VetscanError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_LOCKED = 0, 1, 2, 3, 4


def exit_code(error: VetscanError) -> int:
    if isinstance(error, InputError):
        return EXIT_USAGE
    if isinstance(error, LockHeld):
        return EXIT_LOCKED
    return EXIT_INCOMPLETE
