"""What a port runs, read from what it says to a plain request: the Server header of
an HTTP answer, the greeting of a mail server inside TLS. Pure functions over text.

nmap's version detection waits seconds on services that say nothing until asked
(a web server), so these ports are named here the way nmap names them ("nginx",
"Apache httpd" 2.4.41), and nmap only looks at the ports left.
"""

from __future__ import annotations

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
