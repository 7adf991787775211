"""PSRM's receipts (kvitteringer): one MFAktionStruktur per action, and MFKvitteringHent over a leverance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from testkommune.contracts.clock import iso
from testkommune.simulators.context import OpContext
from testkommune.simulators.psrm import tables


def receipt(row: Any) -> dict[str, Any]:
    """One MFAktionStruktur as MFKvitteringHent gives it."""
    status = "HOERING" if row.status == "AFVENTER_RIM" else row.status
    out = {
        "DMIFordringEFIFordringID": row.fordring_id,
        "DMIFordringEFIHovedFordringID": row.hovedfordring_id,
        "DMIFordringFordringHaverRef": row.claimant_ref,
        "MFAktionID": row.aktion_id,
        "MFAktionKode": row.kode,
        "DMIFordringHaverID": row.request.get("DMIFordringHaverID"),
        "MFAktionStatusKode": status,
        "MFAktionStatusÆndretDato": iso(datetime.fromisoformat(row.processed_at or row.received_at)),
        "DMIFordringModtagelseDato": iso(datetime.fromisoformat(row.received_at)),
    }
    if row.errors:
        out["AfvistÅrsagSamling"] = row.errors
    if row.hearing:
        out["HoeringÅrsagSamling"] = row.hearing.get("aarsager", [])
        if row.status == "AFVENTER_RIM":
            out["HoeringStatus"] = "AFVENTER_RIM"
        elif row.status == "HOERING":
            out["HoeringStatus"] = "AFVENTER_FORDRINGSHAVER"
    return out


def kvittering_hent(ctx: OpContext, leverance_id: str) -> dict[str, Any] | None:
    """MFKvitteringHent: the receipts of every action in a leverance, or None if it is unknown."""
    table = tables.actions
    rows = ctx.conn.execute(
        sa.select(table)
        .where(table.c.tenant == ctx.tenant.key, table.c.leverance_id == leverance_id)
        .order_by(table.c.received_at, table.c.position)
    ).all()
    if not rows:
        return None
    return {
        "MFLeveranceID": leverance_id,
        "FordringAktionStatusSamling": {"MFAktionStruktur": [receipt(r) for r in rows]},
    }
