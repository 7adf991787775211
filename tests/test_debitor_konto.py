"""The account model over real HTTP: roles, hæftelser, delfordringer; op-/nedskrivning; Afslut*;
RetFordringTilstand; B_02 queries of own (in full) and others' (minimal) accounts."""

from __future__ import annotations

import uuid

from tests.conftest import Api
from tests.debitor_messages import afstemning, answer, b01, b02, claim, debitor, mailbox, unique_cpr
from tests.messages import OIR_B01, fordring, header, opret, overdrag

MEDHAEFTER = "0202902345"
ADMIN = "0303903456"


def _account_with_roles(cpr: str) -> dict:
    message = opret(
        fordring("F1", Hæftelse=[{"PersonCPRNummer": cpr}, {"PersonCPRNummer": MEDHAEFTER}]),
        fordring("F2", HovedstolBeløb=500.0),
        cpr=cpr,
    )
    spec = message["OpretDebitorkonto"]["DebitorkontoSpecifikation"]
    spec["JuridiskAnsvarlig"]["GældendeAdresse"] = {"AdresseTekst": "Testvej 1", "PostNummer": "8000"}
    spec["JuridiskMedhæfter"] = [{"PersonCPRNummer": MEDHAEFTER, "Navn": "Medhæfter Testesen"}]
    spec["Administrator"] = [
        {"PersonCPRNummer": ADMIN, "Navn": "Værge", "GældendeAdresse": {"AdresseTekst": "Værgevej 2"}}
    ]
    return message


def afslut(api: Api, operation: str, body: dict):
    return api.post(f"{OIR_B01}/{operation}", {"Hovedoplysninger": header(), "Afslut": body})


def _other_system(api: Api, kommune: str | None = None) -> Api:
    other = Api(api.base_url, kommune or api.kommune, f"andet-{uuid.uuid4().hex[:8]}")
    other.clock(set="2026-09-20")
    return other


def test_account_with_roles_haeftelser_and_delfordringer(api):
    cpr = unique_cpr()
    assert answer(api.opret(_account_with_roles(cpr)))["Status"] == "GODKENDT"
    account = debitor(api)["accounts"][0]
    assert sorted((r["Rolle"], r["PartID"]) for r in account["Rolle"]) == [
        ("ADMINISTRATOR", ADMIN),
        ("JURIDISK_ANSVARLIG", cpr),
        ("JURIDISK_MEDHAEFTER", MEDHAEFTER),
    ]
    f1, f2 = account["Fordring"]
    assert sorted(h["PartID"] for h in f1["Hæftelse"]) == sorted([cpr, MEDHAEFTER])
    assert [h["PartID"] for h in f2["Hæftelse"]] == [cpr]
    assert [(p["DelfordringReference"], p["SaldoBeløb"]) for p in f2["Delfordring"]] == [("1", 500.0)]
    letters = [(x["Modtager"], x["Indhold"].get("Kopi", False)) for x in debitor(api)["letters"]]
    assert letters == [(cpr, False), (ADMIN, True)] * 2  # one opkrævning per fordring, a copy to the værge


def test_account_rules_refuse_with_codes(api):
    cpr = unique_cpr()
    wrong_sum = fordring("F1", Delfordring=[{"DelfordringReference": "R1", "Beløb": 100.0}])
    stranger = fordring("F2", Hæftelse=[{"PersonCPRNummer": MEDHAEFTER}])
    result = answer(api.opret(opret(wrong_sum, stranger)))
    assert result["Status"] == "AFVIST"
    found = {(e["code"], e["path"]) for e in result["Fejl"]}
    assert ("DEB-DELFORDRING-SUM", "$.OpretDebitorkonto.Fordring[0].Delfordring") in found
    assert ("DEB-HAEFTELSE-UKENDT", "$.OpretDebitorkonto.Fordring[1].Hæftelse[0]") in found
    assert debitor(api)["accounts"] == []
    assert answer(api.opret(opret(fordring("F1"), cpr=cpr)))["Status"] == "GODKENDT"
    dublet = answer(api.opret(opret(fordring("F1"), cpr=cpr)))
    assert [e["code"] for e in dublet["Fejl"]] == ["DEB-FORDRING-DUBLET"]


def test_op_and_nedskrivning(api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1"), cpr=cpr))
    up = answer(
        b01(api, "OpskrivFordring", {"FordringReference": "F1", "Beløb": 800.0, "Årsag": "Efterregulering"})
    )
    assert (up["Status"], up["HovedstolBeløb"], up["SaldoBeløb"]) == ("GODKENDT", 4000.0, 4000.0)
    down = answer(
        b01(api, "NedskrivFordring", {"FordringReference": "F1", "Beløb": 1000.0, "Årsag": "Fejl i takst"})
    )
    assert (down["Status"], down["HovedstolBeløb"], down["SaldoBeløb"]) == ("GODKENDT", 3000.0, 3000.0)
    parts = claim(api, "F1")["Delfordring"]
    # the write-down corrects the newest delfordring first; the amounts stay, the saldo goes down
    assert [(p["Beløb"], p["SaldoBeløb"]) for p in parts] == [(3200.0, 3000.0), (800.0, 0.0)]
    too_much = answer(
        b01(api, "NedskrivFordring", {"FordringReference": "F1", "Beløb": 3000.01, "Årsag": "x"})
    )
    assert [e["code"] for e in too_much["Fejl"]] == ["DEB-NEDSKRIVNING-SALDO"]
    box = [(m["Type"], m["Beløb"]) for m in mailbox(api)["Besked"]]
    assert box == [("OPSKRIVNING", 800.0), ("NEDSKRIVNING", 1000.0)]
    assert claim(api, "F1")["SaldoBeløb"] == 3000.0
    books = afstemning(api)
    assert books["Balancerer"] and books["AltIndrapporteret"]
    assert (books["Bogført"], books["Åben"]) == ({"NEDSKRIVNING": 1000.0}, 3000.0)


def test_a_fagsystem_may_change_only_its_own_fordringer(api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1"), cpr=cpr))
    fordring_id = claim(api, "F1")["FordringID"]
    other = _other_system(api)
    refused = answer(b01(other, "NedskrivFordring", {"FordringID": fordring_id, "Beløb": 10.0, "Årsag": "x"}))
    assert [e["code"] for e in refused["Fejl"]] == ["OIR-FORDRING-UKENDT"]  # as if unknown: no oracle
    unknown = answer(b01(other, "NedskrivFordring", {"FordringReference": "F1", "Beløb": 10.0, "Årsag": "x"}))
    assert [e["code"] for e in unknown["Fejl"]] == ["OIR-FORDRING-UKENDT"]
    assert claim(api, "F1")["SaldoBeløb"] == 3200.0


def test_no_regulering_once_handed_to_psrm(api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1"), cpr=cpr))
    api.clock(set="2026-10-20")
    assert answer(api.ret_tilstand(overdrag("F1")))["Status"] == "GODKENDT"
    refused = answer(b01(api, "OpskrivFordring", {"FordringReference": "F1", "Beløb": 10.0, "Årsag": "x"}))
    assert [e["code"] for e in refused["Fejl"]] == ["DEB-REGULERING-TILSTAND"]


def test_afslut_operations(api):
    cpr = unique_cpr()
    api.opret(_account_with_roles(cpr))
    base = {"DebitorkontoReference": "K1", "SlutDato": "2026-09-30"}
    ended = answer(afslut(api, "AfslutAdministrator", base | {"PersonCPRNummer": ADMIN}))
    assert ended["Status"] == "GODKENDT", ended
    again = answer(afslut(api, "AfslutAdministrator", base | {"PersonCPRNummer": ADMIN}))
    assert [e["code"] for e in again["Fejl"]] == ["DEB-AFSLUT-UKENDT"]
    address = answer(afslut(api, "AfslutGaeldendeAdresseJuridiskAnsvarlig", base | {"PersonCPRNummer": cpr}))
    assert address["Status"] == "GODKENDT"
    early = answer(
        afslut(
            api,
            "AfslutHaeftelse",
            base | {"PersonCPRNummer": MEDHAEFTER, "FordringReference": "F1", "SlutDato": "2026-01-01"},
        )
    )
    assert [e["code"] for e in early["Fejl"]] == ["DEB-AFSLUT-DATO"]
    haeftelse = answer(
        afslut(api, "AfslutHaeftelse", base | {"PersonCPRNummer": MEDHAEFTER, "FordringReference": "F1"})
    )
    assert haeftelse["Status"] == "GODKENDT"
    last = answer(afslut(api, "AfslutHaeftelse", base | {"PersonCPRNummer": cpr, "FordringReference": "F1"}))
    assert [e["code"] for e in last["Fejl"]] == ["DEB-HAEFTELSE-SIDSTE"]
    account = debitor(api)["accounts"][0]
    roles = {(r["Rolle"], r["PartID"]): r for r in account["Rolle"]}
    assert roles[("ADMINISTRATOR", ADMIN)]["GyldigTilDato"] == "2026-09-30"
    assert "GældendeAdresse" not in roles[("JURIDISK_ANSVARLIG", cpr)]
    f1 = account["Fordring"][0]
    assert {h["PartID"]: h.get("GyldigTilDato") for h in f1["Hæftelse"]} == {
        cpr: None,
        MEDHAEFTER: "2026-09-30",
    }


def test_ret_fordring_tilstand_bero_genoptag_annuller(api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1"), cpr=cpr))

    def ret(state: str) -> dict:
        return answer(
            api.ret_tilstand(
                {
                    "Hovedoplysninger": header(),
                    "RetFordringTilstand": {"FordringReference": "F1", "FordringTilstand": state},
                }
            )
        )

    assert ret("BERO")["FordringTilstand"] == "BERO"
    api.clock(set="2026-10-20")  # past SRB, but in bero: no rykker
    assert claim(api, "F1")["AntalRykkere"] == 0
    assert ret("BERO")["Fejl"][0]["code"] == "OIR-FORDRING-TILSTAND"
    assert ret("GENOPTAG")["FordringTilstand"] == "OPKRAEVNING"
    api.clock(advance="1m")
    assert claim(api, "F1")["AntalRykkere"] == 1
    assert ret("ANNULLER")["FordringTilstand"] == "ANNULLERET"
    cancelled = claim(api, "F1")
    assert (cancelled["FordringTilstand"], cancelled["RestanceBeløb"]) == ("ANNULLERET", 0.0)
    afskrivning = [m for m in mailbox(api)["Besked"] if m["Type"] == "AFSKRIVNING"]
    assert [m["Beløb"] for m in afskrivning] == [3300.0]  # hovedstol + the rykkergebyr
    books = afstemning(api)
    assert books["Bogført"] == {"ANNULLERING": 3300.0} and books["Åben"] == 0.0
    assert books["Balancerer"] and books["AltIndrapporteret"]


def test_b02_own_accounts_in_full_others_minimal_and_only_in_the_kommune(api):
    cpr = unique_cpr()
    api.opret(_account_with_roles(cpr))
    other = _other_system(api)
    answer(other.opret(opret(fordring("OTHER-1", HovedstolBeløb=700.0), account="X9", cpr=cpr)))
    own_view = b02(api, "SoegDebitorkonto", {"SkyldnerID": cpr}).json()["Debitorkonto"]
    assert [(a["Egen"], len(a["Fordring"])) for a in own_view] == [(True, 2), (False, 1)]
    mine, theirs = own_view
    assert mine["DebitorkontoReference"] == "K1" and mine["Fordring"][0]["FordringReference"] == "F1"
    assert "Rolle" in mine and "Beskrivelse" not in str(theirs)
    assert set(theirs) == {"DebitorkontoID", "DebitorkontoType", "Egen", "Fordring"}
    assert set(theirs["Fordring"][0]) == {
        "FordringID",
        "FordringstypeKode",
        "FordringTilstand",
        "SaldoBeløb",
        "RestanceBeløb",
        "Delfordring",
    }
    assert theirs["Fordring"][0]["SaldoBeløb"] == 700.0
    # the medhæfter is found too, and the other system sees our account minimally
    seen_by_other = b02(other, "SoegDebitorkonto", {"SkyldnerID": MEDHAEFTER}).json()["Debitorkonto"]
    assert (False, mine["DebitorkontoID"]) in [(a["Egen"], a["DebitorkontoID"]) for a in seen_by_other]
    assert not [a for a in seen_by_other if a["Egen"]]  # MEDHAEFTER is shared by tests: others may appear
    elsewhere = _other_system(api, kommune="101")
    assert b02(elsewhere, "SoegDebitorkonto", {"SkyldnerID": cpr}).json()["Debitorkonto"] == []
    # HentDebitorkonto stays for one's own account, in full
    hent = api.hent("K1").json()["Debitorkonto"]
    assert hent["Fordring"][0]["Delfordring"] and hent["Rolle"]
    assert other.hent("K1").status_code == 404


def test_a_medhaefter_with_a_malformed_cpr_is_refused_at_registration(api):
    message = opret(fordring("F1"), cpr=unique_cpr())
    spec = message["OpretDebitorkonto"]["DebitorkontoSpecifikation"]
    spec["JuridiskMedhæfter"] = [{"PersonCPRNummer": "2222222226", "Navn": "Ugyldig"}]
    result = answer(api.opret(message))
    assert result["Status"] == "AFVIST"
    assert (
        "ID-CPR-DATO",
        "$.OpretDebitorkonto.DebitorkontoSpecifikation.JuridiskMedhæfter[0].PersonCPRNummer",
    ) in {(e["code"], e["path"]) for e in result["Fejl"]}


def test_materialeabonnement_decides_who_gets_copies_and_the_remaining_afslut_operations(api):
    cpr, partner = unique_cpr(), unique_cpr()
    message = _account_with_roles(cpr)
    spec = message["OpretDebitorkonto"]["DebitorkontoSpecifikation"]
    spec["Ligestillingspartner"] = [
        {"PersonCPRNummer": partner, "Navn": "Partner", "Materialeabonnement": True}
    ]
    message["OpretDebitorkonto"]["Fordring"] = message["OpretDebitorkonto"]["Fordring"][:1]
    assert answer(api.opret(message))["Status"] == "GODKENDT"
    opkraevning = [x["Modtager"] for x in debitor(api)["letters"]]
    assert sorted(opkraevning) == sorted([cpr, ADMIN, partner])  # the medhæfter has no abonnement
    base = {"DebitorkontoReference": "K1", "SlutDato": "2026-09-30"}
    ended = answer(afslut(api, "AfslutMaterialeabonnementAdministrator", base | {"PersonCPRNummer": ADMIN}))
    assert ended["Status"] == "GODKENDT"
    assert answer(afslut(api, "AfslutLigestillingspartner", base | {"PersonCPRNummer": partner}))[
        "Status"
    ] == ("GODKENDT")
    ja = answer(afslut(api, "AfslutMaterialeabonnementJuridiskAnsvarlig", base | {"PersonCPRNummer": cpr}))
    assert ja["Status"] == "GODKENDT"
    again = answer(afslut(api, "AfslutMaterialeabonnementJuridiskAnsvarlig", base | {"PersonCPRNummer": cpr}))
    assert [e["code"] for e in again["Fejl"]] == ["DEB-AFSLUT-UKENDT"]
    medhaefter = answer(
        afslut(api, "AfslutMaterialeabonnementJuridiskMedhaefter", base | {"PersonCPRNummer": MEDHAEFTER})
    )
    assert [e["code"] for e in medhaefter["Fejl"]] == ["DEB-AFSLUT-UKENDT"]  # it never had one
    api.clock(set="2026-10-16T12:00:00+02:00")  # the rykker: the debtor is always told, no copies now
    rykker = [x["Modtager"] for x in debitor(api)["letters"] if x["Type"] == "RYKKER"]
    assert rykker == [cpr]
