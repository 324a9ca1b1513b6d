"""TCP listeners that greet like real (old) services, for the lab's weak provider.

Run as ``python -m scanner.lab.banners CONFIG.json``. Each listener speaks just
enough of its protocol for nmap's version detection to name the product and
version, the way it would on a real exposed host. Nothing here executes
anything a client sends.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import ssl
import struct
import sys
import urllib.parse
from collections.abc import Awaitable, Callable

from scanner.lab import inward

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
READ_LIMIT = 4096
IDLE_TIMEOUT = 10.0


async def _read(reader: asyncio.StreamReader) -> bytes:
    try:
        return await asyncio.wait_for(reader.read(READ_LIMIT), IDLE_TIMEOUT)
    except TimeoutError:
        return b""


async def ssh(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"SSH-2.0-OpenSSH_7.4\r\n")
    await writer.drain()
    await _read(reader)


async def ftp(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"220 (vsFTPd 2.3.4)\r\n")
    await writer.drain()
    while data := await _read(reader):
        command = data.strip().split(b" ")[0].upper()
        if command == b"QUIT":
            writer.write(b"221 Goodbye.\r\n")
            break
        if command in (b"USER", b"PASS"):
            writer.write(b"530 Login incorrect.\r\n")
        elif command == b"HELP":
            writer.write(b"214-The following commands are recognized.\r\n214 Help OK.\r\n")
        else:
            writer.write(b"530 Please login with USER and PASS.\r\n")
        await writer.drain()


async def telnet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # IAC DO TERMINAL-TYPE, DO TSPEED, DO XDISPLOC, DO NEW-ENVIRON, then a login prompt
    writer.write(b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27")
    writer.write(b"\r\nDebian GNU/Linux 7\r\nlegacy login: ")
    await writer.drain()
    await _read(reader)


def redis(version: str = "4.0.9") -> Handler:
    """A Redis without authentication that answers INFO and PING, of ``version``."""
    announced = version.encode("ascii")

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _redis(reader, writer, announced)

    return serve


async def _redis(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, version: bytes
) -> None:
    while data := await _read(reader):
        lowered = data.lower()
        if b"info" in lowered:
            body = (
                b"# Server\r\nredis_version:%s\r\nredis_mode:standalone\r\nos:Linux\r\n" % version
            )
            writer.write(b"$%d\r\n%s\r\n" % (len(body), body))
        elif b"ping" in lowered:
            writer.write(b"+PONG\r\n")
        else:
            writer.write(b"-ERR unknown command\r\n")
        await writer.drain()


def mysql_greeting(version: bytes = b"5.5.62-log") -> bytes:
    """A MySQL protocol-10 initial handshake packet."""
    payload = b"".join(
        [
            b"\x0a",  # protocol version 10
            version + b"\x00",
            struct.pack("<I", 42),  # connection id
            b"abcdefgh\x00",  # auth-plugin-data part 1 + filler
            struct.pack("<H", 0xF7FF),  # capability flags (lower)
            b"\x21",  # character set utf8
            struct.pack("<H", 0x0002),  # status flags
            struct.pack("<H", 0x8001),  # capability flags (upper)
            b"\x15",  # auth plugin data length
            b"\x00" * 10,
            b"ijklmnopqrst\x00",
            b"mysql_native_password\x00",
        ]
    )
    return struct.pack("<I", len(payload))[:3] + b"\x00" + payload


async def mysql(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(mysql_greeting())
    await writer.drain()
    await _read(reader)


class Gate:
    """Who may talk to a mail server now: every client, at most ``per_minute``
    connections a minute (then 421, as MTAs defending themselves answer), or
    greylisting (a client's first connection is refused with 421; one that comes
    back after a pause is let in for five minutes)."""

    def __init__(self, mode: str = "open", per_minute: int = 2) -> None:
        self.mode = mode
        self.per_minute = per_minute
        self.recent: list[float] = []
        self.first_seen: dict[str, float] = {}

    def refusal(self, peer: str) -> str | None:
        now = asyncio.get_running_loop().time()
        if self.mode == "ratelimit":
            self.recent = [t for t in self.recent if now - t < 60.0]
            if len(self.recent) >= self.per_minute:
                return "421 4.7.0 Error: too many connections from your address; try again later"
            self.recent.append(now)
        elif self.mode == "greylist":
            first = self.first_seen.get(peer)
            if first is None or now - first > 300.0:
                self.first_seen[peer] = now
                return "421 4.7.1 Greylisted: please try again in a little while"
            if now - first < 1.5:
                return "421 4.7.1 Greylisted: please try again in a little while"
        return None


def _peer(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    return str(peer[0]) if peer else ""


def smtp(
    name: str,
    tls: ssl.SSLContext | None,
    greeting: str = "ESMTP Postfix (Debian/GNU)",
    auth_before_tls: bool = False,
    gate: Gate | None = None,
) -> Handler:
    """An SMTP server that greets, answers EHLO and, with a TLS context, STARTTLS.

    It accepts no mail: the lab only needs what a scanner sees before DATA. A
    submission server offers AUTH after STARTTLS, or (``auth_before_tls``) before it.
    """
    host = name.encode("ascii")

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        refusal = gate.refusal(_peer(writer)) if gate else None
        if refusal:
            writer.write(refusal.encode("ascii") + b"\r\n")
            await writer.drain()
            return
        writer.write(b"220 " + host + b" " + greeting.encode("utf-8") + b"\r\n")
        await writer.drain()
        secured = False
        while line := await _readline(reader):
            command = line.strip()[:8].upper()
            if command.startswith(b"QUIT"):
                writer.write(b"221 2.0.0 Bye\r\n")
                await writer.drain()
                break
            if command.startswith((b"EHLO", b"HELO")):
                offer = b"250-STARTTLS\r\n" if tls and not secured else b""
                if auth_before_tls or secured:
                    offer += b"250-AUTH PLAIN LOGIN\r\n"
                writer.write(
                    b"250-" + host + b"\r\n250-SIZE 10240000\r\n" + offer + b"250 8BITMIME\r\n"
                )
            elif command.startswith(b"STARTTLS") and tls and not secured:
                if not await _upgrade(writer, tls, b"220 2.0.0 Ready to start TLS\r\n"):
                    return
                secured = True
                continue
            elif command.startswith(b"NOOP"):
                writer.write(b"250 2.0.0 Ok\r\n")
            else:
                writer.write(b"502 5.5.2 Error: command not recognized\r\n")
            await writer.drain()

    return serve


def imap(tls: ssl.SSLContext | None, implicit: bool = False) -> Handler:
    """A Dovecot-like IMAP greeting and CAPABILITY. With a TLS context it offers
    STARTTLS and refuses LOGIN before it (LOGINDISABLED); without one it takes
    LOGIN in clear text. On an implicit-TLS port the TLS is already there."""
    banner = b"Dovecot (Debian) ready."

    def caps(secured: bool) -> bytes:
        if secured:
            return b"IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN"
        if tls:
            return (
                b"IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED"
            )
        return b"IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN"

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        secured = implicit
        writer.write(b"* OK [CAPABILITY " + caps(secured) + b"] " + banner + b"\r\n")
        await writer.drain()
        while line := await _readline(reader):
            tag, _, rest = line.strip().partition(b" ")
            command = rest.split(b" ")[0].upper()
            if command == b"CAPABILITY":
                writer.write(
                    b"* CAPABILITY "
                    + caps(secured)
                    + b"\r\n"
                    + tag
                    + b" OK Pre-login capabilities listed.\r\n"
                )
            elif command == b"STARTTLS" and tls and not secured:
                if not await _upgrade(writer, tls, tag + b" OK Begin TLS negotiation now.\r\n"):
                    return
                secured = True
                continue
            elif command == b"LOGOUT":
                writer.write(b"* BYE Logging out\r\n" + tag + b" OK Logout completed.\r\n")
                await writer.drain()
                break
            elif command == b"LOGIN":
                writer.write(tag + b" NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
            else:
                writer.write(tag + b" BAD Error in IMAP command.\r\n")
            await writer.drain()

    return serve


def pop3(tls: ssl.SSLContext | None, implicit: bool = False) -> Handler:
    """A Dovecot-like POP3 greeting and CAPA; STLS with a TLS context, and USER
    only after it (without one, USER in clear text)."""

    def capa(secured: bool) -> bytes:
        lines = [b"CAPA", b"TOP", b"UIDL", b"RESP-CODES", b"PIPELINING", b"AUTH-RESP-CODE"]
        if tls and not secured:
            lines.append(b"STLS")
        if secured or not tls:
            lines += [b"USER", b"SASL PLAIN LOGIN"]
        return b"+OK\r\n" + b"".join(line + b"\r\n" for line in lines) + b".\r\n"

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        secured = implicit
        writer.write(b"+OK Dovecot (Debian) ready.\r\n")
        await writer.drain()
        while line := await _readline(reader):
            command = line.strip().split(b" ")[0].upper()
            if command == b"CAPA":
                writer.write(capa(secured))
            elif command == b"STLS" and tls and not secured:
                if not await _upgrade(writer, tls, b"+OK Begin TLS negotiation now.\r\n"):
                    return
                secured = True
                continue
            elif command == b"QUIT":
                writer.write(b"+OK Logging out.\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"-ERR Unknown command.\r\n")
            await writer.drain()

    return serve


async def _upgrade(writer: asyncio.StreamWriter, tls: ssl.SSLContext, ready: bytes) -> bool:
    """Say "go ahead" and start TLS on the connection (STARTTLS, STLS); False if the
    client never finished the handshake."""
    writer.write(ready)
    await writer.drain()
    try:
        await asyncio.wait_for(writer.start_tls(tls), IDLE_TIMEOUT)
    except (ssl.SSLError, TimeoutError, ConnectionError, OSError):
        return False
    return True


async def _readline(reader: asyncio.StreamReader) -> bytes:
    try:
        return await asyncio.wait_for(reader.readline(), IDLE_TIMEOUT)
    except (TimeoutError, ValueError):
        return b""


def _tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # Mozilla's "intermediate" suites; on OpenSSL 3 set_ecdh_curve sets the only group.
    context.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
    context.set_ecdh_curve("prime256v1")
    context.load_cert_chain(cert, key)
    return context


async def vnc(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"RFB 003.008\n")
    await writer.drain()
    await _read(reader)


async def docker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # What an unauthenticated Docker Engine API answers: its version to GET /version
    # (as `docker version` asks it), "page not found" to other paths; every answer
    # names the engine and API version in its headers, as dockerd's do.
    request = await _read(reader)
    path = request.split(b" ", 2)[1] if request.count(b" ") >= 2 else b"/"
    status = b"200 OK"
    body = b'{"message":"page not found"}\n'
    if path.split(b"?")[0] in (b"/version", b"/v1.43/version"):
        body = (
            json.dumps(
                {
                    "Platform": {"Name": "Docker Engine - Community"},
                    "Version": "24.0.7",
                    "ApiVersion": "1.43",
                    "MinAPIVersion": "1.12",
                    "GitCommit": "311b9ff",
                    "GoVersion": "go1.20.10",
                    "Os": "linux",
                    "Arch": "amd64",
                    "KernelVersion": "6.1.0-13-amd64",
                }
            ).encode()
            + b"\n"
        )
    else:
        status = b"404 Not Found"
    writer.write(
        b"HTTP/1.0 %s\r\nApi-Version: 1.43\r\nContent-Type: application/json\r\n"
        b"Docker-Experimental: false\r\nOstype: linux\r\nServer: Docker/24.0.7 (linux)\r\n"
        b"Date: Sun, 29 Nov 2026 12:00:00 GMT\r\nContent-Length: %d\r\n\r\n%s"
        % (status, len(body), body)
    )
    await writer.drain()


# --- the hostile provider's behaviours (scanner.lab.hostile) -----------------------

HOLD_S = 120.0  # longer than any scanner timeout, shorter than forever


async def tarpit(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Accept and never speak; keep the connection until the client gives up.
    try:
        await asyncio.wait_for(reader.read(), HOLD_S)
    except TimeoutError:
        pass


async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _http(status: str, headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    return head.encode("utf-8") + b"\r\n" + body


async def http_plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Plain HTTP where TLS is expected (port 443): a TLS ClientHello gets a 400.
    await _read(reader)
    writer.write(_http("400 Bad Request", [("Content-Length", "0"), ("Connection", "close")]))
    await writer.drain()


async def redirect_loop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while await _readline_request(reader):
        writer.write(
            _http(
                "301 Moved Permanently",
                [("Location", "http://hostile.test/"), ("Content-Length", "0")],
            )
        )
        await writer.drain()


async def _readline_request(reader: asyncio.StreamReader) -> bytes:
    """Reads one request head; returns its first line (empty when the client is gone)."""
    first = await _readline(reader)
    while await _readline(reader) not in (b"\r\n", b"\n", b""):
        pass
    return first


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _readline_request(reader)
    writer.write(_http("200 OK", [("Content-Type", "text/html"), ("Content-Length", "100000")]))
    for _ in range(int(HOLD_S)):
        writer.write(b"x")
        await writer.drain()
        await asyncio.sleep(1)


async def endless(writer: asyncio.StreamWriter, content_type: str) -> None:
    writer.write(_http("200 OK", [("Content-Type", content_type)]))
    chunk = b"Contact: mailto:x@hostile.test\n" * 2048
    for _ in range(100_000):  # ~6 GB: as good as endless for a client with a size limit
        writer.write(chunk)
        await writer.drain()


async def header_drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A status line, then headers one byte every 2 s: never a complete answer."""
    await _readline_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\n")
    for byte in (b"X-Slow: " + b"z" * 200)[: int(HOLD_S / 2)]:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(2)


# What html.parser reads in quadratic time: about 1 MiB of unclosed start tags.
QUADRATIC_PAGE = b"<html><body>" + b"<a " * 300_000 + b"<script " * 20_000


async def tls_quadratic(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """HTTPS whose front page is 1 MiB of nested unclosed tags."""
    while await _readline_request(reader):
        writer.write(
            _http(
                "200 OK",
                [("Content-Type", "text/html"), ("Content-Length", str(len(QUADRATIC_PAGE)))],
                QUADRATIC_PAGE,
            )
        )
        await writer.drain()


# Redirect targets that name another authority in the ways a lax URL join or
# parser gets wrong; each host name fN.redirect.<domain> gets form N.
REDIRECT_FORMS = (
    "@localhost:9998/x",
    "@0x7f000001:9998/",
    "http://user@127.0.0.1:9998/",
    "http://0x7f000001:9998/",
    "http://2130706433:9998/",
    "http://127.1:9998/",
    "http://0177.0.0.1:9998/",
    "http://[::1]:9998/",
    "//127.0.0.1:9998/",
    "http://localhost:9998/",
    "http://local.hostile.test:9998/",
    "http://hostile.test:99999/",
    "http://hostile.test:abc/",
    "http://[oops/",
    "http:\\\\127.0.0.1:9998\\",
    "ftp://127.0.0.1:9998/",
)


async def redirect_forms(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = await _read_head(reader)
    if not head:
        return
    first, headers = head
    host = headers.get(b"host", b"").decode("ascii", "replace")
    label = host.split(".")[0]
    form = int(label[1:]) if label[:1] == "f" and label[1:].isdigit() else -1
    if first.split(b" ")[1:2] == [b"/"] and 0 <= form < len(REDIRECT_FORMS):
        location = REDIRECT_FORMS[form]
        writer.write(_http("302 Found", [("Location", location), ("Content-Length", "0")]))
    else:
        writer.write(
            _http("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")], b"ok\n")
        )
    await writer.drain()


async def _read_head(reader: asyncio.StreamReader) -> tuple[bytes, dict[bytes, bytes]] | None:
    first = await _readline(reader)
    if not first:
        return None
    headers: dict[bytes, bytes] = {}
    while (line := await _readline(reader)) not in (b"\r\n", b"\n", b""):
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    return first, headers


async def smtp_trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """An alert relay that greets, then answers EHLO with a 250- line every 2 s."""
    writer.write(b"220 relay.hostile.test ESMTP\r\n")
    await writer.drain()
    if not await _readline(reader):
        return
    for n in range(int(HOLD_S / 2)):
        writer.write(b"250-EXT%d\r\n" % n)
        await writer.drain()
        await asyncio.sleep(2)


async def webhook_redirect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A webhook receiver that sends the POST elsewhere, to a scheme that is not HTTP."""
    await _read_head(reader)
    writer.write(
        _http("302 Found", [("Location", "ftp://127.0.0.1:9998/"), ("Content-Length", "0")])
    )
    await writer.drain()


async def bad_status(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_head(reader)
    writer.write(b"HELLO THERE\r\n\r\n")
    await writer.drain()


HOSTILE_TEXT = "<script>alert('{where}')</script>\x1b[2J\x1b]0;pwned\x07\x1b[31m\u202eevil"


async def tls_hostile(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """HTTPS with hostile header values; security.txt is an endless stream."""
    while first := await _readline_request(reader):
        if b"/.well-known/security.txt" in first:
            await endless(writer, "text/plain")
            return
        body = b"<html><body>hostile</body></html>"
        writer.write(
            _http(
                "200 OK",
                [
                    ("Content-Type", "text/html"),
                    ("Content-Length", str(len(body))),
                    ("Server", HOSTILE_TEXT.format(where="server")),
                    ("X-Powered-By", "PHP/5.6.40 " + HOSTILE_TEXT.format(where="hdr")),
                    ("Strict-Transport-Security", "max-age=31536000"),
                ],
                body,
            )
        )
        await writer.drain()


async def tls_page(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A plain HTTPS page (the inward provider's: its certificates are the point)."""
    while await _readline_request(reader):
        body = b"<html><body>inward</body></html>"
        headers = [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
        writer.write(_http("200 OK", headers, body))
        await writer.drain()


async def redirect_inward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Redirects every request to the scanner's own loopback, spelled in hex."""
    if await _read_head(reader):
        location = inward.REDIRECT_LOCATION
        writer.write(_http("302 Found", [("Location", location), ("Content-Length", "0")]))
        await writer.drain()


async def ssh_hostile(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(("SSH-2.0-OpenSSH_7.4 " + HOSTILE_TEXT.format(where="ssh") + "\r\n").encode())
    await writer.drain()
    await _read(reader)


# --- the certificate-transparency stub --------------------------------------------

CT_HUGE_BYTES = 20 * 1024 * 1024  # over vetscan's 16 MiB search cap
CT_MANY = 100_000  # names in the "many" answer: under the size cap, far over any budget
CT_NESTING = 200_000  # depth of the "nested" answer's lists


KEV_FEED = "known_exploited_vulnerabilities.json"


def _kev_feed() -> bytes:
    """CISA's catalogue as its feed serves it: the snapshot vetscan ships, unzipped."""
    import gzip
    from importlib import resources

    data = resources.files("scanner.probes.services").joinpath("kev.json.gz").read_bytes()
    return gzip.decompress(data)


def ct_stub(names: dict[str, list[str]]) -> Handler:
    """A CT search in crt.sh's and Certspotter's formats, and their failure modes.

    The first path segment picks the behaviour: ok, 403, 429, 502, html (an error
    page with status 200), drip (a byte a second), huge (an endless-looking body),
    many (100,000 names of the domain asked, within the size cap), nested (JSON
    lists nested 200,000 deep). It also serves CISA's KEV feed, as vetscan ships its
    snapshot, at /ok/known_exploited_vulnerabilities.json (and /truncated/...: the
    file cut in half, as an interrupted download leaves it); the failure modes above
    apply to it too.
    """

    def listed(domain: str) -> list[str]:
        return [n for d, ns in names.items() if domain in (d, f"%.{d}") for n in ns]

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await _readline(reader)
        await _read(reader)
        parts = request.decode("latin-1").split()
        target = parts[1] if len(parts) > 1 else "/"
        mode, _, rest = target.lstrip("/").partition("/")
        path, _, query = rest.partition("?")
        params = dict(urllib.parse.parse_qsl(query))
        json_type = [("Content-Type", "application/json")]
        if mode in ("403", "429", "502"):
            reason = {"403": "Forbidden", "429": "Too Many Requests", "502": "Bad Gateway"}[mode]
            page = f"<html><body><h1>{mode} {reason}</h1></body></html>".encode()
            writer.write(_http(f"{mode} {reason}", [("Content-Type", "text/html")], page))
        elif mode == "html":
            page = b"<!DOCTYPE html><html><body>Search temporarily unavailable</body></html>"
            writer.write(_http("200 OK", [("Content-Type", "text/html")], page))
        elif mode == "drip":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
            for byte in b"[" + b" " * 600:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.5)
        elif mode == "huge":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[")
            chunk = b'{"name_value":"x.sprawl.test"},' * 2048
            sent = 0
            while sent < CT_HUGE_BYTES:
                writer.write(chunk)
                await writer.drain()
                sent += len(chunk)
        elif mode == "many":
            domain = params.get("q", params.get("domain", "x.test")).lstrip("%.")
            many = ",".join(
                f'{{"id":{i},"name_value":"h{i}.{domain}","dns_names":["h{i}.{domain}"]}}'
                for i in range(CT_MANY)
            )
            writer.write(_http("200 OK", json_type, f"[{many}]".encode()))
        elif mode == "nested":
            writer.write(_http("200 OK", json_type, b"[" * CT_NESTING + b"]" * CT_NESTING))
        elif path == KEV_FEED and mode in ("ok", "truncated"):
            feed = _kev_feed()
            writer.write(
                _http("200 OK", json_type, feed if mode == "ok" else feed[: len(feed) // 2])
            )
        elif path == "v1/issuances":
            # Certspotter: one issuance per name, two per page, paged with after=<id>.
            domain = params.get("domain", "")
            after = int(params.get("after", "0") or 0)
            page_items = [
                {"id": str(i + 1), "dns_names": [name]}
                for i, name in enumerate(listed(domain))
                if i + 1 > after
            ][:2]
            writer.write(_http("200 OK", json_type, json.dumps(page_items).encode()))
        else:
            # crt.sh: one entry per certificate, names joined by newlines.
            found = listed(params.get("q", ""))
            entries = [
                {"id": i, "common_name": found[0], "name_value": "\n".join(found[i : i + 3])}
                for i in range(0, len(found), 3)
            ]
            writer.write(_http("200 OK", json_type, json.dumps(entries).encode()))
        await writer.drain()

    return serve


SERVICES: dict[str, Handler] = {
    "tarpit": tarpit,
    "reset": reset,
    "http-plain": http_plain,
    "redirect-loop": redirect_loop,
    "drip": drip,
    "header-drip": header_drip,
    "smtp-trickle": smtp_trickle,
    "webhook-redirect": webhook_redirect,
    "bad-status": bad_status,
    "redirect-forms": redirect_forms,
    "redirect-inward": redirect_inward,
    "ssh-hostile": ssh_hostile,
    "ssh": ssh,
    "ftp": ftp,
    "telnet": telnet,
    "mysql": mysql,
    "vnc": vnc,
    "docker": docker,
}


def _wrap(handler: Handler) -> Handler:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError, TimeoutError):
            pass
        finally:
            writer.close()

    return serve


async def serve_all(listeners: list[dict[str, object]]) -> None:
    servers = []
    for spec in listeners:
        tls = _tls_context(str(spec["cert"]), str(spec["key"])) if spec.get("cert") else None
        implicit = bool(spec.get("implicit"))
        if spec["service"] in ("smtp", "submission"):
            gate = Gate(str(spec.get("gate", "open")))
            handler = smtp(
                str(spec["name"]),
                tls,
                str(spec.get("greeting") or "ESMTP Postfix (Debian/GNU)"),
                auth_before_tls=bool(spec.get("auth_before_tls")),
                gate=gate,
            )
        elif spec["service"] == "redis":
            handler = redis(str(spec.get("version") or "4.0.9"))
        elif spec["service"] == "imap":
            handler = imap(None if implicit else tls, implicit)
        elif spec["service"] == "pop3":
            handler = pop3(None if implicit else tls, implicit)
        elif spec["service"] == "smtp-hostile":
            handler = smtp(str(spec["name"]), tls, "ESMTP " + HOSTILE_TEXT.format(where="smtp"))
        elif spec["service"] == "tls-hostile":
            handler = tls_hostile
        elif spec["service"] == "tls-quadratic":
            handler = tls_quadratic
        elif spec["service"] == "tls-bigcert":
            handler = tls_hostile
        elif spec["service"] == "tls-page":
            handler = tls_page
        elif spec["service"] == "ct-stub":
            handler = ct_stub(dict(spec["names"]))  # type: ignore[call-overload]
        else:
            handler = SERVICES[str(spec["service"])]
        # HTTPS behaviours and implicit-TLS ports (993, 995) speak TLS from the first byte;
        # SMTP, IMAP and POP3 start it on demand.
        direct: dict[str, object] = (
            {"ssl": tls, "ssl_handshake_timeout": IDLE_TIMEOUT}
            if str(spec["service"]).startswith("tls-") or implicit
            else {}
        )
        servers.append(
            await asyncio.start_server(
                _wrap(handler),
                str(spec["address"]),
                int(str(spec["port"])),
                reuse_address=True,
                **direct,  # type: ignore[arg-type]
            )
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("banner listeners ready", flush=True)
    await stop.wait()
    for server in servers:
        server.close()


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as handle:
        listeners = json.load(handle)
    asyncio.run(serve_all(listeners))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
