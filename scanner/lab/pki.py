"""The lab's private PKI: a root CA, an issuing (intermediate) CA, and the server
certificates each lab personality needs, good and bad alike.

``ca.pem`` holds the root only, as a real trust store would: a server that
forgets to send the intermediate really does fail validation against it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dh, ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

ROOT_NAME = "vetscan lab root CA"
ISSUING_NAME = "vetscan lab issuing CA"

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class CertSpec:
    """What a lab server certificate looks like.

    ``days`` is when it expires relative to now (negative: already expired);
    ``starts_in_days`` moves its start into the future (not yet valid).
    """

    names: tuple[str, ...]
    days: int = 60
    starts_in_days: int = 0
    key_type: str = "ec"  # "ec" (P-256) or "rsaNNNN"
    signature_hash: str = "sha256"  # or "sha1"
    self_signed: bool = False
    send_chain: bool = True  # False: serve the leaf without its intermediate
    common_name: str | None = None  # defaults to the first name
    issuer_url: str | None = None  # the AIA caIssuers URL; None: the lab CA's own
    ocsp_url: str | None = None  # an AIA OCSP responder URL; None: none (as Let's Encrypt's)
    must_staple: bool = False  # the TLS Feature extension (status_request, RFC 7633)
    # Embedded SCTs (RFC 6962), one from each of this many lab CT logs; 0: never logged.
    scts: int = 2


@dataclass(frozen=True)
class IssuedCert:
    cert: Path  # PEM: the leaf, followed by the intermediate when the chain is sent
    key: Path
    leaf: x509.Certificate


def _new_key(key_type: str) -> PrivateKey:
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=int(key_type[3:]))
    raise ValueError(f"unknown key type {key_type!r}")


def _write_key(key: PrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _ca_cert(
    subject: str,
    key: PrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: PrivateKey,
    now: dt.datetime,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=2))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0), True
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _load(directory: Path, stem: str) -> tuple[x509.Certificate, PrivateKey]:
    cert = x509.load_pem_x509_certificate((directory / f"{stem}.pem").read_bytes())
    key = serialization.load_pem_private_key((directory / f"{stem}.key").read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return cert, key


# Where the lab's web server publishes the issuing CA's certificate; every certificate
# it issues names this URL (AIA caIssuers), as public CAs do, so a client can fetch
# an intermediate a server forgets to send.
ISSUER_ADDRESS = "127.0.10.8"
ISSUER_URL = f"http://{ISSUER_ADDRESS}/issuing.der"
# The responder a lab certificate may name (nobody asks it: nginx staples from a file).
OCSP_URL = f"http://{ISSUER_ADDRESS}/ocsp"


# The lab's certificate-transparency logs: their keys name them (log ID = SHA-256 of
# the public key, RFC 6962 section 3.2), as public logs' do.
CT_LOGS = ("lab-log-a", "lab-log-b", "lab-log-c")
SCT_OID = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")


def _ct_log_key(directory: Path, name: str) -> ec.EllipticCurvePrivateKey:
    path = directory / f"{name}.key"
    if not path.exists():
        _write_key(_new_key("ec"), path)
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def log_id(key: ec.EllipticCurvePrivateKey) -> bytes:
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _sha256(spki)


def _sha256(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    return digest.finalize()


def sct_list(directory: Path, count: int, when: dt.datetime, tbs_hash: bytes) -> bytes:
    """The DER of an SCT list extension value: ``count`` v1 SCTs (RFC 6962 section 3.2),
    each signed by a lab log over the timestamp and the certificate's hash. (A public
    log signs the precertificate's TBS; the lab's signatures are not meant to verify.)"""
    timestamp = int(when.timestamp() * 1000).to_bytes(8, "big")
    entries = b""
    for name in CT_LOGS[:count]:
        key = _ct_log_key(directory, name)
        signature = key.sign(b"\x00\x00" + timestamp + tbs_hash, ec.ECDSA(hashes.SHA256()))
        sct = (
            b"\x00" + log_id(key) + timestamp + b"\x00\x00"  # v1, no extensions
            + b"\x04\x03" + len(signature).to_bytes(2, "big") + signature  # SHA-256, ECDSA
        )  # fmt: skip
        entries += len(sct).to_bytes(2, "big") + sct
    body = len(entries).to_bytes(2, "big") + entries
    return _der_octets(body)


def _der_octets(data: bytes) -> bytes:
    n = len(data)
    length = (
        bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else b"\x82" + n.to_bytes(2, "big")
    )
    return b"\x04" + length + data


def ensure_ca(directory: Path) -> Path:
    """Create the root and issuing CAs on first use; return the root's PEM (the trust file)."""
    root_pem = directory / "ca.pem"
    if root_pem.exists() and (directory / "issuing.pem").exists():
        der = directory / "issuing.der"
        if not der.exists():
            issuing = x509.load_pem_x509_certificate((directory / "issuing.pem").read_bytes())
            der.write_bytes(issuing.public_bytes(serialization.Encoding.DER))
        return root_pem
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    root_key = _new_key("ec")
    root = _ca_cert(ROOT_NAME, root_key, None, root_key, now)
    issuing_key = _new_key("ec")
    issuing = _ca_cert(ISSUING_NAME, issuing_key, root, root_key, now)
    for stem, cert, key in (("issuing", issuing, issuing_key), ("ca", root, root_key)):
        _write_key(key, directory / f"{stem}.key")
        (directory / f"{stem}.pem").write_bytes(_pem(cert))
    (directory / "issuing.der").write_bytes(issuing.public_bytes(serialization.Encoding.DER))
    return root_pem


def issue(ca_dir: Path, out_dir: Path, stem: str, spec: CertSpec) -> IssuedCert:
    ensure_ca(ca_dir)
    issuing, issuing_key = _load(ca_dir, "issuing")
    key = _new_key(spec.key_type)
    now = dt.datetime.now(dt.UTC)
    start = now + dt.timedelta(days=spec.starts_in_days) - dt.timedelta(hours=1)
    end = now + dt.timedelta(days=spec.days)
    if end <= start:
        start = end - dt.timedelta(days=90)
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, spec.common_name or spec.names[0])]
    )
    sans: list[x509.GeneralName] = []
    for name in spec.names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    signer_key: PrivateKey = key if spec.self_signed else issuing_key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if spec.self_signed else issuing.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    )
    if not spec.self_signed:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuing_key.public_key()), False
        ).add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(spec.issuer_url or ISSUER_URL),
                    ),
                    *(
                        [
                            x509.AccessDescription(
                                AuthorityInformationAccessOID.OCSP,
                                x509.UniformResourceIdentifier(spec.ocsp_url),
                            )
                        ]
                        if spec.ocsp_url
                        else []
                    ),
                ]
            ),
            False,
        )
    if spec.must_staple:
        builder = builder.add_extension(
            x509.TLSFeature([x509.TLSFeatureType.status_request]), critical=False
        )
    if spec.scts and not spec.self_signed:
        tbs_hash = _sha256(repr((spec.names, start.isoformat())).encode())
        value = sct_list(ca_dir, spec.scts, start, tbs_hash)
        builder = builder.add_extension(x509.UnrecognizedExtension(SCT_OID, value), False)
    out_dir.mkdir(parents=True, exist_ok=True)
    if spec.signature_hash == "sha1":
        leaf = _openssl_sha1_sign(out_dir / stem, key, spec, ca_dir)
    else:
        leaf = builder.sign(signer_key, hashes.SHA256())
    paths = IssuedCert(out_dir / f"{stem}.pem", out_dir / f"{stem}.key", leaf)
    chain = _pem(leaf)
    if spec.send_chain and not spec.self_signed:
        chain += _pem(issuing)
    paths.cert.write_bytes(chain)
    _write_key(key, paths.key)
    return paths


def _openssl_sha1_sign(
    stem: Path, key: PrivateKey, spec: CertSpec, ca_dir: Path
) -> x509.Certificate:
    """cryptography refuses to sign with SHA-1; the openssl command still does."""
    if spec.self_signed or spec.starts_in_days or spec.days <= 0:
        raise ValueError("SHA-1 lab certificates are issued by the lab CA, valid from now")
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, spec.common_name or spec.names[0])])
        )
        .sign(key, hashes.SHA256())
    )
    csr_path, ext_path, out_path = (stem.with_suffix(s) for s in (".csr", ".ext", ".sha1.pem"))
    csr_path.write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    ext_path.write_text(
        "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n"
        "subjectAltName=" + ",".join(f"DNS:{n}" for n in spec.names) + "\n"
    )
    subprocess.run(
        [
            "openssl",
            "x509",
            "-req",
            "-sha1",
            "-in",
            str(csr_path),
            "-days",
            str(spec.days),
            "-CA",
            str(ca_dir / "issuing.pem"),
            "-CAkey",
            str(ca_dir / "issuing.key"),
            "-set_serial",
            str(x509.random_serial_number()),
            "-extfile",
            str(ext_path),
            "-out",
            str(out_path),
        ],
        check=True,
        capture_output=True,
    )
    return x509.load_pem_x509_certificate(out_path.read_bytes())


def ocsp_response(ca_dir: Path, leaf: x509.Certificate, out: Path) -> Path:
    """A signed 'good' OCSP response for ``leaf``, for nginx to staple from a file."""
    issuing, issuing_key = _load(ca_dir, "issuing")
    now = dt.datetime.now(dt.UTC)
    response = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=leaf,
            issuer=issuing,
            algorithm=hashes.SHA1(),  # noqa: S303 - the CertID hash most clients send
            cert_status=ocsp.OCSPCertStatus.GOOD,
            this_update=now - dt.timedelta(hours=1),
            next_update=now + dt.timedelta(days=7),
            revocation_time=None,
            revocation_reason=None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, issuing)
        .sign(issuing_key, hashes.SHA256())
    )
    out.write_bytes(response.public_bytes(serialization.Encoding.DER))
    return out


def ensure_dhparams(path: Path, bits: int) -> Path:
    """Finite-field DH parameters (slow to make, so kept across lab starts)."""
    if not path.exists():
        params = dh.generate_parameters(generator=2, key_size=bits)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            params.parameter_bytes(serialization.Encoding.PEM, serialization.ParameterFormat.PKCS3)
        )
    return path
