"""The accept loop and process entry shared by the lab's thread-per-connection TLS
listeners (scanner.lab.legacy_tls on tlslite-ng, scanner.lab.modern_tls on pyOpenSSL)."""

from __future__ import annotations

import json
import signal
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_CONNECTIONS = 64


def accept_loop(
    spec: dict[str, Any], stop: threading.Event, handle: Callable[[socket.socket], None]
) -> None:
    """Listen on spec's address and port; each connection gets ``handle`` on a thread of
    its own (at most MAX_CONNECTIONS at once; the socket is closed after it)."""
    slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def run(sock: socket.socket) -> None:
        try:
            handle(sock)
        except Exception:  # noqa: BLE001, S110 - scanners abort handshakes on purpose
            pass
        finally:
            sock.close()
            slots.release()

    family = socket.AF_INET6 if ":" in spec["address"] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((spec["address"], int(spec["port"])))
        listener.listen(64)
        listener.settimeout(0.5)
        while not stop.is_set():
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            slots.acquire()
            threading.Thread(target=run, args=(sock,), daemon=True).start()


def main(config: str, serve: Callable[[dict[str, Any], threading.Event], None], ready: str) -> int:
    """Serve every spec in the JSON file ``config`` until SIGTERM; 1 if one cannot bind."""
    specs = json.loads(Path(config).read_text("utf-8"))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    threads = [threading.Thread(target=serve, args=(s, stop), daemon=True) for s in specs]
    for thread in threads:
        thread.start()
    print(ready, flush=True)
    while not stop.wait(0.5):
        if not all(t.is_alive() for t in threads):
            return 1  # a listener could not bind: the lab reports the component down
    return 0
