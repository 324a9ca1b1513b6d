"""The control tables: every check maps to a control of each framework or says why
not, every pattern names catalogued checks, and a broken table is refused by name."""

from __future__ import annotations

import pytest

from scanner.checks import catalogue
from scanner.controls import ControlsError, add_fragment, frameworks, parse_table, selected

# The frameworks the issue names, as `--framework` takes them.
EXPECTED = {"iso27001", "nis2", "dora", "c5", "soc2", "cyber-essentials", "pci-dss", "bod-18-01"}


def test_every_named_framework_ships_with_its_version_and_date() -> None:
    known = frameworks()
    assert set(known) == EXPECTED
    for framework in known.values():
        assert framework.version and framework.citation and framework.mapping_date
        assert framework.controls, framework.id


def unmapped() -> dict[str, dict[str, str]]:
    """Per framework, the checks that bear on none of its controls, with the reason."""
    return {f.id: dict(f.not_applicable) for f in frameworks().values()}


def test_every_check_maps_to_a_control_or_says_why_not() -> None:
    for framework in frameworks().values():
        mapped = {c for control in framework.controls for c in control.checks}
        for check_id in catalogue():
            assert (check_id in mapped) != (check_id in framework.not_applicable), (
                f"{framework.id}: {check_id} is neither mapped nor declared not applicable"
                if check_id not in mapped
                else f"{framework.id}: {check_id} is both"
            )
            if check_id in framework.not_applicable:
                assert framework.not_applicable[check_id].strip()


def test_the_checks_with_no_control_are_the_ones_the_frameworks_leave_out() -> None:
    na = unmapped()
    # The scan's own coverage checks bear on no control anywhere they are listed.
    for name in ("iso27001", "nis2", "dora", "c5", "soc2"):
        assert "dns.discovery.sources" in na[name]
        assert "how far this scan could look" in na[name]["dns.discovery.sources"]
    # Cyber Essentials has no encryption requirement; BOD 18-01 no exposure one.
    assert "tls.cert.untrusted" in na["cyber-essentials"]
    assert "service.database_exposed" in na["bod-18-01"]
    # The broad frameworks leave out only a handful.
    for name in ("iso27001", "nis2", "dora", "c5", "soc2"):
        assert len(na[name]) <= 6, (name, sorted(na[name]))


def test_controls_the_issue_names_carry_the_checks_a_buyer_expects() -> None:
    def controls(framework: str, check_id: str) -> set[str]:
        return {c.id for c in frameworks()[framework].controls_of(check_id)}

    assert "A.8.24" in controls("iso27001", "tls.protocol.tls10_tls11")
    assert "A.8.8" in controls("iso27001", "service.known_exploited")
    assert "Art. 21(2)(h)" in controls("nis2", "tls.cipher.weak")
    assert "IR 6.6" in controls("nis2", "service.outdated_version")
    assert "4.2.1" in controls("pci-dss", "tls.protocol.sslv2_sslv3")
    assert "5.4.1" in controls("pci-dss", "email.dmarc.policy_none")
    assert "CC6.7" in controls("soc2", "mail.starttls.missing")
    assert "CRY-02" in controls("c5", "tls.protocol.tls10_tls11")
    assert "Email: DMARC" in controls("bod-18-01", "email.dmarc.policy_quarantine")
    # Supplier oversight is answered by history, not by a check.
    history = {(f.id, c.id) for f in frameworks().values() for c in f.controls if c.history}
    assert {("iso27001", "A.5.22"), ("nis2", "Art. 21(2)(d)"), ("dora", "Art. 28(6)")} <= history


KNOWN = ["tls.a", "tls.b", "web.c"]
HEAD = '[framework]\nid = "x"\nname = "X"\nversion = "1"\ncitation = "X 1"\nmapping_date = "2026-12-07"\n'


def test_a_table_parses_with_globs_and_reasons() -> None:
    text = (
        HEAD
        + '[control."C-1"]\ntitle = "One"\nchecks = ["tls.*"]\n[not_applicable]\n"web.c" = "not covered"\n'
    )
    framework = parse_table(text, "x.toml", KNOWN)
    assert framework.controls[0].checks == ("tls.a", "tls.b")
    assert framework.not_applicable == {"web.c": "not covered"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[control."C"]\ntitle = "T"\nchecks = ["dns.*"]\n', "matches no check"),
        ('[control."C"]\nchecks = ["tls.a"]\n', "missing title"),
        ('[control."C"]\ntitle = "T"\nchecks = ["tls.a"]\nweight = 2\n', "unknown key"),
        ('[control."C"]\ntitle = "T"\n', "names no check"),
        (
            '[control."C"]\ntitle = "T"\nchecks = ["tls.a"]\n[not_applicable]\n"tls.a" = "x"\n',
            "maps to a control",
        ),
        ('[not_applicable]\n"web.c" = ""\n', "give the reason"),
        ("[extra]\n", "unknown table"),
    ],
)
def test_a_broken_table_is_refused_naming_the_file(body: str, message: str) -> None:
    with pytest.raises(ControlsError, match=message) as error:
        parse_table(HEAD + body, "broken.toml", KNOWN)
    assert "broken.toml" in str(error.value)


def test_a_plugin_fragment_adds_its_checks_to_a_control() -> None:
    base = {"x": parse_table(HEAD + '[control."C"]\ntitle = "T"\nchecks = ["tls.a"]\n', "x", KNOWN)}
    add_fragment(base, '[x.control."C"]\nchecks = ["web.c"]\n', "plugin/controls.toml", KNOWN)
    assert base["x"].controls[0].checks == ("tls.a", "web.c")
    with pytest.raises(ControlsError, match="unknown framework"):
        add_fragment(base, '[nope.control."C"]\nchecks = ["web.c"]\n', "p", KNOWN)


def test_framework_selection_is_checked() -> None:
    assert selected(["ISO27001", " nis2", "nis2"]) == ("iso27001", "nis2")
    assert set(selected(["all"])) == EXPECTED
    with pytest.raises(Exception, match="unknown framework iso9001"):
        selected(["iso9001"])


def test_the_frameworks_command_lists_them_and_one_framework_s_controls(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from scanner.cli import main

    assert main(["frameworks"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in EXPECTED)
    assert main(["frameworks", "iso27001"]) == 0
    shown = capsys.readouterr().out
    assert "A.8.24  Use of cryptography" in shown and "tls.protocol.tls10_tls11" in shown
    assert "answered by the vendor's history" in shown
    assert main(["frameworks", "iso9001"]) == 2
