"""B_03 DebitorIndbetaling over real HTTP: a kasse system pays on another system's delfordringer, in the
documented dækningsrækkefølge; a payment registered twice is booked once; set-off via modregn."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import requests

from tests.conftest import Api
from tests.debitor_messages import afstemning, answer, b03, claim, debitor, mailbox, modregn, unique_cpr
from tests.messages import fordring, header, opret, overdrag
from tests.test_crash_safety import serve

RATER = [
    {
        "DelfordringReference": "R1",
        "Beløb": 1000.0,
        "ForfaldDato": "2026-10-01",
        "SidsteRettidigeBetalingDato": "2026-10-15",
    },
    {
        "DelfordringReference": "R2",
        "Beløb": 1200.0,
        "ForfaldDato": "2026-11-01",
        "SidsteRettidigeBetalingDato": "2026-11-15",
    },
    {
        "DelfordringReference": "R3",
        "Beløb": 1000.0,
        "ForfaldDato": "2026-12-01",
        "SidsteRettidigeBetalingDato": "2026-12-15",
    },
]


def _kasse(api: Api) -> Api:
    """Another anvendersystem (a cash desk) in the same kommune, on the same server."""
    other = Api(api.base_url, api.kommune, f"kasse-{uuid.uuid4().hex[:8]}")
    other.clock(set="2026-09-20")
    return other


def test_kasse_pays_on_another_systems_delfordringer_oldest_first(api):
    cpr = unique_cpr()
    assert answer(api.opret(opret(fordring("F1", Delfordring=RATER), cpr=cpr)))["Status"] == "GODKENDT"
    kasse = _kasse(api)
    found = kasse.post(
        "/service/OIR/DebitorIndbetalingAfsend/1/SoegDelfordringTilIndbetaling", {"SkyldnerID": cpr}
    ).json()
    assert [(d["Egen"], d["SaldoBeløb"], d["ForfaldDato"]) for d in found["Delfordring"]] == [
        (False, 1000.0, "2026-10-01"),
        (False, 1200.0, "2026-11-01"),
        (False, 1000.0, "2026-12-01"),
    ]
    assert (
        "FordringReference" not in found["Delfordring"][0]
        and "DelfordringReference" not in found["Delfordring"][0]
    )
    assert found["SamletBeløb"] == 3200.0

    body = {
        "IndbetalingID": "KASSE-1",
        "SkyldnerID": cpr,
        "Beløb": 1500.0,
        "BetalingDato": "2026-09-20",
    }
    paid = answer(b03(kasse, "ForetagIndbetaling", body))
    assert (paid["Status"], paid["DækketBeløb"], paid["OverskydendeBeløb"]) == ("GODKENDT", 1500.0, 0.0)
    parts = claim(api, "F1")["Delfordring"]
    assert [(p["DelfordringReference"], p["SaldoBeløb"]) for p in parts] == [
        ("R1", 0.0),
        ("R2", 700.0),
        ("R3", 1000.0),
    ]
    assert claim(api, "F1")["SaldoBeløb"] == 1700.0
    box = mailbox(api)["Besked"]  # the owning fagsystem hears of it (DEB-A: at once)
    assert [(m["Type"], m["FordringReference"], m["Beløb"], m["Detaljer"]["Kilde"]) for m in box] == [
        ("DAEKNING", "F1", 1500.0, "INDBETALING")
    ]
    books = afstemning(api)  # the owner's books: the kasse's money is covered and reported back
    assert books["Bogført"] == {"INDBETALING": 1500.0} and books["Indrapporteret"]["DAEKNING"] == 1500.0
    assert books["Balancerer"] and books["AltIndrapporteret"]


def test_a_payment_registered_twice_is_booked_once(api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1", Delfordring=RATER), cpr=cpr))
    kasse = _kasse(api)
    body = {"IndbetalingID": "KASSE-7", "SkyldnerID": cpr, "Beløb": 400.0, "BetalingDato": "2026-09-20"}
    first_header = header()
    first = answer(b03(kasse, "ForetagIndbetaling", body, first_header))
    again_same_id = b03(kasse, "ForetagIndbetaling", body, first_header)  # same TransaktionsID: hub replay
    assert again_same_id.json()["Kvittering"]["Genfremsendt"] is True
    new_transaction = answer(b03(kasse, "ForetagIndbetaling", body))  # same IndbetalingID, new TransaktionsID
    assert new_transaction["Genbrugt"] is True
    assert new_transaction["Dækning"] == first["Dækning"]
    assert claim(api, "F1")["SaldoBeløb"] == 2800.0
    assert len([m for m in mailbox(api)["Besked"] if m["Type"] == "DAEKNING"]) == 1
    changed = answer(b03(kasse, "ForetagIndbetaling", body | {"Beløb": 500.0}))
    assert changed["Status"] == "AFVIST" and changed["Fejl"][0]["code"] == "DEB-INDBETALING-GENBRUGT"
    assert claim(api, "F1")["SaldoBeløb"] == 2800.0


def test_payment_on_a_named_delfordring_and_surplus_warning(api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1", Delfordring=RATER), cpr=cpr))
    r3 = next(p for p in claim(api, "F1")["Delfordring"] if p["DelfordringReference"] == "R3")
    body = {
        "IndbetalingID": "P1",
        "SkyldnerID": cpr,
        "Beløb": 1100.0,
        "BetalingDato": "2026-09-20",
        "DelfordringID": [r3["DelfordringID"]],
    }
    paid = answer(b03(api, "ForetagIndbetaling", body))  # the owner may pay too
    assert (paid["DækketBeløb"], paid["OverskydendeBeløb"]) == (1000.0, 100.0)
    assert [w["code"] for w in paid["Advarsler"]] == ["DEB-INDBETALING-OVERSKUD"]
    parts = {p["DelfordringReference"]: p["SaldoBeløb"] for p in claim(api, "F1")["Delfordring"]}
    assert parts == {"R1": 1000.0, "R2": 1200.0, "R3": 0.0}


def test_payment_on_a_claim_of_another_kommune_is_refused(api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1"), cpr=cpr))
    fordring_id = claim(api, "F1")["FordringID"]
    stranger = Api(api.base_url, "101", f"kasse-{uuid.uuid4().hex[:8]}")
    stranger.clock(set="2026-09-20")
    body = {"IndbetalingID": "X1", "SkyldnerID": cpr, "Beløb": 10.0, "BetalingDato": "2026-09-20"}
    refused = answer(b03(stranger, "ForetagIndbetaling", body | {"FordringID": fordring_id}))
    assert refused["Status"] == "AFVIST" and refused["Fejl"][0]["code"] == "DEB-INDBETALING-UKENDT"
    found = stranger.post(
        "/service/OIR/DebitorIndbetalingAfsend/1/SoegDelfordringTilIndbetaling", {"SkyldnerID": cpr}
    ).json()
    assert found["Delfordring"] == []
    assert claim(api, "F1")["SaldoBeløb"] == 3200.0


def test_modregning_covers_only_overdue_delfordringer_and_is_idempotent(api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1", Delfordring=RATER), cpr=cpr))
    api.clock(set="2026-11-20T10:00:00+01:00")  # R1 and R2 are past SRB, R3 is not; DEB-A sent rykker fees
    before = claim(api, "F1")
    overdue = sum(
        p["SaldoBeløb"] for p in before["Delfordring"] if p["SidsteRettidigeBetalingDato"] < "2026-11-20"
    )
    result = modregn(api, cpr, 5000.0, reference="UDB-1")
    assert result["modregnet_oere"] == round(overdue * 100)
    assert result["udbetales_oere"] == 500000 - result["modregnet_oere"]
    assert [d["FordringReference"] for d in result["daekninger"]] == ["F1"]
    after = claim(api, "F1")
    assert {
        p["DelfordringReference"]: p["SaldoBeløb"] for p in after["Delfordring"] if p["Type"] == "HOVEDSTOL"
    } == {
        "R1": 0.0,
        "R2": 0.0,
        "R3": 1000.0,
    }
    assert modregn(api, cpr, 5000.0, reference="UDB-1") == result  # same payout: same answer, booked once
    assert claim(api, "F1")["SaldoBeløb"] == after["SaldoBeløb"] == 1000.0
    sources = [d["Kilde"] for d in after["Dækning"]]
    assert sources.count("MODREGNING") == len(result["daekninger"][0]["Delfordring"])
    box = [m for m in mailbox(api)["Besked"] if m["Type"] == "DAEKNING"]
    assert [(m["Beløb"], m["Detaljer"]["Kilde"]) for m in box] == [(overdue, "MODREGNING")]
    assert [p["Type"] for p in debitor(api)["payments"]] == ["MODREGNING"]
    hent = api.hent("K1").json()["Debitorkonto"]["Fordring"][0]  # B_02 shows the set-off too
    assert sum(d["Beløb"] for d in hent["Dækning"] if d["Kilde"] == "MODREGNING") == overdue
    books = afstemning(api)
    assert books["Balancerer"] and books["AltIndrapporteret"]
    assert books["Bogført"] == {"MODREGNING": overdue} and books["Indrapporteret"]["DAEKNING"] == overdue


def test_modregning_with_nothing_overdue_pays_out_everything(api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1"), cpr=cpr))
    result = modregn(api, cpr, 800.0)
    assert result == {
        "tenant": f"{api.kommune}/{api.system}",
        "modregnet_oere": 0,
        "udbetales_oere": 80000,
        "daekninger": [],
    }


def test_no_payment_in_the_debitor_system_on_a_claim_handed_to_psrm(api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1"), cpr=cpr))
    api.clock(set="2026-10-20T12:00:00+02:00")
    api.ret_tilstand(overdrag("F1"))
    api.clock(advance="1m")
    assert claim(api, "F1")["FordringTilstand"] == "UNDER_INDDRIVELSE"
    body = {"IndbetalingID": "K-9", "SkyldnerID": cpr, "Beløb": 50.0, "BetalingDato": "2026-10-20"}
    refused = answer(
        b03(_kasse(api), "ForetagIndbetaling", body | {"FordringID": claim(api, "F1")["FordringID"]})
    )
    assert [e["code"] for e in refused["Fejl"]] == ["DEB-INDBETALING-TILSTAND"]
    unnamed = answer(b03(_kasse(api), "ForetagIndbetaling", body))  # nothing under opkrævning to cover
    assert (unnamed["DækketBeløb"], unnamed["OverskydendeBeløb"]) == (0.0, 50.0)
    assert modregn(api, cpr, 100.0)["modregnet_oere"] == 0  # PSRM sets off its own claims, not we
    assert claim(api, "F1")["SaldoBeløb"] == 3200.0


def test_paying_everything_settles_the_claim_and_closes_the_account(api):
    cpr = unique_cpr()
    api.opret(opret(fordring("F1", HovedstolBeløb=300.0), fordring("F2", HovedstolBeløb=200.0), cpr=cpr))
    body = {"IndbetalingID": "ALT", "SkyldnerID": cpr, "Beløb": 300.0, "BetalingDato": "2026-09-20"}
    answer(b03(api, "ForetagIndbetaling", body | {"FordringID": claim(api, "F1")["FordringID"]}))
    events = [
        (m["FordringReference"], m["Detaljer"]["Hændelse"])
        for m in mailbox(api)["Besked"]
        if m["Type"] == "STATUS"
    ]
    assert events == [("F1", "INDFRIET")]
    answer(b03(api, "ForetagIndbetaling", body | {"IndbetalingID": "REST", "Beløb": 200.0}))
    events = [
        (m["FordringReference"], m["Detaljer"]["Hændelse"])
        for m in mailbox(api)["Besked"]
        if m["Type"] == "STATUS"
    ]
    assert events == [("F1", "INDFRIET"), ("F2", "INDFRIET"), ("F2", "DEBITORKONTO_LUKKET")]
    api.clock(set="2026-12-01T12:00:00+01:00")  # long past SRB: a settled claim gets no rykker
    assert claim(api, "F1")["AntalRykkere"] == claim(api, "F2")["AntalRykkere"] == 0


def test_the_same_payment_sent_at_once_to_two_servers_on_one_database_is_booked_once(tmp_path):
    """Ten deliveries of one IndbetalingID, each with its own TransaktionsID, raced over two server
    processes sharing one database: one booking, and every answer is that booking's."""
    db = tmp_path / "shared.db"
    servers = [serve(tmp_path, db), serve(tmp_path, db)]
    try:
        cpr = unique_cpr()
        headers = {"X-TK-Kommune": "851", "X-TK-Anvendersystem": "kasse-race"}
        first = requests.post(
            servers[0].base_url + "/service/OIR/DebitorRegistreringAfsend/1/OpretDebitorkonto",
            json=opret(fordring("F1"), cpr=cpr),
            headers=headers,
            timeout=30,
        )
        assert first.json()["Forretningskvittering"]["Status"] == "GODKENDT"
        body = {"IndbetalingID": "RACE-1", "SkyldnerID": cpr, "Beløb": 700.0, "BetalingDato": "2026-09-20"}
        barrier = threading.Barrier(10)
        answers: list[Any] = [None] * 10

        def send(i: int) -> None:
            message = {"Hovedoplysninger": header(), "ForetagIndbetaling": body}
            url = servers[i % 2].base_url + "/service/OIR/DebitorIndbetalingAfsend/1/ForetagIndbetaling"
            barrier.wait(timeout=10)
            answers[i] = requests.post(url, json=message, headers=headers, timeout=60)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers]
        results = [a.json()["Forretningskvittering"] for a in answers]
        assert sum(1 for r in results if not r.get("Genbrugt")) == 1
        assert {r["DækketBeløb"] for r in results} == {700.0}
        state = requests.get(f"{servers[1].base_url}/admin/tenants/851/kasse-race/debitor", timeout=30).json()
        coverages = state["accounts"][0]["Fordring"][0]["Dækning"]
        assert [(d["Kilde"], d["Beløb"]) for d in coverages] == [("INDBETALING", 700.0)]
        assert state["accounts"][0]["Fordring"][0]["SaldoBeløb"] == 2500.0
    finally:
        for server in servers:
            server.stop()
