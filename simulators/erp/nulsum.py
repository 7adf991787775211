"""The nulsumtest report: did a fagsystem's balanced test bilag land, line by line, where the kommune expects?

oeir.md §8 [I]: the fagsystem sends a finansbilag whose postings net to zero through ØiR; the ERP must map
every line, see Σ debet = Σ kredit and book it; the kommune checks that each line landed on the expected
kontostreng. Pure: built from stored bilag rows (`erp_bilag`) and the expectations of the request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from testkommune.contracts.money import to_oere, wire
from testkommune.simulators.erp.bilag import DEBET, GODKENDT, UNDER_BEHANDLING
from testkommune.simulators.erp.kontoplan import Kontostreng, kontoplan


def report(ident: str, rows: Sequence[Any], forventet: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The verdict for every bilag found under `ident` (a BilagID or a TransaktionsID)."""
    bilag = [_bilag(row, _expectations(row.bilag_id, forventet)) for row in rows]
    return {"Ident": ident, "Bestået": bool(bilag) and all(b["Bestået"] for b in bilag), "Bilag": bilag}


def _expectations(bilag_id: str, forventet: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    return {e["Linje"]: e["Kontostreng"] for e in forventet if e.get("BilagID") in (None, bilag_id)}


def _bilag(row: Any, expected: dict[int, str]) -> dict[str, Any]:
    raw_lines = row.request["Finanspostering"]
    mapping = row.mapping or [None] * len(raw_lines)
    answers = (row.answer or {}).get("Finanspostering") or [{} for _ in raw_lines]
    lines = [
        _line(i, raw, konto, answer, expected.get(i + 1))
        for i, (raw, konto, answer) in enumerate(zip(raw_lines, mapping, answers, strict=True))
    ]
    debet = sum(to_oere(r["Beløb"]) or 0 for r in raw_lines if r["DebetKredit"] == DEBET)
    kredit = sum(to_oere(r["Beløb"]) or 0 for r in raw_lines if r["DebetKredit"] != DEBET)
    balanced = debet == kredit and all(to_oere(r["Beløb"]) is not None for r in raw_lines)
    missing = sorted(n for n in expected if n > len(raw_lines))
    as_expected = (
        None if not expected else all(line["SomForventet"] is not False for line in lines) and not missing
    )
    checks = {
        "Behandlet": row.status != UNDER_BEHANDLING,
        "Bogført": row.status == GODKENDT,
        "Balancerer": balanced,
        "AlleLinjerOmsat": row.mapping is not None and all(k is not None for k in mapping),
        "SomForventet": as_expected,
    }
    return {
        "BilagID": row.bilag_id,
        "TransaktionsID": row.transaktions_id,
        "Status": row.status,
        "Bogføringsdato": row.request["Bogføringsdato"],
        "SumDebet": wire(debet),
        "SumKredit": wire(kredit),
        "Difference": wire(debet - kredit),
        "Linjer": lines,
        "UkendteForventedeLinjer": missing,
        "Kontroller": checks,
        "Fejl": (row.answer or {}).get("Fejl", []),
        "Bestået": checks["Bogført"] and balanced and checks["AlleLinjerOmsat"] and as_expected is not False,
    }


def _line(
    index: int,
    raw: Mapping[str, Any],
    konto: Mapping[str, Any] | None,
    answer: Mapping[str, Any],
    expected: str | None,
) -> dict[str, Any]:
    oere = to_oere(raw["Beløb"]) or 0
    actual = konto["Tekst"] if konto else None
    no_titles: dict[str, str | None] = {"FunktionTitel": None, "ArtTitel": None}
    titles = kontoplan().titles(Kontostreng.from_wire(dict(konto))) if konto else no_titles
    return {
        "Linje": index + 1,
        "Sortiment": raw["Sortiment"],
        "Debet": wire(oere) if raw["DebetKredit"] == DEBET else 0.0,
        "Kredit": wire(oere) if raw["DebetKredit"] != DEBET else 0.0,
        "Kontostreng": actual,
        **titles,
        "Forventet": expected,
        "SomForventet": None if expected is None else expected == actual,
        "Fejl": answer.get("Fejl", []),
    }
