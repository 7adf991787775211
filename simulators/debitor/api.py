"""The debitor system as another counterpart meets it: set-off (modregning) against a coming payout.

The only way another counterpart (NemKonto) reaches the debitor system (never its tables).
"""

from __future__ import annotations

from testkommune.simulators.debitor.modregning import modregn

__all__ = ["modregn"]
