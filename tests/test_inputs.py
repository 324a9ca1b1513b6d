"""Bad input of every kind ends with a usage error in one line: files that are not
regular files or are too large, numbers that are not finite, malformed name servers
and ports, deep nesting, date-times where dates belong. A property test feeds generated
arguments and files to the commands: each ends with exit 0-4 and at most one line,
never "unexpected" or a traceback."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.mounts import tmpfs

from scanner.cli import main
from scanner.history.sqlite import SqliteHistory as History

DEAD = "127.0.10.98"


@pytest.fixture(scope="module")
def dead_nameserver() -> Iterator[str]:
    """A UDP port that never answers: any scan that gets past its checks stops at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((DEAD, 0))
    yield f"{DEAD}:{sock.getsockname()[1]}"
    sock.close()


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "unexpected" not in err, err
    return lines[0]


@pytest.fixture()
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


def _run(args: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """In a child with a memory limit: a regression here must not take the test run down."""
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
    code = limit + "from scanner.cli import main; raise SystemExit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["profiles", "validate", "/dev/zero"], "must be a regular file"),
        (["profiles", "validate", "{fifo}"], "must be a regular file"),
        (["audit", "{fifo}"], "must be a regular file"),
        (["audit", "/dev/zero"], "must be a regular file"),
        (["report", "/dev/zero"], "must be a regular file"),
        (["scan", "x.test", "--trust-anchors", "/dev/zero"], "must be a regular file"),
        (["scan", "x.test", "--ca-file", "/dev/zero"], "must be a regular file"),
        (["scan", "x.test", "--sign-key", "/dev/zero", "--format", "json"], "regular file"),
        (["scan", "x.test", "--profile", "{big}"], "larger than the 1024 KiB"),
    ],
)
def test_input_files_must_be_regular_and_small(
    args: list[str], message: str, fifo: Path, tmp_path: Path
) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * (2 * 1024 * 1024))
    args = [a.format(fifo=fifo, big=big) for a in args]
    proc = _run(args)
    assert proc.returncode == 2, proc.stderr
    assert message in _one_line(proc.stderr)


PROFILE_NUMBERS = [
    ('name = "p"\nfail_threshold = "high"\ndns_timeout = nan\n', "'dns_timeout'"),
    ('name = "p"\nfail_threshold = "high"\nprobe_timeout = nan\n', "'probe_timeout'"),
    ('name = "p"\nfail_threshold = "high"\nprobe_timeout = inf\n', "'probe_timeout'"),
    ('name = "p"\nfail_threshold = "high"\nprobe_timeout = 1e308\n', "'probe_timeout'"),
    ('name = "p"\nfail_threshold = "high"\nmin_coverage = nan\n', "'min_coverage'"),
    ('name = "p"\nfail_threshold = "high"\n[pitfalls]\ntls = nan\n', "'pitfalls.tls'"),
    ('name = "p"\nfail_threshold = "high"\n[pitfalls]\ntls = inf\n', "'pitfalls.tls'"),
    ('name = "p"\nfail_threshold = "high"\n[services]\nhost_timeout = inf\n', "host_timeout"),
    ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
]


@pytest.mark.parametrize(("text", "key"), PROFILE_NUMBERS)
def test_profile_numbers_must_be_finite_and_in_range(
    text: str, key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text)
    assert main(["profiles", "validate", str(path)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert str(path) in line and key in line


def test_profile_limits_are_documented_in_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.toml"
    path.write_text('name = "p"\nfail_threshold = "high"\ndns_timeout = 600\n')
    assert main(["profiles", "validate", str(path)]) == 2
    assert "finite number in (0, 60]" in capsys.readouterr().err


PORTFOLIOS = [
    ("vendor = [1, 2]\n", "vendor #1: each vendor must be a [[vendor]] table"),
    ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    (
        '[[vendor]]\nname = "A"\ndomains = ["a.test"]\n[[vendor.waivers]]\ncheck = '
        '"web.header.csp_missing"\nasset = "a.test"\nreason = "r"\naccepted_by = "me"\n'
        "expires = 2027-01-01T00:00:00\n",
        "key 'waivers': waiver expires must be a TOML date such as 2027-03-31, not a date-time",
    ),
]


@pytest.mark.parametrize(("text", "message"), PORTFOLIOS)
def test_portfolio_shapes_are_usage_errors(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text)
    assert main(["audit", str(path), "--db", str(tmp_path / "h.db")]) == 2
    assert message in _one_line(capsys.readouterr().err)
    assert not (tmp_path / "h.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "x.test", "--nameserver", ""], "--nameserver is empty"),
        (["scan", "x.test", "--nameserver", " "], "--nameserver is empty"),
        (["scan", "x.test", "--nameserver", "[::1"], "expected [IPv6]:PORT"),
        (["scan", "x.test", "--nameserver", "[nope]:53"], "not an IPv6 address"),
        (["scan", "x.test", "--nameserver", "127.0.0.1:\u00b2"], "port must be 1-65535"),
        (["scan", "x.test", "--host", "x.test:\u00b2"], "port must be 1-65535"),
        (["scan", "x.test", "--host", "x.test:\u0661\u0662"], "port must be 1-65535"),
        (["audit", "p.toml", "--vendor-budget", "nan"], "--vendor-budget"),
        (["audit", "p.toml", "--vendor-budget", "inf"], "--vendor-budget"),
        (["scan", "x.test", "--timeout", "nan"], "--timeout"),
    ],
)
def test_malformed_values_are_usage_errors(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p.toml").write_text('[[vendor]]\nname = "A"\ndomains = ["a.test"]\n')
    args = [str(tmp_path / a) if a == "p.toml" else a for a in args]
    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    assert message in _one_line(capsys.readouterr().err)


def test_a_deeply_nested_saved_scan_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "scan.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert main(["report", str(path), "--out", str(tmp_path)]) == 2
    assert "nested too deeply" in _one_line(capsys.readouterr().err)


# --- history files that are not ours, and read-only media ---------------------------


def _foreign(path: Path) -> bytes:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER)")
    db.execute("INSERT INTO invoices VALUES (1)")
    db.commit()
    db.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    "command",
    [["history"], ["diff", "Someone"], ["report", "--run", "x"]],
)
def test_someone_elses_database_is_byte_identical_afterwards(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "other.db"
    before = _foreign(path)
    assert main([*command, "--db", str(path)]) == 3
    assert "not a vetscan history" in _one_line(capsys.readouterr().err)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no -wal, no -shm


def test_a_writer_refuses_a_foreign_file_before_writing(tmp_path: Path) -> None:
    from scanner.history.sqlite import HistoryError

    path = tmp_path / "other.db"
    before = _foreign(path)
    with pytest.raises(HistoryError, match="not a vetscan history"):
        History(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_reading_a_history_never_creates_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (["history"], ["diff", "A"]):
        assert main([*command, "--db", str(tmp_path / "typo.db")]) == 2
        assert "no history database at" in _one_line(capsys.readouterr().err)
    assert not list(tmp_path.iterdir())


@pytest.fixture()
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs, remounted read-only by the test."""
    with tmpfs(tmp_path / "media", "8m") as folder:
        yield folder


def test_history_on_read_only_media_is_read(
    read_only_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = read_only_folder / "h.db"
    with History(path) as history:
        history.save("Acme", _document("11111111-1111-1111-1111-111111111111"), False)
    subprocess.run(["mount", "-o", "remount,ro", str(read_only_folder)], check=True)
    assert main(["history", "--db", str(path)]) == 0
    assert capsys.readouterr().out.strip().startswith("Acme: ")
    assert main(["history", "Acme", "--db", str(path)]) == 0
    assert "11111111-1111-1111-1111-111111111111" in capsys.readouterr().out


def test_an_audit_whose_database_folder_is_read_only_says_so(
    read_only_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(read_only_folder)], check=True)
    portfolio = tmp_path / "p.toml"
    portfolio.write_text('[[vendor]]\nname = "A"\ndomains = ["a.test"]\n')
    code = main(["audit", str(portfolio), "--db", str(read_only_folder / "h.db")])
    assert code == 3
    assert "needs a writable folder" in _one_line(capsys.readouterr().err)


def _document(run_id: str) -> dict[str, object]:
    return {
        "scan": {
            "run_id": run_id,
            "started": "2026-11-30T10:00:00+00:00",
            "finished": "2026-11-30T10:01:00+00:00",
            "profile": "default",
        },
        "scores": {"grade": "B", "overall": 80.0},
        "findings": [],
        "integrity": {"sha256": "0" * 64},
    }


# --- generated input -----------------------------------------------------------------


def _options_of(command: str) -> list[str]:
    """The options the real parser accepts for ``command`` (so generated input gets past it)."""
    import argparse

    from scanner.cli import build_parser

    sub = next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    ).choices[command]
    return sorted(
        o
        for a in sub._actions
        if a.option_strings and a.nargs != 0 and not isinstance(a, argparse._HelpAction)
        for o in a.option_strings
        if o.startswith("--") and o not in ("--out", "--db")
    )


# Values that broke a command once (or could): empty, unusual digits, non-finite
# numbers, special files, unclosed brackets, bad ports, terminal escapes.
_VALUES = st.sampled_from(
    ["", " ", "-oN", "\u00e4.test", "a..b", "docx", "nope", "/dev/zero", "nan", "inf", "-1",
     "0", "x.test:\u00b2", "\u00b2", "[::1", "[nope]:53", "x.test:99999", "\x1b[2J", "a b",
     "ftp://x", "http://x:99999/", "relay:\u00b2", "127.0.10.98:99999", "0.1", "x.test"]
)  # fmt: skip
_FLAGS = st.lists(st.sampled_from(["-v", "-q"]), max_size=1)
_COMMANDS = st.sampled_from(
    ["scan", "scan", "audit", "audit", "history", "diff", "report", "verify", "profiles"]
)
_TOML_VALUES = st.sampled_from(
    ["nan", "inf", "-inf", "1e308", "-1", "0", "3", '"x"', "[1, 2]", "{a = 1}", "true",
     "2027-01-01T00:00:00", "2027-01-01", '["a.test"]', '"a.test"', "[[[[]]]]"]
)  # fmt: skip
_TOML_KEYS = st.sampled_from(
    ["name", "fail_threshold", "probe_timeout", "dns_timeout", "min_coverage", "extends",
     "domains", "hosts", "vendor", "pitfalls.tls", "services.host_timeout", "services.ports",
     "services.max_rate", "waivers", "expires", "profile", "checks.disabled", "severity.x"]
)  # fmt: skip


def _toml(pairs: list[tuple[str, str]], vendor_table: bool) -> str:
    head = "[[vendor]]\n" if vendor_table else ""
    return head + "".join(f"{key} = {value}\n" for key, value in pairs)


@settings(
    max_examples=400,
    derandomize=True,  # the same inputs in every CI run: a failure here is never luck
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    command=_COMMANDS,
    data=st.data(),
    flags=_FLAGS,
    positional=st.sampled_from(["x.test", "Acme", "-oN", "\u00e4.test", "a..b"]),
    pairs=st.lists(st.tuples(_TOML_KEYS, _TOML_VALUES), max_size=6),
    vendor_table=st.booleans(),
)
def test_generated_input_ends_in_a_documented_exit_code_and_one_line(
    command: str,
    data: st.DataObject,
    flags: list[str],
    positional: str,
    pairs: list[tuple[str, str]],
    vendor_table: bool,
    dead_nameserver: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("generated")
    written = root / "file.toml"
    written.write_text(_toml(pairs, vendor_table))
    file_args = {
        "audit": [str(written)],
        "report": [str(written)],
        "verify": [str(written)],
        "profiles": ["validate", str(written)],
    }.get(command, [])
    if command in ("scan", "history", "diff"):
        file_args = [positional]
    if command == "scan" and data.draw(st.booleans()):
        file_args += ["--profile", str(written)]
    names = _options_of(command)
    options = (
        data.draw(st.lists(st.tuples(st.sampled_from(names), _VALUES), max_size=6)) if names else []
    )
    tokens = [*flags, *(part for pair in options for part in pair)]
    # Every command that could look a name up is pointed at a server that never answers
    # (the machine's own resolver is never used in tests); it comes last and wins.
    network = ["--nameserver", dead_nameserver, "--timeout", "0.1"]
    tail = network if command in ("scan", "audit") else []
    args = [command, *file_args, *tokens, "--out", str(root / "out"), *tail]
    if command in ("history", "diff", "report", "audit", "scan"):
        args += ["--db", str(root / "h.db")]
    errors: list[str] = []
    code = _captured(args, errors)
    assert code in (0, 1, 2, 3, 4), (args, code)
    text = errors[0]
    assert "Traceback" not in text and "unexpected" not in text, (args, text)
    error_lines = [line for line in text.splitlines() if line.startswith("vetscan: error")]
    assert len(error_lines) <= 1, (args, text)


_capture_lock = threading.Lock()


def _captured(args: list[str], errors: list[str]) -> int:
    import contextlib
    import io

    err = io.StringIO()
    with _capture_lock, contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(args)
        except SystemExit as exc:  # --help and --version print and exit 0
            code = int(exc.code or 0)
    errors.append(err.getvalue())
    return code
