"""HTTP(S) to an address the scan's resolver chose, with the Host header and SNI set
to the name and certificate checks against that name.

Every exchange (connect, TLS handshake, status line, headers and body together)
has one deadline: a watchdog shuts the socket down when it passes, so a server
that drips its headers a byte at a time costs the deadline and no more. Bodies
are capped. Redirects are never followed here; callers resolve and check every
hop themselves (scanner.net.urls).

Built on http.client rather than requests: requests/urllib3 resolve whatever
authority a URL string names, while this client is handed the address to
connect to (approved by the address policy in net/dial.py) and never looks a
name up.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

import certifi

from scanner.net import dial
from scanner.net.connect_errors import no_route_reason
from scanner.net.policy import AddressPolicy
from scanner.net.tls_contexts import lenient_client_context

MAX_BODY = 1024 * 1024
USER_AGENT = "vetscan (provider security posture scan; https://vetscan.invalid)"


@dataclass(frozen=True)
class HttpResponse:
    url: str
    status: int | None  # None when no response arrived
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    truncated: bool = False
    error: str = ""  # one line: why there is no response
    tls_error: bool = False  # the TLS handshake or the certificate failed

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


def _verifying_context(ca_file: Path | None) -> ssl.SSLContext:
    # With --ca-file only that file is trusted (the lab, an internal CA); else Mozilla's.
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else certifi.where())
    context.check_hostname = True
    return context


class _Watchdog:
    """Shuts a socket down when its exchange's deadline passes.

    The blocked read in the exchange's thread then returns at once, whatever the
    server does. The timer thread is a daemon and is cancelled when the exchange
    ends, so it never delays the process's exit.
    """

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            if self.fired:
                self._shutdown()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self._sock is None:
            return
        try:
            # The plain socket's shutdown, also for an SSLSocket: it acts on the file
            # descriptor and leaves the TLS object alone while another thread reads.
            socket.socket.shutdown(self._sock, socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


class _Connection(http.client.HTTPConnection):
    """Connects to ``address`` (through the address policy) and, for HTTPS, speaks TLS
    for ``server_name``."""

    def __init__(
        self,
        policy: AddressPolicy,
        address: str,
        port: int,
        server_name: str,
        tls: ssl.SSLContext | None,
        timeout: float,
        watchdog: _Watchdog,
    ) -> None:
        super().__init__(address, port, timeout=timeout)
        self._policy = policy
        self._wait = timeout
        self._server_name = server_name
        self._tls = tls
        self._watchdog = watchdog

    def connect(self) -> None:
        sock = dial.tcp(self._policy, self.host, self.port, self._wait, watch=self._watchdog.watch)
        try:
            if self._tls is not None:
                sock = self._tls.wrap_socket(sock, server_hostname=self._server_name)
                self._watchdog.watch(sock)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class HttpClient:
    """``timeout`` bounds each network wait; ``exchange_limit`` (default three
    timeouts) bounds a whole request from connect to the last body byte. Every
    connection passes ``policy`` (net/dial.py)."""

    def __init__(
        self,
        ca_file: Path | None = None,
        timeout: float = 5.0,
        max_body: int = MAX_BODY,
        exchange_limit: float | None = None,
        *,
        policy: AddressPolicy,
    ):
        self.policy = policy
        self.ca_file = ca_file
        self.timeout = timeout
        self.max_body = max_body
        self.exchange_limit = exchange_limit if exchange_limit is not None else 3 * timeout
        self._verifying: ssl.SSLContext | None = None
        self._lenient: ssl.SSLContext | None = None

    def _context(self, verify: bool) -> ssl.SSLContext:
        if verify:
            if self._verifying is None:
                self._verifying = _verifying_context(self.ca_file)
            return self._verifying
        if self._lenient is None:
            # Reads headers from a server whose TLS is broken or old: the TLS probe
            # judges that on its own, the headers are still worth reading.
            self._lenient = lenient_client_context()
        return self._lenient

    def get(
        self,
        host: str,
        address: str,
        path: str = "/",
        scheme: str = "https",
        port: int | None = None,
        verify: bool = True,
    ) -> HttpResponse:
        """One GET, no redirects. ``path`` is the request target (path and query,
        already percent-encoded: scanner.net.urls makes it so)."""
        port = port or (443 if scheme == "https" else 80)
        default_port = port == (443 if scheme == "https" else 80)
        named = f"[{host}]" if ":" in host else host
        authority = named if default_port else f"{named}:{port}"
        shown = f"{scheme}://{authority}{path}"
        if not path.startswith("/") or not path.isprintable() or " " in path:
            return HttpResponse(shown, None, error="the request path is not a valid URL path")
        tls = self._context(verify) if scheme == "https" else None
        watchdog = _Watchdog(self.exchange_limit)
        connection = _Connection(self.policy, address, port, host, tls, self.timeout, watchdog)
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", authority)
            connection.putheader("User-Agent", USER_AGENT)
            connection.putheader("Accept", "*/*")
            connection.putheader("Connection", "close")
            connection.endheaders()
            response = connection.getresponse()
            headers = tuple((k, v) for k, v in response.getheaders())
            body, truncated = self._read(response)
            if watchdog.fired and not truncated:
                # The shutdown looks like the end of the body to the reader.
                return HttpResponse(shown, None, error=self._late())
            return HttpResponse(shown, response.status, headers, body, truncated)
        except (ssl.SSLError, ssl.CertificateError) as exc:
            if watchdog.fired:
                return HttpResponse(shown, None, error=self._late())
            return HttpResponse(shown, None, error=f"TLS error: {_short(exc)}", tls_error=True)
        except TimeoutError:
            if watchdog.fired:
                return HttpResponse(shown, None, error=self._late())
            return HttpResponse(shown, None, error=f"no response within {self.timeout:g} s")
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if watchdog.fired:
                return HttpResponse(shown, None, error=self._late())
            return HttpResponse(shown, None, error=_describe(exc, address))
        finally:
            watchdog.cancel()
            connection.close()

    def _late(self) -> str:
        return f"the answer did not arrive within {self.exchange_limit:g} s"

    def _read(self, response: http.client.HTTPResponse) -> tuple[bytes, bool]:
        # One growing buffer: a body at the cap costs the cap once more, not three times.
        body = bytearray()
        while len(body) <= self.max_body:
            # read1 returns what has arrived instead of waiting for a full buffer.
            chunk = response.read1(min(65536, self.max_body + 1 - len(body)))
            if not chunk:
                return bytes(body), False
            body += chunk
        del body[self.max_body :]
        return bytes(body), True


def _describe(exc: BaseException, address: str = "") -> str:
    if isinstance(exc, dial.RefusedByPolicy):
        return str(exc)
    local = no_route_reason(exc, address) if isinstance(exc, OSError) else None
    if local:
        return local
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(exc, http.client.BadStatusLine | http.client.LineTooLong):
        return f"not an HTTP answer ({type(exc).__name__})"
    if isinstance(exc, http.client.HTTPException):
        return f"malformed HTTP answer: {_short(exc)}"
    return _short(exc)


def _short(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ") or type(exc).__name__
    return text[:240]
