"""Collection at PSRM: each claim's ledger, interest, payments and set-off in order, returns, write-offs.

The ledger of a claim is read from its events; interest is never stored, it is computed from the ledger on
the simulated date (psrm.md §7). Coverage follows GIL § 4 in simplified form (psrm.md §10): fines before other
claims, oldest receipt first, and within a claim complex interest and related claims before the principal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.simulators.psrm import renter, tables
from testkommune.simulators.psrm.state import UNDER_INDDRIVELSE, ClaimState, PsrmView, record_event
from testkommune.simulators.store import inserted_id
from testkommune.simulators.tenancy import Tenant

STOPS = ("TILBAGEKALD_", "RETURNERING", "AFSKRIVNING")
NO_PRINCIPAL = ("RENTEDAEKNING", "HOVEDSTOL_RETTET")
INDFRIET = "INDFRIET"


@dataclass
class Ledger:
    """One claim's movements: principal changes by effective date, interest paid, when interest stops."""

    claim: ClaimState
    changes: list[tuple[date, int]] = field(default_factory=list)
    interest_paid: int = 0
    stop: date | None = None

    @property
    def rate_choice(self) -> dict[str, Any] | None:
        """The claim's RenteValgStruktur, if it chose one (a write-up claim follows its original)."""
        return self.claim.snapshot.get("RenteValgStruktur")

    @property
    def bears_interest(self) -> bool:
        known = fordringstyper().get(self.claim.fordringstype)
        if self.claim.kind == "RF" or (known is not None and not known.renter):
            return False
        choice = self.rate_choice
        if choice is None:
            return True
        code = renter.rate_code(choice.get("RenteSatsKode", ""))
        return code is not None and bool(code["inddrivelsesrente"] or code["merrentesats"])

    def interest(self, until: date) -> int:
        """Interest accrued up to (not including) `until`."""
        if not self.bears_interest:
            return 0
        end = min(until, self.stop) if self.stop else until
        choice = self.rate_choice or {}
        code = renter.rate_code(choice.get("RenteSatsKode", "")) if choice else None
        fixed = (
            Decimal(str(choice.get("MerRenteSats", 0))) if code is not None and code["merrentesats"] else None
        )
        return renter.accrued(self.changes, renter.interest_start(self.claim.received_on), end, fixed)

    def principal(self, on: date) -> int:
        return sum(amount for day, amount in self.changes if day <= on)

    def interest_due(self, on: date) -> int:
        return max(0, self.interest(on) - self.interest_paid)


def ledger(conn: Connection, tenant: Tenant, claim: ClaimState) -> Ledger:
    book = Ledger(claim)
    rows = conn.execute(
        sa.select(tables.events)
        .where(tables.events.c.tenant == tenant.key, tables.events.c.fordring_id == claim.id)
        .order_by(tables.events.c.id)
    ).all()
    for row in rows:
        day = date.fromisoformat(row.virkningsdato)
        if row.kind.startswith(STOPS):
            book.stop = day if book.stop is None else min(book.stop, day)
        elif row.kind in ("RENTEDAEKNING", "RENTEDAEKNING_TILBAGEFOERT"):
            book.interest_paid += row.amount_oere
        elif row.kind not in NO_PRINCIPAL:
            book.changes.append((day, row.amount_oere))
    return book


def debtor_ids(claim: ClaimState) -> set[str]:
    haeftelser = (claim.snapshot.get("FordringHæftelseSamling") or {}).get("MFHæftelseStruktur") or []
    return {v for h in haeftelser for v in ((h.get("MFKundeStruktur") or {}).get("Valg") or {}).values()}


def claims_of_debtor(conn: Connection, tenant: Tenant, debtor: str) -> list[ClaimState]:
    view = PsrmView(conn, tenant)
    rows = conn.execute(
        sa.select(tables.claims.c.id).where(
            tables.claims.c.tenant == tenant.key, tables.claims.c.status == UNDER_INDDRIVELSE
        )
    ).all()
    claims = [view.claim(r.id) for r in rows]
    return [c for c in claims if c is not None and debtor in debtor_ids(c)]


def _category(claim: ClaimState) -> tuple[int, int]:
    """GIL § 4 (psrm.md §10): the claim type's coverage group and place in it, from
    `fordringstyper.json` (fines 2; maintenance 3, private before public; all other claims 4). Costs of
    collection abroad (1) are not modelled."""
    known = fordringstyper().get(claim.fordringstype)
    return known.daekningskategori if known is not None else (4, 1)


def coverage_order(
    claims: list[ClaimState], ledgers: dict[int, Ledger], anchors: dict[int, datetime] | None = None
) -> list[tuple[ClaimState, str]]:
    """(claim, 'rente'|'hovedstol') in the order a payment covers them. A complex keeps its main claim's
    place (`anchors`: complex key → the main claim's receipt), so a write-up claim whose main claim is
    already covered takes the place the main claim would have had (JV G.A.2.3.2.1, filterregler.md §5.4)."""
    anchors = anchors or {}
    complexes: dict[int, list[ClaimState]] = {}
    for claim in claims:
        complexes.setdefault(claim.hovedfordring_id or claim.kompleks_id or claim.id, []).append(claim)
    heads = {key: next((c for c in members if c.id == key), members[0]) for key, members in complexes.items()}

    def place(key: int) -> tuple[Any, ...]:
        return (_category(heads[key]), anchors.get(key, heads[key].received_at), key)

    order: list[tuple[ClaimState, str]] = []
    for key in sorted(complexes, key=place):
        members = sorted(
            complexes[key], key=lambda c: ({"RF": 0, "HF": 1, "OPSKRIVNING": 2}[c.kind], c.received_at, c.id)
        )
        order += [(c, "rente") for c in members if ledgers[c.id].bears_interest]
        order += [(c, "hovedstol") for c in members]
    return order


def _complex(claim: ClaimState) -> int:
    return claim.hovedfordring_id or claim.kompleks_id or claim.id


def _anchors(conn: Connection, tenant: Tenant, claims: list[ClaimState]) -> dict[int, datetime]:
    """Each complex's main claim's receipt, also when the main claim itself is no longer under collection."""
    view = PsrmView(conn, tenant)
    out: dict[int, datetime] = {}
    for claim in claims:
        key = claim.hovedfordring_id or claim.kompleks_id or claim.id
        if key not in out:
            main = claim if claim.id == key else view.claim(key)
            out[key] = (main or claim).received_at
    return out


def apply_due_payments(conn: Connection, tenant: Tenant, today: date, booked: datetime) -> None:
    """Cover claims with every registered payment whose date has come (oldest first)."""
    table = tables.payments
    due = conn.execute(
        sa.select(table)
        .where(table.c.tenant == tenant.key, table.c.status == "VENTER", table.c.dato <= today.isoformat())
        .order_by(table.c.dato, table.c.id)
    ).all()
    for payment in due:
        result = _cover(conn, tenant, payment, booked)
        conn.execute(sa.update(table).where(table.c.id == payment.id).values(status="DAEKKET", result=result))


def _cover(conn: Connection, tenant: Tenant, payment: Any, booked: datetime) -> dict[str, Any]:
    day = date.fromisoformat(payment.dato)
    data = {"indbetaling": payment.id, "kilde": payment.kilde}
    earmarked = (payment.result or {}).get("oeremaerket")
    covered, left = _cover_amount(
        conn, tenant, payment.skyldner, payment.amount_oere, day, data, booked, earmarked
    )
    return {"daekninger": covered, "overskud_oere": left} | ({"oeremaerket": earmarked} if earmarked else {})


def _cover_amount(
    conn: Connection,
    tenant: Tenant,
    debtor: str,
    amount: int,
    day: date,
    data: dict[str, Any],
    booked: datetime,
    earmarked: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Cover the debtor's claims under inddrivelse with `amount` on `day` in coverage order; returns the
    dækninger and what is left over. An earmarked payment covers its claim's complex first (gaeldst.dk
    Dækningsrækkefølge: 'øremærket indbetaling'; GIL § 4 stk. 11)."""
    claims = claims_of_debtor(conn, tenant, debtor)
    ledgers = {c.id: ledger(conn, tenant, c) for c in claims}
    left = amount
    covered: list[dict[str, Any]] = []
    order = coverage_order(claims, ledgers, _anchors(conn, tenant, claims))
    if earmarked is not None:
        key = next((_complex(c) for c in claims if c.id == earmarked), None)
        order = sorted(order, key=lambda item: _complex(item[0]) != key)  # stable: its complex first
    for claim, part in order:
        if left <= 0:
            break
        book = ledgers[claim.id]
        due = book.interest_due(day) if part == "rente" else book.principal(day)
        take = min(left, due)
        if take <= 0:
            continue
        left -= take
        kind = "RENTEDAEKNING" if part == "rente" else "DAEKNING"
        record_event(
            conn, tenant, claim.id, None, kind, take if part == "rente" else -take, day, booked, data
        )
        if part == "hovedstol":
            book.changes.append((day, -take))
            _set_saldo(conn, tenant, claim.id, -take)
        else:
            book.interest_paid += take
        covered.append({"FordringID": str(claim.id), "Del": part, "Beløb": take})
    for claim in claims:
        if ledgers[claim.id].principal(day) <= 0 and ledgers[claim.id].interest_due(day) <= 0:
            conn.execute(
                sa.update(tables.claims).where(tables.claims.c.id == claim.id).values(status=INDFRIET)
            )
    return covered, left


NO_GENDAEKNING = ("MODREGNING",)
"""Payment sources whose freed amount is not re-covered but goes to the korrektionspulje (GIL § 4 stk. 6,
1. pkt.; JV G.A.2.3.4.1 'Situationer hvor der ikke sker gendækning')."""


def gendaek(conn: Connection, tenant: Tenant, freed: dict[int, int], today: date, booked: datetime) -> None:
    """Re-cover ('gendækning') what a FEJL recall freed of each payment: the overskydende beløb covers the
    debtor's other claims under inddrivelse in the coverage order of GIL § 4 stk. 1-4, without a
    modregningsmeddelelse (GIL § 4 stk. 5; JV G.A.2.3.4.1 Overskydende beløb i PSRM). What stems from a
    set-off, and what is left when no claim is open, is held in the korrektionspulje (GIL § 4 stk. 6-7);
    its later use (set-off, payout to NemKonto) is not modelled. The gendækning takes effect on the day of
    the recall [I]."""
    table = tables.payments
    for payment_id, amount in sorted(freed.items()):
        payment = conn.execute(sa.select(table).where(table.c.id == payment_id)).one()
        result = dict(payment.result or {})
        covered: list[dict[str, Any]] = []
        left = amount
        if payment.kilde not in NO_GENDAEKNING:
            data = {"indbetaling": payment.id, "kilde": payment.kilde, "gendaekning": True}
            covered, left = _cover_amount(conn, tenant, payment.skyldner, amount, today, data, booked)
        result["gendaekninger"] = [
            *result.get("gendaekninger", []),
            *({"Dato": today.isoformat()} | c for c in covered),
        ]
        result["korrektionspulje_oere"] = result.get("korrektionspulje_oere", 0) + left
        conn.execute(sa.update(table).where(table.c.id == payment.id).values(result=result))


def _set_saldo(conn: Connection, tenant: Tenant, claim_id: int, delta: int) -> None:
    table = tables.claims
    conn.execute(
        sa.update(table)
        .where(table.c.tenant == tenant.key, table.c.id == claim_id)
        .values(saldo_oere=table.c.saldo_oere + delta)
    )


def register_payment(
    conn: Connection,
    tenant: Tenant,
    debtor: str,
    amount: int,
    day: date,
    source: str,
    now: datetime,
    *,
    earmarked: int | None = None,
) -> int:
    """A payment waiting for its day; `earmarked`: the claim it is earmarked for (kept until applied)."""
    result = conn.execute(
        sa.insert(tables.payments).values(
            tenant=tenant.key,
            skyldner=debtor,
            amount_oere=amount,
            dato=day.isoformat(),
            kilde=source,
            status="VENTER",
            registered_at=now.isoformat(),
            result={"oeremaerket": earmarked} if earmarked is not None else None,
        )
    )
    return inserted_id(result)


def end_collection(
    conn: Connection,
    tenant: Tenant,
    claim: ClaimState,
    kind: str,
    reason: str,
    text: str | None,
    today: date,
    now: datetime,
) -> dict[str, Any]:
    """Gældsstyrelsen returns (RETURNERING) or writes off (AFSKRIVNING) a claim and its complex."""
    members = [claim, *PsrmView(conn, tenant).kompleks(claim.id)] if claim.kind == "HF" else [claim]
    out = []
    for member in members:
        if member.status != UNDER_INDDRIVELSE:
            continue
        book = ledger(conn, tenant, member)
        saldo, interest = book.principal(today), book.interest_due(today)
        record_event(
            conn,
            tenant,
            member.id,
            None,
            kind,
            -saldo,
            today,
            now,
            {"aarsag": reason, "tekst": text, "saldo": saldo, "renter": interest},
        )
        conn.execute(
            sa.update(tables.claims)
            .where(tables.claims.c.id == member.id)
            .values(status="RETURNERET" if kind == "RETURNERING" else "AFSKREVET")
        )
        out.append({"FordringID": str(member.id), "SaldoBeløb": saldo, "RenteBeløb": interest})
    return {"fordringer": out}
