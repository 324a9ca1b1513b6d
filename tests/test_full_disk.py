"""A full disk: reports are not written, nothing half-written or temporary stays
behind, the scans are still stored in history, and the exit code (3) and one line say
so. The full disk is a small tmpfs (mounting needs root, as CI has)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.mounts import tmpfs

from scanner.cli import main
from scanner.lab import manager
from scanner.lab.providers import NAMESERVER
from scanner.output import replace_atomic, write_set


@pytest.fixture()
def full_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "full", "48k") as folder:
        yield folder


def test_a_set_that_does_not_fit_leaves_no_file(full_disk: Path) -> None:
    with pytest.raises(OSError, match="No space left"):
        write_set(full_disk, "acme", {"csv": "small\n", "html": "x" * 200_000})
    assert list(full_disk.iterdir()) == []
    with pytest.raises(OSError, match="No space left"):
        replace_atomic(full_disk / "index.html", "x" * 200_000)
    assert list(full_disk.iterdir()) == []


def _network(lab: Path) -> list[str]:
    return [
        "--profile", "passive", "--nameserver", NAMESERVER, "--allow-private",
        "--ca-file", str(manager.ca_file(lab)), "--trust-anchors", str(manager.trust_anchors(lab)),
    ]  # fmt: skip


def _runs(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        count: int = conn.execute("select count(*) from runs").fetchone()[0]
    return count


@pytest.mark.lab
def test_a_scan_on_a_full_disk_is_stored_and_says_so(
    lab: Path, full_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.db"
    for attempt in (1, 2):
        args = ["scan", "exemplary.test", *_network(lab), "--out", str(full_disk), "--db", str(db)]
        assert main([*args, "--format", "csv,html,json", "-q"]) == 3
        lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert len(lines) == 1, lines
        assert "reports not written: no space left on the device of" in lines[0]
        assert "stored in history (vetscan report --run" in lines[0]
        assert _runs(db) == attempt
        assert list(full_disk.iterdir()) == []  # no temporary file, not even an empty one


@pytest.mark.lab
def test_an_audit_on_a_full_disk_keeps_every_scan(
    lab: Path, full_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    portfolio = tmp_path / "p.toml"
    portfolio.write_text(
        '[[vendor]]\nname = "Exemplary"\ndomains = ["exemplary.test"]\n'
        '[[vendor]]\nname = "Legacy"\ndomains = ["legacy.test"]\n'
    )
    db = tmp_path / "h.db"
    args = ["audit", str(portfolio), *_network(lab), "--out", str(full_disk), "--db", str(db)]
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "no space left on the device of" in err and "the scans are stored in history" in err
    assert "bug" not in err and "unexpected" not in err
    assert _runs(db) == 2
    assert list(full_disk.iterdir()) == []
