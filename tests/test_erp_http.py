"""The ERP (bogføringssystem) behind SF1590_A over real HTTP on 127.0.0.1: booking, the rules, lost answers,
masseleverance on the simulated clock, the omsætningstabel and the nulsumtest report."""

from __future__ import annotations

import copy
import json
import socket
import string
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import uvicorn
from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.schemas import contract_set
from testkommune.simulators.app import create_app
from testkommune.simulators.erp.admin import admin_routes
from testkommune.simulators.erp.kontoplan import Kontostreng, kontoplan
from testkommune.simulators.erp.omsaetning import parse_tabel, standard_document
from testkommune.simulators.erp.rules import finansbilag_rules

from tests.conftest import Api
from tests.erp_messages import (
    HENT,
    INTEGRERET_UUID,
    KONTO_FORAELDREBETALING,
    KONTO_FRIPLADS,
    KONTO_MELLEMREGNING,
    KORT,
    LANG,
    MASSE,
    STRAKS,
    finansbilag,
    masse,
    modtag,
    nulsum,
    opkraevning,
    postering,
)

ERP_ADMIN = "/admin/tenants/{kommune}/{system}/erp/"


# --- a test kommune with the ERP's admin routes ---------------------------------------------------------


def _serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", http="httptools")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="erp-kommune")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test kommune did not start"
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(scope="module")
def erp_url() -> Iterator[str]:
    """One test kommune for this module; the ERP admin routes are mounted unless the app already has them."""
    app = create_app(":memory:")
    if not any(getattr(r, "path", "").startswith(ERP_ADMIN) for r in app.router.routes):
        app.router.routes.extend(admin_routes())
    server, thread, url = _serve(app)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


class ErpApi(Api):
    """One tenant: the fagsystem's SF1590_A calls and the ERP's admin API."""

    def straks(self, message: dict[str, Any]) -> requests.Response:
        return self.post(STRAKS, message)

    def kvittering(self, message: dict[str, Any]) -> dict[str, Any]:
        response = self.straks(message)
        assert response.status_code == 200, response.text
        return response.json()["Forretningskvittering"]

    def hent(self, transaktions_id: str) -> requests.Response:
        return self.post(HENT, {"TransaktionsID": transaktions_id})

    def erp(self, method: str, path: str, body: Any = None, **params: str) -> requests.Response:
        return self.session.request(
            method, f"{self.admin_path}/erp/{path}", json=body, params=params or None, timeout=30
        )

    def erp_ok(self, method: str, path: str, body: Any = None, **params: str) -> dict[str, Any]:
        response = self.erp(method, path, body, **params)
        assert response.status_code == 200, response.text
        return response.json()

    def fault(self, **body: Any) -> None:
        response = self.session.post(f"{self.admin_path}/faults", json=body, timeout=30)
        assert response.status_code == 200, response.text


@pytest.fixture
def erp(erp_url: str) -> ErpApi:
    """A fresh tenant in kommune 851 whose clock stands at 2026-09-20 09:00 (Danish time)."""
    api = ErpApi(erp_url, "851", f"erp-{uuid.uuid4().hex[:12]}")
    api.clock(set="2026-09-20")
    return api


def _only(errors: list[dict[str, Any]], code: str) -> dict[str, Any]:
    matching = [e for e in errors if e["code"] == code]
    assert len(matching) == 1, errors
    return matching[0]


def _texts_name(error: dict[str, Any], *values: str) -> None:
    """Both texts are filled (no placeholder left) and name every value; fix and provenance are there."""
    for text in (error["text_da"], error["text_en"]):
        assert "{" not in text, text
        for value in values:
            assert value in text, (value, text)
    assert error["fix_da"] and error["fix_en"]
    assert error["source"]["tag"] in {"C", "I", "G"} and error["source"]["ref"].startswith("oeir.md")


# --- booking ----------------------------------------------------------------------------------------------


def test_accepted_straks_delivery_books_on_the_expected_kontostrenge(erp):
    message = modtag(finansbilag(bilag_id="B-1"))
    response = erp.straks(message)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["Kvittering"]["Status"] == "MODTAGET"
    assert body["Kvittering"]["TransaktionsID"] == message["Hovedoplysninger"]["TransaktionsID"]
    answer = body["Forretningskvittering"]
    assert (answer["Status"], answer["BilagID"], answer["Fejl"]) == ("GODKENDT", "B-1", [])
    assert [(p["Linje"], p["Status"], p["Kontostreng"]["Tekst"]) for p in answer["Finanspostering"]] == [
        (1, "BOGFOERT", KONTO_MELLEMREGNING),
        (2, "BOGFOERT", KONTO_FORAELDREBETALING),
    ]
    income = answer["Finanspostering"][1]["Kontostreng"]
    assert (income["Funktion"], income["Dranst"], income["Art"], income["Omkostningssted"]) == (
        "5.25.14",
        "1",
        "7.2",
        "2101",
    )
    books = erp.erp_ok("GET", "posteringer", kontostreng="5.25.14")
    assert [(p["Kontostreng"], p["Debet"], p["Kredit"], p["BilagID"]) for p in books["Posteringer"]] == [
        (KONTO_FORAELDREBETALING, 0.0, 3200.0, "B-1")
    ]
    assert books["Saldi"] == [
        {"Kontostreng": KONTO_FORAELDREBETALING, "Debet": 0.0, "Kredit": 3200.0, "Saldo": -3200.0}
    ]
    everything = erp.erp_ok("GET", "posteringer")
    assert (everything["SumDebet"], everything["SumKredit"]) == (3200.0, 3200.0)


def test_the_books_come_in_pages_with_the_balances_of_all_of_them(erp):
    """The posteringer view pages (`limit`, `after` = the previous page's `Næste`); `Antal`, `Saldi` and the
    sums always cover every posting, and a limit that is no whole number is refused, not a server error."""
    for number in range(3):
        assert erp.straks(modtag(finansbilag(bilag_id=f"B-{number}"))).status_code == 200
    whole = erp.erp_ok("GET", "posteringer")
    assert whole["Næste"] is None and whole["Antal"] == len(whole["Posteringer"]) == 6
    pages, after = [], "0"
    while after != "None":
        page = erp.erp_ok("GET", "posteringer", limit="4", after=after)
        assert (page["Antal"], page["Saldi"], page["SumDebet"]) == (6, whole["Saldi"], whole["SumDebet"])
        pages.append(page["Posteringer"])
        after = str(page["Næste"])
    assert [len(p) for p in pages] == [4, 2]
    assert [p for page in pages for p in page] == whole["Posteringer"]
    for limit in ("-1", "¹", "99999999999999999999"):
        refused = erp.erp("GET", "posteringer", None, limit=limit)
        assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "ADMIN-UGYLDIG"


def test_duplicate_delivery_is_booked_once_with_the_same_answer(erp):
    message = modtag()
    first = erp.straks(message).json()
    second = erp.straks(message).json()
    assert second["Forretningskvittering"] == first["Forretningskvittering"]
    assert second["Kvittering"]["Genfremsendt"] is True
    assert len(erp.erp_ok("GET", "posteringer")["Posteringer"]) == 2
    changed = copy.deepcopy(message)
    changed["Finansbilag"]["Tekst"] = "Another bilag under the same TransaktionsID"
    reused = erp.straks(changed)
    assert reused.status_code == 409
    assert [e["code"] for e in reused.json()["errors"]] == ["OIR-TRANSAKTIONSID-GENBRUGT"]


def test_a_lost_business_answer_is_fetched_again_by_transaktionsid(erp):
    erp.fault(kind="lose_answer", operation="ModtagFinansbilag", counterpart="erp", name="tabt")
    message = modtag(finansbilag(bilag_id="B-TABT"))
    lost = erp.straks(message)
    assert lost.status_code == 504
    fetched = erp.hent(message["Hovedoplysninger"]["TransaktionsID"].upper())
    assert fetched.status_code == 200, fetched.text
    body = fetched.json()
    assert (body["Leverance"], body["Behandlet"]) == ("STRAKS", True)
    (answer,) = body["Forretningskvittering"]
    assert (answer["BilagID"], answer["Status"]) == ("B-TABT", "GODKENDT")
    resent = erp.straks(message).json()
    assert resent["Forretningskvittering"] == answer
    assert len(erp.erp_ok("GET", "posteringer")["Posteringer"]) == 2


def test_an_unknown_transaktionsid_is_not_found(erp):
    response = erp.hent(str(uuid.uuid4()))
    assert response.status_code == 404
    error = _only(response.json()["errors"], "ERP-TRANSAKTION-UKENDT")
    assert error["path"] == "$.TransaktionsID"


def test_a_rejected_bilag_is_rejected_whole_with_reasons_per_line(erp):
    lines = [*opkraevning(), postering(10.0, "DEBET", "UKENDT_ART")]
    answer = erp.kvittering(modtag(finansbilag(lines)))
    assert answer["Status"] == "AFVIST"
    assert [(p["Status"], p["Kontostreng"]) for p in answer["Finanspostering"]] == [
        ("IKKE_BOGFOERT", None),
        ("IKKE_BOGFOERT", None),
        ("AFVIST", None),
    ]
    assert {e["code"] for e in answer["Finanspostering"][2]["Fejl"]} == {"ERP-SORTIMENTSVAERDI-UKENDT"}
    assert {e["code"] for e in answer["Fejl"]} == {"ERP-SORTIMENTSVAERDI-UKENDT", "ERP-BILAG-UBALANCE"}
    assert erp.erp_ok("GET", "posteringer")["Posteringer"] == []


# --- the rules: one passing and one tripping case each ----------------------------------------------------


def test_unmapped_sortiment_value_is_rejected_naming_line_and_value_then_fixed_at_the_source(erp):
    table = erp.erp_ok("GET", "omsaetningstabel")["Omsaetningstabel"]
    table["Sortiment"]["Værdier"].append(
        {
            "Id": str(uuid.uuid4()),
            "Kode": "SFO",
            "Klassifikation": "Ydelsestype",
            "Titel": "Skolefritidsordning",
        }
    )
    erp.erp_ok("PUT", "omsaetningstabel", table)
    lines = [
        postering(900.0, "DEBET", "MELLEMREGNING_DEBITOR"),
        postering(900.0, "KREDIT", "FORAELDREBETALING", "SFO"),
    ]
    bilag = finansbilag(lines, bilag_id="B-SFO")
    answer = erp.kvittering(modtag(bilag))
    assert answer["Status"] == "AFVIST"
    error = _only(answer["Fejl"], "ERP-MANGLENDE-OMSAETNING")
    assert error["path"] == "$.Finansbilag.Finanspostering[1].Sortiment.Ydelsestype"
    assert error["value"] == "SFO"
    _texts_name(error, "SFO", "2", "Ydelsestype")
    assert answer["Finanspostering"][1]["Fejl"] == [error]
    # The kommune adds the mapping; the fagsystem resends the same bilag unchanged under a new TransaktionsID
    table["Omsætninger"].append(
        {
            "Betingelse": {"Ydelsestype": "SFO", "Art": "FORAELDREBETALING"},
            "Kontostreng": {"Funktion": "3.22.05", "Dranst": "1", "Gruppering": "001", "Art": "7.2"},
        }
    )
    erp.erp_ok("PUT", "omsaetningstabel", table)
    accepted = erp.kvittering(modtag(bilag))
    assert accepted["Status"] == "GODKENDT"
    assert accepted["Finanspostering"][1]["Kontostreng"]["Tekst"] == "3.22.05/1/001/7.2/-"


def test_unmapped_omkostningssted_is_manglende_omsaetning(erp):
    table = erp.erp_ok("GET", "omsaetningstabel")["Omsaetningstabel"]
    table["Omkostningssteder"] = [o for o in table["Omkostningssteder"] if o["Værdi"] != "SOLSIKKEN"]
    erp.erp_ok("PUT", "omsaetningstabel", table)
    answer = erp.kvittering(modtag())
    error = _only(answer["Fejl"], "ERP-MANGLENDE-OMSAETNING")
    assert error["path"] == "$.Finansbilag.Finanspostering[1].Sortiment.Omkostningssted"
    _texts_name(error, "SOLSIKKEN", "Omkostningssted")
    erp.erp_ok("DELETE", "omsaetningstabel")
    assert erp.kvittering(modtag())["Status"] == "GODKENDT"


def test_sortiment_value_must_be_in_the_sortiment_by_code_or_uuid(erp):
    by_uuid = opkraevning()
    by_uuid[1]["Sortiment"]["Ydelsestype"] = INTEGRERET_UUID.upper()
    passed = erp.kvittering(modtag(finansbilag(by_uuid)))
    assert passed["Status"] == "GODKENDT"
    assert passed["Finanspostering"][1]["Kontostreng"]["Tekst"] == KONTO_FORAELDREBETALING
    unknown = opkraevning()
    unknown[0]["Sortiment"]["Art"] = "BANKKONTO"
    answer = erp.kvittering(modtag(finansbilag(unknown)))
    error = _only(answer["Fejl"], "ERP-SORTIMENTSVAERDI-UKENDT")
    assert error["path"] == "$.Finansbilag.Finanspostering[0].Sortiment.Art"
    _texts_name(error, "BANKKONTO", "1", "Art")


def test_unbalanced_bilag_is_rejected_with_the_difference(erp):
    assert erp.kvittering(modtag(finansbilag(opkraevning(1234.56))))["Status"] == "GODKENDT"
    lines = opkraevning(3200.0)
    lines[1]["Beløb"] = 3100.0
    answer = erp.kvittering(modtag(finansbilag(lines)))
    error = _only(answer["Fejl"], "ERP-BILAG-UBALANCE")
    assert (error["path"], error["value"]) == ("$.Finansbilag.Finanspostering", "100.00")
    _texts_name(error, "100.00", "3200.00", "3100.00")


def test_bogfoeringsdato_must_be_in_an_open_period(erp):
    assert erp.kvittering(modtag(finansbilag(bogfoeringsdato="2026-08-31")))["Status"] == "GODKENDT"
    answer = erp.kvittering(modtag(finansbilag(bogfoeringsdato="2026-06-30")))
    error = _only(answer["Fejl"], "ERP-PERIODE-LUKKET")
    assert error["path"] == "$.Finansbilag.Bogføringsdato"
    _texts_name(error, "2026-06-30", "2026-06", "2026-08, 2026-09")


def test_open_periods_are_set_through_the_admin_api(erp):
    default = erp.erp_ok("GET", "perioder")
    assert (default["Standard"], default["ÅbnePerioder"]) == (True, ["2026-08", "2026-09"])
    changed = erp.erp_ok("PUT", "perioder", {"ÅbnePerioder": ["2026-06"]})
    assert (changed["Standard"], changed["ÅbnePerioder"]) == (False, ["2026-06"])
    assert erp.kvittering(modtag(finansbilag(bogfoeringsdato="2026-06-30")))["Status"] == "GODKENDT"
    closed = erp.kvittering(modtag(finansbilag()))
    assert {e["code"] for e in closed["Fejl"]} == {"ERP-PERIODE-LUKKET"}
    assert erp.erp_ok("PUT", "perioder", {"ÅbnePerioder": None})["ÅbnePerioder"] == ["2026-08", "2026-09"]
    refused = erp.erp("PUT", "perioder", {"ÅbnePerioder": ["2026-13"]})
    assert refused.status_code == 400


def test_the_bilag_must_be_for_this_kommune(erp):
    assert erp.kvittering(modtag(finansbilag(kommune="0851")))["Status"] == "GODKENDT"
    answer = erp.kvittering(modtag(finansbilag(kommune="101")))
    error = _only(answer["Fejl"], "ERP-KOMMUNE")
    assert error["path"] == "$.Finansbilag.Myndighed.Kommunenummer"
    _texts_name(error, "101", "851")


def test_the_kommune_may_be_named_by_its_configured_cvr(erp):
    refused = erp.kvittering(modtag(finansbilag(cvr="29189846")))
    error = _only(refused["Fejl"], "ERP-KOMMUNE")
    assert error["path"] == "$.Finansbilag.Myndighed.CVRNummer"
    _texts_name(error, "29189846", "851")
    erp.settings({"erp": {"kommune_cvr": "29189846"}})
    assert erp.kvittering(modtag(finansbilag(cvr="29189846")))["Status"] == "GODKENDT"


@pytest.mark.parametrize(
    ("kort", "lang", "field", "shown"),
    [
        ("0000", LANG, "DataleverandøridentifikationKort", "0000"),
        (KORT, "   ", "DataleverandørIdentifikationLang", "'   '"),
    ],
)
def test_the_dataleverandoer_must_be_given(erp, kort, lang, field, shown):
    assert erp.kvittering(modtag(finansbilag()))["Status"] == "GODKENDT"
    answer = erp.kvittering(modtag(finansbilag(kort=kort, lang=lang)))
    error = _only(answer["Fejl"], "ERP-DATALEVERANDOER-MANGLER")
    assert error["path"] == f"$.Finansbilag.{field}"
    _texts_name(error, field, shown)


def test_the_dataleverandoer_ids_must_stay_consistent(erp):
    assert erp.kvittering(modtag(finansbilag()))["Status"] == "GODKENDT"
    assert erp.kvittering(modtag(finansbilag()))["Status"] == "GODKENDT"  # the same pair again: fine
    answer = erp.kvittering(modtag(finansbilag(lang="ANDET-SYSTEM")))
    error = _only(answer["Fejl"], "ERP-DATALEVERANDOER-UOVERENSSTEMMELSE")
    assert error["path"] == "$.Finansbilag.DataleverandørIdentifikationLang"
    _texts_name(error, "ANDET-SYSTEM", f"{KORT} = {LANG}")
    other = erp.kvittering(modtag(finansbilag(kort="4712")))
    error = _only(other["Fejl"], "ERP-DATALEVERANDOER-UOVERENSSTEMMELSE")
    assert error["path"] == "$.Finansbilag.DataleverandøridentifikationKort"
    _texts_name(error, "4712", f"{KORT} = {LANG}")


def test_a_booked_bilag_id_is_not_booked_again_under_a_new_transaktionsid(erp):
    first = modtag(finansbilag(bilag_id="B-7"))
    assert erp.kvittering(first)["Status"] == "GODKENDT"
    answer = erp.kvittering(modtag(finansbilag(bilag_id="B-7")))
    error = _only(answer["Fejl"], "ERP-BILAG-DUBLET")
    assert error["path"] == "$.Finansbilag.BilagID"
    _texts_name(error, "B-7", KORT, first["Hovedoplysninger"]["TransaktionsID"])
    assert (
        erp.kvittering(modtag(finansbilag(bilag_id="B-7", kort="4712", lang="ANDEN-LEVERANDOER")))["Status"]
        == "GODKENDT"
    )  # another dataleverandør's B-7 is another bilag
    assert len(erp.erp_ok("GET", "posteringer", bilag="B-7")["Posteringer"]) == 4


def test_an_amount_with_three_decimals_is_refused(erp):
    lines = opkraevning(10.0)
    lines[0]["Beløb"] = 10.005
    response = erp.straks(modtag(finansbilag(lines)))
    if response.status_code == 400:  # once erp/ contracts carry amounts (testkommune.contracts.schemas)
        errors = response.json()["errors"]
    else:  # until then the ERP's own rule refuses it
        errors = response.json()["Forretningskvittering"]["Fejl"]
        assert response.json()["Forretningskvittering"]["Status"] == "AFVIST"
    assert _only(errors, "SCHEMA-BELOEB")["path"] == "$.Finansbilag.Finanspostering[0].Beløb"
    assert erp.erp_ok("GET", "posteringer")["Posteringer"] == []


# --- masseleverance on the simulated clock -----------------------------------------------------------------


def test_masse_is_received_now_and_answered_when_the_clock_passes_the_due_time(erp):
    erp.settings({"erp": {"masse_behandlingstid_sekunder": 3600}})
    unbalanced = opkraevning()
    unbalanced[0]["Beløb"] = 1.0
    message = masse(finansbilag(bilag_id="M-1"), finansbilag(unbalanced, bilag_id="M-2"))
    response = erp.post(MASSE, message)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["Kvittering"]["Status"] == "MODTAGET"
    assert body["Forretningskvittering"]["Status"] == "UNDER_BEHANDLING"
    assert body["Forretningskvittering"]["AntalBilag"] == 2
    assert body["Forretningskvittering"]["BehandlesTidspunkt"].startswith("2026-09-20T10:00:00")
    transaktion = message["Hovedoplysninger"]["TransaktionsID"]
    waiting = erp.hent(transaktion).json()
    assert (waiting["Leverance"], waiting["Behandlet"]) == ("MASSE", False)
    assert [a["Status"] for a in waiting["Forretningskvittering"]] == ["UNDER_BEHANDLING"] * 2
    erp.clock(advance="30m")
    assert erp.hent(transaktion).json()["Behandlet"] is False
    assert erp.erp_ok("GET", "posteringer")["Posteringer"] == []
    erp.clock(advance="31m")
    done = erp.hent(transaktion).json()
    assert done["Behandlet"] is True
    first, second = done["Forretningskvittering"]
    assert (first["BilagID"], first["Status"]) == ("M-1", "GODKENDT")
    assert first["BehandletTidspunkt"].startswith("2026-09-20T10:00:00")
    assert (second["BilagID"], second["Status"]) == ("M-2", "AFVIST")
    assert _only(second["Fejl"], "ERP-BILAG-UBALANCE")["path"] == "$.Finansbilag[1].Finanspostering"
    assert erp.post(MASSE, message).json() == body | {
        "Kvittering": body["Kvittering"] | {"Genfremsendt": True}
    }
    assert len(erp.erp_ok("GET", "posteringer")["Posteringer"]) == 2


def test_masse_with_the_default_delay_is_answered_at_the_next_call(erp):
    message = masse(finansbilag(bilag_id="M-A"), finansbilag(bilag_id="M-A"))
    assert erp.post(MASSE, message).status_code == 200
    done = erp.hent(message["Hovedoplysninger"]["TransaktionsID"]).json()
    assert [a["Status"] for a in done["Forretningskvittering"]] == ["GODKENDT", "AFVIST"]
    assert (
        _only(done["Forretningskvittering"][1]["Fejl"], "ERP-BILAG-DUBLET")["path"]
        == "$.Finansbilag[1].BilagID"
    )


def test_masse_bilag_are_judged_as_of_their_due_time(erp):
    erp.settings({"erp": {"masse_behandlingstid_sekunder": 3600}})
    message = masse(finansbilag(bilag_id="M-P", bogfoeringsdato="2026-08-31"))
    erp.post(MASSE, message)
    erp.clock(advance="30d")  # processed at 10:00 on 2026-09-20, when August was still open
    (answer,) = erp.hent(message["Hovedoplysninger"]["TransaktionsID"]).json()["Forretningskvittering"]
    assert answer["Status"] == "GODKENDT"


# --- the nulsumtest report ----------------------------------------------------------------------------------


def test_nulsumtest_reports_each_line_and_the_verdict(erp):
    message = modtag(finansbilag(nulsum(), bilag_id="NULSUM-1"))
    assert erp.kvittering(message)["Status"] == "GODKENDT"
    transaktion = message["Hovedoplysninger"]["TransaktionsID"]
    report = erp.erp_ok("GET", f"nulsumtest/{transaktion}")
    assert report["Bestået"] is True
    (bilag,) = report["Bilag"]
    assert bilag["Kontroller"] == {
        "Behandlet": True,
        "Bogført": True,
        "Balancerer": True,
        "AlleLinjerOmsat": True,
        "SomForventet": None,
    }
    assert (bilag["SumDebet"], bilag["SumKredit"], bilag["Difference"]) == (100.0, 100.0, 0.0)
    assert [
        (line["Linje"], line["Kontostreng"], line["Debet"], line["Kredit"]) for line in bilag["Linjer"]
    ] == [
        (1, KONTO_FRIPLADS, 100.0, 0.0),
        (2, KONTO_FORAELDREBETALING, 0.0, 100.0),
    ]
    assert bilag["Linjer"][0]["FunktionTitel"] == "Integrerede daginstitutioner"
    expected = {
        "Forventet": [
            {"Linje": 1, "Kontostreng": KONTO_FRIPLADS},
            {"Linje": 2, "Kontostreng": KONTO_FORAELDREBETALING},
        ]
    }
    assert erp.erp_ok("POST", "nulsumtest/NULSUM-1", expected)["Bestået"] is True
    wrong = {
        "Forventet": [{"Linje": 2, "Kontostreng": "5.25.13/1/001/7.2/2101"}, {"Linje": 3, "Kontostreng": "x"}]
    }
    failed = erp.erp_ok("POST", "nulsumtest/NULSUM-1", wrong)
    (bilag,) = failed["Bilag"]
    assert (failed["Bestået"], bilag["Kontroller"]["SomForventet"]) == (False, False)
    assert [line["SomForventet"] for line in bilag["Linjer"]] == [None, False]
    assert bilag["UkendteForventedeLinjer"] == [3]


def test_nulsumtest_of_a_rejected_bilag_fails_and_says_why(erp):
    lines = nulsum()
    lines[1]["Sortiment"]["Ydelsestype"] = "SFO"
    lines[1]["Beløb"] = 90.0
    erp.kvittering(modtag(finansbilag(lines, bilag_id="NULSUM-2")))
    (bilag,) = erp.erp_ok("GET", "nulsumtest/NULSUM-2")["Bilag"]
    assert bilag["Bestået"] is False
    checks = bilag["Kontroller"]
    assert (checks["Bogført"], checks["Balancerer"], checks["AlleLinjerOmsat"]) == (False, False, False)
    assert bilag["Difference"] == 10.0
    assert [line["Kontostreng"] for line in bilag["Linjer"]] == [KONTO_FRIPLADS, None]
    assert {e["code"] for e in bilag["Fejl"]} == {"ERP-BILAG-UBALANCE", "ERP-SORTIMENTSVAERDI-UKENDT"}
    missing = erp.erp("GET", "nulsumtest/NO-SUCH-BILAG")
    assert missing.status_code == 404
    assert [e["code"] for e in missing.json()["errors"]] == ["ERP-BILAG-UKENDT"]


def test_a_bilag_is_read_with_its_forretningskvittering(erp):
    message = modtag(finansbilag(bilag_id="B-READ"))
    answer = erp.kvittering(message)
    (bilag,) = erp.erp_ok("GET", "bilag/B-READ")["Bilag"]
    assert bilag["Forretningskvittering"] == answer
    assert bilag["Finansbilag"] == message["Finansbilag"]
    assert (bilag["Leverance"], bilag["Status"]) == ("STRAKS", "GODKENDT")
    assert erp.erp("GET", "bilag/NOPE").status_code == 404


# --- contracts and the omsætningstabel ----------------------------------------------------------------------


def test_every_contract_problem_is_listed_with_its_path(erp):
    message = modtag()
    message["Hovedoplysninger"]["TransaktionsID"] = "not-a-uuid"
    bilag = message["Finansbilag"]
    bilag["DataleverandøridentifikationKort"] = "47a1"
    bilag["Myndighed"] = {"Kommunenummer": "851", "CVRNummer": "29189846"}
    del bilag["Bogføringsdato"]
    bilag["Finanspostering"][0]["Beløb"] = "3200"
    bilag["Finanspostering"][1]["DebetKredit"] = "PLUS"
    bilag["Finanspostering"][1]["Sortiment"]["Funktion"] = "5.25.14"
    response = erp.straks(message)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    found = {(e["code"], e["path"]) for e in response.json()["errors"]}
    assert found == {
        ("SCHEMA-FORMAT", "$.Hovedoplysninger.TransaktionsID"),
        ("SCHEMA-PATTERN", "$.Finansbilag.DataleverandøridentifikationKort"),
        ("SCHEMA-VALG", "$.Finansbilag.Myndighed"),
        ("SCHEMA-REQUIRED", "$.Finansbilag.Bogføringsdato"),
        ("SCHEMA-TYPE", "$.Finansbilag.Finanspostering[0].Beløb"),
        ("SCHEMA-ENUM", "$.Finansbilag.Finanspostering[1].DebetKredit"),
        ("SCHEMA-UKENDT-FELT", "$.Finansbilag.Finanspostering[1].Sortiment.Funktion"),
    }
    for error in response.json()["errors"]:
        assert error["text_da"] and error["text_en"]
    assert erp.hent(str(uuid.uuid4())).status_code == 404  # nothing was received


def test_omsaetningstabel_edits_are_checked_against_the_kontoplan(erp):
    current = erp.erp_ok("GET", "omsaetningstabel")
    assert current["Standard"] is True
    table = current["Omsaetningstabel"]
    bad = copy.deepcopy(table)
    bad["Omsætninger"][0]["Kontostreng"] = {"Funktion": "5.99.99", "Gruppering": "001"}
    bad["Omsætninger"][1]["Kontostreng"]["Dranst"] = "7"
    bad["Omsætninger"][2]["Betingelse"]["Art"] = "NO-SUCH-ART"
    response = erp.erp("PUT", "omsaetningstabel", bad)
    assert response.status_code == 400
    found = {(e["code"], e["path"]) for e in response.json()["errors"]}
    assert found == {
        ("ERP-KONTOSTRENG-UGYLDIG", "$.Omsætninger[0].Kontostreng.Funktion"),
        ("ERP-KONTOSTRENG-UGYLDIG", "$.Omsætninger[1].Kontostreng.Dranst"),
        ("ERP-OMSAETNING-UGYLDIG", "$.Omsætninger[2].Betingelse.Art"),
    }
    assert erp.erp_ok("GET", "omsaetningstabel")["Standard"] is True
    without_sortiment = {k: v for k, v in table.items() if k != "Sortiment"}
    without_sortiment["Omsætninger"] = without_sortiment["Omsætninger"][:3]
    changed = erp.erp_ok("PUT", "omsaetningstabel", without_sortiment)
    assert changed["Standard"] is False
    assert changed["Omsaetningstabel"]["Sortiment"] == table["Sortiment"]
    assert len(changed["Omsaetningstabel"]["Omsætninger"]) == 3
    assert erp.erp_ok("DELETE", "omsaetningstabel")["Omsaetningstabel"] == table
    assert erp.erp_ok("GET", "kontoplan")["Kontoplan"]["version"]


def test_tenants_do_not_share_books_or_tables(erp, erp_url):
    other = ErpApi(erp_url, "851", f"erp-{uuid.uuid4().hex[:12]}")
    other.clock(set="2026-09-20")
    erp.erp_ok("PUT", "omsaetningstabel", {"Omsætninger": []})
    assert erp.kvittering(modtag())["Status"] == "AFVIST"
    assert other.kvittering(modtag())["Status"] == "GODKENDT"
    assert erp.erp_ok("GET", "posteringer")["Posteringer"] == []
    assert len(other.erp_ok("GET", "posteringer")["Posteringer"]) == 2


def test_erp_operations_are_in_the_openapi_document(erp_url):
    paths = requests.get(f"{erp_url}/openapi.json", timeout=30).json()["paths"]
    for path in (STRAKS, MASSE, HENT):
        assert paths[path]["post"]["tags"] == ["erp"]


# --- reference data and rules are consistent (no server needed) --------------------------------------------


def test_every_rule_code_is_in_the_catalogue_with_matching_placeholders():
    catalogue = error_catalogue()
    assert finansbilag_rules.check_against(catalogue) == []
    erp_codes = [e for e in catalogue if e.area == "erp"]
    assert len(erp_codes) >= 10
    for entry in erp_codes:
        for da, en in ((entry.text_da, entry.text_en), (entry.fix_da, entry.fix_en)):
            assert sorted(_placeholders(da)) == sorted(_placeholders(en)), entry.code
        assert entry.source["tag"] in {"C", "I", "G"} and entry.source["ref"].startswith("oeir.md"), (
            entry.code
        )


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_the_standard_omsaetningstabel_follows_its_contract_and_the_kontoplan():
    document = standard_document()
    assert document["kilde"]["tag"] in {"C", "I", "G"}
    assert contract_set().get("erp/Omsaetningstabel_I").check(document["Omsaetningstabel"]) == []
    parsed = parse_tabel(document["Omsaetningstabel"])
    assert not isinstance(parsed, list), parsed
    for row in parsed.omsaetninger:
        assert kontoplan().check(row.kontostreng, "$") == []
    assert Kontostreng("5.25.14", "1", "001", "7.2", "2101").tekst == KONTO_FORAELDREBETALING


def test_the_kontoplan_sample_has_its_parts_with_provenance():
    data = json.loads((contract_set().root / "reference" / "kontoplan.json").read_text(encoding="utf-8"))
    assert [h["nummer"] for h in data["hovedkonti"]] == [str(n) for n in range(10)]
    assert 20 <= len(data["funktioner"]) <= 30
    assert {f["nummer"] for f in data["funktioner"]} >= {f"5.25.{n}" for n in range(10, 20)}
    assert [h["kode"] for h in data["hovedarter"]] == ["0", "1", "2", "4", "5", "6", "7", "8", "9"]
    assert {d["kode"] for d in data["dranst"]} >= {"1", "2", "3"}
    for group in ("hovedkonti", "hovedfunktioner", "funktioner", "dranst", "hovedarter"):
        for entry in data[group]:
            assert entry["kilde"]["tag"] in {"C", "I", "G"} and entry["kilde"]["ref"], entry


WRONG_VALUES = ["delete", None, 1, -1.5, "", "x" * 300, [], {}, True, "2026-13-40", 0.123]


def _paths(node: Any, trail: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*trail, key)
        yield from _paths(value, (*trail, key))


@pytest.mark.parametrize("name", ["erp/ModtagFinansbilag_I", "erp/ModtagFinansbilagMasse_I"])
def test_fast_and_full_validators_agree_on_every_single_field_break(name):
    contract = contract_set().get(name)
    message = modtag() if name.endswith("ModtagFinansbilag_I") else masse(finansbilag(), finansbilag())
    assert contract.check(message) == []
    for path in _paths(message):
        for wrong in WRONG_VALUES:
            broken = copy.deepcopy(message)
            target = broken
            for part in path[:-1]:
                target = target[part]
            if wrong == "delete":
                del target[path[-1]]
            else:
                target[path[-1]] = wrong
            try:
                contract._fast(broken)
                fast_valid = True
            except Exception:
                fast_valid = False
            assert fast_valid == (not list(contract._full.iter_errors(broken))), (path, wrong)
