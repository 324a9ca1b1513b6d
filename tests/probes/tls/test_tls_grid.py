"""The SSL Labs-style grid of the report: suites by class, endpoints grouped (pure)."""

from __future__ import annotations

from typing import Any

from scanner.probes.tls.inventory import cipher_class, grid_rows


def test_suites_fall_into_the_classes_readers_know() -> None:
    assert cipher_class("TLS_AES_128_GCM_SHA256", "TLS 1.3") == "AEAD with forward secrecy"
    assert (
        cipher_class("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS 1.2")
        == "AEAD with forward secrecy"
    )
    assert (
        cipher_class("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS 1.2") == "CBC with forward secrecy"
    )
    assert cipher_class("TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS 1.2") == "no forward secrecy"
    assert cipher_class("TLS_RSA_WITH_RC4_128_SHA", "SSL 3.0") == "weak"
    assert cipher_class("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS 1.0") == "weak"
    assert cipher_class("TLS_DH_anon_WITH_AES_128_CBC_SHA", "TLS 1.2", anonymous=True) == "weak"


def _endpoint(host: str, address: str, sha: str = "aa") -> dict[str, Any]:
    return {
        "kind": "tls.endpoint",
        "host": host,
        "port": 443,
        "address": address,
        "outcome": "scanned",
        "protocols": [
            {"version": "TLS 1.0", "accepted": True, "ciphers": [
                {"name": "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "anonymous": False}]},
            {"version": "TLS 1.2", "accepted": True, "ciphers": [
                {"name": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "anonymous": False}]},
            {"version": "TLS 1.3", "accepted": False},
        ],
        "certificate": {
            "trusted": False,
            "received_chain": [
                {"key_type": "RSA", "key_size": 1024, "not_after": "2027-01-01T00:00:00", "sha256": sha}
            ],
        },
    }  # fmt: skip


def test_endpoints_with_one_configuration_share_a_row() -> None:
    rows = grid_rows(
        [
            _endpoint("legacy.test", "127.0.10.20"),
            _endpoint("www.legacy.test", "127.0.10.20"),
            _endpoint("vpn.legacy.test", "127.0.10.21", sha="bb"),
        ]
    )
    assert [r["endpoints"] for r in rows] == [
        ["legacy.test:443", "www.legacy.test:443"],
        ["vpn.legacy.test:443"],
    ]
    first = rows[0]
    assert (first["TLS 1.0"], first["TLS 1.2"], first["TLS 1.3"], first["SSL 3.0"]) == (
        "yes", "yes", "no", "not tested",
    )  # fmt: skip
    assert first["weak"] == 1 and first["weak suites"] == "TLS_RSA_WITH_3DES_EDE_CBC_SHA"
    assert first["AEAD with forward secrecy"] == 1
    assert first["certificate"] == "RSA 1024, not trusted, expires 2027-01-01"


def test_the_post_quantum_cell_says_what_the_test_found() -> None:
    def cell(**changes: Any) -> str:
        o = _endpoint("a.example", "192.0.2.1")
        o["protocols"][-1]["accepted"] = True
        o.update(changes)
        (row,) = grid_rows([o])
        return str(row["post-quantum"])

    assert cell(hybrid_kex={"outcome": "selected", "group": "X25519MLKEM768"}) == "X25519MLKEM768"
    assert (
        cell(hybrid_kex={"outcome": "retry", "group": "SecP256r1MLKEM768"}) == "SecP256r1MLKEM768"
    )
    assert cell(hybrid_kex={"outcome": "refused", "alert": "handshake_failure"}) == "no"
    assert cell(hybrid_kex={"outcome": "timeout"}) == "not tested"
    assert cell() == "not tested"  # a scan saved before the test existed
    (row,) = grid_rows([_endpoint("a.example", "192.0.2.1")])
    assert row["post-quantum"] == "not applicable (no TLS 1.3)"


def test_the_grid_names_the_key_exchange_groups_and_alpn() -> None:
    o = _endpoint("a.example", "192.0.2.1")
    o["protocols"][1]["ciphers"][0].update(ephemeral_type="ECDH", curve="secp256r1")
    o["protocols"][-1] = {"version": "TLS 1.3", "accepted": True, "ciphers": [
        {"name": "TLS_AES_128_GCM_SHA256", "ephemeral_type": "ECDH", "curve": "X25519"}]}  # fmt: skip
    o["alpn"] = {"offered": ["h2", "http/1.1"], "chosen": "http/1.1"}
    (row,) = grid_rows([o])
    assert row["groups"] == "X25519, secp256r1"  # TLS 1.3's first
    assert row["alpn"] == "http/1.1"
    o["alpn"] = {"offered": ["h2", "http/1.1"], "chosen": ""}
    assert grid_rows([o])[0]["alpn"] == "none"
    o["service"] = "imaps"
    assert grid_rows([o])[0]["alpn"] == "n/a"
