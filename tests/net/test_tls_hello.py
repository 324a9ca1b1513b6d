"""Our ClientHello and the parser of the server's first answer, on real bytes: the
ServerHello and HelloRetryRequest recorded from an OpenSSL 3.5 server (the lab's
scanner.lab.modern_tls), the alerts of Debian's OpenSSL 3.0 (nginx), and tlslite-ng's
own parser reading our ClientHello."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tlslite.messages import ClientHello
from tlslite.utils.codec import Parser

from scanner.net.hybrid_kex import OFFERED, judge_reply, key_share
from scanner.net.tls_hello import HYBRID, ServerReply, client_hello, read_reply

DATA = Path(__file__).parent / "data"
SERVER_HELLO = bytes.fromhex((DATA / "server_hello_x25519mlkem768.hex").read_text())
HELLO_RETRY = bytes.fromhex((DATA / "hello_retry_x25519mlkem768.hex").read_text())
# nginx on OpenSSL 3.0 (no ML-KEM) and a TLS 1.2-only nginx, as recorded in the lab.
HANDSHAKE_FAILURE = bytes.fromhex("15030300020228")
PROTOCOL_VERSION = bytes.fromhex("15030300020246")


def _hello(name: str = "mx1.example.test") -> bytes:
    return client_hello(name, HYBRID, [(HYBRID[0], key_share())], os.urandom(32), os.urandom(32))


def test_our_client_hello_is_what_a_tls_library_reads() -> None:
    record = _hello()
    assert record[:3] == b"\x16\x03\x01"
    assert struct.unpack("!H", record[3:5])[0] == len(record) - 5
    parsed = ClientHello().parse(Parser(bytearray(record[6:])))
    assert parsed.cipher_suites == [0x1301, 0x1302, 0x1303]
    assert parsed.server_name == b"mx1.example.test"
    groups = parsed.getExtension(10).groups
    assert groups == list(HYBRID)
    (share,) = parsed.getExtension(51).client_shares
    # ML-KEM-768's encapsulation key (1184 bytes), then X25519's (32).
    assert (share.group, len(share.key_exchange)) == (0x11EC, 1216)
    assert parsed.getExtension(43).versions == [(3, 4)]


def test_an_address_is_never_sent_as_a_server_name() -> None:
    record = client_hello("", HYBRID, [], os.urandom(32), b"")
    parsed = ClientHello().parse(Parser(bytearray(record[6:])))
    assert parsed.getExtension(0) is None


def test_the_key_share_is_fresh_each_time() -> None:
    assert key_share() != key_share()


def test_a_recorded_server_hello_choosing_x25519mlkem768() -> None:
    reply = read_reply(SERVER_HELLO)
    assert reply == ServerReply("server_hello", group=0x11EC, share_size=1120, cipher=0x1301)
    kex = judge_reply(reply)
    assert (kex.outcome, kex.group, kex.hybrid) == ("selected", "X25519MLKEM768", True)


def test_a_recorded_hello_retry_request() -> None:
    # Offered a SecP384r1MLKEM1024 share, the server asks for X25519MLKEM768 instead.
    reply = read_reply(HELLO_RETRY)
    assert (reply.kind, reply.group) == ("hello_retry", 0x11EC)
    assert judge_reply(reply).outcome == "retry"


@pytest.mark.parametrize(
    ("data", "alert"),
    [(HANDSHAKE_FAILURE, "handshake_failure"), (PROTOCOL_VERSION, "protocol_version")],
)
def test_a_recorded_alert_is_a_refusal(data: bytes, alert: str) -> None:
    kex = judge_reply(read_reply(data))
    assert (kex.outcome, kex.alert, kex.hybrid) == ("refused", alert, False)


def test_a_server_hello_split_over_records_is_read_whole() -> None:
    body = SERVER_HELLO[5:]
    cut = 100
    split = (
        b"\x16\x03\x03" + struct.pack("!H", cut) + body[:cut]
        + b"\x16\x03\x03" + struct.pack("!H", len(body) - cut) + body[cut:]
    )  # fmt: skip
    assert read_reply(split) == read_reply(SERVER_HELLO)


def test_a_short_read_asks_for_more() -> None:
    for end in (1, 5, 9, 200, len(SERVER_HELLO) - 1):
        assert read_reply(SERVER_HELLO[:end]).kind == "incomplete", end


def test_what_is_not_tls_is_said() -> None:
    assert read_reply(b"HTTP/1.1 400 Bad Request\r\n\r\n").kind == "not_tls"
    assert judge_reply(read_reply(b"220 mail ESMTP\r\n")).outcome == "not_tls"


def test_a_server_that_chooses_a_group_not_offered_is_invalid() -> None:
    # The recorded ServerHello with its group changed to x25519 (0x001d).
    at = SERVER_HELLO.index(b"\x00\x33") + 4
    tampered = SERVER_HELLO[:at] + b"\x00\x1d" + SERVER_HELLO[at + 2 :]
    kex = judge_reply(read_reply(tampered))
    assert (kex.outcome, kex.hybrid) == ("invalid", None)
    assert "x25519, which was not offered" in kex.reason


def test_a_key_share_of_the_wrong_size_is_invalid() -> None:
    reply = ServerReply("server_hello", group=0x11EC, share_size=32, cipher=0x1301)
    kex = judge_reply(reply)
    assert kex.outcome == "invalid" and "1120" in kex.reason


def test_every_judgement_offers_the_three_hybrids() -> None:
    assert OFFERED == ("X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024")


@given(st.binary(max_size=3000))
def test_any_bytes_parse_to_a_reply_without_raising(data: bytes) -> None:
    reply = read_reply(data)
    assert reply.kind in {
        "server_hello", "hello_retry", "alert", "older", "incomplete", "malformed", "not_tls"
    }  # fmt: skip
    judge_reply(reply)


@given(st.integers(min_value=5, max_value=len(SERVER_HELLO) - 1), st.binary(min_size=1, max_size=8))
def test_a_damaged_server_hello_never_raises(at: int, junk: bytes) -> None:
    read_reply(SERVER_HELLO[:at] + junk + SERVER_HELLO[at + len(junk) :])
