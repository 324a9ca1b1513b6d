"""Names in the certificates the provider's servers present (subjectAltName).

A server's certificate often names hosts nobody links to (an admin panel, an old
portal on the same address). Each known host's HTTPS certificate is read once;
the probe runs this source again over the names it adds, so a host named only in
a certificate is found and scanned in the same scan.
"""

from __future__ import annotations

from scanner.concurrency import DaemonPool
from scanner.discovery.base import Found, Source, SourceContext, SourceResult, SourceUnavailable

PORT = 443


class SanSource(Source):
    name = "san"
    description = "names in the certificates of the hosts already found (subjectAltName)"
    needs = ("tls",)

    def discover(self, domain: str, context: SourceContext) -> SourceResult:
        grab = context.certificate_names
        if grab is None:
            raise SourceUnavailable("no TLS client for reading certificates")
        hosts = [
            (host, addresses[0])
            for host, addresses in sorted(context.known.items())
            if addresses and (host == domain or host.endswith("." + domain))
        ]
        with DaemonPool(8, name="san") as pool:
            names = list(pool.map(lambda h: grab(h[0], h[1], PORT), hosts))
        found = [
            Found(name, self.name, f"certificate of {host}:{PORT}")
            for (host, _), sans in zip(hosts, names, strict=True)
            for name in sans
        ]
        return SourceResult(tuple(found))
