"""The portfolio file: accepted as written, or rejected whole with the line and key named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scanner.audit.portfolio import PortfolioError, parse_portfolio
from scanner.checks import catalogue
from scanner.scoring.profile import load_profile

CHECKS = set(catalogue())
GOOD = """\
[[vendor]]
name = "Acme Hosting"
domains = ["acme.example", "ACME.example", "bücher.example"]
hosts = ["vpn.acme.example:8443"]
profile = "strict"
owner = "procurement@customer.example"
tags = ["hosting"]

  [[vendor.waivers]]
  check = "service.database_exposed"
  asset = "*"
  reason = "behind a VPN"
  accepted_by = "CISO"
  expires = 2027-06-30

[[vendor]]
name = "Beta Mail"
domains = ["beta.example"]
dkim_selectors = ["beta1"]

  [vendor.settings]
  services.ports = [25, 587]
  discovery.max_hosts = 8
"""


def _parse(text: str) -> object:
    return parse_portfolio(text, Path("p.toml"), CHECKS)


def test_a_valid_portfolio_is_read_with_its_defaults() -> None:
    portfolio = parse_portfolio(GOOD, Path("p.toml"), CHECKS)
    acme, beta = portfolio.vendors
    assert acme.domains == ("acme.example", "xn--bcher-kva.example")
    assert str(acme.hosts[0]) == "vpn.acme.example:8443"
    assert acme.waivers[0].expires == date(2027, 6, 30) and acme.waivers[0].covers(
        "service.database_exposed", "10.0.0.1:3306"
    )
    assert beta.profile == "" and beta.waivers == () and beta.tags == ()
    # Probe settings for this vendor's scans, then its selectors before the profile's.
    profile = load_profile("default").with_overrides(beta.scan_settings())
    assert profile.setting("services", "ports") == (25, 587)
    assert profile.setting("discovery", "max_hosts") == 8
    assert profile.setting("dkim", "selectors")[0] == "beta1"
    assert acme.scan_settings() == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace('owner = "', 'ownr = "'), "p.toml:6: vendor #1, key 'ownr': unknown key"),
        (
            GOOD.replace('domains = ["beta.example"]', ""),
            "vendor #2: missing required key 'domains'",
        ),
        (GOOD.replace('"beta.example"', '"-oN.example"'), "p.toml:18: vendor #2, key 'domains'"),
        (
            GOOD.replace('["beta.example"]', '"beta.example"'),
            "key 'domains': domains must be a list",
        ),
        (GOOD.replace("Beta Mail", "ACME hosting"), "p.toml:17: vendor #2, key 'name': duplicate"),
        (
            GOOD.replace("service.database_exposed", "no.such.check"),
            "unknown check 'no.such.check'",
        ),
        (GOOD.replace("expires = 2027-06-30", 'expires = "soon"'), "expires must be a TOML date"),
        (GOOD.replace("expires = 2027-06-30", ""), "waiver lacks expires"),
        (GOOD.replace('"vpn.acme.example:8443"', '"vpn.acme.example:99999"'), "key 'hosts'"),
        (GOOD + "[settings]\nx = 1\n", "unknown top-level key 'settings'"),
        (GOOD.replace("discovery.max_hosts = 8", "discovery.max_hosts = 0"), "max_hosts must be"),
        (GOOD.replace("services.ports", "services.port"), "unknown setting 'services.port'"),
        (GOOD.replace('name = "Beta Mail"', 'name = "Beta'), "not valid TOML"),
        ("", "no [[vendor]] tables"),
    ],
)
def test_a_malformed_portfolio_is_rejected_naming_line_and_key(text: str, expected: str) -> None:
    with pytest.raises(PortfolioError) as caught:
        _parse(text)
    assert expected in str(caught.value)
