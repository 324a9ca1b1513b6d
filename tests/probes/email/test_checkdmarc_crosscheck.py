"""vetscan's SPF and DMARC verdicts next to checkdmarc's, on the same lab nameserver.

checkdmarc lives in .venv-peers (scripts/bootstrap.sh installs it): it needs a
newer cryptography than sslyze allows. It resolves some names through the system
resolver, so it runs in a private mount namespace whose /etc/resolv.conf names
the lab's DNS server; nothing reaches the machine's real resolver.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from scanner.engine import run_probes
from scanner.lab import manager
from scanner.lab.providers import DNS_ADDRESSES
from scanner.model import Status, Target
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver
from scanner.probes.context import build_context
from scanner.probes.discovery.probe import DnsDiscoveryProbe
from scanner.probes.email.probe import EmailProbe
from scanner.scoring.profile import Profile

ROOT = Path(__file__).resolve().parents[3]
CHECKDMARC = ROOT / ".venv-peers" / "bin" / "checkdmarc"
DOMAINS = ["exemplary.test", "legacy.test", "broken.test", "stale.test", "shop.broken.test"]

pytestmark = [pytest.mark.lab, pytest.mark.slow]


def run_checkdmarc(domains: list[str], workdir: Path) -> list[dict[str, object]]:
    if not CHECKDMARC.exists():
        pytest.fail(f"{CHECKDMARC} is missing: run scripts/bootstrap.sh")
    resolv = workdir / "resolv.conf"
    resolv.write_text(f"nameserver {DNS_ADDRESSES[0]}\n")
    command = (
        f"mount --bind {resolv} /etc/resolv.conf && exec {CHECKDMARC} "
        + " ".join(domains)
        + f" -n {DNS_ADDRESSES[0]} -t 2"
    )
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    return result if isinstance(result, list) else [result]


@pytest.fixture(scope="module")
def ours(
    lab: Path, lab_resolver: Resolver, default_profile: Profile
) -> dict[str, dict[str, Status]]:
    context = build_context(
        lab_resolver, AddressPolicy(allow_private=True), default_profile, manager.ca_file(lab), 3.0
    )
    out = {}
    for domain in DOMAINS:
        _, email = run_probes(
            Target(domain, (domain,)), [DnsDiscoveryProbe(), EmailProbe()], context
        )
        out[domain] = {f.check_id: f.status for f in email.findings}
    return out


@pytest.fixture(scope="module")
def theirs(lab: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    report = run_checkdmarc(DOMAINS, tmp_path_factory.mktemp("checkdmarc"))
    return {str(entry["domain"]): entry for entry in report}


@pytest.mark.parametrize("domain", DOMAINS)
def test_spf_validity_agrees(
    domain: str, ours: dict[str, dict[str, Status]], theirs: dict[str, dict[str, object]]
) -> None:
    spf = theirs[domain]["spf"]
    assert isinstance(spf, dict)
    we_fail = any(
        ours[domain][c] is Status.FAIL
        for c in ("email.spf.missing", "email.spf.invalid", "email.spf.too_many_lookups")
    )
    assert we_fail is (not spf["valid"]), spf.get("error")


@pytest.mark.parametrize("domain", DOMAINS)
def test_dmarc_validity_and_policy_agree(
    domain: str, ours: dict[str, dict[str, Status]], theirs: dict[str, dict[str, object]]
) -> None:
    dmarc = theirs[domain]["dmarc"]
    assert isinstance(dmarc, dict)
    we_fail = any(
        ours[domain][c] is Status.FAIL for c in ("email.dmarc.missing", "email.dmarc.invalid")
    )
    tags = dmarc.get("tags") or {}
    assert isinstance(tags, dict)
    psd_claim = str((tags.get("psd") or {}).get("value", "")).lower() == "y"
    # Where we depart on purpose: psd=y on a registrable domain (RFC 9989) is refused
    # by us and accepted by checkdmarc, which reads the tag without judging the claim.
    assert we_fail is (not dmarc["valid"] or psd_claim), dmarc.get("error")
    if dmarc["valid"] and not psd_claim:
        policy = tags["p"]["value"]
        if str((tags.get("t") or {}).get("value", "n")).lower() == "y":
            # RFC 9989's testing mode: receivers apply the next milder policy.
            policy = {"reject": "quarantine", "quarantine": "none"}.get(policy, policy)
        assert (ours[domain]["email.dmarc.policy_none"] is Status.FAIL) is (policy == "none")
        assert (ours[domain]["email.dmarc.policy_quarantine"] is Status.FAIL) is (
            policy == "quarantine"
        )
