"""B_01 operations on registered accounts: op-/nedskrivning of a fordring and the Afslut* end-datings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from testkommune.contracts.findings import Finding, describe_all, join_path
from testkommune.contracts.money import to_oere, wire
from testkommune.simulators.context import OpContext
from testkommune.simulators.debitor import konto, mailbox, rules, tables

OPSKRIVNING = "OPSKRIVNING"
NEDSKRIVNING = "NEDSKRIVNING"
OPSKRIVNING_SRB_DAGE = 14  # SRB of a write-up without one: 14 days after its forfald [I]


def _refused(*findings: Finding) -> dict[str, Any]:
    return {"Status": "AFVIST", "Fejl": describe_all(findings)}


def own_claim(ctx: OpContext, request: dict[str, Any], base: str) -> Any:
    """The caller's claim named by FordringReference or FordringID, or a Finding why not."""
    if "FordringID" in request:
        row = ctx.conn.execute(
            sa.select(tables.claims).where(tables.claims.c.id == int(request["FordringID"]))
        ).first()
        if row is None:
            return Finding(
                "OIR-FORDRING-UKENDT", join_path(base, "FordringID"), {"value": request["FordringID"]}
            )
        foreign = rules.egen_fordring(
            row.tenant, ctx.tenant.key, join_path(base, "FordringID"), request["FordringID"]
        )
        return foreign[0] if foreign else row
    rows = ctx.conn.execute(
        sa.select(tables.claims)
        .where(
            tables.claims.c.tenant == ctx.tenant.key,
            tables.claims.c.reference == request["FordringReference"],
        )
        .order_by(tables.claims.c.id.desc())
    ).all()
    if not rows:
        return Finding(
            "OIR-FORDRING-UKENDT",
            join_path(base, "FordringReference"),
            {"value": request["FordringReference"]},
        )
    return next((r for r in rows if r.state in ("OPKRAEVNING", "BERO")), rows[0])


def reguler(ctx: OpContext, message: dict[str, Any], kind: str) -> dict[str, Any]:
    """OpskrivFordring / NedskrivFordring on one of the caller's own fordringer under opkrævning."""
    op = "OpskrivFordring" if kind == OPSKRIVNING else "NedskrivFordring"
    request = message[op]
    base = join_path("$", op)
    claim = own_claim(ctx, request, base)
    if isinstance(claim, Finding):
        return _refused(claim)
    amount = to_oere(request["Beløb"]) or 0
    problems = rules.regulering(kind, claim.state, claim.saldo_oere, amount, base)
    if problems:
        return _refused(*problems)
    if kind == OPSKRIVNING:
        _write_up(ctx, claim, request, amount)
        delta = amount
    else:
        _write_down(ctx, claim, amount, request["Årsag"])
        delta = -amount
    ctx.conn.execute(
        sa.update(tables.claims)
        .where(tables.claims.c.id == claim.id)
        .values(
            hovedstol_oere=tables.claims.c.hovedstol_oere + delta,
            saldo_oere=tables.claims.c.saldo_oere + delta,
            updated_at=ctx.now.isoformat(),
        )
    )
    mailbox.post(
        ctx.conn,
        ctx.tenant.key,
        kind=kind,
        reference=claim.reference,
        amount_oere=amount,
        dato=ctx.today.isoformat(),
        now=ctx.now,
        claim_id=claim.id,
        data={"Årsag": request["Årsag"]},
    )
    row = ctx.conn.execute(sa.select(tables.claims).where(tables.claims.c.id == claim.id)).one()
    return {
        "Status": "GODKENDT",
        "Fejl": [],
        "FordringID": str(row.id),
        "HovedstolBeløb": wire(row.hovedstol_oere),
        "SaldoBeløb": wire(row.saldo_oere),
    }


def _write_up(ctx: OpContext, claim: Any, request: dict[str, Any], amount: int) -> None:
    """Add the write-up as a new HOVEDSTOL delfordring (forfald today and SRB 14 days on, unless given)."""
    forfald = request.get("ForfaldDato") or ctx.today.isoformat()
    srb = (
        request.get("SidsteRettidigeBetalingDato")
        or (date.fromisoformat(forfald) + timedelta(days=OPSKRIVNING_SRB_DAGE)).isoformat()
    )
    konto.add_part(
        ctx.conn,
        ctx.tenant.key,
        claim.id,
        kind="HOVEDSTOL",
        reference=request.get("DelfordringReference") or f"OPSKRIVNING-{ctx.today.isoformat()}",
        forfald=forfald,
        srb=srb,
        amount=amount,
        now=ctx.now,
    )


def _write_down(ctx: OpContext, claim: Any, amount: int, reason: str) -> None:
    """Reduce the unpaid HOVEDSTOL delfordringer, the latest first (a nedskrivning corrects the newest);
    booked as NEDSKRIVNING beside the dækninger, so amount = saldo + what was booked on it."""
    left = amount
    parts = [p for p in konto.parts_of(ctx.conn, claim.id) if p.kind == "HOVEDSTOL" and p.saldo_oere > 0]
    for part in sorted(parts, key=lambda p: p.nr, reverse=True):
        if left <= 0:
            break
        take = min(left, part.saldo_oere)
        left -= take
        ctx.conn.execute(
            sa.update(tables.delfordringer)
            .where(tables.delfordringer.c.id == part.id)
            .values(saldo_oere=tables.delfordringer.c.saldo_oere - take)
        )
        ctx.conn.execute(
            sa.insert(tables.coverages).values(
                tenant=ctx.tenant.key,
                claim_id=claim.id,
                delfordring_id=part.id,
                source=NEDSKRIVNING,
                source_ref=reason,
                amount_oere=take,
                dato=ctx.today.isoformat(),
                booked_at=ctx.now.isoformat(),
            )
        )


# --- Afslut* -----------------------------------------------------------------------------------------

# operation → (relation kind, what ends: the role itself or its GældendeAdresse)
AFSLUT: dict[str, tuple[str, str]] = {
    "AfslutHaeftelse": (konto.HAEFTELSE, "ROLLE"),
    "AfslutAdministrator": (konto.ADMINISTRATOR, "ROLLE"),
    "AfslutJuridiskMedhaefter": (konto.JURIDISK_MEDHAEFTER, "ROLLE"),
    "AfslutGaeldendeAdresseJuridiskAnsvarlig": (konto.JURIDISK_ANSVARLIG, "ADRESSE"),
    "AfslutGaeldendeAdresseJuridiskMedhaefter": (konto.JURIDISK_MEDHAEFTER, "ADRESSE"),
    "AfslutGaeldendeAdresseAdministrator": (konto.ADMINISTRATOR, "ADRESSE"),
    "AfslutLigestillingspartner": (konto.LIGESTILLINGSPARTNER, "ROLLE"),
    "AfslutMaterialeabonnementAdministrator": (konto.ADMINISTRATOR, "ABONNEMENT"),
    "AfslutMaterialeabonnementJuridiskAnsvarlig": (konto.JURIDISK_ANSVARLIG, "ABONNEMENT"),
    "AfslutMaterialeabonnementJuridiskMedhaefter": (konto.JURIDISK_MEDHAEFTER, "ABONNEMENT"),
}


def afslut(ctx: OpContext, operation: str, message: dict[str, Any]) -> dict[str, Any]:
    """End-date a role, a hæftelse, a role's gældende adresse or its materialeabonnement on one of the
    caller's own accounts (all nine Afslut* operations oeir.md §4.2 lists)."""
    kind, what = AFSLUT[operation]
    request = message["Afslut"]
    base = join_path("$", "Afslut")
    account = ctx.conn.execute(
        sa.select(tables.accounts).where(
            tables.accounts.c.tenant == ctx.tenant.key,
            tables.accounts.c.reference == request["DebitorkontoReference"],
        )
    ).first()
    if account is None:
        return _refused(
            Finding(
                "OIR-DEBITORKONTO-UKENDT",
                join_path(base, "DebitorkontoReference"),
                {"value": request["DebitorkontoReference"]},
            )
        )
    party = request.get("PersonCPRNummer") or request.get("VirksomhedCVRNummer")
    found, claim = _relation_to_end(ctx, account, kind, what, party, request)
    slut = date.fromisoformat(request["SlutDato"])
    last = False
    if found is not None and kind == konto.HAEFTELSE and claim is not None:
        last = _last_liable(ctx, claim, found)
    problems = rules.afslut(found, slut, base, last_liable=last)
    if problems:
        return _refused(*problems)
    assert found is not None, "afslut refuses a relation not found"
    _end_relation(ctx, found, what, slut)
    return {
        "Status": "GODKENDT",
        "Fejl": [],
        "DebitorkontoID": str(account.id),
        "Afsluttet": {"Operation": operation, "PartID": party, "SlutDato": slut.isoformat()},
    }


def _relation_to_end(
    ctx: OpContext, account: Any, kind: str, what: str, party: str | None, request: dict[str, Any]
) -> tuple[Any, Any]:
    """The party's active relation of `kind` on the account (for a hæftelse: on the named claim) if it
    has what ends (a gældende adresse, a materialeabonnement), else None; and that claim (or None)."""
    query = sa.select(tables.relations).where(
        tables.relations.c.account_id == account.id,
        tables.relations.c.kind == kind,
        tables.relations.c.party_id == party,
        tables.relations.c.valid_to.is_(None),
    )
    claim = None
    if kind == konto.HAEFTELSE:
        claim = ctx.conn.execute(
            sa.select(tables.claims).where(
                tables.claims.c.account_id == account.id,
                tables.claims.c.reference == request.get("FordringReference", ""),
            )
        ).first()
        query = query.where(tables.relations.c.claim_id == (claim.id if claim else -1))
    else:
        query = query.where(tables.relations.c.claim_id.is_(None))
    found = ctx.conn.execute(query).first()
    if found is not None and what == "ADRESSE" and not found.data.get("GældendeAdresse"):
        found = None
    if found is not None and what == "ABONNEMENT" and not konto.subscribed(found):
        found = None
    return found, claim


def _last_liable(ctx: OpContext, claim: Any, found: Any) -> bool:
    """Whether `found` is the last active hæftelse on a claim still owing under opkrævning or bero."""
    others = ctx.conn.execute(
        sa.select(sa.func.count()).where(
            tables.relations.c.claim_id == claim.id,
            tables.relations.c.kind == konto.HAEFTELSE,
            tables.relations.c.valid_to.is_(None),
            tables.relations.c.id != found.id,
        )
    ).scalar()
    return bool(others == 0 and claim.state in ("OPKRAEVNING", "BERO") and claim.saldo_oere > 0)


def _end_relation(ctx: OpContext, found: Any, what: str, slut: date) -> None:
    """End-date the relation's gældende adresse, its materialeabonnement or the relation itself."""
    if what == "ADRESSE":
        data = dict(found.data)
        address = dict(data.pop("GældendeAdresse")) | {"GyldigTilDato": slut.isoformat()}
        data["TidligereAdresse"] = [*data.get("TidligereAdresse", []), address]
        ctx.conn.execute(
            sa.update(tables.relations).where(tables.relations.c.id == found.id).values(data=data)
        )
    elif what == "ABONNEMENT":
        data = dict(found.data) | {"MaterialeabonnementSlutDato": slut.isoformat()}
        ctx.conn.execute(
            sa.update(tables.relations).where(tables.relations.c.id == found.id).values(data=data)
        )
    else:
        ctx.conn.execute(
            sa.update(tables.relations)
            .where(tables.relations.c.id == found.id)
            .values(valid_to=slut.isoformat())
        )
