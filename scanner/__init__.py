"""vetscan: a non-intrusive security posture scanner for IT service providers.

The public API (typed; see scanner.api for the functions)::

    from scanner import OutputOptions, ScanOptions, Target, api

Names are loaded on first use, so ``import scanner`` stays cheap for the lab's
server processes that share the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from scanner import api
    from scanner.errors import (
        EnvironmentUnusable,
        HistoryUnusable,
        InputError,
        IntegrityFailure,
        LockHeld,
        ScanIncomplete,
        VetscanError,
    )
    from scanner.model import Finding, HostPort, ScanResult, Severity, Status, Target
    from scanner.options import OutputOptions, ScanOptions
    from scanner.render import Format

_EXPORTS = {
    "api": "scanner.api",
    "VetscanError": "scanner.errors",
    "InputError": "scanner.errors",
    "EnvironmentUnusable": "scanner.errors",
    "ScanIncomplete": "scanner.errors",
    "HistoryUnusable": "scanner.errors",
    "IntegrityFailure": "scanner.errors",
    "LockHeld": "scanner.errors",
    "Finding": "scanner.model",
    "HostPort": "scanner.model",
    "ScanResult": "scanner.model",
    "Severity": "scanner.model",
    "Status": "scanner.model",
    "Target": "scanner.model",
    "OutputOptions": "scanner.options",
    "ScanOptions": "scanner.options",
    "Format": "scanner.render",
}

__all__ = [
    "EnvironmentUnusable",
    "Finding",
    "Format",
    "HistoryUnusable",
    "HostPort",
    "InputError",
    "IntegrityFailure",
    "LockHeld",
    "OutputOptions",
    "ScanIncomplete",
    "ScanOptions",
    "ScanResult",
    "Severity",
    "Status",
    "Target",
    "VetscanError",
    "__version__",
    "api",
]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'scanner' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(module_name)
    value = module if name == "api" else getattr(module, name)
    globals()[name] = value
    return value
