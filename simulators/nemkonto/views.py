"""How NemKonto shows a bundle: its modtagekontrol, its forretningssvar, and the admin views."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from testkommune.contracts.clock import iso
from testkommune.contracts.money import wire
from testkommune.simulators.nemkonto import tables
from testkommune.simulators.nemkonto.anmodning import UNDER_BEHANDLING
from testkommune.simulators.tenancy import Tenant


def _iso(value: str | None) -> str | None:
    return iso(datetime.fromisoformat(value)) if value else None


def modtagekontrol(bundle: Row[Any]) -> dict[str, Any]:
    """The synchronous answer to a bundle (Retursvar2, modtagekontrol)."""
    answer: dict[str, Any] = {
        "GrpId": bundle.grp_id,
        "NKSBundtnummer": bundle.nks_bundtnummer,
        "Status": bundle.status,
        "AntalTransaktioner": len(bundle.request["PaymentTransaction"]),
        "Fejl": bundle.fejl,
    }
    if bundle.status == UNDER_BEHANDLING:
        answer["BehandlesTidspunkt"] = _iso(bundle.due_at)
    return answer


def transaktioner(conn: Connection, bundle_id: int) -> list[Row[Any]]:
    t = tables.transaktioner
    return list(conn.execute(sa.select(t).where(t.c.bundt_row == bundle_id).order_by(t.c.position)).all())


def retursvar(bundle: Row[Any], row: Row[Any]) -> dict[str, Any]:
    """The answer for one payment; waiting payments show UNDER_BEHANDLING until their bundle is processed."""
    status = UNDER_BEHANDLING if bundle.status == UNDER_BEHANDLING else row.status
    answer: dict[str, Any] = {
        "EndToEndId": row.end_to_end_id,
        "Status": status,
        "Beløb": wire(row.beloeb_oere),
    }
    if status == UNDER_BEHANDLING:
        return answer | {"Fejl": []}
    if row.udbetalt_oere is not None:
        answer |= {
            "ModregnetBeløb": wire(row.modregnet_oere or 0),
            "UdbetaltBeløb": wire(row.udbetalt_oere),
            "Kontokilde": row.kontokilde,
            "Konto": row.konto,
            "Modregning": [
                {k: v for k, v in d.items() if k != "beloeb_oere"} | {"Beløb": wire(d["beloeb_oere"])}
                for d in row.modregning
            ]
            if row.modregning is not None
            else None,
        }
    return answer | {"Fejl": row.fejl}


def forretningssvar(conn: Connection, bundle: Row[Any]) -> dict[str, Any]:
    """NemKonto's business answer for one bundle, with a retursvar per payment."""
    answer: dict[str, Any] = {
        "TransaktionsID": bundle.transaktions_id,
        "GrpId": bundle.grp_id,
        "NKSBundtnummer": bundle.nks_bundtnummer,
        "Status": bundle.status,
        "ModtagetTidspunkt": _iso(bundle.received_at),
    }
    if bundle.status == UNDER_BEHANDLING:
        answer["BehandlesTidspunkt"] = _iso(bundle.due_at)
    else:
        answer["BehandletTidspunkt"] = _iso(bundle.processed_at)
    rows = transaktioner(conn, bundle.id)
    return answer | {"Fejl": bundle.fejl, "Retursvar": [retursvar(bundle, row) for row in rows]}


def bundle_rows(conn: Connection, tenant: Tenant, ident: str | None = None) -> list[Row[Any]]:
    """The tenant's bundles (all, or those with this GrpId or TransaktionsID), oldest first."""
    b = tables.bundter
    query = sa.select(b).where(b.c.tenant == tenant.key).order_by(b.c.id)
    if ident is not None:
        query = query.where(sa.or_(b.c.grp_id == ident, b.c.transaktions_id == ident.lower()))
    return list(conn.execute(query).all())


def bundle_view(conn: Connection, bundle: Row[Any]) -> dict[str, Any]:
    """One bundle as received, with its modtagekontrol and forretningssvar (admin)."""
    return {
        "Myndighed": bundle.myndighed,
        "Dataleverandør": f"{bundle.leverandoer_kort}/{bundle.leverandoer_lang}",
        "HentetTidspunkt": _iso(bundle.fetched_at),
        "Betalingsanmodning": bundle.request,
        "Forretningssvar": forretningssvar(conn, bundle),
    }


def betalinger(conn: Connection, tenant: Tenant) -> list[dict[str, Any]]:
    """Every payment the tenant asked for, with its bundle, status and the payout made (admin)."""
    t, b, u = tables.transaktioner, tables.bundter, tables.udbetalinger
    rows = conn.execute(
        sa.select(t, b.c.grp_id, b.c.transaktions_id, b.c.status.label("bundt_status"))
        .join(b, b.c.id == t.c.bundt_row)
        .where(t.c.tenant == tenant.key)
        .order_by(t.c.id)
    ).all()
    paid: dict[int, list[dict[str, Any]]] = {}
    for p in conn.execute(sa.select(u).where(u.c.tenant == tenant.key).order_by(u.c.id)):
        paid.setdefault(p.transaktion_row, []).append(
            {
                "Reference": p.reference,
                "Beløb": wire(p.beloeb_oere),
                "Konto": p.konto,
                "Betalingsdato": p.betalingsdato,
                "UdbetaltTidspunkt": p.udbetalt_at,
            }
        )
    return [
        {
            "GrpId": r.grp_id,
            "TransaktionsID": r.transaktions_id,
            "EndToEndId": r.end_to_end_id,
            "Status": UNDER_BEHANDLING if r.bundt_status == UNDER_BEHANDLING else r.status,
            "Modtager": {"Type": r.modtager_type, "Nummer": r.modtager},
            "Betalingsform": r.betalingsform,
            "Betalingsart": r.betalingsart,
            "Beløb": wire(r.beloeb_oere),
            "ModregnetBeløb": None if r.modregnet_oere is None else wire(r.modregnet_oere),
            "UdbetaltBeløb": None if r.udbetalt_oere is None else wire(r.udbetalt_oere),
            "Fejl": r.fejl,
            "Udbetalinger": paid.get(r.id, []),
        }
        for r in rows
    ]
