"""What the runner gathers besides state and journal (the ERP's books), and the failures it records when a
fagsystem cannot or will not act."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from testkommune.contracts.catalogue import error_catalogue
from testkommune.contracts.driver import ActionNotSupportedError
from testkommune.harness.certify.client import AdminClient, KommuneUnavailableError
from testkommune.harness.certify.results import Failure


def erp_view(admin: AdminClient, journal: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The ERP's books as the kommune sees them, when the fagsystem delivered any finansbilag:
    every bilag with its forretningskvittering, the nulsumtest report of each, and the postings."""
    ids: list[str] = []
    for entry in journal:
        if entry["counterpart"] != "erp" or not entry["operation"].startswith("ModtagFinansbilag"):
            continue
        try:
            bilag = json.loads(entry["request"] or "{}").get("Finansbilag")
        except (ValueError, AttributeError):
            continue
        for one in bilag if isinstance(bilag, list) else [bilag]:
            if isinstance(one, dict) and isinstance(one.get("BilagID"), str) and one["BilagID"] not in ids:
                ids.append(one["BilagID"])
    if not ids and not any(e["counterpart"] == "erp" for e in journal):
        return None
    bilag_views: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    for ident in ids:
        try:
            bilag_views.extend(admin.erp(f"bilag/{quote(ident, safe='')}")["Bilag"])
            reports.append(admin.erp(f"nulsumtest/{quote(ident, safe='')}"))
        except KommuneUnavailableError:  # delivered but refused before the ERP stored it
            continue
    return {"bilag": bilag_views, "nulsumtest": reports, "posteringer": admin.erp_posteringer()}


def erp_masse_due(journal: list[dict[str, Any]]) -> str | None:
    """The latest instant the ERP said it processes a masseleverance delivered so far (the
    BehandlesTidspunkt of its forretningskvittering, set by the tenant's ERP profile); None: none waits."""
    due = []
    for entry in journal:
        if entry["operation"] != "ModtagFinansbilagMasse" or entry["status"] != 200:
            continue
        try:
            answer = json.loads(entry.get("response") or "{}").get("Forretningskvittering") or {}
        except (ValueError, AttributeError):
            continue
        if isinstance(answer.get("BehandlesTidspunkt"), str):
            due.append(datetime.fromisoformat(answer["BehandlesTidspunkt"]))
    return max(due).isoformat() if due else None


def finans_bilag_month(journal: list[dict[str, Any]]) -> str | None:
    """The latest accounting month (YYYY-MM) of a Bogføringsdato on a finansbilag the fagsystem delivered
    so far, as it sent it (answered or not); None: it delivered none."""
    months = []
    for entry in journal:
        if entry["counterpart"] != "erp" or not entry["operation"].startswith("ModtagFinansbilag"):
            continue
        request = entry.get("request")
        try:
            message = json.loads(request or "{}") if isinstance(request, str) else request or {}
            bilag = message.get("Finansbilag")
        except (ValueError, AttributeError):
            continue
        for one in bilag if isinstance(bilag, list) else [bilag]:
            dato = one.get("Bogføringsdato") if isinstance(one, dict) else None
            if isinstance(dato, str) and len(dato) >= 7:
                months.append(dato[:7])
    return max(months) if months else None


def unsupported_failure(missing: ActionNotSupportedError) -> Failure:
    params = {"step": missing.step, "method": missing.method}
    described = error_catalogue().describe("CERT-IKKE-UNDERSTOETTET", params)
    return Failure(
        check="fagsystem",
        code="CERT-IKKE-UNDERSTOETTET",
        field="-",
        expected=missing.method,
        actual="not supported",
        text_da=described["text_da"],
        text_en=described["text_en"],
        fix_da=described["fix_da"],
        fix_en=described["fix_en"],
        source=described["source"],
    )


def fagsystem_failure(step: str, exc: BaseException) -> Failure:
    described = error_catalogue().describe(
        "CERT-FAGSYSTEM-FEJL", {"step": step, "detail": f"{type(exc).__name__}: {exc}"}
    )
    return Failure(
        check="fagsystem",
        code="CERT-FAGSYSTEM-FEJL",
        field="-",
        expected="no exception",
        actual=type(exc).__name__,
        text_da=described["text_da"],
        text_en=described["text_en"],
        fix_da=described["fix_da"],
        fix_en=described["fix_en"],
        source=described["source"],
    )
