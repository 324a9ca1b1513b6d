"""`vetscan lab up|down|status`: the local lab of fictional providers."""

from __future__ import annotations

import argparse

from scanner.cli.exits import EXIT_FINDINGS, EXIT_OK


def cmd_lab(args: argparse.Namespace) -> int:
    from scanner.lab import manager

    if args.action == "up":
        lab_dir = manager.up(args.dir)
        print(f"lab running (folder {lab_dir}, CA {manager.ca_file(lab_dir)})")
        return EXIT_OK
    if args.action == "down":
        manager.down(args.dir)
        print("lab stopped")
        return EXIT_OK
    state = manager.status(args.dir)
    for name, pid in state.items():
        print(f"{name}: {'running (pid ' + str(pid) + ')' if pid else 'stopped'}")
    return EXIT_OK if all(state.values()) else EXIT_FINDINGS
