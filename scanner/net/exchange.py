"""One short plain-TCP exchange with a service that vetscan names itself: read what
it says first (a VNC or telnet greeting), or send one request (Redis INFO, an HTTP
GET to the Docker API) and read the answer. Bounded in time and size; the address
goes through the policy like every other connection (scanner.net.dial)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from scanner.net import dial
from scanner.net.connect_errors import connect_error
from scanner.net.policy import AddressPolicy

MAX_REPLY = 8192  # more than any answer read here (Redis INFO server is ~1 KB)


@dataclass(frozen=True)
class Exchange:
    outcome: str  # ok, timeout, refused, reset, no_route, error
    reply: bytes = b""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def exchange(
    address: str,
    port: int,
    timeout: float,
    *,
    policy: AddressPolicy,
    request: bytes = b"",
    complete: Callable[[bytes], bool] | None = None,
) -> Exchange:
    """What ``address:port`` answers to ``request`` (or says unasked, without one),
    read until ``complete`` says the answer is whole, the server closes, MAX_REPLY
    bytes or the timeout."""
    deadline = time.monotonic() + timeout
    try:
        sock = dial.tcp(policy, address, port, timeout)
    except OSError as exc:
        outcome, reason = connect_error(exc, address, timeout)
        return Exchange(outcome, reason=reason)
    data = b""
    try:
        if request:
            sock.sendall(request)
        while len(data) < MAX_REPLY and not (complete and complete(data)):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                chunk = sock.recv(MAX_REPLY - len(data))
            except TimeoutError:
                break
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        return Exchange("reset", data, "the server reset the connection")
    except OSError as exc:
        return Exchange("error", data, str(exc.strerror or exc))
    finally:
        sock.close()
    if not data:
        return Exchange("timeout", b"", f"no answer within {timeout:g} s")
    return Exchange("ok", data[:MAX_REPLY])
