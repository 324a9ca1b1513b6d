"""Where a finding is, as a reader knows it: host names with their addresses."""

from __future__ import annotations

from scanner.document.where import where, where_all

HOSTS = [
    {"host": "legacy.test", "addresses": ["127.0.10.20"]},
    {"host": "www.legacy.test", "addresses": ["127.0.10.20"]},
    {"host": "mail.legacy.test", "addresses": ["127.0.10.21", "::1"]},
]


def test_an_address_is_named_by_the_hosts_on_it() -> None:
    assert (
        where("127.0.10.20:3306", HOSTS) == "legacy.test, www.legacy.test (127.0.10.20) port 3306"
    )
    assert where("[::1]:25", HOSTS) == "mail.legacy.test (::1) port 25"
    assert where("127.9.9.9:22", HOSTS) == "127.9.9.9 port 22"  # no name known: as seen


def test_an_endpoint_gets_its_addresses_and_a_domain_stays_a_domain() -> None:
    assert where("mail.legacy.test:993", HOSTS) == "mail.legacy.test (127.0.10.21, ::1) port 993"
    assert where("legacy.test", HOSTS) == "legacy.test"
    assert where("unknown.test:443", HOSTS) == "unknown.test port 443"


def test_many_assets_are_cut_short() -> None:
    text = where_all([f"h{i}.test" for i in range(7)], HOSTS)
    assert text.endswith("; and 3 more") and text.count(";") == 4
