"""The HTTP adapter against misbehaving local servers: caps, timeouts, no redirects."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scanner.net.http import HttpClient
from scanner.net.policy import AddressPolicy

# The lab lives on loopback: these adapter tests may contact it.
LAB_POLICY = AddressPolicy(allow_private=True)

ADDRESS = "127.0.10.96"


class Hostile(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(301)
            self.send_header("Location", "http://10.0.0.1/")
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Length", str(100 * 1024 * 1024))
            self.end_headers()
            chunk = b"x" * 65536
            try:
                for _ in range(1600):
                    self.wfile.write(chunk)
            except OSError:
                pass
        elif self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
        else:
            body = b"ok\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer((ADDRESS, 0), Hostile)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_host_header_and_body(server: int) -> None:
    response = HttpClient(timeout=2, policy=LAB_POLICY).get(
        "site.test", ADDRESS, "/", scheme="http", port=server
    )
    assert (response.status, response.body) == (200, b"ok\n")
    assert response.header("content-type") == "text/plain"


def test_redirects_are_reported_not_followed(server: int) -> None:
    response = HttpClient(timeout=2, policy=LAB_POLICY).get(
        "site.test", ADDRESS, "/redirect", scheme="http", port=server
    )
    assert response.status == 301
    assert response.header("location") == "http://10.0.0.1/"


def test_a_100_mb_body_is_cut_at_the_cap(server: int) -> None:
    start = time.monotonic()
    response = HttpClient(timeout=2, max_body=64 * 1024, policy=LAB_POLICY).get(
        "site.test", ADDRESS, "/huge", scheme="http", port=server
    )
    assert response.truncated and len(response.body) == 64 * 1024
    assert time.monotonic() - start < 5


def test_a_dripping_body_is_abandoned_in_bounded_time(server: int) -> None:
    start = time.monotonic()
    response = HttpClient(timeout=0.5, policy=LAB_POLICY).get(
        "site.test", ADDRESS, "/drip", scheme="http", port=server
    )
    assert response.status is None and "did not arrive" in response.error
    assert time.monotonic() - start < 3


def test_a_service_that_is_not_http() -> None:
    import socket

    sock = socket.socket()
    sock.bind((ADDRESS, 0))
    sock.listen(4)
    port = sock.getsockname()[1]

    def greet() -> None:
        conn, _ = sock.accept()
        conn.sendall(b"SSH-2.0-OpenSSH_7.4\r\n")
        conn.close()

    threading.Thread(target=greet, daemon=True).start()
    response = HttpClient(timeout=1, policy=LAB_POLICY).get(
        "site.test", ADDRESS, "/", scheme="http", port=port
    )
    sock.close()
    assert response.status is None and response.error


def test_nothing_listening(server: int) -> None:
    response = HttpClient(timeout=1, policy=LAB_POLICY).get(
        "site.test", "127.0.10.97", "/", scheme="http", port=server
    )
    assert response.status is None and response.error
