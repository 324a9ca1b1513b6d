"""Which store a history location names: a path or sqlite:///PATH (the built-in
SQLite store), or postgresql://… (the shared store of workers on many machines)."""

from __future__ import annotations

from pathlib import Path

from scanner.errors import EnvironmentUnusable, InputError
from scanner.history.base import HistoryStore, sqlite_path
from scanner.history.sqlite import SqliteHistory


def open_store(location: str | Path, read_only: bool = False, verify: bool = True) -> HistoryStore:
    """Opens the history at ``location``: a path or sqlite:///PATH (the default
    store). ``read_only`` never writes and never creates (history, diff, report --run)."""
    path = sqlite_path(location)
    if path is not None:
        return SqliteHistory(path, verify=verify, read_only=read_only)
    scheme = str(location).split("://", 1)[0]
    if scheme in ("postgresql", "postgres"):
        try:
            from scanner.history.postgres import PostgresHistory
        except ImportError:
            raise EnvironmentUnusable(
                "PostgreSQL history needs psycopg 3 (pip install 'vetscan[workers]')"
            ) from None
        return PostgresHistory(str(location), verify=verify, read_only=read_only)
    raise InputError(
        f"history location: unknown scheme {scheme!r} "
        "(use a path, sqlite:///PATH or postgresql://USER@HOST/DB)"
    )
