"""A TLS 1.3 ClientHello of our own, and what the server answered to it (pure, no I/O).

sslyze (nassl) cannot offer the hybrid post-quantum groups, so the key-exchange
test writes its ClientHello itself (RFC 8446 section 4.1.2) and reads only the
server's first answer: a ServerHello, a HelloRetryRequest (a ServerHello with
the special random of section 4.1.3) or an alert. Nothing here touches a socket;
scanner.net.hybrid_kex does, with the key shares made by an ML-KEM implementation.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

# IANA TLS Supported Groups; the hybrids from draft-ietf-tls-ecdhe-mlkem.
GROUPS = {
    0x0017: "secp256r1",
    0x0018: "secp384r1",
    0x0019: "secp521r1",
    0x001D: "x25519",
    0x001E: "x448",
    0x0100: "ffdhe2048",
    0x0101: "ffdhe3072",
    0x0102: "ffdhe4096",
    0x11EB: "SecP256r1MLKEM768",
    0x11EC: "X25519MLKEM768",
    0x11ED: "SecP384r1MLKEM1024",
    0x6399: "X25519Kyber768Draft00",
}
HYBRID = (0x11EC, 0x11EB, 0x11ED)
# The server's share of each hybrid: the ML-KEM ciphertext and the ECDH point, in the
# order the draft gives (ML-KEM first only for X25519MLKEM768).
SERVER_SHARE_SIZE = {0x11EC: 1088 + 32, 0x11EB: 65 + 1088, 0x11ED: 97 + 1568}
# RFC 8446 section 4.1.3: the random of a HelloRetryRequest.
HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")
TLS13_SUITES = (0x1301, 0x1302, 0x1303)
# What current clients offer: ECDSA, RSA-PSS, Ed25519, then RSA PKCS#1 for certificates.
SIGNATURE_SCHEMES = (0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0807, 0x0401, 0x0501, 0x0601)
ALERTS = {
    40: "handshake_failure",
    47: "illegal_parameter",
    50: "decode_error",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    109: "missing_extension",
    112: "unrecognized_name",
}
MAX_RECORD = 16384 + 256  # RFC 8446 section 5.1 (plus the expansion 5.2 allows)


def group_name(code: int) -> str:
    return GROUPS.get(code, f"0x{code:04x}")


def _vector(data: bytes, length_bytes: int) -> bytes:
    return len(data).to_bytes(length_bytes, "big") + data


def _extension(kind: int, body: bytes) -> bytes:
    return struct.pack("!H", kind) + _vector(body, 2)


def client_hello(
    server_name: str,
    groups: Sequence[int],
    shares: Sequence[tuple[int, bytes]],
    random: bytes,
    session_id: bytes,
) -> bytes:
    """One TLS record with a ClientHello offering TLS 1.3 only, ``groups`` as its
    supported groups and ``shares`` (group, public key share) as its key shares.
    ``server_name`` goes in SNI unless it is empty (an address is never sent there,
    RFC 6066 section 3)."""
    if len(random) != 32 or len(session_id) > 32:
        raise ValueError("random must be 32 bytes and the session id at most 32")
    extensions = b""
    if server_name:
        name = server_name.encode("ascii")
        extensions += _extension(0x0000, _vector(b"\x00" + _vector(name, 2), 2))
    extensions += _extension(0x000A, _vector(b"".join(struct.pack("!H", g) for g in groups), 2))
    schemes = b"".join(struct.pack("!H", s) for s in SIGNATURE_SCHEMES)
    extensions += _extension(0x000D, _vector(schemes, 2))
    extensions += _extension(0x002B, _vector(b"\x03\x04", 1))  # supported_versions
    extensions += _extension(0x002D, _vector(b"\x01", 1))  # psk_dhe_ke, as clients send
    entries = b"".join(struct.pack("!H", g) + _vector(key, 2) for g, key in shares)
    extensions += _extension(0x0033, _vector(entries, 2))
    body = (
        b"\x03\x03"
        + random
        + _vector(session_id, 1)
        + _vector(b"".join(struct.pack("!H", s) for s in TLS13_SUITES), 2)
        + b"\x01\x00"
        + _vector(extensions, 2)
    )
    handshake = b"\x01" + _vector(body, 3)
    if len(handshake) > 16384:
        raise ValueError("a ClientHello this large would need several records")
    return b"\x16\x03\x01" + _vector(handshake, 2)


@dataclass(frozen=True)
class ServerReply:
    """The server's first answer to our ClientHello.

    ``kind``: "server_hello" (TLS 1.3 with ``group``), "hello_retry" (a
    HelloRetryRequest asking for ``group``), "alert" (``alert``: its code),
    "older" (a ServerHello of TLS 1.2 or below: it did not take up TLS 1.3),
    "incomplete" (more bytes are needed), or "malformed"/"not_tls" with ``detail``.
    """

    kind: str
    group: int | None = None
    share_size: int | None = None
    cipher: int | None = None
    alert: int | None = None
    detail: str = ""


def _records(data: bytes) -> tuple[list[tuple[int, bytes]], bool]:
    """The complete records at the start of ``data``, and whether the bytes are TLS."""
    records: list[tuple[int, bytes]] = []
    at = 0
    while len(data) - at >= 5:
        kind, major, _minor, length = struct.unpack_from("!BBBH", data, at)
        if kind not in (20, 21, 22, 23) or major != 3 or length > MAX_RECORD:
            return records, False
        if len(data) - at - 5 < length:
            break
        records.append((kind, data[at + 5 : at + 5 + length]))
        at += 5 + length
    return records, True


def read_reply(data: bytes) -> ServerReply:
    """What the server's first bytes say (``data``: everything read so far)."""
    records, is_tls = _records(data)
    if not records and not is_tls:
        return ServerReply("not_tls", detail="the answer is not a TLS record")
    handshake = b""
    for kind, body in records:
        if kind == 21:
            if len(body) < 2:
                return ServerReply("malformed", detail="a truncated alert")
            return ServerReply("alert", alert=body[1])
        if kind != 22:
            return ServerReply("malformed", detail=f"a record of type {kind} before ServerHello")
        handshake += body
        if len(handshake) >= 4:
            break
    if len(handshake) < 4:
        return ServerReply("incomplete") if is_tls else ServerReply("not_tls", detail="not TLS")
    msg_type = handshake[0]
    length = int.from_bytes(handshake[1:4], "big")
    if msg_type != 2:
        return ServerReply(
            "malformed", detail=f"handshake message {msg_type} instead of ServerHello"
        )
    # The ServerHello may span records: gather the handshake bytes of them all.
    handshake = b"".join(b for k, b in records if k == 22)
    if len(handshake) < 4 + length:
        return ServerReply("incomplete") if is_tls else ServerReply("malformed", detail="cut")
    try:
        return _server_hello(handshake[4 : 4 + length])
    except (struct.error, IndexError, ValueError):
        return ServerReply("malformed", detail="a ServerHello that does not parse")


def _server_hello(body: bytes) -> ServerReply:
    at = 2
    random = body[at : at + 32]
    at += 32
    at += 1 + body[at]  # legacy_session_id_echo
    (cipher,) = struct.unpack_from("!H", body, at)
    at += 3  # the suite and the compression method
    if len(body) < at + 2:
        return ServerReply("older", cipher=cipher)  # no extensions at all
    (ext_len,) = struct.unpack_from("!H", body, at)
    at += 2
    end = at + ext_len
    if end > len(body):
        raise ValueError("extensions overrun")
    version = None
    group = None
    share_size = None
    while at + 4 <= end:
        kind, size = struct.unpack_from("!HH", body, at)
        value = body[at + 4 : at + 4 + size]
        if len(value) != size:
            raise ValueError("extension overrun")
        if kind == 0x002B and size == 2:
            (version,) = struct.unpack("!H", value)
        elif kind == 0x0033 and size >= 2:
            (group,) = struct.unpack_from("!H", value)
            if size >= 4:
                (share_size,) = struct.unpack_from("!H", value, 2)
                if share_size != size - 4:
                    raise ValueError("key share overrun")
        at += 4 + size
    if version != 0x0304:
        return ServerReply("older", cipher=cipher)
    if random == HRR_RANDOM:
        return ServerReply("hello_retry", group=group, cipher=cipher)
    return ServerReply("server_hello", group=group, share_size=share_size, cipher=cipher)
