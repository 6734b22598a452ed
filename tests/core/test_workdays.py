"""Norwegian working days (core/workdays.py): weekends and public holidays, Easter included."""

from __future__ import annotations

from datetime import date

import pytest

from core.workdays import easter_sunday, is_working_day, public_holidays, working_days_before

pytestmark = pytest.mark.engine_independent


def test_working_days() -> None:
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    holidays = public_holidays(2026)
    for day in (
        date(2026, 4, 2),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 14),
        date(2026, 5, 25),
        date(2026, 5, 1),
        date(2026, 5, 17),
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 1, 1),
    ):
        assert day in holidays, day
    assert not is_working_day(date(2026, 4, 2))
    assert is_working_day(date(2026, 4, 7))
    assert working_days_before(date(2026, 11, 25), 0) == date(2026, 11, 25)
    assert working_days_before(date(2026, 11, 25), 1) == date(2026, 11, 24)
    assert working_days_before(date(2026, 11, 23), 1) == date(2026, 11, 20)  # over the weekend
    assert working_days_before(date(2026, 4, 7), 1) == date(2026, 4, 1)  # over Easter
