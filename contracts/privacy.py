"""Personal data in logs is reduced: a CPR number is shown as its first six digits (the date part)."""

from __future__ import annotations

import logging
import re

# ten digits (optionally DDMMYY-SSSS) not part of a longer number: the shape of a CPR number
_CPR = re.compile(r"(?<![0-9])([0-3][0-9][01][0-9][0-9]{2})-?[0-9]{4}(?![0-9])")


def mask_cpr(text: str) -> str:
    """Replace every CPR-shaped number's last four digits with 'XXXX'."""
    return _CPR.sub(r"\1-XXXX", text)


def _masked(value: object) -> object:
    """`value` as it was, or its text masked when that holds a CPR number."""
    if isinstance(value, bool | float) or value is None:
        return value
    text = str(value)
    masked = mask_cpr(text)
    return value if masked == text else masked


class CprMaskingFilter(logging.Filter):
    """A logging filter that masks CPR numbers in the message, its arguments and any exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        # the arguments are masked one by one, not merged into the message: a formatter may read them
        # (uvicorn's access formatter unpacks its five)
        if isinstance(record.msg, str):
            record.msg = mask_cpr(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_masked(a) for a in record.args)
        if record.exc_info:
            record.exc_text = mask_cpr(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def install(debug_personal_data: bool = False) -> None:
    """Mask CPR numbers on every handler of the root and uvicorn loggers (unless debugging personal data)."""
    if debug_personal_data:
        return
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access", "testkommune.simulators"):
        logger = logging.getLogger(name)
        for handler in logger.handlers:
            if not any(isinstance(f, CprMaskingFilter) for f in handler.filters):
                handler.addFilter(CprMaskingFilter())
        if not any(isinstance(f, CprMaskingFilter) for f in logger.filters):
            logger.addFilter(CprMaskingFilter())
