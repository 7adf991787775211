"""PSRM's action codes as pure functions: (action, base path, context) → errors, hearing findings, effects.

An action is judged against PSRM's state when its batch runs (a read-only view), the simulated date and the
claimant's agreement; it never writes. The service applies the effects of an accepted action. This module
holds the actions that create claims; `justering.py` those that adjust one; `aktion.py` the shared core.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from testkommune.contracts.findings import errors_only, join_path
from testkommune.simulators.psrm.aktion import (
    RESUBMIT_AFTER,
    RESUBMIT_SAME,
    ActionContext,
    ActionSpec,
    Handler,
    Verdict,
    action_specs,
    art_permissions,
    existing,
    reason_code,
    structure,
    target_id,
)
from testkommune.simulators.psrm.binding import claims_of_structs
from testkommune.simulators.psrm.justering import (
    aendr,
    fejlagtig_hovedstol,
    naoi,
    naor,
    nedskriv,
    oani,
    oonr,
    opskriv,
    tilbagekald,
)
from testkommune.simulators.psrm.state import Book
from testkommune.simulators.rules.fordring import ClaimContext, hoering_rules, psrm_filter
from testkommune.simulators.rules.stamdata import MainClaim, Stamdata

__all__ = [
    "ActionContext",
    "ActionSpec",
    "Handler",
    "Verdict",
    "action_specs",
    "aendr",
    "art_permissions",
    "fejlagtig_hovedstol",
    "naoi",
    "naor",
    "nedskriv",
    "oani",
    "oonr",
    "opskriv",
    "reason_code",
    "structure",
    "target_id",
    "tilbagekald",
]


# -- creating claims ---------------------------------------------------------------------------------


def _judge_new(
    claims: list[Stamdata],
    main: dict[str, Any] | None,
    related: list[dict[str, Any]],
    ctx: ActionContext,
    verdict: Verdict,
    main_art: str | None,
    existing_main: MainClaim | None = None,
) -> None:
    """Run the entry filter and the hearing rules on a main claim and its related claims (`claims`: their
    stamdata, the main claim's first)."""
    own_main = MainClaim(claims[0].forfaldsdato, ctx.today) if main is not None else existing_main
    for i, claim in enumerate(claims):
        claim_ctx = ctx.claim_ctx(None if claim.is_main else own_main)
        findings = psrm_filter.run(claim, claim_ctx)
        verdict.errors.extend(errors_only(findings))
        verdict.hearing.extend(hoering_rules.run(claim, claim_ctx))
        if claim.fordringstype == "REINDGI":  # only with GENINDSENDFORDRING (psrm.md §6.4)
            verdict.refuse("PSRM-REINDGI-KUN-GENINDSEND", claim.path("fordringstype"), value=claim.reference)
        if not claim.is_main:
            known = ctx.types.get(claim.fordringstype)
            if known is not None and known.is_main:
                verdict.refuse("PSRM-459", claim.path("fordringstype"), value=claim.fordringstype)
            struct = related[i - (1 if main is not None else 0)]
            if main_art is not None and struct["DMIFordringFordringArtKode"] != main_art:
                verdict.refuse(
                    "PSRM-270",
                    join_path(claim.path("fordringstype").rsplit(".", 1)[0], "DMIFordringFordringArtKode"),
                    value=struct["DMIFordringFordringArtKode"],
                )
    for struct, claim in zip([s for s in [main] if s is not None] + related, claims, strict=True):
        art = struct["DMIFordringFordringArtKode"]
        permission = art_permissions().get(art)
        if permission and not ctx.agreement.allows_art(art):
            verdict.refuse(permission, claim.path("fordringstype"), value=art)


def opret_fordring(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    opret = action["AktionValg"]["OpretFordringAktion"]
    main = opret["MFOpretFordringStruktur"]
    related = (opret.get("OpretUnderfordringSamling") or {}).get("MFOpretRelateretFordringStruktur") or []
    a_base = join_path(base, "AktionValg", "OpretFordringAktion")
    claims = claims_of_structs(
        main,
        related,
        join_path(a_base, "MFOpretFordringStruktur"),
        join_path(a_base, "OpretUnderfordringSamling", "MFOpretRelateretFordringStruktur"),
    )  # once: judged and booked from the same stamdata
    _judge_new(claims, main, related, ctx, verdict, main["DMIFordringFordringArtKode"])
    _book_all(verdict, main, related, claims)
    return verdict


def _book_all(
    verdict: Verdict,
    main: dict[str, Any],
    related: list[dict[str, Any]],
    claims: list[Stamdata],
    *,
    original_id: int | None = None,
) -> None:
    verdict.effects.append(
        Book(
            claims[0],
            "HF",
            main["DMIFordringFordringArtKode"],
            main,
            bool(main.get("StatsrefusionIndikator")),
            original_id=original_id,
        )
    )
    for struct, claim in zip(related, claims[1:], strict=True):
        verdict.effects.append(Book(claim, "RF", struct["DMIFordringFordringArtKode"], struct, parent="main"))


def opret_relateret(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    struct = action["AktionValg"]["OpretRelateretFordringAktion"]
    s_base = join_path(base, "AktionValg", "OpretRelateretFordringAktion")
    main = existing(
        ctx,
        struct["DMIFordringEFIHovedFordringID"],
        join_path(s_base, "DMIFordringEFIHovedFordringID"),
        verdict,
    )
    if main is None:
        return verdict
    if main.recalled:
        return verdict.refuse("PSRM-530", join_path(s_base, "DMIFordringEFIHovedFordringID"), value=main.id)
    related = struct["MFOpretRelateretFordringStruktur"]
    forfald = main.snapshot.get("DMIFordringForfaldDato")
    claims = claims_of_structs(None, related, s_base, join_path(s_base, "MFOpretRelateretFordringStruktur"))
    own_main = MainClaim(date.fromisoformat(forfald) if forfald else None, main.received_on)
    _judge_new(claims, None, related, ctx, verdict, main.art, own_main)
    for claim, raw in zip(claims, related, strict=True):
        verdict.effects.append(Book(claim, "RF", raw["DMIFordringFordringArtKode"], raw, parent=main.id))
    return verdict


def genindsend(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    struct = action["AktionValg"]["MFGenindsendFordringStruktur"]
    s_base = join_path(base, "AktionValg", "MFGenindsendFordringStruktur")
    id_path = join_path(s_base, "DMIFordringEFIFordringID")
    original = existing(ctx, struct["DMIFordringEFIFordringID"], id_path, verdict)
    if original is None:
        return verdict
    if original.art == "MODR":
        return verdict.refuse("PSRM-544", id_path, value=original.id)
    if not original.recalled:
        return verdict.refuse("PSRM-540", id_path, value=original.id)
    if original.recall_reason == "FEJL":
        return verdict.refuse("PSRM-602", id_path, value=original.id)
    if original.recall_reason not in RESUBMIT_AFTER:
        return verdict.refuse("PSRM-539", id_path, value=original.recall_reason)
    main = struct["MFOpretFordringStruktur"]
    m_base = join_path(s_base, "MFOpretFordringStruktur")
    for element, name in RESUBMIT_SAME.items():
        if main.get(element) != original.snapshot.get(element):
            verdict.refuse("PSRM-542", join_path(m_base, element), field=name, value=main.get(element))
    related = (struct.get("OpretUnderfordringSamling") or {}).get("MFOpretRelateretFordringStruktur") or []
    rel_base = join_path(s_base, "OpretUnderfordringSamling", "MFOpretRelateretFordringStruktur")
    claim_ctx = ctx.claim_ctx()
    resubmitted = ClaimContext(
        claim_ctx.today, claim_ctx.types, claim_ctx.agreement
    )  # its reference is its own
    claims = claims_of_structs(main, related, m_base, rel_base)
    for i, claim in enumerate(claims):
        verdict.errors.extend(errors_only(psrm_filter.run(claim, resubmitted)))
        if i and claim.fordringstype != "REINDGI":
            verdict.refuse("PSRM-459", claim.path("fordringstype"), value=claim.fordringstype)
    _book_all(verdict, main, related, claims, original_id=original.id)
    return verdict
