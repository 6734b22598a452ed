"""One id parser and one date parser for every route, form and command (core/validation.py)."""

from __future__ import annotations

from datetime import date

import pytest

from core.admin.common import parse_id as admin_parse_id
from core.validation import MAX_ID, is_id, parse_date, parse_id


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
    ],
)
def test_parse_date(text: str | None, expected: date | None) -> None:
    assert parse_date(text) == expected
