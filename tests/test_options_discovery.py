"""Probe settings for one scan (--set, and --max-hosts, --ct-url, --dkim-selector that
stand for settings): checked when given, applied to whichever profile scans."""

from __future__ import annotations

import dataclasses

import pytest

from scanner.errors import InputError
from scanner.options import ScanOptions
from scanner.scoring.profile import load_profile


def test_discovery_overrides_apply_to_the_profile_that_scans() -> None:
    options = ScanOptions.build(
        max_hosts=12, ct_urls=("https://ct.example/", "certspotter=https://spot.example/")
    )
    profile = options.scan_profile()
    assert profile.setting("discovery", "max_hosts") == 12
    assert profile.setting("discovery", "crtsh_urls") == ("https://ct.example/",)
    assert profile.setting("discovery", "certspotter_urls") == ("https://spot.example/",)
    # A portfolio vendor scanned with its own profile keeps the overrides.
    vendor = dataclasses.replace(options, profile=load_profile("strict"))
    assert vendor.scan_profile().setting("discovery", "max_hosts") == 12
    assert vendor.scan_profile().name == "strict"


def test_any_probe_setting_is_set_for_one_scan() -> None:
    options = ScanOptions.build(
        "passive",
        settings=["services.ports=443, 25,8443", "discovery.source_timeout=7.5"],
        dkim_selectors=("mine",),
    )
    options = options.with_settings(*ScanOptions.build(settings=["dkim.selectors+=k2"]).settings)
    profile = options.scan_profile()
    assert profile.setting("services", "ports") == (25, 443, 8443)
    assert profile.setting("discovery", "source_timeout") == 7.5
    # The profile's own values stay where nothing was given.
    assert profile.setting("discovery", "sources") == ("spf", "ct", "ct-certspotter")
    # += puts the given names before the profile's (the later one first).
    assert profile.setting("dkim", "selectors")[:2] == ("k2", "mine")
    assert options.profile.setting("services", "ports") != (25, 443, 8443)  # not changed
    replaced = ScanOptions.build(settings=["dkim.selectors=only"]).scan_profile()
    assert replaced.setting("dkim", "selectors") == ("only",)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_hosts": 0}, "--max-hosts must be a whole number"),
        ({"ct_urls": ("ftp://ct.example/",)}, "--ct-url must be a list of http"),
        ({"ct_urls": ("https://user@ct.example/",)}, "--ct-url must be a list of http"),
        ({"settings": ["discovery.max_hosts"]}, "--set 'discovery.max_hosts': give TABLE.KEY="),
        ({"settings": ["dkim.selector=a"]}, "--set unknown setting 'dkim.selector'"),
        ({"settings": ["services.ports=80,http"]}, "services.ports must be a list of TCP ports"),
        ({"settings": ["services.max_rate+=5"]}, "is a single value"),
        ({"settings": ["discovery.source_timeout=inf"]}, "must be a finite number"),
    ],
)
def test_bad_scan_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        ScanOptions.build(**kwargs)  # type: ignore[arg-type]
