"""Steps for the cross-simulator money properties (tests/test_properties_money.py): one tenant talking to the
debitor system (B_01/B_03, mailbox), NemKonto (SF1590_E), the ERP (SF1590_A) and PSRM's admin API over real
HTTP, and a snapshot of everything the tenant's counterparts hold."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import requests

from tests.conftest import Api
from tests.debitor_messages import OIR_B03, OIR_DA
from tests.erp_messages import STRAKS
from tests.messages import OIR_B01, fordring, header, opret
from tests.nemkonto_messages import AFSEND, HENT, anmodning, ukomplet

START = "2026-09-20"
NEMKONTO = {"Registreringsnummer": "1234", "Kontonummer": "5678901234", "Navn": "Egenskab Testesen"}


def kr(oere: int) -> float:
    """Øre as the wire's kroner (two decimals)."""
    return round(oere / 100, 2)


def oere(kroner: float) -> int:
    return round(kroner * 100)


def rater(hovedstol_oere: int, count: int, first_forfald: date) -> list[dict[str, Any]]:
    """`count` delfordringer summing to the hovedstol, one month apart, SRB 14 days after forfald."""
    share, rest = divmod(hovedstol_oere, count)
    out = []
    for i in range(count):
        forfald = _add_months(first_forfald, i)
        out.append(
            {
                "DelfordringReference": f"R{i + 1}",
                "Beløb": kr(share + (rest if i == count - 1 else 0)),
                "ForfaldDato": forfald.isoformat(),
                "SidsteRettidigeBetalingDato": (forfald + timedelta(days=14)).isoformat(),
            }
        )
    return out


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def ny_fordring(ref: str, hovedstol_oere: int, *, forfalden: bool, antal_rater: int) -> dict[str, Any]:
    """A claim whose first delfordring fell due before the start (SRB passed) or falls due after it."""
    first = date(2026, 8, 1) if forfalden else date(2026, 10, 1)
    parts = rater(hovedstol_oere, antal_rater, first)
    return fordring(
        ref,
        HovedstolBeløb=kr(hovedstol_oere),
        PeriodeFraDato=_add_months(first, -1).isoformat(),
        PeriodeTilDato=(first - timedelta(days=1)).isoformat(),
        StiftelseDato=min(_add_months(first, -1), date.fromisoformat(START)).isoformat(),
        ForfaldDato=parts[0]["ForfaldDato"],
        SidsteRettidigeBetalingDato=parts[0]["SidsteRettidigeBetalingDato"],
        Delfordring=parts,
    )


def unique_cpr() -> str:
    """A CPR number (valid date part) drawn from ~3·10^8: tenants of one kommune share the debitor system's
    B_03 searches, so a debtor must not meet other tests' debtors."""
    n = uuid.uuid4().int
    day, month, year, seq = n % 28 + 1, (n >> 8) % 12 + 1, (n >> 16) % 100, (n >> 24) % 10000
    return f"{day:02d}{month:02d}{year:02d}{seq:04d}"


class Tenant(Api):
    """One tenant, reset to nothing, whose debtor (a CPR of its own) has a NemKonto."""

    def __init__(self, base_url: str, system: str) -> None:
        super().__init__(base_url, "851", system)
        self.cpr = unique_cpr()

    def reset(self) -> None:
        response = self.session.post(f"{self.admin_path}/reset", timeout=30)
        assert response.status_code == 200, response.text
        self.clock(set=START)
        self.cpr = unique_cpr()
        registered = self.session.put(
            f"{self.admin_path}/nemkonto/register/CPR/{self.cpr}", json=NEMKONTO, timeout=30
        )
        assert registered.status_code == 200, registered.text

    def admin(self, path: str) -> Any:
        response = self.session.get(f"{self.admin_path}/{path}", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def profiler(self) -> list[dict[str, Any]]:
        """The debitor-system behaviour profiles the test kommune offers."""
        response = self.session.get(f"{self.base_url}/admin/debitorprofiler", timeout=30)
        assert response.status_code == 200, response.text
        return list(response.json()["profiler"])

    def today(self) -> str:
        return str(self.admin("clock")["now"])[:10]

    # --- the fagsystem's and the kasse's messages ---------------------------------------------------

    def opret_fordring(self, claim: dict[str, Any], message_header: dict[str, str] | None = None) -> Any:
        message = opret(claim, account="K1", cpr=self.cpr)
        message["Hovedoplysninger"] = message_header or header()
        return self.post(f"{OIR_B01}/OpretDebitorkonto", message)

    def indbetal(self, body: dict[str, Any], message_header: dict[str, str] | None = None) -> Any:
        message = {"Hovedoplysninger": message_header or header(), "ForetagIndbetaling": body}
        return self.post(f"{OIR_B03}/ForetagIndbetaling", message)

    def reguler(
        self, operation: str, body: dict[str, Any], message_header: dict[str, str] | None = None
    ) -> Any:
        return self.post(
            f"{OIR_B01}/{operation}", {"Hovedoplysninger": message_header or header(), operation: body}
        )

    def overdrag(self, ref: str) -> Any:
        message = {
            "Hovedoplysninger": header(),
            "RetFordringTilstand": {"FordringReference": ref, "FordringTilstand": "OVERDRAG_TIL_INDDRIVELSE"},
        }
        return self.post(f"{OIR_B01}/RetFordringTilstand", message)

    def ydelse(self, beloeb_oere: int) -> str:
        """Send a benefit payout to the debtor through NemKonto; returns the bundle's TransaktionsID."""
        bundle = anmodning([ukomplet(kr(beloeb_oere), {"CPRNummer": self.cpr}, Betalingsart="YDELSE")])
        sent = self.post(AFSEND, bundle)
        assert sent.status_code == 200, sent.text
        assert sent.json()["Forretningskvittering"]["Status"] == "UNDER_BEHANDLING", sent.text
        return str(bundle["Hovedoplysninger"]["TransaktionsID"])

    def retursvar(self, transaktions_id: str) -> dict[str, Any]:
        """The processed answer to a one-payment bundle (NKSForretningssvarHent by its TransaktionsID)."""
        svar = self.post(HENT, {"TransaktionsID": transaktions_id})
        assert svar.status_code == 200, svar.text
        [forretningssvar] = svar.json()["Forretningssvar"]
        assert forretningssvar["Status"] == "BEHANDLET", forretningssvar
        [retursvar] = forretningssvar["Retursvar"]
        return dict(retursvar)

    def behandlingstid(self, sekunder: int) -> None:
        """How long NemKonto takes to process a bundle (its answer and set-off come at that time)."""
        response = self.session.patch(
            f"{self.admin_path}/nemkonto/indstillinger",
            json={"behandlingstid_sekunder": sekunder},
            timeout=30,
        )
        assert response.status_code == 200, response.text

    def psrm_betal(self, beloeb_oere: int) -> requests.Response:
        body = {"SkyldnerID": self.cpr, "Beløb": kr(beloeb_oere), "BetalingDato": self.today()}
        return self.session.post(f"{self.admin_path}/psrm/indbetalinger", json=body, timeout=30)

    def bilag(self, message: dict[str, Any]) -> Any:
        return self.post(STRAKS, message)

    # --- what the tenant sees --------------------------------------------------------------------------

    def mailbox(self) -> list[dict[str, Any]]:
        """Every message the fagsystem can fetch from its mailbox (HentDaekningAfskrivning, page by page)."""
        out: list[dict[str, Any]] = []
        cursor = 0
        while True:
            response = self.post(f"{OIR_DA}/HentDaekningAfskrivning", {"Cursor": cursor})
            assert response.status_code == 200, response.text
            page = response.json()
            out.extend(page["Besked"])
            if not page["FlereBeskeder"]:
                return out
            cursor = page["Cursor"]

    def claims(self) -> dict[str, dict[str, Any]]:
        """The owner's full view of each of its claims, by FordringReference."""
        return {c["FordringReference"]: c for a in self.admin("debitor")["accounts"] for c in a["Fordring"]}

    def invarianter(self) -> dict[str, Any]:
        return dict(self.admin("invarianter"))

    def snapshot(self) -> dict[str, Any]:
        """What every counterpart holds for this tenant (not the journal, which records every attempt)."""
        state = self.admin("state")
        return {
            "debitor": state["debitor"],
            "psrm": state["psrm"],
            "deliveries": state["oir"]["deliveries"],
            "debitorsystem": self.admin("debitor"),
            "psrm_indbetalinger": self.admin("psrm/indbetalinger")["indbetalinger"],
            "nemkonto_bundter": self.admin("nemkonto/bundter")["Bundter"],
            "nemkonto_betalinger": self.admin("nemkonto/betalinger")["Betalinger"],
            "erp_posteringer": self.admin("erp/posteringer")["Posteringer"],
        }


def booked(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The booked part of a snapshot: without the answers kept for replay (deliveries, refused bundles)."""
    accepted = [b for b in snapshot["nemkonto_bundter"] if b["Forretningssvar"]["Status"] != "AFVIST"]
    paid = [p for p in snapshot["nemkonto_betalinger"] if p["Status"] != "AFVIST" or p["Udbetalinger"]]
    return {
        k: v
        for k, v in snapshot.items()
        if k not in ("deliveries", "nemkonto_bundter", "nemkonto_betalinger")
    } | {
        "nemkonto_bundter": accepted,
        "nemkonto_betalinger": paid,
    }
