"""The lab's golden scans (real scans of the lab providers, tests/fixtures/golden)
judged again with every framework's control matrix: what the export tests read."""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from typing import Any

from scanner import api
from scanner.controls import selected
from scanner.scoring.profile import load_profile
from support.golden import GOLDEN, read

PROVIDERS = sorted(p.name for p in GOLDEN.iterdir() if (p / "scan.json.gz").is_file())


@cache
def with_frameworks(provider: str, frameworks: tuple[str, ...] = ("all",)) -> dict[str, Any]:
    saved = json.loads(read(GOLDEN / provider / "scan.json.gz"))
    profile = dataclasses.replace(load_profile("default"), frameworks=selected(frameworks))
    return api.build_document(api.rejudge(saved, profile), profile=profile)
