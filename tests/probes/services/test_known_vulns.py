"""Known and known-exploited vulnerabilities: the release order, the dated CVE table,
CISA's catalogue as it is published (and the files that are not it), the checks'
verdicts, and installing a newer catalogue without losing the one in use."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.cli import main
from scanner.model import Severity, Status
from scanner.observations.ports import PortResult
from scanner.probes.services import kev
from scanner.probes.services.evaluate import evaluate_address
from scanner.probes.services.kev import KevError, parse_catalogue, shipped_catalogue
from scanner.probes.services.observations import ServicesObservation
from scanner.probes.services.vulns import CveTableError, cve_table, parse_table, release_key

# --- release order ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("9.7p1", "9.8p1"),
        ("9.8", "9.8p1"),
        ("4.92", "4.92.2"),
        ("4.92.2", "4.92.3"),
        ("1.3.5", "1.3.5a"),
        ("1.3.5a", "1.3.5b"),
        ("1.0.1f", "1.0.1g"),
        ("2.0rc1", "2.0"),
        ("2.4.9", "2.4.49"),
        ("7.4", "7.4.6"),
    ],
)
def test_releases_sort_as_vendors_number_them(older: str, newer: str) -> None:
    low, high = release_key(older), release_key(newer)
    assert low is not None and high is not None and low < high


def test_what_follows_the_number_is_not_part_of_it() -> None:
    assert release_key("9.2p1 Debian 2+deb12u3") == release_key("9.2p1")
    assert release_key("5.5.62-log") == release_key("5.5.62")
    assert release_key("unknown") is None


@given(st.text(max_size=40))
def test_any_version_text_gives_a_key_or_none(text: str) -> None:
    key = release_key(text)
    assert key is None or all(isinstance(n, int) for n in key)


# --- the dated table ----------------------------------------------------------------


def test_the_shipped_table_is_dated_and_cited() -> None:
    table = cve_table()
    assert table.advisories_through and table.curated
    assert all(c.references and c.summary for c in table.entries)
    assert all(any("nvd.nist.gov" in r for r in c.references) for c in table.entries)


@pytest.mark.parametrize(
    ("product", "version", "expected"),
    [
        ("vsftpd", "2.3.4", {"CVE-2011-2523"}),
        ("vsftpd", "3.0.5", set()),
        ("Exim smtpd", "4.91", {"CVE-2019-10149", "CVE-2019-15846"}),
        ("Exim smtpd", "4.92.2", {"CVE-2019-16928"}),
        ("Apache httpd", "2.4.49", {"CVE-2021-41773", "CVE-2021-42013", "CVE-2021-44790",
                                    "CVE-2024-38475"}),
        ("Apache httpd", "2.4.62", set()),
        ("OpenSSH", "9.7p1", {"CVE-2024-6387"}),
        ("OpenSSH", "9.8p1", set()),
        ("OpenSSH", "8.4p1", {"CVE-2023-48795"}),
        ("Redis key-value store", "4.0.9", {"CVE-2025-49844"}),
        ("Redis key-value store", "7.0.15", {"CVE-2025-49844"}),
        ("Redis key-value store", "7.4.6", set()),
        ("OpenSSL", "1.0.1f", {"CVE-2014-0160"}),
        ("OpenSSL", "1.0.1g", set()),
    ],
)  # fmt: skip
def test_versions_match_the_advisories_ranges(
    product: str, version: str, expected: set[str]
) -> None:
    assert {c.id for c in cve_table().matching(product, version)} == expected


def test_a_malformed_table_entry_is_named() -> None:
    head = 'advisories_through = "2025-10-31"\ncurated = "2026-12-07"\n'
    entry = (
        '[[cve]]\nid = "CVE-2020-0001"\nproduct = "x"\naffected = [["2.0", "1.0"]]\n'
        'cvss = 5.0\nsummary = "s"\nreferences = ["r"]\n'
    )
    with pytest.raises(CveTableError, match="CVE-2020-0001: bad range"):
        parse_table(head + entry)
    with pytest.raises(CveTableError, match="not a CVE ID"):
        parse_table(head + entry.replace("CVE-2020-0001", "GHSA-1").replace('"2.0"', '"0"'))


# --- CISA's catalogue ---------------------------------------------------------------


def _catalogue(
    entries: list[dict[str, Any]], released: str = "2026-11-30T15:00:00.0000Z"
) -> dict[str, Any]:
    return {
        "title": "CISA Catalog of Known Exploited Vulnerabilities",
        "catalogVersion": released[:10].replace("-", "."),
        "dateReleased": released,
        "count": len(entries),
        "vulnerabilities": entries,
    }


def _entry(cve: str = "CVE-2019-10149", **changes: Any) -> dict[str, Any]:
    entry = {
        "cveID": cve,
        "vendorProject": "Exim",
        "product": "Mail Transfer Agent (MTA)",
        "vulnerabilityName": "Exim Mail Transfer Agent (MTA) Improper Input Validation",
        "dateAdded": "2022-01-10",
        "shortDescription": "Improper validation of recipient address.",
        "requiredAction": "Apply updates per vendor instructions.",
        "dueDate": "2022-07-10",
        "knownRansomwareCampaignUse": "Unknown",
        "notes": "",
        "cwes": ["CWE-20"],
    }
    entry.update(changes)
    return entry


def test_the_shipped_snapshot_is_cisas_catalogue() -> None:
    snapshot = shipped_catalogue()
    assert snapshot.version == "2025.08.25" and len(snapshot.entries) == 1404
    exim = snapshot.get("CVE-2019-10149")
    assert exim is not None and exim.date_added == "2022-01-10"
    assert snapshot.get("CVE-2011-2523") is None  # the vsftpd backdoor is not listed
    assert snapshot.get("CVE-2021-41773") is not None
    assert snapshot.get("CVE-2021-41773").ransomware  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"<html><body>Access Denied</body></html>", "not JSON"),
        (b"[]", "not an object"),
        (json.dumps({"vulnerabilities": []}).encode(), "catalogVersion"),
        (json.dumps({**_catalogue([_entry()]), "count": 1400}).encode(), "truncated"),
        (json.dumps(_catalogue([_entry(dateAdded="yesterday")])).encode(), "not a date"),
        (json.dumps(_catalogue([_entry(cve="CVE-19-1")])).encode(), "not a CVE ID"),
        (json.dumps(_catalogue([{k: v for k, v in _entry().items() if k != "dueDate"}])).encode(),
         "'dueDate' is missing"),
        (json.dumps(_catalogue([_entry()], released="soon")).encode(), "not a date"),
        (gzip.compress(json.dumps(_catalogue([_entry()])).encode())[:60], "gzip"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_the_catalogue_is_refused_with_the_reason(data: bytes, why: str) -> None:
    with pytest.raises(KevError, match=why):
        parse_catalogue(data)


@given(st.binary(max_size=300))
def test_any_bytes_give_a_catalogue_or_a_refusal(data: bytes) -> None:
    try:
        parse_catalogue(data)
    except KevError:
        pass


def test_a_gzipped_download_reads_like_the_plain_one() -> None:
    plain = json.dumps(_catalogue([_entry()])).encode()
    assert parse_catalogue(gzip.compress(plain)).entries == parse_catalogue(plain).entries


# --- the checks ---------------------------------------------------------------------


def _port(port: int, service: str, product: str, version: str, extra: str = "") -> PortResult:
    return PortResult("192.0.2.7", port, "open", service, product, version, extra, "")


def _obs(*ports: PortResult) -> ServicesObservation:
    return ServicesObservation(
        "192.0.2.7", ("mx.example.com",), ("mail",), (25,), "scanned", "", ports, "2026-11-01"
    )


def _verdicts(obs: ServicesObservation) -> dict[tuple[str, str], Any]:
    return {
        (f.check_id, f.asset): f
        for f in evaluate_address(obs)
        if f.check_id.startswith("service.known_")
    }


def test_a_known_exploited_version_fails_critical_with_the_catalogue_date() -> None:
    found = _verdicts(_obs(_port(25, "smtp", "Exim smtpd", "4.91")))
    exploited = found[("service.known_exploited", "192.0.2.7:25")]
    assert exploited.status is Status.FAIL and exploited.severity is Severity.CRITICAL
    assert "CVE-2019-10149" in exploited.detail and "2022-01-10" in exploited.detail
    known = found[("service.known_vulnerabilities", "192.0.2.7:25")]
    assert known.status is Status.FAIL and known.severity is Severity.HIGH
    assert [c["id"] for c in known.evidence["cves"]] == ["CVE-2019-10149", "CVE-2019-15846"]
    assert known.evidence["cves"][0]["known_exploited"] is True


def test_a_distribution_build_is_a_question_not_proof() -> None:
    found = _verdicts(_obs(_port(22, "ssh", "OpenSSH", "9.2p1 Debian 2+deb12u3")))
    known = found[("service.known_vulnerabilities", "192.0.2.7:22")]
    assert known.status is Status.FAIL and "Debian build" in known.detail
    assert "backport" in known.detail


def test_a_patched_release_passes_and_an_unknown_product_is_not_judged() -> None:
    patched = _verdicts(_obs(_port(22, "ssh", "OpenSSH", "9.9p2")))
    assert patched[("service.known_vulnerabilities", "192.0.2.7")].status is Status.PASS
    assert patched[("service.known_exploited", "192.0.2.7")].status is Status.PASS
    unknown = _verdicts(_obs(_port(53, "domain", "cz.nic Knot DNS", "3.2.6")))
    info = unknown[("service.known_vulnerabilities", "192.0.2.7")]
    assert info.status is Status.INFO and "Knot DNS 3.2.6" in info.detail
    assert "not in the table" in info.detail


# --- installing a newer catalogue ---------------------------------------------------


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "kev.json.gz"
    monkeypatch.setenv("VETSCAN_KEV", str(path))
    return path


def test_kev_update_installs_a_newer_catalogue_for_later_scans(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    download = tmp_path / "known_exploited_vulnerabilities.json"
    newer = _catalogue([_entry(), _entry("CVE-2011-2523", vendorProject="vsftpd")])
    download.write_text(json.dumps(newer), "utf-8")
    assert main(["kev", "update", "--from", str(download)]) == 0
    assert "2026.11.30" in capsys.readouterr().out
    assert store.exists()
    assert kev.active_catalogue().get("CVE-2011-2523") is not None
    found = _verdicts(_obs(_port(21, "ftp", "vsftpd", "2.3.4")))
    assert found[("service.known_exploited", "192.0.2.7:21")].status is Status.FAIL
    assert main(["kev", "show"]) == 0
    assert str(store) in capsys.readouterr().out


def test_a_bad_or_older_download_leaves_the_catalogue_in_use(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_catalogue([_entry()])), "utf-8")
    assert main(["kev", "update", "--from", str(good)]) == 0
    before = store.read_bytes()
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(_catalogue([_entry()]))[:-40], "utf-8")
    assert main(["kev", "update", "--from", str(broken)]) == 2
    assert "nothing installed" in capsys.readouterr().err
    older = tmp_path / "older.json"
    older.write_text(json.dumps(_catalogue([_entry()], "2024-01-02T10:00:00Z")), "utf-8")
    assert main(["kev", "update", "--from", str(older)]) == 2
    assert "--allow-older" in capsys.readouterr().err
    assert store.read_bytes() == before
    assert main(["kev", "update", "--from", str(older), "--allow-older"]) == 0
    assert kev.active_catalogue().version == "2024.01.02"


def test_an_unreadable_stored_catalogue_falls_back_to_the_snapshot_and_says_so(
    store: Path,
) -> None:
    store.parent.mkdir(parents=True)
    store.write_bytes(b"\x1f\x8b damaged")
    current = kev.active_catalogue()
    assert current.version == shipped_catalogue().version
    assert "could not be read" in current.origin


# --- downloading it (the lab's stub of CISA's feed) ---------------------------------


@pytest.mark.lab
def test_kev_update_downloads_the_feed(
    lab: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scanner.lab.providers import KEV_URL

    assert main(["kev", "update", "--url", KEV_URL]) == 0
    assert "1404 vulnerabilities" in capsys.readouterr().out
    assert kev.active_catalogue().origin == str(store)
    assert kev.active_catalogue().entries == shipped_catalogue().entries


@pytest.mark.lab
@pytest.mark.parametrize(
    ("mode", "why"),
    [
        ("403", "answered HTTP 403"),
        ("502", "answered HTTP 502"),
        ("html", "not JSON"),
        ("truncated", "not JSON"),
        ("drip", "within 2 s"),
    ],
)
def test_a_failed_download_installs_nothing(
    lab: Path, store: Path, capsys: pytest.CaptureFixture[str], mode: str, why: str
) -> None:
    from scanner.lab.providers import KEV_URL

    url = KEV_URL.replace("/ok/", f"/{mode}/") + "?token=secret"
    assert main(["kev", "update", "--url", url, "--timeout", "2"]) == 2
    err = capsys.readouterr().err
    assert why in err and "secret" not in err
    assert not store.exists()
