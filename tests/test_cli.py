"""The command line as a user drives it: exit codes, messages, the files it writes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from scanner.cli import main
from scanner.lab import manager
from scanner.lab.providers import NAMESERVER, PROVIDERS
from scanner.schema import schema


def _lab_args(lab: Path, out: Path, profile: str = "passive") -> list[str]:
    # "passive" skips the port scan, which these tests do not look at and which
    # costs a dozen seconds per provider.
    return [
        "--profile",
        profile,
        "--nameserver",
        NAMESERVER,
        "--ca-file",
        str(manager.ca_file(lab)),
        "--allow-private",
        "--out",
        str(out),
    ]


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("vetscan: error: ")
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "-oN.example.com"],
        ["scan", "exa mple.com"],
        ["scan", "example.com;id"],
        ["scan", "exemplary.test", "--format", "docx"],
        ["scan", "exemplary.test", "--profile", "no-such-profile"],
        ["scan", "exemplary.test", "--nameserver", "127.0.10.53:99999"],
        ["scan", "exemplary.test", "--ca-file", "/nonexistent.pem"],
        ["scan", "exemplary.test", "--set", "dkim.selector=a"],
        ["scan", "exemplary.test", "--set", "services.ports=0"],
        ["scan"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2_with_one_line(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    _one_error_line(capsys.readouterr().err)


@pytest.mark.lab
def test_loopback_target_is_refused_without_allow_private(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["scan", "exemplary.test", "--nameserver", NAMESERVER, "--out", str(tmp_path)])
    assert code == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "127.0.10.10 is a loopback address" in line
    assert not list(tmp_path.iterdir())


@pytest.mark.lab
def test_loopback_extra_host_is_refused_without_allow_private(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["scan", "broken.test", "--host", "10.0.0.1:443", "--nameserver", NAMESERVER]
    # broken.test itself is loopback too; the first refusal wins, and nothing is contacted.
    assert main([*args, "--out", str(tmp_path)]) == 2
    assert "not scanned without --allow-private" in _one_error_line(capsys.readouterr().err)


@pytest.mark.lab
def test_nonexistent_domain_is_a_usage_error(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "nothere.exemplary.test", *_lab_args(lab, tmp_path)]) == 2
    assert "does not exist" in _one_error_line(capsys.readouterr().err)


@pytest.fixture()
def dead_nameserver() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.10.98", 0))
    yield f"127.0.10.98:{sock.getsockname()[1]}"
    sock.close()


def test_unreachable_nameserver_means_the_scan_could_not_complete(
    dead_nameserver: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "scan",
            "exemplary.test",
            "--nameserver",
            dead_nameserver,
            "--timeout",
            "0.5",
            "--allow-private",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 3
    assert "cannot resolve exemplary.test" in _one_error_line(capsys.readouterr().err)


@pytest.mark.lab
def test_scan_writes_valid_json_and_html(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["scan", "exemplary.test", "--name", "<script>x</script>", *_lab_args(lab, tmp_path)]
    )
    assert code == 0
    out = capsys.readouterr().out
    json_path = next(tmp_path.glob("*.json"))
    html_path = next(tmp_path.glob("*.html"))
    assert str(json_path) in out and str(html_path) in out
    document = json.loads(json_path.read_text())
    jsonschema.validate(document, schema())
    assert document["provider"]["domains"] == ["exemplary.test"]
    assert document["scan"]["resolver"] == NAMESERVER
    assert {f["check_id"] for f in document["findings"]} >= {"dns.domain.resolves"}
    html = html_path.read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.lab
def test_a_second_scan_never_overwrites_the_first(lab: Path, tmp_path: Path) -> None:
    for _ in range(2):
        assert (
            main(["scan", "exemplary.test", "-q", "--name", "Same", *_lab_args(lab, tmp_path)]) == 0
        )
    assert len(list(tmp_path.glob("same-*.json"))) == 2


@pytest.mark.lab
def test_exit_code_follows_the_profile_fail_threshold(lab: Path, tmp_path: Path) -> None:
    out = _lab_args(lab, tmp_path / "o")
    # Default threshold "high": legacy.test has high findings (TLS 1.0, no STARTTLS).
    assert main(["scan", "legacy.test", "-q", *out]) == 1
    # With the threshold at "critical", the same scan passes: legacy has no critical finding.
    profile = tmp_path / "critical.toml"
    profile.write_text('name = "critical-only"\nextends = "passive"\nfail_threshold = "critical"\n')
    critical = _lab_args(lab, tmp_path / "o", profile=str(profile))
    assert main(["scan", "legacy.test", "-q", *critical]) == 0
    # ...while broken.test's expired certificate is critical.
    assert main(["scan", "broken.test", "-q", *critical]) == 1


@pytest.mark.lab
def test_demo_writes_a_report_pair_for_every_lab_provider(lab: Path, tmp_path: Path) -> None:
    assert main(["demo", "-q", "--profile", "passive", "--out", str(tmp_path)]) == 0
    for provider in PROVIDERS:
        slug = provider.name.lower().replace(" ", "-")
        assert len(list(tmp_path.glob(f"{slug}-*.json"))) == 1, provider.name
        assert len(list(tmp_path.glob(f"{slug}-*.html"))) == 1, provider.name


def test_probes_lists_the_builtin_probe(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probes"]) == 0
    out = capsys.readouterr().out
    assert "dns-discovery" in out
    # and the discovery sources a profile can name, saying which stay passive
    for source in ("spf", "srv", "wordlist", "axfr", "nsec", "ct", "ct-certspotter", "san"):
        assert f"\n{source}  [built-in" in out, source
    assert "ct  [built-in, sends nothing to the provider]" in out


@pytest.mark.lab
def test_lab_status_reports_running_servers(lab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "status"]) == 0
    out = capsys.readouterr().out
    assert "dns: running" in out and "web: running" in out and "banners: running" in out


def test_console_script_and_module_agree() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scanner", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("vetscan ")


@pytest.mark.lab
def test_markup_from_a_target_is_escaped_in_html(lab: Path, tmp_path: Path) -> None:
    # www.broken.test serves a certificate whose subject is a <script> element.
    assert (
        main(["scan", "broken.test", "-q", "--format", "html,json", *_lab_args(lab, tmp_path)]) == 1
    )
    html = next(tmp_path.glob("*.html")).read_text()
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;cert&#39;)&lt;/script&gt;" in html
    document = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert any("<script>alert('cert')</script>" in f["detail"] for f in document["findings"])
    # ...and so does a header value (X-Powered-By) with markup in it.
    assert any("<script>alert('hdr')</script>" in f["detail"] for f in document["findings"])


def test_checks_lists_and_explains(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks"]) == 0
    listing = capsys.readouterr().out
    assert "tls.protocol.tls10_tls11" in listing and "email.dmarc.policy_none" in listing
    assert main(["checks", "tls.cert.expired"]) == 0
    text = capsys.readouterr().out
    assert "Remediation:" in text and "at most F" in text
    assert main(["checks", "no.such.check"]) == 2


def test_profiles_list_show_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "list"]) == 0
    assert "bod-18-01" in capsys.readouterr().out
    assert main(["profiles", "show", "strict"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["extends"] == "default" and shown["fail_threshold"] == "medium"
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nfail_threshold = "high"\nsevertiy = {}\n')
    assert main(["profiles", "validate", str(bad)]) == 2
    assert "unknown key 'severtiy'" in capsys.readouterr().err
    assert main(["profiles", "validate", "pci-dss"]) == 0


@pytest.mark.lab
def test_the_summary_and_json_carry_the_grade(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "scan",
                "legacy.test",
                "--format",
                "json",
                "--profile",
                "passive",
                *_lab_args(lab, tmp_path),
            ]
        )
        == 1
    )
    out = capsys.readouterr().out
    document = json.loads(next(tmp_path.glob("*.json")).read_text())
    jsonschema.validate(document, schema())
    # F: what its failures (weak TLS, clear-text mail, no DMARC...) leave of 100 is
    # below 50; the terminal and the JSON agree.
    assert document["scores"]["grade"] == "F"
    assert "grade F" in out
    assert set(document["scores"]["pitfalls"]) == {
        "transport",
        "web",
        "email",
        "exposure",
        "hygiene",
        "dns",
        "communication",
    }


@pytest.mark.lab
def test_a_dkim_selector_named_on_the_command_line_is_looked_up(lab: Path, tmp_path: Path) -> None:
    def dkim(selector: list[str], out: Path) -> str:
        args = ["scan", "exemplary.test", "--format", "json", "-q", *_lab_args(lab, out)]
        main([*args, *selector])
        doc = json.loads(next(out.glob("*.json")).read_text())
        (found,) = [f for f in doc["findings"] if f["check_id"] == "email.dkim.not_found"]
        return str(found["status"])

    # The exemplary provider signs with "mail2026", which no list of common selectors has.
    assert dkim([], tmp_path / "a") == "warn"
    assert dkim(["--dkim-selector", "mail2026"], tmp_path / "b") == "pass"
    # The flag is a spelling of the email probe's setting; --set gives it directly.
    assert dkim(["--set", "dkim.selectors+=mail2026"], tmp_path / "c") == "pass"
    assert main(["scan", "exemplary.test", "--dkim-selector", "bad selector!"]) == 2


@pytest.mark.lab
def test_scans_are_compared_with_and_stored_in_history(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.db"
    args = ["scan", "exemplary.test", "--db", str(db), "-q", *_lab_args(lab, tmp_path / "r")]
    assert main(args) == 0
    assert main(args) == 0
    first, second = sorted((tmp_path / "r").glob("*.html"))
    assert "No earlier scan of this provider" in first.read_text()
    assert "Compared with the scan of" in second.read_text()
    capsys.readouterr()
    assert main(["history", "exemplary.test", "--db", str(db)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    # --no-history neither reads nor writes it
    assert main([*args, "--no-history"]) == 0
    assert (
        "No earlier scan"
        in max((tmp_path / "r").glob("*.html"), key=lambda p: p.stat().st_mtime).read_text()
    )
    assert main(["history", "exemplary.test", "--db", str(db)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


@pytest.mark.lab
def test_an_unusable_history_costs_the_comparison_not_the_scan(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.db"
    db.write_bytes(b"not a database" * 100)
    args = ["scan", "exemplary.test", "--db", str(db), "-q", *_lab_args(lab, tmp_path / "r")]
    assert main(args) == 0
    assert "history not used" in capsys.readouterr().err
    assert len(list((tmp_path / "r").glob("*.html"))) == 1
    assert db.read_bytes() == b"not a database" * 100
