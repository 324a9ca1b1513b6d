"""The public API as a user meets it: the README's example runs as written against the
lab, using only public names; the exported names are the documented ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import scanner

README = Path(__file__).resolve().parents[1] / "README.md"


def _example() -> str:
    text = README.read_text("utf-8")
    match = re.search(r"<!-- api-example -->\n```python\n(.*?)```", text, re.DOTALL)
    assert match, "README lost its API example"
    return match.group(1)


@pytest.mark.lab
def test_the_readme_example_scans_a_lab_provider_and_writes_a_report(
    lab: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(_example(), "README.md", "exec"), {})
    printed = capsys.readouterr().out.split()
    assert printed[0] in ("A+", "A", "B", "C", "D", "F", "incomplete")
    written = sorted(p.suffix for p in (tmp_path / "reports").iterdir())
    assert written == [".html", ".json"], written
    assert len(printed) == 3 and all((tmp_path / p).is_file() for p in printed[1:]), printed


def test_the_exported_names_resolve_and_are_typed() -> None:
    for name in scanner.__all__:
        assert getattr(scanner, name) is not None, name
    assert (Path(scanner.__file__).parent / "py.typed").is_file()
    with pytest.raises(AttributeError):
        _ = scanner.not_a_name  # type: ignore[attr-defined]


def test_every_error_kind_shares_the_root() -> None:
    for name in ("InputError", "ScanIncomplete", "HistoryUnusable", "IntegrityFailure",
                 "EnvironmentUnusable", "LockHeld"):  # fmt: skip
        assert issubclass(getattr(scanner, name), scanner.VetscanError), name
