"""docs/coverage.md is generated, and every rule a fagsystem can break has a scenario and a broken variant."""

from __future__ import annotations

from pathlib import Path

from testkommune.harness.docs.coverage import (
    FINAL_CODES,
    NOT_A_DEFECT,
    coverage_page,
    scenarios_by_code,
    triggerable,
    variants_by_code,
)

ROOT = Path(__file__).resolve().parents[1]


def test_every_triggerable_code_has_a_scenario_and_a_broken_variant():
    scenarios, variants = scenarios_by_code(), variants_by_code()
    codes = triggerable()
    assert len(codes) >= 30
    assert [c for c in codes if not scenarios.get(c)] == []
    assert [c for c in codes if not variants.get(c)] == []
    assert set(FINAL_CODES) <= set(codes) and not set(NOT_A_DEFECT) & set(codes)


def test_the_coverage_page_is_the_generated_one():
    assert (ROOT / "docs" / "coverage.md").read_text("utf-8") == coverage_page()
