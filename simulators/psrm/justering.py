"""PSRM's actions that adjust a claim already under collection: write-down, write-up, the four
cancellations, principal correction, recall and description change (psrm.md §6). Pure handlers, registered
in `aktion.HANDLERS`."""

from __future__ import annotations

from datetime import date
from typing import Any

from testkommune.contracts.findings import join_path
from testkommune.contracts.money import to_oere
from testkommune.simulators.psrm import felter
from testkommune.simulators.psrm.aktion import (
    STATSREFUSION_REASONS,
    ActionContext,
    Verdict,
    existing,
    structure,
    virkningsdato,
)
from testkommune.simulators.psrm.binding import stamdata
from testkommune.simulators.psrm.state import Book, Change, Describe, Recall, SetPrincipal


def nedskriv(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    name = "MFNedskrivFordringStruktur"
    struct = action["AktionValg"][name]
    s_base = join_path(base, "AktionValg", name)
    claim = existing(
        ctx, struct["DMIFordringEFIFordringID"], join_path(s_base, "DMIFordringEFIFordringID"), verdict
    )
    reason = felter.aarsag(name, struct)
    reason_path = felter.aarsag_path(s_base, name)
    dato_path = felter.virkning_path(s_base, name)
    sent_virkning = felter.virkning(name, struct)
    sent_amount = felter.amount(name, struct)
    amount_path = felter.amount_path(s_base, name)
    amount = to_oere(sent_amount) or 0
    if reason == "FAST":
        verdict.refuse("PSRM-571", reason_path, value=reason)
    if amount <= 0:
        verdict.refuse("PSRM-408", amount_path, value=sent_amount)
    if reason == "INDB" and sent_virkning is None:
        verdict.refuse("PSRM-409", dato_path)
    if reason == "REGU" and sent_virkning is not None:
        verdict.refuse("PSRM-519", dato_path, value=sent_virkning)
    if reason == "REGU" and struct.get("HæftelseNiveau"):
        verdict.refuse("PSRM-410", join_path(s_base, "HæftelseNiveau"))
    virkning = virkningsdato(sent_virkning, dato_path, ctx, verdict)
    if claim is None:
        return verdict
    if claim.recalled:
        return verdict.refuse("PSRM-498", join_path(s_base, "DMIFordringEFIFordringID"), value=claim.id)
    if amount > claim.saldo:
        verdict.refuse(
            "PSRM-NEDSKRIV-SALDO",
            amount_path,
            value=amount / 100,
            saldo=claim.saldo / 100,
        )
    effective = virkning if reason == "INDB" and virkning else claim.received_on
    verdict.effects.append(Change(claim.id, -amount, f"NEDSKRIVNING_{reason}", effective, {"aarsag": reason}))
    return verdict


def opskriv(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    name = "MFOpskrivningReguleringStruktur"
    struct = action["AktionValg"][name]
    s_base = join_path(base, "AktionValg", name)
    claim = existing(
        ctx, struct["DMIFordringEFIFordringID"], join_path(s_base, "DMIFordringEFIFordringID"), verdict
    )
    sent_amount = felter.amount(name, struct)
    amount = to_oere(sent_amount) or 0
    if amount <= 0:
        verdict.refuse("PSRM-227", felter.amount_path(s_base, name), value=sent_amount)
    virkningsdato(felter.virkning(name, struct), felter.virkning_path(s_base, name), ctx, verdict)
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
    claim = existing(
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
    ref_name, ref_struct = structure(referenced.request)
    ref_reason = felter.aarsag(ref_name, ref_struct)
    if reason is not None and ref_reason != reason:
        return verdict.refuse(reason_code or wrong_ref_code, ref_path, value=ref_reason)
    if claim is None:
        return verdict
    if referenced.target_id != claim.id and str(referenced.fordring_id) != str(claim.id):
        verdict.refuse("PSRM-494", join_path(s_base, "DMIFordringEFIFordringID"), value=claim.id)
    ref_sent = felter.amount(ref_name, ref_struct)
    ref_amount = to_oere(ref_sent) if ref_sent is not None else None
    sent_amount = felter.amount(struktur, struct)
    amount = to_oere(sent_amount) or 0
    if amount != ref_amount:
        verdict.refuse(amount_code, felter.amount_path(s_base, struktur), value=sent_amount)
    ref_virkning = felter.virkning(ref_name, ref_struct)
    sent_virkning = felter.virkning(struktur, struct)
    if ref_virkning is not None and sent_virkning != ref_virkning:
        verdict.refuse("PSRM-470", felter.virkning_path(s_base, struktur), value=sent_virkning)
    if ctx.view.cancelled_by(referenced.aktion_id):
        verdict.refuse("PSRM-503", ref_path, value=referenced.aktion_id)
    target = claim.id
    if referenced.kode == "OPSKRIVNINGREGULERING" and referenced.fordring_id:
        target = int(referenced.fordring_id)  # the write-up claim itself is emptied
    virkning = date.fromisoformat(ref_virkning) if ref_virkning is not None else claim.received_on
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
    name = "MFFejlagtigHovedstolIndberetningStruktur"
    struct = action["AktionValg"][name]
    s_base = join_path(base, "AktionValg", name)
    claim = existing(
        ctx, struct["DMIFordringEFIFordringID"], join_path(s_base, "DMIFordringEFIFordringID"), verdict
    )
    if claim is None:
        return verdict
    if claim.recalled:
        return verdict.refuse("PSRM-518", join_path(s_base, "DMIFordringEFIFordringID"), value=claim.id)
    sent_amount = felter.amount(name, struct)
    new = to_oere(sent_amount) or 0
    if new <= claim.hovedstol:
        return verdict.refuse("PSRM-510", felter.amount_path(s_base, name), value=sent_amount)
    verdict.effects.append(SetPrincipal(claim.id, new))
    return verdict


def tilbagekald(action: dict[str, Any], base: str, ctx: ActionContext) -> Verdict:
    verdict = Verdict()
    name = "MFTilbagekaldFordringStruktur"
    struct = action["AktionValg"][name]
    s_base = join_path(base, "AktionValg", name)
    id_path = join_path(s_base, "DMIFordringEFIFordringID")
    reason = felter.aarsag(name, struct) or ""  # required by the contract
    reason_path = felter.aarsag_path(s_base, name)
    dato_path = felter.virkning_path(s_base, name)
    sent_virkning = felter.virkning(name, struct)
    if reason == "FEJL" and sent_virkning is not None:
        verdict.refuse("PSRM-546", dato_path, value=sent_virkning)
    if reason == "BORT" and sent_virkning is None:
        verdict.refuse("PSRM-409", dato_path)
    virkning = virkningsdato(sent_virkning, dato_path, ctx, verdict)
    claim = existing(ctx, struct["DMIFordringEFIFordringID"], id_path, verdict)
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
    claim = existing(
        ctx, struct["DMIFordringEFIFordringID"], join_path(s_base, "DMIFordringEFIFordringID"), verdict
    )
    if claim is None:
        return verdict
    if claim.art == "INDR":
        return verdict.refuse("PSRM-537", join_path(s_base, "DMIFordringEFIFordringID"), value=claim.id)
    verdict.effects.append(Describe(claim.id, struct.get("FordringBeskrivelse")))
    return verdict
