"""The error catalogue: stable codes with Danish and English texts and the public source of each rule."""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from testkommune import contracts
from testkommune.contracts.errors import ContractError


class CatalogueError(ContractError):
    """The reference data is inconsistent (a duplicate or unknown code): a defect of this project."""


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    code: str
    native_code: int | None
    severity: str
    text_da: str
    text_en: str
    fix_da: str
    fix_en: str
    source: Mapping[str, str]
    area: str


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_FORMATTER = string.Formatter()


def render(template: str, params: Mapping[str, Any]) -> str:
    """Fill `{placeholders}`; unknown ones stay as written."""
    return _FORMATTER.vformat(template, (), _Lenient({k: _show(v) for k, v in params.items()}))


def _show(value: Any) -> str:
    return "" if value is None else str(value)


class ErrorCatalogue:
    """All codes from `contracts/reference/fejlkoder/*.json`, loaded once."""

    def __init__(self, entries: Mapping[str, ErrorEntry]) -> None:
        self._entries = dict(entries)

    def __contains__(self, code: str) -> bool:
        return code in self._entries

    def __iter__(self):
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, code: str) -> ErrorEntry:
        try:
            return self._entries[code]
        except KeyError:
            raise CatalogueError(f"error code {code!r} is not in the catalogue") from None

    def describe(self, code: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The catalogue texts for a code, filled with a finding's parameters."""
        entry = self.get(code)
        return {
            "code": entry.code,
            "native_code": entry.native_code,
            "severity": entry.severity,
            "text_da": render(entry.text_da, params),
            "text_en": render(entry.text_en, params),
            "fix_da": render(entry.fix_da, params),
            "fix_en": render(entry.fix_en, params),
            "source": dict(entry.source),
        }


@cache
def error_catalogue() -> ErrorCatalogue:
    """The project's error catalogue (cached: read from disk once per process)."""
    entries: dict[str, ErrorEntry] = {}
    for path in sorted((contracts.ROOT / "reference" / "fejlkoder").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for raw in data["errors"]:
            if raw["code"] in entries:
                raise CatalogueError(f"duplicate error code {raw['code']} in {path.name}")
            entries[raw["code"]] = ErrorEntry(
                code=raw["code"],
                native_code=raw.get("native_code"),
                severity=raw.get("severity", "error"),
                text_da=raw["text_da"],
                text_en=raw["text_en"],
                fix_da=raw.get("fix_da", ""),
                fix_en=raw.get("fix_en", ""),
                source=raw.get("source", {}),
                area=data.get("area", path.stem),
            )
    return ErrorCatalogue(entries)
