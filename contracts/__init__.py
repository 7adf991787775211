"""The ground floor: message contracts, reference data, and the code that loads and names them.

The shared language of every other floor lives here too: clock, money, identities, findings, the error
catalogue, the domain model and the driver protocol a fagsystem implements.
"""

from pathlib import Path

__version__ = "0.1.0"

ROOT = Path(__file__).resolve().parent
