"""The canonical JSON document of a scan, and its schema."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from scanner.model import SCHEMA_VERSION, ScanResult


def scan_document(result: ScanResult) -> dict[str, Any]:
    meta = result.meta
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "vetscan", "version": result.tool_version},
        "provider": {
            "name": result.target.name,
            "domains": list(result.target.domains),
            "extra_hosts": [str(h) for h in result.target.extra_hosts],
        },
        "scan": {
            "run_id": meta.run_id,
            "started": meta.started.isoformat(),
            "finished": meta.finished.isoformat(),
            "duration_s": round((meta.finished - meta.started).total_seconds(), 3),
            "profile": meta.profile,
            "resolver": meta.resolver,
            "allow_private": meta.allow_private,
            "probes": [
                {
                    "probe": p.probe,
                    "version": p.version,
                    "status": str(p.status),
                    "reason": p.reason,
                    "duration_s": p.duration_s,
                }
                for p in result.probes
            ],
        },
        "observations": [
            {"probe": p.probe, **o.to_json()} for p in result.probes for o in p.observations
        ],
        "findings": [f.to_json() for f in result.findings],
        "scores": result.scores.to_json() if result.scores is not None else None,
    }


def render_json(document: dict[str, Any]) -> str:
    # ensure_ascii keeps hostile control or bidi characters from targets visible as escapes
    return json.dumps(document, indent=2, ensure_ascii=True, sort_keys=False) + "\n"


def schema() -> dict[str, Any]:
    text = resources.files("scanner.schema").joinpath("scan-result.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
