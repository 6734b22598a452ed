"""Dokumentflyt (Noark 5 M660–M665) on the journal post, and where a document version was made.

- ``core_dokumentflyt``: one row per step of a post's flow (who sent it to whom, when it was
  received and sent on, the status G/I/S and the remark). Log metadata: never updated or deleted.
  ``journalpost`` is NOT NULL with an index; ``flyt_til``/``flyt_fra`` are nullable (imported
  names that match no person) next to the names as they were (``flyt_til_navn``/``flyt_fra_navn``).
- ``core_dokumentobjekt.opprettet_i`` (varchar 200, default ""): a label such as «Godkjenning,
  steg 1»; existing versions get "".

The flytstatus code list is already seeded from ``core/archive/kodelister.csv`` (migration
2026-11-22T07:50). Reviewed: the same statements run on SQLite and PostgreSQL (a new table, and
a column with a constant default).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
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


ID = "2026-12-06T08:36:39:849299"
VERSION = "1.38.0"
DESCRIPTION = "dokumentflyt and dokumentobjekt.opprettet_i"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="core", description=DESCRIPTION
    )

    manager.add_table(
        class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        column_name="system_id",
        db_column_name="system_id",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 100,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        column_name="journalpost",
        db_column_name="journalpost",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Journalpost,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        column_name="flyt_til",
        db_column_name="flyt_til",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Person,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
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

    manager.add_column(
        table_class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        column_name="flyt_til_navn",
        db_column_name="flyt_til_navn",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
            "default": "",
            "null": False,
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

    manager.add_column(
        table_class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        column_name="flyt_fra",
        db_column_name="flyt_fra",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Person,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
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

    manager.add_column(
        table_class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        column_name="flyt_fra_navn",
        db_column_name="flyt_fra_navn",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
            "default": "",
            "null": False,
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

    manager.add_column(
        table_class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        column_name="flyt_mottatt_dato",
        db_column_name="flyt_mottatt_dato",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
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

    manager.add_column(
        table_class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        column_name="flyt_sendt_dato",
        db_column_name="flyt_sendt_dato",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
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

    manager.add_column(
        table_class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        column_name="flyt_status",
        db_column_name="flyt_status",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 1,
            "default": "",
            "null": False,
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

    manager.add_column(
        table_class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        column_name="flyt_merknad",
        db_column_name="flyt_merknad",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
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

    manager.add_column(
        table_class_name="Dokumentflyt",
        tablename="core_dokumentflyt",
        column_name="registrert",
        db_column_name="registrert",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
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

    manager.add_column(
        table_class_name="Dokumentobjekt",
        tablename="core_dokumentobjekt",
        column_name="opprettet_i",
        db_column_name="opprettet_i",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
            "default": "",
            "null": False,
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
