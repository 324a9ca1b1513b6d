from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scanner.output import report_stem, write_new


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
