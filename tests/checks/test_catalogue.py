from __future__ import annotations

from scanner.checks import catalogue
from scanner.registry import load_registry


def test_every_check_a_builtin_probe_can_emit_is_catalogued_with_remediation() -> None:
    entries = catalogue()
    for probe in load_registry(plugins=[]).probes:
        for check_id in probe.checks:
            assert check_id in entries, f"{probe.name} emits uncatalogued {check_id}"
    for entry in entries.values():
        assert entry.remediation.strip(), entry.id
