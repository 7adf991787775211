"""One root for every error testkommune raises on purpose, so a shell can tell them from defects.

`TestkommuneError` carries a one-line message and an optional `hint` (what to do about it). The CLI turns
any of them into exit code 2 with those two lines and never a traceback; anything else that escapes is a
defect of this project and keeps its traceback.

The families below name who has to act:
- `UsageError`: the caller gave something the command cannot use (a flag, a name, a file's content).
- `SetupError`: the set-up around the command is not as needed (a missing extra, an unreachable
  URL, a port taken, a database of another version).
- `ContractError`: the contracts or reference data shipped with testkommune are inconsistent (a defect).
- `FagsystemError`: the vendor's system under test did not do what it was asked; the certification
  runner turns these into verdicts, a shell only meets them when a system cannot be reached at all.
"""

from __future__ import annotations


class TestkommuneError(Exception):
    """Root of testkommune's own errors: a message for the user and, where one helps, a hint."""

    __test__ = False  # not a pytest test class, though its name starts with "Test"
    hint: str | None = None

    def __init__(self, message: str = "", *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class UsageError(TestkommuneError):
    """The command was given something it cannot use (a flag, a name, a file's content)."""


class SetupError(TestkommuneError):
    """The surroundings are not as the command needs them (an extra, a file, a URL, a port)."""


class ContractError(TestkommuneError):
    """The contracts or reference data shipped with testkommune are inconsistent: a defect to report."""


class FagsystemError(TestkommuneError):
    """The fagsystem under test did not do what it was asked (judged by the runner, not a usage error)."""


__all__ = ["ContractError", "FagsystemError", "SetupError", "TestkommuneError", "UsageError"]
