"""One id parser and one date parser for every route, form and command (core/validation.py)."""

from __future__ import annotations

from datetime import date

import pytest

from core.admin.common import parse_id as admin_parse_id
from core.validation import (
    MAX_DATE,
    MAX_ID,
    MIN_DATE,
    NOT_A_DATE,
    OUT_OF_RANGE,
    check_date,
    date_problem,
    has_nul,
    in_id_range,
    is_id,
    parse_date,
    parse_id,
)

pytestmark = pytest.mark.engine_independent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        ("0", None),  # ids start at 1: fordeling and restanse disagreed about 0
        ("-1", None),
        ("+1", None),
        ("²", None),  # a Unicode digit: isdigit() is True, int() raises
        ("١٢", None),  # Arabic-Indic digits
        ("１２", None),  # full-width digits
        ("1 2", None),
        ("1.0", None),
        ("", None),
        ("   ", None),
        (str(MAX_ID + 1), None),
        ("9" * 40, None),
        ("12\x00", None),
        (None, None),
    ],
)
def test_parse_id_accepts_only_ascii_digits_in_range(text: str | None, expected: int | None) -> None:
    assert parse_id(text) == expected
    assert is_id(text) is (expected is not None)


def test_the_admin_pages_use_the_same_parser() -> None:
    assert admin_parse_id is parse_id
    assert admin_parse_id("²") is None  # raised ValueError before


def test_the_date_range_and_the_id_and_text_rules() -> None:
    assert date(1900, 1, 1) == MIN_DATE
    assert date(2100, 12, 31) == MAX_DATE
    assert [in_id_range(n) for n in (0, 1, MAX_ID, MAX_ID + 1, -1, True)] == [
        False,
        True,
        True,
        False,
        False,
        False,
    ]
    assert has_nul("a\x00b") and not has_nul("a b")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # accepted: dd.mm.åååå, d.m.åååå, ISO (links, bookmarks, old query strings)
        ("17.05.2026", date(2026, 5, 17)),
        ("7.5.2026", date(2026, 5, 7)),
        ("07.5.2026", date(2026, 5, 7)),
        ("2026-05-17", date(2026, 5, 17)),
        ("\t17.05.2026\n", date(2026, 5, 17)),
        (" 2026-05-17 ", date(2026, 5, 17)),
        ("29.02.2028", date(2028, 2, 29)),
        ("01.01.1900", date(1900, 1, 1)),
        ("31.12.2100", date(2100, 12, 31)),
        # days that do not exist
        ("31.02.2026", NOT_A_DATE),
        ("29.02.2026", NOT_A_DATE),
        ("00.01.2026", NOT_A_DATE),
        ("01.00.2026", NOT_A_DATE),
        ("32.01.2026", NOT_A_DATE),
        ("01.13.2026", NOT_A_DATE),
        ("2026-02-30", NOT_A_DATE),
        ("00.00.0000", NOT_A_DATE),  # year 0 is no year at all (date() refuses it)
        # not written as a date: two-digit years are refused, not guessed (1.1.26 is 1926 or 2026?)
        ("1.1.26", NOT_A_DATE),
        ("17.05.26", NOT_A_DATE),
        ("17.05.02026", NOT_A_DATE),
        ("17.5", NOT_A_DATE),
        ("17/05/2026", NOT_A_DATE),
        ("17-05-2026", NOT_A_DATE),
        ("2026-5-17", NOT_A_DATE),
        ("17. 05. 2026", NOT_A_DATE),
        ("17.05.2026.", NOT_A_DATE),
        ("20260517", NOT_A_DATE),
        ("i dag", NOT_A_DATE),
        ("", NOT_A_DATE),
        (None, NOT_A_DATE),
        ("17.05.2026\x00", NOT_A_DATE),
        ("\x0017.05.2026", NOT_A_DATE),
        ("１７.０５.２０２６", NOT_A_DATE),  # full-width digits: \d would have matched them
        ("١٧.٠٥.٢٠٢٦", NOT_A_DATE),  # Arabic-Indic digits
        ("1" * 10_000, NOT_A_DATE),
        # real dates outside 1900 … 2100: PostgreSQL refused year 1, and 31.12.9999 + 1 day overflowed
        ("01.01.0001", OUT_OF_RANGE),
        ("0001-01-01", OUT_OF_RANGE),
        ("31.12.9999", OUT_OF_RANGE),
        ("9999-12-31", OUT_OF_RANGE),
        ("31.12.1899", OUT_OF_RANGE),
        ("01.01.2101", OUT_OF_RANGE),
    ],
)
def test_check_date_tells_the_date_or_why_it_is_none(text: str | None, expected: date | str) -> None:
    assert check_date(text) == expected
    assert date_problem(text) == ("" if isinstance(expected, date) else expected)
    assert parse_date(text) == (expected if isinstance(expected, date) else None)
