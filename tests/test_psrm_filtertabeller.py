"""PSRM's per-fordringstype entry-filter tables over real HTTP: each case names the annex rule it follows.

Source for every case: Gældsstyrelsen's fordringstype annexes, "Regler i indgangsfilteret i NyMF", as
summarised in filterregler.md §1–2 (Daginstitution annex 18.01.2024, Renter annex 28.06.2023, Bilag 33
CFFAKTU). Claims are received on 2026-09-20 (the tenant's simulated clock).
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from testkommune import contracts
from testkommune.contracts.filterregler import filtertabeller
from testkommune.contracts.fordringstyper import fordringstyper

from tests import psrm_actions as act
from tests.messages import psrm_leverance

_H = "FordringHæftelseSamling"
_CPR = "1111111118"


def _final(api, **overrides: Any) -> dict[str, Any]:
    """Submit one OPRETFORDRING; return its receipt after PSRM's batch."""
    message = psrm_leverance("L1", "A1", **overrides)
    assert api.post("/psrm/MFFordringIndberet", message).status_code == 200
    receipt = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": "L1"}).json()
    return receipt["FordringAktionStatusSamling"]["MFAktionStruktur"][0]


def _afvist(receipt: dict[str, Any]) -> list[dict[str, Any]]:
    """A receipt's refusal reasons (AfvistÅrsagSamling/MFAktionAfvistStruktur)."""
    return receipt["AfvistÅrsagSamling"]["MFAktionAfvistStruktur"]


def _hoering(receipt: dict[str, Any]) -> list[dict[str, Any]]:
    """A receipt's hearing reasons (HoeringÅrsagSamling/MFAktionHoeringStruktur)."""
    return receipt["HoeringÅrsagSamling"]["MFAktionHoeringStruktur"]


def _debtor(foraeldelse: str, **extra: str) -> dict[str, Any]:
    haeftelse = {
        "MFKundeStruktur": {"Valg": {"PersonCPRNummer": _CPR}},
        "HæftelseForældelseDato": foraeldelse,
    }
    return {_H: {"MFHæftelseStruktur": [haeftelse | extra]}}


def _amount(kr: float) -> dict[str, Any]:
    return {
        "FordringBeløbStruktur": {"ValutaKode": "DKK", "DMIFordringBeløb": kr},
        "FordringOprindeligBeløbStruktur": {"ValutaKode": "DKK", "EFIFordringOprindeligBeløb": kr},
    }


def _period(fra: str, til: str) -> dict[str, Any]:
    return {"FordringPeriodeStruktur": {"DMIFordringPeriodeFraDato": fra, "DMIFordringPeriodeTilDato": til}}


def _rules(findings: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(code, rule id) of each finding; the rule id is named in the text a vendor reads."""
    return {(f["code"], m.group(1)) for f in findings if (m := re.search(r"rule (R_\S+) for", f["text_en"]))}


def test_a_lawful_kfdains_claim_passes_every_rule_of_its_table(api):
    """KFDAINS (Bilag 2.2 p. 29): stiftelse = periode start, forfald within 2 months of it, forældelse
    forfald + 3 years, hovedstol ≤ 10.000 kr, description given → UDFOERT."""
    assert _final(api)["MFAktionStatusKode"] == "UDFOERT"


@pytest.mark.parametrize(
    ("overrides", "code", "regel"),
    [
        # R_1_1: KFDAINS is INDR only (Bilag 2.2 p. 29)
        ({"DMIFordringFordringArtKode": "MODR"}, "PSRM-FILTER-ART", "R_1_1"),
        # R_6_15/R_6_16: stiftelsesdato = periode start
        ({"DMIFordringStiftelseTidspunkt": "2026-08-20"}, "PSRM-FILTER-DATO", "R_6_15/R_6_16"),
        # R_2_3a: forældelsesdato ≥ forfaldsdato + 3 years
        (_debtor("2029-08-31"), "PSRM-FILTER-DATO", "R_2_3a"),
        # R_7_12a: domsdato and forligsdato not both
        (
            _debtor("2036-09-01", HæftelseDomDato="2026-09-01", HæftelseForligDato="2026-09-01"),
            "PSRM-FILTER-DOM-OG-FORLIG",
            "R_7_12a",
        ),
        # R_2_1a: with a judgment, forældelsesdato ≥ judgment + 10 years
        (_debtor("2029-09-01", HæftelseDomDato="2026-09-01"), "PSRM-FILTER-DATO", "R_2_1a"),
        # R_6_5: forfaldsdato ≥ periode start
        (
            {"DMIFordringForfaldDato": "2026-08-31", "DMIFordringSRBDato": "2026-09-14"},
            "PSRM-FILTER-DATO",
            "R_6_5",
        ),
    ],
)
def test_kfdains_deviations_that_reject(api, overrides, code, regel):
    """Each row breaks one rule the Daginstitution annex (Bilag 2.2, p. 29) marks 'Fordringen afvises'."""
    receipt = _final(api, **overrides)
    assert receipt["MFAktionStatusKode"] == "AFVIST", receipt
    assert (code, regel) in _rules(_afvist(receipt)), _afvist(receipt)
    found = next(f for f in _afvist(receipt) if f"rule {regel} " in f["text_en"])
    assert "KFDAINS" in found["text_da"] and regel in found["text_en"] and found["source"]["tag"] == "C"


def test_kfdains_without_a_description_is_rejected(api):
    """KFDAINS R_7_11 (Bilag 2.2 p. 29): Beskrivelse must be filled in, else 'Fordringen afvises'."""
    message = psrm_leverance("L1", "A1")
    struct = message["FordringAktionSamling"]["FordringAktion"][0]["AktionValg"]["OpretFordringAktion"]
    del struct["MFOpretFordringStruktur"]["FordringBeskrivelse"]
    assert api.post("/psrm/MFFordringIndberet", message).status_code == 200
    receipt = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": "L1"}).json()
    first = receipt["FordringAktionStatusSamling"]["MFAktionStruktur"][0]
    assert first["MFAktionStatusKode"] == "AFVIST", first
    assert ("PSRM-FILTER-UDFYLDT", "R_7_11") in _rules(_afvist(first))


@pytest.mark.parametrize(
    ("overrides", "code", "regel"),
    [
        # R_4_2: hovedstol ≤ 10.000 kr, else hearing
        (_amount(12000.0), "PSRM-HOERING-BELOEB", "R_4_2"),
        # R_2_3: forældelsesdato ≤ forfaldsdato + 4 years, else hearing
        (_debtor("2030-09-02"), "PSRM-HOERING-DATO", "R_2_3"),
        # R_6_6: forfaldsdato ≤ periode start + 2 months, else hearing
        (
            {
                "DMIFordringForfaldDato": "2026-08-02",
                "DMIFordringStiftelseTidspunkt": "2026-06-01",
                **_period("2026-06-01", "2026-06-30"),
                **_debtor("2029-08-02"),
            },
            "PSRM-HOERING-DATO",
            "R_6_6",
        ),
        # R_6_19: periode slut ≥ periode start + 1 day, else hearing
        (_period("2026-09-01", "2026-09-01"), "PSRM-HOERING-DATO", "R_6_19"),
        # R_6_20: periode slut ≤ periode start + 2 months − 2 days, else hearing
        (
            _period("2026-07-01", "2026-08-31") | {"DMIFordringStiftelseTidspunkt": "2026-07-01"},
            "PSRM-HOERING-DATO",
            "R_6_20",
        ),
    ],
)
def test_kfdains_deviations_that_go_to_hearing(api, overrides, code, regel):
    """Rules the Daginstitution annex (Bilag 2.2, p. 29) marks 'Fordringen sendes i høring'."""
    receipt = _final(api, **overrides)
    assert receipt["MFAktionStatusKode"] == "HOERING", receipt
    assert (code, regel) in _rules(_hoering(receipt)), _hoering(receipt)


def test_limits_are_inclusive(api):
    """filterregler.md §1: 'mindre end eller lig med' – a claim exactly at the limit passes (R_2_3: forfald
    + 4 years; R_4_2: 10.000 kr)."""
    receipt = _final(api, **_debtor("2030-09-01"), **_amount(10000.0))
    assert receipt["MFAktionStatusKode"] == "UDFOERT", receipt


def test_a_gedains_fee_above_250_kr_is_rejected_not_heard(api):
    """GEDAINS (Bilag 2.9 p. 121, gebyrloven § 2): R_4_2 hovedstol ≤ 250 kr, outcome reject. (A GEDAINS
    fee's period is one day: R_6_19/R_6_20 periode slut = periode start.)"""
    claim = _lawful_main(api)
    fee = _related("GEDAINS", 300.0, stiftelse="2026-09-01", til="2026-09-01")
    receipt = _one(api, act.relateret(claim, fee))
    assert receipt["MFAktionStatusKode"] == "AFVIST", receipt
    assert ("PSRM-FILTER-BELOEB", "R_4_2") in _rules(_afvist(receipt))
    ok = _one(
        api,
        act.relateret(claim, _related("GEDAINS", 250.0, stiftelse="2026-09-01", til="2026-09-01", ref="G-2")),
    )
    assert ok["MFAktionStatusKode"] == "UDFOERT", ok


def test_reopdag_period_must_be_one_month_minus_a_day(api):
    """REOPDAG (Renter annex, Bilag 13.2 p. 29): R_6_19/R_6_20 periode slut = periode start + 1 month − 1 day,
    else hearing."""
    claim = _lawful_main(api)
    interest = _related("REOPDAG", 40.0, stiftelse="2026-09-01", til="2026-09-20")
    receipt = _one(api, act.relateret(claim, interest))
    assert receipt["MFAktionStatusKode"] == "HOERING", receipt
    assert ("PSRM-HOERING-DATO", "R_6_19/R_6_20") in _rules(_hoering(receipt))


def test_cffaktu_period_of_one_day_is_one_day_not_zero(api):
    """CFFAKTU (Bilag 33 p. 14, R_6_19 'same day' allowed; psrm.md §5.1 'period ≥ 1 day'): a period from a day
    to the same day is one day and passes."""
    receipt = _final(
        api,
        DMIFordringTypeKode="CFFAKTU",
        **_period("2026-09-01", "2026-09-01"),
        **_debtor("2029-09-01"),
    )
    assert receipt["MFAktionStatusKode"] == "UDFOERT", receipt


def _one(api, action: dict[str, Any]) -> dict[str, Any]:
    message = act.leverance(action)
    assert api.post("/psrm/MFFordringIndberet", message).status_code == 200
    fetched = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": message["MFLeveranceID"]}).json()
    return fetched["FordringAktionStatusSamling"]["MFAktionStruktur"][0]


def _lawful_main(api) -> str:
    receipt = _final(api)
    assert receipt["MFAktionStatusKode"] == "UDFOERT", receipt
    return receipt["DMIFordringEFIFordringID"]


def _related(
    kode: str, kr: float, *, stiftelse: str, til: str = "2026-09-30", ref: str = "R-1"
) -> dict[str, Any]:
    struct = psrm_leverance("X", "X")["FordringAktionSamling"]["FordringAktion"][0]["AktionValg"]
    main = struct["OpretFordringAktion"]["MFOpretFordringStruktur"]
    return (
        main
        | _amount(kr)
        | _period("2026-09-01", til)
        | {
            "DMIFordringTypeKode": kode,
            "DMIFordringFordringHaverRef": ref,
            "DMIFordringStiftelseTidspunkt": stiftelse,
            "DMIFordringForfaldDato": stiftelse,
        }
    )


def test_every_table_matches_its_schema_and_names_known_types():
    """The tables are data (contracts/reference/filterregler/*.json) in the format the schema fixes."""
    schema = json.loads((contracts.ROOT / "reference" / "filtertabel.schema.json").read_text("utf-8"))
    paths = sorted((contracts.ROOT / "reference" / "filterregler").glob("*.json"))
    assert len(paths) >= 19
    paths.append(contracts.ROOT / "reference" / "filterregel_standard.json")
    for path in paths:
        jsonschema.validate(json.loads(path.read_text("utf-8")), schema)
    known = {t.kode for t in fordringstyper()}
    assert {"KFDAINS", "GEDAINS", "CFFAKTU", "REOPDAG", "KLFRUNG", "KFMILJO"} <= set(filtertabeller()) & known


def test_kfbiloek_period_must_lie_in_one_calendar_month(api):
    """KFBILØK (Socialret annex, 16.01.2024, p. 7): R_6_21 periode start and slut in the same calendar month,
    else 'Fordringen afvises'; forældelse = forfald + 10 years (R_2_3a/R_2_3)."""
    receipt = _final(
        api,
        DMIFordringTypeKode="KFBILØK",
        DMIFordringStiftelseTidspunkt="2026-08-15",
        **_period("2026-08-15", "2026-09-14"),
        **_debtor("2036-09-01"),
    )
    assert receipt["MFAktionStatusKode"] == "AFVIST", receipt
    assert _rules(_afvist(receipt)) == {("PSRM-FILTER-KALENDER", "R_6_21")}


def test_ktcivil_stiftelsesdato_must_be_a_bank_day(api):
    """KTCIVIL (Socialret annex, 24.11.2025, p. 6): R_7_1 stiftelsesdato filled in and not a bank closing
    day; Saturday 1 August 2026 is rejected, Tuesday 1 September 2026 passes."""
    saturday = _final(
        api,
        DMIFordringTypeKode="KTCIVIL",
        DMIFordringStiftelseTidspunkt="2026-08-01",
        DMIFordringForfaldDato="2026-08-01",
        DMIFordringSRBDato="2026-08-15",
        **_period("2026-08-01", "2026-08-31"),
        **_debtor("2029-08-01"),
    )
    assert saturday["MFAktionStatusKode"] == "AFVIST", saturday
    assert _rules(_afvist(saturday)) == {("PSRM-FILTER-BANKDAG", "R_7_1")}
    message = psrm_leverance("L2", "A2", DMIFordringTypeKode="KTCIVIL")
    assert api.post("/psrm/MFFordringIndberet", message).status_code == 200
    tuesday = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": "L2"}).json()
    assert tuesday["FordringAktionStatusSamling"]["MFAktionStruktur"][0]["MFAktionStatusKode"] == "UDFOERT"


def test_kftilda_takes_no_judgment_or_settlement_date(api):
    """KFTILDA (Bilag 2.1 p. 18): R_7_12 neither domsdato nor forligsdato may be filled in."""
    receipt = _final(
        api,
        DMIFordringTypeKode="KFTILDA",
        DMIFordringStiftelseTidspunkt="2026-08-31",
        **_debtor("2029-09-01", HæftelseDomDato="2026-09-01"),
    )
    assert receipt["MFAktionStatusKode"] == "AFVIST", receipt
    assert ("PSRM-FILTER-TOM", "R_7_12") in _rules(_afvist(receipt))
