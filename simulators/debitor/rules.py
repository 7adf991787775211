"""The debitor system's own rules: pure functions over (message part, state view, today) → Findings.

Codes live in `contracts/reference/fejlkoder/debitor.json`; `check_against` proves every code exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from testkommune.contracts.catalogue import ErrorCatalogue
from testkommune.contracts.findings import Finding, join_path
from testkommune.contracts.identities import check_cpr, check_cvr
from testkommune.contracts.money import to_oere

CODES = (
    "DEB-FELT-KRAEVET",
    "DEB-DELFORDRING-SUM",
    "DEB-DELFORDRING-REFERENCE",
    "DEB-HAEFTELSE-UKENDT",
    "DEB-FORDRING-DUBLET",
    "DEB-FORDRING-FREMMED",
    "DEB-REGULERING-TILSTAND",
    "DEB-NEDSKRIVNING-SALDO",
    "DEB-AFSLUT-UKENDT",
    "DEB-AFSLUT-DATO",
    "DEB-HAEFTELSE-SIDSTE",
    "DEB-INDBETALING-GENBRUGT",
    "DEB-INDBETALING-KOMMUNE",
    "DEB-INDBETALING-TILSTAND",
    "DEB-INDBETALING-OVERSKUD",
    "DEB-INDBETALING-UKENDT",
    "DEB-DEBITORKONTO-UKENDT",
    "DEB-OVERDRAG-UDEN-RYKKER",
)


@dataclass(frozen=True, slots=True)
class RegistreringContext:
    """What the rules on one OpretDebitorkonto may look at."""

    today: date
    kraevede_felter: tuple[str, ...]
    profil: str
    parties: frozenset[str]  # CPR/CVR of the juridisk ansvarlige and medhæftere on the account
    existing_refs: frozenset[str] = field(default_factory=frozenset)  # the tenant's booked FordringReferencer


FordringRule = Callable[[dict[str, Any], str, RegistreringContext], Iterator[Finding]]


def kraevede_felter(fordring: dict[str, Any], base: str, ctx: RegistreringContext) -> Iterator[Finding]:
    """The tenant's debitor profile insists on optional fields (debitorprofiler.json kraevede_felter)."""
    for name in ctx.kraevede_felter:
        if not fordring.get(name):
            yield Finding("DEB-FELT-KRAEVET", join_path(base, name), {"field": name, "profil": ctx.profil})


def delfordringer_summerer(
    fordring: dict[str, Any], base: str, ctx: RegistreringContext
) -> Iterator[Finding]:
    """Delfordringer must add up to the hovedstol."""
    parts = fordring.get("Delfordring")
    if not parts:
        return
    total = sum(to_oere(p["Beløb"]) or 0 for p in parts)
    hovedstol = to_oere(fordring["HovedstolBeløb"]) or 0
    if total != hovedstol:
        yield Finding(
            "DEB-DELFORDRING-SUM",
            join_path(base, "Delfordring"),
            {"value": total / 100, "expected": hovedstol / 100},
        )


def delfordring_reference_unik(
    fordring: dict[str, Any], base: str, ctx: RegistreringContext
) -> Iterator[Finding]:
    seen: set[str] = set()
    for i, part in enumerate(fordring.get("Delfordring") or []):
        ref = part["DelfordringReference"]
        if ref in seen:
            yield Finding(
                "DEB-DELFORDRING-REFERENCE",
                join_path(base, "Delfordring", i, "DelfordringReference"),
                {"value": ref},
            )
        seen.add(ref)


def haeftelse_kendt_part(fordring: dict[str, Any], base: str, ctx: RegistreringContext) -> Iterator[Finding]:
    """A hæftelse names a party who is juridisk ansvarlig or medhæfter on the account."""
    for i, part in enumerate(fordring.get("Hæftelse") or []):
        party = part.get("PersonCPRNummer") or part.get("VirksomhedCVRNummer")
        if party not in ctx.parties:
            yield Finding("DEB-HAEFTELSE-UKENDT", join_path(base, "Hæftelse", i), {"value": party})


def fordring_ikke_dublet(fordring: dict[str, Any], base: str, ctx: RegistreringContext) -> Iterator[Finding]:
    """Each fordring only once (oeir.md §10, no dubletter): a reference already booked is refused."""
    if fordring["FordringReference"] in ctx.existing_refs:
        yield Finding(
            "DEB-FORDRING-DUBLET",
            join_path(base, "FordringReference"),
            {"value": fordring["FordringReference"]},
        )


REGISTRERING_RULES: tuple[FordringRule, ...] = (
    kraevede_felter,
    delfordringer_summerer,
    delfordring_reference_unik,
    haeftelse_kendt_part,
    fordring_ikke_dublet,
)


def run_registrering(fordring: dict[str, Any], base: str, ctx: RegistreringContext) -> list[Finding]:
    return [f for rule in REGISTRERING_RULES for f in rule(fordring, base, ctx)]


def duplicates_within(fordringer: Iterable[dict[str, Any]], base: str) -> list[Finding]:
    """The same FordringReference twice in one delivery."""
    seen: set[str] = set()
    out = []
    for i, fordring in enumerate(fordringer):
        ref = fordring["FordringReference"]
        if ref in seen:
            out.append(
                Finding("DEB-FORDRING-DUBLET", join_path(base, i, "FordringReference"), {"value": ref})
            )
        seen.add(ref)
    return out


def parter_identitet(spec: dict[str, Any], base: str) -> list[Finding]:
    """Medhæftere and administrators carry well-formed CPR/CVR numbers, checked as the debtor's are
    (PSRM refuses a hæftelse with a malformed CPR; the debitor system catches it at registration)."""
    out = []
    for field_name in ("JuridiskMedhæfter", "Administrator"):
        for i, part in enumerate(spec.get(field_name) or []):
            for key, check in (("PersonCPRNummer", check_cpr), ("VirksomhedCVRNummer", check_cvr)):
                if key in part:
                    path = join_path(base, field_name, i, key)
                    out += [Finding(f.code, path, dict(f.params)) for f in check(part[key])]
    return out


# --- regulering (op-/nedskrivning) -----------------------------------------------------------------


def regulering(kind: str, state: str, principal_oere: int, amount_oere: int, base: str) -> list[Finding]:
    """Op-/nedskrivning only while the debitor system holds the claim; a nedskrivning at most the saldo."""
    if state not in ("OPKRAEVNING", "BERO"):
        return [Finding("DEB-REGULERING-TILSTAND", join_path(base, "FordringReference"), {"state": state})]
    if kind == "NEDSKRIVNING" and amount_oere > principal_oere:
        return [
            Finding(
                "DEB-NEDSKRIVNING-SALDO",
                join_path(base, "Beløb"),
                {"value": amount_oere / 100, "saldo": principal_oere / 100},
            )
        ]
    return []


# --- afslut ------------------------------------------------------------------------------------------


def afslut(found: Any, slut: date, base: str, *, last_liable: bool) -> list[Finding]:
    """End-dating needs an active relation, an end date not before its start, and never the last hæftelse."""
    if found is None:
        return [Finding("DEB-AFSLUT-UKENDT", base, {})]
    if slut < date.fromisoformat(found.valid_from):
        return [
            Finding(
                "DEB-AFSLUT-DATO",
                join_path(base, "SlutDato"),
                {"value": slut.isoformat(), "start": found.valid_from},
            )
        ]
    if last_liable:
        return [Finding("DEB-HAEFTELSE-SIDSTE", base, {})]
    return []


# --- ownership and payments -------------------------------------------------------------------------


def egen_fordring(owner_tenant: str, caller_tenant: str, path: str, value: str) -> list[Finding]:
    """A fagsystem may change only its own debitorkonti (oeir.md §4.2 [C]). Another tenant's fordring
    answers exactly as an unknown one (OIR-FORDRING-UKENDT), so its ids reveal nothing; DEB-FORDRING-FREMMED
    stays catalogued for callers that already know it but is no longer sent."""
    return [] if owner_tenant == caller_tenant else [Finding("OIR-FORDRING-UKENDT", path, {"value": value})]


def indbetaling_maal(
    found: bool, claim_tenant: str, kommune_tenants: Iterable[str], state: str, path: str, value: str
) -> list[Finding]:
    """A payment target exists, is in the caller's kommune and is still under opkrævning. One of another
    kommune answers exactly as an unknown one (no existence oracle; DEB-INDBETALING-KOMMUNE is not sent)."""
    if not found or claim_tenant not in set(kommune_tenants):
        return [Finding("DEB-INDBETALING-UKENDT", path, {"value": value})]
    if state != "OPKRAEVNING":
        return [Finding("DEB-INDBETALING-TILSTAND", path, {"value": value, "state": state})]
    return []


def indbetaling_genbrug(
    stored_fingerprint: str | None, fingerprint: str, path: str, value: str
) -> list[Finding]:
    """The same IndbetalingID again is the same payment only with the same content."""
    if stored_fingerprint != fingerprint:
        return [Finding("DEB-INDBETALING-GENBRUGT", path, {"value": value})]
    return []


def overskud(left_oere: int, path: str) -> list[Finding]:
    """Money that covered no open delfordring is reported as a surplus (a warning)."""
    return [Finding("DEB-INDBETALING-OVERSKUD", path, {"value": left_oere / 100})] if left_oere > 0 else []


# --- overdragelse ------------------------------------------------------------------------------------


def overdragelse(rykker_sendt: int, profile: Any, base: str) -> list[Finding]:
    """A hand-over asked for before the profile's rykker procedure ran: warned (Gældsstyrelsen requires the
    usual rykkerprocedure and a written notice before overdragelse, oeir.md §10), not refused."""
    wanted = len(profile.rykker_dage)
    if rykker_sendt < wanted:
        return [
            Finding(
                "DEB-OVERDRAG-UDEN-RYKKER",
                join_path(base, "FordringTilstand"),
                {"value": rykker_sendt, "expected": wanted, "profil": profile.id},
            )
        ]
    return []


def check_against(catalogue: ErrorCatalogue) -> list[str]:
    return [code for code in CODES if code not in catalogue]
