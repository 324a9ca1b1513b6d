"""What a failed connection means, in words: the server refused or did not answer,
or this machine has no route there (a limit of the scanner, not the provider's)."""

from __future__ import annotations

import errno

from scanner.net.policy import AddressRefused

# Local network errors: the packet never left this machine (no route, no address of
# that family to send from).
_NO_ROUTE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT}


def no_route_reason(exc: OSError, address: str) -> str | None:
    """The reason for a connection this machine could not send, else None."""
    if exc.errno not in _NO_ROUTE:
        return None
    family = "IPv6" if ":" in address else "IPv4"
    return (
        f"no {family} route from this machine ({exc.strerror or exc}): "
        "a limit of the scanning machine, not the provider's"
    )


def connect_error(exc: OSError, address: str, timeout: float) -> tuple[str, str]:
    """(outcome, reason) for a failed TCP connection."""
    if isinstance(exc, AddressRefused):
        return "error", str(exc)  # the address policy's reason (net/dial.py)
    if isinstance(exc, TimeoutError):
        return "timeout", f"no TCP connection within {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "refused", "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "reset", "the connection was reset as it opened"
    local = no_route_reason(exc, address)
    if local:
        return "no_route", local
    return "error", f"cannot connect: {exc.strerror or exc}"
