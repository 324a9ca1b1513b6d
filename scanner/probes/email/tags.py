"""The tag=value; syntax shared by DKIM, MTA-STS TXT, TLS-RPT and BIMI records."""

from __future__ import annotations


def parse_tags(text: str, lower_keys: bool = False) -> tuple[dict[str, str], list[str]]:
    """Tags in order of appearance (first wins) and the syntax errors found."""
    tags: dict[str, str] = {}
    errors: list[str] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            errors.append(f"malformed tag {part!r}")
            continue
        key, value = (s.strip() for s in part.split("=", 1))
        key = key.lower() if lower_keys else key
        if key in tags:
            errors.append(f"tag {key!r} appears twice")
            continue
        tags[key] = value
    return tags, errors
