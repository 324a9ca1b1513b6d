"""The hostile provider: a vendor whose every answer is built to hurt a scanner.

It has its own authoritative DNS server (``hostile_dns``), because Knot will not
answer SERVFAIL or stay silent for chosen names, and its own listeners in the
banner process. A scan of it uses ``--nameserver`` HOSTILE_NAMESERVER and must
complete in bounded time, with honest findings and every hostile string escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.lab.pki import CertSpec

DOMAIN = "hostile.test"
CHAIN_DOMAIN = f"chain.{DOMAIN}"
# A third domain of the provider whose web host drips its headers and serves a page
# that html.parser reads in quadratic time.
SLOW_DOMAIN = f"slow.{DOMAIN}"
DNS_ADDRESS = "127.0.12.53"
HOSTILE_NAMESERVER = f"{DNS_ADDRESS}:53"
WEB, WWW, RESET, MX, PLAIN, REDIRECTOR, SLOW, ALERTS, BIG = (
    f"127.0.10.{n}" for n in (60, 61, 62, 63, 64, 65, 66, 67, 68)
)
# Where an audit's alerts go to be mistreated: a relay that trickles its EHLO answer,
# a webhook that trickles its headers, one that redirects to ftp://, one that is not HTTP.
ALERT_SMTP = f"{ALERTS}:25"
ALERT_WEBHOOK_TRICKLE = f"http://{ALERTS}/hook"
ALERT_WEBHOOK_REDIRECT = f"http://{ALERTS}:8080/hook"
ALERT_WEBHOOK_BAD_STATUS = f"http://{ALERTS}:8081/hook"
REDIRECT_FORMS = 16  # fN.redirect.hostile.test answers with form N of banners.REDIRECT_FORMS
EXTRA_HOSTS = (f"reset.{DOMAIN}:443", f"plain.{DOMAIN}:443", f"big.{DOMAIN}:443")
CHAIN_LENGTH = 30
# Zones that bury a discovery source (served by hostile_dns, all under DOMAIN): a zone
# transfer of AXFR_NAMES names, one that never ends, an NSEC chain that loops back
# to its second name, and one that never comes back to the apex.
AXFR_BIG, AXFR_ENDLESS = f"axfr-big.{DOMAIN}", f"axfr-endless.{DOMAIN}"
AXFR_NAMES = 50_000
WALK_LOOP, WALK_ENDLESS = f"walk-loop.{DOMAIN}", f"walk-endless.{DOMAIN}"

# Markup, terminal escapes (clear screen, set title, colours), a bell and a
# right-to-left override: none of it may reach a page or a terminal live.
EVIL = "<script>alert('{where}')</script>\x1b[2J\x1b]0;pwned\x07\x1b[31m\u202eevil"


def evil(where: str) -> str:
    return EVIL.format(where=where)


def _txt(text: str) -> str:
    """A TXT rdata in zone-file syntax; bytes outside printable ASCII as \\DDD."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def _padding(name: str, count: int) -> list[tuple[str, str, str]]:
    return [(name, "TXT", _txt(f"{i:03d}" + "x" * 247)) for i in range(count)]


RECORDS: tuple[tuple[str, str, str], ...] = (
    ("@", "NS", f"ns1.{DOMAIN}."),
    ("ns1", "A", DNS_ADDRESS),
    ("@", "A", WEB),
    ("www", "A", WWW),
    ("reset", "A", RESET),
    ("plain", "A", PLAIN),
    ("mx", "A", MX),
    ("slow", "A", SLOW),
    ("big", "A", BIG),
    ("redirect", "A", REDIRECTOR),
    *((f"f{n}.redirect", "A", REDIRECTOR) for n in range(REDIRECT_FORMS)),
    ("@", "MX", f"10 mx.{DOMAIN}."),
    # Without --allow-private these must be refused before any packet is sent.
    ("local", "A", "127.0.0.1"),
    ("ten", "A", "10.0.0.1"),
    # A CNAME loop where the MTA-STS policy host should be.
    ("mta-sts", "CNAME", f"mta-sts-loop.{DOMAIN}."),
    ("mta-sts-loop", "CNAME", f"mta-sts.{DOMAIN}."),
    # SPF that includes itself through a second name.
    ("@", "TXT", _txt(f"v=spf1 include:loop-a.{DOMAIN} -all")),
    ("loop-a", "TXT", _txt(f"v=spf1 include:loop-b.{DOMAIN} -all")),
    ("loop-b", "TXT", _txt(f"v=spf1 include:loop-a.{DOMAIN} -all")),
    ("@", "TXT", _txt(evil("txt"))),
    # 16 x 250 bytes: the apex TXT set is 4 KB, too large for UDP.
    *_padding("@", 16),
    # 240 x 250 bytes: a 60 KB DMARC answer, only complete over TCP.
    ("_dmarc", "TXT", _txt("v=DMARC1; p=reject; rua=mailto:" + evil("dmarc") + "@hostile.test")),
    *_padding("_dmarc", 239),
    # A chain of 30 SPF includes, on a second domain of the provider.
    ("chain", "TXT", _txt(f"v=spf1 include:c1.{CHAIN_DOMAIN} -all")),
    *(
        (f"c{i}.chain", "TXT", _txt(f"v=spf1 include:c{i + 1}.{CHAIN_DOMAIN} -all"))
        for i in range(1, CHAIN_LENGTH)
    ),
    (f"c{CHAIN_LENGTH}.chain", "TXT", _txt("v=spf1 -all")),
)
# Names the server answers with SERVFAIL, and names it never answers.
SERVFAIL = (f"_mta-sts.{DOMAIN}",)
SILENT = (f"_smtp._tls.{DOMAIN}",)

CERT = CertSpec((f"www.{DOMAIN}", f"mx.{DOMAIN}"), common_name=evil("cert"))
# About 210 KB of certificate: more than OpenSSL clients accept (100 KiB).
BIG_CERT = CertSpec((f"big.{DOMAIN}", *(f"h{i:05d}.big.{DOMAIN}" for i in range(6200))))


@dataclass(frozen=True)
class Listener:
    address: str
    port: int
    service: str  # a behaviour in scanner.lab.banners


LISTENERS = (
    Listener(WEB, 80, "redirect-loop"),
    Listener(WEB, 443, "tarpit"),
    Listener(WWW, 80, "drip"),
    Listener(WWW, 443, "tls-hostile"),
    Listener(RESET, 443, "reset"),
    Listener(PLAIN, 443, "http-plain"),
    Listener(MX, 25, "smtp-hostile"),
    Listener(MX, 22, "ssh-hostile"),
    Listener(REDIRECTOR, 80, "redirect-forms"),
    Listener(SLOW, 80, "header-drip"),
    Listener(SLOW, 443, "tls-quadratic"),
    Listener(BIG, 443, "tls-bigcert"),
    Listener(ALERTS, 25, "smtp-trickle"),
    Listener(ALERTS, 80, "header-drip"),
    Listener(ALERTS, 8080, "webhook-redirect"),
    Listener(ALERTS, 8081, "bad-status"),
)
