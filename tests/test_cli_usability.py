"""The command line and its files as a user meets them (#26 item 9): a mistyped option
gets a suggestion, a URL is taken as its host, --help lists formats and profiles,
the JSON is always written, CSV for Excel, times to the second, a tagged PDF that
keeps the certificate table."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from support.golden import GOLDEN, read

from scanner.audit.portfolio import PortfolioError, load_portfolio
from scanner.cli import main
from scanner.net.targets import InvalidTarget, user_domain
from scanner.render.html import render_html


def golden(key: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(read(GOLDEN / key / "scan.json.gz"))
    return document


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "legacy.json"
    path.write_text(json.dumps(golden("legacy")))
    return path


def test_a_mistyped_option_or_command_gets_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scan", "example.com", "--formt", "html"]) == 2
    assert "unrecognized arguments: --formt html (did you mean --format?)" in (
        capsys.readouterr().err
    )
    assert main(["scna", "example.com"]) == 2
    assert "(did you mean scan?)" in capsys.readouterr().err
    assert main(["report", "x.json", "--sing-key", "k"]) == 2
    assert "did you mean --sign-key?" in capsys.readouterr().err


def test_a_url_is_taken_as_its_host_or_refused_with_a_reason(tmp_path: Path) -> None:
    assert user_domain("https://www.Example.com/login?next=/") == "www.example.com"
    assert user_domain("http://example.com") == "example.com"
    assert user_domain("example.com") == "example.com"
    for url, said in (
        ("https://example.com:8443/", "give a domain (extra endpoints: --host HOST:PORT)"),
        ("https://user:pw@example.com/", "names a port or a login"),
        ("ftp://example.com/", "give a domain such as example.com"),
        ("https://", "give a domain"),
    ):
        with pytest.raises(InvalidTarget, match=said.replace("(", r"\(").replace(")", r"\)")):
            user_domain(url)
    portfolio = tmp_path / "p.toml"
    portfolio.write_text('[[vendor]]\nname = "Acme"\ndomains = ["https://acme.example/"]\n')
    assert load_portfolio(portfolio, set()).vendors[0].domains == ("acme.example",)
    portfolio.write_text('[[vendor]]\nname = "Acme"\ndomains = ["https://acme.example:81/"]\n')
    with pytest.raises(PortfolioError, match="give a domain"):
        load_portfolio(portfolio, set())


def test_help_lists_the_formats_and_the_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "json, html, csv, pdf, questions" in text
    for profile in ("default", "strict", "passive", "bod-18-01", "pci-dss"):
        assert profile in text


def test_the_json_is_always_written_beside_other_formats(saved: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["report", str(saved), "--format", "html", "--out", str(out), "-q"]) == 0
    assert sorted(p.suffix for p in out.iterdir()) == [".html", ".json"]
    assert main(["verify", str(next(out.glob("*.html")))]) == 0


def test_csv_for_excel(saved: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main(["report", str(saved), "--format", "csv", "--csv-excel", "--out", str(out), "-q"])
    assert code == 0
    data = next(out.glob("*.csv")).read_bytes()
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    header, first = text.split("\r\n")[:2]
    assert header.split(";")[:4] == ["provider", "run_id", "started_utc", "grade"]
    assert ";area;" in header
    row = dict(zip(header.split(";"), first.split(";"), strict=False))
    started = datetime.fromisoformat(golden("legacy")["scan"]["started"])
    assert row["started_utc"] == started.strftime("%Y-%m-%d %H:%M:%S")
    titles = golden("legacy")["pitfall_titles"].values()
    areas = {line.split(";")[header.split(";").index("area")] for line in text.split("\r\n")[1:-1]}
    assert areas and areas <= set(titles)


def test_times_are_shown_to_the_second_with_their_zone() -> None:
    document = golden("legacy")
    started = datetime.fromisoformat(document["scan"]["started"])
    html = render_html(document)
    assert f"<th>Scanned</th><td>{started:%Y-%m-%d %H:%M:%S} UTC, " in html
    assert started.isoformat() not in html  # no microseconds, no offset


@pytest.mark.slow
def test_the_pdf_is_tagged_and_keeps_the_certificate_table(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    from scanner.render.pdf import render_pdf

    document = golden("legacy")
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(document)))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    assert "Certificates" in text
    for certificate in document["inventory"]["certificates"]:
        assert certificate["not_after"][:10] in text, certificate["endpoint"]
