"""Cross-system bookkeeping invariants of one tenant, checkable after any scenario.

`read_tilstand` reads the tenant's stored state once (plain rows, every counterpart); each invariant is then
a pure function of that snapshot returning its violations as Findings (codes in
`contracts/reference/fejlkoder/invarianter.json`). A violation means the simulators broke
their own promises (or someone wrote to the database directly): it is never the fagsystem's fault.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from testkommune.contracts.findings import Finding, describe_all
from testkommune.contracts.money import kroner, to_oere
from testkommune.simulators import store
from testkommune.simulators.debitor import tables as debitor_tables
from testkommune.simulators.erp import tables as erp_tables
from testkommune.simulators.nemkonto import tables as nk_tables
from testkommune.simulators.psrm import tables as psrm_tables
from testkommune.simulators.tenancy import Tenant

Row = Mapping[str, Any]

DEBITOR_UNDER_OPKRAEVNING = ("OPKRAEVNING",)
"""Debitor claim states in which the debitor system itself still collects the claim."""
DEBITOR_UNDER_INDDRIVELSE = "UNDER_INDDRIVELSE"
"""The debitor claim state of a claim PSRM accepted (the debitor system follows its PSRM events)."""
PSRM_UNDER_INDDRIVELSE = ("UNDER_INDDRIVELSE",)
ERP_GODKENDT = "GODKENDT"
ERP_HUB_SERVICE = "ModtagFinansbilag"  # simulators.erp.service.HUB_SERVICE
NK_GODKENDT, NK_BEHANDLET = "GODKENDT", "BEHANDLET"


@dataclass(frozen=True, slots=True)
class Tilstand:
    """What one tenant's counterparts hold, as plain rows."""

    deliveries: tuple[Row, ...]
    debitor_claims: tuple[Row, ...]
    delfordringer: tuple[Row, ...]
    payments: tuple[Row, ...]
    coverages: tuple[Row, ...]
    mailbox: tuple[Row, ...]
    psrm_claims: tuple[Row, ...]
    psrm_events: tuple[Row, ...]
    erp_bilag: tuple[Row, ...]
    erp_posteringer: tuple[Row, ...]
    nk_bundter: tuple[Row, ...]
    nk_transaktioner: tuple[Row, ...]
    nk_udbetalinger: tuple[Row, ...]


def read_tilstand(conn: Connection, tenant: Tenant) -> Tilstand:
    """The tenant's stored state, every table the invariants look at."""

    def rows(table: sa.Table) -> tuple[Row, ...]:
        query = sa.select(table).where(table.c.tenant == tenant.key)
        order = table.c.id if "id" in table.c else next(iter(table.primary_key.columns))
        return tuple(dict(r._mapping) for r in conn.execute(query.order_by(order)))

    return Tilstand(
        deliveries=rows(store.deliveries),
        debitor_claims=rows(debitor_tables.claims),
        delfordringer=rows(debitor_tables.delfordringer),
        payments=rows(debitor_tables.payments),
        coverages=rows(debitor_tables.coverages),
        mailbox=rows(debitor_tables.mailbox),
        psrm_claims=rows(psrm_tables.claims),
        psrm_events=rows(psrm_tables.events),
        erp_bilag=rows(erp_tables.bilag),
        erp_posteringer=rows(erp_tables.posteringer),
        nk_bundter=rows(nk_tables.bundter),
        nk_transaktioner=rows(nk_tables.transaktioner),
        nk_udbetalinger=rows(nk_tables.udbetalinger),
    )


# --- (1) the debitor system's money ------------------------------------------------------------------------


def debitor_afstemning(s: Tilstand) -> Iterator[Finding]:
    """Money the debitor system received is what it reported back to the fagsystem plus what it still holds:
    each payment (INDBETALING) or set-off (MODREGNING) covers at most its amount (a set-off exactly what it
    says it set off), and every dækning it booked was reported back as DAEKNING; each PSRM dækning of a
    claim it handed over was forwarded with the same amount; each delfordring's saldo is its amount less
    what covered it, and a claim under opkrævning shows the saldo of its hovedstol delfordringer."""
    code = "INV-DEBITOR-AFSTEMNING"
    covered: dict[tuple[str, str], int] = defaultdict(int)
    for c in s.coverages:
        covered[(c["source"], c["source_ref"])] += c["amount_oere"]
    reported: dict[tuple[str, str], int] = defaultdict(int)
    for m in s.mailbox:
        data = m["data"] or {}
        if m["kind"] == "DAEKNING" and "KildeReference" in data:
            reported[(data.get("Kilde", ""), data["KildeReference"])] += m["amount_oere"]
    for key in sorted(k for k in covered if k[0] in MONEY_SOURCES):
        if reported[key] != covered[key]:
            what = "Σ DAEKNING meddelt fagsystemet ≠ Σ dækninger"
            yield _inv(code, f"{key[0]} {key[1]}", what, _kr(covered[key]), _kr(reported[key]))
    for p in s.payments:
        # the dækninger of a payment name it by its reference, or (INDBETALING) by tenant:reference
        keys = [(p["kind"], p["reference"]), (p["kind"], f"{p['tenant']}:{p['reference']}")]
        total = sum(covered.get(k, 0) for k in keys)
        ident = f"{p['kind']} {p['reference']}"
        result = p["result"] or {}
        if p["kind"] == "MODREGNING" and result.get("modregnet_oere") != total:
            yield _inv(code, ident, "modregnet ≠ Σ dækninger", _kr(result.get("modregnet_oere")), _kr(total))
        if total > p["amount_oere"]:
            yield _inv(code, ident, "Σ dækninger > modtaget beløb", _kr(p["amount_oere"]), _kr(total))
    yield from _psrm_forwarded(s, code)
    yield from _saldi(s, code)


MONEY_SOURCES = ("INDBETALING", "MODREGNING")
"""Coverage sources that are money received (NEDSKRIVNING and write-offs are not)."""
PSRM_DAEKNING = {
    "DAEKNING": 1,
    "RENTEDAEKNING": 1,
    "DAEKNING_TILBAGEFOERT": -1,
    "RENTEDAEKNING_TILBAGEFOERT": -1,
}
"""PSRM's dækning events and their reversals (a FEJL recall), as they count towards what was covered."""


def _psrm_forwarded(s: Tilstand, code: str) -> Iterator[Finding]:
    forwarded: dict[str, int] = defaultdict(int)
    for m in s.mailbox:
        data = m["data"] or {}
        if m["kind"] in ("DAEKNING", "DAEKNING_TILBAGEFOERT") and data.get("Kilde") == "PSRM":
            sign = -1 if m["kind"] == "DAEKNING_TILBAGEFOERT" else 1
            forwarded[str(data.get("DMIFordringEFIFordringID"))] += sign * m["amount_oere"]
    for claim in s.debitor_claims:
        psrm = claim["psrm"] or {}
        psrm_id = psrm.get("DMIFordringEFIFordringID")
        if not psrm_id:
            continue
        # a claim still under inddrivelse has had every PSRM event forwarded (the sync runs before the check);
        # for one that left inddrivelse, the events the debitor system says it read
        followed = claim["state"] in (DEBITOR_UNDER_INDDRIVELSE, "ANNULLERET")  # ANNULLERET: recalled, FEJL
        read_up_to = float("inf") if followed else int(psrm.get("SidsteUnderretning", 0))
        paid = sum(
            PSRM_DAEKNING[e["kind"]] * abs(e["amount_oere"])
            for e in s.psrm_events
            if str(e["fordring_id"]) == str(psrm_id) and e["kind"] in PSRM_DAEKNING and e["id"] <= read_up_to
        )
        if paid != forwarded[str(psrm_id)]:
            what = f"PSRM-dækning af fordring {psrm_id} ≠ DAEKNING videresendt"
            yield _inv(code, claim["reference"], what, _kr(paid), _kr(forwarded[str(psrm_id)]))


def _saldi(s: Tilstand, code: str) -> Iterator[Finding]:
    claims = {c["id"]: c for c in s.debitor_claims}
    covered_parts: dict[int, int] = defaultdict(int)
    for c in s.coverages:
        if c["delfordring_id"] is not None:
            covered_parts[c["delfordring_id"]] += c["amount_oere"]
    hovedstol: dict[int, int] = defaultdict(int)
    for part in s.delfordringer:
        if part["claim_id"] not in claims:
            yield _inv(code, f"delfordring {part['reference']}", "ingen fordring", part["claim_id"], None)
            continue
        if part["kind"] == "HOVEDSTOL":
            hovedstol[part["claim_id"]] += part["saldo_oere"]
        expected = part["beloeb_oere"] - covered_parts[part["id"]]
        if expected != part["saldo_oere"]:
            what = "beløb − Σ dækninger ≠ saldo"
            yield _inv(code, f"delfordring {part['reference']}", what, _kr(expected), _kr(part["saldo_oere"]))
    for claim_id, saldo in sorted(hovedstol.items()):
        claim = claims[claim_id]
        if claim["state"] in DEBITOR_UNDER_OPKRAEVNING and claim["saldo_oere"] != saldo:
            what = "fordringens saldo ≠ Σ saldo på hovedstol-delfordringer"
            yield _inv(code, claim["reference"], what, _kr(saldo), _kr(claim["saldo_oere"]))


# --- (2) the ERP's postings trace to vouchers ------------------------------------------------------------


def erp_sporbarhed(s: Tilstand) -> Iterator[Finding]:
    """Every posting the ERP booked belongs to an accepted bilag that a fagsystem delivered through ØiR, on
    one of its lines with the same amount and side; an accepted bilag is booked whole, once, and balances."""
    code = "INV-ERP-SPORBARHED"
    bilag = {b["id"]: b for b in s.erp_bilag}
    delivered = {d["message_id"] for d in s.deliveries if d["service"] == ERP_HUB_SERVICE}
    per_line = Counter((p["bilag_row"], p["linje"]) for p in s.erp_posteringer)
    for p in s.erp_posteringer:
        ident = f"#{p['id']} ({p['kontostreng']})"
        b = bilag.get(p["bilag_row"])
        if b is None:
            yield _inv(code, ident, "intet bilag", p["bilag_row"], None)
            continue
        if b["status"] != ERP_GODKENDT:
            yield _inv(code, ident, f"bilag {b['bilag_id']} er {b['status']}", ERP_GODKENDT, b["status"])
        if b["transaktions_id"] not in delivered:
            yield _inv(
                code, ident, "ingen ØiR-levering med bilagets TransaktionsID", b["transaktions_id"], None
            )
        lines = b["request"].get("Finanspostering", [])
        if not 1 <= p["linje"] <= len(lines):
            yield _inv(
                code, ident, f"bilag {b['bilag_id']} har ingen linje {p['linje']}", len(lines), p["linje"]
            )
            continue
        line = lines[p["linje"] - 1]
        amount = to_oere(line["Beløb"])
        expected = (amount, 0) if line["DebetKredit"] == "DEBET" else (0, amount)
        found = (p["debet_oere"], p["kredit_oere"])
        if found != expected:
            what = f"linje {p['linje']} i bilag {b['bilag_id']} har et andet beløb (debet, kredit)"
            yield _inv(code, ident, what, tuple(map(_kr, expected)), tuple(map(_kr, found)))
        if per_line[(p["bilag_row"], p["linje"])] > 1:
            yield _inv(
                code,
                ident,
                f"linje {p['linje']} i bilag {b['bilag_id']} er bogført flere gange",
                1,
                per_line[(p["bilag_row"], p["linje"])],
            )
    booked_keys = Counter(b["booked_key"] for b in s.erp_bilag if b["booked_key"] is not None)
    for b in s.erp_bilag:
        if b["status"] != ERP_GODKENDT:
            continue
        own = [p for p in s.erp_posteringer if p["bilag_row"] == b["id"]]
        lines = len(b["request"].get("Finanspostering", []))
        ident = f"bilag {b['bilag_id']}"
        if len({p["linje"] for p in own}) != lines:
            yield _inv(code, ident, "ikke alle linjer er bogført", lines, len({p["linje"] for p in own}))
        if sum(p["debet_oere"] for p in own) != sum(p["kredit_oere"] for p in own):
            debet, kredit = sum(p["debet_oere"] for p in own), sum(p["kredit_oere"] for p in own)
            yield _inv(code, ident, "bogført debet ≠ kredit", _kr(debet), _kr(kredit))
        if booked_keys[b["booked_key"]] > 1:
            yield _inv(code, ident, "bogført mere end én gang", 1, booked_keys[b["booked_key"]])


# --- (3) opkrævning xor inddrivelse -------------------------------------------------------------------------


def opkraevning_eller_inddrivelse(s: Tilstand) -> Iterator[Finding]:
    """No claim is both under opkrævning in the debitor system and under inddrivelse at PSRM, and none is
    under inddrivelse twice (a claim is linked to the main claim (HF) PSRM booked for the MFAktionID of each
    of its hand-overs)."""
    code = "INV-OPKRAEVNING-INDDRIVELSE"
    main_claims = [c for c in s.psrm_claims if c["kind"] == "HF"]  # main claims at PSRM
    by_action = {c["aktion_id"]: c for c in main_claims}
    by_ref: dict[str, list[Row]] = defaultdict(list)
    for c in main_claims:
        by_ref[c["claimant_ref"]].append(c)
    for claim in s.debitor_claims:
        psrm = claim["psrm"] or {}
        actions = {h["MFAktionID"] for h in psrm.get("historik", [])} | (
            {psrm["MFAktionID"]} if psrm.get("MFAktionID") else set()
        )
        # linked by its hand-overs' MFAktionID, or by its reference (a hand-over its own record lost)
        linked = {by_action[a]["id"]: by_action[a] for a in actions if a in by_action}
        linked |= {c["id"]: c for c in by_ref.get(claim["reference"], [])}
        active = [c for c in linked.values() if c["status"] in PSRM_UNDER_INDDRIVELSE]
        active.sort(key=lambda c: c["aktion_id"])
        params = {"value": claim["reference"], "state": claim["state"]}
        if active and claim["state"] in DEBITOR_UNDER_OPKRAEVNING:
            yield Finding(
                code, "$", params | {"status": f"{active[0]['status']}, aktion {active[0]['aktion_id']}"}
            )
        if len(active) > 1:
            shown = ", ".join(c["aktion_id"] for c in active)
            yield Finding(code, "$", params | {"status": f"{len(active)} gange under inddrivelse: {shown}"})


# --- (4) NemKonto pays each accepted payment once ----------------------------------------------------------


def nemkonto_udbetalt_en_gang(s: Tilstand) -> Iterator[Finding]:
    """Every payment NemKonto accepted belongs to a processed bundle with its own GrpId, carries its own
    EndToEndId within myndighed + dataleverandør, and was paid out exactly once with the amount left after
    set-off (nothing when set-off took it all); nothing else was paid out."""
    code = "INV-NEMKONTO-UDBETALING"
    bundles = {b["id"]: b for b in s.nk_bundter}
    bundle_keys = Counter(b["bundt_key"] for b in s.nk_bundter if b["bundt_key"] is not None)
    references = Counter(t["reference_key"] for t in s.nk_transaktioner if t["reference_key"] is not None)
    payouts: dict[int, list[Row]] = defaultdict(list)
    for u in s.nk_udbetalinger:
        payouts[u["transaktion_row"]].append(u)
    transactions = {t["id"]: t for t in s.nk_transaktioner}
    for t in s.nk_transaktioner:
        b = bundles.get(t["bundt_row"])
        ident = f"{b['grp_id'] if b else '?'}/{t['end_to_end_id']}"
        paid = payouts.get(t["id"], [])
        if t["status"] != NK_GODKENDT:
            if paid:
                yield _inv(code, ident, f"udbetalt skønt {t['status']}", 0, len(paid))
            continue
        if b is None or b["status"] != NK_BEHANDLET or b["bundt_key"] is None:
            yield _inv(
                code, ident, "bundtet er ikke behandlet med egen GrpId", NK_BEHANDLET, b and b["status"]
            )
        elif bundle_keys[b["bundt_key"]] > 1:
            yield _inv(code, ident, "GrpId brugt af flere bundter", 1, bundle_keys[b["bundt_key"]])
        expected_key = f"{b['myndighed']}/{b['leverandoer_kort']}/{t['end_to_end_id']}" if b else None
        if t["reference_key"] is None or t["reference_key"] != expected_key:
            yield _inv(
                code, ident, "EndToEndId ikke reserveret til betalingen", expected_key, t["reference_key"]
            )
        elif references[t["reference_key"]] > 1:
            yield _inv(code, ident, "EndToEndId brugt af flere betalinger", 1, references[t["reference_key"]])
        udbetalt, modregnet = t["udbetalt_oere"] or 0, t["modregnet_oere"] or 0
        if udbetalt + modregnet != t["beloeb_oere"]:
            yield _inv(
                code, ident, "udbetalt + modregnet ≠ beløb", _kr(t["beloeb_oere"]), _kr(udbetalt + modregnet)
            )
        if len(paid) != (1 if udbetalt > 0 else 0):
            yield _inv(code, ident, "antal udbetalinger", 1 if udbetalt > 0 else 0, len(paid))
        elif paid and paid[0]["beloeb_oere"] != udbetalt:
            yield _inv(code, ident, "udbetalt beløb", _kr(udbetalt), _kr(paid[0]["beloeb_oere"]))
    for u in s.nk_udbetalinger:
        if u["transaktion_row"] not in transactions:
            yield _inv(code, u["reference"], "udbetaling uden betalingsanmodning", None, u["transaktion_row"])


def _inv(code: str, value: Any, what: str, expected: Any, actual: Any) -> Finding:
    detail = f"{what} (forventet {expected}, fundet {actual})"
    return Finding(code, "$", {"value": value, "detail": detail})


def _kr(oere: int | None) -> str | None:
    return None if oere is None else f"{kroner(oere)} kr."


@dataclass(frozen=True, slots=True)
class Invariant:
    name: str
    code: str
    check: Callable[[Tilstand], Iterator[Finding]]
    covers: str

    @property
    def doc(self) -> str:
        return " ".join((self.check.__doc__ or "").split())


INVARIANTS: tuple[Invariant, ...] = (
    Invariant(
        "debitor_afstemning",
        "INV-DEBITOR-AFSTEMNING",
        debitor_afstemning,
        "debitor_payments (INDBETALING, MODREGNING), debitor_coverages, the DAEKNING messages of "
        "debitor_mailbox, debitor_delfordringer, debitor_claims (saldo, psrm), psrm_events (dækning)",
    ),
    Invariant(
        "erp_sporbarhed", "INV-ERP-SPORBARHED", erp_sporbarhed, "erp_posteringer, erp_bilag, deliveries"
    ),
    Invariant(
        "opkraevning_eller_inddrivelse",
        "INV-OPKRAEVNING-INDDRIVELSE",
        opkraevning_eller_inddrivelse,
        "debitor_claims (state, psrm.historik), psrm_claims (aktion_id, status)",
    ),
    Invariant(
        "nemkonto_udbetalt_en_gang",
        "INV-NEMKONTO-UDBETALING",
        nemkonto_udbetalt_en_gang,
        "nemkonto_bundter, nemkonto_transaktioner, nemkonto_udbetalinger",
    ),
)


def check_all(s: Tilstand) -> list[dict[str, Any]]:
    """Every invariant with ok and its violations (described from the catalogue)."""
    out = []
    for inv in INVARIANTS:
        violations = list(inv.check(s))
        out.append(
            {
                "Navn": inv.name,
                "Kode": inv.code,
                "Beskrivelse": inv.doc,
                "Dækker": inv.covers,
                "ok": not violations,
                "violations": describe_all(violations),
            }
        )
    return out
