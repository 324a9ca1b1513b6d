"""Observations back from their JSON: the inverse of ``Observation.to_json``.

One decoder for every frozen observation dataclass, led by its type hints, so a new
observation type round-trips without code of its own. It is strict: a missing field
without a default, an unknown field or a value of the wrong type is an error naming
where it is, because a saved scan judged again must be judged on exactly what was
seen (a hand-edited or foreign file is refused, not guessed at).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from scanner.errors import VetscanError

T = TypeVar("T")


class DecodeError(VetscanError, ValueError):
    """A JSON value that is not the observation it claims to be; says where and why."""


def decode(cls: type[T], data: Any, where: str = "") -> T:
    """An instance of the dataclass ``cls`` from its JSON object (``kind`` ignored)."""
    return typing.cast(T, _value(cls, data, where or cls.__name__))


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:  # resolving string annotations is slow; a scan has thousands
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _dataclass(cls: type[Any], data: Any, where: str) -> Any:
    if not isinstance(data, Mapping):
        raise DecodeError(f"{where}: expected an object, got {type(data).__name__}")
    upgrade = getattr(cls, "upgrade", None)
    if upgrade is not None:
        data = upgrade(data)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - set(fields) - {"kind"})
    if unknown:
        raise DecodeError(f"{where}: unknown field {unknown[0]!r}")
    hints = _hints(cls)
    values = {}
    for name, spec in fields.items():
        if name not in data:
            no_default = dataclasses.MISSING
            if spec.default is no_default and spec.default_factory is no_default:
                raise DecodeError(f"{where}: missing field {name!r}")
            continue
        values[name] = _value(hints[name], data[name], f"{where}.{name}")
    return cls(**values)


def _value(tp: Any, value: Any, where: str) -> Any:
    if tp is Any:
        return value
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _dataclass(tp, value, where)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        problems = []
        for option in options:
            try:
                return _value(option, value, where)
            except DecodeError as exc:
                problems.append(str(exc))
        raise DecodeError(problems[0] if len(problems) == 1 else f"{where}: fits no type")
    if origin is tuple:
        if not isinstance(value, list):
            raise DecodeError(f"{where}: expected a list, got {type(value).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise DecodeError(f"{where}: expected {len(args)} items, got {len(value)}")
        return tuple(
            _value(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True))
        )
    if origin in (Mapping, dict) or tp is dict:
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise DecodeError(f"{where}: expected an object")
        inner = args[1] if len(args) == 2 else Any
        return {k: _value(inner, v, f"{where}.{k}") for k, v in value.items()}
    if tp is datetime:
        if not isinstance(value, str):
            raise DecodeError(f"{where}: expected a date and time")
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise DecodeError(f"{where}: {value[:40]!r} is not an ISO date and time") from None
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(value)
        except ValueError:
            raise DecodeError(f"{where}: {str(value)[:40]!r} is not a {tp.__name__}") from None
    return _scalar(tp, value, where)


def _scalar(tp: Any, value: Any, where: str) -> Any:
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif tp is str:
        ok = isinstance(value, str)
    else:
        raise DecodeError(f"{where}: the decoder does not know the type {tp!r}")
    if not ok:
        raise DecodeError(f"{where}: expected {tp.__name__}, got {type(value).__name__}")
    return value
