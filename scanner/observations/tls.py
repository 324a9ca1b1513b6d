"""What the TLS probe saw at one endpoint, as plain frozen data.

The sslyze adapter (``scanner.net.tls_scan``) fills these in and nothing else
of sslyze leaves it. Every part that may not have been measured carries a
``reason`` next to a ``None`` value, so evaluation can say "not assessed"
rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scanner.model import Observation

PROTOCOLS = ("SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3")


@dataclass(frozen=True)
class CipherInfo:
    name: str  # IANA/RFC name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    key_size: int
    anonymous: bool
    ephemeral_type: str | None = None  # "DH" or "ECDH"
    ephemeral_size: int | None = None  # bits of the (EC)DH key the server chose
    curve: str | None = None
    # OpenSSL's name for the suite (ECDHE-RSA-AES128-GCM-SHA256): what a client built on
    # OpenSSL offers it as. Empty in scans saved before it was recorded.
    openssl_name: str = ""


@dataclass(frozen=True)
class ProtocolResult:
    version: str  # one of PROTOCOLS
    accepted: bool | None  # None: could not be tested
    ciphers: tuple[CipherInfo, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Sct:
    """A signed certificate timestamp embedded in the certificate (RFC 6962): which
    log (its ID, base64 of the SHA-256 of its key) promised to publish it, and when."""

    log_id: str
    timestamp: datetime


@dataclass(frozen=True)
class CertInfo:
    subject: str
    common_name: str
    sans: tuple[str, ...]
    ip_sans: tuple[str, ...]
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    key_type: str  # RSA, EC, Ed25519, DSA, ...
    key_size: int
    signature_hash: str | None  # sha256, sha1, ... (None for Ed25519)
    sha256: str
    self_issued: bool
    # Digests for DANE (RFC 6698): of the whole certificate and of its key.
    sha512: str = ""
    spki_sha256: str = ""
    spki_sha512: str = ""
    # Where the certificate says its revocation status is answered (AIA OCSP URLs),
    # and whether it requires the server to staple that answer (TLS Feature
    # status_request, "must-staple", RFC 7633). None: not recorded (a scan made
    # before vetscan read them), so nothing is judged on it.
    ocsp_urls: tuple[str, ...] | None = None
    must_staple: bool | None = None
    # The SCTs embedded in it (certificate transparency); None: not recorded.
    scts: tuple[Sct, ...] | None = None

    @property
    def lifetime_days(self) -> float:
        return (self.not_after - self.not_before).total_seconds() / 86400


@dataclass(frozen=True)
class CertificateResult:
    received_chain: tuple[CertInfo, ...]
    verified_chain: tuple[CertInfo, ...]  # empty when no trusted path was found
    trusted: bool
    trust_store: str  # the store that decided: "Supplied CA file" or "Mozilla"
    trust_error: str
    ocsp_stapled: bool
    chain_in_order: bool | None
    # A certificate sent without its intermediate, judged as a browser would: the
    # issuer fetched from its AIA caIssuers URL, and the chain validated again.
    aia_url: str = ""
    aia_completed: bool = False
    aia_note: str = ""

    @property
    def leaf(self) -> CertInfo:
        return self.received_chain[0]


@dataclass(frozen=True)
class Hsts:
    max_age: int | None
    include_subdomains: bool
    preload: bool


@dataclass(frozen=True)
class Vulnerability:
    name: str  # heartbleed, ccs_injection, robot, compression, insecure_renegotiation
    vulnerable: bool | None
    detail: str = ""
    reason: str = ""


@dataclass(frozen=True)
class MozillaCompliance:
    level: str  # modern, intermediate, old
    compliant: bool | None
    issues: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class HybridKeyExchange:
    """Our own TLS 1.3 ClientHello offering only the hybrid post-quantum groups
    (``offered``, with an ML-KEM key share), and the server's first answer.

    ``outcome``: "selected" (a ServerHello choosing ``group``), "retry" (a
    HelloRetryRequest asking for ``group``: the server would use it), "refused" (an
    alert, ``alert``: none of the groups is acceptable), or why the test could not
    tell ("timeout", "reset", "closed", "not_tls", "invalid", "limited", "starttls",
    "error", "unsupported") with ``reason``.
    """

    outcome: str
    offered: tuple[str, ...] = ()
    group: str = ""
    alert: str = ""
    reason: str = ""

    @property
    def hybrid(self) -> bool | None:
        """Whether the server takes a hybrid group (None: the test could not tell)."""
        if self.outcome in ("selected", "retry"):
            return True
        # A server that hangs up on the ClientHello gives a client offering only these
        # groups no handshake either: it takes none of them (the reason says how).
        return False if self.outcome in ("refused", "closed") else None


@dataclass(frozen=True)
class CipherOrder:
    """Two suites offered at ``version`` in both orders (``offered``: the weaker one
    first), and the suite the server chose each time (``chosen``; empty with ``reason``
    when a handshake failed)."""

    version: str
    offered: tuple[str, str]
    chosen: tuple[str, ...] = ()
    reason: str = ""

    @property
    def enforced(self) -> bool | None:
        """True: the server chose by its own order; False: it took our first each time."""
        if len(self.chosen) != 2:
            return None
        if self.chosen[0] == self.chosen[1]:
            return True
        if self.chosen == self.offered:
            return False
        return None  # neither pattern: the test cannot tell


@dataclass(frozen=True)
class Alpn:
    """The application protocol the server chose when offered ``offered`` ("": none;
    None: the handshake failed, ``reason`` says why)."""

    offered: tuple[str, ...]
    chosen: str | None
    reason: str = ""


@dataclass(frozen=True)
class TlsEndpoint:
    """What to scan: a host name (for SNI), a port, and the address to connect to."""

    host: str
    port: int
    address: str
    role: str  # web, mail, mta-sts, extra, discovered
    starttls: bool = False
    # What speaks TLS there (scanner.observations.tls_services): https, smtp, imaps, imap,
    # pop3s, submission, ldaps, ...; empty: smtp with STARTTLS, else https.
    service: str = ""

    @property
    def kind_of_service(self) -> str:
        return self.service or ("smtp" if self.starttls else "https")

    def unscanned(self, outcome: str, reason: str, now: datetime) -> TlsEndpointResult:
        """The result for an endpoint that could not be scanned, and why."""
        return TlsEndpointResult(
            host=self.host,
            port=self.port,
            address=self.address,
            role=self.role,
            starttls=self.starttls,
            service=self.kind_of_service,
            observed_at=now,
            outcome=outcome,
            reason=reason,
        )


@dataclass(frozen=True)
class TlsEndpointResult(Observation):
    """Everything measured at host:port (connected to ``address``, SNI ``host``).

    ``outcome`` is "scanned" when sslyze ran; otherwise one of "timeout",
    "refused", "reset", "not_tls", "no_starttls", "no_route", "limited" (the
    server answered 421/4xx before we could tell), "limited_after" (STARTTLS was
    offered, then the server refused further connections), "error" with ``reason``.
    """

    kind = "tls.endpoint"
    host: str
    port: int
    address: str
    role: str  # web, mail, mta-sts, extra
    starttls: bool
    observed_at: datetime
    outcome: str
    reason: str = ""
    service: str = ""  # as TlsEndpoint.service
    protocols: tuple[ProtocolResult, ...] = ()
    supported_curves: tuple[str, ...] | None = None
    certificate: CertificateResult | None = None
    certificate_reason: str = ""
    hsts: Hsts | None = None
    hsts_assessed: bool = False
    hsts_reason: str = ""
    fallback_scsv: bool | None = None
    vulnerabilities: tuple[Vulnerability, ...] = ()
    mozilla: tuple[MozillaCompliance, ...] = ()
    # Only where TLS 1.3 was accepted; None: not tested (no TLS 1.3, or saved before).
    hybrid_kex: HybridKeyExchange | None = None
    # From sslyze: RFC 7627 extended master secret (TLS 1.2 and older), TLS 1.3 early
    # data (0-RTT) accepted, client-initiated renegotiation honoured. None: not tested.
    ems: bool | None = None
    early_data: bool | None = None
    client_renegotiation: bool | None = None
    # Our own handshakes (scanner.net.handshakes); None: not tested.
    cipher_order: CipherOrder | None = None
    alpn: Alpn | None = None
    # How findings name this endpoint: "host:port", plus the address when the
    # host has several, so each address keeps its own verdicts across runs.
    asset: str = ""

    @property
    def kind_of_service(self) -> str:
        return self.service or ("smtp" if self.starttls else "https")

    def protocol(self, version: str) -> ProtocolResult | None:
        return next((p for p in self.protocols if p.version == version), None)
