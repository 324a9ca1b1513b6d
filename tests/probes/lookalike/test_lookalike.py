"""Look-alike domains (#27 item 9): dnstwist's names in plausibility order, the
checks on literal observations, and the lab's look-alikes of legacy.test found
through the lab's DNS, one of them mail-capable, one the provider's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.engine import run_probes
from scanner.lab import manager
from scanner.lab.providers import CT_URLS, EXEMPLARY, LEGACY, LOOKALIKE_ZONES
from scanner.model import Finding, Status, Target
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver
from scanner.options import with_discovery
from scanner.probes.context import build_context
from scanner.probes.lookalike.evaluate import evaluate
from scanner.probes.lookalike.gather import _hosts
from scanner.probes.lookalike.inventory import rows
from scanner.probes.lookalike.observations import Lookalike, LookalikeObservation
from scanner.probes.lookalike.permutations import UnknownFuzzer, candidates
from scanner.probes.lookalike.probe import LookalikeProbe
from scanner.scoring.profile import Profile
from scanner.scoring.settings import Override


def test_the_most_plausible_typos_come_first() -> None:
    made = candidates("legacy.test")
    names = [c.name for c in made]
    assert "legacy.test" not in names and len(names) == len(set(names))
    # One letter left out before any glyph trick; internationalised glyphs last.
    assert made[0].fuzzer == "omission"
    assert names.index("lgeacy.test") < names.index("1egacy.test")
    first_idn = next(i for i, n in enumerate(names) if n.startswith("xn--"))
    assert all(n.startswith("xn--") or "--" in n for n in names[first_idn:])
    for expected in LOOKALIKE_ZONES:  # the lab's look-alikes fit the default bound
        assert names.index(expected) < 400


def test_an_unknown_fuzzer_is_refused() -> None:
    with pytest.raises(UnknownFuzzer, match="no-such"):
        candidates("legacy.test", ("omission", "no-such"))


def test_mx_and_ns_data_name_hosts_and_a_null_mx_names_none() -> None:
    assert _hosts(["10 mail.example.test.", "20 MX2.example.test."]) == (
        "mail.example.test",
        "mx2.example.test",
    )
    assert _hosts(["0 ."]) == ()
    assert _hosts(["ns1.example.test."]) == ("ns1.example.test",)


@given(st.lists(st.text(max_size=40), max_size=5))
def test_any_record_text_gives_hosts_or_nothing(records: list[str]) -> None:
    assert all(h and not h.endswith(".") for h in _hosts(records))


def _obs(*found: Lookalike, **more: object) -> LookalikeObservation:
    base: dict[str, object] = {
        "domain": "example.test",
        "outcome": "checked",
        "reason": "",
        "generated": 300,
        "checked": 300,
        "unanswered": 0,
        "registered": found,
    }
    base.update(more)
    return LookalikeObservation(**base)  # type: ignore[arg-type]


def _verdicts(obs: LookalikeObservation) -> dict[str, Finding]:
    return {f.check_id: f for f in evaluate(obs)}


def test_a_mail_capable_lookalike_of_someone_else_fails() -> None:
    found = _verdicts(
        _obs(
            Lookalike("exmaple.test", "transposition", ("192.0.2.9",), ("mail.exmaple.test",)),
            Lookalike("examp1e.test", "homoglyph", ("192.0.2.9",), certificates=2),
            Lookalike("exampple.test", "repetition", mx=("mx.example.test",), own="same MX"),
        )
    )
    mail, registered = found["dns.lookalike.mail_capable"], found["dns.lookalike.registered"]
    assert mail.status is Status.FAIL and "exmaple.test" in mail.detail
    assert "exampple.test" not in mail.detail  # the provider's own is no risk
    assert registered.status is Status.INFO
    assert "2 look-alike(s)" in registered.detail and "certificates in CT" in registered.detail
    assert "the provider holds 1 itself" in registered.detail


def test_no_lookalike_or_only_the_providers_own_passes() -> None:
    own = Lookalike("exampple.test", "repetition", ns=("ns1.example.test",), own="same NS")
    for obs in (_obs(), _obs(own)):
        found = _verdicts(obs)
        assert {f.status for f in found.values()} == {Status.PASS}


def test_a_lookup_that_could_not_run_is_not_assessed() -> None:
    silent = _obs(checked=0, unanswered=300)
    broken = _obs(outcome="error", reason="unknown look-alike fuzzer(s) x", generated=0, checked=0)
    for obs, why in ((silent, "300 got no answer"), (broken, "unknown look-alike fuzzer")):
        for f in evaluate(obs):
            assert f.status is Status.NOT_ASSESSED and why in f.detail


def test_no_lookup_asked_for_is_not_assessed_and_says_why() -> None:
    for f in evaluate(_obs(checked=0, considered=0)):
        assert f.status is Status.NOT_ASSESSED and "max_candidates is 0" in f.detail


def test_a_partial_lookup_says_how_far_it_got() -> None:
    obs = _obs(
        outcome="partly checked",
        reason="40 were left when the 20 s budget ran out",
        generated=1900,
        considered=400,
        checked=358,
        unanswered=2,
        late=40,
    )
    detail = _verdicts(obs)["dns.lookalike.mail_capable"].detail
    assert detail.endswith(
        "(the 400 most plausible of 1900 look-alikes looked up; 2 got no answer; "
        "40 not reached within the time budget)."
    )


def test_inventory_rows_put_other_owners_first() -> None:
    obs = _obs(
        Lookalike("exampple.test", "repetition", own="same NS"),
        Lookalike("exmaple.test", "transposition", mx=("mail.exmaple.test",)),
    )
    listed = rows([obs.to_json()])
    assert [(r["name"], r["owner"]) for r in listed] == [
        ("exmaple.test", "someone else"),
        ("exampple.test", "the provider"),
    ]


@pytest.fixture(scope="module")
def lab_lookalikes(
    lab: Path, lab_resolver: Resolver, default_profile: Profile
) -> dict[str, dict[str, Finding]]:
    profile = with_discovery(default_profile, None, CT_URLS)
    context = build_context(
        lab_resolver, AddressPolicy(allow_private=True), profile, manager.ca_file(lab), 3.0
    )
    out = {}
    for provider in (EXEMPLARY, LEGACY):
        (result,) = run_probes(
            Target(provider.name, (provider.domain,)), [LookalikeProbe()], context
        )
        assert result.status == "completed", result.reason
        out[provider.key] = {f.check_id: f for f in result.findings}
        out[provider.key]["observation"] = result.observations[0]  # type: ignore[assignment]
    return out


@pytest.mark.lab
def test_the_lab_lookalikes_of_legacy_are_found(
    lab_lookalikes: dict[str, dict[str, Finding]],
) -> None:
    legacy = lab_lookalikes["legacy"]
    mail = legacy["dns.lookalike.mail_capable"]
    assert mail.status is Status.FAIL
    assert [r["name"] for r in mail.evidence["lookalikes"]] == ["lgeacy.test"]
    assert mail.evidence["lookalikes"][0]["mx"] == ["mail.lgeacy.test"]
    obs = legacy["observation"]
    assert isinstance(obs, LookalikeObservation)
    by_name = {f.name: f for f in obs.registered}
    assert set(by_name) == set(LOOKALIKE_ZONES)
    assert by_name["1egacy.test"].certificates == 2  # the CT stub's two names
    assert by_name["legaccy.test"].own.startswith("served by the provider's own name servers")
    assert by_name["legaccy.test"].certificates is None  # the provider's own: not searched
    assert obs.considered == 400 and "most plausible" in obs.reason
    # Only names outside the lab's .test go unanswered (dnstwist's "various" makes
    # .com ones, which the lab's DNS refuses).
    elsewhere = [c for c in candidates(LEGACY.domain)[:400] if not c.name.endswith(".test")]
    assert 0 < obs.unanswered == len(elsewhere)


@pytest.mark.lab
def test_a_provider_without_lookalikes_passes(
    lab_lookalikes: dict[str, dict[str, Finding]],
) -> None:
    exemplary = lab_lookalikes["exemplary"]
    assert exemplary["dns.lookalike.mail_capable"].status is Status.PASS
    assert exemplary["dns.lookalike.registered"].status is Status.PASS


@pytest.mark.lab
def test_the_lookups_are_bounded_by_count_and_time(
    lab: Path, lab_resolver: Resolver, default_profile: Profile
) -> None:
    profile = default_profile.with_overrides(
        [Override.of("lookalike.max_candidates", 10), Override.of("lookalike.budget", 1e-6)]
    )
    context = build_context(lab_resolver, AddressPolicy(allow_private=True), profile, None, 3.0)
    (result,) = run_probes(Target("Legacy", (LEGACY.domain,)), [LookalikeProbe()], context)
    (obs,) = result.observations
    assert isinstance(obs, LookalikeObservation)
    assert obs.outcome == "partly checked" and "the 10 most plausible" in obs.reason
    assert obs.considered == 10 and obs.checked + obs.unanswered + obs.late == 10
    assert obs.late > 0 and "budget ran out" in obs.reason
