"""Row access for the write side: load a record inside the write transaction (locked on
PostgreSQL), optimistic updates on ``version``, and the labels the hendelseslogg uses.

Lock order, to keep PostgreSQL free of deadlocks: saksmappe, then journalpost, then
korrespondansepart. Locks are ``FOR NO KEY UPDATE`` (they do not block inserts that only
reference the row). SQLite needs no row locks: the IMMEDIATE write transaction serialises all
writers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from piccolo.table import Table

from core.archive.access import shown_title
from core.archive.numbering import mappe_id, registrerings_id
from core.archive.tables import Journalpost, Korrespondansepart, Saksmappe
from core.errors import Conflict, NotFound
from core.i18n import _
from core.tables import Person, Unit

Row = dict[str, Any]

CASE_COLUMNS = (
    Saksmappe.id,
    Saksmappe.saksaar,
    Saksmappe.sakssekvensnummer,
    Saksmappe.tittel,
    Saksmappe.offentlig_tittel,
    Saksmappe.saksstatus,
    Saksmappe.administrativ_enhet,
    Saksmappe.saksansvarlig,
    Saksmappe.tilgangsrestriksjon,
    Saksmappe.version,
)
POST_COLUMNS = (
    Journalpost.id,
    Journalpost.saksmappe,
    Journalpost.journalpostnummer,
    Journalpost.journalposttype,
    Journalpost.journalstatus,
    Journalpost.tittel,
    Journalpost.offentlig_tittel,
    Journalpost.journaldato,
    Journalpost.dokumentets_dato,
    Journalpost.forfallsdato,
    Journalpost.mottatt_dato,
    Journalpost.administrativ_enhet,
    Journalpost.saksbehandler,
    Journalpost.tilgangsrestriksjon,
    Journalpost.version,
)
PART_COLUMNS = (
    Korrespondansepart.id,
    Korrespondansepart.journalpost,
    Korrespondansepart.korrespondanseparttype,
    Korrespondansepart.navn,
    Korrespondansepart.intern,
    Korrespondansepart.administrativ_enhet,
    Korrespondansepart.saksbehandler,
    Korrespondansepart.fordelt_dato,
    Korrespondansepart.version,
)


def new_system_id() -> str:
    return str(uuid.uuid4())


def is_postgres() -> bool:
    return str(Saksmappe._meta.db.engine_type) in ("postgres", "cockroach")


def _locked(query: Any, lock: bool) -> Any:
    if lock and is_postgres():
        return query.lock_rows("NO KEY UPDATE")
    return query


async def load_case(saksmappe_id: int, *, lock: bool = False) -> Row:
    """The case (``NotFound`` when missing); ``lock`` holds its row until commit on PostgreSQL."""
    query = Saksmappe.select(*CASE_COLUMNS).where(Saksmappe.id == saksmappe_id)
    row: Row | None = await _locked(query, lock).first()
    if row is None:
        raise NotFound(_("Fant ikke saken."))
    return row


async def load_post(journalpost_id: int, *, lock: bool = False) -> Row:
    query = Journalpost.select(*POST_COLUMNS).where(Journalpost.id == journalpost_id)
    row: Row | None = await _locked(query, lock).first()
    if row is None:
        raise NotFound(_("Fant ikke journalposten."))
    return row


async def load_part(korrespondansepart_id: int) -> Row:
    row: Row | None = (
        await Korrespondansepart.select(*PART_COLUMNS)
        .where(Korrespondansepart.id == korrespondansepart_id)
        .first()
    )
    if row is None:
        raise NotFound(_("Fant ikke mottakeren."))
    return row


async def bump(table: type[Table], row_id: int, version: int, values: dict[Any, Any], conflict: str) -> None:
    """``UPDATE table SET values, version = version + 1 WHERE id = row_id AND version = version``;
    no row updated raises :class:`Conflict` with ``conflict``. Takes the row lock on PostgreSQL,
    so of two concurrent updates with the same version exactly one succeeds."""
    version_column: Any = table._meta.get_column_by_name("version")
    id_column: Any = table._meta.primary_key
    rows = (
        await table.update({**values, version_column: version_column + 1})
        .where((id_column == row_id) & (version_column == version))
        .returning(id_column)
    )
    if not rows:
        raise Conflict(conflict)


async def touch(table: type[Table], row_id: int, values: dict[Any, Any]) -> None:
    """Update a row this transaction already holds (locked or checked): ``version + 1``."""
    version_column: Any = table._meta.get_column_by_name("version")
    id_column: Any = table._meta.primary_key
    await table.update({**values, version_column: version_column + 1}).where(id_column == row_id)


IDS_PER_STATEMENT = 500
"""Ids per ``IN`` list of a bulk statement (SQLite allows 32 766 variables)."""


def chunks(ids: Sequence[int]) -> list[list[int]]:
    """``ids`` in lists of at most :data:`IDS_PER_STATEMENT`."""
    size = IDS_PER_STATEMENT
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


async def touch_many(
    table: type[Table],
    ids: Sequence[int],
    assignments: str,
    *values: Any,
    where: str = "",
    where_values: Sequence[Any] = (),
) -> int:
    """:func:`touch` for many rows this transaction holds: ``UPDATE table SET assignments,
    version = version + 1 WHERE id IN ids [AND where]`` (``assignments`` and ``where`` are SQL
    from code with ``{}`` for ``values`` and ``where_values``), a few hundred ids per statement.
    Returns how many rows it updated."""
    updated = 0
    for chunk in chunks(ids):
        ids_sql = ", ".join("{}" for _ in chunk)
        rows = await table.raw(
            f"UPDATE {table._meta.tablename} SET {assignments}, version = version + 1 "  # noqa: S608 - names from code; values are bound
            f"WHERE id IN ({ids_sql}){where} RETURNING id",
            *values,
            *chunk,
            *where_values,
        )
        updated += len(rows)
    return updated


async def active_units(unit_ids: list[int]) -> dict[int, Row]:
    """The active units among ``unit_ids`` (id, code, name), by id; one query."""
    if not unit_ids:
        return {}
    rows = await Unit.select(Unit.id, Unit.code, Unit.name).where(
        Unit.id.is_in(sorted(set(unit_ids))) & Unit.active.eq(True)
    )
    return {int(r["id"]): r for r in rows}


async def active_people(person_ids: list[int]) -> dict[int, Row]:
    """The active people among ``person_ids`` (id, name, unit), by id; one query."""
    if not person_ids:
        return {}
    rows = await Person.select(Person.id, Person.name, Person.unit).where(
        Person.id.is_in(sorted(set(person_ids))) & Person.active.eq(True)
    )
    return {int(r["id"]): r for r in rows}


def unit_label(unit: Row) -> str:
    return f"{unit['code']} {unit['name']}"


def post_changed() -> str:
    return _("Noen andre endret journalposten i mellomtiden. Last siden på nytt.")


def case_changed() -> str:
    return _("Noen andre endret saken i mellomtiden. Last siden på nytt.")


def audit_title(row: Row) -> str:
    """The title the hendelseslogg may show: the public one when the record is restricted."""
    return shown_title(row["tittel"], row["offentlig_tittel"], visible=not row["tilgangsrestriksjon"])


def case_label(case: Row) -> str:
    """``2026/00123 Title`` (public title for a restricted case)."""
    return f"{mappe_id(case['saksaar'], case['sakssekvensnummer'])} {audit_title(case)}"


def post_number(case: Row, post: Row) -> str:
    return registrerings_id(case["saksaar"], case["sakssekvensnummer"], post["journalpostnummer"])


def post_label(case: Row, post: Row) -> str:
    """``2026/00123-4 Title`` (public title for a restricted post)."""
    return f"{post_number(case, post)} {audit_title(post)}"
