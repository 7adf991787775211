"""NemKonto behind SF1590_E over real HTTP on 127.0.0.1: komplet and ukomplet payments, unique bundle and
payment references, idempotent re-delivery, the forretningssvar on the simulated clock (fetched again by id),
the NemKonto register, and set-off (modregning) of a benefit payout against a due claim."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.schemas import contract_set
from testkommune.harness.server import RunningKommune, start_in_thread
from testkommune.simulators.invariants import INVARIANTS
from testkommune.simulators.nemkonto.rules import modtagekontrol, udbetalingskontrol

from tests.conftest import Api
from tests.messages import OIR_B01, OIR_B02, fordring, opret
from tests.nemkonto_messages import (
    AFSEND,
    CPR_MED_NEMKONTO,
    CPR_UDEN_NEMKONTO,
    CPR_UDEN_NEMKONTO_2,
    CVR_MED_NEMKONTO,
    HENT,
    NEMKONTO_1003801620,
    anmodning,
    komplet,
    ukomplet,
)


class NemKontoApi(Api):
    """One tenant: the fagsystem's SF1590_E calls and NemKonto's admin API."""

    def afsend(self, message: dict[str, Any]) -> requests.Response:
        return self.post(AFSEND, message)

    def modtaget(self, message: dict[str, Any]) -> dict[str, Any]:
        response = self.afsend(message)
        assert response.status_code == 200, response.text
        assert not contract_set().get("nemkonto/NKSBetalingsanmodningAfsend_O").check(response.json())
        return response.json()["Forretningskvittering"]

    def hent(self, transaktions_id: str | None = None) -> requests.Response:  # type: ignore[override]
        return self.post(HENT, {"TransaktionsID": transaktions_id} if transaktions_id else {})

    def svar(self, transaktions_id: str) -> dict[str, Any]:
        response = self.hent(transaktions_id)
        assert response.status_code == 200, response.text
        assert not contract_set().get("nemkonto/NKSForretningssvarHent_O").check(response.json())
        [svar] = response.json()["Forretningssvar"]
        return svar

    def nk(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.session.request(method, f"{self.admin_path}/nemkonto/{path}", json=body, timeout=30)

    def nk_ok(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self.nk(method, path, body)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def nk(kommune: RunningKommune) -> NemKontoApi:
    """A fresh tenant in kommune 851 whose clock stands at 2026-09-20 09:00 (Danish time)."""
    api = NemKontoApi(kommune.base_url, "851", f"nk-{uuid.uuid4().hex[:12]}")
    api.clock(set="2026-09-20")
    return api


def _tid(message: dict[str, Any]) -> str:
    return message["Hovedoplysninger"]["TransaktionsID"]


def _codes(errors: list[dict[str, Any]]) -> list[str]:
    return [e["code"] for e in errors]


# --- komplet and ukomplet payments, the business answer on the clock ---------------------------------------


def test_komplet_and_ukomplet_payments_answered_after_the_delay_and_fetched_again(nk: NemKontoApi) -> None:
    nk.nk_ok("PATCH", "indstillinger", {"behandlingstid_sekunder": 3600})
    message = anmodning([komplet(1500.25), ukomplet(320.0)])
    kvittering = nk.modtaget(message)
    assert kvittering["Status"] == "UNDER_BEHANDLING"
    assert kvittering["NKSBundtnummer"] is not None and len(kvittering["NKSBundtnummer"]) == 8
    assert kvittering["BehandlesTidspunkt"].startswith("2026-09-20T10:00:00")

    waiting = nk.svar(_tid(message))
    assert waiting["Status"] == "UNDER_BEHANDLING"
    assert [r["Status"] for r in waiting["Retursvar"]] == ["UNDER_BEHANDLING", "UNDER_BEHANDLING"]
    assert nk.nk_ok("GET", "betalinger")["Betalinger"][0]["Udbetalinger"] == []

    nk.clock(advance="59m")
    assert nk.svar(_tid(message))["Status"] == "UNDER_BEHANDLING"
    nk.clock(advance="1m")
    svar = nk.svar(_tid(message))
    assert svar["Status"] == "BEHANDLET"
    assert svar["BehandletTidspunkt"].startswith("2026-09-20T10:00:00")
    first, second = svar["Retursvar"]
    assert first["Status"] == "GODKENDT" and first["Kontokilde"] == "ANMODNING"
    assert first["Konto"] == message["PaymentTransaction"][0]["Konto"]
    assert first["UdbetaltBeløb"] == 1500.25 and first["ModregnetBeløb"] == 0
    assert second["Status"] == "GODKENDT" and second["Kontokilde"] == "NEMKONTO"
    assert second["Konto"] == NEMKONTO_1003801620 and second["UdbetaltBeløb"] == 320.0

    # lost-receipt recovery (SF1590_E v1.1): the same answer again, as often as asked
    assert nk.svar(_tid(message)) == svar
    paid = nk.nk_ok("GET", "betalinger")["Betalinger"]
    assert [len(p["Udbetalinger"]) for p in paid] == [1, 1]
    assert [p["Udbetalinger"][0]["Beløb"] for p in paid] == [1500.25, 320.0]


def test_poll_without_id_returns_each_new_answer_once(nk: NemKontoApi) -> None:
    one, two = anmodning([ukomplet(10.0)]), anmodning([ukomplet(20.0)])
    nk.modtaget(one)
    nk.modtaget(two)
    polled = nk.hent()
    assert polled.status_code == 200, polled.text
    assert [s["TransaktionsID"] for s in polled.json()["Forretningssvar"]] == [_tid(one), _tid(two)]
    assert nk.hent().json()["Forretningssvar"] == []
    assert nk.svar(_tid(one))["Status"] == "BEHANDLET"  # still there by id


def test_unknown_transaktions_id_is_404_with_a_code(nk: NemKontoApi) -> None:
    response = nk.hent(str(uuid.uuid4()))
    assert response.status_code == 404
    assert _codes(response.json()["errors"]) == ["NK-TRANSAKTION-UKENDT"]


# --- the NemKonto register ----------------------------------------------------------------------------------


def test_payee_without_nemkonto_is_rejected_with_the_reason_until_given_one(nk: NemKontoApi) -> None:
    message = anmodning([ukomplet(99.5, {"CPRNummer": CPR_UDEN_NEMKONTO}), ukomplet(12.0)])
    nk.modtaget(message)
    rejected, accepted = nk.svar(_tid(message))["Retursvar"]
    assert rejected["Status"] == "AFVIST" and accepted["Status"] == "GODKENDT"
    [error] = rejected["Fejl"]
    assert error["code"] == "NK-NEMKONTO-MANGLER"
    assert error["path"] == "$.PaymentTransaction[0].Modtager.CPRNummer"
    assert CPR_UDEN_NEMKONTO in error["text_da"]
    assert nk.nk_ok("GET", "betalinger")["Betalinger"][0]["Udbetalinger"] == []

    assert nk.nk("GET", f"register/CPR/{CPR_UDEN_NEMKONTO_2}").status_code == 404
    konto = {"Registreringsnummer": "1234", "Kontonummer": "5678901234", "Navn": "Ny Modtager"}
    added = nk.nk_ok("PUT", f"register/CPR/{CPR_UDEN_NEMKONTO_2}", konto)
    assert added["NemKonto"]["Kontonummer"] == "5678901234"
    assert any(e["Nummer"] == CPR_UDEN_NEMKONTO_2 for e in nk.nk_ok("GET", "register")["Register"])
    again = anmodning([ukomplet(99.5, {"CPRNummer": CPR_UDEN_NEMKONTO_2})])
    nk.modtaget(again)
    [svar] = nk.svar(_tid(again))["Retursvar"]
    assert svar["Status"] == "GODKENDT"
    assert svar["Konto"] == {"Registreringsnummer": "1234", "Kontonummer": "5678901234"}


def test_company_payee_by_cvr_is_completed_from_the_register(nk: NemKontoApi) -> None:
    message = anmodning([ukomplet(4000.0, {"CVRNummer": CVR_MED_NEMKONTO})])
    nk.modtaget(message)
    [svar] = nk.svar(_tid(message))["Retursvar"]
    assert svar["Status"] == "GODKENDT" and svar["Konto"]["Kontonummer"] == "0018852691"


def test_register_admin_refuses_a_malformed_number_and_body(nk: NemKontoApi) -> None:
    bad = nk.nk("PUT", "register/CPR/123", {"Registreringsnummer": "1234", "Kontonummer": "1"})
    assert bad.status_code == 400 and _codes(bad.json()["errors"]) == ["ADMIN-UGYLDIG"]
    body = nk.nk("PUT", f"register/CPR/{CPR_UDEN_NEMKONTO}", {"Registreringsnummer": "12"})
    assert body.status_code == 400
    assert set(_codes(body.json()["errors"])) == {"SCHEMA-PATTERN", "SCHEMA-REQUIRED"}


# --- unique references, idempotent delivery ----------------------------------------------------------------


def test_reused_grp_id_refuses_the_bundle_and_pays_nothing(nk: NemKontoApi) -> None:
    first = anmodning([ukomplet(100.0)], grp_id="GRP-SEPT-1")
    assert nk.modtaget(first)["Status"] == "UNDER_BEHANDLING"
    second = anmodning([ukomplet(100.0)], grp_id="GRP-SEPT-1")
    refused = nk.modtaget(second)
    assert refused["Status"] == "AFVIST" and refused["NKSBundtnummer"] is None
    [error] = refused["Fejl"]
    assert error["code"] == "NK-BUNDT-DUBLET" and error["path"] == "$.GroupHeader.GrpId"
    assert _tid(first).lower() in error["text_en"]
    assert nk.svar(_tid(second))["Retursvar"][0]["Status"] == "AFVIST"
    # another dataleverandør may use the same GrpId
    other = anmodning([ukomplet(100.0)], grp_id="GRP-SEPT-1", kort="4713", lang="ANDET-SYSTEM")
    assert nk.modtaget(other)["Status"] == "UNDER_BEHANDLING"
    paid = [p for p in nk.nk_ok("GET", "betalinger")["Betalinger"] if p["Udbetalinger"]]
    assert sorted(p["TransaktionsID"] for p in paid) == sorted([_tid(first), _tid(other)])


def test_reused_end_to_end_id_refuses_that_payment_only(nk: NemKontoApi) -> None:
    nk.modtaget(anmodning([ukomplet(50.0, EndToEndId="UDB-2026-09-0001")]))
    message = anmodning(
        [
            ukomplet(60.0, EndToEndId="UDB-2026-09-0001"),  # used by the earlier bundle
            ukomplet(70.0, EndToEndId="UDB-2026-09-0002"),
            ukomplet(80.0, EndToEndId="UDB-2026-09-0002"),  # twice in this bundle
        ]
    )
    assert nk.modtaget(message)["Status"] == "UNDER_BEHANDLING"
    retursvar = nk.svar(_tid(message))["Retursvar"]
    assert [r["Status"] for r in retursvar] == ["AFVIST", "GODKENDT", "AFVIST"]
    assert [_codes(r["Fejl"]) for r in retursvar] == [["NK-ENDTOENDID-DUBLET"], [], ["NK-ENDTOENDID-DUBLET"]]
    assert retursvar[2]["Fejl"][0]["path"] == "$.PaymentTransaction[2].EndToEndId"


def test_wrong_control_totals_refuse_the_bundle_with_every_problem(nk: NemKontoApi) -> None:
    refused = nk.modtaget(anmodning([ukomplet(10.0), ukomplet(5.5)], antal=3, kontrolsum=16.0))
    assert refused["Status"] == "AFVIST"
    assert sorted(_codes(refused["Fejl"])) == ["NK-BUNDT-ANTAL", "NK-BUNDT-KONTROLSUM"]
    kontrolsum = next(e for e in refused["Fejl"] if e["code"] == "NK-BUNDT-KONTROLSUM")
    assert "15.50" in kontrolsum["text_en"]


def test_same_transaktions_id_is_booked_once_with_the_same_receipt(nk: NemKontoApi) -> None:
    message = anmodning([ukomplet(777.0)])
    first = nk.afsend(message)
    again = nk.afsend(message)
    assert first.status_code == again.status_code == 200
    assert again.json()["Kvittering"]["Genfremsendt"] is True
    assert again.json()["Forretningskvittering"] == first.json()["Forretningskvittering"]
    assert len(nk.nk_ok("GET", "bundter")["Bundter"]) == 1
    [payment] = nk.nk_ok("GET", "betalinger")["Betalinger"]
    assert len(payment["Udbetalinger"]) == 1

    changed = dict(message, PaymentTransaction=[ukomplet(1.0)])
    reused = nk.afsend(changed)
    assert reused.status_code == 409
    assert _codes(reused.json()["errors"]) == ["OIR-TRANSAKTIONSID-GENBRUGT"]


def test_lost_answer_then_redelivery_gets_the_stored_receipt_and_pays_once(nk: NemKontoApi) -> None:
    fault = {"kind": "lose_answer", "operation": "NKSBetalingsanmodningAfsend", "count": 1}
    assert nk.session.post(f"{nk.admin_path}/faults", json=fault, timeout=30).status_code == 200
    message = anmodning([ukomplet(42.0)])
    lost = nk.afsend(message)
    assert lost.status_code == 504 and _codes(lost.json()["errors"]) == ["OIR-SVAR-TABT"]
    again = nk.afsend(message)
    assert again.status_code == 200 and again.json()["Kvittering"]["Genfremsendt"] is True
    assert again.json()["Forretningskvittering"]["Status"] == "UNDER_BEHANDLING"
    [payment] = nk.nk_ok("GET", "betalinger")["Betalinger"]
    assert payment["Status"] == "GODKENDT" and len(payment["Udbetalinger"]) == 1


def test_schema_invalid_bundle_is_refused_with_every_problem(nk: NemKontoApi) -> None:
    konto = {"Registreringsnummer": "1234", "Kontonummer": "1"}
    message = anmodning([komplet(10.0), ukomplet(5.0), ukomplet(1.0, Konto=konto)])  # ukomplet carries none
    message["PaymentTransaction"][0]["EndToEndId"] = "X" * 28
    del message["PaymentTransaction"][0]["Konto"]  # a komplet payment needs its account
    message["PaymentTransaction"][1]["Beløb"] = 5.001
    message["PaymentInformation"].pop("Betalingsdato")
    response = nk.afsend(message)
    assert response.status_code == 400
    paths = {(e["code"], e["path"]) for e in response.json()["errors"]}
    assert ("SCHEMA-LENGTH", "$.PaymentTransaction[0].EndToEndId") in paths
    assert ("SCHEMA-REQUIRED", "$.PaymentTransaction[0].Konto") in paths
    assert ("SCHEMA-REQUIRED", "$.PaymentInformation.Betalingsdato") in paths
    assert ("SCHEMA-ANDET", "$.PaymentTransaction[2]") in paths
    assert nk.nk_ok("GET", "bundter")["Bundter"] == []
    decimals = anmodning([ukomplet(5.001)], kontrolsum=5.0)
    refused = nk.afsend(decimals)
    assert refused.status_code == 400
    assert ("SCHEMA-BELOEB", "$.PaymentTransaction[0].Beløb") in {
        (e["code"], e["path"]) for e in refused.json()["errors"]
    }


def test_admin_shows_a_bundle_by_grp_id_and_refuses_an_unknown_one(nk: NemKontoApi) -> None:
    message = anmodning([ukomplet(10.0)], grp_id="GRP-ADMIN-1")
    nk.modtaget(message)
    [bundle] = nk.nk_ok("GET", "bundter/GRP-ADMIN-1")["Bundter"]
    assert bundle["Forretningssvar"]["TransaktionsID"] == _tid(message).lower()
    assert bundle["Betalingsanmodning"]["GroupHeader"]["GrpId"] == "GRP-ADMIN-1"
    missing = nk.nk("GET", "bundter/GRP-NOPE")
    assert missing.status_code == 404 and _codes(missing.json()["errors"]) == ["NK-BUNDT-UKENDT"]


def test_openapi_publishes_the_nemkonto_operations(nk: NemKontoApi) -> None:
    document = requests.get(f"{nk.base_url}/openapi.json", timeout=30).json()
    assert AFSEND in document["paths"] and HENT in document["paths"]


# --- set-off (modregning) against a benefit payout ---------------------------------------------------------


def _due_claim(nk: NemKontoApi, cpr: str, beloeb: float) -> tuple[str, str]:
    """A claim on the payee in the debitor system whose SRB has passed on the tenant's clock."""
    claim = fordring(
        f"F-{uuid.uuid4().hex[:8]}",
        HovedstolBeløb=beloeb,
        PeriodeFraDato="2026-07-01",
        PeriodeTilDato="2026-07-31",
        StiftelseDato="2026-07-01",
        ForfaldDato="2026-08-01",
        SidsteRettidigeBetalingDato="2026-08-15",
    )
    account = f"D-{uuid.uuid4().hex[:8]}"
    message = opret(claim, account=account, cpr=cpr)
    response = nk.post(f"{OIR_B01}/OpretDebitorkonto", message)
    assert response.status_code == 200, response.text
    assert response.json()["Forretningskvittering"]["Status"] == "GODKENDT", response.text
    return account, claim["FordringReference"]


def test_benefit_payout_is_set_off_against_a_due_claim_and_only_the_rest_paid(nk: NemKontoApi) -> None:
    account, reference = _due_claim(nk, CPR_MED_NEMKONTO, 400.0)
    ydelse = ukomplet(1000.0, Betalingsart="YDELSE")
    oevrig = ukomplet(300.0)  # not a benefit: never set off
    message = anmodning([ydelse, oevrig])
    nk.modtaget(message)
    benefit, other = nk.svar(_tid(message))["Retursvar"]
    assert benefit["Status"] == "GODKENDT"
    [daekning] = benefit["Modregning"]
    assert daekning["FordringReference"] == reference
    hovedstol = [d["Beløb"] for d in daekning["Delfordring"] if d["Type"] == "HOVEDSTOL"]
    assert hovedstol == [400.0]  # the principal is covered in full (the debitor system may add fees first)
    modregnet = daekning["Beløb"]
    assert modregnet == sum(d["Beløb"] for d in daekning["Delfordring"]) >= 400.0
    assert benefit["ModregnetBeløb"] == modregnet
    assert benefit["UdbetaltBeløb"] == 1000.0 - modregnet
    assert other["ModregnetBeløb"] == 0 and other["UdbetaltBeløb"] == 300.0 and other["Modregning"] is None
    paid = nk.nk_ok("GET", "betalinger")["Betalinger"]
    assert [p["Udbetalinger"][0]["Beløb"] for p in paid] == [1000.0 - modregnet, 300.0]
    konto = nk.post(f"{OIR_B02}/HentDebitorkonto", {"DebitorkontoReference": account}).json()
    assert [f["SaldoBeløb"] for f in konto["Debitorkonto"]["Fordring"]] == [0.0]
    # the claim is covered once: a second benefit payout is paid in full
    later = anmodning([ukomplet(1000.0, Betalingsart="YDELSE")])
    nk.modtaget(later)
    [svar] = nk.svar(_tid(later))["Retursvar"]
    assert svar["ModregnetBeløb"] == 0 and svar["UdbetaltBeløb"] == 1000.0


def test_set_off_is_off_when_the_tenant_turns_it_off(nk: NemKontoApi) -> None:
    _due_claim(nk, CPR_MED_NEMKONTO, 400.0)
    assert nk.nk_ok("PATCH", "indstillinger", {"modregning": False})["Indstillinger"]["modregning"] is False
    message = anmodning([ukomplet(1000.0, Betalingsart="YDELSE")])
    nk.modtaget(message)
    [svar] = nk.svar(_tid(message))["Retursvar"]
    assert svar["ModregnetBeløb"] == 0 and svar["UdbetaltBeløb"] == 1000.0


def test_reset_forgets_bundles_so_references_may_be_used_again(nk: NemKontoApi) -> None:
    nk.modtaget(anmodning([ukomplet(10.0, EndToEndId="E2E-RESET")], grp_id="GRP-RESET"))
    assert nk.session.post(f"{nk.admin_path}/reset", timeout=30).status_code == 200
    assert nk.nk_ok("GET", "bundter")["Bundter"] == []
    again = nk.modtaget(anmodning([ukomplet(10.0, EndToEndId="E2E-RESET")], grp_id="GRP-RESET"))
    assert again["Status"] == "UNDER_BEHANDLING"


def test_two_servers_racing_on_one_grp_id_accept_one_bundle_only(tmp_path: Path) -> None:
    """Six bundles with one GrpId (each its own TransaktionsID) sent at once to two servers sharing one
    database: one is taken, the others refused as dubletter, nothing fails, one payout in all."""
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    servers = [start_in_thread(db), start_in_thread(db)]
    try:
        apis = [NemKontoApi(s.base_url, "851", "nk-race") for s in servers]
        apis[0].clock(set="2026-09-20")
        messages = [anmodning([ukomplet(25.0)], grp_id="GRP-RACE") for _ in range(6)]
        barrier = threading.Barrier(len(messages))
        answers: list[requests.Response] = [None] * len(messages)  # type: ignore[list-item]

        def send(i: int) -> None:
            barrier.wait()
            answers[i] = apis[i % 2].afsend(messages[i])

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(messages))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert [a.status_code for a in answers] == [200] * len(messages), [a.text for a in answers]
        statuses = sorted(a.json()["Forretningskvittering"]["Status"] for a in answers)
        assert statuses == ["AFVIST"] * 5 + ["UNDER_BEHANDLING"]
        refused = [a.json()["Forretningskvittering"] for a in answers]
        assert {e["code"] for k in refused if k["Status"] == "AFVIST" for e in k["Fejl"]} == {
            "NK-BUNDT-DUBLET"
        }
        paid = [p for p in apis[1].nk_ok("GET", "betalinger")["Betalinger"] if p["Udbetalinger"]]
        assert len(paid) == 1
    finally:
        for server in servers:
            server.stop()


def test_every_code_nemkonto_and_the_invariants_raise_is_in_the_catalogue() -> None:
    assert modtagekontrol.check_against(error_catalogue()) == []
    assert udbetalingskontrol.check_against(error_catalogue()) == []
    assert all(inv.code in error_catalogue() for inv in INVARIANTS)
    assert {e.code for e in error_catalogue() if e.area == "nemkonto"} >= {
        "NK-TRANSAKTION-UKENDT",
        "NK-BUNDT-UKENDT",
    }
