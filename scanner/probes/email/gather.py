"""How the email probe sees: SPF, DMARC, DKIM, MTA-STS, TLS-RPT and BIMI records
through the scan's resolver (and the MTA-STS policy over HTTPS), with independent
lookups in parallel and each TXT name asked once."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cache

from publicsuffixlist import PublicSuffixList

from scanner.concurrency import DaemonPool
from scanner.model import Observation, Target
from scanner.net.resolver import Resolver
from scanner.observations.dns import DnsOutcome, DnsRecords, HostAddresses, describe
from scanner.probes.base import ProbeContext
from scanner.probes.discovery.records import mx_hosts
from scanner.probes.email import dmarc, mtasts, spf
from scanner.probes.email.dkim import COMMON_SELECTORS
from scanner.probes.email.observations import (
    DkimObservation,
    DmarcObservation,
    MtaStsObservation,
    RecordObservation,
    SpfObservation,
)


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()  # the snapshot shipped in the package; nothing is fetched


def org_domain(name: str) -> str:
    """RFC 7489's organizational domain (Public Suffix List), for comparison only."""
    return _psl().privatesuffix(name.lower().rstrip(".")) or name.lower().rstrip(".")


@dataclass(frozen=True)
class TxtAnswer:
    outcome: DnsOutcome
    reason: str  # why the lookup failed ("" when it answered)
    texts: list[str]


class TxtCache:
    """Each TXT name is asked once per scan, whichever check needs it first."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._answers: dict[str, TxtAnswer] = {}
        self._lock = threading.Lock()

    def answer(self, name: str) -> TxtAnswer:
        with self._lock:
            if name in self._answers:
                return self._answers[name]
        answer = self.resolver.query(name, "TXT")
        if answer.outcome.conclusive:
            result = TxtAnswer(answer.outcome, "", list(answer.records))
        else:
            result = TxtAnswer(answer.outcome, answer.reason, [])
        with self._lock:
            self._answers[name] = result
        return result

    def __call__(self, name: str) -> tuple[str, list[str]]:
        """The answer as the SPF and DMARC walks read it: the outcome in words
        ("timeout: 2.0 s"), which they quote in what they could not follow."""
        answer = self.answer(name)
        return describe(answer.outcome, answer.reason), answer.texts


def gather(target: Target, context: ProbeContext) -> list[Observation]:
    """Each domain's SPF, DMARC, DKIM, MTA-STS, TLS-RPT and BIMI, looked up in parallel."""
    txt = TxtCache(context.resolver)
    discovery = context.upstream["dns-discovery"]
    hosts = discovery.observations_of(HostAddresses)
    out: list[Observation] = []
    with DaemonPool(16, name="email") as pool:
        for domain in target.domains:
            mx = tuple(sorted(mx_hosts(domain, discovery.observations_of(DnsRecords))))
            sts_host = next((h for h in hosts if h.host == f"mta-sts.{domain}"), None)
            jobs: list[Future[Observation]] = [
                pool.submit(_spf, domain, txt, context.resolver),
                pool.submit(_dmarc, domain, txt),
                pool.submit(_dkim, domain, txt, context.profile.setting("dkim", "selectors")),
                pool.submit(_mta_sts, domain, txt, context, sts_host, mx),
                pool.submit(_record, "tlsrpt", f"_smtp._tls.{domain}", domain, txt),
                pool.submit(_record, "bimi", f"default._bimi.{domain}", domain, txt),
            ]
            out.extend(job.result() for job in jobs)
    return out


def _spf(domain: str, txt: TxtCache, resolver: Resolver) -> SpfObservation:
    looked = txt.answer(domain)
    records = tuple(t for t in looked.texts if spf.is_spf(t))

    def exists(name: str, rdtype: str) -> str:
        return str(resolver.query(name, rdtype).outcome)

    if not looked.outcome.conclusive:
        failed = describe(looked.outcome, looked.reason)
        return SpfObservation(
            domain, looked.outcome, records, 0, 0, (), (failed,), None, False,
            outcome_reason=looked.reason,
        )  # fmt: skip
    result = spf.evaluate(domain, txt, exists)
    uses_ptr = _any_ptr(result.tree)
    return SpfObservation(
        domain=domain,
        outcome=looked.outcome,
        records=records,
        lookups=result.lookups,
        void_lookups=result.void_lookups,
        errors=tuple(result.errors),
        inconclusive=tuple(result.inconclusive),
        effective_all=result.effective_all,
        uses_ptr=uses_ptr,
        missing_includes=tuple(result.missing_includes),
    )


def _any_ptr(tree: spf.SpfTree) -> bool:
    if tree.record is not None and tree.record.uses("ptr"):
        return True
    return any(_any_ptr(child) for child in tree.children)


def _dmarc(domain: str, txt: TxtCache) -> DmarcObservation:
    found = dmarc.discover(domain, txt)
    org = org_domain(domain)
    # Where RFC 7489 would have looked: the domain itself, then its PSL organizational domain.
    legacy_location = None
    for name in dict.fromkeys((domain, org)):
        _, texts = txt(f"_dmarc.{name}")
        if any(dmarc.is_dmarc(t) for t in texts):
            legacy_location = name
            break
    authorizations: list[tuple[str, str]] = []
    if len(found.records) == 1 and found.found_at:
        record = dmarc.parse(found.records[0])
        for uri in record.rua:
            dest = dmarc.rua_domain(uri)
            if org_domain(dest) == org_domain(found.found_at):
                continue
            looked = txt.answer(f"{found.found_at}._report._dmarc.{dest}")
            if any(dmarc.is_dmarc(t) for t in looked.texts):
                authorizations.append((dest, "authorized"))
            elif looked.outcome.conclusive:
                authorizations.append((dest, "unauthorized"))
            else:
                failed = describe(looked.outcome, looked.reason)
                authorizations.append((dest, f"inconclusive: {failed}"))
    return DmarcObservation(
        domain=domain,
        found_at=found.found_at,
        records=found.records,
        queried=found.queried,
        inconclusive=found.inconclusive,
        org_domain_psl=org,
        rfc7489_location=legacy_location,
        rua_authorizations=tuple(authorizations),
    )


def _dkim(domain: str, txt: TxtCache, extra: Sequence[str]) -> DkimObservation:
    selectors = tuple(dict.fromkeys((*extra, *COMMON_SELECTORS)))
    zone = txt.answer(f"_domainkey.{domain}")
    # A pool of its own: waiting on the outer pool from inside it could starve it.
    with DaemonPool(8, name="dkim") as pool:
        answers = list(pool.map(lambda s: (s, txt.answer(f"{s}._domainkey.{domain}")), selectors))
    found = tuple((s, text) for s, a in answers for text in a.texts if "p=" in text)
    failed = tuple(
        f"{s}: {describe(a.outcome, a.reason)}" for s, a in answers if not a.outcome.conclusive
    )
    return DkimObservation(domain, selectors, found, failed, zone.outcome)


def _mta_sts(
    domain: str,
    txt: TxtCache,
    context: ProbeContext,
    host: HostAddresses | None,
    mx: tuple[str, ...],
) -> MtaStsObservation:
    looked = txt.answer(f"_mta-sts.{domain}")
    records = tuple(t for t in looked.texts if mtasts.is_sts_record(t))
    base = MtaStsObservation(
        domain, looked.outcome, records, mx_hosts=mx, outcome_reason=looked.reason
    )
    if not records or context.http is None:
        return base
    url = f"https://mta-sts.{domain}/.well-known/mta-sts.txt"
    if host is None or not host.addresses:
        why = "; ".join(r for _, r in host.refused) if host and host.refused else None
        reason = (
            why
            or f"mta-sts.{domain} does not resolve ({host.outcome if host else 'not looked up'})"
        )
        return _replace(base, policy_url=url, policy_error=reason)
    response = context.http.get(f"mta-sts.{domain}", host.addresses[0], "/.well-known/mta-sts.txt")
    if response.status is None:
        return _replace(base, policy_url=url, policy_error=response.error)
    if response.status != 200:
        location = response.header("location")
        redirect = (
            f" (redirect to {location}, which RFC 8461 forbids following)" if location else ""
        )
        return _replace(base, policy_url=url, policy_error=f"HTTP {response.status}{redirect}")
    if response.truncated or len(response.body) > mtasts.MAX_POLICY_BYTES:
        return _replace(base, policy_url=url, policy_error="the policy is larger than 64 KiB")
    content_type = (response.header("content-type") or "").split(";")[0].strip().lower()
    return _replace(
        base,
        policy_url=url,
        policy_text=response.body.decode("utf-8", errors="replace"),
        policy_content_type=content_type,
    )


def _replace(obs: MtaStsObservation, **changes: object) -> MtaStsObservation:
    return dataclasses.replace(obs, **changes)  # type: ignore[arg-type]


def _record(kind: str, name: str, domain: str, txt: TxtCache) -> RecordObservation:
    looked = txt.answer(name)
    return RecordObservation(
        domain, kind, name, looked.outcome, tuple(looked.texts), outcome_reason=looked.reason
    )
