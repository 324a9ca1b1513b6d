"""The network access discovery sources get: an HTTP GET to a configured search
service (certificate transparency) and the names in a server's certificate.

Both go through the scan's resolver and the address policy's one door
(net/dial.py), with the scan's timeout and a size cap, like every other
connection vetscan makes: an IP literal in a URL is no way around it.
"""

from __future__ import annotations

import ssl

from cryptography import x509

from scanner.net import dial
from scanner.net.http import HttpClient
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import DnsOutcome, Resolver
from scanner.net.tls_contexts import lenient_client_context
from scanner.net.urls import BadLocation, parse_http_url

# A CT search for a large provider returns a few MiB of JSON; far more is abuse.
MAX_SEARCH_BODY = 16 * 1024 * 1024
# An issuer certificate is a few KiB.
MAX_ISSUER_BODY = 64 * 1024


class DiscoveryClient:
    """What discovery sources may do on the network: GET ``base + query`` from a
    search service the profile names, and read a server's certificate names."""

    def __init__(
        self, http: HttpClient, resolver: Resolver, policy: AddressPolicy, timeout: float
    ) -> None:
        self.http = http
        self.resolver = resolver
        self.policy = policy
        self.timeout = timeout

    def issuer(self, url: str) -> bytes | str:
        """The certificate at an AIA caIssuers URL (a few KiB; capped at 64 KiB), or
        why there is none."""
        try:
            parsed = parse_http_url(url)
        except BadLocation as exc:
            return str(exc)
        address = str(parsed.ip) if parsed.ip is not None else self._address(parsed.host)
        if address.startswith("!"):
            return address[1:]
        small = HttpClient(timeout=self.timeout, max_body=MAX_ISSUER_BODY, policy=self.policy)
        response = small.get(
            parsed.host, address, parsed.target, scheme=parsed.scheme, port=parsed.port
        )
        if response.status is None:
            return response.error or "no answer"
        if response.status != 200:
            return f"the server answered {response.status}"
        if response.truncated:
            return f"the answer is larger than {MAX_ISSUER_BODY // 1024} KiB"
        return response.body

    def certificate_names(self, host: str, address: str, port: int) -> list[str]:
        return certificate_names(self.policy, address, port, host, self.timeout)

    def get(self, base: str, query: str) -> tuple[int | None, bytes, str]:
        """(status or None, body, error text); the error is set when there is no
        answer or the body was cut at the size cap."""
        try:
            url = parse_http_url(base.rstrip("/") + "/" + query.lstrip("/"))
        except BadLocation as exc:
            return None, b"", f"not a usable URL: {exc}"
        address = str(url.ip) if url.ip is not None else self._address(url.host)
        if address.startswith("!"):
            return None, b"", address[1:]
        response = self.http.get(url.host, address, url.target, scheme=url.scheme, port=url.port)
        if response.status is None:
            return None, b"", response.error or "no answer"
        error = ""
        if response.truncated:
            error = f"the answer is larger than {self.http.max_body // (1024 * 1024)} MiB"
        return response.status, response.body, error

    def _address(self, host: str) -> str:
        for rdtype in ("A", "AAAA"):
            answer = self.resolver.query(host, rdtype)
            if answer.outcome is DnsOutcome.OK and answer.records:
                refusal = self.policy.refusal(answer.records[0])
                return f"!{refusal}" if refusal else answer.records[0]
        return f"!{host} does not resolve"


def certificate_names(
    policy: AddressPolicy, address: str, port: int, server_name: str, timeout: float
) -> list[str]:
    """The DNS names (subjectAltName) of the certificate ``address:port`` presents
    for ``server_name``; empty when there is no TLS there, no certificate, or the
    policy refuses the address."""
    try:
        with dial.tcp(policy, address, port, timeout) as sock:
            # Only reads the certificate: accept whatever the server offers.
            with lenient_client_context().wrap_socket(sock, server_hostname=server_name) as tls:
                der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError, ValueError):
        return []
    if not der:
        return []
    try:
        cert = x509.load_der_x509_certificate(der)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return []
    return [str(n) for n in san.get_values_for_type(x509.DNSName)]
