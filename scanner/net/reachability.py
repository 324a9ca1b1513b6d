"""Cheap checks that an endpoint speaks TLS before a full scan (STARTTLS: net/starttls.py).

A port that accepts connections and then says nothing would cost sslyze close to
a minute; one short handshake attempt here settles it within the timeout.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass

from scanner.net import dial
from scanner.net.connect_errors import connect_error
from scanner.net.policy import AddressPolicy
from scanner.net.tls_contexts import lenient_client_context


@dataclass(frozen=True)
class Reachability:
    outcome: str  # ok, timeout, refused, reset, no_route, not_tls, oversized, not_smtp, no_starttls, limited, error
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def _connect(
    policy: AddressPolicy, address: str, port: int, timeout: float
) -> socket.socket | Reachability:
    try:
        return dial.tcp(policy, address, port, timeout)
    except OSError as exc:
        # A local network limit (no IPv6 route from here) is told apart from the server.
        return Reachability(*connect_error(exc, address, timeout))


def check_tls(
    address: str, port: int, server_name: str, timeout: float, *, policy: AddressPolicy
) -> Reachability:
    sock = _connect(policy, address, port, timeout)
    if isinstance(sock, Reachability):
        return sock
    try:
        # Only asks "does it speak TLS at all?": accept anything the server offers.
        with lenient_client_context().wrap_socket(
            sock, server_hostname=server_name, do_handshake_on_connect=False
        ) as tls:
            tls.settimeout(timeout)
            tls.do_handshake()
    except TimeoutError:
        return Reachability(
            "timeout",
            f"accepted the connection but completed no TLS handshake within {timeout:g} s",
        )
    except (ssl.SSLSyscallError, ssl.SSLEOFError):
        # The peer vanished mid-handshake (a reset surfaces here or as ConnectionResetError,
        # depending on timing).
        return Reachability("reset", "the connection was reset during the handshake")
    except ssl.SSLError as exc:
        reason = (exc.reason or str(exc)).upper()
        if any(k in reason for k in ("WRONG_VERSION", "UNKNOWN_PROTOCOL", "RECORD_LAYER", "HTTP")):
            return Reachability("not_tls", f"the service does not speak TLS ({exc.reason})")
        if "EXCESSIVE_MESSAGE_SIZE" in reason:
            # A certificate message over OpenSSL's 100 KiB limit: no common client can
            # finish the handshake, so there is nothing a full scan could judge.
            return Reachability(
                "oversized",
                "the server sends a certificate chain larger than TLS clients accept "
                "(OpenSSL stops at 100 KiB): no client can complete a handshake",
            )
        if "EOF" in reason or "UNEXPECTED_EOF" in reason:
            return Reachability("reset", "the server closed the connection during the handshake")
        # A TLS alert is still TLS: the full scan finds out what the server accepts.
        return Reachability("ok")
    except (ConnectionResetError, BrokenPipeError):
        return Reachability("reset", "the connection was reset during the handshake")
    except OSError as exc:
        return Reachability("error", f"handshake failed: {exc.strerror or exc}")
    finally:
        sock.close()
    return Reachability("ok")


def tls_first_line(
    address: str, port: int, server_name: str, timeout: float, *, policy: AddressPolicy
) -> str | None:
    """The first line a server sends inside implicit TLS (an IMAPS or POP3S greeting),
    or None when there is no handshake or no line within the timeout."""
    sock = _connect(policy, address, port, timeout)
    if isinstance(sock, Reachability):
        return None
    try:
        with lenient_client_context().wrap_socket(sock, server_hostname=server_name) as tls:
            tls.settimeout(timeout)
            data = b""
            while b"\n" not in data and len(data) < 1024:
                chunk = tls.recv(1024)
                if not chunk:
                    break
                data += chunk
    except (OSError, ssl.SSLError):
        return None
    finally:
        sock.close()
    line = data.split(b"\n", 1)[0].rstrip(b"\r")
    return line.decode("utf-8", "replace") if line else None
