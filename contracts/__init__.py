"""Message contracts (JSON Schema 2020-12) and reference data. Data only: harness.core.contracts loads it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
