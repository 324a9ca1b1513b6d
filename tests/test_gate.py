"""--fail-on and --fail-on-grade set the exit code from the findings (rejudge of the
lab's saved scans, offline; `vetscan scan` uses the same gate)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.golden import GOLDEN, read

from scanner.cli import main


def _saved(key: str, folder: Path) -> Path:
    path = folder / f"{key}.json"
    path.write_text(read(GOLDEN / key / "scan.json.gz"), "utf-8")
    return path


def _exit(tmp_path: Path, key: str, *flags: str) -> int:
    out = tmp_path / "out"
    return main(
        ["rejudge", str(_saved(key, tmp_path)), "--out", str(out), "--format", "json", "-q", *flags]
    )


def test_the_profile_threshold_decides_without_flags(tmp_path: Path) -> None:
    assert _exit(tmp_path, "legacy") == 1
    assert _exit(tmp_path, "exemplary") == 0


def test_fail_on_a_severity(tmp_path: Path) -> None:
    legacy = json.loads(read(GOLDEN / "legacy" / "scan.json.gz"))
    assert any(f["status"] == "fail" and f["severity"] == "low" for f in legacy["findings"])
    assert _exit(tmp_path, "legacy", "--fail-on", "none") == 0
    assert _exit(tmp_path, "legacy", "--fail-on", "critical") == 1  # telnet, known-exploited
    exemplary = json.loads(read(GOLDEN / "exemplary" / "scan.json.gz"))
    lows = [f for f in exemplary["findings"] if f["status"] == "fail"]
    assert _exit(tmp_path, "exemplary", "--fail-on", "info") == (1 if lows else 0)


def test_fail_on_a_grade(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit(tmp_path, "legacy", "--fail-on", "none", "--fail-on-grade", "C") == 1
    assert _exit(tmp_path, "legacy", "--fail-on", "none", "--fail-on-grade", "F") == 0
    assert _exit(tmp_path, "exemplary", "--fail-on-grade", "A") == 0
    main(
        [
            "rejudge",
            str(_saved("legacy", tmp_path)),
            "--out",
            str(tmp_path / "o"),
            "--format",
            "json",
            "--fail-on",
            "none",
            "--fail-on-grade",
            "b",
        ]
    )
    assert "is worse than B" in capsys.readouterr().err


def test_a_wrong_gate_is_a_usage_error(tmp_path: Path) -> None:
    assert _exit(tmp_path, "legacy", "--fail-on", "severe") == 2
    assert _exit(tmp_path, "legacy", "--fail-on-grade", "E") == 2
