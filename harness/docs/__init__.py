"""Documentation pages generated from the reference data (never written by hand)."""

from __future__ import annotations

from testkommune.harness.docs.catalogues import error_catalogue_page, fordringstyper_page, pages, write_pages

__all__ = ["error_catalogue_page", "fordringstyper_page", "pages", "write_pages"]
