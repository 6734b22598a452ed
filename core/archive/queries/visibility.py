"""Skjerming in SQL: the condition under which a person may see a record's real title.

It mirrors :func:`core.archive.access.can_see` with the involvement of
:func:`~core.archive.access.involved_in_case` and :func:`~core.archive.access.involved_in_post`:
a record is visible when it is not restricted, when the person holds its tilgangskode, or when
the person is involved (a case: its saksansvarlig, or the handler of one of its posts or their
internal recipients; a post: its saksbehandler, the case's saksansvarlig, or the handler of one
of its internal recipients). Lists and search put this condition into the SQL, so a restricted real title (or a
correspondent's name on a restricted post) is never selected, matched or sorted on for someone
without access.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.archive.access import access_codes, can_see
from core.archive.queries.common import QueryString, in_list
from core.auth.user import User


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the person and the tilgangskoder they hold."""

    person_id: int
    codes: frozenset[str]

    @classmethod
    async def of(cls, user: User) -> Viewer:
        """The signed-in ``user`` as a viewer: the tilgangskoder read with the person (no
        statement), or read now for a User made without them."""
        codes = user.access_codes
        if codes is None:
            codes = await access_codes(user.person_id)
        return cls(person_id=user.person_id, codes=codes)

    def can_see(self, tilgangsrestriksjon: str | None, *, involved: bool = False) -> bool:
        return can_see(self.codes, tilgangsrestriksjon, involved=involved)


def case_involved(viewer: Viewer, case: str = "s", *, per_row: bool = False) -> QueryString:
    """SQL: ``viewer`` is involved in saksmappe ``case``: its saksansvarlig, the saksbehandler of
    one of its posts, or the handler of an internal recipient of one of its posts (as
    :func:`core.archive.access.involved_in_case`).

    By default the cases a person is involved in through posts are one uncorrelated subquery,
    which the database evaluates once per statement (not once per row): right for lists that
    check most of their rows. ``per_row`` makes it two correlated ``EXISTS`` instead (index
    lookups by the case), right when few rows are checked and the person handles many posts
    (search: tens of thousands of posts would be collected to check a few hundred hits)."""
    if per_row:
        return QueryString(
            f"({case}.saksansvarlig = {{}} OR EXISTS (SELECT 1 FROM core_journalpost ij "  # noqa: S608 - alias from code; values are bound
            f"WHERE ij.saksmappe = {case}.id AND ij.saksbehandler = {{}}) OR EXISTS (SELECT 1 "
            "FROM core_korrespondansepart ik JOIN core_journalpost ikj ON ikj.id = ik.journalpost "
            f"WHERE ikj.saksmappe = {case}.id AND ik.intern AND ik.saksbehandler = {{}}))",
            viewer.person_id,
            viewer.person_id,
            viewer.person_id,
        )
    return QueryString(
        f"({case}.saksansvarlig = {{}} OR {case}.id IN ({{}}))",
        viewer.person_id,
        QueryString(
            "SELECT ij.saksmappe FROM core_journalpost ij WHERE ij.saksbehandler = {} "
            "UNION SELECT ikj.saksmappe FROM core_korrespondansepart ik "
            "JOIN core_journalpost ikj ON ikj.id = ik.journalpost WHERE ik.intern AND ik.saksbehandler = {}",
            viewer.person_id,
            viewer.person_id,
        ),
    )


def case_visible(viewer: Viewer, case: str = "s", *, per_row: bool = False) -> QueryString:
    """SQL: ``viewer`` may see the real title of the saksmappe aliased ``case`` (``per_row``: see
    :func:`case_involved`)."""
    return QueryString(
        f"({case}.tilgangsrestriksjon = '' OR {{}} OR {{}})",
        in_list(f"{case}.tilgangsrestriksjon", viewer.codes),
        case_involved(viewer, case, per_row=per_row),
    )


def post_involved(viewer: Viewer, post: str = "j", case: str = "s", *, per_row: bool = False) -> QueryString:
    """SQL: ``viewer`` is involved in journalpost ``post``: its saksbehandler, the case's
    saksansvarlig, or the handler of one of its internal recipients (an uncorrelated subquery,
    evaluated once per statement; with ``per_row`` a correlated ``EXISTS``, see
    :func:`case_involved`)."""
    if per_row:
        return QueryString(
            f"({post}.saksbehandler = {{}} OR {case}.saksansvarlig = {{}} OR EXISTS (SELECT 1 "  # noqa: S608 - alias from code; values are bound
            f"FROM core_korrespondansepart ik WHERE ik.journalpost = {post}.id AND ik.intern "
            "AND ik.saksbehandler = {}))",
            viewer.person_id,
            viewer.person_id,
            viewer.person_id,
        )
    return QueryString(
        f"({post}.saksbehandler = {{}} OR {case}.saksansvarlig = {{}} OR {post}.id IN ({{}}))",
        viewer.person_id,
        viewer.person_id,
        QueryString(
            "SELECT ik.journalpost FROM core_korrespondansepart ik WHERE ik.intern AND ik.saksbehandler = {}",
            viewer.person_id,
        ),
    )


def post_visible(viewer: Viewer, post: str = "j", case: str = "s", *, per_row: bool = False) -> QueryString:
    """SQL: ``viewer`` may see the real title of journalpost ``post`` in saksmappe ``case``
    (``per_row``: see :func:`case_involved`)."""
    return QueryString(
        f"({post}.tilgangsrestriksjon = '' OR {{}} OR {{}})",
        in_list(f"{post}.tilgangsrestriksjon", viewer.codes),
        post_involved(viewer, post, case, per_row=per_row),
    )
