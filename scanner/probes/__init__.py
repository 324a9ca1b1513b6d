"""Probes: each gathers typed observations and evaluates them into findings."""
