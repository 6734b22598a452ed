"""One id parser and one date parser for every route, form and command (core/validation.py)."""

from __future__ import annotations

from datetime import date

import pytest

from core.admin.common import parse_id as admin_parse_id
from core.validation import MAX_DATE, MAX_ID, MIN_DATE, has_nul, in_id_range, is_id, parse_date, parse_id


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17.05.2026", date(2026, 5, 17)),
        ("1.5.2026", date(2026, 5, 1)),
        ("2026-05-17", date(2026, 5, 17)),
        (" 2026-05-17 ", date(2026, 5, 17)),
        ("31.02.2026", None),
        ("2026-02-30", None),
        ("20260517", None),
        ("17/05/2026", None),
        ("i dag", None),
        ("", None),
        (None, None),
        # outside 1900 … 2100: PostgreSQL refused year 1, and 31.12.9999 + 1 day overflowed
        ("01.01.0001", None),
        ("0001-01-01", None),
        ("31.12.9999", None),
        ("9999-12-31", None),
        ("31.12.1899", None),
        ("01.01.2101", None),
        ("01.01.1900", date(1900, 1, 1)),
        ("2100-12-31", date(2100, 12, 31)),
    ],
)
def test_parse_date(text: str | None, expected: date | None) -> None:
    assert parse_date(text) == expected


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
