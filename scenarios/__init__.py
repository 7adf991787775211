"""Suites (data) and the reference fagsystem with its broken variants (the systems the suites judge)."""
