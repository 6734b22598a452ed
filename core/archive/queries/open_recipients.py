"""The one rule: **is this internal recipient still open on day D?**

An internal recipient is a korrespondansepart ``k`` with ``k.intern`` of a journalpost ``j``.
It is *open* on D (an unanswered incoming letter or note: a *restanse*) when

- its type is one asked for: ``IM`` (mottaker) for restanser and for closing a case; ``IM`` and
  ``IK`` (kopimottaker) for fordeling, which distributes copies too;
- ``j`` is an incoming document (``I``) or an internal note (``N``) that has reached its
  recipients: not utgår (``U``), and a note only once sent (journalstatus ``E``, ``J`` or
  ``A``: a draft under approval has not reached anyone);
- ``j.journaldato <= D``;
- nothing wrote it off on or before D: no avskrivning for ``k``, and no avskrivning of the whole
  journalpost (one without korrespondansepart, as some imported extractions have: it writes off
  every recipient of its post).

Everything here is SQL over the aliases ``k`` and ``j`` (other aliases by argument), composed
from :class:`~piccolo.querystring.QueryString` pieces and identical on SQLite and PostgreSQL.
Closing a case (:mod:`core.archive.lifecycle`), fordeling's queue, the restanse counts
(:mod:`core.archive.queries.restanser`) and the demo summary all use it, so they always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from core.archive.queries.common import QueryString, in_list

RESTANSE_TYPES = ("I", "N")
"""Journalposttyper whose recipients can be open: inngående dokument and organinternt notat."""
NOTE_SENT_STATUSES = ("E", "J", "A")
"""An N note reaches its recipients when it is sent (ekspedert) or later."""
RECIPIENT = ("IM",)
"""Internal recipient (mottaker): what counts as a restanse."""
RECIPIENT_OR_COPY = ("IM", "IK")
"""Internal recipient and copy recipient: what fordeling distributes."""


def reaches_recipients(j: str = "j") -> QueryString:
    """SQL: journalpost ``j`` is an I post, or an N note that has been sent; not utgår."""
    return QueryString(
        f"{j}.journalstatus <> 'U' AND ({j}.journalposttype = 'I' OR ({j}.journalposttype = 'N' AND {{}}))",
        in_list(f"{j}.journalstatus", NOTE_SENT_STATUSES),
    )


def recipient_of(part_types: Sequence[str] = RECIPIENT, k: str = "k", j: str = "j") -> QueryString:
    """SQL: ``k`` is an internal recipient of one of ``part_types`` on a post that reached its
    recipients (the rule without its dates)."""
    return QueryString(
        f"{k}.intern AND {{}} AND {{}}",
        in_list(f"{k}.korrespondanseparttype", tuple(part_types)),
        reaches_recipients(j),
    )


def not_written_off_by(day: date, k: str = "k", j: str = "j") -> QueryString:
    """SQL: no write-off of ``k``, nor of its whole journalpost, dated on or before ``day``."""
    return QueryString(
        f"NOT EXISTS (SELECT 1 FROM core_avskrivning a WHERE a.korrespondansepart = {k}.id "  # noqa: S608 - aliases from code; values are bound
        "AND a.avskrivningsdato <= {}) "
        f"AND NOT EXISTS (SELECT 1 FROM core_avskrivning a WHERE a.journalpost = {j}.id "
        "AND a.korrespondansepart IS NULL AND a.avskrivningsdato <= {})",
        day,
        day,
    )


def open_on(day: date, part_types: Sequence[str] = RECIPIENT, k: str = "k", j: str = "j") -> QueryString:
    """SQL: ``k`` is an open recipient on ``day`` (the whole rule of this module)."""
    return QueryString(
        f"{{}} AND {j}.journaldato <= {{}} AND {{}}",
        recipient_of(part_types, k, j),
        day,
        not_written_off_by(day, k, j),
    )


# --- the same rule for several dates in one scan ------------------------------------------


FIRST_WRITE_OFF = (
    "(CASE WHEN wk.d IS NULL THEN wj.d WHEN wj.d IS NULL OR wk.d <= wj.d THEN wk.d ELSE wj.d END)"
)
"""With :func:`first_write_off_joins`: the first write-off date of ``k`` in the window (NULL:
none up to its last date)."""


def first_write_off_joins(earliest: date, latest: date, k: str = "k", j: str = "j") -> QueryString:
    """``LEFT JOIN`` s giving each recipient's first write-off in the window (``earliest``,
    ``latest``]: per recipient (``wk``) and per journalpost for write-offs without a recipient
    (``wj``); read it as :data:`FIRST_WRITE_OFF`.

    For a recipient not written off by ``earliest`` (filter with :func:`not_written_off_by`),
    it is open on a day D in [earliest, latest] iff ``journaldato <= D`` and its first write-off
    is NULL or after D (:func:`open_on_day_of_scan`). That is :func:`open_on` for many dates at
    the cost of one scan."""
    return QueryString(
        "LEFT JOIN (SELECT a.korrespondansepart AS part_id, MIN(a.avskrivningsdato) AS d "  # noqa: S608 - aliases from code; values are bound
        " FROM core_avskrivning a WHERE a.korrespondansepart IS NOT NULL "
        " AND a.avskrivningsdato > {} AND a.avskrivningsdato <= {} "
        f" GROUP BY a.korrespondansepart) wk ON wk.part_id = {k}.id "
        "LEFT JOIN (SELECT a.journalpost AS jid, MIN(a.avskrivningsdato) AS d "
        " FROM core_avskrivning a WHERE a.korrespondansepart IS NULL "
        " AND a.avskrivningsdato > {} AND a.avskrivningsdato <= {} "
        f" GROUP BY a.journalpost) wj ON wj.jid = {j}.id",
        earliest,
        latest,
        earliest,
        latest,
    )


def open_on_day_of_scan(day: date, r: str = "r") -> QueryString:
    """SQL over a scan row ``r`` with ``journaldato`` and ``w`` (:data:`FIRST_WRITE_OFF`): the
    recipient is open on ``day``."""
    return QueryString(f"({r}.journaldato <= {{}} AND ({r}.w IS NULL OR {r}.w > {{}}))", day, day)
