"""PSRM over SOAP: envelopes shaped like each public sample, answered in the real `_O` shape (soap.md §1)."""

from __future__ import annotations

import uuid
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tests import psrm_actions as act
from tests import soap_envelopes as soap
from tests.messages import CPR_MOD11, psrm_leverance

S = f"{{{soap.SKAT}}}"
STATUS_PATH = f"{S}FordringInfo/{S}FordringAktionStatusSamling/{S}MFAktionStruktur"


def _post(api, path: str, xml: str):
    return api.session.post(
        api.base_url + path, data=xml.encode("utf-8"), headers=api.headers | soap.HEADERS, timeout=30
    )


def _answer(response, element: str) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    body = root.find(f"{{{soap.SOAP}}}Body")
    answer = body[0]
    assert answer.tag == f"{S}{element}", answer.tag
    return answer


def _fields(struct: ET.Element) -> dict[str, Any]:
    return {child.tag.removeprefix(S): (child.text or "") for child in struct}


def _submit_soap(api, *aktioner: str, leverance: str | None = None) -> tuple[ET.Element, dict[str, Any]]:
    """Submit over SOAP; the synchronous answer and the first action's final receipt (fetched over SOAP)."""
    leverance = leverance or f"L-{uuid.uuid4().hex[:8]}"
    sync = _answer(
        _post(api, "/psrm/MFFordringIndberet", soap.indberet(leverance, *aktioner)), "MFFordringIndberet_O"
    )
    receipt = _answer(
        _post(api, "/psrm/MFKvitteringHent", soap.kvittering_hent(leverance)), "MFKvitteringHent_O"
    )
    return sync, _fields(receipt.find(f"{S}FordringAktionStatusSamling/{S}MFAktionStruktur"))


def _claim(api) -> str:
    message = psrm_leverance("L-SETUP", "SETUP")
    api.post("/psrm/MFFordringIndberet", message)
    receipt = api.post("/psrm/MFKvitteringHent", {"MFLeveranceID": "L-SETUP"}).json()
    first = receipt["FordringAktionStatusSamling"]["MFAktionStruktur"][0]
    assert first["MFAktionStatusKode"] == "UDFOERT", first
    return first["DMIFordringEFIFordringID"]


def _json(api, action: dict[str, Any]) -> None:
    assert api.post("/psrm/MFFordringIndberet", act.leverance(action)).status_code == 200


def test_opretfordring_is_answered_in_the_real_shape_and_processed(api):
    sync, receipt = _submit_soap(api, soap.opret("S-1"), leverance="L-OPRET")
    kontekst = sync.find(f"{S}Kontekst/{{{soap.KONTEKST}}}HovedOplysningerSvar")
    assert kontekst.find(f"{{{soap.KONTEKST}}}ServiceID").text == "MFFordringIndberet"
    assert sync.find(f"{S}FordringInfo/{S}MFLeveranceID").text == "L-OPRET"
    status = _fields(sync.find(STATUS_PATH))
    assert status["MFAktionID"] == "S-1" and status["MFAktionKode"] == "OPRETFORDRING"
    assert status["MFAktionStatusKode"] == "MODTAGET" and status["DMIFordringFordringHaverRef"] == "REF-1"
    assert receipt["MFAktionStatusKode"] == "UDFOERT"
    assert receipt["DMIFordringEFIFordringID"] == receipt["DMIFordringEFIHovedFordringID"]
    (claim,) = api.state()["psrm"]["claims"]
    assert claim["saldo_oere"] == 100000


def test_nedskriv(api):
    claim = _claim(api)
    _, receipt = _submit_soap(api, soap.nedskriv(claim, "S-N", "100.00", "INDB", "2026-09-19+02:00"))
    assert receipt["MFAktionStatusKode"] == "UDFOERT", receipt


def test_tilbagekald(api):
    claim = _claim(api)
    _, receipt = _submit_soap(api, soap.tilbagekald(claim, "S-T", "HENS"))
    assert receipt["MFAktionStatusKode"] == "UDFOERT", receipt


OANI = (
    "OPSKRIVNINGANNULLERETNEDSKRIVNINGINDBETALING",
    "MFOpskrivningAnnulleretNedskrivningIndbetalingStruktur",
)
OONR = ("OPSKRIVNINGOMGJORTNEDSKRIVNINGREGULERING", "MFOpskrivningOmgjortNedskrivningReguleringStruktur")
NAOR = (
    "NEDSKRIVNINGANNULLERETOPSKRIVNINGREGULERING",
    "MFNedskrivningAnnulleretOpskrivningReguleringStruktur",
)
NAOI = (
    "NEDSKRIVNINGANNULLERETOPSKRIVNINGINDBETALING",
    "MFNedskrivningAnnulleretOpskrivningIndbetalingStruktur",
)


def _setup_none(api, claim):
    return None


def _setup_indb(api, claim):
    _json(api, act.nedskriv(claim, 100.0, "INDB", "2026-09-19", aktion_id="W1"))


def _setup_regu(api, claim):
    _json(api, act.nedskriv(claim, 100.0, "REGU", None, aktion_id="R1"))


def _setup_opskriv(api, claim):
    _json(api, act.opskriv(claim, 300.0, aktion_id="U1"))


def _setup_oani(api, claim):
    _setup_indb(api, claim)
    oani = act.annuller(*OANI, claim, "W1", 100.0, "2026-09-19", aktion_id="O1")
    _json(api, oani)


@pytest.mark.parametrize(
    ("setup", "build"),
    [
        (
            _setup_none,
            lambda c: soap.regulering(
                "OPSKRIVNINGREGULERING",
                "MFOpskrivningReguleringStruktur",
                c,
                "S-U",
                "300",
                virkning="2026-09-20",
            ),
        ),
        (
            _setup_indb,
            lambda c: soap.regulering(*OANI, c, "S-OANI", "100.00", ref="W1", virkning="2026-09-19"),
        ),
        (_setup_regu, lambda c: soap.regulering(*OONR, c, "S-OONR", "100.00", ref="R1")),
        (_setup_opskriv, lambda c: soap.regulering(*NAOR, c, "S-NAOR", "300", ref="U1")),
        (_setup_oani, lambda c: soap.regulering(*NAOI, c, "S-NAOI", "100", ref="O1", virkning="2026-09-19")),
        (_setup_none, lambda c: soap.fejlagtig_hovedstol(c, "S-H", "1200")),
    ],
    ids=["OPSKRIVNINGREGULERING", "OANI", "OONR", "NAOR", "NAOI", "FEJLAGTIGHOVEDSTOLINDBERETNING"],
)
def test_opskrivning_and_annulment_actions(api, setup, build):
    claim = _claim(api)
    setup(api, claim)
    _, receipt = _submit_soap(api, build(claim))
    assert receipt["MFAktionStatusKode"] == "UDFOERT", receipt


def test_underretninger_are_fetched_with_the_real_request(api):
    _claim(api)
    paid = api.session.post(
        f"{api.admin_path}/psrm/indbetalinger",
        json={"SkyldnerID": CPR_MOD11, "Beløb": 200.0, "BetalingDato": "2026-09-21", "Kilde": "INDBETALING"},
        timeout=30,
    )
    assert paid.status_code < 300, paid.text
    api.clock(set="2026-09-25")
    answer = _answer(_post(api, "/psrm", soap.underret_samling_hent("2026-09-20")), "MFUnderretSamlingHent_O")
    over_json = api.post("/psrm/MFUnderretSamlingHent", {"SøgeDatoFra": "2026-09-20"}).json()
    assert over_json["DatoInterval"] == {"StartDato": "2026-09-20", "SlutDato": "2026-09-20"}  # open from
    simulators_own = api.post(
        "/psrm/MFUnderretSamlingHent", {"DatoInterval": {"StartDato": "2026-09-20", "SlutDato": "2026-09-20"}}
    ).json()
    assert simulators_own == over_json
    both = {"SøgeDatoFra": "2026-09-20", "DatoInterval": over_json["DatoInterval"]}
    assert api.post("/psrm/MFUnderretSamlingHent", both).status_code == 400
    too_old = api.post("/psrm/MFUnderretSamlingHent", {"SøgeDatoFra": "2025-01-01"})
    assert too_old.status_code == 400, too_old.text  # the refusal names the field the caller sent
    assert [(p["code"], p["path"]) for p in too_old.json()["errors"]] == [
        ("PSRM-UNDERRETNING-3-MDR", "$.SøgeDatoFra")
    ]
    over_json = over_json["UnderretningSamling"]["Underretning"]
    notes = answer.findall(f"{S}UnderretningSamling/{S}Underretning")
    assert over_json and len(notes) == len(over_json)
    assert [n.find(f"{S}UnderretningTypeKode").text for n in notes] == [
        n["UnderretningTypeKode"] for n in over_json
    ]
    assert answer.find(f"{S}DatoInterval/{S}StartDato").text == "2026-09-20"


def test_a_refusal_has_the_json_bindings_number_and_text(api):
    """The same reused action id refused over SOAP and over JSON: PSRM's number 600 and the same text."""
    _submit_soap(api, soap.opret("DUP"), leverance="L-A")
    xml = soap.indberet("L-B", soap.opret("DUP"))
    sync = _answer(_post(api, "/psrm/MFFordringIndberet", xml), "MFFordringIndberet_O")
    over_json = api.post("/psrm/MFFordringIndberet", psrm_leverance("L-C", "DUP")).json()
    (status,) = over_json["FordringInfo"]["FordringAktionStatusSamling"]["MFAktionStruktur"]
    (error,) = status["AfvistÅrsagSamling"]["MFAktionAfvistStruktur"]
    assert _fields(sync.find(STATUS_PATH))["MFAktionStatusKode"] == status["MFAktionStatusKode"] == "AFVIST"
    reason = sync.find(f"{STATUS_PATH}/{S}AfvistÅrsagSamling/{S}MFAktionAfvistStruktur")
    assert reason.find(f"{S}MFAktionAfvistNummer").text == str(error["native_code"]) == "600"
    assert reason.find(f"{S}MFAktionAfvistTekst").text == error["text_da"]


def test_hoering_svar_is_simulator_defined_with_the_json_contracts_names(api):
    xml = soap.envelope(
        soap.el(
            "HoeringSvar_I",
            soap.el("MFAktionID", "UKENDT"),
            soap.el("HoeringSvarKode", "GODKEND"),
            soap.el("Begrundelse", "Fordringen er korrekt"),
            attrs=f'xmlns="{soap.SKAT}"',
        )
    )
    over_soap = _post(api, "/psrm", xml)
    over_json = api.post(
        "/psrm/HoeringSvar",
        {"MFAktionID": "UKENDT", "HoeringSvarKode": "GODKEND", "Begrundelse": "Fordringen er korrekt"},
    )
    assert over_soap.status_code == 500 and over_json.status_code >= 400
    numbers = [e.text for e in ET.fromstring(over_soap.content).iter(f"{S}FejlNummer")]
    assert numbers and numbers == [str(e["native_code"] or e["code"]) for e in over_json.json()["errors"]]


def test_the_json_contract_is_the_real_structure_so_the_binding_data_is_small():
    """The real structures (soap.md §1) are the JSON contracts' own, so nothing is renamed or moved: the
    binding data only names the real elements the simulator does not use."""
    from testkommune.contracts.schemas import contract_set
    from testkommune.simulators.soap.psrm import binding_data
    from testkommune.simulators.soap.shapes import Schemas

    schemas = Schemas(contract_set())
    data = binding_data()
    assert set(data) == {"description", "namespace", "kontekst_namespace", "known"}
    root, base = schemas.root("psrm/MFFordringIndberet_I")
    aktion, _ = schemas.resolve(root["$defs"]["FordringAktion"], base)
    valg = aktion["properties"]["AktionValg"]["properties"]
    assert set(soap.REAL_STRUCTURES) <= set(valg)
    underret, _ = schemas.root("psrm/MFUnderretSamlingHent_I")
    assert "SøgeDatoFra" in underret["properties"]
