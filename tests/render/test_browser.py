"""The reports in a real browser: Debian's Chromium, offline, opened from a file URL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner import api
from scanner.document.build import build_document
from scanner.document.integrity import seal
from scanner.document.overview import row
from scanner.model import ScanResult
from scanner.options import OutputOptions
from scanner.render import Format

pytestmark = pytest.mark.lab

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium tries to reach Google's services at start.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:  # scripts/bootstrap.sh installs it; missing is a failure
        pytest.fail("chromium not found: apt-get install chromium")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def written(
    default_scans: dict[str, ScanResult], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, tuple[dict[str, Any], Path]]]:
    out = tmp_path_factory.mktemp("browser")
    pages = {}
    entries = []
    for key, result in default_scans.items():
        document = seal(build_document(result))
        paths = api.write_reports(document, OutputOptions((Format.HTML, Format.JSON), out))
        pages[key] = (document, paths[0])
        entries.append((document, paths))
    api.write_overview(out, [row(d, p[0].name) for d, p in entries])
    return out, pages


def _open(browser: Any, url: str, shot: Path) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 1600})
    context.set_offline(True)
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    page.screenshot(path=str(shot), full_page=False)
    seen = {
        "title": page.title(),
        "grade_visible": page.locator("#grade").is_visible()
        if page.locator("#grade").count()
        else False,
        "grade": page.locator("#grade").inner_text() if page.locator("#grade").count() else "",
        "links": page.eval_on_selector_all(
            "a[href]", "els => els.map(e => e.getAttribute('href'))"
        ),
        "requests": requests,
        "problems": problems,
    }
    context.close()
    return seen


def test_each_report_opens_offline_shows_its_grade_and_asks_for_nothing(
    browser: Any, written: tuple[Path, dict[str, tuple[dict[str, Any], Path]]], tmp_path: Path
) -> None:
    _, pages = written
    for key, (document, html) in pages.items():
        shot = tmp_path / f"{key}.png"
        seen = _open(browser, html.as_uri(), shot)
        grade = document["scores"]["grade"]
        assert seen["title"] == f"vetscan report: {document['provider']['name']} (grade {grade})"
        assert seen["grade_visible"] and seen["grade"] == grade
        assert seen["requests"] == [html.as_uri()], seen[
            "requests"
        ]  # the page itself, nothing else
        assert seen["problems"] == []
        assert shot.read_bytes().startswith(b"\x89PNG")
        # in-page links only (the table of contents)
        assert all(link.startswith("#") for link in seen["links"])


def test_portfolio_overview_ranks_and_links_every_report(
    browser: Any, written: tuple[Path, dict[str, tuple[dict[str, Any], Path]]], tmp_path: Path
) -> None:
    out, pages = written
    seen = _open(browser, (out / "index.html").as_uri(), tmp_path / "index.png")
    assert seen["problems"] == [] and seen["requests"] == [(out / "index.html").as_uri()]
    grades = ["A+", "A", "B", "C", "D", "F", "incomplete"]

    def rank(key: str) -> tuple[int, float]:
        scores = pages[key][0]["scores"]
        return grades.index(scores["grade"]), -(scores["overall"] or -1)

    reports = [link for link in seen["links"] if "#" not in link]
    assert reports == [pages[key][1].name for key in sorted(pages, key=rank)]
    # Best first, the provider without a grade last.
    assert reports[0] == pages["exemplary"][1].name
    assert reports[-1] == pages["stale"][1].name
    for link in reports:
        assert (out / link).is_file()
    # Each provider with questions links to them in its report.
    questions = [link for link in seen["links"] if link.endswith("#questions")]
    assert questions and all(q.removesuffix("#questions") in reports for q in questions)
