"""One run of vetscan's nmap adapter over the default profile's ports on ADDRESS,
for bench/run.py to time as a process next to plain nmap.

    python bench/services_once.py ADDRESS
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.net.portscan import PortScanner
from scanner.scoring.profile import load_profile


def main(argv: list[str]) -> int:
    profile = load_profile("default")
    PortScanner(profile.ports, profile.max_rate, profile.host_timeout).scan([argv[0]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
