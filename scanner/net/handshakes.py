"""Small TLS handshakes of our own (Python's ssl), for what sslyze does not report:
whose cipher-suite order decides, and which application protocol (ALPN) the server
chooses. Each handshake is one connection under the address policy, within the
timeout; STARTTLS services are first taken through their dialogue.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from scanner.net import dial
from scanner.net.connect_errors import connect_error
from scanner.net.policy import AddressPolicy
from scanner.net.starttls import UPGRADABLE, StartTlsFailed, upgrade
from scanner.net.tls_contexts import lenient_client_context, server_name
from scanner.observations.tls import Alpn, CipherOrder, TlsEndpoint

_VERSIONS = {
    "TLS 1.0": ssl.TLSVersion.TLSv1,
    "TLS 1.1": ssl.TLSVersion.TLSv1_1,
    "TLS 1.2": ssl.TLSVersion.TLSv1_2,
}
ALPN_OFFER = ("h2", "http/1.1")


class _Failed(Exception):
    pass


def client_suites() -> frozenset[str]:
    """The suites (OpenSSL names) this machine's OpenSSL can offer below TLS 1.3."""
    context = lenient_client_context()
    context.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    return frozenset(c["name"] for c in context.get_ciphers() if c["protocol"] != "TLSv1.3")


@dataclass(frozen=True)
class HandshakeTester:
    policy: AddressPolicy
    timeout: float = 5.0

    def client_suites(self) -> frozenset[str]:
        return client_suites()

    def _handshake(self, endpoint: TlsEndpoint, context: ssl.SSLContext) -> ssl.SSLSocket:
        service = endpoint.kind_of_service
        if endpoint.starttls and service not in UPGRADABLE:
            raise _Failed(f"vetscan's own handshake does not speak {service}'s STARTTLS")
        try:
            sock = dial.tcp(self.policy, endpoint.address, endpoint.port, self.timeout)
        except OSError as exc:
            raise _Failed(connect_error(exc, endpoint.address, self.timeout)[1]) from None
        try:
            if endpoint.starttls:
                upgrade(sock, service, self.timeout)
            sni = server_name(endpoint.host) or None
            tls = context.wrap_socket(sock, server_hostname=sni, do_handshake_on_connect=False)
            tls.settimeout(self.timeout)
            tls.do_handshake()
            return tls
        except StartTlsFailed as exc:
            sock.close()
            raise _Failed(exc.reason) from None
        except TimeoutError:
            sock.close()
            raise _Failed(f"no TLS handshake within {self.timeout:g} s") from None
        except (ssl.SSLError, OSError) as exc:
            sock.close()
            raise _Failed(f"the handshake failed: {getattr(exc, 'reason', None) or exc}") from None

    def cipher_order(
        self, endpoint: TlsEndpoint, version: str, suites: tuple[tuple[str, str], tuple[str, str]]
    ) -> CipherOrder:
        """Offers the two suites ((IANA name, OpenSSL name), weaker first) in both
        orders at ``version``: a server that picks the same one both times has its own
        order; one that picks our first each time follows the client's."""
        (weak_iana, weak_ossl), (strong_iana, strong_ossl) = suites
        by_openssl = {weak_ossl: weak_iana, strong_ossl: strong_iana}
        chosen = []
        for first, second in ((weak_ossl, strong_ossl), (strong_ossl, weak_ossl)):
            context = lenient_client_context()
            context.minimum_version = context.maximum_version = _VERSIONS[version]
            try:
                context.set_ciphers(f"{first}:{second}:@SECLEVEL=0")
                with self._handshake(endpoint, context) as tls:
                    picked = tls.cipher()
            except (_Failed, ssl.SSLError) as exc:
                return CipherOrder(version, (weak_iana, strong_iana), reason=str(exc))
            name = picked[0] if picked else ""
            chosen.append(by_openssl.get(name, name))
        return CipherOrder(version, (weak_iana, strong_iana), (chosen[0], chosen[1]))

    def alpn(self, endpoint: TlsEndpoint) -> Alpn:
        """The application protocol the server chooses when offered h2 and http/1.1."""
        context = lenient_client_context()
        context.set_alpn_protocols(list(ALPN_OFFER))
        try:
            with self._handshake(endpoint, context) as tls:
                return Alpn(ALPN_OFFER, tls.selected_alpn_protocol() or "")
        except _Failed as exc:
            return Alpn(ALPN_OFFER, None, reason=str(exc))
