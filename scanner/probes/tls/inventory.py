"""Report hook: the certificate each TLS endpoint presented (pure)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from scanner.observations.tls import PROTOCOLS
from scanner.probes.base import observations_of
from scanner.probes.tls.ciphers import has_forward_secrecy, is_aead, is_weak


def certificate_rows(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for o in observations_of(observations, "tls.endpoint"):
        cert = o.get("certificate") or {}
        chain = cert.get("received_chain") or []
        if not chain:
            continue
        leaf = chain[0]
        days_left = None
        if o.get("observed_at") and leaf.get("not_after"):
            left = datetime.fromisoformat(leaf["not_after"]) - datetime.fromisoformat(
                o["observed_at"]
            )
            days_left = left.days
        out.append(
            {
                "endpoint": f"{o['host']}:{o['port']}",
                "address": o.get("address", ""),
                "subject": leaf.get("subject", ""),
                "issuer": leaf.get("issuer", ""),
                "sans": leaf.get("sans", []),
                "not_after": leaf.get("not_after", ""),
                "days_left_at_scan": days_left,
                "key": f"{leaf.get('key_type', '')} {leaf.get('key_size', '')}".strip(),
                "sha256": leaf.get("sha256", ""),
                # As the trust check judges it: a chain the server leaves incomplete
                # but that validates once its intermediate is fetched is trusted.
                "trusted": bool(cert.get("trusted") or cert.get("aia_completed")),
                "trust": trust_text(cert),
                "lifetime_days": _lifetime(leaf),
                "transparency": transparency_text(leaf),
            }
        )
    return sorted(out, key=lambda c: (c["endpoint"], c["address"]))


def _lifetime(leaf: Mapping[str, Any]) -> int | None:
    try:
        start = datetime.fromisoformat(leaf["not_before"])
        end = datetime.fromisoformat(leaf["not_after"])
    except (KeyError, TypeError, ValueError):
        return None
    return round((end - start).total_seconds() / 86400)


def transparency_text(leaf: Mapping[str, Any]) -> str:
    """The certificate's embedded SCTs: how many, from how many logs."""
    scts = leaf.get("scts")
    if scts is None:
        return "not recorded"
    if not scts:
        return "none"
    logs = len({s.get("log_id") for s in scts})
    return (
        f"{len(scts)} SCT{'s' if len(scts) != 1 else ''} from {logs} log{'s' if logs != 1 else ''}"
    )


def trust_text(cert: Mapping[str, Any]) -> str:
    """Whether the certificate is trusted, in the words of tls.cert.untrusted's verdict."""
    if cert.get("trusted"):
        return "trusted"
    if cert.get("aia_completed"):
        return "trusted once its chain is completed (the server omits the intermediate)"
    return "not trusted"


CLASSES = ("AEAD with forward secrecy", "CBC with forward secrecy", "no forward secrecy", "weak")


def cipher_class(name: str, version: str, anonymous: bool = False) -> str:
    """The class SSL Labs-style grids use: what a reader needs to judge a suite."""
    if is_weak(name, anonymous):
        return "weak"
    if version == "TLS 1.3":
        return "AEAD with forward secrecy"
    if not has_forward_secrecy(name):
        return "no forward secrecy"
    return "AEAD with forward secrecy" if is_aead(name) else "CBC with forward secrecy"


def post_quantum_text(o: Mapping[str, Any]) -> str:
    """The grid's post-quantum cell, in tls.kex.post_quantum's words."""
    versions: list[Mapping[str, Any]] = o.get("protocols") or []
    tls13 = next((p for p in versions if p.get("version") == "TLS 1.3"), {})
    if tls13.get("accepted") is False:
        return "not applicable (no TLS 1.3)"
    kex = o.get("hybrid_kex") or {}
    if kex.get("outcome") in ("selected", "retry"):
        return str(kex.get("group", ""))
    if kex.get("outcome") in ("refused", "closed"):
        return "no"
    return "not tested"


def groups_used(o: Mapping[str, Any]) -> list[str]:
    """The key-exchange groups sslyze's handshakes got (TLS 1.3 first), as named there."""
    seen: list[str] = []
    for p in sorted(o.get("protocols") or [], key=lambda p: p.get("version") != "TLS 1.3"):
        for c in p.get("ciphers") or [] if p.get("accepted") else []:
            curve = c.get("curve") or (
                f"DH {c['ephemeral_size']}" if c.get("ephemeral_type") == "DH" else ""
            )
            if curve and curve not in seen:
                seen.append(curve)
    return seen


def alpn_text(o: Mapping[str, Any]) -> str:
    """The application protocol the server chose when offered h2 and http/1.1."""
    if o.get("service") and o.get("service") != "https":
        return "n/a"  # asked of HTTPS endpoints only
    alpn = o.get("alpn")
    if not alpn:
        return "not tested"
    if alpn.get("chosen") is None:
        return "not tested"
    return str(alpn["chosen"]) or "none"


def grid_rows(observations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per TLS configuration (an SSL Labs-style grid): protocols offered and
    the suites by class, with every endpoint that shows exactly that configuration
    and certificate grouped on one row."""
    grouped: dict[str, dict[str, Any]] = {}
    for o in observations_of(observations, "tls.endpoint"):
        if o.get("outcome") != "scanned":
            continue
        row: dict[str, Any] = {}
        classes: dict[str, set[str]] = {c: set() for c in CLASSES}
        for p in o.get("protocols") or []:
            version = p.get("version", "")
            accepted = p.get("accepted")
            row[version] = "yes" if accepted else "no" if accepted is False else "not tested"
            if accepted:
                for c in p.get("ciphers") or []:
                    classes[
                        cipher_class(c.get("name", ""), version, c.get("anonymous", False))
                    ].add(c.get("name", ""))
        for version in PROTOCOLS:
            row.setdefault(version, "not tested")
        for c in CLASSES:
            row[c] = len(classes[c])
        row["weak suites"] = ", ".join(sorted(classes["weak"]))
        row["post-quantum"] = post_quantum_text(o)
        row["groups"] = ", ".join(groups_used(o)) or "none"
        row["alpn"] = alpn_text(o)
        cert = o.get("certificate") or {}
        leaf = (cert.get("received_chain") or [{}])[0]
        row["certificate"] = (
            f"{leaf.get('key_type', '')} {leaf.get('key_size', '')}, "
            f"{trust_text(cert)}, "
            f"expires {str(leaf.get('not_after', ''))[:10]}"
            if leaf
            else "none"
        )
        key = json.dumps([row, leaf.get("sha256", "")], sort_keys=True)
        entry = grouped.setdefault(key, {"endpoints": [], "addresses": [], **row})
        entry["endpoints"].append(f"{o['host']}:{o['port']}")
        if o.get("address") and o["address"] not in entry["addresses"]:
            entry["addresses"].append(o["address"])
    return sorted(grouped.values(), key=lambda r: r["endpoints"][0])
