"""Debitor system operations behind SF1590_B: OpretDebitorkonto, RetFordringTilstand, HentDebitorkonto."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from harness.core.contracts import contract_set
from harness.core.findings import Finding, describe_all, errors_only, join_path
from harness.core.fordringstyper import fordringstyper
from harness.core.money import wire
from simulators import store
from simulators.context import OpContext
from simulators.debitor import binding
from simulators.psrm import service as psrm
from simulators.rules.fordring import ClaimContext, entry_rules, hoering_rules
from simulators.tenancy import Tenant

OPKRAEVNING = "OPKRAEVNING"
OVERDRAGET = "OVERDRAGET"
UNDER_INDDRIVELSE = "UNDER_INDDRIVELSE"
HOERING = "HOERING"


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
    claims = []
    hearing: list[Finding] = []
    for i, fordring in enumerate(opret["Fordring"]):
        claim = binding.stamdata(fordring, join_path("$", "OpretDebitorkonto", "Fordring", i), debtor)
        claims.append((fordring, claim))
        findings.extend(entry_rules.run(claim, rule_ctx))
        hearing.extend(hoering_rules.run(claim, rule_ctx))  # PSRM would send these to hearing: warn now
    errors = errors_only(findings)
    warnings = [f for f in findings if f not in errors] + hearing
    if errors:
        return {"Status": "AFVIST", "Fejl": describe_all(errors), "Advarsler": describe_all(warnings)}
    account_id = account.id if account is not None else _create_account(ctx, spec, debtor)
    booked = []
    for fordring, claim in claims:
        result = ctx.conn.execute(
            sa.insert(store.claims).values(
                tenant=ctx.tenant.key,
                account_id=account_id,
                reference=claim.reference,
                fordringstype=claim.fordringstype,
                state=OPKRAEVNING,
                hovedstol_oere=claim.hovedstol,
                saldo_oere=claim.saldo,
                data=fordring,
                delivery_id=delivery_id,
                psrm=None,
                created_at=ctx.now.isoformat(),
                updated_at=ctx.now.isoformat(),
            )
        )
        booked.append(
            {"FordringReference": claim.reference, "FordringID": str(result.inserted_primary_key[0])}
        )
    return {
        "Status": "GODKENDT",
        "Fejl": [],
        "Advarsler": describe_all(warnings),
        "DebitorkontoID": str(account_id),
        "Fordring": booked,
    }


def _account(conn: Connection, tenant: Tenant, reference: str) -> Any:
    return conn.execute(
        sa.select(store.accounts).where(
            store.accounts.c.tenant == tenant.key, store.accounts.c.reference == reference
        )
    ).first()


def _create_account(ctx: OpContext, spec: dict[str, Any], debtor: Any) -> int:
    result = ctx.conn.execute(
        sa.insert(store.accounts).values(
            tenant=ctx.tenant.key,
            reference=spec["DebitorkontoReference"],
            kind=spec["DebitorkontoType"],
            debtor_kind=debtor.kind,
            debtor_id=debtor.id,
            data=spec,
            created_at=ctx.now.isoformat(),
        )
    )
    return int(result.inserted_primary_key[0])


def ret_fordring_tilstand(ctx: OpContext, message: dict[str, Any]) -> dict[str, Any]:
    """Change a fordring's state; OVERDRAG_TIL_INDDRIVELSE hands it to PSRM as OPRETFORDRING."""
    request = message["RetFordringTilstand"]
    base = join_path("$", "RetFordringTilstand")
    rows = ctx.conn.execute(
        sa.select(store.claims)
        .where(
            store.claims.c.tenant == ctx.tenant.key, store.claims.c.reference == request["FordringReference"]
        )
        .order_by(store.claims.c.id)
    ).all()
    if not rows:
        return _refused(
            Finding(
                "OIR-FORDRING-UKENDT",
                join_path(base, "FordringReference"),
                {"value": request["FordringReference"]},
            )
        )
    claim = next((r for r in rows if r.state == OPKRAEVNING), None)
    if claim is None:
        return _refused(
            Finding(
                "OIR-FORDRING-TILSTAND",
                join_path(base, "FordringTilstand"),
                {"value": request["FordringTilstand"], "state": rows[-1].state},
            )
        )
    return _hand_over(ctx, claim)


def _refused(*findings: Finding) -> dict[str, Any]:
    return {"Status": "AFVIST", "Fejl": describe_all(findings)}


def _hand_over(ctx: OpContext, claim: Any) -> dict[str, Any]:
    account = ctx.conn.execute(sa.select(store.accounts).where(store.accounts.c.id == claim.account_id)).one()
    attempt = 1 + len((claim.psrm or {}).get("historik", []))
    leverance_id = f"DEB-{claim.id:08d}-{attempt}"
    aktion_id = f"A-{ctx.tenant.kommune}-{claim.id:08d}-{attempt}"
    message = binding.psrm_message(
        claim,
        account,
        leverance_id=leverance_id,
        aktion_id=aktion_id,
        fordringshaver_id=ctx.settings["psrm"]["fordringshaver_id"],
        system_se=ctx.settings["debitor"]["system_se"],
        now=ctx.now,
    )
    problems = contract_set().get("psrm/MFFordringIndberet_I").check(message)
    if problems:  # our own mapping broke PSRM's contract: a defect of the simulator, never the sender's fault
        raise AssertionError(f"debitor → PSRM mapping breaks the contract: {problems}")
    answer = psrm.indberet(ctx, message)
    status = answer["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"][0]
    history = [
        *(claim.psrm or {}).get("historik", []),
        {"MFLeveranceID": leverance_id, "MFAktionID": aktion_id},
    ]
    psrm_view = {
        "MFLeveranceID": leverance_id,
        "MFAktionID": aktion_id,
        "MFAktionStatusKode": status["MFAktionStatusKode"],
        "DMIFordringEFIFordringID": None,
        "DMIFordringEFIHovedFordringID": None,
        "AfvistÅrsagSamling": status.get("AfvistÅrsagSamling", []),
        "historik": history,
    }
    state = OVERDRAGET if status["MFAktionStatusKode"] == "MODTAGET" else OPKRAEVNING
    _update(ctx.conn, claim.id, state=state, psrm=psrm_view, now=ctx.now)
    if state == OPKRAEVNING:
        return {
            "Status": "AFVIST",
            "Fejl": psrm_view["AfvistÅrsagSamling"],
            "FordringID": str(claim.id),
            "FordringTilstand": state,
            "MFLeveranceID": leverance_id,
        }
    return {
        "Status": "GODKENDT",
        "Fejl": [],
        "FordringID": str(claim.id),
        "FordringTilstand": state,
        "MFLeveranceID": leverance_id,
    }


def _update(conn: Connection, claim_id: int, *, state: str, psrm: dict[str, Any], now: Any) -> None:
    conn.execute(
        sa.update(store.claims)
        .where(store.claims.c.id == claim_id)
        .values(state=state, psrm=psrm, updated_at=now.isoformat())
    )


def sync_from_psrm(conn: Connection, tenant: Tenant, now: Any) -> None:
    """Pull PSRM's receipts for claims handed over (the debitor system polls MFKvitteringHent)."""
    pending = conn.execute(
        sa.select(store.claims).where(
            store.claims.c.tenant == tenant.key, store.claims.c.state.in_((OVERDRAGET, HOERING))
        )
    ).all()
    for claim in pending:
        row = psrm.action(conn, tenant, claim.psrm["MFAktionID"])
        if (
            row is None
            or row.status == "MODTAGET"
            or (claim.state == HOERING and row.status in ("HOERING", "AFVENTER_RIM"))
        ):
            continue
        receipt = psrm.receipt(row)
        view = dict(claim.psrm) | {
            "MFAktionStatusKode": receipt["MFAktionStatusKode"],
            "DMIFordringEFIFordringID": row.fordring_id,
            "DMIFordringEFIHovedFordringID": row.hovedfordring_id,
            "AfvistÅrsagSamling": row.errors,
        }
        state = {"UDFOERT": UNDER_INDDRIVELSE, "HOERING": HOERING, "AFVENTER_RIM": HOERING}.get(
            row.status, OPKRAEVNING
        )
        _update(conn, claim.id, state=state, psrm=view, now=now)


def hent_debitorkonto(ctx: OpContext, reference: str) -> dict[str, Any] | None:
    """B_02: one of the fagsystem's own accounts with its claims and PSRM's latest word on each."""
    account = _account(ctx.conn, ctx.tenant, reference)
    if account is None:
        return None
    rows = ctx.conn.execute(
        sa.select(store.claims).where(store.claims.c.account_id == account.id).order_by(store.claims.c.id)
    ).all()
    return {
        "Debitorkonto": {
            "DebitorkontoID": str(account.id),
            "DebitorkontoReference": account.reference,
            "DebitorkontoType": account.kind,
            "Fordring": [claim_view(r) for r in rows],
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
