"""PSRM's action codes as pure functions: (action, base path, context) → errors, hearing findings, effects.

An action is judged against PSRM's state when its batch runs (a read-only view), the simulated date and the
claimant's agreement; it never writes. The service applies the effects of an accepted action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from testkommune.contracts.clock import danish_date
from testkommune.contracts.findings import Finding, errors_only, join_path
from testkommune.contracts.fordringstyper import FordringstypeCatalogue
from testkommune.contracts.money import to_oere
from testkommune.contracts.schemas import load_reference
from testkommune.simulators.psrm.binding import claims_of_structs, stamdata
from testkommune.simulators.psrm.state import (
    Book,
    Change,
    ClaimState,
    Describe,
    Effect,
    PsrmView,
    Recall,
    SetPrincipal,
)
from testkommune.simulators.rules.fordring import Agreement, ClaimContext, hoering_rules, psrm_filter

LOCKING_REASONS = ("BORD", "BORT", "HENS", "KLAG", "HAFT")
RESUBMIT_AFTER = ("HENS", "KLAG", "BORD", "HAFT")
STATSREFUSION_REASONS = ("FEJL", "KLAG")
RESUBMIT_SAME = {
    "DMIFordringTypeKode": "fordringstype",
    "DMIFordringStiftelseTidspunkt": "stiftelsesdato",
    "DMIFordringForfaldDato": "forfaldsdato",
    "FordringPeriodeStruktur": "periode",
}


@dataclass(frozen=True, slots=True)
class ActionSpec:
    kode: str
    struktur: str
    mangler: str
    tilladelse: str | None
    aendrer_fordring: bool


@cache
def action_specs() -> dict[str, ActionSpec]:
    data = load_reference("psrm_aktioner.json")
    return {
        a["kode"]: ActionSpec(a["kode"], a["struktur"], a["mangler"], a["tilladelse"], a["aendrer_fordring"])
        for a in data["aktioner"]
    }


@cache
def art_permissions() -> dict[str, str]:
    return dict(load_reference("psrm_aktioner.json")["art_tilladelse"])


@dataclass(frozen=True, slots=True)
class ActionContext:
    received: datetime
    types: FordringstypeCatalogue
    agreement: Agreement
    view: PsrmView

    @property
    def today(self) -> date:
        return danish_date(self.received)

    def claim_ctx(self) -> ClaimContext:
        return ClaimContext(self.today, self.types, self.agreement, self.view.claimant_ref_taken)


@dataclass
class Verdict:
    errors: list[Finding] = field(default_factory=list)
    hearing: list[Finding] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    def refuse(self, code: str, path: str, **params: Any) -> Verdict:
        self.errors.append(Finding(code, path, params))
        return self


Handler = Callable[[dict[str, Any], str, ActionContext], Verdict]


def structure(action: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name, value = next(iter(action["AktionValg"].items()))
    return name, value


def reason_code(action: dict[str, Any]) -> str | None:
    """The årsagskode a write-down or recall carries, if any."""
    _, struct = structure(action)
    return struct.get("FordringNedskrivningAarsagKode") or struct.get("HovedFordringTilbagekaldAarsagKode")


def target_id(action: dict[str, Any]) -> int | None:
    """The existing claim an action works on, if any (for 'one pending action per claim', 418)."""
    _, struct = structure(action)
    ref = struct.get("DMIFordringEFIFordringID") or struct.get("DMIFordringEFIHovedFordringID")
    return int(ref) if isinstance(ref, str) and ref.isdigit() else None


# -- creating claims ---------------------------------------------------------------------------------


def _judge_new(
    main: dict[str, Any] | None,
    related: list[dict[str, Any]],
    base: str,
    rel_base: str,
    ctx: ActionContext,
    verdict: Verdict,
    main_art: str | None,
) -> None:
    """Run the entry filter and the hearing rules on a main claim and its related claims."""
    claim_ctx = ctx.claim_ctx()
    claims = claims_of_structs(main, related, base, rel_base)
    for i, claim in enumerate(claims):
        findings = psrm_filter.run(claim, claim_ctx)
        verdict.errors.extend(errors_only(findings))
        verdict.hearing.extend(hoering_rules.run(claim, claim_ctx))
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
    _judge_new(
        main,
        related,
        join_path(a_base, "MFOpretFordringStruktur"),
        join_path(a_base, "OpretUnderfordringSamling", "MFOpretRelateretFordringStruktur"),
        ctx,
        verdict,
        main["DMIFordringFordringArtKode"],
    )
    _book_all(
        verdict,
        main,
        related,
        join_path(a_base, "MFOpretFordringStruktur"),
        join_path(a_base, "OpretUnderfordringSamling", "MFOpretRelateretFordringStruktur"),
    )
    return verdict


def _book_all(
    verdict: Verdict,
    main: dict[str, Any],
    related: list[dict[str, Any]],
    base: str,
    rel_base: str,
    *,
    original_id: int | None = None,
) -> None:
    claims = claims_of_structs(main, related, base, rel_base)
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
    main = _existing(
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
    _judge_new(
        None, related, s_base, join_path(s_base, "MFOpretRelateretFordringStruktur"), ctx, verdict, main.art
    )
    for claim, raw in zip(
        claims_of_structs(None, related, s_base, join_path(s_base, "MFOpretRelateretFordringStruktur")),
        related,
        strict=True,
    ):
        verdict.effects.append(Book(claim, "RF", raw["DMIFordringFordringArtKode"], raw, parent=main.id))
    return verdict


def genindsend(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    struct = action["AktionValg"]["MFGenindsendFordringStruktur"]
    s_base = join_path(base, "AktionValg", "MFGenindsendFordringStruktur")
    id_path = join_path(s_base, "DMIFordringEFIFordringID")
    original = _existing(ctx, struct["DMIFordringEFIFordringID"], id_path, verdict)
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
    for i, claim in enumerate(claims_of_structs(main, related, m_base, rel_base)):
        verdict.errors.extend(errors_only(psrm_filter.run(claim, resubmitted)))
        if i and claim.fordringstype != "REINDGI":
            verdict.refuse("PSRM-459", claim.path("fordringstype"), value=claim.fordringstype)
    _book_all(verdict, main, related, m_base, rel_base, original_id=original.id)
    return verdict


# -- adjusting a claim -------------------------------------------------------------------------------


def _existing(ctx: ActionContext, claim_id: str, path: str, verdict: Verdict) -> ClaimState | None:
    claim = ctx.view.claim(claim_id)
    if claim is None:
        verdict.refuse("PSRM-509", path, value=claim_id)
    return claim


def _virkningsdato(struct: dict[str, Any], path: str, ctx: ActionContext, verdict: Verdict) -> date | None:
    raw = struct.get("VirkningDato")
    if raw is None:
        return None
    value = date.fromisoformat(raw)
    if value > ctx.today:
        verdict.refuse("PSRM-548", path, value=raw)
    return value


def nedskriv(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    struct = action["AktionValg"]["MFNedskrivFordringStruktur"]
    s_base = join_path(base, "AktionValg", "MFNedskrivFordringStruktur")
    claim = _existing(
        ctx, struct["DMIFordringEFIFordringID"], join_path(s_base, "DMIFordringEFIFordringID"), verdict
    )
    reason = struct["FordringNedskrivningAarsagKode"]
    reason_path = join_path(s_base, "FordringNedskrivningAarsagKode")
    dato_path = join_path(s_base, "VirkningDato")
    amount = to_oere(struct["NedskrivningBeløb"]) or 0
    if reason == "FAST":
        verdict.refuse("PSRM-571", reason_path, value=reason)
    if amount <= 0:
        verdict.refuse("PSRM-408", join_path(s_base, "NedskrivningBeløb"), value=struct["NedskrivningBeløb"])
    if reason == "INDB" and "VirkningDato" not in struct:
        verdict.refuse("PSRM-409", dato_path)
    if reason == "REGU" and "VirkningDato" in struct:
        verdict.refuse("PSRM-519", dato_path, value=struct["VirkningDato"])
    if reason == "REGU" and struct.get("HæftelseNiveau"):
        verdict.refuse("PSRM-410", join_path(s_base, "HæftelseNiveau"))
    virkning = _virkningsdato(struct, dato_path, ctx, verdict)
    if claim is None:
        return verdict
    if claim.recalled:
        return verdict.refuse("PSRM-498", join_path(s_base, "DMIFordringEFIFordringID"), value=claim.id)
    if amount > claim.saldo:
        verdict.refuse(
            "PSRM-NEDSKRIV-SALDO",
            join_path(s_base, "NedskrivningBeløb"),
            value=amount / 100,
            saldo=claim.saldo / 100,
        )
    effective = virkning if reason == "INDB" and virkning else claim.received_on
    verdict.effects.append(Change(claim.id, -amount, f"NEDSKRIVNING_{reason}", effective, {"aarsag": reason}))
    return verdict


def opskriv(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    struct = action["AktionValg"]["MFOpskrivningReguleringStruktur"]
    s_base = join_path(base, "AktionValg", "MFOpskrivningReguleringStruktur")
    claim = _existing(
        ctx, struct["DMIFordringEFIFordringID"], join_path(s_base, "DMIFordringEFIFordringID"), verdict
    )
    amount = to_oere(struct["OpskrivningBeløb"]) or 0
    if amount <= 0:
        verdict.refuse("PSRM-227", join_path(s_base, "OpskrivningBeløb"), value=struct["OpskrivningBeløb"])
    _virkningsdato(struct, join_path(s_base, "VirkningDato"), ctx, verdict)
    if claim is None:
        return verdict
    if claim.recalled:
        return verdict.refuse("PSRM-496", join_path(s_base, "DMIFordringEFIFordringID"), value=claim.id)
    known = ctx.types.get(claim.fordringstype)
    if claim.kind == "RF" or (known is not None and not known.is_main):
        return verdict.refuse(
            "PSRM-474", join_path(s_base, "DMIFordringEFIFordringID"), value=claim.fordringstype
        )
    main_id = claim.kompleks_id or claim.id
    snapshot = dict(claim.snapshot) | {
        "FordringBeløbStruktur": {"ValutaKode": "DKK", "DMIFordringBeløb": amount / 100},
        "FordringOprindeligBeløbStruktur": {"ValutaKode": "DKK", "EFIFordringOprindeligBeløb": amount / 100},
    }
    write_up = stamdata(snapshot, join_path(s_base), is_main=False)
    verdict.effects.append(
        Book(write_up, "OPSKRIVNING", claim.art, snapshot, parent=None, kompleks_id=main_id)
    )
    return verdict


def _cancellation(
    action: dict[str, Any],
    base: str,
    ctx: ActionContext,
    *,
    struktur: str,
    refers_to: tuple[str, ...],
    wrong_ref_code: str,
    reason: str | None,
    reason_code: str | None,
    amount_code: str,
    sign: int,
    kind: str,
) -> Verdict:
    """OANI, OONR, NAOR, NAOI: undo an earlier action, same amount (and date), on the same claim."""
    verdict = Verdict()
    struct = action["AktionValg"][struktur]
    s_base = join_path(base, "AktionValg", struktur)
    claim = _existing(
        ctx, struct["DMIFordringEFIFordringID"], join_path(s_base, "DMIFordringEFIFordringID"), verdict
    )
    ref_path = join_path(s_base, "MFAktionIDRef")
    referenced = ctx.view.action(struct["MFAktionIDRef"])
    if referenced is None:
        return verdict.refuse("PSRM-526", ref_path, value=struct["MFAktionIDRef"])
    if referenced.status == "AFVIST":
        return verdict.refuse("PSRM-493", ref_path, value=struct["MFAktionIDRef"])
    if referenced.kode not in refers_to:
        return verdict.refuse(wrong_ref_code, ref_path, value=referenced.kode)
    _, ref_struct = structure(referenced.request)
    if reason is not None and ref_struct.get("FordringNedskrivningAarsagKode") != reason:
        return verdict.refuse(
            reason_code or wrong_ref_code, ref_path, value=ref_struct.get("FordringNedskrivningAarsagKode")
        )
    if claim is None:
        return verdict
    if referenced.target_id != claim.id and str(referenced.fordring_id) != str(claim.id):
        verdict.refuse("PSRM-494", join_path(s_base, "DMIFordringEFIFordringID"), value=claim.id)
    ref_amount = to_oere(
        ref_struct.get("NedskrivningBeløb", ref_struct.get("OpskrivningBeløb", ref_struct.get("Beløb")))
    )
    amount = to_oere(struct["Beløb"]) or 0
    if amount != ref_amount:
        verdict.refuse(amount_code, join_path(s_base, "Beløb"), value=struct["Beløb"])
    if "VirkningDato" in ref_struct and struct.get("VirkningDato") != ref_struct["VirkningDato"]:
        verdict.refuse("PSRM-470", join_path(s_base, "VirkningDato"), value=struct.get("VirkningDato"))
    if ctx.view.cancelled_by(referenced.aktion_id):
        verdict.refuse("PSRM-503", ref_path, value=referenced.aktion_id)
    target = claim.id
    if referenced.kode == "OPSKRIVNINGREGULERING" and referenced.fordring_id:
        target = int(referenced.fordring_id)  # the write-up claim itself is emptied
    virkning = (
        date.fromisoformat(ref_struct["VirkningDato"]) if "VirkningDato" in ref_struct else claim.received_on
    )
    verdict.effects.append(
        Change(target, sign * amount, kind, virkning, {"annullerer": referenced.aktion_id})
    )
    return verdict


def oani(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    return _cancellation(
        action,
        base,
        ctx,
        struktur="MFOpskrivningAnnulleretNedskrivningIndbetalingStruktur",
        refers_to=("NEDSKRIV",),
        wrong_ref_code="PSRM-473",
        reason="INDB",
        reason_code="PSRM-471",
        amount_code="PSRM-469",
        sign=+1,
        kind="OPSKRIVNING_OANI",
    )


def oonr(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    return _cancellation(
        action,
        base,
        ctx,
        struktur="MFOpskrivningOmgjortNedskrivningReguleringStruktur",
        refers_to=("NEDSKRIV",),
        wrong_ref_code="PSRM-473",
        reason="REGU",
        reason_code="PSRM-477",
        amount_code="PSRM-469",
        sign=+1,
        kind="OPSKRIVNING_OONR",
    )


def naor(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    return _cancellation(
        action,
        base,
        ctx,
        struktur="MFNedskrivningAnnulleretOpskrivningReguleringStruktur",
        refers_to=("OPSKRIVNINGREGULERING", "OPSKRIVNINGOMGJORTNEDSKRIVNINGREGULERING"),
        wrong_ref_code="PSRM-502",
        reason=None,
        reason_code=None,
        amount_code="PSRM-504",
        sign=-1,
        kind="NEDSKRIVNING_NAOR",
    )


def naoi(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    return _cancellation(
        action,
        base,
        ctx,
        struktur="MFNedskrivningAnnulleretOpskrivningIndbetalingStruktur",
        refers_to=("OPSKRIVNINGANNULLERETNEDSKRIVNINGINDBETALING",),
        wrong_ref_code="PSRM-506",
        reason=None,
        reason_code=None,
        amount_code="PSRM-504",
        sign=-1,
        kind="NEDSKRIVNING_NAOI",
    )


def fejlagtig_hovedstol(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    struct = action["AktionValg"]["FejlagtigHovedstolIndberetningStruktur"]
    s_base = join_path(base, "AktionValg", "FejlagtigHovedstolIndberetningStruktur")
    claim = _existing(
        ctx, struct["DMIFordringEFIFordringID"], join_path(s_base, "DMIFordringEFIFordringID"), verdict
    )
    if claim is None:
        return verdict
    if claim.recalled:
        return verdict.refuse("PSRM-518", join_path(s_base, "DMIFordringEFIFordringID"), value=claim.id)
    new = to_oere(struct["NyHovedstolBeløb"]) or 0
    if new <= claim.hovedstol:
        return verdict.refuse(
            "PSRM-510", join_path(s_base, "NyHovedstolBeløb"), value=struct["NyHovedstolBeløb"]
        )
    verdict.effects.append(SetPrincipal(claim.id, new))
    return verdict


def tilbagekald(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    struct = action["AktionValg"]["MFTilbagekaldFordringStruktur"]
    s_base = join_path(base, "AktionValg", "MFTilbagekaldFordringStruktur")
    id_path = join_path(s_base, "DMIFordringEFIFordringID")
    reason = struct["HovedFordringTilbagekaldAarsagKode"]
    reason_path = join_path(s_base, "HovedFordringTilbagekaldAarsagKode")
    dato_path = join_path(s_base, "VirkningDato")
    if reason == "FEJL" and "VirkningDato" in struct:
        verdict.refuse("PSRM-546", dato_path, value=struct["VirkningDato"])
    if reason == "BORT" and "VirkningDato" not in struct:
        verdict.refuse("PSRM-409", dato_path)
    virkning = _virkningsdato(struct, dato_path, ctx, verdict)
    claim = _existing(ctx, struct["DMIFordringEFIFordringID"], id_path, verdict)
    if claim is None:
        return verdict
    if claim.recalled and claim.recall_reason == "FEJL":
        return verdict.refuse("PSRM-602", id_path, value=claim.id)
    if claim.recalled and reason != "FEJL":
        return verdict.refuse("PSRM-603", reason_path, value=reason)
    if claim.statsrefusion and reason not in STATSREFUSION_REASONS:
        verdict.refuse("PSRM-STATSREFUSION-TILBAGEKALD", reason_path, value=reason)
    if virkning is not None and virkning < claim.received_on:
        verdict.refuse("PSRM-467", dato_path, value=virkning.isoformat())
    effective = claim.received_on if reason == "FEJL" else virkning or ctx.today
    ids = (
        (claim.id, *[c.id for c in ctx.view.kompleks(claim.id) if not c.recalled])
        if claim.kind == "HF"
        else (claim.id,)
    )
    verdict.effects.append(Recall(ids, reason, effective))
    return verdict


def aendr(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    struct = action["AktionValg"]["MFAendrFordringStruktur"]
    s_base = join_path(base, "AktionValg", "MFAendrFordringStruktur")
    claim = _existing(
        ctx, struct["DMIFordringEFIFordringID"], join_path(s_base, "DMIFordringEFIFordringID"), verdict
    )
    if claim is None:
        return verdict
    if claim.art == "INDR":
        return verdict.refuse("PSRM-537", join_path(s_base, "DMIFordringEFIFordringID"), value=claim.id)
    verdict.effects.append(Describe(claim.id, struct.get("FordringBeskrivelse")))
    return verdict
