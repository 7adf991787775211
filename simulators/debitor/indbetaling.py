"""B_03 DebitorIndbetaling: another system (e.g. a kasse) pays on own or others' fordringer in the kommune.

`SoegDelfordringTilIndbetaling` lists what can be paid; `ForetagIndbetaling` covers delfordringer in the
debitor system's dækningsrækkefølge (simulators.debitor.daekning). A payment is identified by the payer's
IndbetalingID: registered twice (same id, same content) it is booked once and the first answer returned;
the same id with other content is refused (DEB-INDBETALING-GENBRUGT). The ØiR hub already answers a
re-delivery with the same TransaktionsID from its store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from testkommune.contracts.findings import Finding, describe_all, join_path
from testkommune.contracts.jsontext import content_digest
from testkommune.contracts.money import to_oere, wire
from testkommune.simulators.context import OpContext
from testkommune.simulators.debitor import daekning, idempotens, rules, tables, views
from testkommune.simulators.debitor.forespoergsel import kommune_tenants

KIND = "INDBETALING"
ORDER_TEXT = (
    "Oldest forfald first; within a fordring rykkergebyr, then renter, then hovedstol by forfald "
    "(testkommune's choice [I], oeir.md §4.2: the debitor system decides)"
)


def soeg_delfordring(ctx: OpContext, message: dict[str, Any]) -> dict[str, Any]:
    tenants = kommune_tenants(ctx.conn, ctx.tenant.kommune)
    claims = daekning.claims_of_debtor(ctx.conn, tenants, message["SkyldnerID"])
    by_id = {c.id: c for c in claims}
    parts = daekning.order(daekning.open_parts(ctx.conn, list(by_id)))
    out = []
    for part in parts:
        claim = by_id[part.claim_id]
        own = claim.tenant == ctx.tenant.key
        entry = views.part_view(part) | {
            "FordringID": str(claim.id),
            "FordringstypeKode": claim.fordringstype,
            "Egen": own,
        }
        if own:
            entry["FordringReference"] = claim.reference
        else:
            entry.pop("DelfordringReference", None)
        out.append(entry)
    return {
        "Delfordring": out,
        "SamletBeløb": wire(sum(p.saldo_oere for p in parts)),
        "Dækningsrækkefølge": ORDER_TEXT,
    }


def _refused(*findings: Finding) -> dict[str, Any]:
    return {"Status": "AFVIST", "Fejl": describe_all(findings)}


def foretag_indbetaling(ctx: OpContext, message: dict[str, Any]) -> dict[str, Any]:
    request = message["ForetagIndbetaling"]
    base = join_path("$", "ForetagIndbetaling")
    digest = content_digest(request)
    found = idempotens.existing(ctx.conn, ctx.tenant.key, KIND, request["IndbetalingID"])
    if found is not None:
        return _replay(found, digest, base, request["IndbetalingID"])
    tenants = kommune_tenants(ctx.conn, ctx.tenant.kommune)
    parts = _targets(ctx, request, base, tenants)
    if isinstance(parts, Finding):
        return _refused(parts)
    amount = to_oere(request["Beløb"]) or 0
    raced = idempotens.claim(
        ctx.conn,
        ctx.tenant.key,
        KIND,
        request["IndbetalingID"],
        amount_oere=amount,
        dato=request["BetalingDato"],
        now=ctx.now,
    )
    if raced is not None:  # another server booked the same IndbetalingID a moment ago
        return _replay(raced, digest, base, request["IndbetalingID"])
    covered, left = daekning.cover(
        ctx.conn,
        parts,
        amount,
        source=KIND,
        source_ref=f"{ctx.tenant.key}:{request['IndbetalingID']}",
        dato=request["BetalingDato"],
        now=ctx.now,
        payer=ctx.tenant.key,
    )
    warnings = rules.overskud(left, join_path(base, "Beløb"))
    result = {
        "Status": "GODKENDT",
        "Fejl": [],
        "Advarsler": describe_all(warnings),
        "IndbetalingID": request["IndbetalingID"],
        "DækketBeløb": wire(amount - left),
        "OverskydendeBeløb": wire(left),
        "Dækning": [
            {
                "FordringID": d["FordringID"],
                "Beløb": wire(d["beloeb_oere"]),
                "Delfordring": d["Delfordring"],
            }
            for d in covered
        ],
    }
    idempotens.record(
        ctx.conn, ctx.tenant.key, KIND, request["IndbetalingID"], result | {"_fingerprint": digest}
    )
    return result


def _replay(found: Any, digest: str, base: str, payment_id: str) -> dict[str, Any]:
    """The stored answer to a payment already booked; the same id with other content is refused."""
    problems = rules.indbetaling_genbrug(
        found.result.get("_fingerprint"), digest, join_path(base, "IndbetalingID"), payment_id
    )
    if problems:
        return _refused(*problems)
    return {k: v for k, v in found.result.items() if not k.startswith("_")} | {"Genbrugt": True}


def _targets(
    ctx: OpContext, request: dict[str, Any], base: str, tenants: list[str]
) -> Sequence[Row[Any]] | Finding:
    """The open delfordringer the payment may cover: those named, the fordring's, or all the debtor's."""
    debtor_claims = {c.id: c for c in daekning.claims_of_debtor(ctx.conn, tenants, request["SkyldnerID"])}
    if "DelfordringID" in request:
        wanted = list(dict.fromkeys(int(x) for x in request["DelfordringID"]))  # each named once
        rows = ctx.conn.execute(
            sa.select(tables.delfordringer).where(tables.delfordringer.c.id.in_(wanted))
        ).all()
        by_id = {r.id: r for r in rows}
        for i, part_id in enumerate(wanted):
            problem = _check_claim(
                ctx, by_id.get(part_id), tenants, join_path(base, "DelfordringID", i), str(part_id)
            )
            if problem is not None:
                return problem
        return [by_id[i] for i in wanted if by_id[i].saldo_oere > 0]
    if "FordringID" in request:
        claim = ctx.conn.execute(
            sa.select(tables.claims).where(tables.claims.c.id == int(request["FordringID"]))
        ).first()
        problem = _check_claim(
            ctx, claim, tenants, join_path(base, "FordringID"), request["FordringID"], is_claim=True
        )
        if problem is not None:
            return problem
        assert claim is not None, "_check_claim refuses a claim not found"
        return daekning.open_parts(ctx.conn, [claim.id])
    return daekning.open_parts(ctx.conn, list(debtor_claims))


def _check_claim(
    ctx: OpContext, row: Any, tenants: list[str], path: str, value: str, *, is_claim: bool = False
) -> Finding | None:
    claim = row
    if row is not None and not is_claim:
        claim = ctx.conn.execute(sa.select(tables.claims).where(tables.claims.c.id == row.claim_id)).one()
    problems = rules.indbetaling_maal(
        claim is not None,
        claim.tenant if claim is not None else "",
        tenants,
        claim.state if claim is not None else "",
        path,
        value,
    )
    return problems[0] if problems else None
