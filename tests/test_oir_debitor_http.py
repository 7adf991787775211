"""ØiR debitor entry and the debitor system over real HTTP on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.messages import CPR, CVR, codes, fordring, opret, overdrag


def test_valid_claim_is_booked_and_answered_godkendt(api):
    response = api.opret(opret(fordring("F1")))
    assert response.status_code == 200
    body = response.json()
    assert body["Kvittering"]["Status"] == "MODTAGET"
    assert body["Forretningskvittering"]["Status"] == "GODKENDT"
    assert body["Forretningskvittering"]["Fordring"][0]["FordringReference"] == "F1"
    claims = api.state()["debitor"]["claims"]
    assert [(c["FordringReference"], c["FordringTilstand"], c["SaldoBeløb"]) for c in claims] == [
        ("F1", "OPKRAEVNING", 3200.0)
    ]


def test_every_contract_problem_is_listed_with_its_path(api):
    message = opret(fordring("F1"))
    message["Hovedoplysninger"]["TransaktionsID"] = "not-a-uuid"
    claim = message["OpretDebitorkonto"]["Fordring"][0]
    claim["Ukendt"] = 1
    claim["HovedstolBeløb"] = "3200"
    claim["PeriodeTilDato"] = "2026-02-30"
    del claim["ValutaKode"]
    response = api.opret(message)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    found = {(e["code"], e["path"]) for e in response.json()["errors"]}
    base = "$.OpretDebitorkonto.Fordring[0]"
    assert found == {
        ("SCHEMA-FORMAT", "$.Hovedoplysninger.TransaktionsID"),
        ("SCHEMA-UKENDT-FELT", f"{base}.Ukendt"),
        ("SCHEMA-TYPE", f"{base}.HovedstolBeløb"),
        ("SCHEMA-FORMAT", f"{base}.PeriodeTilDato"),
        ("SCHEMA-REQUIRED", f"{base}.ValutaKode"),
    }
    for error in response.json()["errors"]:
        assert error["text_da"] and error["text_en"] and error["fix_en"]
    assert api.state()["debitor"]["claims"] == []


def test_amount_with_three_decimals_is_refused(api):
    response = api.opret(opret(fordring("F1", HovedstolBeløb=10.005)))
    assert response.status_code == 400
    assert codes(response.json()["errors"]) == {"SCHEMA-BELOEB"}


@pytest.mark.parametrize(
    ("overrides", "code", "path_end"),
    [
        ({"PeriodeFraDato": "2026-10-31", "PeriodeTilDato": "2026-10-01"}, "PSRM-569", "PeriodeFraDato"),
        ({"SidsteRettidigeBetalingDato": None}, "PSRM-550", "SidsteRettidigeBetalingDato"),
        ({"StiftelseDato": "1899-12-31"}, "PSRM-568", "StiftelseDato"),
        ({"ValutaKode": "EUR"}, "PSRM-152", "ValutaKode"),
        ({"FordringstypeKode": "PSRESTS"}, "PSRM-151", "FordringstypeKode"),
        ({"FordringstypeKode": "GEOPKRÆ"}, "PSRM-201", "FordringstypeKode"),
    ],
)
def test_stamdata_rule_refuses_with_code_path_and_both_texts(api, overrides, code, path_end):
    response = api.opret(opret(fordring("F1", **overrides)))
    assert response.status_code == 200
    answer = response.json()["Forretningskvittering"]
    assert answer["Status"] == "AFVIST"
    matching = [e for e in answer["Fejl"] if e["code"] == code]
    assert matching, answer["Fejl"]
    assert matching[0]["path"].endswith(path_end)
    assert matching[0]["text_da"] and matching[0]["text_en"] and matching[0]["source"]["tag"]
    assert api.state()["debitor"]["claims"] == []


def test_reindgi_forbids_dates_and_is_not_a_main_claim(api):
    response = api.opret(opret(fordring("F1", FordringstypeKode="REINDGI")))
    found = codes(response.json()["Forretningskvittering"]["Fejl"])
    assert {"PSRM-REINDGI-DATOER", "PSRM-201"} <= found


def test_invalid_cpr_date_is_an_error_and_modulus_11_only_a_warning(api):
    refused = api.opret(opret(fordring("F1"), cpr="3102901234")).json()["Forretningskvittering"]
    assert refused["Status"] == "AFVIST" and "ID-CPR-DATO" in codes(refused["Fejl"])
    warned = api.opret(opret(fordring("F2"), account="K2", cpr=CPR)).json()["Forretningskvittering"]
    assert warned["Status"] == "GODKENDT"
    assert codes(warned["Advarsler"]) == {"ID-CPR-MOD11"}


def test_company_debtor_needs_a_valid_cvr_and_the_right_account_type(api):
    ok = api.opret(opret(fordring("F1"), cvr=CVR)).json()["Forretningskvittering"]
    assert ok["Status"] == "GODKENDT"
    bad = api.opret(opret(fordring("F2"), account="K2", cvr="29189847")).json()["Forretningskvittering"]
    assert "ID-CVR-MOD11" in codes(bad["Fejl"])
    message = opret(fordring("F3"), account="K3", cvr=CVR)
    message["OpretDebitorkonto"]["DebitorkontoSpecifikation"]["DebitorkontoType"] = "PERSON"
    assert "OIR-DEBITORKONTOTYPE" in codes(api.opret(message).json()["Forretningskvittering"]["Fejl"])


def test_redelivery_with_same_id_gets_same_answer_and_is_booked_once(api):
    message = opret(fordring("F1"))
    first = api.opret(message).json()
    second = api.opret(message).json()
    assert second["Forretningskvittering"] == first["Forretningskvittering"]
    assert second["Kvittering"]["Genfremsendt"] is True
    assert len(api.state()["debitor"]["claims"]) == 1


def test_reused_id_with_other_content_is_refused(api, deep):
    message = opret(fordring("F1"))
    api.opret(message)
    changed = deep(message)
    changed["OpretDebitorkonto"]["Fordring"][0]["HovedstolBeløb"] = 100.0
    response = api.opret(changed)
    assert response.status_code == 409
    assert codes(response.json()["errors"]) == {"OIR-TRANSAKTIONSID-GENBRUGT"}
    assert len(api.state()["debitor"]["claims"]) == 1


def test_account_of_another_debtor_cannot_be_extended(api):
    api.opret(opret(fordring("F1"), account="K1"))
    answer = api.opret(opret(fordring("F2"), account="K1", cpr="0202020202")).json()["Forretningskvittering"]
    assert "OIR-DEBITORKONTO-SKYLDNER" in codes(answer["Fejl"])


def test_hand_over_before_srb_is_rejected_by_psrm_and_comes_back(api):
    api.opret(opret(fordring("F1")))
    api.clock(advance_to="2026-10-05")
    assert api.ret_tilstand(overdrag("F1")).json()["Forretningskvittering"]["Status"] == "GODKENDT"
    claim = api.hent("K1").json()["Debitorkonto"]["Fordring"][0]
    assert claim["FordringTilstand"] == "OPKRAEVNING"
    assert claim["PSRM"]["MFAktionStatusKode"] == "AFVIST"
    assert codes(claim["PSRM"]["AfvistÅrsagSamling"]) == {"PSRM-SRB"}


def test_hand_over_after_srb_ends_under_inddrivelse_with_a_fordrings_id(api):
    api.opret(opret(fordring("F1")))
    api.clock(advance_to="2026-10-16")
    answer = api.ret_tilstand(overdrag("F1")).json()["Forretningskvittering"]
    assert answer["Status"] == "GODKENDT" and answer["FordringTilstand"] == "OVERDRAGET"
    claim = api.hent("K1").json()["Debitorkonto"]["Fordring"][0]
    assert claim["FordringTilstand"] == "UNDER_INDDRIVELSE"
    assert claim["PSRM"]["MFAktionStatusKode"] == "UDFOERT"
    assert claim["PSRM"]["DMIFordringEFIFordringID"]
    again = api.ret_tilstand(overdrag("F1")).json()["Forretningskvittering"]
    assert codes(again["Fejl"]) == {"OIR-FORDRING-TILSTAND"}


def test_unknown_fordring_and_account_are_named(api):
    assert codes(api.ret_tilstand(overdrag("NOPE")).json()["Forretningskvittering"]["Fejl"]) == {
        "OIR-FORDRING-UKENDT"
    }
    response = api.hent("NOPE")
    assert response.status_code == 404
    assert codes(response.json()["errors"]) == {"OIR-DEBITORKONTO-UKENDT"}


def test_tenants_do_not_see_each_other(api, kommune):
    from tests.conftest import Api

    api.opret(opret(fordring("F1"), account="SHARED"))
    other = Api(kommune.base_url, "851", api.system + "-other")
    assert other.hent("SHARED").status_code == 404
    assert other.state()["debitor"]["claims"] == []
