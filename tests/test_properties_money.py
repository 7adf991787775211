"""Money properties across the debitor system, PSRM and NemKonto, checked by Hypothesis over real HTTP.

(1) Money is conserved: under each debitor profile, after a random sequence of claims (with delfordringer),
B_03 payments by the owner or a kasse (with re-deliveries), set-off against NemKonto benefit payouts (answered
at once or after a behandlingstid), hand-overs to PSRM once SRB has passed, PSRM payments, op- and
nedskrivninger and clock moves: every cross-system invariant holds, every øre received was reported back to
the fagsystem's mailbox as dækning or is still unapplied, PSRM received what was open, and each claim's saldo
is hovedstol + opskrivning − nedskrivning − the dækning of its hovedstol.
(2) A refused message changes no state (only its answer is kept, for replay).
(3) Replaying a message (same TransaktionsID) returns the same answer and changes nothing.
One tenant (and its kasse) per property, reset before every example; the server is the session's in-process
test kommune. TK_PROPERTY_EXAMPLES=300 runs a longer, randomised hunt.
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, example, given, note, settings
from hypothesis import strategies as st
from testkommune.contracts.schemas import load_reference
from testkommune.harness.server import RunningKommune

from tests.erp_messages import finansbilag, modtag, opkraevning
from tests.messages import header
from tests.nemkonto_messages import AFSEND, anmodning, ukomplet
from tests.property_steps import START, Tenant, booked, kr, ny_fordring, oere

EXAMPLES = int(os.environ.get("TK_PROPERTY_EXAMPLES", "40"))  # a longer hunt: TK_PROPERTY_EXAMPLES=300
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="TK_PROPERTY_EXAMPLES" not in os.environ,  # the suite: the same examples every run
    database=None,  # nothing written to the shared tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MONEY_SOURCES = ("INDBETALING", "MODREGNING")
PROFILER = [p["id"] for p in load_reference("debitorprofiler.json")["profiles"]]  # rykker, renter, delays


@pytest.fixture(scope="module")
def tenant(kommune: RunningKommune) -> Tenant:
    return Tenant(kommune.base_url, f"h6-{uuid.uuid4().hex[:10]}")


@pytest.fixture(scope="module")
def kasse(kommune: RunningKommune, tenant: Tenant) -> Tenant:
    """Another anvendersystem of the kommune (a cash desk) that pays on the tenant's claims through B_03."""
    return Tenant(kommune.base_url, f"{tenant.system}-kasse")


def _status(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return dict(response.json()["Forretningskvittering"])


def _codes(answer: dict[str, Any]) -> list[str]:
    return [e["code"] for e in answer.get("Fejl", [])]


# --- (1) money is conserved ---------------------------------------------------------------------------------

AMOUNT = st.integers(min_value=1, max_value=400_000)  # øre: up to 4000 kr
CLAIM = st.integers(min_value=0, max_value=7)  # which claim (modulo how many there are)
OPERATION = st.one_of(
    st.tuples(
        st.just("opret"),
        st.integers(min_value=100, max_value=500_000),
        st.booleans(),
        st.integers(min_value=1, max_value=3),
        st.booleans(),
    ),
    st.tuples(
        st.just("indbetal"),
        st.none() | CLAIM,
        AMOUNT,
        st.sampled_from(["ingen", "transaktion", "indbetaling"]),
        st.booleans(),
    ),
    st.tuples(st.just("ydelse"), AMOUNT),
    st.tuples(st.just("dage"), st.integers(min_value=1, max_value=30)),
    st.tuples(st.just("overdrag"), CLAIM, st.none() | AMOUNT),
    st.tuples(st.just("psrm"), AMOUNT),
    st.tuples(st.just("opskriv"), CLAIM, st.integers(min_value=1, max_value=200_000)),
    st.tuples(st.just("nedskriv"), CLAIM, st.integers(min_value=1, max_value=101)),
)


@dataclass
class Ledger:
    """What the test sent and was told, in øre, independent of the simulators' own books."""

    hovedstol: dict[str, int] = field(default_factory=dict)
    first_srb: dict[str, str] = field(default_factory=dict)
    op: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ned: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    indbetalt: int = 0
    overskydende: int = 0
    modregnet: int = 0
    psrm_indbetalt: int = 0
    handed_over: dict[str, int] = field(default_factory=dict)  # ref → its restance when handed over
    ydelser: dict[str, int] = field(default_factory=dict)  # benefit payouts not yet answered: id → amount

    def ref(self, index: int) -> str | None:
        refs = sorted(self.hovedstol, key=lambda r: int(r[1:]))
        return refs[index % len(refs)] if refs else None


class Run:
    """Carries one sequence out against the tenant, asserting each answer as it comes."""

    def __init__(self, tenant: Tenant, kasse: Tenant | None = None, nemkonto_delay: int = 0) -> None:
        self.t = tenant
        self.kasse = kasse
        self.nemkonto_delay = nemkonto_delay
        self.ledger = Ledger()
        tenant.behandlingstid(nemkonto_delay)

    def advance(self, duration: str) -> None:
        """Move the tenant's clock, and the kasse's with it (the two stand at the same instant)."""
        self.t.clock(advance=duration)
        if self.kasse is not None:
            self.kasse.clock(set=self.t.admin("clock")["now"])

    def opret(self, hovedstol: int, forfalden: bool, antal: int, igen: bool) -> None:
        ref = f"F{len(self.ledger.hovedstol)}"
        claim = ny_fordring(ref, hovedstol, forfalden=forfalden, antal_rater=antal)
        sent = header()
        first = self.t.opret_fordring(claim, sent)
        assert _status(first)["Status"] == "GODKENDT", first.text
        if igen:
            again = self.t.opret_fordring(claim, sent)
            assert again.json()["Kvittering"]["Genfremsendt"] is True
            assert _status(again) == _status(first)
        self.ledger.hovedstol[ref] = hovedstol
        self.ledger.first_srb[ref] = claim["SidsteRettidigeBetalingDato"]

    def indbetal(self, target: int | None, beloeb: int, replay: str, via_kasse: bool = False) -> None:
        payer = self.kasse if via_kasse and self.kasse is not None else self.t
        body: dict[str, Any] = {
            "IndbetalingID": f"P-{uuid.uuid4().hex[:12]}",
            "SkyldnerID": self.t.cpr,
            "Beløb": kr(beloeb),
            "BetalingDato": self.t.today(),
        }
        ref = None if target is None else self.ledger.ref(target)
        state = None
        if ref is not None:
            view = self.t.claims()[ref]
            body["FordringID"], state = view["FordringID"], view["FordringTilstand"]
        sent = header()
        answer = _status(payer.indbetal(body, sent))
        if state not in (None, "OPKRAEVNING"):
            assert (answer["Status"], _codes(answer)) == ("AFVIST", ["DEB-INDBETALING-TILSTAND"]), answer
            return
        assert answer["Status"] == "GODKENDT", answer
        assert oere(answer["DækketBeløb"]) + oere(answer["OverskydendeBeløb"]) == beloeb, answer
        assert sum(oere(d["Beløb"]) for d in answer["Dækning"]) == oere(answer["DækketBeløb"]), answer
        self.ledger.indbetalt += beloeb
        self.ledger.overskydende += oere(answer["OverskydendeBeløb"])
        event("B_03 by the kasse" if payer is not self.t else "B_03 by the owner")
        if replay == "transaktion":  # the hub answers from its store
            again = payer.indbetal(body, sent)
            assert again.json()["Kvittering"]["Genfremsendt"] is True
            assert _status(again) == answer
        elif replay == "indbetaling":  # same IndbetalingID, new TransaktionsID: the first answer, booked once
            again_answer = _status(payer.indbetal(body))
            assert again_answer == answer | {"Genbrugt": True}

    def ydelse(self, beloeb: int) -> None:
        """A benefit payout: answered (and set off) at once, or when NemKonto's behandlingstid has passed."""
        self.ledger.ydelser[self.t.ydelse(beloeb)] = beloeb
        if not self.nemkonto_delay:
            self.answered()

    def answered(self) -> None:
        """Fetch NemKonto's answer to every benefit payout sent, once its behandlingstid has passed."""
        if self.ledger.ydelser and self.nemkonto_delay:
            self.advance(f"{self.nemkonto_delay}s")
        for transaktions_id, beloeb in self.ledger.ydelser.items():
            self.set_off(self.t.retursvar(transaktions_id), beloeb)
        self.ledger.ydelser.clear()

    def set_off(self, svar: dict[str, Any], beloeb: int) -> None:
        assert svar["Status"] == "GODKENDT", svar
        modregnet = oere(svar["ModregnetBeløb"])
        assert modregnet + oere(svar["UdbetaltBeløb"]) == beloeb == oere(svar["Beløb"]), svar
        assert sum(oere(d["Beløb"]) for d in svar["Modregning"] or []) == modregnet, svar
        self.ledger.modregnet += modregnet
        event("set-off > 0" if modregnet else "set-off = 0")

    def dage(self, days: int) -> None:
        self.advance(f"{days}d")

    def overdrag(self, target: int, psrm_betaling: int | None) -> None:
        ref = self.ledger.ref(target)
        if ref is None:
            return
        view = self.t.claims()[ref]
        if view["FordringTilstand"] == "OPKRAEVNING" and self.ledger.first_srb[ref] >= self.t.today():
            return  # handed over only once its SRB has passed
        answer = _status(self.t.overdrag(ref))
        if view["FordringTilstand"] != "OPKRAEVNING":
            assert (answer["Status"], _codes(answer)) == ("AFVIST", ["OIR-FORDRING-TILSTAND"]), answer
            return
        assert answer["Status"] in ("GODKENDT", "AFVIST"), answer  # AFVIST: PSRM refused it at once
        self.advance("1m")  # PSRM processes the action; the debitor system reads the receipt
        handed = self.t.claims()[ref]
        event(f"hand-over: {handed['FordringTilstand']}" + (" (saldo 0)" if not view["SaldoBeløb"] else ""))
        if handed["FordringTilstand"] == "UNDER_INDDRIVELSE":
            self.ledger.handed_over[ref] = oere(view["RestanceBeløb"])  # hovedstol, with its fees and renter
        if psrm_betaling is not None:  # the debtor then pays PSRM
            self.psrm(psrm_betaling)

    def psrm(self, beloeb: int) -> None:
        paid = self.t.psrm_betal(beloeb)
        assert paid.status_code == 201, paid.text
        self.ledger.psrm_indbetalt += beloeb
        event(
            "PSRM payment covered something"
            if paid.json()["Status"] == "DAEKKES" and self._psrm_claims()
            else "PSRM payment, nothing at PSRM"
        )

    def _psrm_claims(self) -> bool:
        return any(c["FordringTilstand"] == "UNDER_INDDRIVELSE" for c in self.t.claims().values())

    def opskriv(self, target: int, beloeb: int) -> None:
        ref = self.ledger.ref(target)
        if ref is None:
            return
        state = self.t.claims()[ref]["FordringTilstand"]
        body = {"FordringReference": ref, "Beløb": kr(beloeb), "Årsag": "Efterregulering"}
        answer = _status(self.t.reguler("OpskrivFordring", body))
        if state not in ("OPKRAEVNING", "BERO"):
            assert _codes(answer) == ["DEB-REGULERING-TILSTAND"], answer
            return
        assert answer["Status"] == "GODKENDT", answer
        self.ledger.op[ref] += beloeb

    def nedskriv(self, target: int, pct: int) -> None:
        ref = self.ledger.ref(target)
        if ref is None:
            return
        view = self.t.claims()[ref]
        saldo = oere(view["SaldoBeløb"])
        beloeb = max(1, saldo * pct // 100)  # 101 %: above the saldo
        body = {"FordringReference": ref, "Beløb": kr(beloeb), "Årsag": "Fejl i takst"}
        answer = _status(self.t.reguler("NedskrivFordring", body))
        if view["FordringTilstand"] not in ("OPKRAEVNING", "BERO"):
            assert _codes(answer) == ["DEB-REGULERING-TILSTAND"], answer
        elif beloeb > saldo:
            assert _codes(answer) == ["DEB-NEDSKRIVNING-SALDO"], answer
        else:
            assert answer["Status"] == "GODKENDT", answer
            self.ledger.ned[ref] += beloeb

    def check(self) -> None:
        t, ledger = self.t, self.ledger
        self.answered()
        # every update sent is visible to the fagsystem once the profile's delay (or nightly run) has passed
        for _ in range(3):
            shown = [datetime.fromisoformat(m["Synlig"]) for m in t.admin("debitor")["mailbox"]]
            if not shown or max(shown) <= datetime.fromisoformat(t.admin("clock")["now"]):
                break
            self.t.clock(advance_to=max(shown).isoformat())
            self.advance("1s")
        report = t.invarianter()
        assert report["ok"] is True, [r for r in report["invarianter"] if not r["ok"]]

        # every øre in: reported back to the fagsystem as DAEKNING, or still unapplied
        reported: dict[str, int] = defaultdict(int)
        per_claim: dict[str, int] = defaultdict(int)
        for m in t.mailbox():
            if m["Type"] == "DAEKNING":
                reported[m["Detaljer"]["Kilde"]] += oere(m["Beløb"])
                per_claim[m["FordringReference"]] += oere(m["Beløb"])
        psrm_paid = t.admin("psrm/indbetalinger")["indbetalinger"]
        assert all(p["Status"] == "DAEKKET" for p in psrm_paid), psrm_paid
        psrm_unapplied = sum(p["Resultat"]["overskud_oere"] for p in psrm_paid)
        assert sum(oere(p["Beløb"]) for p in psrm_paid) == ledger.psrm_indbetalt
        assert reported["INDBETALING"] == ledger.indbetalt - ledger.overskydende
        assert reported["MODREGNING"] == ledger.modregnet
        assert reported["PSRM"] == ledger.psrm_indbetalt - psrm_unapplied
        money_in = ledger.indbetalt + ledger.modregnet + ledger.psrm_indbetalt
        assert money_in == sum(reported.values()) + ledger.overskydende + psrm_unapplied
        books = t.admin("debitor/afstemning")
        assert books["Balancerer"] and books["AltIndrapporteret"], books
        at_psrm = t.admin("psrm/afstemning")
        psrm_claims = t.admin("state")["psrm"]["claims"]
        tilgang = {  # what PSRM received per claim, by its own history
            c["id"]: sum(
                oere(h["Beløb"])
                for h in t.admin(f"psrm/fordringer/{c['id']}")["Hændelser"]
                if h["Type"] == "TILGANG"
            )
            for c in psrm_claims
        }
        assert oere(at_psrm["TilgangBeløb"]) == sum(tilgang.values()), (at_psrm, tilgang)
        # PSRM received what was open when the claim was handed over, its fees and renter with it
        for ref, restance in ledger.handed_over.items():
            [main] = [c for c in psrm_claims if c["claimant_ref"] == ref and c["kind"] == "HF"]
            family = [c["id"] for c in psrm_claims if main["id"] in (c["id"], c["hovedfordring_id"])]
            assert sum(tilgang[i] for i in family) == restance, (ref, family, tilgang)

        # each claim: saldo = hovedstol + opskrivning − nedskrivning − dækning (own and PSRM's) of hovedstol
        psrm_hovedstol: dict[str, int] = defaultdict(int)  # per PSRM claim: what covered its hovedstol
        psrm_all: dict[str, int] = defaultdict(int)  # per main claim at PSRM: with its related claims
        main_of = {
            str(c["id"]): str(c["hovedfordring_id"] or c["id"]) for c in t.admin("state")["psrm"]["claims"]
        }
        for p in psrm_paid:
            for d in p["Resultat"]["daekninger"]:
                if d["Del"] == "hovedstol":
                    psrm_hovedstol[d["FordringID"]] += d["Beløb"]
                psrm_all[main_of[d["FordringID"]]] += d["Beløb"]
        claims = t.claims()
        assert sorted(claims) == sorted(ledger.hovedstol)
        for ref, view in claims.items():
            kinds = {p["DelfordringID"]: p["Type"] for p in view["Delfordring"]}
            own = sum(
                oere(d["Beløb"])
                for d in view["Dækning"]
                if d["Kilde"] in MONEY_SOURCES and kinds.get(d.get("DelfordringID")) == "HOVEDSTOL"
            )
            psrm_id = (view.get("PSRM") or {}).get("DMIFordringEFIFordringID")
            by_psrm = psrm_hovedstol[str(psrm_id)] if psrm_id else 0
            principal = ledger.hovedstol[ref] + ledger.op[ref] - ledger.ned[ref]
            assert oere(view["HovedstolBeløb"]) == principal, (ref, view)
            assert oere(view["SaldoBeløb"]) == principal - own - by_psrm, (ref, view)
            own_all = sum(oere(d["Beløb"]) for d in view["Dækning"] if d["Kilde"] in MONEY_SOURCES)
            assert own_all + (psrm_all[str(psrm_id)] if psrm_id else 0) == per_claim[ref], (ref, view)
            if view["FordringTilstand"] == "UNDER_INDDRIVELSE":
                at_psrm = t.admin(f"psrm/fordringer/{psrm_id}")
                assert at_psrm["SaldoBeløb"] == view["SaldoBeløb"], (ref, at_psrm, view)

        # NemKonto paid out exactly what was not set off
        for payment in t.admin("nemkonto/betalinger")["Betalinger"]:
            paid_out = sum(oere(u["Beløb"]) for u in payment["Udbetalinger"])
            assert paid_out == oere(payment["UdbetaltBeløb"]), payment


@SETTINGS
@given(
    profil=st.sampled_from(PROFILER),
    nemkonto_delay=st.sampled_from([0, 3600]),
    operations=st.lists(OPERATION, min_size=1, max_size=12),
)
@example(  # every path once: payments with re-deliveries, set-off, hand-over, PSRM, regulering
    profil="DEB-A",
    nemkonto_delay=0,
    operations=[
        ("indbetal", 0, 50_000, "indbetaling", True),
        ("indbetal", None, 1_000, "transaktion", False),
        ("ydelse", 100_000),
        ("opskriv", 0, 20_000),
        ("nedskriv", 0, 50),
        ("nedskriv", 0, 101),
        ("overdrag", 0, 400_000),
        ("indbetal", 0, 1_000, "ingen", True),
        ("opskriv", 0, 1_000),
        ("psrm", 5_000),
    ],
)
@example(  # renter and two rykkere, a claim falling due on the clock, automatic hand-over, a delayed mailbox
    profil="DEB-B",
    nemkonto_delay=3600,
    operations=[
        ("opret", 150_000, False, 3, True),
        ("dage", 30),
        ("ydelse", 300_000),
        ("dage", 25),
        ("psrm", 400_000),
        ("indbetal", 1, 10_000, "ingen", True),
    ],
)
def test_money_is_conserved_across_debitor_psrm_and_nemkonto(
    tenant: Tenant, kasse: Tenant, profil: str, nemkonto_delay: int, operations: list[tuple]
) -> None:
    tenant.reset()
    kasse.reset()
    tenant.settings({"debitor": {"debitorprofil": profil}})
    note(f"{profil=} {nemkonto_delay=} {operations=}")
    run = Run(tenant, kasse, nemkonto_delay)
    run.opret(320_000, True, 2, False)  # a claim past its SRB to begin with
    for name, *args in operations:
        getattr(run, name)(*args)
    run.check()


@settings(SETTINGS, max_examples=min(EXAMPLES, 5), phases=[Phase.explicit, Phase.generate])  # no shrinking
@given(ahead_days=st.integers(min_value=1, max_value=30), beloeb=st.integers(min_value=1, max_value=100_000))
def test_a_kasse_payment_is_reported_to_the_owner_whatever_the_kasse_clock_says(
    tenant: Tenant, kasse: Tenant, ahead_days: int, beloeb: int
) -> None:
    tenant.reset()
    kasse.reset()
    kasse.clock(advance=f"{ahead_days}d")  # tenants keep their own simulated clocks
    run = Run(tenant, kasse)
    run.opret(320_000, True, 1, False)
    run.indbetal(0, beloeb, "ingen", via_kasse=True)
    covered = sum(oere(m["Beløb"]) for m in tenant.mailbox() if m["Type"] == "DAEKNING")
    assert covered == run.ledger.indbetalt - run.ledger.overskydende == beloeb


# --- (2) a refused message changes no state, (3) a replayed message changes nothing ------------------------


def _setup(tenant: Tenant, hovedstol: int, prior_payment: int) -> dict[str, Any]:
    """A debtor with a claim past its SRB (partly paid), a processed benefit bundle and a booked bilag."""
    tenant.reset()
    run = Run(tenant)
    run.opret(hovedstol, True, 2, False)
    run.indbetal(0, prior_payment, "ingen")
    bundle = anmodning([ukomplet(kr(1000), {"CPRNummer": tenant.cpr}, Betalingsart="YDELSE")])
    assert _status(tenant.post(AFSEND, bundle))["Status"] == "UNDER_BEHANDLING"
    assert _status(tenant.bilag(modtag(finansbilag(opkraevning(kr(hovedstol))))))["Status"] == "GODKENDT"
    return {"grp_id": bundle["GroupHeader"]["GrpId"], "claim": tenant.claims()["F0"]}


def _ydelser(tenant: Tenant, amounts: list[int], **bundle: Any) -> dict[str, Any]:
    payments = [ukomplet(kr(a), {"CPRNummer": tenant.cpr}, Betalingsart="YDELSE") for a in amounts]
    return anmodning(payments, **bundle)


REFUSALS = [
    "nk_antal",
    "nk_kontrolsum",
    "nk_grpid",
    "b03_fordring",
    "b03_delfordring",
    "erp_ubalance",
    "nedskriv",
]
PER_KIND = settings(SETTINGS, max_examples=max(3, EXAMPLES // 8))  # each kind its own test


def _refused_message(kind: str, tenant: Tenant, given_: dict[str, Any], amount: int, delta: int) -> tuple:
    """(send, expected code): a message that breaks exactly one rule, and the code that refuses it."""
    claim = given_["claim"]
    if kind == "nk_antal":
        message = _ydelser(tenant, [amount], antal=2 + delta % 5)  # it holds one
        return (lambda: tenant.post(AFSEND, message)), "NK-BUNDT-ANTAL"
    if kind == "nk_kontrolsum":
        message = _ydelser(tenant, [amount, amount], kontrolsum=kr(2 * amount + delta))
        return (lambda: tenant.post(AFSEND, message)), "NK-BUNDT-KONTROLSUM"
    if kind == "nk_grpid":
        message = _ydelser(tenant, [amount], grp_id=given_["grp_id"])
        return (lambda: tenant.post(AFSEND, message)), "NK-BUNDT-DUBLET"
    if kind.startswith("b03"):
        body: dict[str, Any] = {
            "IndbetalingID": f"P-{uuid.uuid4().hex[:12]}",
            "SkyldnerID": tenant.cpr,
            "Beløb": kr(amount),
            "BetalingDato": START,
        }
        unknown = str(10_000_000 + delta)
        body |= {"FordringID": unknown} if kind == "b03_fordring" else {"DelfordringID": [unknown]}
        return (lambda: tenant.indbetal(body)), "DEB-INDBETALING-UKENDT"
    if kind == "erp_ubalance":
        lines = opkraevning(kr(amount))
        lines[0]["Beløb"] = kr(amount + delta)
        message = modtag(finansbilag(lines))
        return (lambda: tenant.bilag(message)), "ERP-BILAG-UBALANCE"
    body = {"FordringReference": "F0", "Beløb": kr(oere(claim["SaldoBeløb"]) + delta), "Årsag": "For meget"}
    return (lambda: tenant.reguler("NedskrivFordring", body)), "DEB-NEDSKRIVNING-SALDO"


@pytest.mark.parametrize("kind", REFUSALS)
@PER_KIND
@given(
    hovedstol=st.integers(min_value=1_000, max_value=500_000),
    prior=st.integers(min_value=1, max_value=200_000),
    amount=st.integers(min_value=1, max_value=300_000),
    delta=st.integers(min_value=1, max_value=50_000),
)
def test_a_refused_message_changes_no_state(
    tenant: Tenant, kind: str, hovedstol: int, prior: int, amount: int, delta: int
) -> None:
    event(kind)
    note(f"{kind=} {hovedstol=} {prior=} {amount=} {delta=}")
    given_ = _setup(tenant, hovedstol, prior)
    send, code = _refused_message(kind, tenant, given_, amount, delta)
    before = tenant.snapshot()
    answer = _status(send())
    assert answer["Status"] == "AFVIST" and code in _codes(answer), answer
    after = tenant.snapshot()
    assert booked(after) == booked(before)
    assert len(after["deliveries"]) == len(before["deliveries"]) + 1  # only the answer, kept for replay
    assert tenant.invarianter()["ok"] is True


REPLAYS = ["nemkonto", "erp", "b03", "opskriv", "nedskriv"]


def _message(kind: str, tenant: Tenant, given_: dict[str, Any], amount: int, refused: bool) -> Any:
    """How to send a message of this kind (breaking a rule when `refused`), with the same id each time."""
    saldo = oere(given_["claim"]["SaldoBeløb"])
    if kind == "nemkonto":
        message = _ydelser(tenant, [amount], **({"antal": 2} if refused else {}))
        return lambda: tenant.post(AFSEND, message)
    if kind == "erp":
        lines = opkraevning(kr(amount))
        if refused:
            lines[1]["Beløb"] = kr(amount + 1)
        message = modtag(finansbilag(lines))
        return lambda: tenant.bilag(message)
    sent = header()
    if kind == "b03":
        body: dict[str, Any] = {
            "IndbetalingID": f"P-{uuid.uuid4().hex[:12]}",
            "SkyldnerID": tenant.cpr,
            "Beløb": kr(amount),
            "BetalingDato": START,
        } | ({"FordringID": "99999999"} if refused else {})
        return lambda: tenant.indbetal(body, sent)
    if kind == "opskriv":
        body = {
            "FordringReference": "F9" if refused else "F0",
            "Beløb": kr(amount),
            "Årsag": "Efterregulering",
        }
        return lambda: tenant.reguler("OpskrivFordring", body, sent)
    beloeb = saldo + amount if refused else max(1, min(amount, saldo))
    body = {"FordringReference": "F0", "Beløb": kr(beloeb), "Årsag": "Fejl i takst"}
    return lambda: tenant.reguler("NedskrivFordring", body, sent)


@pytest.mark.parametrize("refused", [False, True], ids=["accepted", "refused"])
@pytest.mark.parametrize("kind", REPLAYS)
@PER_KIND
@given(
    hovedstol=st.integers(min_value=1_000, max_value=500_000),
    prior=st.integers(min_value=1, max_value=200_000),
    amount=st.integers(min_value=1, max_value=300_000),
)
def test_a_replayed_message_changes_nothing(
    tenant: Tenant, kind: str, refused: bool, hovedstol: int, prior: int, amount: int
) -> None:
    event(f"{kind} {'refused' if refused else 'accepted'}")
    note(f"{kind=} {refused=} {hovedstol=} {prior=} {amount=}")
    given_ = _setup(tenant, hovedstol, prior)
    send = _message(kind, tenant, given_, amount, refused)
    first = send()
    assert first.status_code == 200, first.text
    assert (_status(first)["Status"] == "AFVIST") is refused, first.text
    settled = tenant.snapshot()  # (a NemKonto bundle is processed at the next call)
    again = send()
    assert again.status_code == 200, again.text
    assert again.json()["Kvittering"]["Genfremsendt"] is True
    assert _status(again) == _status(first)
    assert tenant.snapshot() == settled
    assert tenant.invarianter()["ok"] is True
