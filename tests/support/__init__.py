"""Helpers shared by the tests: lab scans, misbehaving listeners, alert receivers."""
