"""Implicit-TLS listeners with the protocols Debian's OpenSSL no longer serves.

Run as ``python -m scanner.lab.legacy_tls CONFIG.json``. tlslite-ng (pure
Python) offers SSL 3.0 and TLS 1.0 with RC4, 3DES and static-RSA key exchange,
as a neglected mail server from 2010 still does, so the TLS checks meet these
on a real handshake (see LAB-NOTES). After the handshake the listener greets
as its service would (an IMAP ``* OK``) and reads one line.
"""

from __future__ import annotations

import socket
import sys
import threading
from pathlib import Path
from typing import Any

from scanner.lab import threaded
from scanner.lab.threaded import accept_loop

IDLE_TIMEOUT = 10.0


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

    def handle(conn: socket.socket) -> None:
        conn.settimeout(IDLE_TIMEOUT)
        tls = TLSConnection(conn)
        tls.handshakeServer(certChain=chain, privateKey=key, settings=handshake)
        tls.write(greeting)
        tls.read(max=1024)
        tls.close()

    accept_loop(spec, stop, handle)


def main(argv: list[str]) -> int:
    return threaded.main(argv[0], serve, "legacy TLS listeners ready")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
