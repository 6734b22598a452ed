"""Numbering that stays unique under concurrency.

Counters live in ``core_nummerserie`` (one row per series and year). :func:`next_number`
increments with a single ``UPDATE ... RETURNING``, which PostgreSQL serialises with a row
lock and SQLite with its write lock; unique indexes on the numbered tables are the backstop.

- case: ``2026/00123`` (saksaar / sakssekvensnummer, series ``sak``)
- journal post: ``2026/00123-4`` (case number - journalpostnummer, series ``jp:<case id>``)
- journal sequence per year: ``journalaar`` / ``journalsekvensnummer`` (series ``journal``)
"""

from __future__ import annotations

from piccolo.query.mixins import OnConflictAction

from core.archive.tables import Nummerserie


async def next_number(serie: str, aar: int) -> int:
    """The next number in ``serie`` for ``aar`` (1, 2, 3 …). Call inside a write transaction."""
    await Nummerserie.insert(Nummerserie(serie=serie, aar=aar, siste=0)).on_conflict(
        action=OnConflictAction.do_nothing
    )
    rows = (
        await Nummerserie.update({Nummerserie.siste: Nummerserie.siste + 1})
        .where((Nummerserie.serie == serie) & (Nummerserie.aar == aar))
        .returning(Nummerserie.siste)
    )
    return int(rows[0]["siste"])


async def raise_to(serie: str, aar: int, value: int) -> None:
    """Make sure the next number in ``serie`` is above ``value`` (after importing records)."""
    await Nummerserie.insert(Nummerserie(serie=serie, aar=aar, siste=0)).on_conflict(
        action=OnConflictAction.do_nothing
    )
    await Nummerserie.update({Nummerserie.siste: value}).where(
        (Nummerserie.serie == serie) & (Nummerserie.aar == aar) & (Nummerserie.siste < value)
    )


def mappe_id(saksaar: int, sakssekvensnummer: int) -> str:
    """``2026/00123``."""
    return f"{saksaar}/{sakssekvensnummer:05d}"


def registrerings_id(saksaar: int, sakssekvensnummer: int, journalpostnummer: int) -> str:
    """``2026/00123-4``."""
    return f"{mappe_id(saksaar, sakssekvensnummer)}-{journalpostnummer}"


def journalpost_serie(saksmappe_id: int) -> str:
    return f"jp:{saksmappe_id}"
