"""Judges the golden scans (tests/fixtures/golden) again by today's code and records
the documents and reports that gives, without the lab: for a change of judgement
(scoring, wording, rendering) whose facts stay as gathered. The observations must
come out unchanged; this script stops when they do not (then make_golden.py, with
the lab, is the tool). Say in the commit what changed and why:

    .venv/bin/python scripts/rejudge_golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.golden import GOLDEN, read, reaudit, rendered, write  # noqa: E402

from scanner import api  # noqa: E402
from scanner.registry import load_registry  # noqa: E402
from scanner.rejudge import rejudge  # noqa: E402
from scanner.render.json import render_json  # noqa: E402
from scanner.scoring.profile import load_profile  # noqa: E402


def main() -> None:
    profile = load_profile("default")
    probes = load_registry(plugins=[]).probes
    for folder in sorted(p for p in GOLDEN.iterdir() if p.is_dir()):
        old = json.loads(read(folder / "scan.json.gz"))
        result = rejudge(old, profile, probes, mark=False)
        document = api.build_document(result, profile=profile)
        if document["observations"] != old["observations"]:
            raise SystemExit(f"{folder.name}: the observations changed; use make_golden.py")
        write(folder / "scan.json.gz", render_json(document))
        for name, content in {**rendered(document), **reaudit(document)}.items():
            write(folder / f"{name}.gz", content)
        print(f"{folder.name}: {document['scores']['grade']}")


if __name__ == "__main__":
    main()
