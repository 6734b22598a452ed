"""Working days in Norway: Monday to Friday, except the public holidays (helligdager).

The fixed holidays are 1 January, 1 May, 17 May, 25 and 26 December; the movable ones follow
Easter: Skjærtorsdag, Langfredag, 2. påskedag, Kristi himmelfartsdag and 2. pinsedag (Easter
Sunday and 1. pinsedag are Sundays anyway).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def public_holidays(year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    movable = (-3, -2, 1, 39, 50)  # skjærtorsdag, langfredag, 2. påskedag, himmelfart, 2. pinsedag
    fixed = ((1, 1), (5, 1), (5, 17), (12, 25), (12, 26))
    return frozenset(
        [easter + timedelta(days=offset) for offset in movable] + [date(year, m, d) for m, d in fixed]
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def working_days_before(day: date, count: int) -> date:
    """The working day ``count`` working days before ``day`` (``day`` itself for 0).

    Used as a threshold: an item received before this date has waited at least ``count`` whole
    working days.
    """
    current = day
    for _step in range(count):
        current -= timedelta(days=1)
        while not is_working_day(current):
            current -= timedelta(days=1)
    return current
