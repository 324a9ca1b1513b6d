"""Mail and FTP dialogues before TLS: parsers on literal replies, and real servers."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.listeners import listener

from scanner.net.policy import AddressPolicy
from scanner.net.starttls import (
    StartTlsFailed,
    ftp_features,
    imap_capabilities,
    pop3_capabilities,
    reply_code,
    smtp_capabilities,
    talk,
    talk_gently,
    upgrade,
)

# The lab lives on loopback: these adapter tests may contact it.
LAB_POLICY = AddressPolicy(allow_private=True)

# --- parsers, on replies as servers send them ------------------------------------


def test_ehlo_with_starttls_and_auth_only_after_it() -> None:
    ehlo = [
        "250-mx.example.com",
        "250-PIPELINING",
        "250-SIZE 10240000",
        "250-STARTTLS",
        "250 8BITMIME",
    ]
    starttls, clear, keywords = smtp_capabilities(ehlo)
    assert starttls and not clear
    assert "SIZE 10240000" in keywords


def test_ehlo_offering_plain_auth_before_tls() -> None:
    # Postfix with smtpd_tls_auth_only = no; the old AUTH=LOGIN form counts too.
    assert smtp_capabilities(["250-mx", "250-STARTTLS", "250 AUTH PLAIN LOGIN"])[:2] == (True, True)
    assert smtp_capabilities(["250-mx", "250 AUTH=LOGIN"])[:2] == (False, True)
    # CRAM-MD5 alone does not send the password itself.
    assert smtp_capabilities(["250-mx", "250 AUTH CRAM-MD5"])[:2] == (False, False)


def test_reply_codes() -> None:
    assert reply_code(["250-a", "250 b"]) == 250
    assert reply_code(["421 4.7.0 too many connections"]) == 421
    assert reply_code(["250-a"]) is None
    assert reply_code(["hello"]) is None
    assert reply_code([]) is None


def test_imap_login_disabled_before_starttls() -> None:
    lines = [
        "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.",
        "* CAPABILITY IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED",
        "v1 OK Pre-login capabilities listed.",
    ]
    starttls, clear, caps = imap_capabilities(lines)
    assert starttls and not clear
    assert caps.count("STARTTLS") == 1  # the greeting's list and CAPABILITY's, once


def test_imap_without_logindisabled_takes_a_login_in_clear() -> None:
    starttls, clear, _ = imap_capabilities(["* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN"])
    assert starttls and clear
    assert imap_capabilities(["* OK IMAP4rev1 ready"])[:2] == (False, True)


def test_pop3_capa() -> None:
    with_stls = ["+OK", "TOP", "UIDL", "STLS", "SASL CRAM-MD5", "."]
    assert pop3_capabilities(with_stls)[:2] == (True, False)
    assert pop3_capabilities(["+OK", "STLS", "USER", "."])[:2] == (True, True)
    assert pop3_capabilities(["+OK", "SASL PLAIN", "."])[:2] == (False, True)
    # No CAPA at all: no STLS (RFC 2595 section 4), and USER/PASS is all there is.
    assert pop3_capabilities(["-ERR unknown command"]) == (False, True, ())


def test_ftp_feat() -> None:
    feat = ["211-Features:", " AUTH TLS", " PBSZ", " PROT", " UTF8", "211 End"]
    assert ftp_features(feat) == (True, ("AUTH TLS", "PBSZ", "PROT", "UTF8"))
    assert ftp_features(["211-Features:", " MDTM", "211 End"])[0] is False
    assert ftp_features(["530 Please login with USER and PASS."]) == (False, ())


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.text(max_size=80), max_size=12))
def test_parsers_take_any_reply(lines: list[str]) -> None:
    for parse in (smtp_capabilities, imap_capabilities, pop3_capabilities):
        starttls, clear, caps = parse(lines)
        assert isinstance(starttls, bool) and isinstance(clear, bool)
        assert all(isinstance(c, str) for c in caps)
    assert isinstance(ftp_features(lines)[0], bool)
    assert reply_code(lines) in (None, *range(0, 1000))


# --- misbehaving servers -------------------------------------------------------------


def test_a_server_that_greets_and_hangs_costs_the_timeout() -> None:
    with listener("127.0.10.91", "silent-smtp") as port:
        start = time.monotonic()
        dialogue = talk("127.0.10.91", port, "smtp", 0.5, policy=LAB_POLICY)
    assert dialogue.outcome == "timeout"
    assert time.monotonic() - start < 3


def test_a_non_mail_service_is_not_mistaken_for_a_mail_server() -> None:
    with listener("127.0.10.91", "ssh") as port:
        dialogue = talk("127.0.10.91", port, "imap", 1.0, policy=LAB_POLICY)
    assert dialogue.outcome == "not_protocol" and "SSH-2.0" in dialogue.reason
    assert dialogue.starttls is None


def test_no_route_from_this_machine_is_a_local_limit() -> None:
    """In a network namespace of its own (no interface, no route), a connection never
    leaves the machine: that is the scanner's limit, said as such."""
    code = (
        "from scanner.net.starttls import talk\n"
        "from scanner.net.reachability import check_tls\n"
        "from scanner.net.dial import route_problem\n"
        "from scanner.net.policy import AddressPolicy\n"
        "LAB_POLICY = AddressPolicy(allow_private=True)\n"
        "print(talk('2001:db8::25', 25, 'smtp', 2, policy=LAB_POLICY).outcome)\n"
        "print(check_tls('2001:db8::25', 443, 'mx.example', 2, policy=LAB_POLICY).reason)\n"
        "print(route_problem(LAB_POLICY, '2001:db8::25'))\n"
    )
    out = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    assert out[0] == "no_route"
    assert out[1].startswith("no IPv6 route from this machine")
    assert "not the provider's" in out[2]


# --- the lab's mail servers ------------------------------------------------------------


@pytest.mark.lab
def test_lab_dialogues(lab: object) -> None:
    legacy_imap = talk("127.0.10.21", 143, "imap", 2, policy=LAB_POLICY)
    assert legacy_imap.ok and legacy_imap.starttls is False and legacy_imap.clear_login
    assert "Dovecot" in legacy_imap.greeting
    late = talk("127.0.10.21", 587, "submission", 2, policy=LAB_POLICY)
    assert late.ok and late.starttls and late.clear_login
    strict = talk("127.0.10.11", 143, "imap", 2, policy=LAB_POLICY)
    assert strict.ok and strict.starttls and strict.clear_login is False
    pop3 = talk("127.0.10.21", 110, "pop3", 2, policy=LAB_POLICY)
    assert pop3.ok and pop3.starttls is False and pop3.clear_login
    ftp = talk("127.0.10.20", 21, "ftp", 2, policy=LAB_POLICY)
    assert ftp.ok and ftp.starttls is False and "vsFTPd" in ftp.greeting


@pytest.mark.lab
def test_a_greylisting_mx_is_asked_again_after_a_pause(lab: object) -> None:
    # The lab's backup MX of guarded.test refuses a client's first connection (421) and
    # lets it in after a pause; a source address of our own makes us a new client.
    source = f"127.0.{random.randint(64, 127)}.{random.randint(2, 250)}"
    pauses: list[float] = []
    dialogue, attempts = talk_gently(
        "127.0.10.96",
        25,
        "smtp",
        2.0,
        30.0,
        pauses=(2.0, 5.0),
        sleep=_recorded(pauses),
        source=source,
        policy=LAB_POLICY,
    )
    assert attempts == 2 and pauses == [2.0]
    assert dialogue.ok and dialogue.starttls


@pytest.mark.lab
def test_a_rate_limiting_mx_ends_limited_within_its_budget(lab: object) -> None:
    # Two connections a minute, then 421: use them up (with two connections of our
    # own, so no older one leaves the server's sliding minute while we ask), then
    # ask gently.
    accepted, deadline = 0, time.monotonic() + 70.0
    while accepted < 2 and time.monotonic() < deadline:
        if talk("127.0.10.95", 25, "smtp", 2, policy=LAB_POLICY).outcome == "ok":
            accepted += 1
        else:
            time.sleep(1.0)
    assert accepted == 2
    start = time.monotonic()
    dialogue, attempts = talk_gently(
        "127.0.10.95", 25, "smtp", 1.0, 12.0, pauses=(1.0, 2.0), policy=LAB_POLICY
    )
    assert dialogue.outcome == "limited"
    assert dialogue.reason.startswith("the server limited our connections (421 4.7.0")
    assert dialogue.starttls is None  # a refusal says nothing about STARTTLS
    assert attempts == 3
    assert time.monotonic() - start < 12.0


def _recorded(pauses: list[float]) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        time.sleep(seconds)

    return sleep


def _scripted(replies: list[bytes]) -> socket.socket:
    """Our end of a socket pair whose other end sends each reply after reading a line
    (the first before reading anything: the greeting)."""
    ours, theirs = socket.socketpair()

    def serve() -> None:
        with theirs:
            theirs.sendall(replies[0])
            for reply in replies[1:]:
                if not theirs.recv(1024):
                    return
                theirs.sendall(reply)
            theirs.recv(1024)

    threading.Thread(target=serve, daemon=True).start()
    return ours


@pytest.mark.parametrize(
    ("protocol", "replies"),
    [
        ("smtp", [b"220 mx ESMTP\r\n", b"250-mx\r\n250 STARTTLS\r\n", b"220 go ahead\r\n"]),
        ("imap", [b"* OK ready\r\n", b"v1 OK begin TLS\r\n"]),
        ("pop3", [b"+OK ready\r\n", b"+OK begin TLS\r\n"]),
        ("ftp", [b"220 ftp\r\n", b"234 AUTH TLS ok\r\n"]),
    ],
)
def test_the_dialogue_reaches_the_point_where_tls_starts(
    protocol: str, replies: list[bytes]
) -> None:
    with _scripted(replies) as sock:
        upgrade(sock, protocol, 2.0)  # raises if it did not get there


@pytest.mark.parametrize(
    ("protocol", "replies", "outcome", "said"),
    [
        ("smtp", [b"421 4.7.0 too many connections\r\n"], "limited", "421 4.7.0"),
        ("smtp", [b"220 mx\r\n", b"250 mx\r\n", b"454 TLS not available\r\n"], "starttls", "454"),
        ("imap", [b"* PREAUTH logged in\r\n"], "starttls", "no IMAP greeting"),
        ("pop3", [b"+OK\r\n", b"-ERR no STLS\r\n"], "starttls", "STLS refused"),
        ("ftp", [b"220 ftp\r\n", b"500 unknown\r\n"], "starttls", "AUTH TLS refused"),
        ("smtp", [b"220 mx\r\n", b"250 mx\r\n", b"220 go\r\nEXTRA"], "starttls", "more after"),
    ],
)
def test_a_dialogue_that_does_not_reach_tls_says_why(
    protocol: str, replies: list[bytes], outcome: str, said: str
) -> None:
    with _scripted(replies) as sock, pytest.raises(StartTlsFailed) as failed:
        upgrade(sock, protocol, 2.0)
    assert failed.value.outcome == outcome
    assert said in failed.value.reason
