"""The ERP as the Klassifikationssystem meets it (SF7002): it takes a published sortiment version and says
which of its values no omsætningstabel entry maps. The only way another counterpart reaches the ERP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection
from testkommune.simulators.erp import opsaetning
from testkommune.simulators.erp.omsaetning import BETINGELSE, OMKOSTNINGSSTED, parse_tabel, standard_document
from testkommune.simulators.tenancy import Tenant


def standard_sortiment() -> dict[str, Any]:
    """The standard sortiment the ERP starts with (its Navn and Værdier)."""
    return standard_document()["Omsaetningstabel"]["Sortiment"]


def modtag_sortiment(
    conn: Connection, tenant: Tenant, navn: str | None, vaerdier: list[dict[str, Any]], when: datetime
) -> list[dict[str, Any]]:
    """SF7002: the ERP takes a published version as its sortiment (as of `when`); the entries of its
    omsætningstabel naming values gone are set aside and returned."""
    doc = opsaetning.tabel(conn, tenant).document()
    codes = {(v["Klassifikation"], v["Kode"]) for v in vaerdier}
    ids = {(v["Klassifikation"], v["Id"].lower()) for v in vaerdier}

    def known(dim: str, value: str) -> bool:
        return (dim, value) in codes or (dim, value.lower()) in ids

    rows, dropped = [], []
    for row in doc["Omsætninger"]:
        if all(known(dim, value) for dim, value in row["Betingelse"].items() if dim in BETINGELSE):
            rows.append(row)
        else:
            dropped.append({"Omsætning": row})
    steder = []
    for entry in doc["Omkostningssteder"]:
        if known(OMKOSTNINGSSTED, entry["Værdi"]):
            steder.append(entry)
        else:
            dropped.append({"Omkostningssted": entry})
    sortiment: dict[str, Any] = {"Værdier": list(vaerdier)} | ({"Navn": navn} if navn else {})
    parsed = parse_tabel({"Sortiment": sortiment, "Omsætninger": rows, "Omkostningssteder": steder})
    if isinstance(parsed, list):  # a version is checked when published and the rows were valid before
        raise RuntimeError(f"sortiment delivery to the ERP of {tenant.key} failed: {parsed}")
    opsaetning.gem_tabel(conn, tenant, parsed, when)
    return dropped


def umappede(conn: Connection, tenant: Tenant) -> list[dict[str, Any]]:
    """The ERP's sortiment values no omsætningstabel entry maps (the finance staff's to-do, KP MI 24)."""
    tabel = opsaetning.tabel(conn, tenant)
    used = {pair for row in tabel.omsaetninger for pair in row.betingelse}
    found = []
    for v in tabel.vaerdier:
        if v.klassifikation == OMKOSTNINGSSTED:
            mapped = v.kode in tabel.omkostningssteder
        else:
            mapped = (v.klassifikation, v.kode) in used
        if not mapped:
            found.append(
                {"Id": v.id, "Kode": v.kode, "Klassifikation": v.klassifikation}
                | ({"Titel": v.titel} if v.titel else {})
            )
    return found
