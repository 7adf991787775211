"""Debitor system operations behind SF1590_B: OpretDebitorkonto, RetFordringTilstand, HentDebitorkonto.

The hand-over to PSRM and what the debitor system takes home from it: `simulators.debitor.overdragelse`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.findings import Finding, describe_all, errors_only, join_path
from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.contracts.money import wire
from testkommune.simulators.context import OpContext
from testkommune.simulators.debitor import binding, konto, mailbox, rules, tables, views
from testkommune.simulators.debitor.overdragelse import hand_over, status_message
from testkommune.simulators.debitor.profiles import profile_for
from testkommune.simulators.debitor.tables import (
    ANNULLERET,
    BERO,
    HOERING,
    OPKRAEVNING,
    OVERDRAGET,
    UNDER_INDDRIVELSE,
)
from testkommune.simulators.debitor.tilbagekald import recall_fejl
from testkommune.simulators.prepared import PreparedInsert
from testkommune.simulators.psrm import api as psrm
from testkommune.simulators.rules.fordring import ClaimContext, entry_rules, hoering_rules
from testkommune.simulators.rules.stamdata import Debtor, Stamdata
from testkommune.simulators.tenancy import Tenant


def opret_debitorkonto(ctx: OpContext, message: dict[str, Any], delivery_id: str) -> dict[str, Any]:
    """Register (or extend) a debitorkonto with fordringer; all of them are booked, or none."""
    opret = message["OpretDebitorkonto"]
    spec = opret["DebitorkontoSpecifikation"]
    spec_base = join_path("$", "OpretDebitorkonto", "DebitorkontoSpecifikation")
    debtor = binding.debtor_of(spec["JuridiskAnsvarlig"], join_path(spec_base, "JuridiskAnsvarlig"))
    rule_ctx = ClaimContext(today=ctx.today, types=fordringstyper(), agreement=psrm.agreement(ctx.settings))
    findings: list[Finding] = []
    expected_kind = "PERSON" if debtor.kind == "CPR" else "VIRKSOMHED"
    if spec["DebitorkontoType"] != expected_kind:
        findings.append(
            Finding(
                "OIR-DEBITORKONTOTYPE",
                join_path(spec_base, "DebitorkontoType"),
                {"value": spec["DebitorkontoType"], "expected": expected_kind},
            )
        )
    account = _account(ctx.conn, ctx.tenant, spec["DebitorkontoReference"])
    if account is not None and (account.debtor_kind, account.debtor_id) != (debtor.kind, debtor.id):
        findings.append(
            Finding(
                "OIR-DEBITORKONTO-SKYLDNER",
                join_path(spec_base, "JuridiskAnsvarlig"),
                {"value": spec["DebitorkontoReference"]},
            )
        )
    relations = [] if account is None else konto.active_relations(ctx.conn, account.id)
    deb_ctx = _registrering_context(ctx, opret, debtor, relations)
    findings.extend(rules.parter_identitet(spec, spec_base))
    findings.extend(
        rules.duplicates_within(opret["Fordring"], join_path("$", "OpretDebitorkonto", "Fordring"))
    )
    claims, hearing = _check_fordringer(opret["Fordring"], debtor, rule_ctx, deb_ctx, findings)
    errors = errors_only(findings)
    warnings = [f for f in findings if f not in errors] + hearing
    if errors:
        return {"Status": "AFVIST", "Fejl": describe_all(errors), "Advarsler": describe_all(warnings)}
    account_id = account.id if account is not None else _create_account(ctx, spec, debtor)
    bookings = konto.Bookings()
    relations = konto.add_roles(ctx.tenant.key, account_id, spec, ctx.today, relations, bookings)
    booked = [
        _book_claim(ctx, account_id, fordring, claim, debtor, relations, bookings, delivery_id)
        for fordring, claim in claims
    ]
    bookings.insert(ctx.conn)
    return {
        "Status": "GODKENDT",
        "Fejl": [],
        "Advarsler": describe_all(warnings),
        "DebitorkontoID": str(account_id),
        "Fordring": booked,
    }


def _registrering_context(
    ctx: OpContext, opret: dict[str, Any], debtor: Debtor, relations: Sequence[Any]
) -> rules.RegistreringContext:
    """What the registrering rules need: the profile, today, the liable parties and the open refs."""
    spec = opret["DebitorkontoSpecifikation"]
    profile = profile_for(ctx.settings)
    parties = {debtor.id} | {konto.party_id(p)[1] for p in spec.get("JuridiskMedhæfter", [])}
    parties |= konto.liable_parties(relations)
    return rules.RegistreringContext(
        today=ctx.today,
        kraevede_felter=profile.kraevede_felter,
        profil=profile.id,
        parties=frozenset(parties),
        existing_refs=_open_refs(ctx, [f["FordringReference"] for f in opret["Fordring"]]),
    )


def _check_fordringer(
    fordringer: list[dict[str, Any]],
    debtor: Debtor,
    rule_ctx: ClaimContext,
    deb_ctx: rules.RegistreringContext,
    findings: list[Finding],
) -> tuple[list[tuple[dict[str, Any], Stamdata]], list[Finding]]:
    """Bind each fordring and run its entry and registrering rules (into `findings`); return the
    bound claims and the findings PSRM would send to hearing (warned of now)."""
    claims = []
    hearing: list[Finding] = []
    for i, fordring in enumerate(fordringer):
        base = join_path("$", "OpretDebitorkonto", "Fordring", i)
        claim = binding.stamdata(fordring, base, debtor)
        claims.append((fordring, claim))
        findings.extend(entry_rules.run(claim, rule_ctx))
        findings.extend(rules.run_registrering(fordring, base, deb_ctx))
        hearing.extend(hoering_rules.run(claim, rule_ctx))  # PSRM would send these to hearing: warn now
    return claims, hearing


def _book_claim(
    ctx: OpContext,
    account_id: int,
    fordring: dict[str, Any],
    claim: Stamdata,
    debtor: Debtor,
    relations: list[Any],
    bookings: konto.Bookings,
    delivery_id: str,
) -> dict[str, str]:
    """Insert one accepted fordring under opkrævning with its parts; its reference and new id."""
    claim_id = _INSERT_CLAIM.execute_one(
        ctx.conn,
        {
            "tenant": ctx.tenant.key,
            "account_id": account_id,
            "reference": claim.reference,
            "fordringstype": claim.fordringstype,
            "state": OPKRAEVNING,
            "hovedstol_oere": claim.hovedstol,
            "saldo_oere": claim.saldo,
            "data": fordring,
            "delivery_id": delivery_id,
            "psrm": None,
            "created_at": ctx.now.isoformat(),
            "updated_at": ctx.now.isoformat(),
        },
    )
    _book_claim_parts(ctx, account_id, claim_id, fordring, debtor, relations, bookings)
    return {"FordringReference": claim.reference, "FordringID": str(claim_id)}


def opkraevning_start(fordring: dict[str, Any]) -> str | None:
    """The first day the opkrævning may act on a new claim: the day after its SRB (or forfald)."""
    day = fordring.get("SidsteRettidigeBetalingDato") or fordring.get("ForfaldDato")
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat() if day else None


_claims = tables.claims.c
_LIVE = sa.select(_claims.reference).where(
    _claims.tenant == sa.bindparam("k_tenant"), _claims.state.not_in((ANNULLERET,))
)
_OPEN_REFS = _LIVE.where(_claims.reference.in_(sa.bindparam("k_refs", expanding=True)))
_OPEN_REF = _LIVE.where(_claims.reference == sa.bindparam("k_ref"))
_ACCOUNT = sa.select(tables.accounts).where(
    tables.accounts.c.tenant == sa.bindparam("k_tenant"), tables.accounts.c.reference == sa.bindparam("k_ref")
)
_INSERT_ACCOUNT = PreparedInsert(tables.accounts)  # compiled once, bound straight to the DB-API cursor
_INSERT_CLAIM = PreparedInsert(tables.claims)


def _open_refs(ctx: OpContext, refs: list[str]) -> frozenset[str]:
    """Those of `refs` the tenant already holds as a live claim (not annulled, not cancelled)."""
    if len(refs) == 1:  # the usual case, without the cost of an expanding IN
        rows = ctx.conn.execute(_OPEN_REF, {"k_tenant": ctx.tenant.key, "k_ref": refs[0]}).all()
    else:
        rows = ctx.conn.execute(_OPEN_REFS, {"k_tenant": ctx.tenant.key, "k_refs": refs}).all()
    return frozenset(r.reference for r in rows)


def _book_claim_parts(
    ctx: OpContext,
    account_id: int,
    claim_id: int,
    fordring: dict[str, Any],
    debtor: Any,
    relations: list[Any],
    bookings: konto.Bookings,
) -> None:
    """Delfordringer, hæftelser, the opkrævning record and the written opkrævning to the debtor, added to
    `bookings` (`relations`: the account's active relations)."""
    tenant_key = ctx.tenant.key
    bookings.parts.extend(konto.part_rows(tenant_key, claim_id, fordring, ctx.now))
    key = "PersonCPRNummer" if debtor.kind == "CPR" else "VirksomhedCVRNummer"
    liable = fordring.get("Hæftelse") or [{key: debtor.id}]
    bookings.relations.extend(
        konto.relation_row(tenant_key, account_id, konto.HAEFTELSE, part, ctx.today, claim_id=claim_id)
        for part in liable
    )
    bookings.opkraevning.append(konto.opkraevning_row(tenant_key, claim_id, opkraevning_start(fordring)))
    bookings.letters.extend(
        konto.letter_rows(
            tenant_key,
            relations,
            account_id=account_id,
            claim_id=claim_id,
            kind="OPKRAEVNING",
            recipient=debtor.id,
            dato=ctx.today,
            data={
                "FordringReference": fordring["FordringReference"],
                "Beløb": fordring["HovedstolBeløb"],
                "ForfaldDato": fordring.get("ForfaldDato"),
                "SidsteRettidigeBetalingDato": fordring.get("SidsteRettidigeBetalingDato"),
            },
        )
    )


def _account(conn: Connection, tenant: Tenant, reference: str) -> Any:
    return conn.execute(_ACCOUNT, {"k_tenant": tenant.key, "k_ref": reference}).first()


def _create_account(ctx: OpContext, spec: dict[str, Any], debtor: Any) -> int:
    return _INSERT_ACCOUNT.execute_one(
        ctx.conn,
        {
            "tenant": ctx.tenant.key,
            "reference": spec["DebitorkontoReference"],
            "kind": spec["DebitorkontoType"],
            "debtor_kind": debtor.kind,
            "debtor_id": debtor.id,
            "data": spec,
            "created_at": ctx.now.isoformat(),
        },
    )


def ret_fordring_tilstand(ctx: OpContext, message: dict[str, Any]) -> dict[str, Any]:
    """Change a fordring's state; OVERDRAG_TIL_INDDRIVELSE hands it to PSRM as OPRETFORDRING."""
    request = message["RetFordringTilstand"]
    base = join_path("$", "RetFordringTilstand")
    rows = ctx.conn.execute(
        sa.select(tables.claims)
        .where(
            tables.claims.c.tenant == ctx.tenant.key,
            tables.claims.c.reference == request["FordringReference"],
        )
        .order_by(tables.claims.c.id)
    ).all()
    if not rows:
        return _refused(
            Finding(
                "OIR-FORDRING-UKENDT",
                join_path(base, "FordringReference"),
                {"value": request["FordringReference"]},
            )
        )
    target = request["FordringTilstand"]
    claim = next((r for r in rows if r.state in _FROM[target]), None)
    if claim is None:
        return _refused(
            Finding(
                "OIR-FORDRING-TILSTAND",
                join_path(base, "FordringTilstand"),
                {"value": target, "state": rows[-1].state},
            )
        )
    if target == "OVERDRAG_TIL_INDDRIVELSE":
        warnings = rules.overdragelse(_rykker_sent(ctx, claim.id), profile_for(ctx.settings), base)
        answer = hand_over(ctx, claim)
        return answer | {"Advarsler": describe_all(warnings)} if warnings else answer
    if target == "ANNULLER" and claim.state == UNDER_INDDRIVELSE:
        recall_fejl(ctx, claim)  # PSRM's word (each dækning reversed, the recall) comes back to the mailbox
    elif target == "ANNULLER":
        _write_off_open(ctx, claim, "ANNULLERING")
    new_state = {"BERO": BERO, "GENOPTAG": OPKRAEVNING, "ANNULLER": ANNULLERET}[target]
    ctx.conn.execute(
        sa.update(tables.claims)
        .where(tables.claims.c.id == claim.id)
        .values(state=new_state, updated_at=ctx.now.isoformat())
    )
    if new_state == ANNULLERET:
        konto.set_opkraevning(ctx.conn, claim.id, status="AFSLUTTET")
    status_message(ctx.conn, ctx.tenant.key, claim, new_state, ctx.now, target, request["FordringReference"])
    return {"Status": "GODKENDT", "Fejl": [], "FordringID": str(claim.id), "FordringTilstand": new_state}


def _rykker_sent(ctx: OpContext, claim_id: int) -> int:
    sent = ctx.conn.execute(
        sa.select(tables.opkraevning.c.rykker_sendt).where(tables.opkraevning.c.claim_id == claim_id)
    ).scalar()
    return sent or 0


_FROM = {
    "OVERDRAG_TIL_INDDRIVELSE": (OPKRAEVNING,),
    "BERO": (OPKRAEVNING,),
    "GENOPTAG": (BERO,),
    "ANNULLER": (OPKRAEVNING, BERO, UNDER_INDDRIVELSE),
}


def _write_off_open(ctx: OpContext, claim: Any, source: str) -> int:
    """Write off every open delfordring of the claim; reported back as one AFSKRIVNING. Returns the amount."""
    total = 0
    for part in konto.parts_of(ctx.conn, claim.id):
        if part.saldo_oere <= 0:
            continue
        total += part.saldo_oere
        ctx.conn.execute(
            sa.update(tables.delfordringer).where(tables.delfordringer.c.id == part.id).values(saldo_oere=0)
        )
        ctx.conn.execute(
            sa.insert(tables.coverages).values(
                tenant=ctx.tenant.key,
                claim_id=claim.id,
                delfordring_id=part.id,
                source=source,
                source_ref=claim.reference,
                amount_oere=part.saldo_oere,
                dato=ctx.today.isoformat(),
                booked_at=ctx.now.isoformat(),
            )
        )
    ctx.conn.execute(sa.update(tables.claims).where(tables.claims.c.id == claim.id).values(saldo_oere=0))
    if total:
        mailbox.post(
            ctx.conn,
            ctx.tenant.key,
            kind="AFSKRIVNING",
            reference=claim.reference,
            amount_oere=total,
            dato=ctx.today.isoformat(),
            now=ctx.now,
            claim_id=claim.id,
            data={"Årsag": source},
            message_id=f"{source}:{claim.id}",
        )
    return total


def _refused(*findings: Finding) -> dict[str, Any]:
    return {"Status": "AFVIST", "Fejl": describe_all(findings)}


def hent_debitorkonto(ctx: OpContext, reference: str) -> dict[str, Any] | None:
    """B_02: one of the fagsystem's own accounts with its claims and PSRM's latest word on each."""
    account = _account(ctx.conn, ctx.tenant, reference)
    if account is None:
        return None
    rows = ctx.conn.execute(
        sa.select(tables.claims).where(tables.claims.c.account_id == account.id).order_by(tables.claims.c.id)
    ).all()
    return {
        "Debitorkonto": {
            "DebitorkontoID": str(account.id),
            "DebitorkontoReference": account.reference,
            "DebitorkontoType": account.kind,
            "Rolle": views.roles(ctx.conn, account.id),
            "Fordring": [views.claim_full(ctx.conn, r, claim_view(r)) for r in rows],
        }
    }


def claim_view(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "FordringID": str(row.id),
        "FordringReference": row.reference,
        "FordringstypeKode": row.fordringstype,
        "FordringTilstand": row.state,
        "SaldoBeløb": wire(row.saldo_oere),
    }
    if row.psrm:
        out["PSRM"] = {k: v for k, v in row.psrm.items() if k != "historik"}
    return out


__all__ = ["HOERING", "OVERDRAGET", "UNDER_INDDRIVELSE", "claim_view", "hand_over", "hent_debitorkonto"]
