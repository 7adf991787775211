"""One registry design for everything the simulators and the harness look up by name: rules, checks, action
handlers, batch jobs.

A registry is built from an explicit list (no import side effects), keeps the order it was given, refuses a
second entry under a name it holds, and knows every catalogue code its entries declare they may raise, so a
test can prove each of them is in the error catalogue (`check_against`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, Protocol, TypeVar

from testkommune.contracts.catalogue import ErrorCatalogue
from testkommune.contracts.errors import ContractError


class Entry(Protocol):
    """What a registry holds: a name, and the catalogue codes it may raise."""

    @property
    def name(self) -> str: ...

    @property
    def codes(self) -> tuple[str, ...]: ...


E = TypeVar("E", bound=Entry)


class DuplicateEntryError(ContractError, ValueError):
    """A second entry under a name the registry already holds."""


class Registry(Generic[E]):
    """An ordered name → entry map; `register` refuses a name that is taken."""

    def __init__(self, name: str, entries: Iterable[E] = ()) -> None:
        self.name = name
        self._entries: dict[str, E] = {}
        for entry in entries:
            self.register(entry)

    def register(self, entry: E) -> E:
        if entry.name in self._entries:
            raise DuplicateEntryError(f"{entry.name} is already registered in {self.name}")
        self._entries[entry.name] = entry
        return entry

    def __getitem__(self, name: str) -> E:
        return self._entries[name]

    def get(self, name: str) -> E | None:
        return self._entries.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[E]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def codes(self) -> set[str]:
        """Every catalogue code an entry declares it may raise."""
        return {code for entry in self._entries.values() for code in entry.codes}

    def check_against(self, catalogue: ErrorCatalogue) -> list[str]:
        """Codes declared by an entry but missing from the catalogue (should be none)."""
        return sorted(code for code in self.codes() if code not in catalogue)
