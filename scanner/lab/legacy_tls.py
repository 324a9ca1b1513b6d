"""Implicit-TLS listeners with the protocols Debian's OpenSSL no longer serves.

Run as ``python -m scanner.lab.legacy_tls CONFIG.json``. tlslite-ng (pure
Python) offers SSL 3.0 and TLS 1.0 with RC4, 3DES and static-RSA key exchange,
as a neglected mail server from 2010 still does, so the TLS checks meet these
on a real handshake (see LAB-NOTES). After the handshake the listener greets
as its service would (an IMAP ``* OK``) and reads one line.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

IDLE_TIMEOUT = 10.0
MAX_CONNECTIONS = 64


def settings() -> Any:
    from tlslite.api import HandshakeSettings

    s = HandshakeSettings()
    s.minVersion = (3, 0)  # SSL 3.0
    s.maxVersion = (3, 1)  # TLS 1.0
    s.cipherNames = ["rc4", "3des", "aes128"]
    s.macNames = ["sha", "md5"]
    s.keyExchangeNames = ["rsa"]
    s.eccCurves = []
    s.keyShares = []
    s.dhGroups = []
    s.useExtendedMasterSecret = False
    s.requireExtendedMasterSecret = False
    s.useEncryptThenMAC = False
    return s


def serve(spec: dict[str, Any], stop: threading.Event) -> None:
    from tlslite.api import TLSConnection, X509CertChain, parsePEMKey

    chain = X509CertChain()
    chain.parsePemList(Path(spec["cert"]).read_text("ascii"))
    key = parsePEMKey(Path(spec["key"]).read_text("ascii"), private=True)
    handshake = settings()
    greeting = str(spec.get("greeting", "* OK IMAP4rev1 ready")).encode("ascii") + b"\r\n"
    slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def handle(conn: socket.socket) -> None:
        try:
            conn.settimeout(IDLE_TIMEOUT)
            tls = TLSConnection(conn)
            tls.handshakeServer(certChain=chain, privateKey=key, settings=handshake)
            tls.write(greeting)
            tls.read(max=1024)
            tls.close()
        except Exception:  # noqa: BLE001, S110 - scanners abort handshakes on purpose
            pass
        finally:
            conn.close()
            slots.release()

    family = socket.AF_INET6 if ":" in spec["address"] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((spec["address"], int(spec["port"])))
        listener.listen(64)
        listener.settimeout(0.5)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            slots.acquire()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()


def main(argv: list[str]) -> int:
    specs = json.loads(Path(argv[0]).read_text("utf-8"))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    threads = [threading.Thread(target=serve, args=(s, stop), daemon=True) for s in specs]
    for thread in threads:
        thread.start()
    print("legacy TLS listeners ready", flush=True)
    while not stop.wait(0.5):
        if not all(t.is_alive() for t in threads):
            return 1  # a listener could not bind: the lab reports the component down
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
