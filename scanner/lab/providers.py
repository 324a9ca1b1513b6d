"""The lab's fictional providers, as data.

Each provider is a domain under ``.test`` with its own loopback addresses,
DNS records, TLS personality and (for the weak one) exposed services. The
demo, the tests and the benchmarks all scan these, so what a test expects is
read from here rather than repeated in the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DNS_ADDRESSES = ("127.0.10.53", "127.0.11.53")
DNS_PORT = 53
NAMESERVER = f"{DNS_ADDRESSES[0]}:{DNS_PORT}"


@dataclass(frozen=True)
class Banner:
    port: int
    service: str  # ssh, ftp, telnet, redis, mysql, smtp


@dataclass(frozen=True)
class DkimKey:
    """A DKIM selector; the key pair is made when the lab first starts and then kept."""

    selector: str
    bits: int  # RSA key size; 0 publishes a revoked key (empty p=)
    tags: str = ""  # extra tags such as "t=y"


@dataclass(frozen=True)
class WebSite:
    """One nginx personality: a set of names served on one address."""

    address: str
    names: tuple[str, ...]
    tls_protocols: str = "TLSv1.2 TLSv1.3"
    tls_ciphers: str = "ECDHE+AESGCM:ECDHE+CHACHA20"
    cert_days: int = 90
    key_type: str = "ec"  # "ec" (P-256) or "rsaNNNN"
    headers: tuple[tuple[str, str], ...] = ()
    redirect_http: bool = True
    ipv6: bool = False


@dataclass(frozen=True)
class LabProvider:
    key: str
    name: str
    domain: str
    signed: bool
    # (owner relative to the zone apex or "@", type, rdata) in zone-file syntax
    records: tuple[tuple[str, str, str], ...]
    sites: tuple[WebSite, ...] = ()
    banners: dict[str, tuple[Banner, ...]] = field(default_factory=dict)
    dkim: tuple[DkimKey, ...] = ()

    def address_records(self) -> dict[str, list[str]]:
        """Fully qualified host name -> the A/AAAA addresses the zone gives it."""
        out: dict[str, list[str]] = {}
        for owner, rtype, rdata in self.records:
            if rtype in ("A", "AAAA"):
                out.setdefault(self.fqdn(owner), []).append(rdata)
        return out

    def fqdn(self, owner: str) -> str:
        return self.domain if owner == "@" else f"{owner}.{self.domain}"


_NS = (
    ("@", "NS", "ns1"),
    ("@", "NS", "ns2"),
    ("ns1", "A", DNS_ADDRESSES[0]),
    ("ns2", "A", DNS_ADDRESSES[1]),
)

EXEMPLARY = LabProvider(
    key="exemplary",
    name="Exemplary Hosting",
    domain="exemplary.test",
    signed=True,
    records=(
        *_NS,
        ("@", "A", "127.0.10.10"),
        ("@", "AAAA", "::1"),
        ("www", "CNAME", "@"),
        ("@", "MX", "10 mx1"),
        ("@", "MX", "20 mx2"),
        ("mx1", "A", "127.0.10.11"),
        ("mx2", "A", "127.0.10.12"),
        ("mta-sts", "A", "127.0.10.10"),
        ("@", "TXT", '"v=spf1 mx -all"'),
        ("_dmarc", "TXT", '"v=DMARC1; p=reject; rua=mailto:dmarc@exemplary.test"'),
        ("_mta-sts", "TXT", '"v=STSv1; id=20261101"'),
        ("_smtp._tls", "TXT", '"v=TLSRPTv1; rua=mailto:tlsrpt@exemplary.test"'),
        ("@", "CAA", '0 issue "lab-ca.test"'),
        ("@", "CAA", '0 iodef "mailto:security@exemplary.test"'),
    ),
    sites=(
        WebSite(
            address="127.0.10.10",
            names=("exemplary.test", "www.exemplary.test", "mta-sts.exemplary.test"),
            headers=(
                ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
                ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
                ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
            ),
            ipv6=True,
        ),
    ),
    dkim=(DkimKey("mail2026", 2048),),
)

LEGACY = LabProvider(
    key="legacy",
    name="Legacy Systems",
    domain="legacy.test",
    signed=False,
    records=(
        *_NS,
        ("@", "A", "127.0.10.20"),
        ("www", "A", "127.0.10.20"),
        ("@", "MX", "10 mail"),
        ("mail", "A", "127.0.10.21"),
        ("@", "TXT", '"v=spf1 a mx ptr ~all"'),
        ("_dmarc", "TXT", '"v=DMARC1; p=none; pct=50"'),
    ),
    sites=(
        WebSite(
            address="127.0.10.20",
            names=("legacy.test", "www.legacy.test"),
            tls_protocols="TLSv1 TLSv1.1 TLSv1.2",
            # SECLEVEL=0 is what lets Debian 12's OpenSSL offer TLS 1.0/1.1 and
            # CBC-only, non-forward-secret suites (see LAB-NOTES).
            tls_ciphers="AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA:@SECLEVEL=0",
            cert_days=20,
            key_type="rsa2048",
            headers=(("X-Powered-By", "PHP/5.6.40"),),
            redirect_http=False,
        ),
    ),
    banners={
        "127.0.10.22": (
            Banner(21, "ftp"),
            Banner(22, "ssh"),
            Banner(23, "telnet"),
            Banner(3306, "mysql"),
            Banner(6379, "redis"),
        ),
    },
    dkim=(DkimKey("default", 1024, "t=y"),),
)

BROKEN = LabProvider(
    key="broken",
    name="Broken Networks",
    domain="broken.test",
    signed=False,
    records=(
        ("@", "NS", "ns1"),
        # A name server that no longer exists: a lame, dangling delegation.
        ("@", "NS", "ns-old"),
        ("ns1", "A", DNS_ADDRESSES[0]),
        ("@", "A", "127.0.10.30"),
        ("www", "CNAME", "shop"),
        ("shop", "A", "127.0.10.30"),
        # The MX points at a host that was retired: mail for broken.test bounces.
        ("@", "MX", "10 mail-retired"),
        ("@", "TXT", '"v=spf1 +all"'),
    ),
    sites=(
        WebSite(
            address="127.0.10.30",
            names=("broken.test", "www.broken.test"),
            tls_protocols="TLSv1.2",
            cert_days=-5,
            redirect_http=False,
        ),
    ),
    dkim=(DkimKey("selector1", 0),),
)

PROVIDERS: tuple[LabProvider, ...] = (EXEMPLARY, LEGACY, BROKEN)


def by_key(key: str) -> LabProvider:
    for provider in PROVIDERS:
        if provider.key == key:
            return provider
    raise KeyError(key)
