"""The limitation date PSRM stores for a claim complex at receipt (psrm.md §9, filterregler.md §5.2).

- GIL § 18 a stk. 7: a claim handed over is time-barred no earlier than 3 years after receipt; for a claim
  sent back and re-submitted the 3 years run from the *first* receipt (4. pkt.) [JV G.A.2.4.4.2.2].
- GIL § 18 a stk. 4: under inddrivelse the period is 3 years even if the claim had 10 years before, so a
  later submitted date is cut to receipt + 3 years; municipal civil-law claims keep their own
  date [JV G.A.2.4.3].
- Forældelsesloven § 27 stk. 2: a deadline ending on a weekend, helligdag, 5 June, 24 or 31 December moves to
  the next hverdag. That it governs the § 18 a stk. 7 floor is our reading [I] (filterregler.md §5.2), so
  it is a tenant setting (`psrm.foraeldelse_par27`, default on).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from testkommune.contracts.fordringstyper import fordringstyper
from testkommune.simulators.rules.kalender import frist_udloeb

THREE_YEARS = relativedelta(years=3)


def limitation(
    claim: Any, received: date, *, first_received: date | None = None, par27: bool = True
) -> dict[str, Any]:
    """The complex's limitation date at receipt, the rule that chose it and the receipt it counts from."""
    submitted = max((d.foraeldelsesdato for d in claim.debtors if d.foraeldelsesdato), default=None)
    first = first_received or received
    known = fordringstyper().get(claim.fordringstype)
    if known is not None and known.forretningsomraade == "civilretlige":
        return {
            "dato": submitted.isoformat() if submitted else None,
            "regel": "civilretlig: egen frist (GIL § 18 a stk. 4)",
            "foerste_modtagelse": first.isoformat(),
        }
    floor = first + THREE_YEARS  # forældelsesloven § 27 stk. 1 is relativedelta's month-end rule
    if par27:
        floor = frist_udloeb(floor)
    cap = received + THREE_YEARS
    chosen = max(min(submitted, cap), floor) if submitted else floor
    rule = "GIL § 18 a stk. 7: mindst 3 år efter første modtagelse"
    if submitted and submitted > cap and chosen == cap:
        rule = "GIL § 18 a stk. 4: 3 år under inddrivelse"
    return {"dato": chosen.isoformat(), "regel": rule, "foerste_modtagelse": first.isoformat()}
