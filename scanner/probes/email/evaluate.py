"""Pure verdicts on the email observations of one domain.

A check whose subject is absent (no SPF record, so no 'all' to judge) reports
"info: not applicable" rather than pass; a lookup that failed reports
"not assessed" with the reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from scanner.checks import finding as _f
from scanner.checks import not_assessed
from scanner.model import Finding, Observation, Severity, Status
from scanner.probes.email import dkim, dmarc, mtasts, reporting, spf
from scanner.probes.email.observations import (
    DkimObservation,
    DmarcObservation,
    MtaStsObservation,
    RecordObservation,
    SpfObservation,
)

SPF_IDS = (
    "email.spf.missing", "email.spf.invalid", "email.spf.too_many_lookups",
    "email.spf.permissive_all", "email.spf.softfail_all", "email.spf.ptr",
)  # fmt: skip
DMARC_IDS = (
    "email.dmarc.missing", "email.dmarc.invalid", "email.dmarc.policy_none",
    "email.dmarc.policy_quarantine", "email.dmarc.partial_pct", "email.dmarc.no_reporting",
    "email.dmarc.external_rua_unauthorized",
)  # fmt: skip
DKIM_IDS = (
    "email.dkim.not_found",
    "email.dkim.weak_key",
    "email.dkim.testing",
    "email.dkim.revoked",
)
STS_IDS = (
    "email.mta_sts.missing",
    "email.mta_sts.invalid",
    "email.mta_sts.testing",
    "email.mta_sts.mx_mismatch",
)
OTHER_IDS = ("email.tlsrpt.missing", "email.tlsrpt.invalid", "email.bimi.present")
ALL_IDS = (*SPF_IDS, *DMARC_IDS, *DKIM_IDS, *STS_IDS, *OTHER_IDS)
# What each gate leaves unjudged, named rather than sliced by position: the checks
# that need a record (after "missing"), and those that need a valid one.
SPF_NEEDS_RECORD = tuple(c for c in SPF_IDS if c != "email.spf.missing")
DMARC_NEEDS_RECORD = tuple(c for c in DMARC_IDS if c != "email.dmarc.missing")
DMARC_NEEDS_VALID = tuple(c for c in DMARC_NEEDS_RECORD if c != "email.dmarc.invalid")
DKIM_NEEDS_KEY = tuple(c for c in DKIM_IDS if c != "email.dkim.not_found")
STS_NEEDS_RECORD = tuple(c for c in STS_IDS if c != "email.mta_sts.missing")
STS_NEEDS_POLICY = tuple(c for c in STS_NEEDS_RECORD if c != "email.mta_sts.invalid")
TLSRPT_IDS = ("email.tlsrpt.missing", "email.tlsrpt.invalid")

_CONCLUSIVE = ("ok", "nodata", "nxdomain")


_na = not_assessed


def _inapplicable(check_id: str, domain: str, why: str) -> Finding:
    return _f(check_id, Status.INFO, domain, f"Not applicable to {domain}: {why}.")


def evaluate_domain(domain: str, observations: Sequence[Observation]) -> list[Finding]:
    findings: list[Finding] = []
    for obs in observations:
        if isinstance(obs, SpfObservation):
            findings += evaluate_spf(obs)
        elif isinstance(obs, DmarcObservation):
            findings += evaluate_dmarc(obs)
        elif isinstance(obs, DkimObservation):
            findings += evaluate_dkim(obs)
        elif isinstance(obs, MtaStsObservation):
            findings += evaluate_mta_sts(obs)
        elif isinstance(obs, RecordObservation):
            findings += evaluate_record(obs)
    return findings


# --- SPF ---------------------------------------------------------------------


def evaluate_spf(obs: SpfObservation) -> list[Finding]:
    d = obs.domain
    if not obs.outcome.startswith(_CONCLUSIVE):
        return [_na(c, d, f"the TXT lookup failed ({obs.outcome})") for c in SPF_IDS]
    if not obs.records:
        missing = _f(
            "email.spf.missing",
            Status.FAIL,
            d,
            f"{d} publishes no SPF record: anyone can send mail claiming to come from it and pass SPF-less receivers' checks.",
        )
        return [missing, *(_inapplicable(c, d, "no SPF record") for c in SPF_NEEDS_RECORD)]
    out = [
        _f(
            "email.spf.missing",
            Status.PASS,
            d,
            f"{d} publishes an SPF record.",
            record=obs.records[0],
        )
    ]
    if obs.errors:
        out.append(
            _f(
                "email.spf.invalid",
                Status.FAIL,
                d,
                f"The SPF policy of {d} is invalid, so receivers return permerror: {obs.errors[0]}"
                + (f" (+{len(obs.errors) - 1} more)" if len(obs.errors) > 1 else ""),
                errors=list(obs.errors),
            )
        )
    elif obs.inconclusive:
        out.append(_na("email.spf.invalid", d, obs.inconclusive[0]))
    else:
        out.append(
            _f(
                "email.spf.invalid",
                Status.PASS,
                d,
                f"The SPF policy of {d} parses and every include resolves.",
            )
        )
    if obs.lookups > spf.LOOKUP_LIMIT or obs.void_lookups > spf.VOID_LIMIT:
        out.append(
            _f(
                "email.spf.too_many_lookups",
                Status.FAIL,
                d,
                f"Evaluating the SPF policy of {d} takes {obs.lookups} DNS lookups ({obs.void_lookups} void); receivers stop at {spf.LOOKUP_LIMIT} ({spf.VOID_LIMIT} void) with permerror.",
                lookups=obs.lookups,
                void_lookups=obs.void_lookups,
            )
        )
    elif obs.inconclusive:
        out.append(_na("email.spf.too_many_lookups", d, obs.inconclusive[0]))
    else:
        out.append(
            _f(
                "email.spf.too_many_lookups",
                Status.PASS,
                d,
                f"The SPF policy of {d} needs {obs.lookups} DNS lookups (limit {spf.LOOKUP_LIMIT}).",
                lookups=obs.lookups,
                void_lookups=obs.void_lookups,
            )
        )
    qualifier = obs.effective_all
    if qualifier in ("+", "?"):
        finding = _f(
            "email.spf.permissive_all",
            Status.FAIL,
            d,
            f"The SPF policy of {d} ends in '{qualifier}all', which {'authorizes every sender' if qualifier == '+' else 'gives no verdict for unlisted senders'}.",
            all=f"{qualifier}all",
        )
        out.append(
            finding if qualifier == "+" else dataclasses.replace(finding, severity=Severity.HIGH)
        )
    else:
        out.append(
            _f(
                "email.spf.permissive_all",
                Status.PASS,
                d,
                f"The SPF policy of {d} does not end in +all or ?all.",
                all=f"{qualifier}all" if qualifier else None,
            )
        )
    if qualifier == "~":
        out.append(
            _f(
                "email.spf.softfail_all",
                Status.FAIL,
                d,
                f"The SPF policy of {d} ends in '~all' (softfail): unlisted senders are only marked, not rejected; DMARC enforcement matters all the more.",
                all="~all",
            )
        )
    elif qualifier == "-":
        out.append(
            _f("email.spf.softfail_all", Status.PASS, d, f"The SPF policy of {d} ends in '-all'.")
        )
    else:
        out.append(
            _inapplicable("email.spf.softfail_all", d, "the policy does not end in ~all or -all")
        )
    if obs.uses_ptr:
        out.append(
            _f(
                "email.spf.ptr",
                Status.FAIL,
                d,
                f"The SPF policy of {d} uses the deprecated 'ptr' mechanism (RFC 7208 section 5.5), which is slow and unreliable.",
            )
        )
    else:
        out.append(
            _f("email.spf.ptr", Status.PASS, d, f"The SPF policy of {d} does not use 'ptr'.")
        )
    return out


# --- DMARC -------------------------------------------------------------------


def evaluate_dmarc(obs: DmarcObservation) -> list[Finding]:
    d = obs.domain
    if obs.inconclusive:
        return [_na(c, d, f"the DMARC lookup failed ({obs.inconclusive})") for c in DMARC_IDS]
    context = {
        "found_at": obs.found_at,
        "queried": list(obs.queried),
        "rfc7489_location": obs.rfc7489_location,
    }
    if obs.found_at != obs.rfc7489_location:
        context["note"] = (
            f"RFC 7489's Public Suffix List rule (organizational domain {obs.org_domain_psl}) would find {'_dmarc.' + obs.rfc7489_location if obs.rfc7489_location else 'no record'}"
        )
    if not obs.records:
        missing = _f(
            "email.dmarc.missing",
            Status.FAIL,
            d,
            f"No DMARC policy applies to {d}: receivers have no instruction for mail that fails SPF and DKIM alignment.",
            **context,
        )
        return [missing, *(_inapplicable(c, d, "no DMARC record") for c in DMARC_NEEDS_RECORD)]
    out = [
        _f(
            "email.dmarc.missing",
            Status.PASS,
            d,
            f"A DMARC policy applies to {d} (found at _dmarc.{obs.found_at}).",
            **context,
        )
    ]
    if len(obs.records) > 1:
        out.append(
            _f(
                "email.dmarc.invalid",
                Status.FAIL,
                d,
                f"_dmarc.{obs.found_at} holds {len(obs.records)} DMARC records; receivers ignore them all.",
                records=list(obs.records),
            )
        )
        return out + [_inapplicable(c, d, "the DMARC record is invalid") for c in DMARC_NEEDS_VALID]
    record = dmarc.parse(obs.records[0])
    if not record.valid:
        out.append(
            _f(
                "email.dmarc.invalid",
                Status.FAIL,
                d,
                f"The DMARC record of {d} is invalid: {'; '.join(record.errors)}.",
                record=record.text,
                errors=list(record.errors),
            )
        )
        return out + [_inapplicable(c, d, "the DMARC record is invalid") for c in DMARC_NEEDS_VALID]
    out.append(
        _f(
            "email.dmarc.invalid",
            Status.PASS,
            d,
            f"The DMARC record of {d} is valid.",
            record=record.text,
            warnings=list(record.warnings),
        )
    )
    # A subdomain found its policy at a parent: sp= (or np=) is what applies to it.
    policy = record.policy if obs.found_at == d else record.tags.get("sp", record.policy)
    evidence = {"p": record.policy, "applied": policy, "found_at": obs.found_at}
    out.append(
        _f(
            "email.dmarc.policy_none",
            Status.FAIL if policy == "none" else Status.PASS,
            d,
            f"The DMARC policy of {d} is p={policy}"
            + (": monitoring only, spoofed mail is delivered." if policy == "none" else "."),
            **evidence,
        )
    )
    if policy == "quarantine":
        out.append(
            _f(
                "email.dmarc.policy_quarantine",
                Status.FAIL,
                d,
                f"The DMARC policy of {d} is quarantine: spoofed mail lands in spam folders instead of being rejected.",
                **evidence,
            )
        )
    elif policy == "reject":
        out.append(
            _f(
                "email.dmarc.policy_quarantine",
                Status.PASS,
                d,
                f"The DMARC policy of {d} is reject.",
                **evidence,
            )
        )
    else:
        out.append(_inapplicable("email.dmarc.policy_quarantine", d, f"the policy is {policy}"))
    partial = [f"pct={record.pct}"] if record.pct < 100 else []
    partial += ["t=y (testing)"] if record.testing else []
    if partial:
        out.append(
            _f(
                "email.dmarc.partial_pct",
                Status.FAIL,
                d,
                f"The DMARC policy of {d} applies only partly: {', '.join(partial)}.",
                tags=partial,
            )
        )
    else:
        out.append(
            _f(
                "email.dmarc.partial_pct",
                Status.PASS,
                d,
                f"The DMARC policy of {d} applies to all mail.",
            )
        )
    if record.rua:
        out.append(
            _f(
                "email.dmarc.no_reporting",
                Status.PASS,
                d,
                f"{d} asks for aggregate reports.",
                rua=record.rua,
            )
        )
    else:
        out.append(
            _f(
                "email.dmarc.no_reporting",
                Status.FAIL,
                d,
                f"The DMARC record of {d} has no rua= address: nobody sees who sends mail in the domain's name.",
            )
        )
    out.append(_external_rua(d, obs))
    return out


def _external_rua(d: str, obs: DmarcObservation) -> Finding:
    check = "email.dmarc.external_rua_unauthorized"
    unauthorized = [dest for dest, outcome in obs.rua_authorizations if outcome == "unauthorized"]
    unknown = [
        f"{dest} ({outcome})"
        for dest, outcome in obs.rua_authorizations
        if outcome.startswith("inconclusive")
    ]
    if unauthorized:
        return _f(
            check,
            Status.FAIL,
            d,
            f"Reports for {d} go to {', '.join(unauthorized)}, which does not accept them (no {obs.found_at}._report._dmarc record, RFC 7489 section 7.1): receivers drop those reports.",
            destinations=unauthorized,
        )
    if unknown:
        return _na(check, d, f"authorization lookups failed: {', '.join(unknown)}")
    if not obs.rua_authorizations:
        return _inapplicable(check, d, "no report destination outside the domain's organization")
    return _f(
        check,
        Status.PASS,
        d,
        f"Every external report destination of {d} authorizes it.",
        destinations=[dest for dest, _ in obs.rua_authorizations],
    )


# --- DKIM --------------------------------------------------------------------


def evaluate_dkim(obs: DkimObservation) -> list[Finding]:
    d = obs.domain
    keys = [(sel, dkim.parse(text)) for sel, text in obs.found]
    if not keys:
        if obs.failed and len(obs.failed) == len(obs.selectors):
            return [_na(c, d, "every selector lookup failed") for c in DKIM_IDS]
        missing = _f(
            "email.dkim.not_found",
            Status.WARN,
            d,
            f"No DKIM key found for {d} among {len(obs.selectors)} common selectors. The provider may use another selector: ask for it (--dkim-selector).",
            selectors=len(obs.selectors),
        )
        return [missing, *(_inapplicable(c, d, "no DKIM key found") for c in DKIM_NEEDS_KEY)]
    names = [sel for sel, _ in keys]
    out = [
        _f(
            "email.dkim.not_found",
            Status.PASS,
            d,
            f"DKIM keys found for {d}: selector(s) {', '.join(names)}.",
            selectors=names,
        )
    ]
    live = [(sel, k) for sel, k in keys if not k.revoked]
    weak = [
        (sel, k.key_bits)
        for sel, k in live
        if k.key_type == "rsa" and k.key_bits is not None and k.key_bits < 2048
    ]
    broken = [(sel, "; ".join(k.errors)) for sel, k in live if k.errors]
    if weak:
        smallest = min(bits for _, bits in weak if bits is not None)
        finding = _f(
            "email.dkim.weak_key",
            Status.FAIL,
            d,
            f"DKIM key(s) of {d} are too short: {', '.join(f'{s} ({b} bits)' for s, b in weak)}.",
            keys=[{"selector": s, "bits": b} for s, b in weak],
        )
        out.append(
            finding if smallest < 1024 else dataclasses.replace(finding, severity=Severity.MEDIUM)
        )
    elif broken:
        out.append(
            _f(
                "email.dkim.weak_key",
                Status.FAIL,
                d,
                f"DKIM key(s) of {d} cannot be used: {', '.join(f'{s}: {e}' for s, e in broken)}.",
                keys=[s for s, _ in broken],
            )
        )
    elif live:
        out.append(
            _f(
                "email.dkim.weak_key",
                Status.PASS,
                d,
                f"Every DKIM key of {d} is at least 2048 bits (or Ed25519).",
            )
        )
    else:
        out.append(_inapplicable("email.dkim.weak_key", d, "every key found is revoked"))
    testing = [sel for sel, k in live if k.testing]
    out.append(
        _f(
            "email.dkim.testing",
            Status.FAIL,
            d,
            f"DKIM key(s) of {d} are in testing mode (t=y): {', '.join(testing)}; receivers treat failures as if unsigned.",
            selectors=testing,
        )
        if testing
        else _f("email.dkim.testing", Status.PASS, d, f"No DKIM key of {d} is in testing mode.")
    )
    revoked = [sel for sel, k in keys if k.revoked]
    out.append(
        _f(
            "email.dkim.revoked",
            Status.FAIL,
            d,
            f"DKIM selector(s) of {d} publish a revoked (empty) key: {', '.join(revoked)}."
            + (" No usable key remains." if not live else ""),
            selectors=revoked,
        )
        if revoked
        else _f("email.dkim.revoked", Status.PASS, d, f"No DKIM key of {d} is revoked.")
    )
    return out


# --- MTA-STS ------------------------------------------------------------------


def evaluate_mta_sts(obs: MtaStsObservation) -> list[Finding]:
    d = obs.domain
    if not obs.outcome.startswith(_CONCLUSIVE):
        return [_na(c, d, f"the _mta-sts lookup failed ({obs.outcome})") for c in STS_IDS]
    if not obs.records:
        missing = _f(
            "email.mta_sts.missing",
            Status.FAIL,
            d,
            f"{d} publishes no MTA-STS policy: senders cannot insist on TLS, so a network attacker can strip STARTTLS.",
        )
        return [missing, *(_inapplicable(c, d, "no MTA-STS record") for c in STS_NEEDS_RECORD)]
    out = [_f("email.mta_sts.missing", Status.PASS, d, f"{d} publishes an MTA-STS record.")]
    problems: list[str] = []
    if len(obs.records) > 1:
        problems.append(f"{len(obs.records)} records at _mta-sts.{d}")
    problems += list(mtasts.parse_record(obs.records[0]).errors)
    policy = None
    if obs.policy_text is None:
        problems.append(f"the policy at {obs.policy_url} could not be fetched: {obs.policy_error}")
    else:
        policy = mtasts.parse_policy(obs.policy_text)
        problems += list(policy.errors)
        if obs.policy_content_type != "text/plain":
            problems.append(
                f"the policy is served as {obs.policy_content_type or 'no type'}, not text/plain"
            )
    if problems:
        out.append(
            _f(
                "email.mta_sts.invalid",
                Status.FAIL,
                d,
                f"The MTA-STS setup of {d} is invalid, so senders ignore it: {problems[0]}"
                + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
                problems=problems,
                url=obs.policy_url,
            )
        )
    else:
        out.append(
            _f(
                "email.mta_sts.invalid",
                Status.PASS,
                d,
                f"The MTA-STS policy of {d} is valid.",
                url=obs.policy_url,
            )
        )
    if policy is None or policy.mode is None:
        return out + [_inapplicable(c, d, "no usable policy") for c in STS_NEEDS_POLICY]
    if policy.mode == "enforce":
        out.append(
            _f("email.mta_sts.testing", Status.PASS, d, f"The MTA-STS policy of {d} is enforced.")
        )
    else:
        out.append(
            _f(
                "email.mta_sts.testing",
                Status.FAIL,
                d,
                f"The MTA-STS policy of {d} is in mode '{policy.mode}': senders report failures but still deliver without TLS.",
                mode=policy.mode,
            )
        )
    unmatched = [mx for mx in obs.mx_hosts if not any(mtasts.mx_matches(p, mx) for p in policy.mx)]
    if not obs.mx_hosts:
        out.append(_inapplicable("email.mta_sts.mx_mismatch", d, "the domain has no MX host"))
    elif unmatched:
        out.append(
            _f(
                "email.mta_sts.mx_mismatch",
                Status.FAIL,
                d,
                f"MX host(s) of {d} not covered by the MTA-STS policy: {', '.join(unmatched)}; enforcing senders will refuse to deliver to them.",
                unmatched=unmatched,
                patterns=list(policy.mx),
            )
        )
    else:
        out.append(
            _f(
                "email.mta_sts.mx_mismatch",
                Status.PASS,
                d,
                f"Every MX host of {d} matches the MTA-STS policy.",
                patterns=list(policy.mx),
            )
        )
    return out


# --- TLS-RPT and BIMI --------------------------------------------------------------


def evaluate_record(obs: RecordObservation) -> list[Finding]:
    d = obs.domain
    if obs.record_kind == "tlsrpt":
        if not obs.outcome.startswith(_CONCLUSIVE):
            return [_na(c, d, f"the {obs.name} lookup failed ({obs.outcome})") for c in TLSRPT_IDS]
        records = [t for t in obs.texts if reporting.is_tlsrpt(t)]
        if not records:
            return [
                _f(
                    "email.tlsrpt.missing",
                    Status.FAIL,
                    d,
                    f"{d} publishes no TLS-RPT record (_smtp._tls): delivery failures over TLS go unreported.",
                ),
                _inapplicable("email.tlsrpt.invalid", d, "no TLS-RPT record"),
            ]
        parsed = reporting.parse_tlsrpt(records[0])
        errors = list(parsed.errors) + ([f"{len(records)} records"] if len(records) > 1 else [])
        invalid = (
            _f(
                "email.tlsrpt.invalid",
                Status.FAIL,
                d,
                f"The TLS-RPT record of {d} is invalid: {'; '.join(errors)}.",
                record=records[0],
            )
            if errors
            else _f(
                "email.tlsrpt.invalid",
                Status.PASS,
                d,
                f"The TLS-RPT record of {d} is valid.",
                rua=list(parsed.rua),
            )
        )
        return [
            _f("email.tlsrpt.missing", Status.PASS, d, f"{d} publishes a TLS-RPT record."),
            invalid,
        ]
    if not obs.outcome.startswith(_CONCLUSIVE):
        return [_na("email.bimi.present", d, f"the {obs.name} lookup failed ({obs.outcome})")]
    records = [t for t in obs.texts if reporting.is_bimi(t)]
    if records:
        bimi = reporting.parse_bimi(records[0])
        return [
            _f(
                "email.bimi.present",
                Status.PASS,
                d,
                f"{d} publishes a BIMI record" + (f" (logo {bimi.logo})." if bimi.logo else "."),
                record=records[0],
                errors=list(bimi.errors),
            )
        ]
    return [
        _f(
            "email.bimi.present",
            Status.INFO,
            d,
            f"{d} publishes no BIMI record (optional brand logo in mail clients).",
        )
    ]
