"""The sslyze adapter: the only module that imports sslyze.

Endpoints are scanned by address with SNI set to the host name, so sslyze never
resolves anything itself. Implicit-TLS endpoints share one sslyze Scanner that
opens a few connections per server; STARTTLS endpoints (SMTP, IMAP, POP3, ...)
get their own Scanner with one connection at a time per server, because mail
servers often refuse or rate-limit parallel sessions. Both scanners run at the
same time.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from sslyze import (
    CertificateInfoExtraArgument,
    ProtocolWithOpportunisticTlsEnum,
    RobotScanResultEnum,
    ScanCommand,
    ScanCommandAttemptStatusEnum,
    ScanCommandsExtraArguments,
    Scanner,
    ServerNetworkConfiguration,
    ServerNetworkLocation,
    ServerScanRequest,
    ServerScanResult,
    ServerScanStatusEnum,
)
from sslyze.mozilla_tls_profile.tls_config_checker import (
    MozillaTlsConfiguration,
    ServerNotCompliantWithTlsConfiguration,
    ServerScanResultIncomplete,
    TlsConfigurationEnum,
    check_server_against_tls_configuration,
)
from sslyze.plugins.certificate_info.trust_stores.trust_store_repository import (
    TrustStoresRepository,
)

from scanner.net import dial
from scanner.net.certs import cert_info
from scanner.net.chain import Completion, IssuerFetch, complete
from scanner.net.policy import AddressPolicy
from scanner.observations.tls import (
    CertificateResult,
    CipherInfo,
    Hsts,
    MozillaCompliance,
    ProtocolResult,
    TlsEndpoint,
    TlsEndpointResult,
    Vulnerability,
)
from scanner.observations.tls_services import HTTP

# sslyze's bundled trust stores hold a few old roots with non-positive serial
# numbers; cryptography warns on each load, which would only clutter output.
warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)

_PROTOCOL_COMMANDS = (
    ("SSL 2.0", ScanCommand.SSL_2_0_CIPHER_SUITES),
    ("SSL 3.0", ScanCommand.SSL_3_0_CIPHER_SUITES),
    ("TLS 1.0", ScanCommand.TLS_1_0_CIPHER_SUITES),
    ("TLS 1.1", ScanCommand.TLS_1_1_CIPHER_SUITES),
    ("TLS 1.2", ScanCommand.TLS_1_2_CIPHER_SUITES),
    ("TLS 1.3", ScanCommand.TLS_1_3_CIPHER_SUITES),
)
# Everything Mozilla's checker needs, plus HSTS for web endpoints. Session
# resumption is left out: no check reads it and it costs many connections.
_COMMANDS = {command for _, command in _PROTOCOL_COMMANDS} | {
    ScanCommand.CERTIFICATE_INFO,
    ScanCommand.TLS_COMPRESSION,
    ScanCommand.OPENSSL_CCS_INJECTION,
    ScanCommand.TLS_FALLBACK_SCSV,
    ScanCommand.HEARTBLEED,
    ScanCommand.ROBOT,
    ScanCommand.SESSION_RENEGOTIATION,
    ScanCommand.ELLIPTIC_CURVES,
    ScanCommand.TLS_EXTENDED_MASTER_SECRET,
    # 0-RTT: a full handshake and one resumption (#27 item 4).
    ScanCommand.TLS_1_3_EARLY_DATA,
}
# sslyze's STARTTLS dialogues, by the service on the port (scanner.observations.tls_services).
_OPPORTUNISTIC = {
    "smtp": ProtocolWithOpportunisticTlsEnum.SMTP,
    "submission": ProtocolWithOpportunisticTlsEnum.SMTP,
    "imap": ProtocolWithOpportunisticTlsEnum.IMAP,
    "pop3": ProtocolWithOpportunisticTlsEnum.POP3,
    "ftp": ProtocolWithOpportunisticTlsEnum.FTP,
    "ldap": ProtocolWithOpportunisticTlsEnum.LDAP,
    "xmpp-client": ProtocolWithOpportunisticTlsEnum.XMPP,
    "xmpp-server": ProtocolWithOpportunisticTlsEnum.XMPP_SERVER,
    "postgresql": ProtocolWithOpportunisticTlsEnum.POSTGRES,
}
_MOZILLA_LEVELS = (
    ("modern", TlsConfigurationEnum.MOZILLA_MODERN),
    ("intermediate", TlsConfigurationEnum.MOZILLA_INTERMEDIATE),
    ("old", TlsConfigurationEnum.MOZILLA_OLD),
)


class TlsScanner:
    def __init__(
        self,
        ca_file: Path | None = None,
        network_timeout: float = 5.0,
        web_connections_per_server: int = 5,
        issuer_fetch: IssuerFetch | None = None,
        *,
        policy: AddressPolicy,
    ) -> None:
        # sslyze opens its own sockets: every endpoint's address passes the policy
        # here before sslyze is handed it (net/dial.py).
        self.policy = policy
        self.ca_file = ca_file
        self.network_timeout = max(1, round(network_timeout))
        self.web_connections = web_connections_per_server
        # Fetches a missing intermediate from its AIA URL, as browsers do (net/chain.py).
        self.issuer_fetch = issuer_fetch
        self._roots: list[x509.Certificate] | None = None

    def _complete(self, leaf: x509.Certificate) -> Completion | None:
        if self.issuer_fetch is None:
            return None
        if self._roots is None:
            # The store that decides trust: the user's CA file, else sslyze's Mozilla one.
            path = self.ca_file or TrustStoresRepository.get_default().get_main_store().path
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
                    self._roots = x509.load_pem_x509_certificates(Path(path).read_bytes())
            except (OSError, ValueError):
                self._roots = []
        return complete(leaf, self._roots, self.issuer_fetch)

    def scan(self, endpoints: Sequence[TlsEndpoint]) -> list[TlsEndpointResult]:
        """Scan every endpoint; the result list follows the input order. An endpoint
        whose address the policy refuses is not scanned: an error with the reason."""
        results: dict[TlsEndpoint, TlsEndpointResult] = {}
        allowed = []
        for endpoint in endpoints:
            try:
                dial.approve(self.policy, endpoint.address)
            except dial.RefusedByPolicy as exc:
                results[endpoint] = endpoint.unscanned("error", str(exc), datetime.now(UTC))
            else:
                allowed.append(endpoint)
        groups = [
            ([e for e in allowed if not e.starttls], self.web_connections),
            ([e for e in allowed if e.starttls], 1),
        ]
        threads = [
            threading.Thread(target=self._scan_group, args=(group, limit, results), daemon=True)
            for group, limit in groups
            if group
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [results[e] for e in endpoints]

    def _request(self, endpoint: TlsEndpoint) -> ServerScanRequest:
        commands = set(_COMMANDS)
        service = endpoint.kind_of_service
        if service in HTTP:
            commands.add(ScanCommand.HTTP_HEADERS)
        extra = ScanCommandsExtraArguments(
            certificate_info=CertificateInfoExtraArgument(custom_ca_file=self.ca_file)
            if self.ca_file
            else None
        )
        return ServerScanRequest(
            server_location=ServerNetworkLocation(
                endpoint.host, endpoint.port, ip_address=endpoint.address
            ),
            network_configuration=ServerNetworkConfiguration(
                tls_server_name_indication=endpoint.host,
                tls_opportunistic_encryption=_OPPORTUNISTIC.get(service)
                if endpoint.starttls
                else None,
                smtp_ehlo_hostname="vetscan.invalid" if service in ("smtp", "submission") else None,
                xmpp_to_hostname=endpoint.host if service.startswith("xmpp") else None,
                network_timeout=self.network_timeout,
                network_max_retries=1,
            ),
            scan_commands=commands,
            scan_commands_extra_arguments=extra,
        )

    def _scan_group(
        self,
        endpoints: list[TlsEndpoint],
        per_server: int,
        out: dict[TlsEndpoint, TlsEndpointResult],
    ) -> None:
        try:
            by_uuid = {}
            requests = []
            for endpoint in endpoints:
                request = self._request(endpoint)
                by_uuid[request.uuid] = endpoint
                requests.append(request)
            scanner = Scanner(
                per_server_concurrent_connections_limit=per_server,
                concurrent_server_scans_limit=max(1, len(requests)),
            )
            scanner.queue_scans(requests)
            for result in scanner.get_results():
                endpoint = by_uuid[result.uuid]
                out[endpoint] = _convert(endpoint, result, datetime.now(UTC), self._complete)
        except Exception as exc:  # noqa: BLE001 - sslyze failures become results, not crashes
            reason = f"sslyze failed: {type(exc).__name__}: {exc}"[:300]
            for endpoint in endpoints:
                out.setdefault(endpoint, endpoint.unscanned("error", reason, datetime.now(UTC)))


def _error_text(attempt: Any) -> str:
    reason = attempt.error_reason.value if attempt.error_reason else "error"
    trace = attempt.error_trace
    detail = "".join(trace.format_exception_only()).strip() if trace else ""
    return f"{reason}: {detail}"[:300] if detail else reason


def _convert(
    endpoint: TlsEndpoint,
    result: ServerScanResult,
    now: datetime,
    completer: Callable[[x509.Certificate], Completion | None] | None = None,
) -> TlsEndpointResult:
    base: dict[str, Any] = {
        "host": endpoint.host,
        "port": endpoint.port,
        "address": endpoint.address,
        "role": endpoint.role,
        "starttls": endpoint.starttls,
        "service": endpoint.kind_of_service,
        "observed_at": now,
    }
    if result.scan_status is not ServerScanStatusEnum.COMPLETED or result.scan_result is None:
        trace = result.connectivity_error_trace
        reason = "".join(trace.format_exception_only()).strip() if trace else "no connectivity"
        return TlsEndpointResult(**base, outcome="error", reason=f"sslyze: {reason[:300]}")
    attempts = result.scan_result
    hsts, hsts_assessed, hsts_reason = _hsts(attempts, endpoint.kind_of_service in HTTP)
    certificate, certificate_reason = _certificate(attempts.certificate_info, completer)
    curves = attempts.elliptic_curves
    return TlsEndpointResult(
        **base,
        outcome="scanned",
        protocols=tuple(
            _protocol(name, getattr(attempts, c.value)) for name, c in _PROTOCOL_COMMANDS
        ),
        supported_curves=tuple(c.name for c in curves.result.supported_curves or ())
        if curves.status is ScanCommandAttemptStatusEnum.COMPLETED and curves.result
        else None,
        certificate=certificate,
        certificate_reason=certificate_reason,
        hsts=hsts,
        hsts_assessed=hsts_assessed,
        hsts_reason=hsts_reason,
        fallback_scsv=_completed(attempts.tls_fallback_scsv, "supports_fallback_scsv"),
        vulnerabilities=_vulnerabilities(attempts),
        mozilla=_mozilla(result),
        ems=_completed(attempts.tls_extended_master_secret, "supports_ems_extension"),
        early_data=_completed(attempts.tls_1_3_early_data, "supports_early_data"),
        client_renegotiation=_completed(
            attempts.session_renegotiation, "is_vulnerable_to_client_renegotiation_dos"
        ),
    )


def _completed(attempt: Any, field: str) -> Any:
    if attempt.status is ScanCommandAttemptStatusEnum.COMPLETED and attempt.result is not None:
        return getattr(attempt.result, field)
    return None


def _protocol(version: str, attempt: Any) -> ProtocolResult:
    if attempt.status is not ScanCommandAttemptStatusEnum.COMPLETED or attempt.result is None:
        return ProtocolResult(version, None, reason=_error_text(attempt))
    ciphers = []
    for accepted in attempt.result.accepted_cipher_suites:
        suite, key = accepted.cipher_suite, accepted.ephemeral_key
        ciphers.append(
            CipherInfo(
                name=suite.name,
                key_size=suite.key_size,
                anonymous=suite.is_anonymous,
                ephemeral_type=key.type_name if key else None,
                ephemeral_size=key.size if key else None,
                curve=getattr(key, "curve_name", None) if key else None,
                openssl_name=suite.openssl_name,
            )
        )
    return ProtocolResult(version, bool(ciphers), tuple(ciphers))


def _certificate(
    attempt: Any, completer: Callable[[x509.Certificate], Completion | None] | None = None
) -> tuple[CertificateResult | None, str]:
    if attempt.status is not ScanCommandAttemptStatusEnum.COMPLETED or attempt.result is None:
        return None, _error_text(attempt)
    deployments = attempt.result.certificate_deployments
    if not deployments:
        return None, "the server presented no certificate"
    deployment = deployments[0]  # the one chosen for our SNI and default client
    validations = {v.trust_store.name: v for v in deployment.path_validation_results}
    # The user's CA file decides when given (private PKI); otherwise Mozilla's store,
    # the reference for public web PKI.
    store = "Supplied CA file" if "Supplied CA file" in validations else "Mozilla"
    validation = validations.get(store)
    trusted = bool(validation and validation.was_validation_successful)
    verified = (
        tuple(cert_info(c) for c in validation.verified_certificate_chain)
        if validation and validation.verified_certificate_chain
        else ()
    )
    received = deployment.received_certificate_chain
    completion = None
    leaf = received[0]
    if not trusted and len(received) == 1 and leaf.issuer != leaf.subject and completer:
        # A CA-issued certificate sent alone: is the intermediate all that is missing?
        completion = completer(leaf)
    return (
        CertificateResult(
            received_chain=tuple(cert_info(c) for c in deployment.received_certificate_chain),
            verified_chain=verified,
            trusted=trusted,
            trust_store=store,
            trust_error=str(validation.validation_error or "")[:300] if validation else "",
            ocsp_stapled=deployment.ocsp_response is not None,
            chain_in_order=deployment.received_chain_has_valid_order,
            aia_url=completion.url if completion else "",
            aia_completed=completion.completed if completion else False,
            aia_note=completion.note if completion else "",
        ),
        "",
    )


def _hsts(attempts: Any, http: bool) -> tuple[Hsts | None, bool, str]:
    if not http:
        return None, False, "not an HTTP service"
    attempt = attempts.http_headers
    if attempt.status is not ScanCommandAttemptStatusEnum.COMPLETED or attempt.result is None:
        return None, False, _error_text(attempt)
    if attempt.result.http_error_trace is not None:
        trace = "".join(attempt.result.http_error_trace.format_exception_only()).strip()
        return None, False, f"HTTP request failed: {trace[:200]}"
    header = attempt.result.strict_transport_security_header
    if header is None:
        return None, True, ""
    return Hsts(header.max_age, bool(header.include_subdomains), bool(header.preload)), True, ""


def _vulnerabilities(attempts: Any) -> tuple[Vulnerability, ...]:
    found = []
    for name, attempt, field in (
        ("heartbleed", attempts.heartbleed, "is_vulnerable_to_heartbleed"),
        ("ccs_injection", attempts.openssl_ccs_injection, "is_vulnerable_to_ccs_injection"),
        ("compression", attempts.tls_compression, "supports_compression"),
    ):
        value = _completed(attempt, field)
        reason = "" if value is not None else _error_text(attempt)
        found.append(Vulnerability(name, value, reason=reason))
    reneg = _completed(attempts.session_renegotiation, "supports_secure_renegotiation")
    found.append(
        Vulnerability(
            "insecure_renegotiation",
            None if reneg is None else not reneg,
            reason="" if reneg is not None else _error_text(attempts.session_renegotiation),
        )
    )
    robot = _completed(attempts.robot, "robot_result")
    if robot is None or robot is RobotScanResultEnum.UNKNOWN_INCONSISTENT_RESULTS:
        reason = "inconsistent results" if robot is not None else _error_text(attempts.robot)
        found.append(Vulnerability("robot", None, reason=reason))
    else:
        vulnerable = robot in (
            RobotScanResultEnum.VULNERABLE_WEAK_ORACLE,
            RobotScanResultEnum.VULNERABLE_STRONG_ORACLE,
        )
        found.append(Vulnerability("robot", vulnerable, detail=robot.value))
    return tuple(found)


def _mozilla(result: ServerScanResult) -> tuple[MozillaCompliance, ...]:
    levels = []
    for label, level in _MOZILLA_LEVELS:
        try:
            check_server_against_tls_configuration(result, MozillaTlsConfiguration.get(level))
        except ServerNotCompliantWithTlsConfiguration as exc:
            issues = tuple(
                f"{key}: {_sorted_sets(text)}" for key, text in sorted(exc.issues.items())
            )
            levels.append(MozillaCompliance(label, False, issues))
        except ServerScanResultIncomplete as exc:
            levels.append(MozillaCompliance(label, None, reason=str(exc)))
        else:
            levels.append(MozillaCompliance(label, True))
    return tuple(levels)


def _sorted_sets(text: str) -> str:
    """sslyze prints Python sets, whose order changes between runs; history diffs must not
    see a change where there is none, so the elements are put in order."""

    def order(match: re.Match[str]) -> str:
        items = [i.strip() for i in match.group(1).split(",") if i.strip()]
        return "{" + ", ".join(sorted(items)) + "}"

    return re.sub(r"\{([^{}]*)\}", order, text)
