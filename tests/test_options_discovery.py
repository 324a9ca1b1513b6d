"""--max-hosts and --ct-url: checked when given, applied to whichever profile scans."""

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
    profile = options.discovery_profile()
    assert profile.setting("discovery", "max_hosts") == 12
    assert profile.setting("discovery", "crtsh_urls") == ("https://ct.example/",)
    assert profile.setting("discovery", "certspotter_urls") == ("https://spot.example/",)
    # A portfolio vendor scanned with its own profile keeps the overrides.
    vendor = dataclasses.replace(options, profile=load_profile("strict"))
    assert vendor.discovery_profile().setting("discovery", "max_hosts") == 12
    assert vendor.discovery_profile().name == "strict"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_hosts": 0}, "--max-hosts must be a whole number"),
        ({"ct_urls": ("ftp://ct.example/",)}, "--ct-url must be a list of http"),
        ({"ct_urls": ("https://user@ct.example/",)}, "--ct-url must be a list of http"),
    ],
)
def test_bad_discovery_options_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        ScanOptions.build(**kwargs)  # type: ignore[arg-type]
