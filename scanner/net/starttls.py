"""What a mail or file-transfer server says before TLS: its greeting and capabilities.

One short dialogue per port (greeting, one capability request, goodbye), the
way a mail client starts: SMTP/submission (EHLO, RFC 5321/3207/4954), IMAP
(CAPABILITY, RFC 9051/2595), POP3 (CAPA, RFC 2449/2595) and FTP (FEAT, RFC
2389/4217). It tells whether the server offers STARTTLS and whether it lets a
client log in before it. Nothing is sent after that: no login, no mail.

The parsers are pure functions over the server's lines; the socket part only
reads them, with a timeout on every read and a cap on what it keeps. A
server that answers 421 or another 4xx at the greeting (too many connections,
greylisting) is "limited": that says nothing about STARTTLS, so callers retry
later or report it as not assessed, never as "no STARTTLS".
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Sequence

from scanner.net import dial
from scanner.net.connect_errors import connect_error
from scanner.net.policy import AddressPolicy
from scanner.observations.ports import Dialogue

MAX_REPLY = 64 * 1024
MAX_LINE = 1024
PROTOCOLS = ("smtp", "submission", "imap", "pop3", "ftp")
# Mechanisms that send the password itself; over clear text they give it away.
CLEAR_MECHANISMS = {"PLAIN", "LOGIN"}


# --- pure parsers ------------------------------------------------------------


def reply_code(lines: Sequence[str]) -> int | None:
    """The code of a complete SMTP/FTP reply (``250-a``, ``250 b``), else None."""
    if not lines:
        return None
    last = lines[-1]
    if len(last) < 3 or not last[:3].isdigit() or last[3:4] not in ("", " "):
        return None
    return int(last[:3])


def smtp_capabilities(lines: Sequence[str]) -> tuple[bool, bool, tuple[str, ...]]:
    """(STARTTLS offered, a clear-text AUTH mechanism offered, keywords) from EHLO's reply."""
    keywords = [line[4:].strip() for line in lines[1:] if len(line) > 4]
    upper = [k.upper() for k in keywords]
    starttls = any(k.split()[:1] == ["STARTTLS"] for k in upper if k)
    auth: set[str] = set()
    for k in upper:
        words = k.replace("=", " ").split()
        if words and words[0] == "AUTH":
            auth |= set(words[1:])
    return starttls, bool(auth & CLEAR_MECHANISMS), tuple(keywords)


def imap_capabilities(lines: Sequence[str]) -> tuple[bool, bool, tuple[str, ...]]:
    """(STARTTLS, LOGIN allowed, capabilities) from ``* CAPABILITY`` lines (or a greeting's
    ``[CAPABILITY ...]`` code). LOGIN is allowed in clear text unless LOGINDISABLED."""
    caps: list[str] = []
    for line in lines:
        text = line.strip()
        upper = text.upper()
        if upper.startswith("* CAPABILITY "):
            caps.extend(text.split()[2:])
        elif "[CAPABILITY " in upper:
            start = upper.index("[CAPABILITY ") + len("[CAPABILITY ")
            end = upper.find("]", start)
            caps.extend(text[start : end if end >= 0 else None].split())
    unique = tuple(dict.fromkeys(caps))  # a greeting's list and CAPABILITY's repeat
    upper_caps = {c.upper() for c in unique}
    return "STARTTLS" in upper_caps, "LOGINDISABLED" not in upper_caps, unique


def pop3_capabilities(lines: Sequence[str]) -> tuple[bool, bool, tuple[str, ...]]:
    """(STLS, clear-text login, capabilities) from CAPA's reply (``+OK``, lines, ``.``).

    A server without CAPA (``-ERR``) cannot offer STLS (RFC 2595 4) and takes USER/PASS."""
    if not lines or not lines[0].upper().startswith("+OK"):
        return False, True, ()
    caps = [line.strip() for line in lines[1:] if line.strip() and line.strip() != "."]
    upper = [c.upper().split() for c in caps]
    stls = any(words[:1] == ["STLS"] for words in upper)
    user = any(words[:1] == ["USER"] for words in upper)
    sasl = {w for words in upper if words[:1] == ["SASL"] for w in words[1:]}
    return stls, user or bool(sasl & CLEAR_MECHANISMS), tuple(caps)


def ftp_features(lines: Sequence[str]) -> tuple[bool, tuple[str, ...]]:
    """(AUTH TLS offered, features) from FEAT's reply (``211-``, features, ``211 End``)."""
    if reply_code(lines) != 211:
        return False, ()
    features = tuple(line.strip() for line in lines[1:-1] if line.strip())
    auth = any(
        f.upper().split()[:1] == ["AUTH"] and {"TLS", "SSL", "TLS-C"} & set(f.upper().split()[1:])
        for f in features
    )
    return auth, features


# --- the dialogue ---------------------------------------------------------------


class _Limited(Exception):
    pass


class _Lines:
    """Reads CRLF lines from a socket with a deadline and a size cap."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.buffer = b""
        self.total = 0

    def line(self) -> str:
        while b"\n" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self.sock.settimeout(left)
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionResetError("closed")
            self.total += len(chunk)
            if self.total > MAX_REPLY:
                raise ValueError("the server's reply is larger than 64 KiB")
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\n")
        return raw[:MAX_LINE].rstrip(b"\r").decode("utf-8", "replace")

    def reply(self) -> list[str]:
        """One SMTP/FTP reply: lines until one whose code is followed by a space."""
        lines = [self.line()]
        while len(lines) < 512 and reply_code(lines) is None and lines[-1][:3].isdigit():
            lines.append(self.line())
        return lines

    def until(self, done: str, limit: int = 512) -> list[str]:
        lines = [self.line()]
        while len(lines) < limit and not lines[-1].upper().startswith(done):
            lines.append(self.line())
        return lines


def talk(
    address: str,
    port: int,
    protocol: str,
    timeout: float,
    source: str | None = None,
    *,
    policy: AddressPolicy,
) -> Dialogue:
    """Greeting and capabilities of the ``protocol`` server at address:port
    (``source``: the local address to connect from)."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}")
    try:
        sock = dial.tcp(policy, address, port, timeout, source)
    except OSError as exc:
        outcome, reason = connect_error(exc, address, timeout)
        return Dialogue(protocol, outcome, reason)
    # The whole dialogue shares one deadline: a server dripping bytes cannot hold us.
    reader = _Lines(sock, time.monotonic() + timeout * 2)
    try:
        with sock:
            return _DIALOGUES[protocol](sock, reader, protocol)
    except _Limited as exc:
        return Dialogue(protocol, "limited", f"the server limited our connections ({exc})")
    except TimeoutError:
        return Dialogue(protocol, "timeout", f"no complete reply within {timeout * 2:g} s")
    except (ConnectionResetError, BrokenPipeError):
        return Dialogue(protocol, "reset", "the server closed the connection mid-dialogue")
    except ValueError as exc:
        return Dialogue(protocol, "error", str(exc))
    except OSError as exc:
        return Dialogue(protocol, "error", f"dialogue failed: {exc.strerror or exc}")


def _send(sock: socket.socket, text: bytes) -> None:
    sock.sendall(text)


def _coded_greeting(reader: _Lines, protocol: str, name: str) -> tuple[str, Dialogue | None]:
    """The first line of an SMTP/FTP greeting (220), or the dialogue's end: a 4xx is
    the server limiting us, anything else is not this protocol."""
    greeting = reader.reply()
    code = reply_code(greeting)
    first = greeting[0][:200]
    if code is not None and 400 <= code < 500:
        raise _Limited(first)
    if code != 220:
        return first, Dialogue(
            protocol, "not_protocol", f"no {name} greeting (got {first!r})", first
        )
    return first, None


def _line_greeting(
    reader: _Lines, protocol: str, name: str, ok: tuple[str, ...], limited: str
) -> tuple[str, Dialogue | None]:
    """The IMAP/POP3 greeting line, or the dialogue's end (``limited``: the server
    turning us away, anything but ``ok``: not this protocol)."""
    greeting = reader.line()
    first = greeting[:200]
    if greeting.upper().startswith(limited):
        raise _Limited(first)
    if not greeting.upper().startswith(ok):
        return greeting, Dialogue(
            protocol, "not_protocol", f"no {name} greeting (got {first!r})", first
        )
    return greeting, None


def _smtp(sock: socket.socket, reader: _Lines, protocol: str) -> Dialogue:
    first, ended = _coded_greeting(reader, protocol, "SMTP")
    if ended is not None:
        return ended
    _send(sock, b"EHLO vetscan.invalid\r\n")
    ehlo = reader.reply()
    code = reply_code(ehlo)
    if code is not None and 400 <= code < 500:
        raise _Limited(ehlo[0][:200])
    if code != 250:
        return Dialogue(protocol, "not_protocol", f"EHLO refused ({ehlo[0][:200]!r})", first)
    _goodbye(sock, b"QUIT\r\n")
    starttls, clear, caps = smtp_capabilities(ehlo)
    return Dialogue(protocol, "ok", "", first, starttls, clear, caps)


def _imap(sock: socket.socket, reader: _Lines, protocol: str) -> Dialogue:
    greeting, ended = _line_greeting(reader, protocol, "IMAP", ("* OK", "* PREAUTH"), "* BYE")
    if ended is not None:
        return ended
    first = greeting[:200]
    _send(sock, b"v1 CAPABILITY\r\n")
    lines = [greeting, *reader.until("V1 ")]
    _goodbye(sock, b"v2 LOGOUT\r\n")
    starttls, clear, caps = imap_capabilities(lines)
    return Dialogue(protocol, "ok", "", first, starttls, clear, caps)


def _pop3(sock: socket.socket, reader: _Lines, protocol: str) -> Dialogue:
    greeting, ended = _line_greeting(reader, protocol, "POP3", ("+OK",), "-ERR")
    if ended is not None:
        return ended
    first = greeting[:200]
    _send(sock, b"CAPA\r\n")
    status = reader.line()
    lines = [status, *reader.until(".")] if status.upper().startswith("+OK") else [status]
    _goodbye(sock, b"QUIT\r\n")
    starttls, clear, caps = pop3_capabilities(lines)
    return Dialogue(protocol, "ok", "", first, starttls, clear, caps)


def _ftp(sock: socket.socket, reader: _Lines, protocol: str) -> Dialogue:
    first, ended = _coded_greeting(reader, protocol, "FTP")
    if ended is not None:
        return ended
    _send(sock, b"FEAT\r\n")
    auth, features = ftp_features(reader.reply())
    _goodbye(sock, b"QUIT\r\n")
    # Without AUTH TLS, USER and PASS can only cross in clear text.
    return Dialogue(protocol, "ok", "", first, auth, not auth, features)


def _goodbye(sock: socket.socket, command: bytes) -> None:
    try:
        sock.sendall(command)
    except OSError:
        pass  # the answer is already known; a server that hangs up first changes nothing


_DIALOGUES = {
    "smtp": _smtp,
    "submission": _smtp,
    "imap": _imap,
    "pop3": _pop3,
    "ftp": _ftp,
}


def talk_gently(
    address: str,
    port: int,
    protocol: str,
    timeout: float,
    budget: float,
    pauses: Sequence[float] = (2.0, 5.0, 10.0),
    sleep: Callable[[float], None] = time.sleep,
    source: str | None = None,
    *,
    policy: AddressPolicy,
) -> tuple[Dialogue, int]:
    """``talk``, retried after a pause while the server limits us (421/4xx at the
    greeting: too many connections, greylisting) or resets the connection, as long
    as ``budget`` seconds allow. Returns the last dialogue and the attempts made."""
    end = time.monotonic() + budget
    dialogue = talk(address, port, protocol, timeout, source, policy=policy)
    attempts = 1
    for pause in pauses:
        if dialogue.outcome not in ("limited", "reset"):
            break
        if time.monotonic() + pause + timeout * 3 > end:
            break
        sleep(pause)
        dialogue = talk(address, port, protocol, timeout, source, policy=policy)
        attempts += 1
    return dialogue, attempts


# --- up to the ClientHello ----------------------------------------------------


def _upgrade_smtp(sock: socket.socket, reader: _Lines, protocol: str) -> str:
    _, ended = _coded_greeting(reader, protocol, "SMTP")
    if ended is not None:
        return ended.reason
    _send(sock, b"EHLO vetscan.invalid\r\n")
    if reply_code(reader.reply()) != 250:
        return "EHLO refused"
    _send(sock, b"STARTTLS\r\n")
    reply = reader.reply()
    return "" if reply_code(reply) == 220 else f"STARTTLS refused ({reply[0][:200]!r})"


def _upgrade_imap(sock: socket.socket, reader: _Lines, protocol: str) -> str:
    # Not PREAUTH: a session already authenticated may not start TLS (RFC 9051 6.2.1).
    _, ended = _line_greeting(reader, protocol, "IMAP", ("* OK",), "* BYE")
    if ended is not None:
        return ended.reason
    _send(sock, b"v1 STARTTLS\r\n")
    reply = reader.until("V1 ")[-1]
    return "" if reply.upper().startswith("V1 OK") else f"STARTTLS refused ({reply[:200]!r})"


def _upgrade_pop3(sock: socket.socket, reader: _Lines, protocol: str) -> str:
    _, ended = _line_greeting(reader, protocol, "POP3", ("+OK",), "-ERR")
    if ended is not None:
        return ended.reason
    _send(sock, b"STLS\r\n")
    reply = reader.line()
    return "" if reply.upper().startswith("+OK") else f"STLS refused ({reply[:200]!r})"


def _upgrade_ftp(sock: socket.socket, reader: _Lines, protocol: str) -> str:
    _, ended = _coded_greeting(reader, protocol, "FTP")
    if ended is not None:
        return ended.reason
    _send(sock, b"AUTH TLS\r\n")
    reply = reader.reply()
    return "" if reply_code(reply) == 234 else f"AUTH TLS refused ({reply[0][:200]!r})"


_UPGRADES = {
    "smtp": _upgrade_smtp,
    "submission": _upgrade_smtp,
    "imap": _upgrade_imap,
    "pop3": _upgrade_pop3,
    "ftp": _upgrade_ftp,
}
UPGRADABLE = frozenset(_UPGRADES)


class StartTlsFailed(Exception):
    """The dialogue did not reach TLS; ``outcome`` as Dialogue's ("limited", ...)."""

    def __init__(self, outcome: str, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason


def upgrade(sock: socket.socket, protocol: str, timeout: float) -> None:
    """Takes a fresh connection through ``protocol``'s dialogue to the point where the
    server waits for a ClientHello (one deadline for it all); StartTlsFailed if not."""
    if protocol not in _UPGRADES:
        raise ValueError(f"no STARTTLS dialogue for {protocol!r}")
    reader = _Lines(sock, time.monotonic() + timeout * 2)
    try:
        reason = _UPGRADES[protocol](sock, reader, protocol)
    except _Limited as exc:
        raise StartTlsFailed("limited", f"the server limited our connections ({exc})") from None
    except TimeoutError:
        raise StartTlsFailed("timeout", f"no complete reply within {timeout * 2:g} s") from None
    except (ConnectionResetError, BrokenPipeError):
        raise StartTlsFailed("reset", "the server closed the connection mid-dialogue") from None
    except ValueError as exc:
        raise StartTlsFailed("starttls", str(exc)) from None
    if reason:
        raise StartTlsFailed("starttls", reason)
    if reader.buffer:
        # Bytes after the go-ahead would be read as the server's TLS: refuse them.
        raise StartTlsFailed("starttls", "the server sent more after its STARTTLS reply")
