"""One counting unit: checks, with their assets beside them."""

from __future__ import annotations

from scanner.document.counts import check_counts, describe


def test_a_check_counts_once_under_its_worst_verdict_with_its_assets() -> None:
    counts = check_counts(
        [
            ("tls.cert.untrusted", "fail", "legacy.test:443"),
            ("tls.cert.untrusted", "fail", "www.legacy.test:443"),
            ("tls.cert.untrusted", "pass", "mail.legacy.test:25"),
            ("web.hsts", "warn", "legacy.test"),
            ("web.csp", "pass", "legacy.test"),
            ("tls.mozilla.modern", "info", "legacy.test:443"),
            ("service.outdated", "not_assessed", "10.0.0.1"),
            ("email.spf", "error", "legacy.test"),
            ("email.spf", "pass", "legacy.test"),
        ]
    )
    assert counts["fail"] == {"checks": 1, "assets": 2}
    assert counts["warn"] == {"checks": 1, "assets": 1}
    assert counts["pass"]["checks"] == 2  # web.csp, and email.spf assessed once
    assert counts["info"]["checks"] == 1 and counts["not_assessed"]["checks"] == 1
    assert describe(counts) == (
        "checks: 1 failed (2 assets), 1 warned (1 asset), 2 passed, 1 informational, 1 not assessed"
    )
