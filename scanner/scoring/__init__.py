"""Profiles and (in time) the scorer: pure functions of findings and a profile."""
