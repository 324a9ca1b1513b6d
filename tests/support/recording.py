"""Proof that nothing was contacted: listeners that note every connection they get,
and Python audit hooks that note every connect, sendto and getaddrinfo."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def recorders(endpoints: list[tuple[str, int]]) -> Iterator[list[tuple[int, str]]]:
    """Listeners on (address, port) that note (port, peer) for every connection."""
    seen: list[tuple[int, str]] = []
    servers = []
    for address, port in endpoints:
        server = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((address, port))
        server.listen(8)
        server.settimeout(0.1)
        servers.append(server)
    stop = threading.Event()

    def serve(server: socket.socket) -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except OSError:
                continue
            seen.append((server.getsockname()[1], peer[0]))
            conn.close()

    threads = [threading.Thread(target=serve, args=(s,), daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    try:
        yield seen
    finally:
        stop.set()
        for thread in threads:
            thread.join(1)
        for server in servers:
            server.close()


@contextmanager
def network_events() -> Iterator[list[tuple[str, Any]]]:
    """(event, address) for every socket.connect, socket.sendto and socket.getaddrinfo
    of this process while the block runs (Python audit events)."""
    events: list[tuple[str, Any]] = []
    active = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if not active[0]:
            return
        if event == "socket.connect":
            events.append((event, args[1]))
        elif event == "socket.sendto":
            events.append((event, args[-1]))
        elif event == "socket.getaddrinfo":
            events.append((event, args[0]))

    sys.addaudithook(hook)  # audit hooks cannot be removed; this one switches itself off
    try:
        yield events
    finally:
        active[0] = False
