"""The queues *Til fordeling* kept by the write side (core.archive.fordeling_spans); the next migration adds its index and fills it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T19:27:31:465743"
VERSION = "1.38.0"
DESCRIPTION = "fordeling spans: core_fordeling_span"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    manager.add_table(
        class_name="FordelingSpan",
        tablename="core_fordeling_span",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="FordelingSpan",
        tablename="core_fordeling_span",
        column_name="korrespondansepart",
        db_column_name="korrespondansepart",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
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
        table_class_name="FordelingSpan",
        tablename="core_fordeling_span",
        column_name="journalpost",
        db_column_name="journalpost",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
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
        table_class_name="FordelingSpan",
        tablename="core_fordeling_span",
        column_name="enhet",
        db_column_name="enhet",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
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
        table_class_name="FordelingSpan",
        tablename="core_fordeling_span",
        column_name="fra_dato",
        db_column_name="fra_dato",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": DateNow(),
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
        table_class_name="FordelingSpan",
        tablename="core_fordeling_span",
        column_name="til_dato",
        db_column_name="til_dato",
        column_class_name="Date",
        column_class=Date,
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

    manager.add_column(
        table_class_name="FordelingSpan",
        tablename="core_fordeling_span",
        column_name="mottatt",
        db_column_name="mottatt",
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
