"""Embedded SCTs as cert_info reads them, from certificates the lab's CA issues with
cryptography (which parses the SCT list independently of how the lab wrote it)."""

from __future__ import annotations

from pathlib import Path

from scanner.lab import pki
from scanner.net.certs import cert_info


def test_a_logged_certificate_names_each_log_once(tmp_path: Path) -> None:
    issued = pki.issue(tmp_path / "ca", tmp_path / "out", "a", pki.CertSpec(("a.test",), scts=3))
    info = cert_info(issued.leaf)
    assert info.scts is not None and len(info.scts) == 3
    assert len({s.log_id for s in info.scts}) == 3
    assert all(s.timestamp.tzinfo is not None for s in info.scts)
    assert abs((info.scts[0].timestamp - info.not_before).total_seconds()) < 1


def test_an_unlogged_certificate_has_no_scts(tmp_path: Path) -> None:
    issued = pki.issue(tmp_path / "ca", tmp_path / "out", "b", pki.CertSpec(("b.test",), scts=0))
    assert cert_info(issued.leaf).scts == ()


def test_the_lifetime_is_the_validity_period(tmp_path: Path) -> None:
    issued = pki.issue(tmp_path / "ca", tmp_path / "out", "c", pki.CertSpec(("c.test",), days=730))
    assert 730 < cert_info(issued.leaf).lifetime_days < 730.1
