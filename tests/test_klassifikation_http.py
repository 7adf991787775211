"""The Klassifikationssystem (SF1510 Soeg/List, PublicerSortiment) and the ERP's SF7002 subscription over real
HTTP on 127.0.0.1: a published value reaches the ERP (at once or on the simulated clock), a bilag using it is
rejected until the omsætningstabel maps it, then booked; values outside the received sortiment are refused
with their own code; the unmapped-values view is the finance staff's to-do list."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
import requests
from testkommune.contracts.schemas import contract_set
from testkommune.harness.server import RunningKommune
from testkommune.simulators.erp.omsaetning import standard_document

from tests.conftest import Api
from tests.erp_messages import STRAKS, finansbilag, header, modtag, opkraevning

KLS = "/service/Klassifikation/KlasseService/7"
PUBLICER, SOEG, LIST = f"{KLS}/PublicerSortiment", f"{KLS}/Soeg", f"{KLS}/List"
SFO_ID = "5f0c2a61-7d1e-4b8a-9a55-0c1f3e7b2d10"
SFO = {"Id": SFO_ID, "Kode": "SFO", "Klassifikation": "Ydelsestype", "Titel": "Skolefritidsordning"}
SFO_ROW = {
    "Betingelse": {"Ydelsestype": "SFO", "Art": "FORAELDREBETALING"},
    "Kontostreng": {"Funktion": "3.22.05", "Dranst": "1", "Gruppering": "001", "Art": "7.2"},
}


def standard_values() -> list[dict[str, Any]]:
    return copy.deepcopy(standard_document()["Omsaetningstabel"]["Sortiment"]["Værdier"])


def publicering(values: list[dict[str, Any]], navn: str = "Dagtilbud og SFO") -> dict[str, Any]:
    return {"Hovedoplysninger": header(), "Sortiment": {"Navn": navn, "Værdier": values}}


def sfo_bilag(bilag_id: str | None = None) -> dict[str, Any]:
    lines = opkraevning()
    lines[1]["Sortiment"]["Ydelsestype"] = "SFO"
    return modtag(finansbilag(lines, bilag_id=bilag_id))


class KlsApi(Api):
    """One tenant: the fagsystem's Klassifikationssystem and ERP calls, and both admin APIs."""

    def call(self, path: str, body: dict[str, Any], contract: str | None = None) -> dict[str, Any]:
        response = self.post(path, body)
        assert response.status_code == 200, response.text
        if contract:
            assert not contract_set().get(contract).check(response.json()), response.json()
        return response.json()

    def publicer(self, message: dict[str, Any]) -> dict[str, Any]:
        return self.call(PUBLICER, message, "klassifikation/PublicerSortiment_O")["Forretningskvittering"]

    def kvittering(self, message: dict[str, Any]) -> dict[str, Any]:
        return self.call(STRAKS, message, "erp/ModtagFinansbilag_O")["Forretningskvittering"]

    def admin(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self.session.request(method, f"{self.admin_path}/{path}", json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def kls(kommune: RunningKommune) -> KlsApi:
    api = KlsApi(kommune.base_url, "851", f"kls-{uuid.uuid4().hex[:12]}")
    api.clock(set="2026-09-20")
    return api


def _codes(errors: list[dict[str, Any]]) -> set[str]:
    return {e["code"] for e in errors}


def _only(errors: list[dict[str, Any]], code: str) -> dict[str, Any]:
    matching = [e for e in errors if e["code"] == code]
    assert len(matching) == 1, errors
    return matching[0]


def test_publish_reaches_the_erp_rejected_until_mapped_then_booked(kls):
    before = kls.admin("GET", "klassifikation/umappede")
    assert before["ModtagetVersion"] == 1
    assert "SFO" not in {v["Kode"] for v in before["Umappede"]}
    # Before publication the ERP has never heard of SFO
    unknown = kls.kvittering(sfo_bilag())
    assert unknown["Status"] == "AFVIST"
    assert _codes(unknown["Fejl"]) == {"ERP-SORTIMENTSVAERDI-UKENDT"}

    answer = kls.publicer(publicering([*standard_values(), SFO]))
    assert answer["Status"] == "PUBLICERET" and answer["Version"] == 2 and answer["Fejl"] == []
    assert answer["Abonnenter"] == [
        {"Abonnent": "bogfoeringssystem", "LeveresTidspunkt": answer["PubliceretTidspunkt"]}
    ]
    listed = kls.call(LIST, {}, "klassifikation/ListSortiment_O")["Sortiment"]
    assert listed["Version"] == 2 and listed["Aktuel"] is True and SFO in listed["Værdier"]
    [found] = kls.call(SOEG, {"Kode": "SFO"}, "klassifikation/SoegKlassifikation_O")["Klasser"]
    assert found == SFO | {"IAktueltSortiment": True}

    # The ERP received version 2: SFO is known now, but the omsætningstabel has no row for it
    todo = kls.admin("GET", "klassifikation/umappede")
    assert todo["ModtagetVersion"] == 2
    assert {"Id": SFO_ID, "Kode": "SFO", "Klassifikation": "Ydelsestype", "Titel": "Skolefritidsordning"} in (
        todo["Umappede"]
    )
    assert todo["Antal"] == before["Antal"] + 1
    rejected = kls.kvittering(sfo_bilag("B-SFO-1"))
    assert rejected["Status"] == "AFVIST"
    error = _only(rejected["Fejl"], "ERP-MANGLENDE-OMSAETNING")
    assert error["path"] == "$.Finansbilag.Finanspostering[1].Sortiment.Ydelsestype"
    assert error["value"] == "SFO"
    assert rejected["Finanspostering"][1]["Fejl"] == [error]

    # The finance staff map it (KP MI 24); the same bilag, resent, is booked on the new kontostreng
    table = kls.admin("GET", "erp/omsaetningstabel")["Omsaetningstabel"]
    assert {v["Kode"] for v in table["Sortiment"]["Værdier"]} >= {"SFO", "INTEGRERET"}
    table["Omsætninger"].append(SFO_ROW)
    del table["Sortiment"]  # kept: the sortiment is the one the subscription delivered
    kls.admin("PUT", "erp/omsaetningstabel", table)
    after = kls.admin("GET", "klassifikation/umappede")
    assert "SFO" not in {v["Kode"] for v in after["Umappede"]}
    assert after["Antal"] == before["Antal"]
    booked = kls.kvittering(sfo_bilag("B-SFO-1"))
    assert booked["Status"] == "GODKENDT", booked
    assert booked["Finanspostering"][1]["Kontostreng"]["Tekst"].startswith("3.22.05/1/001/7.2")


def test_a_value_the_new_version_drops_is_refused_as_unknown_and_its_mapping_set_aside(kls):
    assert kls.kvittering(modtag())["Status"] == "GODKENDT"  # INTEGRERET, in the standard sortiment
    values = [v for v in standard_values() if v["Kode"] != "INTEGRERET"]
    assert kls.publicer(publicering(values))["Status"] == "PUBLICERET"
    answer = kls.kvittering(modtag())
    assert answer["Status"] == "AFVIST"
    error = _only(answer["Fejl"], "ERP-SORTIMENTSVAERDI-UKENDT")
    assert error["path"] == "$.Finansbilag.Finanspostering[1].Sortiment.Ydelsestype"
    assert error["value"] == "INTEGRERET"
    assert "ERP-MANGLENDE-OMSAETNING" not in _codes(answer["Fejl"])
    [version] = kls.admin("GET", "klassifikation/abonnement")["Versioner"]
    dropped = [d["Omsætning"]["Betingelse"] for d in version["Tilsidesat"]]
    assert dropped and all(b.get("Ydelsestype") == "INTEGRERET" for b in dropped)
    # SF1510 still knows the value (the klassifikation), but not in the current sortiment
    [found] = kls.call(SOEG, {"Klassifikation": "Ydelsestype", "Kode": "integreret".upper()})["Klasser"]
    assert found["IAktueltSortiment"] is False


def test_delivery_follows_the_simulated_clock(kls):
    kls.admin("PUT", "klassifikation/abonnement", {"LeveringstidSekunder": 3600})
    answer = kls.publicer(publicering([*standard_values(), SFO]))
    [abonnent] = answer["Abonnenter"]
    assert abonnent["LeveresTidspunkt"] > answer["PubliceretTidspunkt"]
    status = kls.admin("GET", "klassifikation/abonnement")
    assert (status["AktuelVersion"], status["ModtagetVersion"]) == (2, 1)
    assert status["Versioner"][0]["LeveretTidspunkt"] is None
    assert _codes(kls.kvittering(sfo_bilag())["Fejl"]) == {"ERP-SORTIMENTSVAERDI-UKENDT"}
    kls.clock(advance="59m")
    assert _codes(kls.kvittering(sfo_bilag())["Fejl"]) == {"ERP-SORTIMENTSVAERDI-UKENDT"}
    kls.clock(advance="1m")
    assert _codes(kls.kvittering(sfo_bilag())["Fejl"]) == {"ERP-MANGLENDE-OMSAETNING"}
    status = kls.admin("GET", "klassifikation/abonnement")
    assert status["ModtagetVersion"] == 2
    assert status["Versioner"][0]["LeveretTidspunkt"] == status["Versioner"][0]["LeveresTidspunkt"]


def test_without_a_subscription_the_erp_keeps_its_sortiment_until_the_kommune_orders_one(kls):
    kls.admin("PUT", "klassifikation/abonnement", {"Aktiv": False})
    answer = kls.publicer(publicering([*standard_values(), SFO]))
    assert answer["Status"] == "PUBLICERET" and answer["Abonnenter"] == []
    assert _codes(kls.kvittering(sfo_bilag())["Fejl"]) == {"ERP-SORTIMENTSVAERDI-UKENDT"}
    status = kls.admin("PUT", "klassifikation/abonnement", {"Aktiv": True})
    assert status["Aktiv"] is True and status["ModtagetVersion"] == 2
    assert _codes(kls.kvittering(sfo_bilag())["Fejl"]) == {"ERP-MANGLENDE-OMSAETNING"}


def test_a_redelivery_publishes_once_and_a_reused_id_is_refused(kls):
    message = publicering([*standard_values(), SFO])
    first = kls.call(PUBLICER, message)
    again = kls.call(PUBLICER, message)
    assert again["Forretningskvittering"] == first["Forretningskvittering"]
    assert again["Kvittering"].get("Genfremsendt") is True
    assert kls.admin("GET", "klassifikation/abonnement")["AktuelVersion"] == 2
    changed = copy.deepcopy(message)
    changed["Sortiment"]["Navn"] = "Noget andet"
    response = kls.post(PUBLICER, changed)
    assert response.status_code == 409, response.text
    assert _codes(response.json()["errors"]) == {"OIR-TRANSAKTIONSID-GENBRUGT"}


def test_an_inconsistent_sortiment_is_refused_with_every_problem(kls):
    values = [*standard_values(), SFO, dict(SFO, Id=str(uuid.uuid4()))]
    values[0] = dict(values[0], Kode="NOGET_ANDET")  # the UUID of DAGPLEJE may not change meaning
    answer = kls.publicer(publicering(values))
    assert answer["Status"] == "AFVIST" and "Version" not in answer
    dublet = _only(answer["Fejl"], "KLS-VAERDI-DUBLET")
    assert dublet["path"] == f"$.Sortiment.Værdier[{len(values) - 1}].Kode"
    changed = _only(answer["Fejl"], "KLS-VAERDI-UOVERENSSTEMMELSE")
    assert changed["path"] == "$.Sortiment.Værdier[0].Id" and "DAGPLEJE" in changed["text_da"]
    assert kls.admin("GET", "klassifikation/abonnement")["AktuelVersion"] == 1


def test_list_names_versions_and_refuses_unknown_ones_and_bad_input(kls):
    standard = kls.call(LIST, {"Version": 1}, "klassifikation/ListSortiment_O")["Sortiment"]
    assert standard["PubliceretTidspunkt"] is None and standard["Værdier"] == standard_values()
    # JSON Schema counts 1.0 as an integer; the long fuzzing run found it crashed the lookup (500)
    assert kls.call(LIST, {"Version": 1.0}, "klassifikation/ListSortiment_O")["Sortiment"] == standard
    missing = kls.post(LIST, {"Version": 2})
    assert missing.status_code == 404
    assert _codes(missing.json()["errors"]) == {"KLS-VERSION-UKENDT"}
    bad = kls.post(PUBLICER, {"Hovedoplysninger": header(), "Sortiment": {"Værdier": [{"Kode": "X"}]}})
    assert bad.status_code == 400
    assert kls.post(SOEG, {"Klassifikation": "Farve"}).status_code == 400
    refused = kls.session.put(
        f"{kls.admin_path}/klassifikation/abonnement", json={"LeveringstidSekunder": -1}, timeout=30
    )
    assert refused.status_code == 400


def test_tenants_do_not_see_each_others_sortiment(kls, kommune):
    kls.publicer(publicering([*standard_values(), SFO]))
    other = KlsApi(kommune.base_url, "851", f"kls-{uuid.uuid4().hex[:12]}")
    assert other.call(SOEG, {"Kode": "SFO"})["Klasser"] == []
    assert other.call(LIST, {})["Sortiment"]["Version"] == 1
    assert isinstance(
        requests.get(f"{kommune.base_url}/openapi.json", timeout=30).json()["paths"][PUBLICER], dict
    )
