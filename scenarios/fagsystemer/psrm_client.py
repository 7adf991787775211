"""The direct-role fagsystem's PSRM client (system to system): actions, receipts and hearing answers.

It sends each action in a leverance of its own to MFFordringIndberet, keeps the synchronous answer, fetches
the receipt of every action not yet final with MFKvitteringHent, and answers a hearing with HoeringSvar
(psrm.md §2, §3.2, §5.4). The fagsystem decides what to send; this module only carries it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from decimal import Decimal
from typing import Any

import requests
from testkommune.contracts.clock import DANISH_TZ
from testkommune.contracts.driver import KommuneConnection

PSRM = "/psrm"
SYSTEM_SE = "29189846"  # the kommune's SE number as PSRM's system-to-system client (its onboarding)
FINAL = {"UDFOERT", "AFVIST"}


@dataclass
class SentAction:
    """One action the fagsystem sent and what PSRM has said about it so far."""

    aktion_id: str
    leverance_id: str
    kode: str
    status: str = "SENDT"  # SENDT, MODTAGET, HOERING, UDFOERT, AFVIST
    fordring_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    hearing: bool = False


class PsrmClient:
    def __init__(self, session: requests.Session, kommune: KommuneConnection) -> None:
        self.session = session
        self.kommune = kommune
        self.sent: dict[str, SentAction] = {}

    @property
    def fordringshaver_id(self) -> str:
        """The 4-digit fordringshaver-ID Gældsstyrelsen assigned the kommune (the test kommune's stand-in)."""
        return self.kommune.kommune.rjust(4, "0")

    def send(self, kode: str, struktur: str, body: dict[str, Any], today: date) -> SentAction:
        """Send one action (MFAktionKode `kode`, its structure under `struktur`) in a leverance of its own."""
        aktion_id = f"A-{uuid.uuid4().hex[:20]}"
        sent = SentAction(aktion_id, f"L-{uuid.uuid4().hex[:20]}", kode)
        self.sent[aktion_id] = sent
        if struktur == "OpretFordringAktion":  # the id sits inside the action's structure (soap.md §1)
            body = body | {
                "MFOpretFordringStruktur": body["MFOpretFordringStruktur"] | {"MFAktionID": aktion_id}
            }
        else:
            body = body | {"MFAktionID": aktion_id}
        message = {
            "Kontekst": {"HovedOplysninger": self._header(today)},
            "FordringhaverSystemIDStruktur": {"VirksomhedSENummer": SYSTEM_SE},
            "MFLeveranceID": sent.leverance_id,
            "FordringAktionSamling": {
                "FordringAktion": [
                    {
                        "MFAktionKode": kode,
                        "DMIFordringHaverID": self.fordringshaver_id,
                        "AktionValg": {struktur: body},
                    }
                ]
            },
        }
        answer = self._post("MFFordringIndberet", message)
        statuses = (((answer or {}).get("FordringInfo") or {}).get("FordringAktionStatusSamling") or {}).get(
            "MFAktionStruktur"
        ) or []
        for status in statuses:
            self._note(status)
        return sent

    def fetch_receipts(self) -> None:
        """Fetch the receipt of every action PSRM has not finished with (MFKvitteringHent)."""
        for sent in [s for s in self.sent.values() if s.status not in FINAL]:
            answer = self._post("MFKvitteringHent", {"MFLeveranceID": sent.leverance_id})
            statuses = ((answer or {}).get("FordringAktionStatusSamling") or {}).get("MFAktionStruktur") or []
            for status in statuses:
                self._note(status)

    def interest(self, fordring_id: str | None, since: date, today: date) -> Decimal:
        """Inddrivelsesrente PSRM notified on a claim from `since` to today (MFUnderretSamlingHent)."""
        body = {
            "FordringhaverSystemIDStruktur": {"VirksomhedSENummer": SYSTEM_SE},
            "DatoInterval": {"StartDato": since.isoformat(), "SlutDato": today.isoformat()},
            "UnderretningTypeKode": ["RENTER"],
        }
        answer = self._post("MFUnderretSamlingHent", body) or {}
        notes = (answer.get("UnderretningSamling") or {}).get("Underretning") or []
        mine = [n for n in notes if n.get("DMIFordringEFIFordringID") == fordring_id]
        return sum((Decimal(str(n["RenteBeløb"])) for n in mine), Decimal(0))

    def answer_hearing(self, sent: SentAction, approve: bool, justification: str) -> None:
        """Answer PSRM's hearing of an action: approve with a justification, or withdraw."""
        body = {
            "FordringhaverSystemIDStruktur": {"VirksomhedSENummer": SYSTEM_SE},
            "MFAktionID": sent.aktion_id,
            "HoeringSvarKode": "GODKEND" if approve else "TILBAGETRAEK",
            "Begrundelse": justification,
        }
        answer = self._post("HoeringSvar", body)
        if answer is not None and "MFAktionStatusKode" in answer:
            sent.hearing = False
            self._note(answer)

    def _note(self, status: dict[str, Any]) -> None:
        sent = self.sent.get(status.get("MFAktionID", ""))
        if sent is None:
            return
        sent.status = status["MFAktionStatusKode"]
        sent.fordring_id = status.get("DMIFordringEFIFordringID") or sent.fordring_id
        sent.errors = (status.get("AfvistÅrsagSamling") or {}).get("MFAktionAfvistStruktur") or []
        sent.hearing = status.get("HoeringStatus") == "AFVENTER_FORDRINGSHAVER"

    def _header(self, today: date) -> dict[str, str]:
        sent = datetime.combine(today, clock_time(9, 0), DANISH_TZ)
        return {"TransaktionsID": str(uuid.uuid4()), "TransaktionsTid": sent.isoformat()}

    def _post(self, operation: str, body: dict[str, Any]) -> dict[str, Any] | None:
        try:
            response = self.session.post(
                f"{self.kommune.base_url}{PSRM}/{operation}",
                json=body,
                headers=self.kommune.headers,
                timeout=30,
            )
        except requests.ConnectionError:
            return None
        if response.status_code >= 400 or not response.content:
            return None
        answer = response.json()
        return answer if isinstance(answer, dict) else None
