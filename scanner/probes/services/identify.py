"""What a port runs, read from what it says to a plain request: the Server header of
an HTTP answer, the greeting of a mail server inside TLS. Pure functions over text.

nmap's version detection waits seconds on services that say nothing until asked
(a web server), so these ports are named here the way nmap names them ("nginx",
"Apache httpd" 2.4.41), and nmap only looks at the ports left.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# Server header token -> nmap's product name (nmap-service-probes' p/.../ for them).
_HTTP_PRODUCTS = {
    "nginx": "nginx",
    "apache": "Apache httpd",
    "microsoft-iis": "Microsoft IIS httpd",
    "lighttpd": "lighttpd",
    "litespeed": "LiteSpeed httpd",
    "openresty": "OpenResty web app server",
    "caddy": "Caddy httpd",
    "envoy": "Envoy proxy",
    "cloudflare": "cloudflare",
    "gunicorn": "Gunicorn",
    "jetty": "Jetty",
    "apache-coyote": "Apache Tomcat/Coyote JSP engine",
}
_TOKEN = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_.-]*)(?:/([0-9][0-9A-Za-z.+~-]*))?\s*(.*)$")
# Greeting -> nmap's product name, per service (inside TLS or before it).
_IMAP = ("imap", "imaps")
_POP3 = ("pop3", "pop3s")
_SMTP = ("smtp", "submission", "submissions")
_GREETINGS: tuple[tuple[re.Pattern[str], tuple[str, ...], str], ...] = (
    (re.compile(r"\bDovecot\b", re.I), _IMAP, "Dovecot imapd"),
    (re.compile(r"\bDovecot\b", re.I), _POP3, "Dovecot pop3d"),
    (re.compile(r"\bCourier-IMAP\b", re.I), _IMAP, "Courier Imapd"),
    (re.compile(r"\bCyrus\b", re.I), _IMAP, "Cyrus imapd"),
    (re.compile(r"\bCyrus\b", re.I), _POP3, "Cyrus pop3d"),
    (re.compile(r"\bESMTP Postfix\b", re.I), _SMTP, "Postfix smtpd"),
    (re.compile(r"\bExim\b", re.I), _SMTP, "Exim smtpd"),
    (re.compile(r"\(vsFTPd ([0-9][0-9.]*)\)", re.I), ("ftp",), "vsftpd"),
    (re.compile(r"\bProFTPD ([0-9][0-9.a-z]*)", re.I), ("ftp",), "ProFTPD"),
)
_EXIM_VERSION = re.compile(r"\bExim ([0-9][0-9.]*)", re.I)


@dataclass(frozen=True)
class Identity:
    service: str  # nmap's service name: http, imaps, ...
    product: str
    version: str
    extrainfo: str = ""
    tunnel: str = ""  # "ssl" when found inside TLS


def http_identity(server_header: str | None, tls: bool) -> Identity:
    """An HTTP server, named from its Server header as nmap names it."""
    tunnel = "ssl" if tls else ""
    match = _TOKEN.match(server_header or "")
    if not match:
        return Identity("http", "", "", tunnel=tunnel)
    token, version, rest = match.group(1), match.group(2) or "", match.group(3).strip()
    product = _HTTP_PRODUCTS.get(token.lower(), token)
    extrainfo = rest[1:-1] if rest.startswith("(") and rest.endswith(")") else ""
    return Identity("http", product, version, extrainfo[:100], tunnel)


def greeting_identity(service: str, greeting: str, tls: bool = True) -> Identity:
    """A mail or FTP server named from its greeting (inside implicit TLS for IMAPS,
    POP3S and SMTPS; before TLS for IMAP, POP3, SMTP and FTP). The product stays
    empty when the greeting names none: nmap would not name it either."""
    tunnel = "ssl" if tls else ""
    for pattern, services, product in _GREETINGS:
        match = pattern.search(greeting)
        if match and service in services:
            version = match.group(1) if pattern.groups else ""
            if product == "Exim smtpd" and (v := _EXIM_VERSION.search(greeting)):
                version = v.group(1)
            return Identity(service, product, version, tunnel=tunnel)
    return Identity(service, "", "", tunnel=tunnel)


# version.bind text -> nmap's product name; the version is the text's version number.
_DNS_PRODUCTS = (
    (re.compile(r"^Knot DNS\b", re.I), "cz.nic Knot DNS"),
    (re.compile(r"^unbound\b", re.I), "Unbound"),
    (re.compile(r"^PowerDNS Authoritative\b", re.I), "PowerDNS Authoritative Server"),
    (re.compile(r"^PowerDNS Recursor\b", re.I), "PowerDNS Recursor"),
    (re.compile(r"^dnsmasq\b", re.I), "dnsmasq"),
    (re.compile(r"^NSD\b", re.I), "NLnet Labs NSD"),
    (re.compile(r"^Microsoft DNS\b", re.I), "Microsoft DNS"),
    # BIND answers with its version alone ("9.18.24-1-Debian").
    (re.compile(r"^9\.\d+\.\d+"), "ISC BIND"),
)
_DNS_VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?(?:[-.][0-9A-Za-z.-]+)?)")


def dns_identity(version_text: str) -> Identity:
    """A DNS server named from its version.bind answer; none when it hides it."""
    text = version_text.strip()
    for pattern, product in _DNS_PRODUCTS:
        if pattern.search(text):
            found = _DNS_VERSION.search(text)
            return Identity("domain", product, found.group(1) if found else "")
    return Identity("domain", "", "")


# --- services that say nothing until asked, or only a greeting ------------------------
# nmap's version detection waits seconds on each (its NULL probe, then probes in
# rarity order); vetscan asks them the one question that names them.

REDIS_REQUEST = b"INFO server\r\n"
DOCKER_REQUEST = b"GET /version HTTP/1.0\r\nHost: %s\r\nUser-Agent: vetscan\r\n\r\n"
_REDIS_VERSION = re.compile(rb"^redis_version:([0-9][0-9A-Za-z.+-]*)\r?$", re.M)
# Replies of a Redis that wants a password (requirepass, ACL) or refuses strangers
# (protected mode): it is a Redis, and it did not hand out its data.
_REDIS_REFUSALS = (
    b"-NOAUTH",
    b"-NOPERM",
    b"-WRONGPASS",
    b"-DENIED",
    b"-ERR operation not permitted",
)
_HTTP_STATUS = re.compile(rb"^HTTP/1\.[01] (\d{3})")
_DOCKER_SERVER = re.compile(rb"^Server: *Docker/([0-9][0-9A-Za-z.+~-]*)", re.M | re.I)
_DOCKER_API = re.compile(rb"^Api-Version: *([0-9.]+)", re.M | re.I)
_RFB = re.compile(rb"^RFB (\d{3})\.(\d{3})\n")
# IAC DO TERMINAL-TYPE, TSPEED, XDISPLOC, NEW-ENVIRON: Linux telnetd's opening, as
# nmap-service-probes matches it (p/Linux telnetd/).
_LINUX_TELNETD = b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27"


@dataclass(frozen=True)
class Answered:
    """What a service said to vetscan's question: its name, and whether it handed
    over data without a password ("open") or asked for one ("protected")."""

    identity: Identity
    access: str  # open, protected
    said: str  # what shows it, for the finding ("redis_version:7.4.6")


def redis_complete(data: bytes) -> bool:
    """A whole RESP reply: a bulk string of its announced length, or one line."""
    if data.startswith(b"$"):
        head, sep, rest = data.partition(b"\r\n")
        if not sep:
            return False
        try:
            size = int(head[1:])
        except ValueError:
            return True
        return size < 0 or len(rest) >= size + 2
    return b"\r\n" in data


def line_complete(data: bytes) -> bool:
    return b"\n" in data


def greeting_complete(data: bytes) -> bool:
    return len(data) >= 3


def redis_answer(reply: bytes) -> Answered | None:
    """A Redis server's answer to INFO server; None when it is not Redis's protocol."""
    if reply.startswith(b"$"):
        found = _REDIS_VERSION.search(reply)
        if found is None:
            return None
        version = found.group(1).decode("ascii")
        return Answered(
            Identity("redis", "Redis key-value store", version),
            "open",
            f"INFO answered: redis_version:{version}",
        )
    if reply.startswith(_REDIS_REFUSALS):
        line = reply.split(b"\r\n", 1)[0].decode("utf-8", "replace")[:120]
        return Answered(Identity("redis", "Redis key-value store", ""), "protected", line)
    return None


def docker_answer(reply: bytes) -> Answered | None:
    """The Docker Engine API's answer to GET /version; None when it is not Docker."""
    status = _HTTP_STATUS.match(reply)
    if status is None:
        return None
    head, _, body = reply.partition(b"\r\n\r\n")
    server, api = _DOCKER_SERVER.search(head), _DOCKER_API.search(head)
    version = server.group(1).decode("ascii") if server else ""
    api_version = api.group(1).decode("ascii") if api else ""
    code = int(status.group(1))
    if code == 200:
        try:
            data = json.loads(body.decode("utf-8", "replace"))
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("ApiVersion"), str):
            version = str(data.get("Version", version))[:40]
            api_version = str(data["ApiVersion"])[:20]
            identity = Identity("docker", "Docker remote API", version, f"API {api_version}")
            said = f"GET /version answered: Docker {version}, API {api_version}"
            return Answered(identity, "open", said)
    if not (server or api):
        return None
    extrainfo = f"API {api_version}" if api_version else ""
    identity = Identity("docker", "Docker remote API", version, extrainfo)
    if code in (401, 403):
        return Answered(identity, "protected", f"GET /version refused with HTTP {code}")
    # Another answer from a Docker API (a 404 of an old engine): named, access unknown.
    return Answered(identity, "", f"GET /version answered HTTP {code}")


def vnc_identity(greeting: bytes) -> Identity | None:
    """A VNC server from its RFB protocol greeting ("RFB 003.008")."""
    found = _RFB.match(greeting)
    if found is None:
        return None
    major, minor = int(found.group(1)), int(found.group(2))
    return Identity("vnc", "VNC", "", f"protocol {major}.{minor}")


def telnet_identity(greeting: bytes) -> Identity | None:
    """A telnet server from its option negotiation (IAC DO/WILL first)."""
    if len(greeting) < 3 or greeting[0] != 0xFF or greeting[1] not in (0xFB, 0xFC, 0xFD, 0xFE):
        return None
    product = "Linux telnetd" if greeting.startswith(_LINUX_TELNETD) else ""
    return Identity("telnet", product, "")
