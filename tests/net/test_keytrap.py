"""KeyTrap (CVE-2023-50387) against the validator: the hostile lab's apex has 80 DNSKEYs
sharing one key tag and 140 bogus SOA signatures. Trying every (signature, key) pair
costs 11,200 ECDSA verifications for that one RRset; the capped validator stops after a
handful and says "validation budget exceeded", which the report shows as not assessed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scanner.lab import hostile, keytrap
from scanner.net import dnssec
from scanner.net.dnssec import DnssecValidator, load_anchors
from scanner.net.resolver import Resolver, parse_nameserver

pytestmark = pytest.mark.lab


@pytest.fixture()
def validator(lab: Path, tmp_path: Path) -> DnssecValidator:
    anchors = tmp_path / "anchors"
    anchors.write_text(keytrap.anchor_line(hostile.DOMAIN) + "\n")
    resolver = Resolver(parse_nameserver(hostile.HOSTILE_NAMESERVER), timeout=3)
    return DnssecValidator(resolver, load_anchors(anchors))


def test_the_lab_zone_is_a_keytrap() -> None:
    import dns.dnssec

    tags = {dns.dnssec.key_id(key) for _, key in keytrap.keys(hostile.DOMAIN)}
    assert len(keytrap.keys(hostile.DOMAIN)) == 80 and len(tags) == 1


def test_a_keytrap_zone_costs_a_few_checks_and_is_not_assessed(
    validator: DnssecValidator,
) -> None:
    started = time.process_time()
    status = validator.status(hostile.DOMAIN)
    cpu = time.process_time() - started
    assert status.status == "indeterminate"
    assert "validation budget exceeded" in status.reason and "CVE-2023-50387" in status.reason
    # The DNSKEY set (one good signature) plus at most 8 x 4 tries on the SOA.
    spent = dnssec.MAX_VALIDATIONS_PER_SCAN - validator._budget.left
    assert spent <= 1 + dnssec.MAX_SIGNATURES_PER_RRSET * dnssec.MAX_KEYS_PER_SIGNATURE
    assert cpu < 0.5, cpu  # every pair would be 11,200 verifications (1.3 s here)
    # Asked again (DANE asks about the MX's zone), the verdict is reused, not recomputed.
    assert validator.status(f"mx.{hostile.DOMAIN}") == status
    assert dnssec.MAX_VALIDATIONS_PER_SCAN - validator._budget.left == spent


def test_the_scan_wide_budget_ends_validation(validator: DnssecValidator) -> None:
    validator._budget.left = 0
    status = validator.status(hostile.DOMAIN)
    assert status.status == "indeterminate" and "budget exceeded" in status.reason
