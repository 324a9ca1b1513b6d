"""The template probe (docs/probe-template/example) is what a newcomer copies: adding
it as a folder of scanner/probes, and touching nothing else, gives vetscan a probe
with a setting, three checks and an inventory section, scanned, judged, reported and
judged again like the built-in ones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.lab import manager
from scanner.lab.providers import NAMESERVER

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "docs" / "probe-template" / "example"

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def with_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package with the template added as scanner/probes/example."""
    root = tmp_path_factory.mktemp("template")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "scanner", root / "scanner", ignore=ignore)
    shutil.copytree(ROOT / "profiles", root / "profiles")  # found beside the package
    shutil.copytree(TEMPLATE, root / "scanner" / "probes" / "example", ignore=ignore)
    return root


def _vetscan(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        capture_output=True, text=True, timeout=180, check=False, cwd=root, env=env,
    )  # fmt: skip


def test_the_folder_alone_makes_it_known(with_template: Path) -> None:
    probes = _vetscan(with_template, "probes")
    assert "example  v1  [built-in] (after dns-discovery)" in probes.stdout, probes.stderr
    settings = _vetscan(with_template, "profiles", "settings")
    assert "example.max_hosts (integer) = 40" in settings.stdout
    for check in ("example.hosts.limit", "example.hosts.ipv6", "example.hosts.unresolved"):
        assert _vetscan(with_template, "checks", check).returncode == 0


def test_it_scans_judges_reports_and_judges_again(lab: Path, with_template: Path) -> None:
    out = with_template / "out"
    scan = _vetscan(
        with_template, "scan", "exemplary.test", "--profile", "passive",
        "--set", "example.max_hosts=2", "--nameserver", NAMESERVER,
        "--ca-file", str(manager.ca_file(lab)), "--allow-private", "--no-history",
        "--format", "html,json", "--out", str(out), "-q",
    )  # fmt: skip
    assert scan.returncode in (0, 1), scan.stderr
    saved = next(out.glob("*.json"))
    doc = json.loads(saved.read_text("utf-8"))
    verdicts = {f["check_id"]: f["status"] for f in doc["findings"] if f["probe"] == "example"}
    # Exemplary has more than two hosts, mx1 answers on IPv6 (::1), every MX resolves.
    assert verdicts == {
        "example.hosts.limit": "fail",
        "example.hosts.ipv6": "pass",
        "example.hosts.unresolved": "pass",
    }
    (limit,) = [f for f in doc["findings"] if f["check_id"] == "example.hosts.limit"]
    assert limit["evidence"]["limit"] == 2
    html = next(out.glob("*.html")).read_text("utf-8")
    assert "Exposed hosts (template probe)" in html
    assert "<td>mx1.exemplary.test</td>" in html
    # Judged again under the passive profile's own value (40): the same facts pass.
    again = _vetscan(with_template, "rejudge", str(saved), "--profile", "passive", "--out", "re")
    assert again.returncode in (0, 1), again.stderr
    rejudged = json.loads(next((with_template / "re").glob("*.json")).read_text("utf-8"))
    (limit,) = [f for f in rejudged["findings"] if f["check_id"] == "example.hosts.limit"]
    assert limit["status"] == "pass" and limit["evidence"]["limit"] == 40
