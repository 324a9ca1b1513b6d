"""DNSSEC validation of a zone by vetscan itself (dnspython; the second half of the
DNS adapter next to ``resolver.py``).

The chain is built from a trust anchor (the IANA root KSKs by default, or the
DS/DNSKEY records in ``--trust-anchors``) down to the zone apex: DNSKEY sets
are checked against DS digests and their own signatures, DS sets against the
parent's keys, and finally the apex SOA against the zone's keys. A zone with no
DNSKEY is "unsigned". A missing DS at a signed parent makes the delegation
"insecure"; the NSEC/NSEC3 proof of that absence is not verified (the answer
is reported as insecure either way, never as secure).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset

from scanner.errors import InputError, VetscanError
from scanner.inputs import InputFileError, read_input_text
from scanner.net.resolver import Resolver

ROOT_ANCHORS = (
    # IANA root KSK-2017 and KSK-2024 (https://data.iana.org/root-anchors/root-anchors.xml)
    ". DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ". DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
)


class AnchorError(InputError):
    """A trust-anchor file that cannot be used."""


@dataclass(frozen=True)
class DnssecStatus:
    zone: str
    status: str  # secure, insecure, unsigned, bogus, indeterminate
    reason: str = ""
    anchor: str = ""
    ad_flag: bool = False  # what the resolver itself said (only a validating resolver sets it)


def load_anchors(path: Path | None) -> dict[str, list[str]]:
    """Anchor lines by zone name: 'name. [TTL] [IN] DS|DNSKEY rdata'."""
    lines = list(ROOT_ANCHORS) if path is None else _read(path)
    anchors: dict[str, list[str]] = {}
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            continue
        try:
            index = next(i for i, p in enumerate(parts) if p.upper() in ("DS", "DNSKEY"))
        except StopIteration:
            raise AnchorError(f"{path}: line {number} is not a DS or DNSKEY record") from None
        name = dns.name.from_text(parts[0]).to_text()
        rdata = " ".join(parts[index:])
        try:
            dns.rrset.from_text(name, 0, "IN", parts[index].upper(), " ".join(parts[index + 1 :]))
        except (dns.exception.DNSException, ValueError) as exc:
            raise AnchorError(f"{path}: line {number}: {exc}") from None
        anchors.setdefault(name, []).append(rdata)
    if not anchors:
        raise AnchorError(f"{path}: no DS or DNSKEY record")
    return anchors


def _read(path: Path) -> list[str]:
    try:
        text = read_input_text(path, "trust anchors")
    except InputFileError as exc:
        raise AnchorError(str(exc)) from None
    return [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(";")
    ]


class Bogus(VetscanError):
    pass


class _Failed(VetscanError):
    """A lookup failed: the verdict cannot be reached."""


# Caps on signature checks, as resolvers set them after KeyTrap (CVE-2023-50387): a
# zone with many keys sharing one key tag and many bogus signatures otherwise costs a
# validator one verification per (signature, key) pair. Legitimate zones need one or
# two signatures per RRset and rarely more than two keys per tag.
MAX_SIGNATURES_PER_RRSET = 8
MAX_KEYS_PER_SIGNATURE = 4
MAX_VALIDATIONS_PER_SCAN = 256


class BudgetExceeded(VetscanError):
    """Validating would take more signature checks than a scan allows."""


class _Budget:
    def __init__(self, total: int) -> None:
        self.left = total
        self._lock = threading.Lock()

    def spend(self) -> None:
        with self._lock:
            if self.left <= 0:
                raise BudgetExceeded(
                    f"validation budget exceeded: more than {MAX_VALIDATIONS_PER_SCAN} "
                    "signature checks in this scan (a KeyTrap-style zone?)"
                )
            self.left -= 1


class DnssecValidator:
    def __init__(self, resolver: Resolver, anchors: dict[str, list[str]]) -> None:
        self.resolver = resolver
        self.anchors = anchors
        # One verdict per zone and scan: the DNS-health and DANE probes ask about the
        # same zones (a domain and its MX hosts) from several threads.
        self._verdicts: dict[str, DnssecStatus] = {}
        self._lock = threading.Lock()
        self._budget = _Budget(MAX_VALIDATIONS_PER_SCAN)

    def _query(self, name: str, rdtype: str) -> dns.message.Message:
        response = self.resolver.raw_query(name, rdtype)
        if isinstance(response, str):
            raise _Failed(f"{rdtype} lookup for {name} failed: {response}")
        return response

    @staticmethod
    def _find(
        message: dns.message.Message, name: str, rdtype: dns.rdatatype.RdataType
    ) -> tuple[dns.rrset.RRset | None, dns.rrset.RRset | None]:
        owner = dns.name.from_text(name)
        rrset = sig = None
        for candidate in message.answer:
            if candidate.name != owner:
                continue
            if candidate.rdtype == rdtype:
                rrset = candidate
            elif candidate.rdtype == dns.rdatatype.RRSIG and candidate.covers == rdtype:
                sig = candidate
        return rrset, sig

    def zone_apex(self, domain: str) -> str:
        response = self._query(domain, "SOA")
        owner = dns.name.from_text(domain)
        for section in (response.answer, response.authority):
            for rrset in section:
                if rrset.rdtype == dns.rdatatype.SOA and owner.is_subdomain(rrset.name):
                    return str(rrset.name.to_text())
        raise _Failed(f"no SOA found for {domain}")

    def status(self, domain: str) -> DnssecStatus:
        try:
            apex = self.zone_apex(domain)
        except _Failed as exc:
            return DnssecStatus(domain, "indeterminate", str(exc))
        with self._lock:
            known = self._verdicts.get(apex)
        if known is not None:
            return known
        try:
            verdict = self._status(apex)
        except _Failed as exc:
            return DnssecStatus(apex, "indeterminate", str(exc))
        except BudgetExceeded as exc:
            verdict = DnssecStatus(apex, "indeterminate", str(exc))
        with self._lock:
            self._verdicts[apex] = verdict
        return verdict

    def _status(self, apex: str) -> DnssecStatus:
        soa_message = self._query(apex, "SOA")
        ad = bool(soa_message.flags & dns.flags.AD)
        keys, _ = self._find(self._query(apex, "DNSKEY"), apex, dns.rdatatype.DNSKEY)
        soa, soa_sig = self._find(soa_message, apex, dns.rdatatype.SOA)
        if keys is None:
            return DnssecStatus(apex, "unsigned", f"{apex} publishes no DNSKEY", ad_flag=ad)
        anchor = self._closest_anchor(apex)
        if anchor is None:
            return DnssecStatus(
                apex, "indeterminate", "signed, but no trust anchor covers the zone", ad_flag=ad
            )
        try:
            insecure, zone_keys = self._walk(anchor, apex)
            if insecure is not None:
                return DnssecStatus(apex, "insecure", insecure, anchor, ad)
            if soa is None or soa_sig is None:
                raise Bogus(f"the SOA of {apex} carries no signature")
            self._validate(soa, soa_sig, apex, zone_keys)
        except Bogus as exc:
            return DnssecStatus(apex, "bogus", str(exc), anchor, ad)
        return DnssecStatus(
            apex, "secure", f"chain validated from the anchor for {anchor}", anchor, ad
        )

    def _validate(
        self, rrset: dns.rrset.RRset, sig: dns.rrset.RRset, signer: str, keys: dns.rrset.RRset
    ) -> None:
        _validate(rrset, sig, signer, keys, self._budget)

    def _closest_anchor(self, apex: str) -> str | None:
        name = dns.name.from_text(apex)
        covering = [a for a in self.anchors if name.is_subdomain(dns.name.from_text(a))]
        return max(covering, key=lambda a: len(dns.name.from_text(a)), default=None)

    def _walk(self, anchor: str, apex: str) -> tuple[str | None, dns.rrset.RRset]:
        """Validate from the anchor down to the apex: (why the chain stops short, or
        None when it reaches the apex; the last trusted DNSKEY set)."""
        signer = anchor
        keys = self._trusted_keys(anchor, self._anchor_ds(anchor))
        target = dns.name.from_text(apex)
        labels = target.relativize(dns.name.from_text(anchor)).labels
        for depth in range(len(labels) - 1, -1, -1):
            child = dns.name.Name(labels[depth:]).concatenate(dns.name.from_text(anchor)).to_text()
            ds, ds_sig = self._find(self._query(child, "DS"), child, dns.rdatatype.DS)
            if ds is None:
                if child == apex:
                    why = f"{signer} is signed but has no DS for {apex}: an insecure delegation"
                    return why, keys
                continue  # not a zone cut; the same keys sign further down
            if ds_sig is None:
                raise Bogus(f"the DS set of {child} is not signed")
            self._validate(ds, ds_sig, signer, keys)
            keys = self._trusted_keys(child, ds)
            signer = child
        return None, keys

    def _anchor_ds(self, anchor: str) -> dns.rrset.RRset | list[dns.rrset.RRset]:
        lines = self.anchors[anchor]
        ds_lines = [line for line in lines if line.upper().startswith("DS")]
        if ds_lines:
            return dns.rrset.from_text_list(
                anchor, 0, "IN", "DS", [line[2:].strip() for line in ds_lines]
            )
        key_lines = [line[6:].strip() for line in lines if line.upper().startswith("DNSKEY")]
        return [dns.rrset.from_text_list(anchor, 0, "IN", "DNSKEY", key_lines)]

    def _trusted_keys(
        self, zone: str, ds: dns.rrset.RRset | list[dns.rrset.RRset]
    ) -> dns.rrset.RRset:
        keys, sig = self._find(self._query(zone, "DNSKEY"), zone, dns.rdatatype.DNSKEY)
        if keys is None:
            raise Bogus(f"{zone} has a DS at its parent but publishes no DNSKEY")
        if sig is None:
            raise Bogus(f"the DNSKEY set of {zone} is not signed")
        if isinstance(ds, list):  # anchored by DNSKEY records themselves
            entry = {k.to_text() for k in ds[0]}
            secure_entry = [k for k in keys if k.to_text() in entry]
        else:
            secure_entry = [k for k in keys if _ds_matches(zone, k, ds)]
        if not secure_entry:
            raise Bogus(f"no DNSKEY of {zone} matches its DS (or trust anchor)")
        entry_set = dns.rrset.from_rdata_list(zone, keys.ttl, secure_entry)
        self._validate(keys, sig, zone, entry_set)
        return keys


def _ds_matches(zone: str, key: object, ds_set: Iterable[object]) -> bool:
    for ds in ds_set:
        digest_type = ds.digest_type  # type: ignore[attr-defined]
        try:
            made = dns.dnssec.make_ds(zone, key, digest_type)  # type: ignore[arg-type]
        except (dns.exception.UnsupportedAlgorithm, ValueError):
            continue
        if made == ds:
            return True
    return False


def _validate(
    rrset: dns.rrset.RRset,
    sig: dns.rrset.RRset,
    signer: str,
    keys: dns.rrset.RRset,
    budget: _Budget,
) -> None:
    """Validates ``rrset`` with one of its signatures by one of ``keys``, trying at most
    MAX_SIGNATURES_PER_RRSET signatures and MAX_KEYS_PER_SIGNATURE keys per signature
    and spending one unit of ``budget`` per check. Bogus if every allowed check fails
    and none was left out; BudgetExceeded if some had to be left out."""
    owner = dns.name.from_text(signer)
    what = f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}"
    signatures = list(sig)
    left_out = len(signatures) > MAX_SIGNATURES_PER_RRSET
    last = "no signature by a key of the zone"
    for rrsig in signatures[:MAX_SIGNATURES_PER_RRSET]:
        candidates = [
            key
            for key in keys
            if key.algorithm == rrsig.algorithm and dns.dnssec.key_id(key) == rrsig.key_tag
        ]
        left_out = left_out or len(candidates) > MAX_KEYS_PER_SIGNATURE
        for key in candidates[:MAX_KEYS_PER_SIGNATURE]:
            budget.spend()
            one_key = dns.rrset.from_rdata_list(owner, keys.ttl, [key])
            try:
                dns.dnssec.validate_rrsig(rrset, rrsig, {owner: one_key})
                return
            except dns.exception.ValidationFailure as exc:
                last = str(exc)
            except dns.exception.UnsupportedAlgorithm as exc:
                raise Bogus(f"unsupported algorithm: {exc}") from None
    if left_out:
        raise BudgetExceeded(
            f"validation budget exceeded: {what} has {len(signatures)} signatures and up to "
            f"{max((sum(1 for k in keys if dns.dnssec.key_id(k) == s.key_tag) for s in signatures), default=0)} "
            f"keys per key tag; vetscan checks at most {MAX_SIGNATURES_PER_RRSET} signatures "
            f"and {MAX_KEYS_PER_SIGNATURE} keys per tag (KeyTrap, CVE-2023-50387)"
        )
    inception, expiration = _window(sig)
    raise Bogus(f"the signature over {what} does not validate: {last}{inception}{expiration}")


def _window(sig: dns.rrset.RRset) -> tuple[str, str]:
    import datetime as dt

    for rd in sig:
        expiration = dt.datetime.fromtimestamp(rd.expiration, dt.UTC)
        inception = dt.datetime.fromtimestamp(rd.inception, dt.UTC)
        return f" (valid {inception:%Y-%m-%d}", f" to {expiration:%Y-%m-%d})"
    return "", ""
