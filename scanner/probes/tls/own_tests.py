"""The TLS probe's own handshakes, after sslyze is done with an endpoint: the
post-quantum key exchange (TLS 1.3), whose cipher order decides (TLS 1.2 and older)
and, on HTTPS, the application protocol (ALPN). Mail servers are asked one at a time."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping

from scanner.concurrency import DaemonPool
from scanner.observations.tls import CipherOrder, TlsEndpoint, TlsEndpointResult
from scanner.observations.tls_services import HTTP
from scanner.probes.base import ProbeContext
from scanner.probes.tls.inventory import CLASSES, cipher_class

# The newest version below TLS 1.3 an endpoint accepts is where order matters most.
ORDER_VERSIONS = ("TLS 1.2", "TLS 1.1", "TLS 1.0")


def order_pair(
    result: TlsEndpointResult, known: Collection[str]
) -> tuple[str, tuple[tuple[str, str], tuple[str, str]]] | None:
    """The version and the two suites to offer in both orders ((IANA, OpenSSL) names,
    the weaker first): the strongest and the weakest the server accepts that this
    machine's OpenSSL can offer. None when fewer than two such suites exist."""
    for version in ORDER_VERSIONS:
        p = result.protocol(version)
        if p is None or not p.accepted:
            continue
        suites = [c for c in p.ciphers if c.openssl_name and c.openssl_name in known]
        if len(suites) < 2:
            return None
        ranked = sorted(
            suites, key=lambda c: (CLASSES.index(cipher_class(c.name, version)), -c.key_size)
        )
        strong, weak = ranked[0], ranked[-1]
        return version, ((weak.name, weak.openssl_name), (strong.name, strong.openssl_name))
    return None


def _several_suites(result: TlsEndpointResult) -> str | None:
    """The newest version below TLS 1.3 with two or more accepted suites."""
    for version in (*ORDER_VERSIONS, "SSL 3.0"):
        p = result.protocol(version)
        if p is not None and p.accepted and len(p.ciphers) >= 2:
            return version
    return None


def _tests(
    result: TlsEndpointResult, endpoint: TlsEndpoint, context: ProbeContext, known: Collection[str]
) -> TlsEndpointResult:
    changes: dict[str, object] = {}
    tls13 = result.protocol("TLS 1.3")
    if context.kex is not None and tls13 is not None and tls13.accepted:
        changes["hybrid_kex"] = context.kex.test(endpoint)
    if context.handshakes is not None:
        pair = order_pair(result, known)
        if pair is not None:
            changes["cipher_order"] = context.handshakes.cipher_order(endpoint, *pair)
        elif (version := _several_suites(result)) is not None:
            changes["cipher_order"] = CipherOrder(
                version,
                ("", ""),
                reason="this machine's OpenSSL cannot offer two of the suites the server "
                "accepts (it no longer has SSL 3.0, RC4 or 3DES)",
            )
        if endpoint.kind_of_service in HTTP:
            changes["alpn"] = context.handshakes.alpn(endpoint)
    return dataclasses.replace(result, **changes) if changes else result  # type: ignore[arg-type]


def with_own_tests(
    scanned: Mapping[TlsEndpoint, TlsEndpointResult], context: ProbeContext
) -> dict[TlsEndpoint, TlsEndpointResult]:
    """Each scanned endpoint with the answers of our own handshakes."""
    due = [e for e, r in scanned.items() if r.outcome == "scanned"]
    if not due or (context.kex is None and context.handshakes is None):
        return dict(scanned)
    known = context.handshakes.client_suites() if context.handshakes is not None else frozenset()

    def run(endpoint: TlsEndpoint) -> TlsEndpointResult:
        return _tests(scanned[endpoint], endpoint, context, known)

    direct = [e for e in due if not e.starttls]
    # Mail servers are asked one at a time, as sslyze asks them (they limit scanners).
    dialogues = [e for e in due if e.starttls]
    with DaemonPool(16, name="tls-own") as pool:
        gentle = pool.submit(lambda: [run(e) for e in dialogues])
        answers = dict(zip(direct, pool.map(run, direct), strict=True))
        answers.update(zip(dialogues, gentle.result(), strict=True))
    return {e: answers.get(e, r) for e, r in scanned.items()}
