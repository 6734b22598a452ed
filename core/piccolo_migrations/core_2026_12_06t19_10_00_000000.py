"""Foreløpig svar: which post of the case was the provisional reply, who registered it and when
(:func:`core.archive.services.mark_foreloepig_svar`; only that person may undo it, the same day:
:func:`core.archive.services.undo_foreloepig_svar`). Three nullable columns on the recipient;
the next migration fills who and when from the hendelseslogg and adds the index (Piccolo runs a
migration's raw statements before its new columns)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Journalpost(Table, tablename="core_journalpost", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Person(Table, tablename="core_person", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-06T19:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "foreløpig svar: answering post, registered by and at"


def _foreign_key(manager: MigrationManager, name: str, references: type[Table]) -> None:
    manager.add_column(
        table_class_name="Korrespondansepart",
        tablename="core_korrespondansepart",
        column_name=name,
        db_column_name=name,
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": references,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    _foreign_key(manager, "foreloepig_svar_journalpost", Journalpost)
    _foreign_key(manager, "foreloepig_svar_av", Person)
    manager.add_column(
        table_class_name="Korrespondansepart",
        tablename="core_korrespondansepart",
        column_name="foreloepig_svar_registrert",
        db_column_name="foreloepig_svar_registrert",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
