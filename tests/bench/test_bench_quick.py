"""The benchmark must keep running: CI runs it once in quick mode (timings are not judged)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.lab
def test_quick_benchmark_runs_and_reports_every_goal(lab: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (report,) = tmp_path.glob("bench-*.json")
    sections = json.loads(report.read_text())["sections"]
    tls = sections["TLS"]
    assert all(row["times"] or row["note"] for row in tls["rows"])
    assert {g["text"] for g in tls["goals"]} >= {
        "TLS probe no slower than the sslyze CLI on one host",
        "at least 10x faster than testssl.sh",
    }
    email = sections["DNS and email"]
    assert {g["text"] for g in email["goals"]} == {
        "DNS and email probes faster than checkdmarc on one domain",
        "DNS and email probes under 1 s on the lab",
    }
    # checkdmarc is installed by the bootstrap, so its row must have been measured.
    assert all(row["times"] for row in email["rows"])
    assert "| goal | verdict | detail |" in proc.stdout
