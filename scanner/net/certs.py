"""Turning cryptography's certificate objects into plain ``CertInfo`` values."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import UTC

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from scanner.observations.tls import CertInfo, Sct


def _key(cert: x509.Certificate) -> tuple[str, int]:
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return "unknown", 0
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456
    return type(key).__name__, 0


def _signature_hash(cert: x509.Certificate) -> str | None:
    try:
        algorithm = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return "unknown"
    return algorithm.name if algorithm is not None else None


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else ""


def _ocsp_urls(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except (x509.ExtensionNotFound, ValueError):
        return ()
    return tuple(
        str(d.access_location.value)
        for d in aia
        if d.access_method == AuthorityInformationAccessOID.OCSP
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    )


def _must_staple(cert: x509.Certificate) -> bool:
    try:
        feature = cert.extensions.get_extension_for_class(x509.TLSFeature).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return x509.TLSFeatureType.status_request in feature


def _scts(cert: x509.Certificate) -> tuple[Sct, ...]:
    try:
        found = cert.extensions.get_extension_for_class(
            x509.PrecertificateSignedCertificateTimestamps
        ).value
    except (x509.ExtensionNotFound, ValueError):
        return ()  # none, or an SCT list that does not parse: nothing shows it was logged
    return tuple(
        Sct(base64.b64encode(s.log_id).decode("ascii"), s.timestamp.replace(tzinfo=UTC))
        for s in found
    )


def cert_info(cert: x509.Certificate) -> CertInfo:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = tuple(san.get_values_for_type(x509.DNSName))
        ip_names = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except (x509.ExtensionNotFound, ValueError):
        dns_names, ip_names = (), ()
    key_type, key_size = _key(cert)
    try:
        spki = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    except (ValueError, UnsupportedAlgorithm):
        spki = b""
    return CertInfo(
        subject=cert.subject.rfc4514_string(),
        common_name=_common_name(cert.subject),
        sans=dns_names,
        ip_sans=ip_names,
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=key_type,
        key_size=key_size,
        signature_hash=_signature_hash(cert),
        sha256=binascii.hexlify(cert.fingerprint(hashes.SHA256())).decode(),
        self_issued=cert.issuer == cert.subject,
        sha512=binascii.hexlify(cert.fingerprint(hashes.SHA512())).decode(),
        spki_sha256=hashlib.sha256(spki).hexdigest() if spki else "",
        spki_sha512=hashlib.sha512(spki).hexdigest() if spki else "",
        ocsp_urls=_ocsp_urls(cert),
        must_staple=_must_staple(cert),
        scts=_scts(cert),
    )
