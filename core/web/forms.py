"""Reading submitted form values, the same way on every page.

Works on Litestar's ``FormMultiDict`` (``await request.form()``) and on the plain dicts a
multipart body or a query string gives (where a repeated field is a list). Text is stripped;
a missing field or an uploaded file reads as ``""``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.validation import parse_id


def _all(data: Mapping[str, Any], key: str) -> list[Any]:
    getall = getattr(data, "getall", None)
    if callable(getall):
        return list(getall(key, []))
    raw = data.get(key, [])
    return list(raw) if isinstance(raw, list | tuple) else [raw]


def form_value(data: Mapping[str, Any], key: str) -> str:
    """The first value of ``key`` as stripped text (``""`` when missing or a file)."""
    items = _all(data, key)
    raw = items[0] if items else ""
    return raw.strip() if isinstance(raw, str) else ""


def form_values(data: Mapping[str, Any], key: str) -> list[str]:
    """Every value of a repeated field (ticked checkboxes), stripped, empty ones left out."""
    return [v.strip() for v in _all(data, key) if isinstance(v, str) and v.strip()]


def form_id(data: Mapping[str, Any], key: str) -> int | None:
    """The id in ``key`` (see :func:`core.validation.parse_id`), or None."""
    return parse_id(form_value(data, key))


def form_page(data: Mapping[str, Any], key: str = "side") -> int | None:
    """The page number a list was on when the form was sent (``side``), or None."""
    return form_id(data, key)
