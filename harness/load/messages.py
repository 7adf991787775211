"""The work of one simulated fagsystem worker: billing cases from the data factories, finansbilag for them.

Payouts (SF1590_E NKSBetalingsanmodningAfsend) go to the same synthetic citizens.
Debtor registrations (OpretDebitorkonto) are built and sent by the reference fagsystem itself
(`scenarios.fagsystemer.foraeldrebetaling`), so a load run sends exactly what the certified reference
sends. The ERP finansbilag (SF1590_A ModtagFinansbilag, straks) books the same case's forældrebetaling:
debet the mellemregning with the debitor system, kredit the income on the standard sortiment of an
integreret institution (contracts/erp/standard_omsaetningstabel.json).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

import factory.random
from testkommune.contracts.clock import DANISH_TZ
from testkommune.contracts.model import BillingCase
from testkommune.harness.testdata.factories import BillingCaseFactory, CitizenFactory

ERP_STRAKS = "/service/OIR/ModtagFinansbilag/2/ModtagFinansbilag"
DATALEVERANDOER = ("4711", "DAGTILBUD-LOAD")  # DataleverandøridentifikationKort, -IdentifikationLang
SORTIMENT_INDTAEGT = {"Ydelsestype": "INTEGRERET", "Art": "FORAELDREBETALING", "Omkostningssted": "SOLSIKKEN"}
SORTIMENT_MELLEMREGNING = {"Art": "MELLEMREGNING_DEBITOR"}


def next_month(today: date) -> date:
    """The first day of the month after `today`: day care is billed a month in advance."""
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def billing_case(tag: str, number: int, today: date) -> BillingCase:
    """A synthetic case (seeded data factories) for next month, with an id unique to this generator."""
    return BillingCaseFactory.create(case_id=f"{tag}-{number:06d}", period_from=next_month(today))


def header(today: date) -> dict[str, str]:
    sent = datetime.combine(today, time(9, 0), DANISH_TZ)
    return {"TransaktionsID": str(uuid.uuid4()), "TransaktionsTid": sent.isoformat()}


def finansbilag(case: BillingCase, today: date, kommune: str) -> dict[str, Any]:
    """A ModtagFinansbilag message booking `case`'s amount on `today` in `kommune`'s ERP."""
    text = f"{case.description}"[:100]
    amount = float(case.amount)
    lines = [
        {"Beløb": amount, "DebetKredit": "DEBET", "Tekst": text, "Sortiment": SORTIMENT_MELLEMREGNING},
        {"Beløb": amount, "DebetKredit": "KREDIT", "Tekst": text, "Sortiment": SORTIMENT_INDTAEGT},
    ]
    kort, lang = DATALEVERANDOER
    return {
        "Hovedoplysninger": header(today),
        "Finansbilag": {
            "BilagID": f"LB-{case.case_id}",
            "Bilagsdato": today.isoformat(),
            "Bogføringsdato": today.isoformat(),
            "DataleverandøridentifikationKort": kort,
            "DataleverandørIdentifikationLang": lang,
            "Myndighed": {"Kommunenummer": kommune},
            "Tekst": text,
            "Finanspostering": lines,
        },
    }


NKS_AFSEND = "/service/OIR/NKSBetalingsanmodning/1/NKSBetalingsanmodningAfsend"
NKS_DATALEVERANDOER = ("4712", "YDELSE-LOAD")
PAYMENTS_PER_BUNDLE = 3


def betalingsanmodning(case: BillingCase, today: date, myndighed_cvr: str) -> dict[str, Any]:
    """A SF1590_E bundle of PAYMENTS_PER_BUNDLE komplet payouts (OEVRIG, never set off) to synthetic
    citizens, made with the same factories; GrpId and EndToEndId carry the case id, so they are unique."""
    payees = [case.debtor, *CitizenFactory.create_batch(PAYMENTS_PER_BUNDLE - 1)]
    rng = factory.random.randgen
    payments = [
        {
            "EndToEndId": f"{case.case_id}-{i}",
            "Beløb": float(case.amount),
            "Modtager": {"CPRNummer": payee.id},
            "Betalingsform": "KOMPLET",
            "Konto": {
                "Registreringsnummer": f"{rng.randint(1000, 9999)}",
                "Kontonummer": f"{rng.randrange(10**10):010d}",
            },
            "Tekst": case.description[:100],
            "Betalingsart": "OEVRIG",
        }
        for i, payee in enumerate(payees, start=1)
    ]
    kort, lang = NKS_DATALEVERANDOER
    return {
        "Hovedoplysninger": header(today),
        "GroupHeader": {
            "GrpId": f"LG-{case.case_id}",
            "OprettetTidspunkt": datetime.combine(today, time(8, 55), DANISH_TZ).isoformat(),
            "AntalTransaktioner": len(payments),
            "KontrolSum": float(case.amount * len(payments)),
        },
        "PaymentInformation": {
            "Myndighed": {"CVRNummer": myndighed_cvr},
            "DataleverandøridentifikationKort": kort,
            "DataleverandørIdentifikationLang": lang,
            "Betalingsdato": today.isoformat(),
        },
        "PaymentTransaction": payments,
    }
