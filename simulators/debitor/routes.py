"""The debitor system's operations behind ØiR (SF1590_B_01/02/03 and DaekningAfskrivningRegistreringAfsend).

Deliveries go through the ØiR hub (`simulators.oir.api.delivery`), so a re-delivery with the same
TransaktionsID gets the stored answer and is booked once. The journal names their counterpart "oir": the
fagsystem meets them at ØiR.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from testkommune.contracts.findings import Finding
from testkommune.simulators.context import OpContext
from testkommune.simulators.debitor import forespoergsel, indbetaling, mailbox, registrering, tables
from testkommune.simulators.debitor import service as debitor
from testkommune.simulators.oir.api import delivery
from testkommune.simulators.operations import Operation


def _hent_debitorkonto(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    found = debitor.hent_debitorkonto(ctx, message["DebitorkontoReference"])
    if found is None:
        return 404, Finding(
            "OIR-DEBITORKONTO-UKENDT", "$.DebitorkontoReference", {"value": message["DebitorkontoReference"]}
        )
    return 200, found


def _soeg_debitorkonto(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    return 200, forespoergsel.soeg_debitorkonto(ctx, message)


def _soeg_delfordring(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    return 200, indbetaling.soeg_delfordring(ctx, message)


def _hent_daekning_afskrivning(sim: Any, ctx: OpContext, message: dict[str, Any]) -> tuple[int, Any]:
    found = mailbox.fetch(
        ctx.conn, ctx.tenant.key, after=message["Cursor"], now=ctx.now, limit=message.get("Antal", 100)
    )
    return 200, found


def _earlier_message(ctx: OpContext, message: Any) -> list[dict[str, Any]]:
    """The last mailbox message the caller already read (at or before its cursor), if any: what a
    duplicate_answer fault sends again (`simulators.faults`)."""
    cursor = message.get("Cursor", 0) if isinstance(message, dict) else 0
    table = tables.mailbox
    row = ctx.conn.execute(
        sa.select(table)
        .where(table.c.tenant == ctx.tenant.key, table.c.seq <= cursor)
        .order_by(table.c.seq.desc())
        .limit(1)
    ).first()
    return [mailbox.view(row)] if row is not None else []


def _afslut_operation(name: str) -> Operation:
    return Operation(
        "oir",
        name,
        f"{OIR_B01}/{name}",
        "oir/Afslut_I",
        "oir/Afslut_O",
        f"SF1590_B_01: {name} — end-date a registration on one of your own debitorkonti",
        delivery(
            f"DebitorRegistreringAfsend.{name}",
            lambda ctx, message, message_id: registrering.afslut(ctx, name, message),
        ),
    )


OIR_B01 = "/service/OIR/DebitorRegistreringAfsend/1"
OIR_B02 = "/service/OIR/DebitorForespoergsel/1"
OIR_B03 = "/service/OIR/DebitorIndbetalingAfsend/1"
OIR_DA = "/service/OIR/DaekningAfskrivningRegistreringAfsend/1"

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "oir",
        "OpretDebitorkonto",
        f"{OIR_B01}/OpretDebitorkonto",
        "oir/OpretDebitorkonto_I",
        "oir/OpretDebitorkonto_O",
        "SF1590_B_01: register a debitorkonto with fordringer in the kommune's debitor system",
        delivery(
            "DebitorRegistreringAfsend.OpretDebitorkonto",
            lambda ctx, message, message_id: debitor.opret_debitorkonto(ctx, message, message_id),
        ),
    ),
    Operation(
        "oir",
        "RetFordringTilstand",
        f"{OIR_B01}/RetFordringTilstand",
        "oir/RetFordringTilstand_I",
        "oir/RetFordringTilstand_O",
        "SF1590_B_01: change a fordring's state; OVERDRAG_TIL_INDDRIVELSE hands it to PSRM",
        delivery(
            "DebitorRegistreringAfsend.RetFordringTilstand",
            lambda ctx, message, message_id: debitor.ret_fordring_tilstand(ctx, message),
        ),
    ),
    Operation(
        "oir",
        "HentDebitorkonto",
        f"{OIR_B02}/HentDebitorkonto",
        "oir/HentDebitorkonto_I",
        "oir/HentDebitorkonto_O",
        "SF1590_B_02: read one of your own debitorkonti with its fordringer and PSRM's receipts",
        _hent_debitorkonto,
    ),
    Operation(
        "oir",
        "OpskrivFordring",
        f"{OIR_B01}/OpskrivFordring",
        "oir/OpskrivFordring_I",
        "oir/ReguleringFordring_O",
        "SF1590_B_01: write up (opskrivning) one of your own fordringer under opkrævning",
        delivery(
            "DebitorRegistreringAfsend.OpskrivFordring",
            lambda ctx, message, message_id: registrering.reguler(ctx, message, registrering.OPSKRIVNING),
        ),
    ),
    Operation(
        "oir",
        "NedskrivFordring",
        f"{OIR_B01}/NedskrivFordring",
        "oir/NedskrivFordring_I",
        "oir/ReguleringFordring_O",
        "SF1590_B_01: write down (nedskrivning) one of your own fordringer under opkrævning",
        delivery(
            "DebitorRegistreringAfsend.NedskrivFordring",
            lambda ctx, message, message_id: registrering.reguler(ctx, message, registrering.NEDSKRIVNING),
        ),
    ),
    *(_afslut_operation(name) for name in registrering.AFSLUT),
    Operation(
        "oir",
        "SoegDebitorkonto",
        f"{OIR_B02}/SoegDebitorkonto",
        "oir/SoegDebitorkonto_I",
        "oir/SoegDebitorkonto_O",
        "SF1590_B_02: a debtor's debitorkonti in the kommune — your own in full, other systems' minimally",
        _soeg_debitorkonto,
    ),
    Operation(
        "oir",
        "SoegDelfordringTilIndbetaling",
        f"{OIR_B03}/SoegDelfordringTilIndbetaling",
        "oir/SoegDelfordringTilIndbetaling_I",
        "oir/SoegDelfordringTilIndbetaling_O",
        "SF1590_B_03: a debtor's payable delfordringer in the kommune, in the order a payment covers them",
        _soeg_delfordring,
    ),
    Operation(
        "oir",
        "ForetagIndbetaling",
        f"{OIR_B03}/ForetagIndbetaling",
        "oir/ForetagIndbetaling_I",
        "oir/ForetagIndbetaling_O",
        "SF1590_B_03: register a payment on own or others' fordringer; the same IndbetalingID is booked once",
        delivery(
            "DebitorIndbetalingAfsend.ForetagIndbetaling",
            lambda ctx, message, message_id: indbetaling.foretag_indbetaling(ctx, message),
        ),
    ),
    Operation(
        "oir",
        "HentDaekningAfskrivning",
        f"{OIR_DA}/HentDaekningAfskrivning",
        "oir/HentDaekningAfskrivning_I",
        "oir/HentDaekningAfskrivning_O",
        "DaekningAfskrivningRegistreringAfsend (debitor → fagsystem): poll dækning/afskrivning updates",
        _hent_daekning_afskrivning,
        replay=_earlier_message,
    ),
)
