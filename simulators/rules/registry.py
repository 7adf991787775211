"""A rule set: named pure functions, each declaring the catalogue codes it may raise.

A `RuleSet` is a `testkommune.contracts.registry.Registry` of rules: ordered, a name taken once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from testkommune.contracts.findings import Finding
from testkommune.contracts.registry import Registry

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


class RuleSet(Registry[Rule[S, C]], Generic[S, C]):
    """An ordered name → rule map; extend a set by copying it and registering more."""

    def __init__(self, name: str, rules: Iterable[Rule[S, C]] = ()) -> None:
        super().__init__(name, rules)

    def rule(self, *codes: str) -> Callable[[RuleFunc], Rule[S, C]]:
        """Decorator: register a function as a rule raising `codes` (a name already taken is refused)."""

        def register(func: RuleFunc) -> Rule[S, C]:
            return self.register(Rule(func.__name__, codes, func, (func.__doc__ or "").strip()))

        return register

    def add(self, rule: Rule[S, C]) -> None:
        self.register(rule)

    def extend(self, name: str, *more: Rule[S, C]) -> RuleSet[S, C]:
        return RuleSet(name, [*self, *more])

    def run(self, subject: S, ctx: C) -> list[Finding]:
        """Every rule's findings, in rule order; each checked against the codes its rule declares (as
        `Rule.__call__` does, without a generator per rule)."""
        found: list[Finding] = []
        for rule in self:
            for finding in rule.func(subject, ctx):
                if finding.code not in rule.codes:
                    raise AssertionError(f"rule {rule.name} raised {finding.code}, which it does not declare")
                found.append(finding)
        return found
