"""Services vetscan names itself instead of waiting on nmap: Redis (and whether it
answers without a password), the Docker Engine API, VNC and telnet. The parsers on
literal answers and fuzzed bytes; the exchange against Debian's real redis-server,
with and without a password; the verdicts of the check."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.lab import backends
from scanner.model import Status
from scanner.net.exchange import exchange
from scanner.net.policy import AddressPolicy
from scanner.observations.ports import PortResult
from scanner.probes.services.evaluate import evaluate_address
from scanner.probes.services.identify import (
    REDIS_REQUEST,
    docker_answer,
    redis_answer,
    redis_complete,
    telnet_identity,
    vnc_identity,
)
from scanner.probes.services.observations import PortAccess, ServicesObservation

LAB = AddressPolicy(allow_private=True)

# --- the parsers on what real servers say ----------------------------------------------

REDIS_INFO = (
    b"$120\r\n# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n"
    b"redis_mode:standalone\r\nos:Linux 6.1.0-13-amd64 x86_64\r\narch_bits:64\r\n\r\n"
)


def test_an_open_redis_is_named_with_its_version() -> None:
    answered = redis_answer(REDIS_INFO)
    assert answered is not None and answered.access == "open"
    assert answered.identity.product == "Redis key-value store"
    assert answered.identity.version == "7.0.15"


@pytest.mark.parametrize(
    "reply",
    [
        b"-NOAUTH Authentication required.\r\n",
        b"-DENIED Redis is running in protected mode because protected mode is enabled\r\n",
        b"-NOPERM this user has no permissions to run the 'info' command\r\n",
    ],
)
def test_a_redis_that_wants_a_password_is_named_protected(reply: bytes) -> None:
    answered = redis_answer(reply)
    assert answered is not None and answered.access == "protected"
    assert answered.identity.version == ""


def test_the_redis_reply_is_whole_when_its_length_is_read() -> None:
    assert redis_complete(REDIS_INFO)
    assert not redis_complete(REDIS_INFO[:40])
    assert redis_complete(b"-NOAUTH Authentication required.\r\n")


DOCKER_VERSION = (
    b"HTTP/1.0 200 OK\r\nApi-Version: 1.43\r\nContent-Type: application/json\r\n"
    b"Server: Docker/24.0.7 (linux)\r\n\r\n"
    b'{"Version":"24.0.7","ApiVersion":"1.43","Os":"linux"}\n'
)


def test_an_open_docker_api_is_named_with_its_version() -> None:
    answered = docker_answer(DOCKER_VERSION)
    assert answered is not None and answered.access == "open"
    assert (answered.identity.product, answered.identity.version) == ("Docker remote API", "24.0.7")
    refused = docker_answer(
        b"HTTP/1.1 403 Forbidden\r\nServer: Docker/24.0.7 (linux)\r\nApi-Version: 1.43\r\n\r\n"
    )
    assert refused is not None and refused.access == "protected"
    assert docker_answer(b"HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n<html>") is None


def test_vnc_and_telnet_are_named_from_their_greeting() -> None:
    vnc = vnc_identity(b"RFB 003.008\n")
    assert vnc is not None and vnc.extrainfo == "protocol 3.8"
    linux = telnet_identity(b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27")
    assert linux is not None and linux.product == "Linux telnetd"
    other = telnet_identity(b"\xff\xfb\x01\xff\xfb\x03login: ")
    assert other is not None and (other.service, other.product) == ("telnet", "")
    assert telnet_identity(b"SSH-2.0-OpenSSH_9.2") is None


@given(st.binary(max_size=200))
def test_any_bytes_are_named_or_left_to_nmap(data: bytes) -> None:
    for parse in (redis_answer, docker_answer):
        answered = parse(data)
        assert answered is None or answered.access in ("open", "protected", "")
    assert vnc_identity(data) is None or data.startswith(b"RFB ")
    assert telnet_identity(data) is None or data[0] == 0xFF


# --- against Debian's redis-server ------------------------------------------------------


@pytest.fixture(scope="module")
def protected_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    if shutil.which("redis-server") is None and not Path("/usr/bin/redis-server").exists():
        pytest.fail("redis-server is not installed (scripts/bootstrap.sh installs it)")
    port = backends.free_port(backends.REDIS_ADDRESS)
    server = backends.start_redis(
        tmp_path_factory.mktemp("redis-auth"), port, password="a-long-lab-password"
    )
    yield port
    backends.stop_redis(server)


def _ask_redis(port: int) -> bytes:
    said = exchange(
        backends.REDIS_ADDRESS, port, 3.0, policy=LAB, request=REDIS_REQUEST,
        complete=redis_complete,
    )  # fmt: skip
    assert said.ok, said.reason
    return said.reply


def test_a_real_redis_without_a_password_hands_out_its_info(redis_url: str) -> None:
    answered = redis_answer(_ask_redis(int(urlparse(redis_url).port or 0)))
    assert answered is not None and answered.access == "open"
    assert answered.identity.version[:1].isdigit()


def test_a_real_redis_with_a_password_refuses(protected_redis: int) -> None:
    answered = redis_answer(_ask_redis(protected_redis))
    assert answered is not None and answered.access == "protected"
    assert "NOAUTH" in answered.said


def test_the_exchange_refuses_an_address_the_policy_refuses() -> None:
    said = exchange("127.0.0.1", 6379, 1.0, policy=AddressPolicy(), request=REDIS_REQUEST)
    assert not said.ok and said.reply == b""


# --- the check --------------------------------------------------------------------------


def _obs(access: tuple[PortAccess, ...] | None) -> ServicesObservation:
    ports = (PortResult("192.0.2.9", 6379, "open", "redis", "Redis key-value store", "", "", ""),)
    return ServicesObservation(
        "192.0.2.9", ("cache.example.com",), ("web",), (80, 443), "scanned", "", ports,
        "2026-11-01", access=access,
    )  # fmt: skip


def _verdict(obs: ServicesObservation) -> list[tuple[Status, str, str]]:
    return [
        (f.status, f.asset, f.detail)
        for f in evaluate_address(obs)
        if f.check_id == "service.unauthenticated_access"
    ]


def test_an_open_redis_fails_and_a_protected_one_passes() -> None:
    ((status, asset, detail),) = _verdict(
        _obs((PortAccess(6379, "redis", "open", "INFO answered: redis_version:7.4.6"),))
    )
    assert (status, asset) == (Status.FAIL, "192.0.2.9:6379")
    assert "without a password" in detail and "redis_version:7.4.6" in detail
    ((status, _, detail),) = _verdict(
        _obs((PortAccess(6379, "redis", "protected", "-NOAUTH Authentication required."),))
    )
    assert status is Status.PASS and "asks for a password" in detail


def test_an_unreadable_answer_or_an_old_scan_is_not_assessed_never_a_pass() -> None:
    ((status, _, detail),) = _verdict(
        _obs((PortAccess(6379, "redis", "unknown", "not recognised: no answer within 3 s"),))
    )
    assert status is Status.NOT_ASSESSED and "no answer within 3 s" in detail
    ((status, _, detail),) = _verdict(_obs(None))
    assert status is Status.NOT_ASSESSED and "before vetscan asked" in detail
