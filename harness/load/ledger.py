"""What the load generator was told was accepted, and the check that the test kommune stored each once.

After the run the test kommune's admin state is read: every acknowledged claim (FordringReference) must
be in the debitor system exactly once, every acknowledged finansbilag (BilagID) booked in the ERP by
exactly one delivery, every acknowledged betalingsanmodning bundle (GrpId) taken by NemKonto once.
Missing = lost; more than once = double-booked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests
from testkommune.harness.certify.client import every_page

KINDS = ("opretdebitorkonto", "finansbilag", "betalingsanmodning")


@dataclass
class Ledger:
    """Acknowledged business keys per kind, and business refusals (answers AFVIST)."""

    acknowledged: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    refused: int = 0
    tags: list[str] = field(default_factory=list)
    """The case-id tags of the generator processes (their claims' references contain `-<tag>-`)."""

    def ack(self, kind: str, key: str) -> None:
        self.acknowledged[kind].append(key)

    def merge(self, data: dict[str, Any]) -> None:
        for kind in KINDS:
            self.acknowledged[kind].extend(data.get("acknowledged", {}).get(kind, []))
        self.refused += int(data.get("refused", 0))
        self.tags.extend(data.get("tags", []))

    def as_message(self) -> dict[str, Any]:
        return {"acknowledged": self.acknowledged, "refused": self.refused}

    def total(self) -> int:
        return sum(len(v) for v in self.acknowledged.values())


@dataclass(frozen=True)
class Reconciliation:
    acknowledged: int
    lost: list[str]
    double_booked: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "acknowledged": self.acknowledged,
            "lost": len(self.lost),
            "double_booked": len(self.double_booked),
            "lost_examples": self.lost[:10],
            "double_booked_examples": self.double_booked[:10],
        }


def reconcile(
    ledger: Ledger,
    base_url: str,
    kommune: str,
    system: str,
    admin_token: str | None = None,
    prefixes: list[str] | None = None,
) -> Reconciliation:
    """Compare the ledger with the tenant's stored claims and ERP postings.

    Besides every acknowledged key, any claim of this run (its reference carries one of the generators'
    tags) stored more than once counts as double-booked, even when its answer never reached the generator.
    """
    session = requests.Session()
    if admin_token:
        session.headers["Authorization"] = f"Bearer {admin_token}"
    admin = f"{base_url}/admin/tenants/{kommune}/{system}"
    lost: list[str] = []
    double: list[str] = []
    state = _get(session, f"{admin}/state")
    claims = Counter(c["FordringReference"] for c in state["debitor"]["claims"])
    for reference in ledger.acknowledged["opretdebitorkonto"]:
        _judge(f"OpretDebitorkonto {reference}", claims.get(reference, 0), lost, double)
    ours = [f"-{tag}-" for tag in prefixes or ()]
    double.extend(
        f"OpretDebitorkonto {ref} (stored {n}x)"
        for ref, n in claims.items()
        if n > 1 and any(mark in ref for mark in ours)
    )
    if ledger.acknowledged["finansbilag"]:
        postings = _all_postings(session, f"{admin}/erp/posteringer")
        deliveries: dict[str, set[str]] = {}
        for line in postings:
            deliveries.setdefault(line["BilagID"], set()).add(line["TransaktionsID"])
        for bilag_id in ledger.acknowledged["finansbilag"]:
            _judge(f"Finansbilag {bilag_id}", len(deliveries.get(bilag_id, ())), lost, double)
    if ledger.acknowledged["betalingsanmodning"]:
        bundles = Counter(
            b["Forretningssvar"]["GrpId"]
            for b in _get(session, f"{admin}/nemkonto/bundter")["Bundter"]
            if b["Forretningssvar"]["Status"] != "AFVIST"
        )
        for grp_id in ledger.acknowledged["betalingsanmodning"]:
            _judge(f"Betalingsanmodning {grp_id}", bundles.get(grp_id, 0), lost, double)
    return Reconciliation(ledger.total(), lost, sorted(set(double)))


def _judge(label: str, stored: int, lost: list[str], double: list[str]) -> None:
    if stored == 0:
        lost.append(label)
    elif stored > 1:
        double.append(f"{label} (stored {stored}x)")


def _all_postings(session: requests.Session, url: str) -> list[dict[str, Any]]:
    """Every posting of the ERP's posteringer view, page by page."""
    return every_page(lambda after: _get(session, f"{url}?limit=5000&after={after}"), "Posteringer")


def _get(session: requests.Session, url: str) -> dict[str, Any]:
    response = session.get(url, timeout=60)
    response.raise_for_status()
    return response.json()
