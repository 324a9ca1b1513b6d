"""The built wheel works outside the repository: profiles, templates and schema travel in it."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from scanner.lab import manager
from scanner.lab.providers import NAMESERVER

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.lab
def test_wheel_installs_in_a_fresh_venv_and_scans(lab: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(dist),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = dist.glob("vetscan-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)], check=True)

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run(
        [
            python,
            "-c",
            "import scanner, scanner.scoring.profile as p; "
            "print(scanner.__file__); print(p.builtin_dir())",
        ],
        capture_output=True,
        text=True,
        cwd=work,
        check=True,
    ).stdout.split()
    assert all(path.startswith(str(env_dir)) for path in where), where

    proc = subprocess.run(
        [
            env_dir / "bin" / "vetscan",
            "scan",
            "exemplary.test",
            "--nameserver",
            NAMESERVER,
            "--allow-private",
            "--ca-file",
            str(manager.ca_file(lab)),
            "--out",
            "out",
            "--profile",
            "passive",
        ],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    document = json.loads(next((work / "out").glob("*.json")).read_text())
    # "passive" extends "default": both came from the wheel's own profile folder.
    assert document["scan"]["profile"] == "passive"
    assert (next((work / "out").glob("*.html"))).read_text().startswith("<!DOCTYPE html>")
