"""A comparison that decides (#26 item 4), on the golden scans of the lab's
providers: ranked with reasons under the buyer's weights, deal-breakers marked,
untested never counted, a profile mismatch flagged (and undone with --profile),
no empty page, and every file verified by its digest and signature."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.golden import GOLDEN, read

from scanner import api
from scanner.checks import PITFALLS
from scanner.cli import main
from scanner.document.compare import compare
from scanner.document.integrity import seal
from scanner.document.ranking import parse_weights, rank
from scanner.errors import InputError
from scanner.scoring.profile import load_profile

SIX = ("exemplary", "legacy", "broken", "guarded", "sprawl", "stale")


def golden(key: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(read(GOLDEN / key / "scan.json.gz"))
    return document


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    return {key: golden(key) for key in SIX}


@pytest.fixture(scope="module")
def saved(docs: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("scans")
    paths = []
    for key, doc in docs.items():
        path = folder / f"{key}.json"
        path.write_text(json.dumps(doc))
        paths.append(str(path))
    return paths


def order(result: dict[str, Any]) -> list[str]:
    return [r["name"] for r in result["ranking"]["order"]]


def test_the_lab_candidates_are_ranked_with_reasons(docs: dict[str, dict[str, Any]]) -> None:
    result = compare(list(docs.values()))
    rows = result["ranking"]["order"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5, 6]
    by_name = {c["name"]: c for c in result["candidates"]}
    # Verdicts in order: nothing to sign against first, "do not sign" last.
    verdicts = [by_name[r["name"]]["verdict"] for r in rows]
    assert verdicts == sorted(verdicts, key=["no_deal_breakers", "conditions", "do_not_sign"].index)
    assert rows[0]["name"] == "Exemplary Hosting" and rows[-1]["name"] == "Broken Networks"
    # Two F grades are not alike: three deal-breakers rank above four.
    names = order(result)
    assert by_name["Legacy Systems"]["grade"] == by_name["Sprawling Services"]["grade"] == "F"
    assert names.index("Legacy Systems") < names.index("Sprawling Services")
    legacy = next(r for r in rows if r["name"] == "Legacy Systems")
    assert legacy["above"] == "Above Sprawling Services: fewer deal-breakers fail (3 against 4)."
    # Every reason names the candidate's failing deal-breakers, in the catalogue's words.
    for row in rows:
        for breaker in by_name[row["name"]]["deal_breakers"]:
            assert breaker["title"] in row["reason"] and breaker["impact"]
    assert all(
        r["above"].startswith(f"Above {n}:") for r, n in zip(rows[:-1], names[1:], strict=True)
    )


def test_untested_areas_are_outside_the_weighted_score(docs: dict[str, dict[str, Any]]) -> None:
    result = compare([docs["guarded"], docs["exemplary"], docs["legacy"]])
    guarded = next(r for r in result["ranking"]["order"] if r["name"] == "Guarded Mail")
    assert "Encryption in transit" in guarded["untested_areas"]
    assert "Encryption in transit" not in result["ranking"]["basis"]
    assert "not assessed: Encryption in transit" in guarded["reason"]
    # The weighted score is what the basis areas give, by their weights.
    weights = result["ranking"]["weights"]
    candidate = next(c for c in result["candidates"] if c["name"] == "Legacy Systems")
    basis = [k for k, t in result["pitfall_titles"].items() if t in result["ranking"]["basis"]]
    expected = sum(weights[a] * candidate["pitfalls"][a] for a in basis) / sum(
        weights[a] for a in basis
    )
    legacy = next(r for r in result["ranking"]["order"] if r["name"] == "Legacy Systems")
    assert legacy["weighted_score"] == round(expected, 1)


def test_the_buyers_weights_decide_between_equals() -> None:
    def candidate(name: str, email: float, transport: float) -> dict[str, Any]:
        scores = {p: 90.0 for p in PITFALLS} | {"email": email, "transport": transport}
        return {
            "name": name,
            "verdict": "conditions",
            "deal_breakers": [],
            "pitfalls": scores,
            "coverage": 1.0,
        }

    mailer, host = candidate("Mailer", 100.0, 60.0), candidate("Host", 60.0, 100.0)
    even = rank([mailer, host], {p: 1.0 for p in PITFALLS}, {})
    assert [r["rank"] for r in even["order"]] == [1, 1]  # equal: they share the rank
    assert even["order"][0]["tied_with"]
    mail_first = rank([mailer, host], {p: 1.0 for p in PITFALLS} | {"email": 5.0}, {})
    assert [r["name"] for r in mail_first["order"]] == ["Mailer", "Host"]
    assert "a higher weighted score" in mail_first["order"][0]["above"]
    web_first = rank([mailer, host], {p: 1.0 for p in PITFALLS} | {"transport": 5.0}, {})
    assert [r["name"] for r in web_first["order"]] == ["Host", "Mailer"]


def test_weights_are_checked() -> None:
    assert parse_weights("transport=3, email=0", PITFALLS) == {"transport": 3.0, "email": 0.0}
    for bad, said in (
        ("tranport=3", "the areas are"),
        ("email=lots", "not a number"),
        ("email=101", "outside 0 to 100"),
        ("email", "is not AREA=N"),
        (",".join(f"{p}=0" for p in PITFALLS), "above 0"),
    ):
        with pytest.raises(InputError, match=said):
            parse_weights(bad, PITFALLS)


def test_vetscan_compare_takes_the_buyers_weights(
    saved: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["compare", *saved[:3], "--out", str(out), "--weights", "email=4"]) == 0
    printed = capsys.readouterr().out
    assert "1. Exemplary Hosting: No deal-breakers found" in printed
    written = json.loads(next(out.glob("*.json")).read_text())
    assert written["ranking"]["weights"]["email"] == 4.0
    assert written["ranking"]["weights_source"].startswith("the buyer's")
    assert main(["compare", *saved[:2], "--out", str(out), "--weights", "mail=4"]) == 2
    assert "the areas are transport, web, email" in capsys.readouterr().err


def test_a_profile_mismatch_is_flagged_and_one_profile_judges_all(
    docs: dict[str, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = load_profile("strict")
    legacy = seal(api.build_document(api.rejudge(docs["legacy"], strict), profile=strict))
    result = compare([docs["exemplary"], legacy])
    assert result["profile_mismatch"].startswith(
        "The candidates were judged under different profiles (default: Exemplary Hosting; "
        "strict: Legacy Systems)"
    )
    html = api.comparison([docs["exemplary"], legacy])
    assert html["profile_mismatch"]
    first, second = tmp_path / "exemplary.json", tmp_path / "legacy-strict.json"
    first.write_text(json.dumps(docs["exemplary"]))
    second.write_text(json.dumps(legacy))
    out = tmp_path / "mixed"
    assert main(["compare", str(first), str(second), "--out", str(out)]) == 0
    assert "warning: The candidates were judged under different profiles" in capsys.readouterr().err
    page = next(out.glob("*.html")).read_text()
    assert "Profiles differ." in page
    out = tmp_path / "one"
    assert main(["compare", str(first), str(second), "--profile", "strict", "--out", str(out)]) == 0
    written = json.loads(next(out.glob("*.json")).read_text())
    assert written["profiles"] == ["strict"] and not written["profile_mismatch"]
    assert "Profiles differ." not in next(out.glob("*.html")).read_text()


def _pages(pdf: Path) -> list[str]:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is needed"
    text = subprocess.run(
        [tool, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.mark.slow
def test_the_printed_comparison_has_no_empty_page_and_verifies(
    saved: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "signing.key"
    assert main(["keygen", str(key)]) == 0
    for count in (3, 6):
        out = tmp_path / f"cmp{count}"
        code = main(
            [
                *("compare", *saved[:count], "--out", str(out)),
                *("--format", "html,csv,pdf", "--sign-key", str(key)),
            ]
        )
        assert code == 0, capsys.readouterr().err
        pdf = next(out.glob("*.pdf"))
        pages = _pages(pdf)
        assert pages
        for number, page in enumerate(pages, 1):
            # A page holds more than its running header, a heading and its number.
            body = [line for line in page.splitlines() if line.strip()][1:-1]
            assert len(body) >= 5, f"{count} candidates, page {number}: {body}"
        assert "Ranking" in pages[0] and "1. Exemplary Hosting" in pages[0]
        for path in (pdf, next(out.glob("*.html")), next(out.glob("*.json"))):
            capsys.readouterr()
            assert main(["verify", str(path), "--pubkey", f"{key}.pub"]) == 0, path
            printed = capsys.readouterr().out
            assert "BAD" not in printed
            assert "valid Ed25519 signature" in printed or path.suffix == ".html"
    # An altered ranking is caught.
    written = next((tmp_path / "cmp3").glob("*.json"))
    doc = json.loads(written.read_text())
    doc["ranking"]["order"].reverse()
    written.write_text(json.dumps(doc))
    assert main(["verify", str(written)]) == 1
    assert "BAD json: altered" in capsys.readouterr().out
