"""The look-alike probe's section of "Assets found": each registered look-alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def rows(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for o in observations:
        if o.get("kind") != "dns.lookalikes":
            continue
        for f in o.get("registered") or []:
            certificates = f.get("certificates")
            out.append(
                {
                    "domain": str(o.get("domain", "")),
                    "name": str(f.get("name", "")),
                    "made_by": str(f.get("fuzzer", "")),
                    "addresses": [str(a) for a in f.get("addresses") or []],
                    "mx": [str(m) for m in f.get("mx") or []],
                    "certificates": certificates if isinstance(certificates, int) else None,
                    "ct": str(f.get("ct_reason", "")),
                    "owner": "the provider" if f.get("own") else "someone else",
                    "why_own": str(f.get("own", "")),
                }
            )
    return sorted(out, key=lambda r: (r["domain"], r["owner"] != "someone else", r["name"]))
