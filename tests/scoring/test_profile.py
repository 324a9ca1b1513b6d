from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import Severity
from scanner.scoring.profile import (
    ProfileError,
    builtin_names,
    describe,
    load_profile,
    parse_profile,
)


def test_every_builtin_profile_loads() -> None:
    names = builtin_names()
    assert set(names) >= {"default", "strict", "bod-18-01", "pci-dss", "passive"}
    for name in names:
        profile = load_profile(name)
        assert profile.name == name
        assert describe(profile)["name"] == name


def test_default_profile_values() -> None:
    profile = load_profile("default")
    assert profile.fail_threshold is Severity.HIGH
    assert profile.probe_timeout > 0
    # Web, mail access (IMAP, POP3, submission), directory, XMPP and the exposure ports.
    assert {443, 993, 995, 587, 636, 8443} <= set(profile.setting("services", "ports"))
    assert len(profile.setting("services", "ports")) == 40


def test_inheritance_merges_tables_and_replaces_values() -> None:
    strict = load_profile("strict")
    assert strict.extends == "default"
    assert strict.fail_threshold is Severity.MEDIUM
    assert strict.setting("thresholds", "cert_expiry_warn_days") == 45
    assert strict.setting("thresholds", "min_dh_bits") == 2048  # inherited from default
    assert strict.severity["tls.mozilla.modern"] is Severity.HIGH
    assert load_profile("passive").disabled_probes == frozenset({"ports", "services"})


def test_profile_by_path_extending_a_builtin(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\nextends = "strict"\nfail_threshold = "low"\n[severity]\n"dns.caa.missing" = "high"\n'
    )
    profile = load_profile(str(path))
    assert profile.fail_threshold is Severity.LOW
    assert profile.severity["dns.caa.missing"] is Severity.HIGH
    assert profile.severity["tls.mozilla.modern"] is Severity.HIGH


def test_relative_parent_paths_and_cycles(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('name = "a"\nextends = "b.toml"\nfail_threshold = "high"\n')
    (tmp_path / "b.toml").write_text('name = "b"\nextends = "a.toml"\nfail_threshold = "high"\n')
    with pytest.raises(ProfileError, match=r"a\.toml: key 'extends': cycle"):
        load_profile(str(tmp_path / "a.toml"))
    (tmp_path / "c.toml").write_text('name = "c"\nextends = "nope"\nfail_threshold = "high"\n')
    with pytest.raises(ProfileError, match=r"c\.toml: key 'extends': unknown profile 'nope'"):
        load_profile(str(tmp_path / "c.toml"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\nfail_threshold = "high"\ncolour = "red"\n', "unknown key 'colour'"),
        ('name = "x"\nfail_threshold = 3\n', "key 'fail_threshold' must be a severity"),
        ('name = "x"\nfail_threshold = "dire"\n', "key 'fail_threshold' must be one of"),
        ('name = "x"\n', "missing key 'fail_threshold'"),
        ('name = "x"\nfail_threshold = "high"\nprobe_timeout = -1\n', "'probe_timeout'"),
        ('name = "x"\nfail_threshold = "high"\nprobe_timeout = true\n', "must be a number"),
        (
            'name = "x"\nfail_threshold = "high"\n[severity]\n"no.such.check" = "high"\n',
            "'severity.no.such.check': unknown check ID",
        ),
        (
            'name = "x"\nfail_threshold = "high"\n[severity]\n"dns.caa.missing" = "dire"\n',
            "'severity.dns.caa.missing' must be one of",
        ),
        (
            'name = "x"\nfail_threshold = "high"\n[checks]\ndisabled = ["nope"]\n',
            "'checks.disabled': unknown check ID",
        ),
        (
            'name = "x"\nfail_threshold = "high"\n[checks]\nenabled = []\n',
            "unknown key 'checks.enabled'",
        ),
        (
            'name = "x"\nfail_threshold = "high"\n[pitfalls]\nluck = 1\n',
            "'pitfalls.luck': unknown pitfall",
        ),
        ('name = "x"\nfail_threshold = "high"\n[services]\nports = [0]\n', "'services.ports'"),
        (
            'name = "x"\nfail_threshold = "high"\n[thresholds]\nmin_rsa_bits = "big"\n',
            "'thresholds.min_rsa_bits'",
        ),
        ('name = "x"\nfail_threshold = "high"\nmin_coverage = 2\n', "'min_coverage'"),
        ("name = ", "mine.toml"),
    ],
)
def test_bad_profiles_name_the_file_and_key(text: str, message: str) -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile(text, "mine.toml")
    assert str(info.value).startswith("mine.toml: ")
    assert message in str(info.value)


def test_unknown_profile_lists_the_builtin_ones() -> None:
    with pytest.raises(ProfileError, match=r"built-in: .*default"):
        load_profile("nope")


def test_unreadable_profile_path(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(str(tmp_path / "missing.toml"))


def test_a_profile_without_the_services_probe_runs_no_port_scan() -> None:
    # Profiles written before the connect scan became the ports probe say "services".
    text = 'name = "mine"\nextends = "default"\n[probes]\ndisabled = ["services"]\n'
    profile = parse_profile(text, "mine.toml")
    assert {"ports", "services"} <= profile.disabled_probes
