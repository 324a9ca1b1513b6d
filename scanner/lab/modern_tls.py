"""Implicit-TLS listeners on OpenSSL 3.5: post-quantum key exchange, as servers built
on OpenSSL 3.5 or later offer it by default.

Run as ``python -m scanner.lab.modern_tls CONFIG.json``. Debian 12's OpenSSL 3.0
(nginx, Python's ssl) knows no ML-KEM; the OpenSSL that cryptography's wheel
bundles (3.5) does, and pyOpenSSL serves TLS with it. With OpenSSL's default
groups the server takes X25519MLKEM768 from a client that offers it (and X25519
or P-256 from one that does not). After the handshake the listener speaks as
mail submission over implicit TLS (RFC 8314: a greeting, EHLO, QUIT) or as an
HTTPS admin console (one page).
"""

from __future__ import annotations

import os
import socket
import struct
import sys
import threading
from pathlib import Path
from typing import Any

from scanner.lab import threaded
from scanner.lab.threaded import accept_loop

# The groups a careful operator sets: the hybrid first, then the curves Mozilla's
# "intermediate" profile names (OpenSSL's defaults would add X448 and P-521).
GROUPS = "X25519MLKEM768:X25519:secp256r1:secp384r1"
IDLE_TIMEOUT = 10.0
MAX_LINES = 16


# SSL_OP_ALLOW_CLIENT_RENEGOTIATION: OpenSSL 3 refuses client-initiated renegotiation
# unless this is set (pyOpenSSL names no constant for it).
ALLOW_CLIENT_RENEGOTIATION = 0x100


def context(cert: str, key: str, lax: bool = False) -> Any:
    """``lax``: TLS 1.2 only, the client's suite order with static-RSA CBC suites among
    the suites, client-initiated renegotiation allowed (a careless configuration)."""
    from OpenSSL import SSL

    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_2_VERSION)
    if lax:
        ctx.set_max_proto_version(SSL.TLS1_2_VERSION)
        ctx.set_cipher_list(b"ECDHE+AESGCM:AES128-SHA:AES256-SHA")
        ctx.set_options(ALLOW_CLIENT_RENEGOTIATION)
    else:
        # Mozilla's "intermediate" suites, in the server's order; TLS 1.3's as OpenSSL
        # sets them. The groups come from the OpenSSL configuration main() names
        # (pyOpenSSL has no call for them).
        ctx.set_cipher_list(b"ECDHE+AESGCM:ECDHE+CHACHA20")
        ctx.set_options(SSL.OP_CIPHER_SERVER_PREFERENCE)
    ctx.use_certificate_chain_file(cert)
    ctx.use_privatekey_file(key)
    return ctx


def _lines(conn: Any) -> Any:
    """CRLF lines from the TLS connection, until it closes or falls idle."""
    buffer = b""
    while True:
        while b"\n" not in buffer:
            chunk = conn.recv(1024)
            if not chunk:
                return
            buffer += chunk
            if len(buffer) > 4096:
                return
        line, _, buffer = buffer.partition(b"\n")
        yield line.rstrip(b"\r").decode("ascii", "replace")


def submission(conn: Any, name: str) -> None:
    conn.sendall(f"220 {name} ESMTP ready\r\n".encode("ascii"))
    for count, line in enumerate(_lines(conn)):
        verb = line.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            conn.sendall(
                f"250-{name}\r\n250-SIZE 52428800\r\n250-AUTH PLAIN LOGIN\r\n"
                "250 ENHANCEDSTATUSCODES\r\n".encode("ascii")
            )
        elif verb == "QUIT" or count >= MAX_LINES:
            conn.sendall(b"221 2.0.0 bye\r\n")
            return
        else:
            conn.sendall(b"502 5.5.1 not here\r\n")


def console(conn: Any, name: str) -> None:
    """An HTTPS admin page: one request (its head), one answer, then close."""
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 8192:
        chunk = conn.recv(1024)
        if not chunk:
            return
        head += chunk
    body = f"<html><body>{name} admin console</body></html>".encode("ascii")
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode("ascii")
        + body
    )


def serve(spec: dict[str, Any], stop: threading.Event) -> None:
    from OpenSSL import SSL

    ctx = context(spec["cert"], spec["key"], bool(spec.get("lax")))
    speak = console if spec.get("protocol") == "https" else submission

    def handle(sock: socket.socket) -> None:
        # pyOpenSSL reads the descriptor itself: a Python timeout would make it
        # non-blocking, so the idle limit is the kernel's.
        idle = struct.pack("ll", int(IDLE_TIMEOUT), 0)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, idle)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, idle)
        conn = SSL.Connection(ctx, sock)
        conn.set_accept_state()
        conn.do_handshake()
        speak(conn, str(spec["name"]))
        conn.shutdown()

    accept_loop(spec, stop, handle)


def configure_groups(path: Path) -> None:
    """Point OpenSSL at a configuration that sets GROUPS; read when OpenSSL loads,
    so before pyOpenSSL is first imported."""
    path.write_text(
        "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n"
        "[ssl_sect]\nsystem_default = groups_sect\n"
        f"[groups_sect]\nGroups = {GROUPS}\n",
        "ascii",
    )
    os.environ["OPENSSL_CONF"] = str(path)


def main(argv: list[str]) -> int:
    configure_groups(Path(argv[0]).with_suffix(".cnf"))
    return threaded.main(argv[0], serve, "modern TLS listeners ready")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
