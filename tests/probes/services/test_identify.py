"""Naming a port's software from what it says, as nmap names it (pure parsers)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.probes.services.identify import (
    Identity,
    dns_identity,
    greeting_identity,
    http_identity,
)


@pytest.mark.parametrize(
    ("header", "tls", "expected"),
    [
        ("nginx", False, Identity("http", "nginx", "")),
        ("nginx/1.22.1", True, Identity("http", "nginx", "1.22.1", tunnel="ssl")),
        ("Apache/2.4.41 (Ubuntu)", False, Identity("http", "Apache httpd", "2.4.41", "Ubuntu")),
        ("Microsoft-IIS/10.0", True, Identity("http", "Microsoft IIS httpd", "10.0", tunnel="ssl")),
        ("MyServer/3", False, Identity("http", "MyServer", "3")),
        (None, False, Identity("http", "", "")),
        ("", True, Identity("http", "", "", tunnel="ssl")),
    ],
)
def test_server_headers(header: str | None, tls: bool, expected: Identity) -> None:
    assert http_identity(header, tls) == expected


@pytest.mark.parametrize(
    ("service", "greeting", "tls", "product", "version"),
    [
        ("imaps", "* OK [CAPABILITY IMAP4rev1] Dovecot (Debian) ready.", True, "Dovecot imapd", ""),
        ("pop3", "+OK Dovecot (Debian) ready.", False, "Dovecot pop3d", ""),
        ("submission", "220 mx ESMTP Postfix (Debian/GNU)", False, "Postfix smtpd", ""),
        ("smtp", "220 mx ESMTP Exim 4.96 Mon, 30 Nov 2026", False, "Exim smtpd", "4.96"),
        ("ftp", "220 (vsFTPd 2.3.4)", False, "vsftpd", "2.3.4"),
        ("ftp", "220 ProFTPD 1.3.5e Server", False, "ProFTPD", "1.3.5e"),
        ("imaps", "* OK IMAP4rev1 ready", True, "", ""),
        # A product for another protocol is not taken: Dovecot's name on an SMTP port.
        ("smtp", "220 Dovecot ready", False, "", ""),
    ],
)
def test_greetings(service: str, greeting: str, tls: bool, product: str, version: str) -> None:
    identity = greeting_identity(service, greeting, tls)
    assert (identity.product, identity.version) == (product, version)
    assert identity.tunnel == ("ssl" if tls else "")


def test_dns_version_answers() -> None:
    assert dns_identity("Knot DNS 3.2.6") == Identity("domain", "cz.nic Knot DNS", "3.2.6")
    assert dns_identity("9.18.24-1-Debian").product == "ISC BIND"
    assert dns_identity("unbound 1.17.1").version == "1.17.1"
    assert dns_identity("go away") == Identity("domain", "", "")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=200), st.booleans())
def test_any_text_names_something_or_nothing(text: str, tls: bool) -> None:
    for identity in (
        http_identity(text, tls),
        greeting_identity("imap", text, tls),
        dns_identity(text),
    ):
        assert isinstance(identity.product, str) and isinstance(identity.version, str)
        assert len(identity.extrainfo) <= 100
