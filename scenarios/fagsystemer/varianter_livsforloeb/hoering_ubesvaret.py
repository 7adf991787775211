"""A broken variant of the reference in the direct role (psrm-s2s); its defect is in the class docstring."""

from __future__ import annotations

from datetime import date
from typing import Any

from testkommune.scenarios.fagsystemer.s2s import ForaeldrebetalingS2S


class HoeringUbesvaret(ForaeldrebetalingS2S):
    """Defect: never looks for hearings, so a claim PSRM put in hearing waits for an answer that never comes
    (psrm.md §5.4)."""

    name = "foraeldrebetaling-s2s-hoering-ubesvaret"

    def hearing_to_answer(self, case: Any, event: Any, today: date) -> None:
        return None
