from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import Severity
from scanner.scoring.profile import ProfileError, builtin_names, load_profile, parse_profile


def test_every_builtin_profile_loads() -> None:
    names = builtin_names()
    assert "default" in names
    for name in names:
        assert load_profile(name).name == name


def test_default_profile_values() -> None:
    profile = load_profile("default")
    assert profile.fail_threshold is Severity.HIGH
    assert profile.probe_timeout > 0


def test_profile_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nfail_threshold = "low"\n')
    assert load_profile(str(path)).fail_threshold is Severity.LOW


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\nfail_threshold = "high"\ncolour = "red"\n', "unknown key 'colour'"),
        ('name = "x"\nfail_threshold = 3\n', "key 'fail_threshold' has the wrong type"),
        ('name = "x"\nfail_threshold = "dire"\n', "key 'fail_threshold' must be one of"),
        ('name = "x"\n', "missing key 'fail_threshold'"),
        ('name = "x"\nfail_threshold = "high"\nprobe_timeout = -1\n', "'probe_timeout'"),
        ('name = "x"\nfail_threshold = "high"\nprobe_timeout = true\n', "wrong type"),
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
