"""The inward provider: a vendor whose every input points back inside the scanner's network.

Its certificates are served without their intermediate and name their issuer
(AIA caIssuers) at IP literals in every spelling a URL parser accepts; its
redirects, CNAMEs, SRV, MX and NS targets, SPF ``a:``/``mx:`` names, MTA-STS host
and certificate-transparency names resolve to loopback, link-local (the cloud
metadata address) and private addresses. A scan of it without --allow-private must
contact none of them (tests/test_choke_point.py watches every connection).

Its own hosts live on PUBLIC_RANGE, which the test alone treats as public (the
``lab_public`` setting of the address policy: no CLI flag, profile key or
environment variable reaches it). The zone is served by the hostile DNS server.
"""

from __future__ import annotations

from scanner.lab.hostile import DNS_ADDRESS, Listener
from scanner.lab.pki import CertSpec

DOMAIN = "inward.test"
PUBLIC_RANGE = "127.0.14.0/24"
WEB, MX = "127.0.14.10", "127.0.14.11"
# The inside service the AIA URLs and the redirect name: 127.0.0.1 on this port.
INSIDE_PORT = 9997

# The pages service's names (github.io, served by the hostile DNS server too).
SERVICE_ZONE = "github.io"
DRIP, REDIRECTS = "127.0.14.30", "127.0.14.31"
SERVICE_NAMES = tuple(f"inward-{n}.{SERVICE_ZONE}" for n in ("drip", "redirect", "inside"))
SERVICE_RECORDS: tuple[tuple[str, str, str], ...] = (
    ("inward-drip", "A", DRIP),
    ("inward-redirect", "A", REDIRECTS),
    ("inward-inside", "A", "127.0.0.1"),
)

AIA_FORMS: tuple[tuple[str, str], ...] = (
    ("dotted", f"http://127.0.0.1:{INSIDE_PORT}/int.der"),
    ("decimal", f"http://2130706433:{INSIDE_PORT}/int.der"),
    ("hex", f"http://0x7f000001:{INSIDE_PORT}/int.der"),
    ("octal", f"http://0177.0.0.1:{INSIDE_PORT}/int.der"),
    ("short", f"http://127.1:{INSIDE_PORT}/int.der"),
    ("ipv6", f"http://[::1]:{INSIDE_PORT}/int.der"),
    ("mapped", f"http://[::ffff:127.0.0.1]:{INSIDE_PORT}/int.der"),
    ("metadata", "http://169.254.169.254/latest/meta-data/"),
    ("named", f"http://aia-target.{DOMAIN}:{INSIDE_PORT}/int.der"),
)
AIA_HOSTS = tuple(f"aia-{form}.{DOMAIN}" for form, _ in AIA_FORMS)
AIA_ADDRESSES = tuple(f"127.0.14.{21 + i}" for i in range(len(AIA_FORMS)))

# Names that resolve inside; each must be refused before a packet goes there.
INSIDE = {
    "inside": ("127.0.0.1", "::ffff:127.0.0.1"),
    "meta": ("169.254.169.254", None),
    "srv-in": ("127.0.0.2", "::1"),
    "mx-in": ("127.0.0.1", "::1"),
    "ns-in": ("127.0.0.1", None),
    "spf-in": ("127.0.0.3", None),
    "mta-sts": ("127.0.0.1", None),
    "ct-in": ("127.0.0.4", None),
    "ten": ("10.0.0.1", None),
    "aia-target": ("127.0.0.1", None),
}

RECORDS: tuple[tuple[str, str, str], ...] = (
    ("@", "NS", f"ns1.{DOMAIN}."),
    ("@", "NS", f"ns-in.{DOMAIN}."),
    ("ns1", "A", DNS_ADDRESS),
    ("@", "A", WEB),
    ("www", "A", WEB),
    ("@", "MX", f"10 mx.{DOMAIN}."),
    ("@", "MX", f"20 mx-in.{DOMAIN}."),
    ("mx", "A", MX),
    ("alias", "CNAME", f"inside.{DOMAIN}."),
    ("_imaps._tcp", "SRV", f"0 0 993 srv-in.{DOMAIN}."),
    ("_submission._tcp", "SRV", f"0 0 587 meta.{DOMAIN}."),
    ("@", "TXT", f'"v=spf1 a:spf-in.{DOMAIN} mx:mx-in.{DOMAIN} a:ten.{DOMAIN} -all"'),
    ("_dmarc", "TXT", '"v=DMARC1; p=reject"'),
    ("_mta-sts", "TXT", '"v=STSv1; id=1"'),
    # CNAMEs to a pages service the takeover check asks: its answer drips, redirects
    # inside, or its address is inside.
    ("shop", "CNAME", f"{SERVICE_NAMES[0]}."),
    ("docs", "CNAME", f"{SERVICE_NAMES[1]}."),
    ("blog", "CNAME", f"{SERVICE_NAMES[2]}."),
    *(
        (f"aia-{form}", "A", address)
        for (form, _), address in zip(AIA_FORMS, AIA_ADDRESSES, strict=True)
    ),
    *((name, "A", v4) for name, (v4, _) in INSIDE.items()),
    *((name, "AAAA", v6) for name, (_, v6) in INSIDE.items() if v6),
)
# What the lab's CT stub lists for the domain: its own hosts and one inside.
CT_NAMES = (
    f"www.{DOMAIN}",
    f"ct-in.{DOMAIN}",
    f"alias.{DOMAIN}",
    *(f"{n}.{DOMAIN}" for n in ("shop", "docs", "blog")),
    *AIA_HOSTS,
)


def aia_cert(form: str, url: str) -> CertSpec:
    """A leaf served without its intermediate, naming its issuer at ``url``."""
    return CertSpec((f"aia-{form}.{DOMAIN}",), send_chain=False, issuer_url=url)


WEB_CERT = CertSpec((DOMAIN, f"www.{DOMAIN}"), send_chain=False, issuer_url=AIA_FORMS[0][1])

LISTENERS = (
    # http://www.inward.test/ redirects to the inside service, spelled in hex.
    Listener(WEB, 80, "redirect-inward"),
    Listener(WEB, 443, "tls-page"),
    *(Listener(address, 443, "tls-page") for address in AIA_ADDRESSES),
    Listener(DRIP, 80, "header-drip"),
    Listener(REDIRECTS, 80, "redirect-inward"),
)
REDIRECT_LOCATION = f"http://0x7f000001:{INSIDE_PORT}/"
