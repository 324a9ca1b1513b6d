from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scanner.output import report_stem, write_new
from scanner.render import Format


def test_stem_is_a_safe_slug_with_utc_time() -> None:
    when = datetime(2026, 11, 29, 8, 5, 1, tzinfo=UTC)
    assert report_stem("ACME <Hosting> / GmbH", when) == "acme-hosting-gmbh-20261129T080501Z"
    assert report_stem("../../etc", when).startswith("etc-")


def test_write_new_never_replaces_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    first = write_new(tmp_path, "r", "json", "one")
    second = write_new(tmp_path, "r", "json", "two")
    assert (first.name, second.name) == ("r.json", "r-2.json")
    assert first.read_text() == "one" and second.read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r-2.json", "r.json"]


def test_a_report_set_moves_on_together_when_one_name_is_taken(tmp_path: Path) -> None:
    from scanner.output import write_set

    (tmp_path / "r.json").write_text("earlier")
    paths = write_set(tmp_path, "r", {"html": "<p>", "json": "{}"})
    assert [p.name for p in paths] == ["r-2.html", "r-2.json"]
    assert (tmp_path / "r.json").read_text() == "earlier"
    assert not (tmp_path / "r.html").exists()  # no half set under the old name
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".vetscan-")]


def test_replace_atomic_swaps_a_pointer_file(tmp_path: Path) -> None:
    from scanner.output import replace_atomic

    replace_atomic(tmp_path / "index.html", "one")
    replace_atomic(tmp_path / "index.html", b"two")
    assert (tmp_path / "index.html").read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_a_report_set_of_the_same_run_is_found_again_and_only_that(tmp_path: Path) -> None:
    """What a resumed queued audit relies on to not write a vendor's reports twice."""
    import json

    from scanner.options import OutputOptions
    from scanner.output import write_set
    from scanner.pipeline import written_reports

    started = "2026-11-30T10:00:00+00:00"
    doc = {
        "provider": {"name": "Acme Hosting"},
        "scan": {"started": started, "run_id": "R1"},
        "integrity": {"run_id": "R1", "sha256": "a" * 64},
    }
    output = OutputOptions(out=tmp_path)
    stem = report_stem("Acme Hosting", datetime.fromisoformat(started))
    assert written_reports(doc, output) == []
    other = {**doc, "integrity": {"run_id": "R1", "sha256": "b" * 64}}  # altered, or another
    write_set(tmp_path, stem, {"json": json.dumps(other), "html": "<p>b</p>"})
    assert written_reports(doc, output) == []
    # The same run's set moved on to stem-2 because the name was taken: found there.
    paths = write_set(tmp_path, stem, {"json": json.dumps(doc), "html": "<p>a</p>"})
    assert written_reports(doc, output) == sorted(paths)
    assert paths[0].name.startswith(f"{stem}-2.")
    # A set missing an asked format is not the set that was asked for.
    assert (
        written_reports(doc, OutputOptions(formats=(Format.JSON, Format.PDF), out=tmp_path)) == []
    )
