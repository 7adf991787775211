"""A broken variant of the reference in the direct role (psrm-s2s); its defect is in the class docstring."""

from __future__ import annotations

from typing import Any

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S


class MedhaefterGlemmesS2S(ForaeldrebetalingS2S):
    """Defect: hands a claim over with the main debtor only, though a parent, spouse or owner is jointly
    liable (all co-liable debtors are reported together, psrm.md §4.3)."""

    name = "foraeldrebetaling-s2s-medhaefter-glemmes"

    def haeftere(self, case: Any) -> tuple[Any, ...]:
        return (case.debtor,)
