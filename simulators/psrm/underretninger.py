"""Notifications (underretninger) a claimant fetches from PSRM: derived from events on the simulated clock.

UDLIGNING or ALLOKERING per covering (the claimant's choice), AFREGNING monthly over the bank-day period and
paid out on the month's last weekday, RENTER monthly, RETURNERING and AFSKRIVNING on the event (psrm.md §8).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.engine import Connection, Row
from testkommune.contracts.money import wire
from testkommune.simulators.psrm import bankdage, renter, tables
from testkommune.simulators.psrm.inddrivelse import ledger
from testkommune.simulators.psrm.state import PsrmView
from testkommune.simulators.tenancy import Tenant

MAX_AGE = relativedelta(months=3)
REVERSALS = ("DAEKNING_TILBAGEFOERT", "RENTEDAEKNING_TILBAGEFOERT")


def oldest_allowed(today: date) -> date:
    """Notifications older than 3 months cannot be fetched (psrm.md §8)."""
    return today - MAX_AGE


def build(conn: Connection, tenant: Tenant, settings: dict[str, Any], today: date) -> list[dict[str, Any]]:
    """Every notification dated on or before `today`, oldest first."""
    events = conn.execute(
        sa.select(tables.events).where(tables.events.c.tenant == tenant.key).order_by(tables.events.c.id)
    ).all()
    out = _coverings(events, settings)
    payout = settings["psrm"].get("afregning_udbetalingsdag", "BANKDAG")
    out += _settlements(conn, tenant, today, [e for e in events if e.kind in REVERSALS], payout)
    out += _interest(conn, tenant, today)
    out += _endings(events)
    return sorted(
        (n for n in out if n["UnderretningDato"] <= today.isoformat()),
        key=lambda n: (
            n["UnderretningDato"],
            n["UnderretningTypeKode"],
            n.get("DMIFordringEFIFordringID", ""),
        ),
    )


def _coverings(events: Sequence[Row[Any]], settings: dict[str, Any]) -> list[dict[str, Any]]:
    mode = settings["psrm"].get("underretning_daekning", "UDLIGNING")
    grouped: dict[tuple[int, int, str], list[Any]] = defaultdict(list)
    for event in events:
        if event.kind in ("DAEKNING", "RENTEDAEKNING", *REVERSALS):
            tag = "R" if event.kind in REVERSALS else "G" if event.data.get("gendaekning") else ""
            grouped[(event.data["indbetaling"], event.fordring_id, tag)].append(event)
    out = []
    for (_, claim_id, tag), parts in grouped.items():  # R: reversed by a FEJL recall, G: covered again
        reversal = tag == "R"
        principal = -sum(e.amount_oere for e in parts if e.kind in ("DAEKNING", "DAEKNING_TILBAGEFOERT"))
        interest = sum(e.amount_oere for e in parts if e.kind.startswith("RENTEDAEKNING"))
        dated = parts[0].data["tilbagefoert_dato"] if reversal else parts[0].virkningsdato
        note: dict[str, Any] = {
            "UnderretningTypeKode": mode,
            "UnderretningDato": dated,
            "DMIFordringEFIFordringID": str(claim_id),
            "DækningBeløb": wire(principal + interest),
            "DækningKilde": parts[0].data.get("kilde"),
        }
        if mode == "ALLOKERING":
            note |= {"HovedstolBeløb": wire(principal), "RenteBeløb": wire(interest)}
        out.append(note)
    return out


def _settlements(
    conn: Connection, tenant: Tenant, today: date, reversals: list[Any], payout: str
) -> list[dict[str, Any]]:
    """Monthly AFREGNING; a dækning reversed by a FEJL recall is netted as a negative line in the period
    of the recall (psrm.md §6.3), and what the freed money covered again as a positive one."""
    table = tables.payments
    payments = conn.execute(
        sa.select(table)
        .where(table.c.tenant == tenant.key, table.c.status == "DAEKKET")
        .order_by(table.c.dato)
    ).all()
    if not payments:
        return []
    out = []
    first = date.fromisoformat(payments[0].dato)
    month = date(first.year, first.month, 1)
    while month <= today:
        start, end, paid = bankdage.afregning_period(month.year, month.month, payout)
        lines = _settlement_lines(payments, reversals, start, end)
        if lines:
            out.append(
                {
                    "UnderretningTypeKode": "AFREGNING",
                    "UnderretningDato": paid.isoformat(),
                    "PeriodeFraDato": start.isoformat(),
                    "PeriodeTilDato": end.isoformat(),
                    "AfregningBeløb": wire(round(sum(line["Beløb"] for line in lines) * 100)),
                    "AfregningLinje": lines,
                }
            )
        month = month + relativedelta(months=1)
    return out


def _settlement_lines(
    payments: Sequence[Any], reversals: Sequence[Any], start: date, end: date
) -> list[dict[str, Any]]:
    """One period's AFREGNING lines: dækninger, gendækninger and (negative) reversals within it."""
    return (
        [
            {
                "SkyldnerID": p.skyldner,
                "BetalingDato": p.dato,
                "FordringID": c["FordringID"],
                "Beløb": wire(c["Beløb"]),
            }
            for p in payments
            if start <= date.fromisoformat(p.dato) <= end
            for c in (p.result or {}).get("daekninger", [])
        ]
        + [  # a payment freed by a FEJL recall and covering other claims again (inddrivelse.gendaek)
            {
                "SkyldnerID": p.skyldner,
                "BetalingDato": p.dato,
                "FordringID": c["FordringID"],
                "Beløb": wire(c["Beløb"]),
                "Gendækning": True,
            }
            for p in payments
            for c in (p.result or {}).get("gendaekninger", [])
            if start <= date.fromisoformat(c["Dato"]) <= end
        ]
        + [
            {
                "SkyldnerID": None,
                "BetalingDato": r.virkningsdato,
                "FordringID": str(r.fordring_id),
                "Beløb": wire(-abs(r.amount_oere)),
                "Tilbageført": True,
            }
            for r in reversals
            if start <= date.fromisoformat(r.data["tilbagefoert_dato"]) <= end
        ]
    )


def _interest(conn: Connection, tenant: Tenant, today: date) -> list[dict[str, Any]]:
    view = PsrmView(conn, tenant)
    ids = conn.execute(sa.select(tables.claims.c.id).where(tables.claims.c.tenant == tenant.key)).scalars()
    out = []
    for claim_id in ids:
        claim = view.claim(claim_id)
        if claim is None:
            continue
        book = ledger(conn, tenant, claim)
        if not book.bears_interest:
            continue
        month = renter.interest_start(claim.received_on)
        while True:
            first, last = renter.month_bounds(month)
            if last >= today:
                break
            amount = book.interest(last + timedelta(days=1)) - book.interest(first)
            if amount > 0:
                out.append(
                    {
                        "UnderretningTypeKode": "RENTER",
                        "UnderretningDato": last.isoformat(),
                        "DMIFordringEFIFordringID": str(claim.id),
                        "PeriodeFraDato": first.isoformat(),
                        "PeriodeTilDato": last.isoformat(),
                        "RenteBeløb": wire(amount),
                        "RenteSatsProcent": str(renter.rate_on(first)),
                    }
                )
            month = last + timedelta(days=1)
    return out


def _endings(events: Sequence[Row[Any]]) -> list[dict[str, Any]]:
    return [
        {
            "UnderretningTypeKode": event.kind,
            "UnderretningDato": event.virkningsdato,
            "DMIFordringEFIFordringID": str(event.fordring_id),
            "ÅrsagKode": event.data.get("aarsag"),
            "Tekst": event.data.get("tekst"),
            "SaldoBeløb": wire(event.data.get("saldo", 0)),
            "RenteBeløb": wire(event.data.get("renter", 0)),
        }
        for event in events
        if event.kind in ("RETURNERING", "AFSKRIVNING")
    ]


def afstemning(conn: Connection, tenant: Tenant) -> dict[str, Any]:
    """The inddrivelsesgrundlag = tilgang − tilbagekald − nedskrivning + opskrivning (psrm.md §6.6)."""
    events = conn.execute(sa.select(tables.events).where(tables.events.c.tenant == tenant.key)).all()
    sums = {"tilgang": 0, "tilbagekald": 0, "nedskrivning": 0, "opskrivning": 0, "daekning": 0}
    for e in events:
        if e.kind == "TILGANG":
            sums["tilgang"] += e.amount_oere
        elif e.kind.startswith("TILBAGEKALD_"):
            sums["tilbagekald"] -= e.amount_oere
        elif e.kind.startswith("NEDSKRIVNING_"):
            sums["nedskrivning"] -= e.amount_oere
        elif e.kind == "OPSKRIVNING" or e.kind.startswith("OPSKRIVNING_"):
            sums["opskrivning"] += e.amount_oere
        elif e.kind in ("DAEKNING", "RENTEDAEKNING"):
            sums["daekning"] += abs(e.amount_oere)
        elif e.kind in REVERSALS:
            sums["daekning"] -= abs(e.amount_oere)
    grundlag = sums["tilgang"] - sums["tilbagekald"] - sums["nedskrivning"] + sums["opskrivning"]
    return {
        "TilgangBeløb": wire(sums["tilgang"]),
        "TilbagekaldBeløb": wire(sums["tilbagekald"]),
        "NedskrivningBeløb": wire(sums["nedskrivning"]),
        "OpskrivningBeløb": wire(sums["opskrivning"]),
        "InddrivelsesgrundlagBeløb": wire(grundlag),
        "DækningBeløb": wire(sums["daekning"]),
        "Formel": "inddrivelsesgrundlag = tilgang − tilbagekald − nedskrivning + opskrivning",
    }
