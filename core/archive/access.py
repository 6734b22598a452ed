"""Skjerming: who may see a record's real title.

A record with an empty ``tilgangsrestriksjon`` is open. A restricted record's real ``tittel``
is shown only to a person who holds that tilgangskode (:class:`~core.archive.tables.Tilgang`)
or is involved in it (saksansvarlig, the post's saksbehandler, or one of its internal
recipients). Everyone else sees ``offentlig_tittel`` (the public title with the restricted words
replaced by ``*****``), or :data:`MASKED` when that is empty. Lists load the person's codes once
(:func:`access_codes`) and mask per row in Python; search must only match the real title where
:func:`can_see` holds (see ``sql_visible`` in the query modules).
"""

from __future__ import annotations

from core.archive.tables import Tilgang
from core.i18n import _

MASKED_TEXT = "*****"


async def access_codes(person_id: int) -> frozenset[str]:
    """The tilgangskoder ``person_id`` holds."""
    rows = await Tilgang.select(Tilgang.tilgangsrestriksjon).where(Tilgang.person == person_id)
    return frozenset(r["tilgangsrestriksjon"] for r in rows)


def can_see(codes: frozenset[str], tilgangsrestriksjon: str | None, *, involved: bool = False) -> bool:
    """Whether a person with ``codes`` may see the real title of a record."""
    return not tilgangsrestriksjon or involved or tilgangsrestriksjon in codes


def shown_title(tittel: str, offentlig_tittel: str | None, *, visible: bool) -> str:
    """The title to show: the real one when ``visible``, else the public one (or a mask)."""
    if visible:
        return tittel
    return offentlig_tittel or _("Skjermet tittel")


async def involved_in_case(person_id: int, saksmappe_id: int) -> bool:
    """Whether ``person_id`` is involved in the case: its saksansvarlig, the saksbehandler of one
    of its posts, or the handler of an internal recipient of one of its posts (one query)."""
    rows = await Tilgang.raw(
        "SELECT 1 AS ja FROM core_saksmappe s WHERE s.id = {} AND (s.saksansvarlig = {} "
        "OR EXISTS (SELECT 1 FROM core_journalpost j WHERE j.saksmappe = s.id AND j.saksbehandler = {}) "
        "OR EXISTS (SELECT 1 FROM core_korrespondansepart k JOIN core_journalpost kj ON kj.id = k.journalpost "
        "WHERE kj.saksmappe = s.id AND k.intern AND k.saksbehandler = {}))",
        saksmappe_id,
        person_id,
        person_id,
        person_id,
    )
    return bool(rows)


async def involved_in_post(person_id: int, journalpost_id: int) -> bool:
    """Whether ``person_id`` is involved in the post: its saksbehandler, the case's saksansvarlig,
    or the handler of one of its internal recipients (one query)."""
    rows = await Tilgang.raw(
        "SELECT 1 AS ja FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe "
        "WHERE j.id = {} AND (j.saksbehandler = {} OR s.saksansvarlig = {} OR EXISTS "
        "(SELECT 1 FROM core_korrespondansepart k WHERE k.journalpost = j.id AND k.intern "
        "AND k.saksbehandler = {}))",
        journalpost_id,
        person_id,
        person_id,
        person_id,
    )
    return bool(rows)
