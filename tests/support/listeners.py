"""Misbehaving listeners for tests: they live on 127.0.10.9x and stop with the test."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def listener(address: str, behaviour: str) -> Iterator[int]:
    """Serve ``behaviour`` on an ephemeral port of ``address``; yields the port.

    tarpit: accept and say nothing; reset: accept and reset at once;
    http: answer anything with an HTTP response; silent-smtp: greet, then hang;
    ssh: send an SSH banner, then hang.
    """
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((address, 0))
    server.listen(16)
    server.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if behaviour == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            elif behaviour == "http":
                conn.settimeout(2)
                try:
                    conn.recv(4096)
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass
                conn.close()
            elif behaviour == "silent-smtp":
                conn.sendall(b"220 hang.example ESMTP\r\n")
                held.append(conn)
            elif behaviour == "ssh":
                conn.sendall(b"SSH-2.0-OpenSSH_7.4\r\n")
                held.append(conn)
            else:
                held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        server.close()
        for conn in held:
            conn.close()
