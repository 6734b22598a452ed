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
