"""Records the golden scans behind tests/test_behaviour.py: every lab provider scanned
with the default profile (as the tests' session scans are made), saved as its JSON
document beside the reports this code renders from it.

The behaviour test judges each saved scan again (no network) and must reproduce the
findings, scores and report bytes recorded here. Run it again only when a change of
findings or reports is meant, and say so in the commit:

    .venv/bin/python -m scanner lab up
    .venv/bin/python scripts/make_golden.py
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.golden import GOLDEN, reaudit, rendered, write  # noqa: E402
from support.labscan import scan_lab_provider  # noqa: E402

from scanner import api  # noqa: E402
from scanner.lab import manager  # noqa: E402
from scanner.lab.providers import NAMESERVER, PROVIDERS  # noqa: E402
from scanner.net.resolver import Resolver, parse_nameserver  # noqa: E402
from scanner.render.json import render_json  # noqa: E402
from scanner.scoring.profile import load_profile  # noqa: E402


def main() -> None:
    lab = manager.up()
    resolver = Resolver(parse_nameserver(NAMESERVER), timeout=2.0)
    profile = load_profile("default")
    with ThreadPoolExecutor(max_workers=3) as pool:
        scans = list(pool.map(lambda p: scan_lab_provider(lab, resolver, profile, p), PROVIDERS))
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for provider, result in zip(PROVIDERS, scans, strict=True):
        document = api.build_document(result, profile=profile)
        folder = GOLDEN / provider.key
        folder.mkdir(exist_ok=True)
        write(folder / "scan.json.gz", render_json(document))
        for name, content in {**rendered(document), **reaudit(document)}.items():
            write(folder / f"{name}.gz", content)
        print(f"{provider.key}: {result.scores.grade if result.scores else '-'}")


if __name__ == "__main__":
    main()
