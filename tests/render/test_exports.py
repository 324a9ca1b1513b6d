"""SARIF, JUnit XML and OSCAL of the lab providers' real scans, read by the readers
pipelines and GRC tools use: the SARIF 2.1.0 schema (shipped in tests/fixtures),
junitparser, and NIST OSCAL's models in compliance-trestle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import Failure, JUnitXml, Skipped
from support.controls import PROVIDERS, with_frameworks
from trestle.oscal import assessment_plan, assessment_results

from scanner.cli import main
from scanner.options import OutputOptions
from scanner.pipeline.reports import write_reports
from scanner.render import RENDERERS, Format
from scanner.render.oscal import embedded_plan

SARIF_SCHEMA = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "schemas" / "sarif-schema-2.1.0.json").read_text()
)


def _failing(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["status"] == "fail"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_sarif_validates_with_a_rule_per_check_and_a_result_per_failure(provider: str) -> None:
    doc = with_frameworks(provider)
    log = json.loads(str(RENDERERS[Format.SARIF](doc)))
    validator = jsonschema.Draft7Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, errors[0]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) == len({f["check_id"] for f in doc["findings"]})
    assert all(r["help"]["text"] and "Remediation:" in r["help"]["text"] for r in rules)
    assert len(run["results"]) == len(_failing(doc))
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert result["locations"][0]["logicalLocations"][0]["name"]
    skipped = [f for f in doc["findings"] if f["status"] in ("not_assessed", "error")]
    assert len(run["invocations"][0]["toolExecutionNotifications"]) == len(skipped)


def test_sarif_names_host_and_port_and_the_controls() -> None:
    doc = with_frameworks("legacy")
    run = json.loads(str(RENDERERS[Format.SARIF](doc)))["runs"][0]
    telnet = next(r for r in run["results"] if r["ruleId"] == "service.cleartext_remote_access")
    assert telnet["locations"][0]["logicalLocations"][0]["name"].endswith(":23")
    assert telnet["level"] == "error"
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "tls.protocol.tls10_tls11")
    assert "Evidence toward: " in rule["help"]["text"] and "A.8.24" in rule["help"]["text"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_junit_parses_with_a_case_per_check(provider: str, tmp_path: Path) -> None:
    doc = with_frameworks(provider)
    path = tmp_path / "r.junit.xml"
    rendered = RENDERERS[Format.JUNIT](doc)
    assert isinstance(rendered, dict)
    path.write_text(rendered["junit.xml"], "utf-8")
    xml = JUnitXml.fromfile(str(path))
    cases = [case for suite in xml for case in suite]
    by_check = {c.name.split(":", 1)[0]: c for c in cases}
    assert set(by_check) == {f["check_id"] for f in doc["findings"]}
    failed = {f["check_id"] for f in _failing(doc)}
    for check_id, case in by_check.items():
        kinds = {type(r) for r in case.result}
        assert (Failure in kinds) == (check_id in failed), check_id
    skipped = sum(1 for c in cases if any(isinstance(r, Skipped) for r in c.result))
    assert xml.skipped == skipped and xml.failures == len(failed)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_oscal_assessment_results_validate_with_their_plan(provider: str) -> None:
    doc = with_frameworks(provider)
    rendered = RENDERERS[Format.OSCAL](doc)
    assert isinstance(rendered, dict)
    data = json.loads(rendered["oscal.json"])
    model = assessment_results.Model.model_validate(data)
    result = model.assessment_results.results[0]
    assert len(result.observations or []) == len({f["check_id"] for f in doc["findings"]})
    weak = [
        c
        for f in doc["controls"]["frameworks"]
        for c in f["controls"]
        if c["evidence"] in ("weakness", "accepted")
    ]
    assert len(result.findings or []) == len(weak)
    states = {
        getattr(f.target.status.state, "value", f.target.status.state)
        for f in result.findings or []
    }
    assert states <= {"not-satisfied"}
    assessment_plan.Model.model_validate(embedded_plan(data))


def test_oscal_without_frameworks_reviews_all_and_refuses_what_is_not_oscal() -> None:
    doc = with_frameworks("broken", ())
    data = json.loads(RENDERERS[Format.OSCAL](doc)["oscal.json"])  # type: ignore[index]
    assessment_results.Model.model_validate(data)
    assert "findings" not in data["assessment-results"]["results"][0]
    data["assessment-results"]["results"][0]["verdict"] = "compliant"
    with pytest.raises(ValueError):
        assessment_results.Model.model_validate(data)


def test_verify_covers_the_exports_through_the_json(tmp_path: Path) -> None:
    doc = with_frameworks("legacy", ("iso27001",))
    paths = write_reports(doc, OutputOptions.build("sarif,junit,oscal", tmp_path))
    exports = [p for p in paths if not p.name.endswith(".json") or p.name.endswith(".oscal.json")]
    assert {p.name.split(".", 1)[1] for p in exports} == {"sarif", "junit.xml", "oscal.json"}
    for path in exports:
        assert main(["verify", str(path)]) == 0, path
        path.write_text(path.read_text("utf-8").replace("legacy", "1egacy", 1), "utf-8")
        assert main(["verify", str(path)]) == 1, path
