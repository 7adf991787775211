"""Checks of the debitor system's round trip: rykker and fees, hand-over after the rykker procedure, and the
updates (dækning, set-off, fees, status) the fagsystem must read back from its mailbox.

They read the debitor system's admin view (`state["debitor_system"]`: profile, accounts, letters, mailbox),
the journal of exchanges and the messages as delivered; never what the fagsystem says about itself.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from testkommune.harness.certify.checks import _harness_failure, check
from testkommune.harness.certify.observation import Observation
from testkommune.harness.certify.results import Failure

HANDOVER_WARNING = "DEB-OVERDRAG-UDEN-RYKKER"  # the debitor system's warning on an early hand-over
MAILBOX_OPERATION = "HentDaekningAfskrivning"
SIGN = {  # how an update moves what the debtor owes on a claim (contracts/oir/HentDaekningAfskrivning_O)
    "DAEKNING": -1,
    "AFSKRIVNING": -1,
    "NEDSKRIVNING": -1,
    "MODREGNING": -1,
    "RENTE": 1,
    "RYKKERGEBYR": 1,
    "OPSKRIVNING": 1,
    "DAEKNING_TILBAGEFOERT": 1,
    "STATUS": 0,
}
DEBITOR_VIEW_CHECKS = frozenset(
    {
        "rykker_sent",
        "handover_after_rykker",
        "mailbox_read",
        "fagsystem_saldo",
        "daekning_read",
        "psrm_status",
    }
)


def _view(obs: Observation) -> dict[str, Any]:
    return obs.state["debitor_system"]


def _claims(obs: Observation) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(case id, booked claim as delivered, the debitor system's full view of it) per billed case."""
    full = {c["FordringID"]: c for a in _view(obs)["accounts"] for c in a["Fordring"]}
    out = []
    for case in obs.billed:
        for booked in obs.claims_of(case)[:1]:
            shown = next(
                (c for c in full.values() if c["FordringReference"] == booked["FordringReference"]), None
            )
            if shown is not None:
                out.append((case.case_id, booked, shown))
    return out


def _read_messages(obs: Observation) -> dict[str, dict[str, Any]]:
    """Every mailbox message the debitor system gave the fagsystem, by BeskedID (from the journal)."""
    read: dict[str, dict[str, Any]] = {}
    for entry in obs.exchanges(MAILBOX_OPERATION):
        answer = obs.response_of(entry) if entry["status"] == 200 else None
        for message in (answer or {}).get("Besked", []) if isinstance(answer, dict) else []:
            read.setdefault(message["BeskedID"], message)
    return read


def _visible(obs: Observation) -> list[dict[str, Any]]:
    now = datetime.fromisoformat(obs.state["clock"]["now"])
    return [
        m for m in _view(obs)["mailbox"] if not m.get("Synlig") or datetime.fromisoformat(m["Synlig"]) <= now
    ]


@check("CERT-RYKKER-MANGLER")
def rykker_sent(obs: Observation, _: Any) -> list[Failure]:
    """Each billed claim got the profile's rykker letters, each with its fee on the claim (use after the
    profile's last rykker day)."""
    profile = _view(obs)["profil"]
    wanted = int(profile["rykker"]["antal"])
    fee = Decimal(str(profile["rykker"]["gebyr_kr"]))
    failures = []
    for _case, booked, shown in _claims(obs):
        letters = [
            x
            for x in _view(obs)["letters"]
            if x["Type"] == "RYKKER"
            and x["FordringID"] == shown["FordringID"]
            and Decimal(str(x["Indhold"].get("Gebyr", 0))) == fee
        ]
        fees = Decimal(str(shown.get("RykkergebyrBeløb", 0)))
        if len(letters) < wanted or fees != fee * wanted:
            failures.append(
                _harness_failure(
                    "rykker_sent",
                    "CERT-RYKKER-MANGLER",
                    f"letters (FordringReference {booked['FordringReference']})",
                    wanted,
                    len(letters),
                    {"ref": booked["FordringReference"], "profil": profile["id"]},
                )
            )
    return failures


@check("CERT-OVERDRAGET-UNDER-RYKKER")
def handover_after_rykker(obs: Observation, _: Any) -> list[Failure]:
    """No hand-over was asked for while the debitor system's rykker procedure had not run (its warning)."""
    failures = []
    for entry in obs.exchanges("RetFordringTilstand"):
        answer = obs.response_of(entry) or {}
        receipt = answer.get("Forretningskvittering", {}) if isinstance(answer, dict) else {}
        for warning in receipt.get("Advarsler", []):
            if warning.get("code") != HANDOVER_WARNING:
                continue
            request = json.loads(entry.get("request") or "{}").get("RetFordringTilstand") or {}
            ref = request.get("FordringReference", "?")
            failures.append(
                _harness_failure(
                    "handover_after_rykker",
                    "CERT-OVERDRAGET-UNDER-RYKKER",
                    f"$.RetFordringTilstand (FordringReference {ref})",
                    "no warning",
                    f"{HANDOVER_WARNING} on {entry['sim_time'][:10]}: {warning.get('text_en', '')}".strip(),
                    {"ref": ref},
                    reproduce=obs.curl(entry),
                )
            )
    return failures


@check("CERT-POSTKASSE-ULAEST")
def mailbox_read(obs: Observation, _: Any) -> list[Failure]:
    """The fagsystem has read every update visible in its mailbox (HentDaekningAfskrivning up to the last)."""
    visible = _visible(obs)
    read = _read_messages(obs)
    unread = [m for m in visible if m["BeskedID"] not in read]
    if not unread:
        return []
    cursors = [
        (obs.response_of(e) or {}).get("Cursor", 0)
        for e in obs.exchanges(MAILBOX_OPERATION)
        if e["status"] == 200
    ]
    return [
        _harness_failure(
            "mailbox_read",
            "CERT-POSTKASSE-ULAEST",
            f"$.{MAILBOX_OPERATION}.Cursor",
            len(visible),
            len(unread),
            {"cursor": max(cursors, default=0), "last": visible[-1]["Sekvensnummer"]},
        )
    ]


def _hovedstol_part(message: dict[str, Any]) -> Decimal:
    """The part of an update that moves the hovedstol (not a fee or interest delfordring)."""
    amount = Decimal(str(message["Beløb"]))
    details = message.get("Detaljer") or {}
    if message["Type"] in ("RENTE", "RYKKERGEBYR", "STATUS") or details.get("RelateretFordring"):
        return Decimal(0)
    parts = details.get("Delfordring")
    if isinstance(parts, list):
        return sum((Decimal(str(p["Beløb"])) for p in parts if p.get("Type") == "HOVEDSTOL"), Decimal(0))
    return amount


@check("CERT-SALDO-AFVIGER")
def fagsystem_saldo(obs: Observation, _: Any) -> list[Failure]:
    """What the updates the fagsystem read say is owed on each claim equals the debitor system's balance:
    the hovedstol's saldo always, the whole restance (with fees and interest) while under opkrævning."""
    read = list(_read_messages(obs).values())
    failures = []
    for _case, booked, shown in _claims(obs):
        ref = booked["FordringReference"]
        mine = [m for m in read if m["FordringReference"] == ref]
        start = Decimal(str(booked["Data"].get("HovedstolBeløb", 0)))
        compared = [
            (
                "SaldoBeløb",
                shown["SaldoBeløb"],
                start + sum((SIGN.get(m["Type"], 0) * _hovedstol_part(m) for m in mine), Decimal(0)),
            ),
        ]
        if shown["FordringTilstand"] in ("OPKRAEVNING", "BERO"):
            total = start + sum((SIGN.get(m["Type"], 0) * Decimal(str(m["Beløb"])) for m in mine), Decimal(0))
            compared.append(("RestanceBeløb", shown["RestanceBeløb"], total))
        for name, actual, told in compared:
            expected = Decimal(str(actual)).quantize(Decimal("0.01"))
            if told.quantize(Decimal("0.01")) != expected:
                failures.append(
                    _harness_failure(
                        "fagsystem_saldo",
                        "CERT-SALDO-AFVIGER",
                        f"$.{MAILBOX_OPERATION}.Besked (FordringReference {ref}, {name})",
                        f"{expected:.2f}",
                        f"{told:.2f}",
                        {"ref": ref},
                    )
                )
    return failures


@check("CERT-DAEKNING-MANGLER")
def daekning_read(obs: Observation, source: Any) -> list[Failure]:
    """A dækning from the given source (e.g. MODREGNING, PSRM) on each billed claim reached the fagsystem."""
    wanted = str(source or "PSRM")
    read = _read_messages(obs)
    failures = []
    for _case, booked, _shown in _claims(obs):
        ref = booked["FordringReference"]
        found = [
            m
            for m in read.values()
            if m["Type"] == "DAEKNING"
            and m["FordringReference"] == ref
            and (m.get("Detaljer") or {}).get("Kilde") == wanted
        ]
        if not found:
            failures.append(
                _harness_failure(
                    "daekning_read",
                    "CERT-DAEKNING-MANGLER",
                    f"$.{MAILBOX_OPERATION}.Besked (FordringReference {ref})",
                    wanted,
                    "none read",
                    {"ref": ref},
                )
            )
    return failures
