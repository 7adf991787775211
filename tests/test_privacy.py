"""Personal data in logs is reduced to the CPR's first six digits unless debugging personal data."""

from __future__ import annotations

import logging

import pytest
from testkommune.contracts.privacy import CprMaskingFilter, mask_cpr


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("debtor 0101901239 refused", "debtor 010190-XXXX refused"),
        ("cpr=010190-1239,", "cpr=010190-XXXX,"),
        ("CVR 29189846 and amount 1234567890123", "CVR 29189846 and amount 1234567890123"),
        ("[('1111111118', 'K1')]", "[('111111-XXXX', 'K1')]"),
    ],
)
def test_cpr_numbers_are_cut_to_their_date_part(text, shown):
    assert mask_cpr(text) == shown


def test_the_filter_masks_messages_arguments_and_tracebacks(caplog):
    logger = logging.getLogger("testkommune.privacy-test")
    logger.addFilter(CprMaskingFilter())
    try:
        raise ValueError("duplicate key (tenant, debtor)=(851/x, 0101901239)")
    except ValueError:
        with caplog.at_level(logging.ERROR):
            logger.exception("failed for %s", "2512931234")
    text = caplog.text
    assert "0101901239" not in text and "2512931234" not in text
    assert "251293-XXXX" in text and "010190-XXXX" in text
