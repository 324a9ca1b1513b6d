"""TLS client contexts shared by the adapters that only need a TLS connection to
exist, not to be trusted (the TLS probe judges trust and protocols on its own)."""

from __future__ import annotations

import ipaddress
import ssl


def server_name(host: str) -> str:
    """What goes in SNI for ``host``: the name itself, nothing for an address
    (RFC 6066 section 3 allows host names only)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return ""


def lenient_client_context() -> ssl.SSLContext:
    """Accepts whatever the server offers: any certificate, any protocol version and
    suite OpenSSL still has (SECLEVEL 0), no host-name check."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context
