"""Bad input of any kind gets a structured problem, never a stack trace or a bare 500."""

from __future__ import annotations

import requests

from tests.messages import OIR_B01, codes, fordring, opret


def _post_raw(api, data: bytes, content_type: str = "application/json", headers: dict | None = None):
    return requests.post(
        f"{api.base_url}{OIR_B01}/OpretDebitorkonto",
        data=data,
        headers=api.headers | {"content-type": content_type} | (headers or {}),
        timeout=30,
    )


def _assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert code in codes(body["errors"])
    assert "Traceback" not in response.text


def test_malformed_json(api):
    _assert_problem(_post_raw(api, b'{"Hovedoplysninger": '), 400, "HTTP-UGYLDIG-JSON")


def test_invalid_utf8(api):
    _assert_problem(_post_raw(api, b'{"a": "\xff\xfe"}'), 400, "HTTP-UGYLDIG-JSON")


def test_deeply_nested_json(api):
    _assert_problem(_post_raw(api, b"[" * 100_000 + b"]" * 100_000), 400, "HTTP-UGYLDIG-JSON")


def test_wrong_content_type(api):
    _assert_problem(_post_raw(api, b"<xml/>", content_type="application/xml"), 415, "HTTP-INDHOLDSTYPE")


def test_body_too_large(api):
    _assert_problem(_post_raw(api, b" " * (5 * 1024 * 1024 + 1)), 413, "HTTP-FOR-STOR")


def test_not_an_object(api):
    _assert_problem(_post_raw(api, b"[1, 2, 3]"), 400, "SCHEMA-TYPE")


def test_missing_tenant_headers(api):
    response = requests.post(f"{api.base_url}{OIR_B01}/OpretDebitorkonto", json=opret(fordring()), timeout=30)
    _assert_problem(response, 400, "TENANT-MANGLER")


def test_unknown_path_and_wrong_method(api):
    _assert_problem(requests.get(f"{api.base_url}/no/such/thing", timeout=30), 404, "HTTP-IKKE-FUNDET")
    _assert_problem(
        requests.get(f"{api.base_url}{OIR_B01}/OpretDebitorkonto", timeout=30), 405, "HTTP-METODE"
    )


def test_openapi_lists_every_operation(api):
    document = requests.get(f"{api.base_url}/openapi.json", timeout=30).json()
    assert document["openapi"].startswith("3.1")
    operations = {
        op["operationId"]
        for path in document["paths"].values()
        for op in path.values()
        if "operationId" in op
    }
    assert operations >= {  # every service operation; tests/test_openapi.py: every route, admin ones too
        "OpretDebitorkonto",
        "RetFordringTilstand",
        "HentDebitorkonto",
        "MFFordringIndberet",
        "MFKvitteringHent",
        "HoeringSvar",
        "MFUnderretSamlingHent",
        "ModtagFinansbilag",
        "ModtagFinansbilagMasse",
        "HentForretningskvittering",
        "NKSBetalingsanmodningAfsend",
        "NKSForretningssvarHent",
        "PublicerSortiment",
        "SoegKlassifikation",
        "ListSortiment",
        "OpskrivFordring",
        "NedskrivFordring",
        "HentDaekningAfskrivning",
        "SoegDebitorkonto",
        "SoegDelfordringTilIndbetaling",
        "ForetagIndbetaling",
        *(
            f"Afslut{what}"
            for what in (
                "Administrator",
                "GaeldendeAdresseAdministrator",
                "GaeldendeAdresseJuridiskAnsvarlig",
                "GaeldendeAdresseJuridiskMedhaefter",
                "Haeftelse",
                "JuridiskMedhaefter",
                "Ligestillingspartner",
                "MaterialeabonnementAdministrator",
                "MaterialeabonnementJuridiskAnsvarlig",
                "MaterialeabonnementJuridiskMedhaefter",
            )
        ),
    }


def test_an_unexpected_error_in_a_service_call_is_a_structured_500(api, monkeypatch):
    """A defect of ours inside an operation still reaches the app's error handler (the service fast path,
    `routes.ServiceFastPath`, skips the router but not that)."""
    from testkommune.simulators import routes

    def broken(*args):
        raise RuntimeError("a defect")

    monkeypatch.setattr(routes, "_handle", broken)
    _assert_problem(api.opret(opret(fordring())), 500, "HTTP-INTERN-FEJL")


def test_a_trailing_slash_or_another_method_on_a_service_path_is_answered_as_before(api):
    """What the fast path does not take (not an exact POST path) goes to the router unchanged."""
    _assert_problem(
        requests.put(f"{api.base_url}{OIR_B01}/OpretDebitorkonto", timeout=30), 405, "HTTP-METODE"
    )
    slash = requests.post(
        f"{api.base_url}{OIR_B01}/OpretDebitorkonto/", json=opret(fordring()), headers=api.headers, timeout=30
    )
    assert [r.status_code for r in slash.history] == [307], slash.history  # the router's redirect
    assert slash.status_code == 200 and slash.json()["Kvittering"]["Status"] == "MODTAGET", slash.text
