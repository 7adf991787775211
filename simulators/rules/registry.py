"""A rule set: named pure functions, each declaring the catalogue codes it may raise."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from testkommune.contracts.catalogue import ErrorCatalogue
from testkommune.contracts.findings import Finding

S = TypeVar("S")
C = TypeVar("C")

RuleFunc = Callable[[S, C], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule(Generic[S, C]):
    name: str
    codes: tuple[str, ...]
    func: Callable[[S, C], Iterable[Finding]]
    doc: str

    def __call__(self, subject: S, ctx: C) -> Iterator[Finding]:
        for finding in self.func(subject, ctx):
            if finding.code not in self.codes:
                raise AssertionError(f"rule {self.name} raised {finding.code}, which it does not declare")
            yield finding


class RuleSet(Generic[S, C]):
    """An ordered name → rule map; extend a set by copying it and registering more."""

    def __init__(self, name: str, rules: Iterable[Rule[S, C]] = ()) -> None:
        self.name = name
        self._rules: dict[str, Rule[S, C]] = {r.name: r for r in rules}

    def rule(self, *codes: str) -> Callable[[RuleFunc], Rule[S, C]]:
        """Decorator: register a function as a rule raising `codes`."""

        def register(func: RuleFunc) -> Rule[S, C]:
            if func.__name__ in self._rules:
                raise ValueError(f"rule {func.__name__} is already registered in {self.name}")
            rule = Rule(func.__name__, codes, func, (func.__doc__ or "").strip())
            self._rules[rule.name] = rule
            return rule

        return register

    def add(self, rule: Rule[S, C]) -> None:
        self._rules[rule.name] = rule

    def extend(self, name: str, *more: Rule[S, C]) -> RuleSet[S, C]:
        return RuleSet(name, [*self._rules.values(), *more])

    def __iter__(self) -> Iterator[Rule[S, C]]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def run(self, subject: S, ctx: C) -> list[Finding]:
        return [finding for rule in self._rules.values() for finding in rule(subject, ctx)]

    def codes(self) -> set[str]:
        return {code for rule in self._rules.values() for code in rule.codes}

    def check_against(self, catalogue: ErrorCatalogue) -> list[str]:
        """Codes declared by a rule but missing from the catalogue (should be none)."""
        return sorted(code for code in self.codes() if code not in catalogue)
