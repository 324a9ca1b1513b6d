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
