"""The top floor: certification, reports, evidence, load runs, docs, and the shells (CLI, server, plugin)."""

from testkommune.contracts import __version__

__all__ = ["__version__"]
