from __future__ import annotations

import pytest

from scanner.probes.tls import ciphers


@pytest.mark.parametrize(
    ("name", "weak", "aead", "cbc", "fs"),
    [
        ("TLS_AES_128_GCM_SHA256", False, True, False, True),
        ("TLS_CHACHA20_POLY1305_SHA256", False, True, False, True),
        ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", False, True, False, True),
        ("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", False, True, False, True),
        ("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", False, False, True, True),
        ("TLS_RSA_WITH_AES_128_CBC_SHA", False, False, True, False),
        ("TLS_RSA_WITH_AES_128_GCM_SHA256", False, True, False, False),
        ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", True, False, True, False),
        ("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", True, False, True, True),
        ("TLS_RSA_WITH_RC4_128_SHA", True, False, False, False),
        ("TLS_RSA_WITH_DES_CBC_SHA", True, False, True, False),
        ("TLS_RSA_EXPORT_WITH_RC4_40_MD5", True, False, False, False),
        ("TLS_RSA_WITH_NULL_SHA256", True, False, False, False),
        ("TLS_DH_anon_WITH_AES_128_CBC_SHA", True, False, True, False),
        ("TLS_ECDH_anon_WITH_AES_256_CBC_SHA", True, False, True, False),
        ("SSL_CK_RC4_128_WITH_MD5", True, False, False, False),
        # The pre-standard ChaCha20 drafts and DHE_PSK written the other way round.
        ("OLD_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", False, True, False, True),
        ("TLS_PSK_DHE_WITH_AES_128_CCM_8", False, True, False, True),
        ("TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", False, True, False, True),
        ("TLS_PSK_WITH_AES_128_GCM_SHA256", False, True, False, False),
    ],
)
def test_classification(name: str, weak: bool, aead: bool, cbc: bool, fs: bool) -> None:
    assert ciphers.is_weak(name) is weak
    assert ciphers.is_aead(name) is aead
    assert ciphers.is_cbc(name) is cbc
    assert ciphers.has_forward_secrecy(name) is fs


def test_anonymous_flag_makes_a_suite_weak() -> None:
    assert ciphers.is_weak("TLS_SOMETHING_NEW", anonymous=True)


def test_the_grid_and_the_checks_classify_every_suite_sslyze_knows_alike() -> None:
    """One home for cipher facts: the report's grid class follows the checks' own
    predicates for all of sslyze's suite names."""
    from sslyze import TlsVersionEnum
    from sslyze.plugins.openssl_cipher_suites.cipher_suites import CipherSuitesRepository

    from scanner.probes.tls.inventory import cipher_class

    names = {
        s.name for version in TlsVersionEnum
        for s in CipherSuitesRepository.get_all_cipher_suites(version)
    }  # fmt: skip
    assert len(names) > 150
    for name in names:
        grid = cipher_class(name, "TLS 1.2")
        if ciphers.is_weak(name):
            assert grid == "weak", name
        elif not ciphers.has_forward_secrecy(name):
            assert grid == "no forward secrecy", name
        else:
            expected = "AEAD" if ciphers.is_aead(name) else "CBC"
            assert grid.startswith(expected), name
