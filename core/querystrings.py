"""Composed SQL (Piccolo's :class:`~piccolo.querystring.QueryString`) as PostgreSQL's statement
text and its values, for every query on the app's PostgreSQL engine
(:class:`core.request_connection.ArkivPostgresEngine`).

Piccolo's ``compile_string`` parses every template of the composition again for each
statement and makes an object per fragment: for a list page's statement, a few hundred
nested pieces (the skjerming conditions alone repeat four times), that was about a twelfth of
a worker's CPU under load. :func:`compile_for_postgres` gives the same text and values
(tests/core/test_querystrings.py compares them), with each template's literal pieces parsed
once per process (a template is code, not data: the values are never part of it).
"""

from __future__ import annotations

from functools import lru_cache
from string import Formatter
from typing import Any

from piccolo.querystring import QueryString

TEMPLATES_KEPT = 4096
"""Templates whose pieces are kept: every statement shape of the app, with room to spare (an
``IN`` list's template differs per length)."""


@lru_cache(maxsize=TEMPLATES_KEPT)
def pieces(template: str) -> tuple[str, ...]:
    """The literal text before each ``{}`` of ``template`` and after the last one, as Piccolo
    reads it (:class:`string.Formatter`: ``{{`` and ``}}`` are literal braces)."""
    return tuple(literal for literal, _field, _spec, _conversion in Formatter().parse(template))


def compile_for_postgres(query: QueryString) -> tuple[str, list[Any]]:
    """``query.compile_string("postgres")``: the statement with ``$1``, ``$2``, … and the values
    in that order. A subclass with a ``compile_string`` of its own (the import's statements
    already in the driver's form, :class:`core.archive.noark5.import_writer.Compiled`) is
    compiled by it."""
    if type(query).compile_string is not QueryString.compile_string:
        return query.compile_string(engine_type="postgres")
    frozen = query._frozen_compiled_strings
    if frozen is not None:
        return frozen
    text: list[str] = []
    values: list[Any] = []
    _append(query, text, values)
    return "".join(text), values


def _append(query: QueryString, text: list[str], values: list[Any]) -> None:
    args = query.args
    count = len(args)
    for index, literal in enumerate(pieces(query.template)):
        text.append(literal)
        if index < count:
            value = args[index]
            if isinstance(value, QueryString):
                _append(value, text, values)
            else:
                values.append(value)
                text.append(f"${len(values)}")
