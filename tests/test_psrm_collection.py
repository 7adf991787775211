"""PSRM's collection side: bank days, interest, coverage, notifications, reconciliation, a claim's life."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import requests
from testkommune.simulators.psrm import bankdage, renter

from tests import psrm_actions as act
from tests.messages import CPR_MOD11, codes
from tests.test_psrm_lifecycle import _claim, _main_struct, _one

NATIONALBANKEN_2026 = {  # Danmarks Nationalbank, banklukkedage 2026 (weekdays only)
    date(2026, 1, 1),
    date(2026, 4, 2),
    date(2026, 4, 3),
    date(2026, 4, 6),
    date(2026, 5, 14),
    date(2026, 5, 15),
    date(2026, 5, 25),
    date(2026, 6, 5),
    date(2026, 12, 24),
    date(2026, 12, 25),
    date(2026, 12, 26),
    date(2026, 12, 31),
}


def _exact(principal_kr: str, pct: str, days: int) -> Decimal:
    """Simple interest in øre, by hand: principal × rate × days / 365, unrounded."""
    return Decimal(principal_kr) * 100 * Decimal(pct) / 100 * days / 365


def _interest(principal_kr: str, pct: str, days: int, *more: tuple[str, str, int]) -> int:
    """The same, summed over segments and rounded once to whole øre."""
    total = _exact(principal_kr, pct, days) + sum((_exact(*segment) for segment in more), Decimal(0))
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_bank_closing_days_match_nationalbanken_2026():
    closed_weekdays = {d for d in bankdage.closing_days(2026) if d.weekday() < 5}
    assert closed_weekdays == {d for d in NATIONALBANKEN_2026 if d.weekday() < 5}
    assert bankdage.is_bank_day(date(2026, 5, 1))  # 1 May is not a bank closing day


def test_afregning_period_follows_the_bank_days():
    assert bankdage.afregning_period(2022, 6) == (
        date(2022, 5, 31),
        date(2022, 6, 29),
        date(2022, 6, 30),
    )  # psrm.md §8
    # 31 December is a banklukkedag (Nationalbanken): paid out on the last bank day, 30 December
    assert bankdage.afregning_period(2026, 12) == (date(2026, 11, 30), date(2026, 12, 29), date(2026, 12, 30))
    assert bankdage.afregning_period(2026, 5) == (date(2026, 4, 30), date(2026, 5, 28), date(2026, 5, 29))


def test_interest_is_simple_daily_from_the_first_of_the_next_month():
    start = renter.interest_start(date(2026, 9, 20))
    assert start == date(2026, 10, 1)
    assert renter.accrued([(date(2026, 9, 20), 100000)], start, date(2026, 11, 1)) == _interest(
        "1000", "5.75", 31
    )
    # the rate changes mid-month, on the 5th hverdag after 1 January (filterregler.md §4.2: 8 Jan 2024)
    across = renter.accrued([(date(2024, 1, 1), 100000)], date(2024, 1, 1), date(2024, 1, 11))
    assert across == _interest("1000", "7.25", 7, ("1000", "7.75", 3))
    written_down = renter.accrued(
        [(date(2026, 10, 1), 100000), (date(2026, 10, 11), -50000)], date(2026, 10, 1), date(2026, 10, 21)
    )
    assert written_down == _interest("1000", "5.75", 10, ("500", "5.75", 10))


def _pay(
    api, amount: float, on: str, debtor: str = CPR_MOD11, source: str = "INDBETALING"
) -> requests.Response:
    return requests.post(
        f"{api.admin_path}/psrm/indbetalinger",
        json={"SkyldnerID": debtor, "Beløb": amount, "BetalingDato": on, "Kilde": source},
        timeout=30,
    )


def _history(api, claim_id: str) -> dict[str, Any]:
    response = requests.get(f"{api.admin_path}/psrm/fordringer/{claim_id}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _notes(api, start: str, end: str, *kinds: str) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"DatoInterval": {"StartDato": start, "SlutDato": end}}
    if kinds:
        body["UnderretningTypeKode"] = list(kinds)
    response = api.post("/psrm/MFUnderretSamlingHent", body)
    assert response.status_code == 200, response.text
    return response.json()["UnderretningSamling"]["Underretning"]


def test_payment_covers_interest_then_related_claims_then_principal_oldest_first(api):
    api.clock(set="2026-09-20")
    first = _claim(api, "A1")
    _one(
        api,
        act.relateret(
            first,
            _main_struct(
                DMIFordringTypeKode="GEOPKRÆ",
                DMIFordringFordringHaverRef="FEE-1",
                FordringBeløbStruktur={"ValutaKode": "DKK", "DMIFordringBeløb": 100.0},
                FordringOprindeligBeløbStruktur={"ValutaKode": "DKK", "EFIFordringOprindeligBeløb": 100.0},
            ),
        ),
    )
    api.clock(set="2026-09-25")
    second = _claim(api, "A2")
    api.clock(set="2026-10-11")
    assert _pay(api, 1200.0, "2026-10-11").status_code == 201
    interest_first = _interest("1000", "5.75", 10)
    covered = requests.get(f"{api.admin_path}/psrm/indbetalinger", timeout=30).json()["indbetalinger"][0][
        "Resultat"
    ]
    parts = [(c["FordringID"], c["Del"], c["Beløb"]) for c in covered["daekninger"]]
    fee = next(c for c in api.state()["psrm"]["claims"] if c["fordringstype"] == "GEOPKRÆ")
    assert parts[0] == (first, "rente", interest_first)
    assert parts[1] == (str(fee["id"]), "hovedstol", 10000)
    assert parts[2] == (first, "hovedstol", 100000)
    assert parts[3][:2] == (second, "rente")
    assert covered["overskud_oere"] == 0
    assert _history(api, first)["Status"] == "INDFRIET"


def test_payment_beyond_the_debt_is_returned_as_surplus(api):
    claim = _claim(api)
    api.clock(set="2026-09-21")
    _pay(api, 1500.0, "2026-09-21")
    result = requests.get(f"{api.admin_path}/psrm/indbetalinger", timeout=30).json()["indbetalinger"][0][
        "Resultat"
    ]
    assert result["overskud_oere"] == 50000
    assert _history(api, claim)["SaldoBeløb"] == 0


def test_a_future_payment_waits_for_the_simulated_date(api):
    claim = _claim(api)
    assert _pay(api, 100.0, "2026-09-25").json()["Status"] == "VENTER"
    assert _history(api, claim)["SaldoBeløb"] == 1000.0
    api.clock(set="2026-09-25")
    assert _history(api, claim)["SaldoBeløb"] == 900.0


def test_udligning_or_allokering_as_the_claimant_chose(api):
    claim = _claim(api)
    api.clock(set="2026-10-11")
    _pay(api, 100.0, "2026-10-11", source="MODREGNING")
    udligning = _notes(api, "2026-10-01", "2026-10-31", "UDLIGNING")
    assert [(n["DMIFordringEFIFordringID"], n["DækningBeløb"], n["DækningKilde"]) for n in udligning] == [
        (claim, 100.0, "MODREGNING")
    ]
    api.settings({"psrm": {"underretning_daekning": "ALLOKERING"}})
    allokering = _notes(api, "2026-10-01", "2026-10-31", "ALLOKERING")[0]
    interest = _interest("1000", "5.75", 10)
    assert (allokering["RenteBeløb"], allokering["HovedstolBeløb"]) == (
        interest / 100,
        (10000 - interest) / 100,
    )


def test_notifications_older_than_three_months_are_refused_and_intervals_checked(api):
    api.clock(set="2026-12-15")
    old = api.post(
        "/psrm/MFUnderretSamlingHent", {"DatoInterval": {"StartDato": "2026-09-14", "SlutDato": "2026-10-01"}}
    )
    assert old.status_code == 400 and codes(old.json()["errors"]) == {"PSRM-UNDERRETNING-3-MDR"}
    backwards = api.post(
        "/psrm/MFUnderretSamlingHent", {"DatoInterval": {"StartDato": "2026-11-01", "SlutDato": "2026-10-01"}}
    )
    assert codes(backwards.json()["errors"]) == {"PSRM-UNDERRETNING-INTERVAL"}
    assert _notes(api, "2026-09-15", "2026-09-15") == []  # open interval, nothing yet


def test_return_and_write_off_end_collection_with_a_notification(api):
    claim = _claim(api, "A1")
    other = _claim(api, "A2")
    api.clock(set="2026-11-02")
    returned = requests.post(
        f"{api.admin_path}/psrm/returneringer",
        json={"DMIFordringEFIFordringID": claim, "ÅrsagKode": "ANDN", "Tekst": "Se sagen"},
        timeout=30,
    )
    assert returned.status_code == 200
    requests.post(
        f"{api.admin_path}/psrm/afskrivninger",
        json={"DMIFordringEFIFordringID": other, "ÅrsagKode": "FORAELDELSE"},
        timeout=30,
    )
    notes = _notes(api, "2026-11-01", "2026-11-30", "RETURNERING", "AFSKRIVNING")
    assert [(n["UnderretningTypeKode"], n["DMIFordringEFIFordringID"], n["ÅrsagKode"]) for n in notes] == [
        ("AFSKRIVNING", other, "FORAELDELSE"),
        ("RETURNERING", claim, "ANDN"),
    ]
    assert notes[1]["RenteBeløb"] == _interest("1000", "5.75", 32) / 100
    again = requests.post(
        f"{api.admin_path}/psrm/returneringer",
        json={"DMIFordringEFIFordringID": claim, "ÅrsagKode": "AFTL"},
        timeout=30,
    )
    assert again.status_code == 409


def test_reconciliation_adds_up(api):
    claim = _claim(api, "A1")
    _claim(api, "A2")
    _one(api, act.nedskriv(claim, 200.0, "INDB", "2026-09-20"))
    _one(api, act.opskriv(claim, 50.0))
    _one(api, act.tilbagekald(claim, "HENS"))
    totals = requests.get(f"{api.admin_path}/psrm/afstemning", timeout=30).json()
    assert (totals["TilgangBeløb"], totals["NedskrivningBeløb"], totals["OpskrivningBeløb"]) == (
        2000.0,
        200.0,
        50.0,
    )
    assert totals["TilbagekaldBeløb"] == 850.0  # the claim (800) and its write-up (50)
    assert totals["InddrivelsesgrundlagBeløb"] == 2000.0 - 850.0 - 200.0 + 50.0


@pytest.mark.parametrize("admin_path", ["indbetalinger", "returneringer", "afskrivninger"])
def test_admin_collection_calls_check_their_contract(api, admin_path):
    response = requests.post(f"{api.admin_path}/psrm/{admin_path}", json={"Beløb": "x"}, timeout=30)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_a_claims_life_create_hearing_payment_write_down_recall_resubmit(api):
    """psrm.md §5.4, §6, §7, §8 in one walk, checked against hand-computed interest and the bank calendar."""
    api.clock(set="2026-09-20")
    main = _main_struct(DMIFordringTypeKode="KFERSMF", DMIFordringFordringHaverRef="ERSTATNING-1")
    created = _one(api, act.action("OPRETFORDRING", "OpretFordringAktion", {"MFOpretFordringStruktur": main}))
    assert created["MFAktionStatusKode"] == "HOERING"
    api.clock(set="2026-09-22")
    api.post(
        "/psrm/HoeringSvar",
        {
            "MFAktionID": created["MFAktionID"],
            "HoeringSvarKode": "GODKEND",
            "Begrundelse": "Forlig indgået; dokumentation vedlagt sagen.",
        },
    )
    claim = next(a for a in api.state()["psrm"]["actions"] if a["MFAktionID"] == created["MFAktionID"])
    claim_id = claim["DMIFordringEFIFordringID"]
    assert claim["MFAktionStatusKode"] == "UDFOERT" and claim["DMIFordringModtagelseDato"].startswith(
        "2026-09-22"
    )
    assert _history(api, claim_id)["Rentestart"] == "2026-10-01"

    api.clock(set="2026-10-10")
    _pay(api, 300.0, "2026-10-10")
    interest_to_payment = _interest("1000", "5.75", 9)
    principal_after_payment = 100000 - (30000 - interest_to_payment)
    api.clock(set="2026-10-15")
    assert _one(api, act.nedskriv(claim_id, 100.0, "INDB", "2026-10-14"))["MFAktionStatusKode"] == "UDFOERT"
    principal_after_write_down = principal_after_payment - 10000

    api.clock(set="2026-11-05")
    october = _notes(api, "2026-10-01", "2026-11-05", "AFREGNING", "RENTER")
    settlement = next(n for n in october if n["UnderretningTypeKode"] == "AFREGNING")
    assert settlement["UnderretningDato"] == "2026-10-30"  # last weekday of October 2026
    assert (settlement["PeriodeFraDato"], settlement["PeriodeTilDato"]) == ("2026-09-30", "2026-10-29")
    assert settlement["AfregningBeløb"] == 300.0
    october_interest = _interest(
        "1000",
        "5.75",
        9,
        (str(Decimal(principal_after_payment) / 100), "5.75", 4),
        (str(Decimal(principal_after_write_down) / 100), "5.75", 18),
    )
    renter_oct = next(n for n in october if n["UnderretningTypeKode"] == "RENTER")
    assert renter_oct["RenteBeløb"] == october_interest / 100

    assert _one(api, act.tilbagekald(claim_id, "HENS"))["MFAktionStatusKode"] == "UDFOERT"
    stopped = _history(api, claim_id)
    assert stopped["Status"] == "TILBAGEKALDT"
    api.clock(set="2026-11-20")
    assert _history(api, claim_id)["RenteBeløb"] == stopped["RenteBeløb"]  # no interest after the recall

    reindgi = {
        k: v
        for k, v in _main_struct(
            DMIFordringTypeKode="REINDGI",
            DMIFordringFordringHaverRef="ERSTATNING-1-R",
            FordringBeløbStruktur={"ValutaKode": "DKK", "DMIFordringBeløb": stopped["RenteBeløb"]},
            FordringOprindeligBeløbStruktur={
                "ValutaKode": "DKK",
                "EFIFordringOprindeligBeløb": stopped["RenteBeløb"],
            },
        ).items()
        if k not in ("DMIFordringStiftelseTidspunkt", "DMIFordringForfaldDato", "DMIFordringSRBDato")
    }
    again = dict(main) | {
        "FordringBeløbStruktur": {"ValutaKode": "DKK", "DMIFordringBeløb": principal_after_write_down / 100},
        "HæftelseForligDato": None,
    }
    again = {k: v for k, v in again.items() if v is not None}
    again["FordringHæftelseSamling"] = {
        "MFHæftelseStruktur": [
            {
                "MFKundeStruktur": {"Valg": {"PersonCPRNummer": CPR_MOD11}},
                "HæftelseForældelseDato": "2036-09-01",  # forlig + 10 years (R_2_1a, filterregler.md §1)
                "HæftelseForlig": True,
                "HæftelseForligDato": "2026-09-01",
            }
        ]
    }
    resubmitted = _one(api, act.genindsend(claim_id, again, [reindgi]))
    assert resubmitted["MFAktionStatusKode"] == "UDFOERT", resubmitted.get("AfvistÅrsagSamling")
    new_id = resubmitted["DMIFordringEFIFordringID"]
    assert new_id != claim_id
    assert _history(api, new_id)["SaldoBeløb"] == principal_after_write_down / 100
    kinds = [e["Type"] for e in _history(api, claim_id)["Hændelser"]]
    assert kinds == ["TILGANG", "RENTEDAEKNING", "DAEKNING", "NEDSKRIVNING_INDB", "TILBAGEKALD_HENS"]


def test_receipt_time_sets_the_limitation_floor_except_for_municipal_civil_claims(api):
    short = _claim(api, "A1")  # submitted forældelsesdato 2029-09-01 < receipt + 3 years
    assert _history(api, short)["Forældelse"]["dato"] == "2029-09-20"
    civil = act.action(
        "OPRETFORDRING",
        "OpretFordringAktion",
        {
            "MFOpretFordringStruktur": _main_struct(
                DMIFordringTypeKode="CFFAKTU", DMIFordringFordringHaverRef="CIVIL-1"
            )
        },
    )
    receipt = _one(api, civil)
    assert _history(api, receipt["DMIFordringEFIFordringID"])["Forældelse"]["dato"] == "2029-09-01"
