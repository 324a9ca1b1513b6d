"""The lab's fictional providers, as data.

Each provider is a domain under ``.test`` with its own loopback addresses,
DNS records, TLS personality and (for the weak one) exposed services. The
demo, the tests and the benchmarks all scan these, so what a test expects is
read from here rather than repeated in the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.lab.pki import OCSP_URL, CertSpec

DNS_ADDRESSES = ("127.0.10.53", "127.0.11.53")
DNS_PORT = 53
NAMESERVER = f"{DNS_ADDRESSES[0]}:{DNS_PORT}"


@dataclass(frozen=True)
class Banner:
    port: int
    service: str  # ssh, ftp, telnet, redis, mysql, smtp
    version: str = ""  # the version it announces, where the listener takes one (redis)


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
    cert: CertSpec
    tls_protocols: str = "TLSv1.2 TLSv1.3"
    tls_ciphers: str = "ECDHE+AESGCM:ECDHE+CHACHA20"
    ecdh_curves: str = "X25519:prime256v1:secp384r1"
    dhparam_bits: int | None = None
    staple_ocsp: bool = False
    # TLS 1.3 early data (0-RTT), as a site tuned for speed turns it on.
    early_data: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    redirect_http: bool = True
    ipv6: bool = False
    # The ports serving this TLS personality (an admin console on 8443 beside 443).
    tls_ports: tuple[int, ...] = (443,)
    # (path, body) served as text/plain, e.g. the MTA-STS policy
    files: tuple[tuple[str, str], ...] = ()
    # The front page as HTML (otherwise a line of text naming the site)
    index_html: str | None = None
    # What plain HTTP serves when it does not redirect, as HTML (otherwise a line of text)
    http_index_html: str | None = None
    # What the address answers over HTTP for a host name none of its sites claims
    # (a cloud service's "no such site" page), with status 404.
    unknown_host_page: str | None = None


@dataclass(frozen=True)
class MailServer:
    """An SMTP listener on port 25; with a certificate it offers STARTTLS.

    ``tlsa`` publishes a DANE record at _25._tcp.<name>: "match" for the
    certificate's real key, "mismatch" for a key the server does not use.
    """

    address: str
    name: str
    cert: CertSpec | None
    ipv6: bool = False
    tlsa: str | None = None
    # "open"; "ratelimit": two connections a minute, then 421 (an MTA defending itself
    # against scanners); "greylist": a client's first connection gets 421, a retry
    # after a pause is let in.
    gate: str = "open"
    # What follows the host name in the 220 greeting: the software it names.
    greeting: str = "ESMTP Postfix (Debian/GNU)"


@dataclass(frozen=True)
class MailAccess:
    """A mail client port on a mail host (IMAP, POP3 or submission).

    ``tls``: "starttls" (offered; login only after it), "implicit" (TLS from the
    first byte), "starttls-late" (STARTTLS offered, but AUTH too before it), "none"
    (clear text, login allowed), "legacy" (implicit TLS served by tlslite-ng with
    SSL 3.0, RC4 and 3DES: scanner.lab.legacy_tls), "modern" (implicit TLS on
    OpenSSL 3.5 with post-quantum key exchange: scanner.lab.modern_tls). Without ``cert`` the port uses
    its mail server's certificate.
    """

    address: str
    name: str
    port: int
    protocol: str  # imap, pop3, submission
    tls: str
    cert: CertSpec | None = None


@dataclass(frozen=True)
class AdminConsole:
    """An HTTPS admin console on a port of its own, served on OpenSSL 3.5 and configured
    carelessly (scanner.lab.modern_tls, "lax"): TLS 1.2 only, the client's suite order
    with static-RSA CBC suites among them, client-initiated renegotiation allowed."""

    address: str
    name: str
    port: int
    cert: CertSpec


@dataclass(frozen=True)
class LabProvider:
    key: str
    name: str
    domain: str
    # DNSSEC: "knot" (signed by Knot with NSEC, valid, walkable), "knot-nsec3"
    # (signed with NSEC3), "expired" (pre-signed with signatures that have run
    # out), or None (unsigned)
    signed: str | None
    # (owner relative to the zone apex or "@", type, rdata) in zone-file syntax
    records: tuple[tuple[str, str, str], ...]
    sites: tuple[WebSite, ...] = ()
    banners: dict[str, tuple[Banner, ...]] = field(default_factory=dict)
    dkim: tuple[DkimKey, ...] = ()
    mail: tuple[MailServer, ...] = ()
    mail_access: tuple[MailAccess, ...] = ()
    consoles: tuple[AdminConsole, ...] = ()
    # Endpoints discovery does not find by itself; the demo and tests pass them as --host.
    extra_hosts: tuple[str, ...] = ()
    # The name servers hand the zone to anyone who asks (AXFR).
    axfr_open: bool = False
    # Names the lab's certificate-transparency stub lists for the domain (some of
    # them gone, some another organisation's), as a public CT search would.
    ct_names: tuple[str, ...] = ()
    # What discovery must find for this provider: name -> the sources that name it
    # (the tests compare a scan's discovered hosts with this, exactly).
    discoverable: tuple[tuple[str, tuple[str, ...]], ...] = ()

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

# "{expires}" becomes a date 180 days after the lab starts (RFC 9116 wants less than a year).
EXEMPLARY_SECURITY_TXT = (
    "Contact: mailto:security@exemplary.test\n"
    "Expires: {expires}\n"
    "Preferred-Languages: en\n"
    "Canonical: https://exemplary.test/.well-known/security.txt\n"
    "Canonical: https://www.exemplary.test/.well-known/security.txt\n"
)
LEGACY_SECURITY_TXT = "Contact: mailto:security@legacy.test\nExpires: 2020-01-01T00:00:00.000Z\n"
EXEMPLARY_POLICY = (
    "version: STSv1\nmode: enforce\nmx: mx1.exemplary.test\nmx: *.exemplary.test\nmax_age: 604800\n"
)
LEGACY_POLICY = "version: STSv1\nmode: testing\nmx: mail.legacy.test\nmax_age: 86400\n"

EXEMPLARY = LabProvider(
    key="exemplary",
    name="Exemplary Hosting",
    domain="exemplary.test",
    signed="knot-nsec3",
    records=(
        *_NS,
        ("ns1", "AAAA", "::1"),
        ("@", "A", "127.0.10.10"),
        ("@", "AAAA", "::1"),
        ("www", "CNAME", "@"),
        ("@", "MX", "10 mx1"),
        ("@", "MX", "20 mx2"),
        ("mx1", "A", "127.0.10.11"),
        ("mx1", "AAAA", "::1"),
        ("mx2", "A", "127.0.10.12"),
        ("mta-sts", "A", "127.0.10.10"),
        ("@", "TXT", '"v=spf1 mx include:_spf.exemplary.test -all"'),
        ("_spf", "TXT", '"v=spf1 ip4:127.0.10.0/24 ip6:::1 -all"'),
        (
            "_dmarc",
            "TXT",
            '"v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s; rua=mailto:dmarc@exemplary.test,mailto:agg@legacy.test"',
        ),
        ("_mta-sts", "TXT", '"v=STSv1; id=20261101T000000"'),
        ("_smtp._tls", "TXT", '"v=TLSRPTv1; rua=mailto:tlsrpt@exemplary.test"'),
        ("default._bimi", "TXT", '"v=BIMI1; l=https://exemplary.test/bimi/logo.svg"'),
        ("@", "CAA", '0 issue "lab-ca.test"'),
        ("@", "CAA", '0 issuewild ";"'),
        ("@", "CAA", '0 iodef "mailto:security@exemplary.test"'),
        # A CDN-style name with many addresses (no source names it; tests ask for it):
        # only max_addresses_per_host of each family are assessed.
        *(("anycast-7q2", "A", f"127.0.10.{n}") for n in (13, 10, 14, 15)),
        *(("anycast-7q2", "AAAA", f"::{n}") for n in (3, 1, 2)),
    ),
    sites=(
        WebSite(
            address="127.0.10.10",
            names=("exemplary.test", "www.exemplary.test", "mta-sts.exemplary.test"),
            # Names its OCSP responder, and the server staples the answer.
            cert=CertSpec(
                ("exemplary.test", "www.exemplary.test", "mta-sts.exemplary.test"),
                ocsp_url=OCSP_URL,
            ),
            staple_ocsp=True,
            headers=(
                ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
                ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
                ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
                ("Set-Cookie", "session=lab; Path=/; Secure; HttpOnly; SameSite=Strict"),
                ("Cross-Origin-Opener-Policy", "same-origin"),
                ("Cross-Origin-Embedder-Policy", "require-corp"),
                ("Cross-Origin-Resource-Policy", "same-origin"),
            ),
            ipv6=True,
            files=(
                ("/.well-known/mta-sts.txt", EXEMPLARY_POLICY),
                ("/.well-known/security.txt", EXEMPLARY_SECURITY_TXT),
            ),
            index_html=(
                "<!DOCTYPE html><html><head><title>Exemplary Hosting</title>"
                '<script src="/app.js"></script>'
                '<script src="https://cdn.example.invalid/lib-3.1.js" integrity="sha384-'
                'oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" '
                'crossorigin="anonymous"></script></head><body>Welcome'
                '<form action="/login" method="post"><input type="email" name="user">'
                '<input type="password" name="password"></form></body></html>'
            ),
        ),
    ),
    dkim=(DkimKey("mail2026", 2048),),
    mail=(
        MailServer(
            "127.0.10.11", "mx1.exemplary.test", CertSpec(("mx1.exemplary.test",)), True, "match"
        ),
        MailServer(
            "127.0.10.12", "mx2.exemplary.test", CertSpec(("mx2.exemplary.test",)), False, "match"
        ),
    ),
    # Mail clients: submission and IMAP with STARTTLS (no login before it), IMAPS, POP3S,
    # and submission over implicit TLS (RFC 8314) on a server whose OpenSSL (3.5) takes
    # the post-quantum X25519MLKEM768 key exchange.
    mail_access=(
        MailAccess("127.0.10.11", "mx1.exemplary.test", 587, "submission", "starttls"),
        MailAccess("127.0.10.11", "mx1.exemplary.test", 465, "submission", "modern"),
        MailAccess("127.0.10.11", "mx1.exemplary.test", 143, "imap", "starttls"),
        MailAccess("127.0.10.11", "mx1.exemplary.test", 993, "imap", "implicit"),
        MailAccess("127.0.10.11", "mx1.exemplary.test", 995, "pop3", "implicit"),
    ),
)

LEGACY = LabProvider(
    key="legacy",
    name="Legacy Systems",
    domain="legacy.test",
    signed=None,
    records=(
        *_NS,
        ("@", "A", "127.0.10.20"),
        ("www", "A", "127.0.10.20"),
        ("@", "MX", "10 mail"),
        ("@", "MX", "20 mail2"),
        ("mail", "A", "127.0.10.21"),
        ("mail2", "A", "127.0.10.23"),
        ("mta-sts", "A", "127.0.10.24"),
        ("@", "TXT", '"v=spf1 a mx ptr ~all"'),
        ("_dmarc", "TXT", '"v=DMARC1; p=none; pct=50"'),
        # legacy.test receives exemplary.test's aggregate reports, and says so (RFC 7489 7.1).
        ("exemplary.test._report._dmarc", "TXT", '"v=DMARC1"'),
        # Testing mode, and the policy forgets the backup MX.
        ("_mta-sts", "TXT", '"v=STSv1; id=2019"'),
    ),
    sites=(
        WebSite(
            address="127.0.10.20",
            names=("legacy.test", "www.legacy.test"),
            # Expires in 20 days, and the server forgets to send the intermediate; it
            # names an OCSP responder that the server does not staple.
            cert=CertSpec(
                ("legacy.test", "www.legacy.test"),
                days=20,
                key_type="rsa2048",
                send_chain=False,
                ocsp_url=OCSP_URL,
            ),
            tls_protocols="TLSv1 TLSv1.1 TLSv1.2",
            # SECLEVEL=0 is what lets Debian 12's OpenSSL offer TLS 1.0/1.1, CBC-only,
            # static-RSA and 1024-bit DHE suites (see LAB-NOTES).
            tls_ciphers="DHE-RSA-AES128-SHA:AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA:@SECLEVEL=0",
            dhparam_bits=1024,
            headers=(
                ("X-Powered-By", "PHP/5.6.40"),
                ("Set-Cookie", "PHPSESSID=lab; path=/"),
                # A policy tried out years ago and never switched on.
                ("Content-Security-Policy-Report-Only", "default-src 'self'"),
            ),
            redirect_http=False,
            # The customer login, on plain HTTP too.
            http_index_html=(
                "<!DOCTYPE html><html><head><title>Legacy Systems</title></head><body>"
                '<form action="/login.php" method="post"><input name="user">'
                '<input type="password" name="pass"></form></body></html>'
            ),
            files=(("/.well-known/security.txt", LEGACY_SECURITY_TXT),),
        ),
        WebSite(
            address="127.0.10.24",
            names=("mta-sts.legacy.test",),
            # From a CA that never logs its certificates (no SCTs).
            cert=CertSpec(("mta-sts.legacy.test",), scts=0),
            redirect_http=False,
            files=(("/.well-known/mta-sts.txt", LEGACY_POLICY),),
        ),
    ),
    # Old services on the web server itself, as a neglected host often has them.
    banners={
        "127.0.10.20": (
            Banner(21, "ftp"),
            Banner(22, "ssh"),
            Banner(23, "telnet"),
            Banner(3306, "mysql"),
            Banner(6379, "redis"),
        ),
    },
    dkim=(DkimKey("default", 1024, "t=y"),),
    # The mail host's admin console, on a newer OpenSSL set up without care.
    consoles=(
        AdminConsole(
            "127.0.10.21",
            "mail.legacy.test",
            8443,
            # A two-year certificate, issued long after the 200-day limit began.
            CertSpec(("mail.legacy.test",), days=730, key_type="rsa2048"),
        ),
    ),
    mail=(
        # No STARTTLS at all on the primary MX, an Exim of 2018 that attackers are known
        # to exploit (CVE-2019-10149); a self-signed certificate on the backup.
        MailServer("127.0.10.21", "mail.legacy.test", None, greeting="ESMTP Exim 4.91 #2"),
        MailServer(
            "127.0.10.23", "mail2.legacy.test", CertSpec(("mail2.legacy.test",), self_signed=True)
        ),
    ),
    # IMAP and POP3 in clear text with login allowed, submission offering AUTH before
    # STARTTLS, and an IMAPS port still on SSL 3.0 with RC4 and 3DES (tlslite-ng).
    mail_access=(
        MailAccess("127.0.10.21", "mail.legacy.test", 143, "imap", "none"),
        MailAccess("127.0.10.21", "mail.legacy.test", 110, "pop3", "none"),
        MailAccess(
            "127.0.10.21",
            "mail.legacy.test",
            587,
            "submission",
            "starttls-late",
            CertSpec(("mail.legacy.test",)),
        ),
        MailAccess(
            "127.0.10.21",
            "mail.legacy.test",
            993,
            "imap",
            "legacy",
            CertSpec(("mail.legacy.test",), key_type="rsa2048"),
        ),
    ),
)

# An SPF include chain eleven deep: twelve DNS-querying terms in all.
_SPF_CHAIN = tuple(
    (
        f"_spf{i}",
        "TXT",
        f'"v=spf1 include:_spf{i + 1}.broken.test -all"'
        if i < 11
        else '"v=spf1 ip4:127.0.10.30 -all"',
    )
    for i in range(1, 12)
)

BROKEN = LabProvider(
    key="broken",
    name="Broken Networks",
    domain="broken.test",
    signed="knot",
    records=(
        ("@", "NS", "ns1"),
        # A name server that no longer exists: a lame, dangling delegation.
        ("@", "NS", "ns-old"),
        ("ns1", "A", DNS_ADDRESSES[0]),
        ("@", "A", "127.0.10.30"),
        ("www", "CNAME", "shop"),
        ("shop", "A", "127.0.10.31"),
        ("staging", "A", "127.0.10.32"),
        # The MTA-STS host was retired, its CNAME left pointing nowhere.
        ("mta-sts", "CNAME", "sts-gone.broken.test."),
        ("_mta-sts", "TXT", '"v=STSv1; id=1"'),
        # The MX points at a host that was retired: mail for broken.test bounces;
        # the second MX publishes a DANE record for a key it no longer uses.
        ("@", "MX", "10 mail-retired"),
        ("@", "MX", "20 mx-dane"),
        ("mx-dane", "A", "127.0.10.33"),
        ("@", "TXT", '"v=spf1 include:_spf1.broken.test +all"'),
        *_SPF_CHAIN,
        # Quarantine, but in testing mode (RFC 9989 t=y): receivers apply none.
        ("_dmarc", "TXT", '"v=DMARC1; p=quarantine; t=y; rua=mailto:reports@legacy.test"'),
        # Invalid (ftp: is no TLS-RPT scheme), and hostile: the record is quoted in
        # the findings, so the reports must show its markup as text.
        (
            "_smtp._tls",
            "TXT",
            "\"v=TLSRPTv1; rua=ftp://reports.broken.test/<script>alert('txt')</script>\"",
        ),
        ("@", "CAA", '0 issue "%%bad%%"'),
        ("@", "CAA", '0 iodef "ftp://broken.test"'),
        # Hostile text: every renderer must show it escaped.
        ("@", "TXT", "\"<script>alert('txt')</script>\""),
        # A 4 KB TXT set: larger than a UDP answer may be, so resolvers must retry over TCP.
        *(("big", "TXT", '"' + f"{i:02d}" + "x" * 250 + '"') for i in range(16)),
        # shop.broken.test, scanned as a domain of its own: two SPF records and a
        # DMARC record with a syntax error.
        ("shop", "TXT", '"v=spf1 -all"'),
        ("shop", "TXT", '"v=spf1 a -all"'),
        ("_dmarc.shop", "TXT", '"v=DMARC1; p=maybe"'),
    ),
    sites=(
        WebSite(
            address="127.0.10.30",
            names=("broken.test",),
            cert=CertSpec(("broken.test",), days=-5),
            tls_protocols="TLSv1.2",
            headers=(
                ("Strict-Transport-Security", "max-age=300"),
                ("Content-Security-Policy", "default-src * 'unsafe-inline' 'unsafe-eval'"),
                ("Access-Control-Allow-Origin", "*"),
                # Hostile text in a header: every renderer must show it escaped.
                ("X-Powered-By", "<script>alert('hdr')</script> PHP/7.0.1"),
                # Isolation headers copied with the wrong values: browsers ignore them.
                ("Cross-Origin-Opener-Policy", "same-site"),
                ("Cross-Origin-Embedder-Policy", "require_corp"),
                ("Cross-Origin-Resource-Policy", "same-domain"),
            ),
            redirect_http=False,
            index_html=(
                "<!DOCTYPE html><html><head><title>Broken Networks</title>"
                '<script src="http://cdn.example.invalid/jquery-1.7.js"></script>'
                '<script src="https://cdn.example.invalid/tracker.js"></script>'
                "</head><body>Welcome</body></html>"
            ),
        ),
        WebSite(
            address="127.0.10.31",
            names=("www.broken.test", "shop.broken.test"),
            # Self-signed, for another name, not valid for ten more days, and with
            # markup in its subject.
            cert=CertSpec(
                ("shop.invalid",),
                self_signed=True,
                starts_in_days=10,
                common_name="<script>alert('cert')</script>",
            ),
            redirect_http=False,
        ),
        WebSite(
            address="127.0.10.32",
            names=("staging.broken.test",),
            # A 1024-bit RSA key, signed with SHA-1.
            cert=CertSpec(("staging.broken.test",), key_type="rsa1024", signature_hash="sha1"),
            tls_ciphers="ECDHE+AESGCM:@SECLEVEL=0",
            redirect_http=False,
        ),
    ),
    banners={
        # Telnet, a remote-desktop server, an open Redis (of a maintained, patched
        # release: up to date and still open to anyone) and an unauthenticated Docker
        # API next to the website.
        "127.0.10.30": (
            Banner(23, "telnet"),
            Banner(5900, "vnc"),
            Banner(6379, "redis", "7.4.6"),
            Banner(2375, "docker"),
        ),
    },
    dkim=(DkimKey("selector1", 0),),
    mail=(
        MailServer(
            "127.0.10.33",
            "mx-dane.broken.test",
            CertSpec(("mx-dane.broken.test",)),
            False,
            "mismatch",
        ),
    ),
    extra_hosts=("staging.broken.test:443",),
    # Without --host, discovery finds the staging host by itself (and the shop behind
    # www); the zone is signed with NSEC, so walking it lists them too.
    discoverable=(
        ("shop.broken.test", ("nsec", "wordlist")),
        ("staging.broken.test", ("nsec", "san", "wordlist")),
    ),
)

STALE = LabProvider(
    key="stale",
    name="Stale Signatures",
    domain="stale.test",
    # Signed once, years ago, and never re-signed: every RRSIG has expired.
    signed="expired",
    records=(
        ("@", "NS", "ns1"),
        ("ns1", "A", DNS_ADDRESSES[0]),
        ("@", "A", "127.0.10.40"),
        ("@", "MX", "10 mail"),
        ("mail", "A", "127.0.10.40"),
    ),
)

# A name server that recurses for anyone (Debian's unbound, scanner.lab.resolver):
# sprawl.test lists it as ns3, so it is lame for the zone and an open resolver.
OPEN_RESOLVER_ADDRESS = "127.0.10.55"
# A secondary that stopped transferring sprawl.test years ago (served by the hostile
# DNS server): authoritative, with an old SOA serial.
STALE_SECONDARY_ADDRESS = "127.0.12.53"
STALE_SERIAL = 2019010101

# Zones of third-party services the lab simulates on loopback (Knot serves them), so
# the takeover check meets the service suffixes it knows: a pages service with the
# names of its customers' sites, and an app service where a deleted app's name no
# longer exists.
PAGES_ADDRESS = "127.0.10.87"
SERVICE_ZONES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "github.io": (("sprawl", "A", PAGES_ADDRESS), ("sprawl-docs", "A", PAGES_ADDRESS)),
    "azurewebsites.net": (),
}

# A host the lab names but runs nothing on: the history tests start and stop real
# services on it between scans (a provider fixing things over time). Its name is a
# record in the lab's "test." zone, not a zone of its own.
TURNOVER_DOMAIN = "turnover.test"
TURNOVER_ADDRESS = "127.0.10.94"

# Look-alikes of legacy.test (scanner.probes.lookalike), as zones of their own:
# "lgeacy.test" someone else's and mail-capable, "1egacy.test" someone else's with a
# web site and certificates in the CT stub, "legaccy.test" the provider's own
# defensive registration (served by legacy.test's name server). No look-alike of
# the other providers is registered.
LOOKALIKE_ADDRESS = "127.0.10.88"
LOOKALIKE_ZONES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "lgeacy.test": (
        ("@", "A", LOOKALIKE_ADDRESS),
        ("@", "MX", "10 mail"),
        ("mail", "A", LOOKALIKE_ADDRESS),
        ("www", "A", LOOKALIKE_ADDRESS),
    ),
    "1egacy.test": (("@", "A", LOOKALIKE_ADDRESS), ("www", "A", LOOKALIKE_ADDRESS)),
    "legaccy.test": (("@", "NS", "ns1.legacy.test."), ("@", "A", "127.0.10.20")),
}
# What the CT stub lists for the look-alikes (certificates someone had issued for them).
LOOKALIKE_CT_NAMES = {"1egacy.test": ("1egacy.test", "www.1egacy.test")}

# The lab's certificate-transparency stub (scanner.lab.banners "ct-stub"): crt.sh and
# Certspotter formats under /ok/, and their failure modes under /403/, /429/, /502/,
# /html/ (an error page with status 200), /drip/ (a byte a second) and /huge/ (more
# than the search size cap).
CT_ADDRESS = "127.0.10.70"
CT_URL = f"http://{CT_ADDRESS}/ok/"
# --ct-url values that point both CT formats at the stub (the demo and tests use them).
CT_URLS = (CT_URL, f"certspotter={CT_URL}")
# The lab's entries on the HSTS preload list (web.hsts_preloaded): the shipped snapshot
# is Chromium's, which holds no .test name.
HSTS_PRELOADED = ("exemplary.test",)
# The same stub serves CISA's KEV feed (vetscan kev update --url).
KEV_URL = f"{CT_URL}known_exploited_vulnerabilities.json"

SPRAWL = LabProvider(
    key="sprawl",
    name="Sprawling Services",
    domain="sprawl.test",
    signed=None,
    records=(
        *_NS,
        ("@", "NS", "ns3"),
        ("ns3", "A", OPEN_RESOLVER_ADDRESS),
        ("@", "NS", "ns4"),
        ("ns4", "A", STALE_SECONDARY_ADDRESS),
        ("@", "A", "127.0.10.80"),
        ("www", "CNAME", "@"),
        ("@", "MX", "10 mail"),
        ("mail", "A", "127.0.10.81"),
        # Named only by the SPF policy.
        ("sender-gw1", "A", "127.0.10.82"),
        # psd=y on a registrable domain: a public-suffix claim that is not true.
        ("_dmarc", "TXT", '"v=DMARC1; p=reject; psd=y; rua=mailto:dmarc@sprawl.test"'),
        # Named only by a SRV record.
        ("_imaps._tcp", "SRV", "0 1 993 mbox-eu1.sprawl.test."),
        ("mbox-eu1", "A", "127.0.10.83"),
        # Common host names a word list finds: a remote-access portal left on old TLS
        # (the weak host nobody looks at) and a modern webmail.
        ("vpn", "A", "127.0.10.84"),
        ("webmail", "A", "127.0.10.85"),
        # Named only in the web server's certificate.
        ("admin-7f3k", "A", "127.0.10.80"),
        # Named only in certificate-transparency logs.
        ("billing-2019", "A", "127.0.10.86"),
        # Marketing sites on a (simulated) cloud service: the docs site was deleted at
        # the service and its name left pointing there (claimable by anyone), the blog
        # is still claimed; an app at a (simulated) Azure name that no longer exists.
        ("docs", "CNAME", "sprawl-docs.github.io."),
        ("blog", "CNAME", "sprawl.github.io."),
        ("old", "CNAME", "sprawl-old.azurewebsites.net."),
        # An SPF include of a domain nobody owns: whoever registers it may send as us.
        ("@", "TXT", '"v=spf1 mx a:sender-gw1.sprawl.test include:spf.gone-mailer.test -all"'),
    ),
    sites=(
        WebSite(
            address="127.0.10.80",
            names=("sprawl.test", "www.sprawl.test", "admin-7f3k.sprawl.test"),
            cert=CertSpec(("sprawl.test", "www.sprawl.test", "admin-7f3k.sprawl.test")),
            headers=(("Strict-Transport-Security", "max-age=63072000"),),
            # Tuned for speed: TLS 1.3 0-RTT, whose early requests can be replayed.
            early_data=True,
        ),
        WebSite(
            address="127.0.10.84",
            names=("vpn.sprawl.test",),
            cert=CertSpec(("vpn.sprawl.test",), key_type="rsa2048"),
            tls_protocols="TLSv1 TLSv1.1 TLSv1.2",
            tls_ciphers="AES128-SHA:AES256-SHA:ECDHE-RSA-AES128-SHA:@SECLEVEL=0",
            redirect_http=False,
        ),
        WebSite(
            address="127.0.10.85",
            names=("webmail.sprawl.test",),
            # Must-staple (RFC 7633), and the server staples nothing.
            cert=CertSpec(("webmail.sprawl.test",), ocsp_url=OCSP_URL, must_staple=True),
            headers=(
                ("Strict-Transport-Security", "max-age=63072000"),
                ("Set-Cookie", "webmail_sess=lab; Path=/; Secure; HttpOnly"),
                ("Set-Cookie", "lang=en; Path=/"),
            ),
            # Its policies in <meta> tags; a nonce makes browsers ignore 'unsafe-inline'.
            # The login is over HTTPS; a partner's badge still loads over plain HTTP.
            index_html=(
                "<!DOCTYPE html><html><head><title>Webmail</title>"
                '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; '
                "script-src 'self' 'nonce-lab4sprawl' 'unsafe-inline'; object-src 'none'\">"
                '<meta name="referrer" content="strict-origin-when-cross-origin">'
                "</head><body>"
                '<form action="https://webmail.sprawl.test/login" method="post">'
                '<input name="user"><input type="password" name="password"></form>'
                '<img src="http://badges.partner-cdn.test/secure.png"></body></html>'
            ),
            # Its admin console answers on 8443 too, beside the web port.
            tls_ports=(443, 8443),
        ),
        WebSite(
            address="127.0.10.86",
            names=("billing-2019.sprawl.test",),
            cert=CertSpec(("billing-2019.sprawl.test",), days=-30),
            redirect_http=False,
        ),
        # The simulated pages service: it serves the names its customers claimed
        # and its "no site here" page for any other.
        WebSite(
            address=PAGES_ADDRESS,
            names=("blog.sprawl.test",),
            cert=CertSpec(("blog.sprawl.test",)),
            unknown_host_page="There isn't a GitHub Pages site here.",
        ),
    ),
    mail=(MailServer("127.0.10.81", "mail.sprawl.test", CertSpec(("mail.sprawl.test",))),),
    ct_names=(
        "sprawl.test",
        "*.sprawl.test",
        "www.sprawl.test",
        "billing-2019.sprawl.test",
        # Retired long ago: in the logs, no longer in DNS.
        "old-shop.sprawl.test",
        # A shared certificate also names a partner's host: related, never scanned.
        "cdn.partner-cdn.test",
    ),
    # The certificates of the hosts found name them too (the SAN rounds read them).
    discoverable=(
        ("blog.sprawl.test", ("san", "wordlist")),
        ("docs.sprawl.test", ("wordlist",)),
        ("sender-gw1.sprawl.test", ("spf",)),
        ("mbox-eu1.sprawl.test", ("srv",)),
        ("vpn.sprawl.test", ("san", "wordlist")),
        ("webmail.sprawl.test", ("san", "wordlist")),
        ("admin-7f3k.sprawl.test", ("san",)),
        ("billing-2019.sprawl.test", ("ct", "san")),
    ),
)

# A zone with a wildcard: every name resolves, so a word list would "find" all of
# its words. Only portal has a record (and an address) of its own.
WILD = LabProvider(
    key="wild",
    name="Wildcard Web",
    domain="wild.test",
    signed=None,
    records=(
        *_NS,
        ("@", "A", "127.0.10.89"),
        ("*", "A", "127.0.10.89"),
        ("portal", "A", "127.0.10.90"),
        ("@", "TXT", '"v=spf1 -all"'),
    ),
    sites=(
        WebSite(
            address="127.0.10.89",
            names=("wild.test", "www.wild.test"),
            cert=CertSpec(("wild.test", "www.wild.test")),
        ),
        WebSite(
            address="127.0.10.90",
            names=("portal.wild.test",),
            cert=CertSpec(("portal.wild.test",)),
            # CBC suites kept for old clients, after the AEAD ones in the server's order.
            tls_ciphers="ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE+AES",
        ),
    ),
    # Its name servers hand the zone to anyone (dns.axfr.open).
    axfr_open=True,
    discoverable=(("portal.wild.test", ("axfr", "san", "wordlist")),),
)

# Mail servers that defend themselves: the primary MX takes two connections a minute and
# answers 421 after that; the backup greylists (a first connection gets 421).
GUARDED = LabProvider(
    key="guarded",
    name="Guarded Mail",
    domain="guarded.test",
    signed=None,
    records=(
        *_NS,
        ("@", "MX", "10 mx1"),
        ("@", "MX", "20 mx2"),
        ("mx1", "A", "127.0.10.95"),
        ("mx2", "A", "127.0.10.96"),
        ("@", "TXT", '"v=spf1 mx -all"'),
        ("_dmarc", "TXT", '"v=DMARC1; p=reject; rua=mailto:dmarc@guarded.test"'),
    ),
    mail=(
        MailServer(
            "127.0.10.95", "mx1.guarded.test", CertSpec(("mx1.guarded.test",)), gate="ratelimit"
        ),
        MailServer(
            "127.0.10.96", "mx2.guarded.test", CertSpec(("mx2.guarded.test",)), gate="greylist"
        ),
    ),
)

PROVIDERS: tuple[LabProvider, ...] = (EXEMPLARY, LEGACY, BROKEN, STALE, SPRAWL, WILD, GUARDED)


def by_key(key: str) -> LabProvider:
    for provider in PROVIDERS:
        if provider.key == key:
            return provider
    raise KeyError(key)
