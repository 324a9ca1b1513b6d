"""Which probes exist: the built-in ones plus any registered under the
``vetscan.probes`` entry-point group by another installed package."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from scanner.probes.base import Probe
from scanner.probes.dane import DaneProbe
from scanner.probes.discovery import DnsDiscoveryProbe
from scanner.probes.dnshealth.probe import DnsHealthProbe
from scanner.probes.email.probe import EmailProbe
from scanner.probes.ports import PortsProbe
from scanner.probes.services.probe import ServicesProbe
from scanner.probes.tls.probe import TlsProbe
from scanner.probes.web.probe import WebProbe

ENTRY_POINT_GROUP = "vetscan.probes"
BUILTIN: tuple[type[Probe], ...] = (
    DnsDiscoveryProbe,
    TlsProbe,
    EmailProbe,
    DnsHealthProbe,
    DaneProbe,
    PortsProbe,
    ServicesProbe,
    WebProbe,
)


@dataclass(frozen=True)
class PluginError:
    entry_point: str
    reason: str


@dataclass(frozen=True)
class Registry:
    probes: tuple[Probe, ...]
    errors: tuple[PluginError, ...]
    origins: dict[str, str]

    def names(self) -> list[str]:
        return [p.name for p in self.probes]

    def volatile_evidence(self) -> frozenset[str]:
        """Every probe's run-to-run evidence keys (its report hook for history)."""
        return frozenset().union(*(p.volatile_evidence for p in self.probes))


def load_registry(plugins: Iterable[EntryPoint] | None = None) -> Registry:
    """Built-ins first; a plugin that fails to load or clashes is reported, not fatal."""
    probes: list[Probe] = [cls() for cls in BUILTIN]
    origins = {p.name: "built-in" for p in probes}
    errors: list[PluginError] = []
    found = entry_points(group=ENTRY_POINT_GROUP) if plugins is None else plugins
    for ep in sorted(found, key=lambda e: e.name):
        label = f"{ep.name} = {ep.value}"
        try:
            cls = ep.load()
            if not (isinstance(cls, type) and issubclass(cls, Probe)):
                errors.append(PluginError(label, "does not subclass scanner.probes.base.Probe"))
                continue
            probe = cls()
        except Exception as exc:  # noqa: BLE001 - third-party code may raise anything
            errors.append(PluginError(label, f"{type(exc).__name__}: {exc}"))
            continue
        if probe.name in origins:
            errors.append(PluginError(label, f"probe name {probe.name!r} is already taken"))
            continue
        probes.append(probe)
        dist = ep.dist.name if ep.dist is not None else "unknown package"
        origins[probe.name] = f"plugin from {dist}"
    return Registry(tuple(probes), tuple(errors), origins)


@cache
def installed() -> Registry:
    """The installed probes, loaded once per process (entry points do not change while
    it runs): a scan, its document and the plugin warnings read the same registry."""
    return load_registry()
