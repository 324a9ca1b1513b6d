"""Every observation type of every built-in probe parses back from its JSON
(a saved scan can be judged again), and the decoder refuses what is not one."""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.model import Observation, ScanResult
from scanner.observations.codec import DecodeError, decode
from scanner.observations.ports import Dialogue, PortResult
from scanner.observations.tls import TlsEndpointResult
from scanner.registry import load_registry

PROBES = load_registry(plugins=[]).probes
TYPES = [t for p in PROBES for t in p.observation_types]
_JSON_SCALAR = st.none() | st.booleans() | st.integers() | st.text(max_size=8)


def _values(tp: Any) -> st.SearchStrategy[Any]:
    """Values of ``tp`` as the probes' dataclasses declare them."""
    if tp is Any:
        return _JSON_SCALAR | st.lists(_JSON_SCALAR, max_size=3)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        fields = {f.name: _values(hints[f.name]) for f in dataclasses.fields(tp)}
        return st.fixed_dictionaries(fields).map(lambda kw: tp(**kw))
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        return st.one_of(*(st.none() if a is type(None) else _values(a) for a in args))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_values(args[0]), max_size=3).map(tuple)
        return st.tuples(*(_values(a) for a in args))
    if origin is not None and origin.__name__ == "Mapping":
        return st.dictionaries(st.text(max_size=5), _values(args[1]), max_size=3)
    if tp is datetime:
        return st.datetimes(timezones=st.just(UTC) | st.none())
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from(list(tp))
    simple = {bool: st.booleans(), int: st.integers(), str: st.text(max_size=12)}
    return simple[tp]


def test_every_probe_declares_what_it_gathers_and_kinds_are_unique() -> None:
    assert all(p.observation_types for p in PROBES)
    kinds = [t.kind for t in TYPES]
    assert len(kinds) == len(set(kinds)), kinds


@pytest.mark.parametrize("cls", TYPES, ids=lambda c: c.kind)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_an_observation_round_trips_through_its_json(cls: type[Observation], data: Any) -> None:
    observation = data.draw(_values(cls))
    text = json.dumps(observation.to_json())
    assert cls.from_json(json.loads(text)) == observation


def test_what_the_lab_scans_saw_round_trips(default_scans: dict[str, ScanResult]) -> None:
    by_probe = {p.name: set(p.observation_types) for p in PROBES}
    count = 0
    for result in default_scans.values():
        for attempt in result.probes:
            for observation in attempt.observations:
                assert type(observation) in by_probe[attempt.probe], observation.kind
                data = json.loads(json.dumps(observation.to_json()))
                assert type(observation).from_json(data) == observation
                count += 1
    assert count > 300


def _port(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "address": "192.0.2.1", "port": 21, "state": "open", "service": "ftp",
        "product": "vsftpd", "version": "2.3.4", "extrainfo": "", "cpe": "",
    }  # fmt: skip
    return {**data, **changes}


def test_the_decoder_reads_defaults_and_refuses_what_does_not_fit() -> None:
    assert decode(PortResult, _port()).tunnel == ""
    refusals = {
        "PortResult.port: expected int, got bool": _port(port=True),
        "PortResult.port: expected int, got str": _port(port="21"),
        "PortResult: unknown field 'banner'": _port(banner="x"),
        "PortResult: missing field 'cpe'": {k: v for k, v in _port().items() if k != "cpe"},
    }
    for message, data in refusals.items():
        with pytest.raises(DecodeError, match=re.escape(message)):
            decode(PortResult, data)
    with pytest.raises(DecodeError, match=r"Dialogue\.capabilities: expected a list"):
        decode(Dialogue, {"protocol": "imap", "outcome": "ok", "capabilities": "STARTTLS"})
    endpoint = {
        "host": "a.test", "port": 443, "address": "192.0.2.1", "role": "web",
        "starttls": False, "observed_at": "yesterday", "outcome": "scanned",
    }  # fmt: skip
    with pytest.raises(DecodeError, match="observed_at: 'yesterday' is not an ISO date"):
        TlsEndpointResult.from_json(endpoint)
    with pytest.raises(DecodeError, match=r"protocols\[0\]: expected an object"):
        TlsEndpointResult.from_json(
            {**endpoint, "observed_at": "2026-12-06T00:00:00+00:00", "protocols": ["TLS 1.3"]}
        )
