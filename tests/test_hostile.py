"""The hostile provider: a scan of it completes, in bounded time, with honest findings,
without leaving threads or processes behind, and nothing it sends reaches a page or a
terminal live. Without --allow-private, names pointing inside are refused before a
single packet goes to them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from support.recording import network_events, recorders

from scanner.cli import main
from scanner.lab import hostile, keytrap, manager
from scanner.scoring.profile import load_profile

pytestmark = pytest.mark.lab

# What a finished hostile scan prints, for a child Python to report on itself.
CHILD = r"""
import json, os, sys, threading, time
from scanner.cli import main
code = main(sys.argv[1:])
started = time.monotonic()
# Probe threads are daemons; a probe that finished on its own leaves none behind.
while any(t is not threading.main_thread() for t in threading.enumerate()) and time.monotonic() - started < 2:
    time.sleep(0.05)
children = [
    p for p in os.listdir("/proc") if p.isdigit()
    and open(f"/proc/{p}/stat").read().split(") ")[1].split()[1] == str(os.getpid())
]
report = {
    "code": code,
    "threads": [t.name for t in threading.enumerate() if t is not threading.main_thread()],
    "children": children,
    # VmHWM, not getrusage: Linux carries ru_maxrss over exec, so it would report the
    # forking test process's size (hundreds of MB late in a test run), not the scan's.
    "maxrss_mb": next(
        int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")
    ) / 1024,
}
open(os.environ["HOSTILE_REPORT"], "w").write(json.dumps(report))
"""

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def hostile_scan(lab: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("hostile")
    anchors = out / "anchors"
    anchors.write_text(keytrap.anchor_line(hostile.DOMAIN) + "\n")
    args = [
        "scan",
        hostile.DOMAIN,
        hostile.CHAIN_DOMAIN,
        hostile.SLOW_DOMAIN,
        "--name",
        "Hostile <b>Vendor</b>",
    ]
    args += ["--nameserver", hostile.HOSTILE_NAMESERVER, "--allow-private", "-v"]
    args += ["--trust-anchors", str(anchors)]
    args += ["--ca-file", str(manager.ca_file(lab)), "--out", str(out), "--format", "html,json,csv"]
    for host in hostile.EXTRA_HOSTS:
        args += ["--host", host]
    report = out / "child.json"
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        capture_output=True,
        timeout=600,
        env={**os.environ, "HOSTILE_REPORT": str(report)},
    )
    elapsed = time.monotonic() - start
    child = json.loads(report.read_text()) if report.exists() else {}
    return {
        "elapsed": elapsed,
        "child": child,
        "stdout": proc.stdout,
        "stderr": proc.stderr,
        "returncode": proc.returncode,
        "doc": json.loads(next(p for p in out.glob("*.json") if p != report).read_text()),
        "html": next(out.glob("*.html")).read_text(),
        "csv": next(out.glob("*.csv")).read_text(),
    }


def _findings(doc: dict[str, Any], check: str, asset: str | None = None) -> list[dict[str, Any]]:
    return [
        f
        for f in doc["findings"]
        if f["check_id"] == check and (asset is None or f["asset"].startswith(asset))
    ]


def test_the_scan_completes_in_bounded_time_and_leaves_nothing_behind(
    hostile_scan: dict[str, Any],
) -> None:
    child = hostile_scan["child"]
    assert hostile_scan["returncode"] == 0, hostile_scan["stderr"][-2000:]
    assert child["code"] == 1  # completed, with failures
    bound = load_profile("default").probe_timeout * 1.1
    assert hostile_scan["doc"]["scan"]["duration_s"] <= bound
    assert hostile_scan["elapsed"] <= bound + 15  # interpreter start and report writing
    assert child["threads"] == [], child["threads"]
    assert child["children"] == [], child["children"]
    assert child["maxrss_mb"] < 300
    probes = {p["probe"]: p["status"] for p in hostile_scan["doc"]["scan"]["probes"]}
    assert set(probes.values()) == {"completed"}, probes  # no probe needed the engine's timeout


def test_misbehaving_tls_ports_are_not_assessed_with_the_reason(
    hostile_scan: dict[str, Any],
) -> None:
    doc = hostile_scan["doc"]
    why = {
        f["asset"]: f["detail"]
        for f in doc["findings"]
        if f["check_id"] == "tls.protocol.tls10_tls11" and f["status"] == "not_assessed"
    }
    assert any("hostile.test:443" in a and "no" in d.lower() for a, d in why.items()), why
    assert any(a.startswith("reset.hostile.test:443") and "reset" in d for a, d in why.items()), why
    assert any(
        a.startswith("plain.hostile.test:443") and "does not speak TLS" in d for a, d in why.items()
    ), why
    assert any(
        a.startswith("big.hostile.test:443") and "larger than TLS clients accept" in d
        for a, d in why.items()
    ), why
    # The one real TLS endpoint was assessed, hostile certificate and all.
    assessed = _findings(doc, "tls.cert.untrusted", "www.hostile.test:443")
    assert assessed and assessed[0]["status"] in ("pass", "fail")


def test_hostile_dns_answers_give_honest_findings(hostile_scan: dict[str, Any]) -> None:
    doc = hostile_scan["doc"]
    spf = {f["asset"]: f for f in _findings(doc, "email.spf.invalid")}
    assert (
        spf["hostile.test"]["status"] == "fail" and "loop" in spf["hostile.test"]["detail"].lower()
    )
    chain = _findings(doc, "email.spf.too_many_lookups", hostile.CHAIN_DOMAIN)
    assert chain and chain[0]["status"] == "fail"
    # The 60 KB DMARC answer came over TCP and was judged (its rua is not a mail address).
    dmarc = _findings(doc, "email.dmarc.missing", hostile.DOMAIN)
    assert dmarc and dmarc[0]["status"] == "pass"
    # SERVFAIL and silence are "could not tell", never a pass or a fail.
    mta_sts = _findings(doc, "email.mta_sts.missing", "hostile.test")
    assert mta_sts and mta_sts[0]["status"] == "not_assessed"
    assert "SERVFAIL" in mta_sts[0]["detail"] or "servfail" in mta_sts[0]["detail"].lower()
    tlsrpt = _findings(doc, "email.tlsrpt.missing", "hostile.test")
    assert tlsrpt and tlsrpt[0]["status"] == "not_assessed"


def test_a_cname_loop_is_not_assessed_never_passed(hostile_scan: dict[str, Any]) -> None:
    (loop,) = _findings(hostile_scan["doc"], "dns.cname.dangling", f"mta-sts.{hostile.DOMAIN}")
    assert loop["status"] == "not_assessed" and "loop" in loop["detail"]


def test_hostile_web_endpoints_are_bounded(hostile_scan: dict[str, Any]) -> None:
    doc = hostile_scan["doc"]
    redirect = _findings(doc, "web.https_redirect.missing", "hostile.test")
    assert redirect and redirect[0]["status"] in ("fail", "not_assessed")
    assert "redirect" in json.dumps(redirect[0]).lower()
    # An endless security.txt is read up to the 1 MiB limit and judged unreadable.
    sectxt = _findings(doc, "web.security_txt.invalid", "www.hostile.test")
    assert sectxt and sectxt[0]["status"] == "fail" and "1 MiB" in sectxt[0]["detail"]
    # A drip of one byte a second costs the body deadline, then is "not assessed".
    drip = _findings(doc, "web.https_redirect.missing", "www.hostile.test")
    assert drip and drip[0]["status"] == "not_assessed" and "within" in drip[0]["detail"]


def test_nothing_hostile_reaches_a_page_or_a_terminal_live(hostile_scan: dict[str, Any]) -> None:
    page = hostile_scan["html"]
    assert "<script" not in page.lower() and "<b>Vendor" not in page
    assert not CONTROL.search(page)
    for where in ("cert", "hdr", "dmarc"):
        # shown as text: the markup escaped, the terminal escapes as \u001b
        assert f"alert(&#39;{where}&#39;)" in page, where
    assert (
        "PHP/5.6.40 &lt;script&gt;alert(&#39;hdr&#39;)&lt;/script&gt;\\u001b[2J\\u001b]0;pwned\\u0007"
        in page
    )
    terminal = hostile_scan["stdout"].decode() + hostile_scan["stderr"].decode()
    assert not CONTROL.search(terminal), CONTROL.findall(terminal)[:5]
    assert not CONTROL.search(json.dumps(hostile_scan["doc"]))
    assert not CONTROL.search(hostile_scan["csv"])


def test_a_keytrap_zone_is_not_assessed_within_the_budget(hostile_scan: dict[str, Any]) -> None:
    doc = hostile_scan["doc"]
    found = [f for f in _findings(doc, "dns.dnssec.invalid") if f["asset"] == hostile.DOMAIN]
    assert found and all(f["status"] == "not_assessed" for f in found), found
    assert all("validation budget exceeded" in f["detail"] for f in found), found
    durations = {p["probe"]: p["duration_s"] for p in doc["scan"]["probes"]}
    assert durations["dns-health"] < 10, durations


def test_dripping_headers_and_a_quadratic_page_are_bounded(hostile_scan: dict[str, Any]) -> None:
    doc = hostile_scan["doc"]
    (redirect,) = [
        f for f in _findings(doc, "web.https_redirect.missing") if f["asset"] == hostile.SLOW_DOMAIN
    ]
    assert redirect["status"] == "not_assessed"
    assert "did not arrive within" in redirect["detail"]
    # The 1 MiB page of unclosed tags was read (html.parser needed minutes for it).
    sri = [f for f in _findings(doc, "web.sri.missing") if f["asset"] == hostile.SLOW_DOMAIN]
    assert sri and all(f["status"] != "error" for f in sri), sri


def test_a_hostile_audit_exits_within_its_bounds(lab: Path, tmp_path: Path) -> None:
    """The audit of the hostile vendor, with its alert sent to a webhook that trickles
    its headers: it ends within the probe timeout plus 10 %, the alert deadline and
    the interpreter's start, with the audit's own exit code."""
    anchors = tmp_path / "anchors"
    anchors.write_text(keytrap.anchor_line(hostile.DOMAIN) + "\n")
    hosts = ", ".join(f'"{h}"' for h in hostile.EXTRA_HOSTS)
    domains = ", ".join(
        f'"{d}"' for d in (hostile.DOMAIN, hostile.CHAIN_DOMAIN, hostile.SLOW_DOMAIN)
    )
    portfolio = tmp_path / "p.toml"
    portfolio.write_text(
        f'[[vendor]]\nname = "Hostile"\ndomains = [{domains}]\nhosts = [{hosts}]\n'
    )
    args = [
        "audit", str(portfolio), "--nameserver", hostile.HOSTILE_NAMESERVER, "--allow-private",
        "--ca-file", str(manager.ca_file(lab)), "--trust-anchors", str(anchors),
        "--db", str(tmp_path / "h.db"), "--out", str(tmp_path / "out"), "--format", "json",
        "--notify-webhook", hostile.ALERT_WEBHOOK_TRICKLE, "--notify-always",
        "--notify-timeout", "5",
    ]  # fmt: skip
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "scanner", *args], capture_output=True, text=True, timeout=600
    )
    elapsed = time.monotonic() - start
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "alert not delivered: webhook: gave up after the alerts' 5 s deadline" in proc.stderr
    bound = load_profile("default").probe_timeout * 1.1 + 5 + 15
    assert elapsed <= bound, (elapsed, bound)


# --- without --allow-private -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "address"),
    [(f"local.{hostile.DOMAIN}", "127.0.0.1"), (f"ten.{hostile.DOMAIN}", "10.0.0.1")],
)
def test_inside_addresses_are_refused_before_any_packet(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, address: str
) -> None:
    with recorders([("127.0.0.1", p) for p in (80, 443, 25)]) as seen, network_events() as events:
        code = main(
            ["scan", name, "--nameserver", hostile.HOSTILE_NAMESERVER, "--out", str(tmp_path)]
        )
    assert code == 2
    assert f"{address} is a" in capsys.readouterr().err
    assert seen == []  # nothing knocked on 127.0.0.1
    targets = [a for e, a in events if e in ("socket.connect", "socket.sendto")]
    contacted = {t[0] if isinstance(t, tuple) else t for t in targets}
    # The name server was asked (so the hook saw traffic), and nothing else was contacted.
    assert contacted == {hostile.DNS_ADDRESS}, contacted
    assert not list(tmp_path.iterdir())
