"""Does a TLS 1.3 server take a hybrid post-quantum key exchange? (the adapter for
kyber-py, a pure-Python ML-KEM, FIPS 203).

The test internet.nl (PR #2144) and testssl.sh 3.2 run: one ClientHello that
offers only X25519MLKEM768, SecP256r1MLKEM768 and SecP384r1MLKEM1024, with a real
X25519MLKEM768 key share (an ML-KEM-768 encapsulation key and an X25519 key, in
the order draft-ietf-tls-ecdhe-mlkem gives), and the server's first answer: a
ServerHello choosing one of them, a HelloRetryRequest asking for one (the server
would use it), or an alert (it takes none). The handshake is not finished: that
answer is the fact, and nothing more is sent. STARTTLS services are first taken
through their own dialogue (scanner.net.starttls).
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from kyber_py.ml_kem import ML_KEM_768

from scanner.net import dial
from scanner.net.connect_errors import connect_error
from scanner.net.policy import AddressPolicy
from scanner.net.starttls import UPGRADABLE, StartTlsFailed, upgrade
from scanner.net.tls_contexts import server_name
from scanner.net.tls_hello import (
    ALERTS,
    HYBRID,
    SERVER_SHARE_SIZE,
    ServerReply,
    client_hello,
    group_name,
    read_reply,
)
from scanner.observations.tls import HybridKeyExchange, TlsEndpoint

# The first answer is a ServerHello (about 1.2 KB with an ML-KEM ciphertext) or an
# alert; what comes after it is not read.
MAX_ANSWER = 64 * 1024
OFFERED = tuple(group_name(g) for g in HYBRID)


def key_share() -> bytes:
    """A fresh X25519MLKEM768 client share: ML-KEM-768 encapsulation key || X25519."""
    encapsulation_key, _ = ML_KEM_768.keygen()
    x25519 = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return bytes(encapsulation_key) + x25519


@dataclass(frozen=True)
class HybridKexTester:
    """Runs the test on one endpoint under the scan's address policy, within ``timeout``
    per step (the whole exchange within twice that)."""

    policy: AddressPolicy
    timeout: float = 5.0

    def test(self, endpoint: TlsEndpoint) -> HybridKeyExchange:
        service = endpoint.kind_of_service
        if endpoint.starttls and service not in UPGRADABLE:
            return HybridKeyExchange(
                "unsupported",
                OFFERED,
                reason=f"vetscan's own handshake does not speak {service}'s STARTTLS",
            )
        try:
            sock = dial.tcp(self.policy, endpoint.address, endpoint.port, self.timeout)
        except OSError as exc:
            outcome, reason = connect_error(exc, endpoint.address, self.timeout)
            return HybridKeyExchange(outcome, OFFERED, reason=reason)
        with sock:
            try:
                if endpoint.starttls:
                    upgrade(sock, service, self.timeout)
                return self._exchange(sock, endpoint)
            except StartTlsFailed as exc:
                return HybridKeyExchange(exc.outcome, OFFERED, reason=exc.reason)
            except ValueError as exc:  # a name SNI cannot carry
                return HybridKeyExchange("error", OFFERED, reason=str(exc))
            except TimeoutError:
                return HybridKeyExchange(
                    "timeout",
                    OFFERED,
                    reason=f"no answer to the ClientHello within {self.timeout:g} s",
                )
            except OSError as exc:
                return HybridKeyExchange(
                    "reset", OFFERED, reason=f"the connection failed: {exc.strerror or exc}"
                )

    def _exchange(self, sock: socket.socket, endpoint: TlsEndpoint) -> HybridKeyExchange:
        sni = server_name(endpoint.host)
        hello = client_hello(
            sni, HYBRID, [(HYBRID[0], key_share())], os.urandom(32), os.urandom(32)
        )
        sock.sendall(hello)
        deadline = time.monotonic() + self.timeout * 2
        data = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            sock.settimeout(left)
            chunk = sock.recv(16384)
            if not chunk:
                return HybridKeyExchange(
                    "closed",
                    OFFERED,
                    reason="the server closed the connection without answering the ClientHello",
                )
            data += chunk
            if len(data) > MAX_ANSWER:
                return HybridKeyExchange(
                    "invalid", OFFERED, reason="the server's first answer is larger than 64 KiB"
                )
            reply = read_reply(data)
            if reply.kind != "incomplete":
                return judge_reply(reply)


def judge_reply(reply: ServerReply) -> HybridKeyExchange:
    """The observation for the server's parsed first answer."""
    if reply.kind == "alert":
        alert = ALERTS.get(reply.alert or 0, f"alert {reply.alert}")
        return HybridKeyExchange("refused", OFFERED, alert=alert)
    if reply.kind == "older":
        return HybridKeyExchange(
            "refused", OFFERED, reason="the server answered with TLS 1.2 or older, not TLS 1.3"
        )
    if reply.kind in ("server_hello", "hello_retry") and reply.group is not None:
        name = group_name(reply.group)
        if reply.group not in HYBRID:
            return HybridKeyExchange(
                "invalid",
                OFFERED,
                group=name,
                reason=f"the server chose {name}, which was not offered",
            )
        if reply.kind == "hello_retry":
            return HybridKeyExchange("retry", OFFERED, group=name)
        if reply.share_size != SERVER_SHARE_SIZE[reply.group]:
            return HybridKeyExchange(
                "invalid",
                OFFERED,
                group=name,
                reason=f"the server's {name} key share has {reply.share_size} bytes, "
                f"not {SERVER_SHARE_SIZE[reply.group]}",
            )
        return HybridKeyExchange("selected", OFFERED, group=name)
    if reply.kind == "not_tls":
        return HybridKeyExchange("not_tls", OFFERED, reason="the server's answer is not TLS")
    return HybridKeyExchange(
        "invalid", OFFERED, reason=reply.detail or "the server's answer has no key share"
    )
