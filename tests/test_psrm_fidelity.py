"""PSRM rules where the public guidance decides and the simulator used to disagree, over real HTTP.

Each test names its source (psrm.md, filterregler.md sections; GIL, forældelsesloven as they quote them).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import requests

from tests import psrm_actions as act
from tests.messages import CPR_MOD11, codes, psrm_leverance
from tests.test_psrm_collection import _history, _notes, _pay
from tests.test_psrm_lifecycle import _claim, _main_struct, _one


def test_a_fejl_recall_reverses_every_daekning_of_the_claim(api):
    """psrm.md §6.3 (FEJL: coverings 'all reversed', interest 'all reset from receipt', a negative settlement
    netted later) and §6.1: the 100 kr paid does not stay covered; the whole principal goes back."""
    claim = _claim(api, "A1")  # 1000 kr, received 2026-09-20
    api.clock(set="2026-10-11")
    assert _pay(api, 100.0, "2026-10-11").status_code == 201
    api.clock(set="2026-10-12")
    assert _history(api, claim)["SaldoBeløb"] < 1000.0
    assert _one(api, act.tilbagekald(claim, "FEJL", None))["MFAktionStatusKode"] == "UDFOERT"
    history = _history(api, claim)
    kinds = [e["Type"] for e in history["Hændelser"]]
    assert "DAEKNING_TILBAGEFOERT" in kinds and "RENTEDAEKNING_TILBAGEFOERT" in kinds
    recall = next(e for e in history["Hændelser"] if e["Type"] == "TILBAGEKALD_FEJL")
    assert recall["Beløb"] == -1000.0  # the full principal, not the balance left after the payment
    assert recall["Virkningsdato"] == "2026-09-20"  # FEJL: from the original receipt
    assert history["RenteBeløb"] == 0.0
    api.clock(set="2026-11-02")
    settlement = next(n for n in _notes(api, "2026-10-01", "2026-11-02", "AFREGNING"))
    assert any(line["Beløb"] < 0 for line in settlement["AfregningLinje"])
    assert settlement["AfregningBeløb"] == 0.0  # paid and reversed in the same period: nothing to pay out


def test_a_hens_recall_keeps_the_daekninger(api):
    """psrm.md §6.3: HENS keeps coverings; only FEJL reverses them (a lawful contrast to the case above)."""
    claim = _claim(api, "A1")
    api.clock(set="2026-10-11")
    _pay(api, 100.0, "2026-10-11")
    api.clock(set="2026-10-12")
    _one(api, act.tilbagekald(claim, "HENS"))
    kinds = [e["Type"] for e in _history(api, claim)["Hændelser"]]
    assert "DAEKNING" in kinds and "DAEKNING_TILBAGEFOERT" not in kinds


def test_limitation_floor_after_resubmission_runs_from_the_first_receipt(api):
    """psrm.md §6.4, GIL § 18 a stk. 7, 4. pkt. [JV G.A.2.4.4.2.2]: the 3-year add-on still runs from the
    first receipt (2026-09-20 → 2029-09-20), not from the re-submission (2027-01-11 → 2030-01-11)."""
    claim = _claim(api, "A1")
    assert _history(api, claim)["Forældelse"]["dato"] == "2029-09-20"
    _one(api, act.tilbagekald(claim, "HENS"))
    api.clock(set="2027-01-11")
    again = _one(api, act.genindsend(claim, _main_struct()))
    assert again["MFAktionStatusKode"] == "UDFOERT", again
    assert _history(api, again["DMIFordringEFIFordringID"])["Forældelse"]["dato"] == "2029-09-20"


def test_limitation_floor_moves_to_the_next_hverdag(api):
    """Forældelsesloven § 27 stk. 2 (filterregler.md §5.2, our reading [I] for the GIL § 18 a stk. 7 floor):
    received 2027-12-24 → 2030-12-24 (24 Dec) moves to 2030-12-27 (25/26 Dec are helligdage). A tenant
    setting switches it off."""
    api.clock(set="2027-12-24")
    claim = _claim(api, "A1", **_later_dates())
    assert _history(api, claim)["Forældelse"]["dato"] == "2030-12-27"
    api.settings({"psrm": {"foraeldelse_par27": False}})
    other = _claim(api, "A2", **_later_dates(), DMIFordringFordringHaverRef="REF-A2")
    assert _history(api, other)["Forældelse"]["dato"] == "2030-12-24"


def _later_dates() -> dict[str, object]:
    """A lawful KFDAINS claim for November 2027, handed over on 24 December 2027."""
    return {
        "DMIFordringStiftelseTidspunkt": "2027-11-01",
        "DMIFordringForfaldDato": "2027-11-01",
        "DMIFordringSRBDato": "2027-11-15",
        "FordringPeriodeStruktur": {
            "DMIFordringPeriodeFraDato": "2027-11-01",
            "DMIFordringPeriodeTilDato": "2027-11-30",
        },
        "FordringHæftelseSamling": {
            "MFHæftelseStruktur": [
                {
                    "MFKundeStruktur": {"Valg": {"PersonCPRNummer": CPR_MOD11}},
                    "HæftelseForældelseDato": "2030-11-01",
                }
            ]
        },
    }


def test_a_ten_year_date_on_a_non_civil_claim_is_cut_to_three_years(api):
    """psrm.md §9 [JV G.A.2.4.3], GIL § 18 a stk. 4: under inddrivelse the period is 3 years even if the claim
    had 10 years before; a municipal civil claim keeps its own date. A KFRENAB claim with a judgment
    (forældelse = dom + 10 years, R_2_1a/b of the annexes) is stored with receipt + 3 years."""
    haeftelse = {
        "MFKundeStruktur": {"Valg": {"PersonCPRNummer": CPR_MOD11}},
        "HæftelseForældelseDato": "2036-09-01",
        "HæftelseDomDato": "2026-09-01",
    }
    claim = _claim(
        api, "A1", DMIFordringTypeKode="KFRENAB", FordringHæftelseSamling={"MFHæftelseStruktur": [haeftelse]}
    )
    assert _history(api, claim)["Forældelse"] == {
        "dato": "2029-09-20",
        "regel": "GIL § 18 a stk. 4: 3 år under inddrivelse",
        "foerste_modtagelse": "2026-09-20",
    }


def test_a_system_the_agreement_does_not_name_is_refused_with_400(api):
    """psrm.md §5.3 code 400 ('Submitting system vendor may not report for this claimant'), §1.1: the
    agreement names the systems (SE numbers) that report for the kommune
    (contracts/reference/fordringshaveraftale.json)."""
    message = psrm_leverance("L1", "A1")
    message["FordringhaverSystemIDStruktur"] = {"VirksomhedSENummer": "12345674"}
    sync = api.post("/psrm/MFFordringIndberet", message).json()
    status = sync["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"][0]
    assert status["MFAktionStatusKode"] == "AFVIST"
    assert codes(status["AfvistÅrsagSamling"]["MFAktionAfvistStruktur"]) == {"PSRM-400"}
    api.settings({"psrm": {"tilladte_system_se": ["12345674"]}})
    again = psrm_leverance("L2", "A2")
    again["FordringhaverSystemIDStruktur"] = {"VirksomhedSENummer": "12345674"}
    sync = api.post("/psrm/MFFordringIndberet", again).json()
    assert sync["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"][0][
        "MFAktionStatusKode"
    ] == ("MODTAGET")


def test_fordringsart_outside_indr_modr_answers_psrm_411_alongside_the_schema(api):
    """psrm.md §5.3 code 411 ('Fordringsart must be INDR or MODR'): the structural refusal carries PSRM's own
    code, so a vendor sees 411 as PSRM would answer it."""
    response = api.post(
        "/psrm/MFFordringIndberet", psrm_leverance("L1", "A1", DMIFordringFordringArtKode="OPKR")
    )
    assert response.status_code == 400
    found = {(e["code"], e["path"].rsplit(".", 1)[-1]) for e in response.json()["errors"]}
    assert ("SCHEMA-ENUM", "DMIFordringFordringArtKode") in found
    assert ("PSRM-411", "DMIFordringFordringArtKode") in found


def test_a_hearing_is_approved_only_with_a_justification(api):
    """psrm.md §5.4 [S fordringer-i-hoering]: the claimant approves 'with a free-text justification'."""
    receipt = _one(
        api,
        act.action(
            "OPRETFORDRING",
            "OpretFordringAktion",
            {"MFOpretFordringStruktur": _main_struct(DMIFordringTypeKode="KFERSMF")},
        ),
    )
    assert receipt["MFAktionStatusKode"] == "HOERING"
    bare = api.post("/psrm/HoeringSvar", {"MFAktionID": receipt["MFAktionID"], "HoeringSvarKode": "GODKEND"})
    assert bare.status_code >= 400 and codes(bare.json()["errors"]) == {"PSRM-HOERING-BEGRUNDELSE"}
    justified = api.post(
        "/psrm/HoeringSvar",
        {
            "MFAktionID": receipt["MFAktionID"],
            "HoeringSvarKode": "GODKEND",
            "Begrundelse": "Forlig foreligger.",
        },
    )
    assert justified.status_code == 200, justified.text


def test_reindgi_on_a_brand_new_claim_is_refused(api):
    """psrm.md §6.4 [P gaeldst.dk REINDGI]: REINDGI is the interest of a re-submitted claim, related only to
    the original claim; sent with a new claim it is refused."""
    claim = _claim(api, "A1")
    reindgi = {
        k: v
        for k, v in _main_struct(DMIFordringTypeKode="REINDGI", DMIFordringFordringHaverRef="R-1").items()
        if k not in ("DMIFordringStiftelseTidspunkt", "DMIFordringForfaldDato", "DMIFordringSRBDato")
    }
    receipt = _one(api, act.relateret(claim, reindgi))
    assert receipt["MFAktionStatusKode"] == "AFVIST"
    assert "PSRM-REINDGI-KUN-GENINDSEND" in codes(receipt["AfvistÅrsagSamling"]["MFAktionAfvistStruktur"])


def _covered(api) -> list[tuple[str, str, int]]:
    payments = requests.get(f"{api.admin_path}/psrm/indbetalinger", timeout=30).json()["indbetalinger"]
    return [(c["FordringID"], c["Del"], c["Beløb"]) for c in payments[-1]["Resultat"]["daekninger"]]


def test_maintenance_is_covered_before_ordinary_claims(api):
    """GIL § 4 (psrm.md §10 [JV G.A.2.3.2.1]): maintenance (underholdsbidrag) before all other claims, even
    when the ordinary claim was received first; UHFOSKU's place is data (fordringstyper.json)."""
    api.settings({"psrm": {"tilladte_fordringstyper": ["KFDAINS", "UHFOSKU"]}})
    ordinary = _claim(api, "A1")
    api.clock(set="2026-09-25")
    maintenance = _claim(api, "A2", DMIFordringTypeKode="UHFOSKU", DMIFordringFordringHaverRef="UH-1")
    api.clock(set="2026-10-01")
    assert _pay(api, 500.0, "2026-10-01").status_code == 201
    covered = _covered(api)
    assert covered[0] == (maintenance, "hovedstol", 50000)
    assert ordinary not in {c[0] for c in covered}


def test_a_write_up_takes_the_place_of_its_covered_claim(api):
    """JV G.A.2.3.2.1 'Særligt om dækning af opskrivningsfordringer i PSRM' (filterregler.md §5.4): a write-up
    whose claim is already covered takes the place that claim would have had: before a later claim."""
    first = _claim(api, "A1")  # received 2026-09-20
    api.clock(set="2026-09-25")
    later = _claim(api, "A2", DMIFordringFordringHaverRef="REF-A2")
    api.clock(set="2026-10-01")
    _pay(api, 1000.0, "2026-10-01")  # covers the first claim in full
    assert _history(api, first)["Status"] == "INDFRIET"
    api.clock(set="2026-10-02")
    write_up = _one(api, act.opskriv(first, 200.0))
    assert write_up["MFAktionStatusKode"] == "UDFOERT", write_up
    api.clock(set="2026-10-03")
    _pay(api, 100.0, "2026-10-03")
    covered = _covered(api)
    assert covered[0][0] == write_up["DMIFordringEFIFordringID"] and covered[0][1] == "hovedstol"
    assert later not in {c[0] for c in covered}


def test_types_without_an_own_table_get_the_shared_core_as_a_setting(api):
    """filterregler.md §1 'Shared core' [C]: R_5_3 (stiftelsesdato before receipt) and R_6_1 (SRB on or after
    forfaldsdato) reject in every annex read. Applying them to a type whose annex we have not read (KFRENAB)
    is our inference: tenant setting psrm.standardfilter, default on."""
    future = _one(
        api,
        act.action(
            "OPRETFORDRING",
            "OpretFordringAktion",
            {
                "MFOpretFordringStruktur": _main_struct(
                    DMIFordringTypeKode="KFRENAB", DMIFordringStiftelseTidspunkt="2026-10-01"
                )
            },
        ),
    )
    assert future["MFAktionStatusKode"] == "AFVIST"
    assert any("rule R_5_3 " in e["text_en"] for e in future["AfvistÅrsagSamling"]["MFAktionAfvistStruktur"])
    srb_first = _main_struct(
        DMIFordringTypeKode="KFRENAB", DMIFordringFordringHaverRef="R-2", DMIFordringForfaldDato="2026-09-16"
    )
    late = _one(
        api, act.action("OPRETFORDRING", "OpretFordringAktion", {"MFOpretFordringStruktur": srb_first})
    )
    assert any("rule R_6_1 " in e["text_en"] for e in late["AfvistÅrsagSamling"]["MFAktionAfvistStruktur"])
    api.settings({"psrm": {"standardfilter": False}})
    srb_first["DMIFordringFordringHaverRef"] = "R-3"
    lenient = _one(
        api, act.action("OPRETFORDRING", "OpretFordringAktion", {"MFOpretFordringStruktur": srb_first})
    )
    assert lenient["MFAktionStatusKode"] == "UDFOERT", lenient


def test_interest_follows_the_rate_table_row_by_row_mid_month(api):
    """filterregler.md §4.2 (gaeldst.dk Renteregler): 7.25 % from 7 Jul 2023, 7.75 % from 8 January 2024 (the
    5th hverdag after 1 January). January 2024's interest is 7 days at 7.25 % and 24 days at 7.75 %."""
    api.clock(set="2023-12-04")
    dates = {
        "DMIFordringStiftelseTidspunkt": "2023-11-01",
        "DMIFordringForfaldDato": "2023-11-01",
        "DMIFordringSRBDato": "2023-11-15",
        "FordringPeriodeStruktur": {
            "DMIFordringPeriodeFraDato": "2023-11-01",
            "DMIFordringPeriodeTilDato": "2023-11-30",
        },
        "FordringHæftelseSamling": {
            "MFHæftelseStruktur": [
                {
                    "MFKundeStruktur": {"Valg": {"PersonCPRNummer": CPR_MOD11}},
                    "HæftelseForældelseDato": "2026-11-01",
                }
            ]
        },
    }
    claim = _claim(api, "A1", **dates)
    api.clock(set="2024-02-05")
    january = next(
        n for n in _notes(api, "2024-01-01", "2024-02-05", "RENTER") if n["PeriodeFraDato"] == "2024-01-01"
    )
    assert january["DMIFordringEFIFordringID"] == claim
    expected = (Decimal(100000) * (Decimal("7.25") * 7 + Decimal("7.75") * 24) / 100 / 365).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    assert january["RenteBeløb"] == float(expected) / 100


def test_afregning_is_paid_on_the_last_bank_day(api):
    """gaeldst.dk Underretninger [S] via filterregler.md §5.1: afregning on the month's 'last hverdag'; 31
    December is a Nationalbanken banklukkedag, so December 2026's afregning is paid on 30 December (our
    reading, a tenant setting; HVERDAG pays on the last weekday that is no helligdag, 31 December)."""
    _claim(api, "A1")
    api.clock(set="2026-12-10")
    _pay(api, 100.0, "2026-12-10")
    api.clock(set="2027-01-05")
    december = [
        n for n in _notes(api, "2026-12-01", "2027-01-05", "AFREGNING") if n["PeriodeTilDato"] == "2026-12-29"
    ]
    assert [n["UnderretningDato"] for n in december] == ["2026-12-30"]
    api.settings({"psrm": {"afregning_udbetalingsdag": "HVERDAG"}})
    december = [
        n for n in _notes(api, "2026-12-01", "2027-01-05", "AFREGNING") if n["PeriodeTilDato"] == "2026-12-29"
    ]
    assert [n["UnderretningDato"] for n in december] == ["2026-12-31"]


def test_an_akr_number_never_issued_is_a_debtor_that_does_not_exist(api):
    """psrm.md §4.3 [S]: Gældsstyrelsen creates a foreign debtor and returns its AKR number; §5.3 code 5:
    'Debtor does not exist'. The issued numbers are the tenant setting psrm.udstedte_akr."""
    akr = {
        "MFHæftelseStruktur": [
            {"MFKundeStruktur": {"Valg": {"AKRNummer": "A0001234"}}, "HæftelseForældelseDato": "2029-09-01"}
        ]
    }
    unknown = _one(
        api,
        act.action(
            "OPRETFORDRING",
            "OpretFordringAktion",
            {"MFOpretFordringStruktur": _main_struct(FordringHæftelseSamling=akr)},
        ),
    )
    assert unknown["MFAktionStatusKode"] == "AFVIST"
    assert "PSRM-5" in codes(unknown["AfvistÅrsagSamling"]["MFAktionAfvistStruktur"])
    api.settings({"psrm": {"udstedte_akr": ["A0001234"]}})
    issued = _main_struct(FordringHæftelseSamling=akr, DMIFordringFordringHaverRef="REF-AKR")
    known = _one(api, act.action("OPRETFORDRING", "OpretFordringAktion", {"MFOpretFordringStruktur": issued}))
    assert known["MFAktionStatusKode"] == "UDFOERT", known
