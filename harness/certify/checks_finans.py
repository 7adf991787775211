"""Checks of ØiR finans (SF1590_A): what the fagsystem's finansbilag did in the kommune's ERP.

They read `state["erp"]` of an Observation (the ERP's bilag with their forretningskvittering, the
nulsumtest report of each BilagID and the booked postings, gathered by the runner through the ERP's admin
API) and the journal. A refusal by the ERP carries its own catalogue code.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from testkommune.harness.certify.checks import ERP_REFUSALS, _from_error, _harness_failure, check
from testkommune.harness.certify.observation import Observation
from testkommune.harness.certify.results import Failure

ERP_DELIVERIES = ("ModtagFinansbilag", "ModtagFinansbilagMasse")
SIDES = ("DEBET", "KREDIT")


def _erp(obs: Observation) -> dict[str, Any]:
    return obs.state.get("erp") or {"bilag": [], "nulsumtest": [], "posteringer": []}


def _by_bilag_id(obs: Observation) -> dict[str, list[dict[str, Any]]]:
    """Every stored bilag row, grouped by BilagID, oldest first."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen: set[tuple[str, str, int]] = set()
    for row in _erp(obs)["bilag"]:
        key = (row["BilagID"], row["TransaktionsID"], row["Position"])
        if key not in seen:
            seen.add(key)
            groups[row["BilagID"]].append(row)
    return groups


def _oere(value: Any) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def _sums(bilag: dict[str, Any]) -> tuple[int, int]:
    lines = bilag.get("Finanspostering", [])
    debet = sum(_oere(line["Beløb"]) for line in lines if line.get("DebetKredit") == "DEBET")
    kredit = sum(_oere(line["Beløb"]) for line in lines if line.get("DebetKredit") == "KREDIT")
    return debet, kredit


def _kr(oere: int) -> str:
    return f"{Decimal(oere) / 100:.2f}"


def _is_fault(obs: Observation, entry: dict[str, Any]) -> bool:
    answer = obs.response_of(entry) or {}
    return isinstance(answer, dict) and ("fault" in answer or "_fault" in answer)


def _request(entry: dict[str, Any]) -> dict[str, Any]:
    try:
        parsed = json.loads(entry.get("request") or "{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _tid(value: Any) -> str:
    return str(value or "").lower()


@check(relays=ERP_REFUSALS)
def finans_accepted(obs: Observation, _: Any) -> list[Failure]:
    """Every finansbilag the fagsystem delivered was booked by the ERP (in the end: a correction counts)."""
    failures = []
    for entry in obs.journal:
        if entry["operation"] in ERP_DELIVERIES and entry["status"] >= 400 and not _is_fault(obs, entry):
            for error in obs.refusals(entry):
                failures.append(
                    _from_error("finans_accepted", error, expected="GODKENDT", reproduce=obs.curl(entry))
                )
    for rows in _by_bilag_id(obs).values():
        if any(r["Status"] == "GODKENDT" for r in rows) or rows[-1]["Status"] != "AFVIST":
            continue
        for error in (rows[-1].get("Forretningskvittering") or {}).get("Fejl", []):
            failures.append(_from_error("finans_accepted", error, expected="GODKENDT", reproduce=None))
    return failures


@check("CERT-FINANS-AFVIST", "CERT-FINANS-ANTAL", "CERT-FINANS-IKKE-SENDT")
def finans_booked(obs: Observation, _: Any) -> list[Failure]:
    """Each billed case's finansbilag is booked exactly once (matched by amount), and a shortfall names its
    cause: rejected by the ERP, never sent, or sent twice."""
    booked: dict[int, int] = defaultdict(int)
    rejected: dict[int, list[str]] = defaultdict(list)
    for rows in _by_bilag_id(obs).values():
        for row in rows:
            debet, kredit = _sums(row["Finansbilag"])
            if row["Status"] == "GODKENDT":
                booked[debet] += 1
            elif row["Status"] == "AFVIST":  # an unbalanced bilag is known by either side's sum
                errors = (row.get("Forretningskvittering") or {}).get("Fejl", [])
                for side in {debet, kredit}:
                    rejected[side].extend(e.get("code", "?") for e in errors)
    wanted: dict[int, list[str]] = defaultdict(list)
    for case in obs.billed:
        wanted[_oere(case.amount)].append(case.case_id)
    failures = []
    for oere, case_ids in sorted(wanted.items()):
        found = booked.get(oere, 0)
        if found == len(case_ids):
            continue
        code, detail = "CERT-FINANS-ANTAL", ""  # booked more often than billed: sent twice
        if found < len(case_ids):
            code = "CERT-FINANS-AFVIST" if rejected.get(oere) else "CERT-FINANS-IKKE-SENDT"
            detail = ", ".join(sorted(set(rejected.get(oere, []))))
        failures.append(
            _harness_failure(
                "finans_booked",
                code,
                "$.Finansbilag",
                len(case_ids),
                found,
                {"case": ", ".join(case_ids), "amount": _kr(oere), "detail": detail},
            )
        )
    return failures


@check("CERT-FINANS-UBALANCE")
def finans_balanced(obs: Observation, _: Any) -> list[Failure]:
    """Every finansbilag the fagsystem delivered balances: Σ debet = Σ kredit."""
    failures = []
    for bilag_id, rows in _by_bilag_id(obs).items():
        for row in rows:
            debet, kredit = _sums(row["Finansbilag"])
            if debet != kredit:
                failures.append(
                    _harness_failure(
                        "finans_balanced",
                        "CERT-FINANS-UBALANCE",
                        "$.Finansbilag.Finanspostering",
                        _kr(debet),
                        _kr(kredit),
                        {"bilag": bilag_id, "debet": _kr(debet), "kredit": _kr(kredit)},
                    )
                )
    return failures


@check("CERT-FINANS-UOMSAT", relays=ERP_REFUSALS)
def finans_mapped(obs: Observation, _: Any) -> list[Failure]:
    """Every line of every processed finansbilag was mapped by the omsætningstabel to a kontostreng."""
    failures = []
    for report in _erp(obs)["nulsumtest"]:
        for bilag in report["Bilag"]:
            if not bilag["Kontroller"]["Behandlet"]:
                continue
            for line in bilag["Linjer"]:
                if line["Kontostreng"] is not None:
                    continue
                if line["Fejl"]:
                    failures.append(
                        _from_error(
                            "finans_mapped", line["Fejl"][0], expected="a kontostreng", reproduce=None
                        )
                    )
                else:
                    failures.append(
                        _harness_failure(
                            "finans_mapped",
                            "CERT-FINANS-UOMSAT",
                            f"$.Finansbilag.Finanspostering[{line['Linje'] - 1}].Sortiment",
                            "a kontostreng",
                            None,
                            {"bilag": bilag["BilagID"], "line": line["Linje"]},
                        )
                    )
    return failures


def _expected_sides(argument: Any) -> list[tuple[str, str]]:
    return [(str(e["side"]).upper(), str(e["kontostreng"])) for e in argument or []]


@check("CERT-FINANS-KONTOSTRENG")
def finans_booked_on(obs: Observation, argument: Any) -> list[Failure]:
    """Each billed case's amount is booked on the expected kontostrenge ([{side, kontostreng prefix}])."""
    postings = _erp(obs)["posteringer"]
    failures = []
    for case in obs.billed:
        oere = _oere(case.amount)
        for side, prefix in _expected_sides(argument):
            field = "Debet" if side == "DEBET" else "Kredit"
            same = [p["Kontostreng"] for p in postings if _oere(p[field]) == oere]
            if not any(k.startswith(prefix) for k in same):
                failures.append(
                    _harness_failure(
                        "finans_booked_on",
                        "CERT-FINANS-KONTOSTRENG",
                        "$.Finansbilag.Finanspostering[].Sortiment",
                        prefix,
                        ", ".join(same) or "nothing booked",
                        {"case": case.case_id, "side": side, "amount": _kr(oere)},
                    )
                )
    return failures


def _content(bilag: object) -> str:
    return json.dumps(bilag, sort_keys=True, ensure_ascii=False)


def _resent_same_id(obs: Observation, row: dict[str, Any]) -> bool:
    """Was the rejected bilag delivered again, changed, under its first TransaktionsID?"""
    for entry in obs.journal:
        if entry["operation"] not in ERP_DELIVERIES or entry["status"] >= 500:
            continue  # ØiR answers a changed bilag under a used TransaktionsID with 409: still a resend
        message = _request(entry)
        if _tid((message.get("Hovedoplysninger") or {}).get("TransaktionsID")) != _tid(row["TransaktionsID"]):
            continue
        sent = message.get("Finansbilag")
        for one in sent if isinstance(sent, list) else [sent]:
            same_bilag = isinstance(one, dict) and one.get("BilagID") == row["BilagID"]
            if same_bilag and _content(one) != _content(row["Finansbilag"]):
                return True
    return False


@check("CERT-RETTELSE-MANGLER", "CERT-RETTELSE-SAMME-ID", "CERT-UAENDRET-GENSENDT")
def finans_corrected_at_source(obs: Observation, _: Any) -> list[Failure]:
    """A rejected finansbilag is corrected in the fagsystem and sent again with a new TransaktionsID, never
    resent unchanged (fejlretning ved kilde)."""
    failures = []
    for bilag_id, rows in _by_bilag_id(obs).items():
        rejected = [i for i, row in enumerate(rows) if row["Status"] == "AFVIST"]
        if not rejected:
            continue
        row = rows[rejected[0]]
        later = rows[rejected[0] + 1 :]
        params = {"bilag": bilag_id, "transaktion": row["TransaktionsID"], "what": f"Finansbilag {bilag_id}"}
        unchanged = [r for r in later if _content(r["Finansbilag"]) == _content(row["Finansbilag"])]
        if unchanged:
            params["transaktion"] = unchanged[0]["TransaktionsID"]
            failures.append(
                _harness_failure(
                    "finans_corrected_at_source",
                    "CERT-UAENDRET-GENSENDT",
                    "$.Finansbilag",
                    "a corrected bilag",
                    "the rejected bilag unchanged",
                    params,
                )
            )
        elif _resent_same_id(obs, row):
            failures.append(
                _harness_failure(
                    "finans_corrected_at_source",
                    "CERT-RETTELSE-SAMME-ID",
                    "$.Hovedoplysninger.TransaktionsID",
                    "a new TransaktionsID",
                    row["TransaktionsID"],
                    params,
                )
            )
        elif not any(r["Status"] == "GODKENDT" for r in later):
            failures.append(
                _harness_failure(
                    "finans_corrected_at_source",
                    "CERT-RETTELSE-MANGLER",
                    "$.Finansbilag",
                    "corrected and booked",
                    rows[-1]["Status"],
                    params,
                )
            )
    return failures


def _fetched_after(obs: Observation, position: int, transaktion: str, *, processed: bool) -> bool:
    for entry in obs.journal[position + 1 :]:
        if entry["status"] != 200:
            continue
        answer = obs.response_of(entry) or {}
        if entry["operation"] == "HentForretningskvittering":
            if _tid(_request(entry).get("TransaktionsID")) == transaktion and (
                answer.get("Behandlet") or not processed
            ):
                return True
        elif entry["operation"] in ERP_DELIVERIES and not processed:
            header = _request(entry).get("Hovedoplysninger") or {}
            if _tid(header.get("TransaktionsID")) == transaktion:
                return True
    return False


@check("CERT-KVITTERING-IKKE-HENTET")
def finans_answer_fetched(obs: Observation, _: Any) -> list[Failure]:
    """A lost forretningskvittering is fetched again (or the delivery repeated under its TransaktionsID), and
    a masseleverance's answers are fetched once the ERP has processed them."""
    failures = []
    for position, entry in enumerate(obs.journal):
        if entry["operation"] not in ERP_DELIVERIES or entry["status"] != 200:
            continue
        answer = obs.response_of(entry) or {}
        transaktion = _tid((_request(entry).get("Hovedoplysninger") or {}).get("TransaktionsID"))
        lost = isinstance(answer, dict) and (answer.get("_fault") or {}).get("kind") == "lose_answer"
        later = isinstance(answer, dict) and (
            answer.get("Forretningskvittering", {}).get("Status") == "UNDER_BEHANDLING"
            if entry["operation"] == "ModtagFinansbilagMasse"
            else False
        )
        if not (lost or later) or _fetched_after(obs, position, transaktion, processed=later):
            continue
        failures.append(
            _harness_failure(
                "finans_answer_fetched",
                "CERT-KVITTERING-IKKE-HENTET",
                "$.HentForretningskvittering.TransaktionsID",
                "fetched",
                "never fetched",
                {"transaktion": transaktion, "reason": "lost answer" if lost else "answered later (masse)"},
            )
        )
    return failures


CONTROLS = ("Behandlet", "Bogført", "Balancerer", "AlleLinjerOmsat")


@check("CERT-NULSUMTEST", relays=ERP_REFUSALS)
def nulsumtest(obs: Observation, argument: Any) -> list[Failure]:
    """The ERP's nulsumtest report passes for every bilag: processed, booked, balanced, every line mapped,
    and (given [{side, kontostreng prefix}]) each side landed on the expected kontostreng."""
    failures = []
    for report in _erp(obs)["nulsumtest"]:
        rows = report["Bilag"]
        passed = [b for b in rows if b["Bestået"]]
        if not passed:
            last = rows[-1]
            control = next((c for c in CONTROLS if not last["Kontroller"][c]), "Bestået")
            failures.append(
                _harness_failure(
                    "nulsumtest",
                    "CERT-NULSUMTEST",
                    f"$.Nulsumtest.Kontroller.{control}",
                    True,
                    False,
                    {"bilag": report["Ident"], "control": control},
                )
            )
            for error in last.get("Fejl", []):  # the ERP's own reasons, with their codes and fixes
                failures.append(_from_error("nulsumtest", error, expected="Bestået", reproduce=None))
            continue
        lines = passed[-1]["Linjer"]
        for side, prefix in _expected_sides(argument):
            field = "Debet" if side == "DEBET" else "Kredit"
            landed = [line["Kontostreng"] or "-" for line in lines if line[field]]
            if not any(k.startswith(prefix) for k in landed):
                failures.append(
                    _harness_failure(
                        "nulsumtest",
                        "CERT-NULSUMTEST",
                        f"$.Nulsumtest.Linjer[{side}].Kontostreng",
                        prefix,
                        ", ".join(landed) or "-",
                        {"bilag": report["Ident"], "control": f"{side} on {prefix}"},
                    )
                )
    return failures
