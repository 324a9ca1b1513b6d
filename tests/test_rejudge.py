"""`vetscan rejudge`: a saved scan judged again under another profile, with no network
at all (the command runs in a network namespace of its own: not even loopback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.golden import GOLDEN, read

from scanner.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _saved(key: str, folder: Path) -> Path:
    path = folder / f"{key}.json"
    path.write_text(read(GOLDEN / key / "scan.json.gz"), "utf-8")
    return path


def _offline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """vetscan in a new network namespace: no interface is up, so any connection fails."""
    unshare = shutil.which("unshare")
    assert unshare is not None, "util-linux's unshare is needed (apt-get install util-linux)"
    isolate = [unshare, "--net"] if os.geteuid() == 0 else [unshare, "--user", "--net"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*isolate, sys.executable, "-m", "scanner", *args],
        capture_output=True, text=True, timeout=120, check=False, cwd=cwd, env=env,
    )  # fmt: skip


def _written(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(next(out.glob("*.json")).read_text("utf-8"))
    return data


def test_the_namespace_really_has_no_network(tmp_path: Path) -> None:
    probe = "import socket; socket.create_connection(('127.0.0.1', 9), timeout=2)"
    unshare = shutil.which("unshare")
    assert unshare is not None
    isolate = [unshare, "--net"] if os.geteuid() == 0 else [unshare, "--user", "--net"]
    proc = subprocess.run(
        [*isolate, sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert proc.returncode != 0
    assert "Network is unreachable" in proc.stderr or "OSError" in proc.stderr


def test_a_saved_scan_is_judged_again_under_strict_offline(tmp_path: Path) -> None:
    saved = _saved("exemplary", tmp_path)
    before = json.loads(saved.read_text("utf-8"))
    assert before["scores"]["grade"] == "A+"
    proc = _offline("rejudge", str(saved), "--profile", "strict", "--out", "out", cwd=tmp_path)
    # Strict asks for Mozilla 'modern' TLS and fails at medium: Exemplary falls short
    # (modern fails at high on every endpoint; the post-quantum warnings take the rest).
    assert proc.returncode == 1, proc.stderr
    assert "judged again under profile strict" in proc.stdout
    assert "grade C (" in proc.stdout
    after = _written(tmp_path / "out")
    assert after["scan"]["profile"] == "strict"
    assert after["scan"]["rejudged"]["gathered_profile"] == "default"
    assert after["scan"]["run_id"] == before["scan"]["run_id"]
    assert after["observations"] == before["observations"]
    modern = [f for f in after["findings"] if f["check_id"] == "tls.mozilla.modern"]
    # Judged again, not only re-weighted: the check itself reads the profile's level.
    assert modern and all(f["status"] == "fail" and f["severity"] == "high" for f in modern)
    html = next((tmp_path / "out").glob("*.html")).read_text("utf-8")
    assert "gathered under profile default" in html
    assert main(["verify", str(next((tmp_path / "out").glob("*.html")))]) == 0


def test_a_probe_the_profile_switches_off_is_not_assessed(tmp_path: Path) -> None:
    saved = _saved("legacy", tmp_path)
    proc = _offline("rejudge", str(saved), "--profile", "passive", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    services = [f for f in _written(tmp_path / "out")["findings"] if f["probe"] == "services"]
    assert services
    assert {f["status"] for f in services} == {"not_assessed"}
    assert all("disabled by profile passive" in f["detail"] for f in services)


def test_the_same_profile_judges_a_saved_scan_as_it_was_judged(tmp_path: Path) -> None:
    saved = _saved("broken", tmp_path)
    proc = _offline("rejudge", str(saved), "--out", "out", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    before, after = json.loads(saved.read_text("utf-8")), _written(tmp_path / "out")
    assert after["findings"] == before["findings"]
    assert after["scores"] == before["scores"]


def test_altered_or_foreign_evidence_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = _saved("legacy", tmp_path)
    document = json.loads(saved.read_text("utf-8"))
    altered = json.loads(json.dumps(document))
    altered["observations"][0]["host"] = "elsewhere.test"
    (tmp_path / "altered.json").write_text(json.dumps(altered), "utf-8")
    assert main(["rejudge", str(tmp_path / "altered.json"), "--out", str(tmp_path / "o")]) == 2
    assert "refusing to judge altered evidence" in capsys.readouterr().err
    # Without its digest, a hand-made document is still read strictly.
    foreign = {k: v for k, v in altered.items() if k != "integrity"}
    foreign["observations"][0]["banner"] = "x"
    (tmp_path / "foreign.json").write_text(json.dumps(foreign), "utf-8")
    assert main(["rejudge", str(tmp_path / "foreign.json"), "--out", str(tmp_path / "o")]) == 2
    assert "unknown field 'banner'" in capsys.readouterr().err
    unknown = {k: v for k, v in document.items() if k != "integrity"}
    unknown["scan"] = {
        **unknown["scan"],
        "probes": [{**unknown["scan"]["probes"][0], "probe": "x"}],
    }
    (tmp_path / "unknown.json").write_text(json.dumps(unknown), "utf-8")
    assert main(["rejudge", str(tmp_path / "unknown.json"), "--out", str(tmp_path / "o")]) == 2
    assert "probe 'x', which is not installed here" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_run_from_history_is_judged_again(tmp_path: Path) -> None:
    from scanner import api

    document = json.loads(read(GOLDEN / "exemplary" / "scan.json.gz"))
    db = tmp_path / "h.db"
    with api.open_store(str(db)) as history:
        assert history.save("Exemplary Hosting", document, regressed=False)
    run = document["scan"]["run_id"]
    args = ["rejudge", "--run", run, "--db", str(db), "--profile", "strict", "-q"]
    assert main([*args, "--out", str(tmp_path / "out"), "--format", "html"]) == 1
    after = _written(tmp_path / "out")  # the JSON is written beside the HTML asked for
    assert after["scan"]["run_id"] == run and after["scan"]["profile"] == "strict"
    assert main(["rejudge", "--run", "no-such-run", "--db", str(db)]) == 2
