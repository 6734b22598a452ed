"""PostgreSQL: a first import builds indexes and checks foreign keys after loading, not row by row.

Kept up row by row, the indexes of the archive's tables cost PostgreSQL more than the load
itself, above all the ``gin_trgm_ops`` indexes on titles and names, and each foreign key is a
lookup per row (docs/benchmarks.md, «One pass»). Built and checked once over the loaded rows
they cost a fraction of that. So when every table the import fills is still empty (a first
load, the usual import), :func:`defer_indexes` drops their plain secondary indexes and the
foreign keys between them inside the import's transaction, and :func:`build_indexes` makes
them again from the definitions PostgreSQL reported before dropping them (``pg_indexes``,
``pg_get_constraintdef``: exactly what the migrations made), before the import's closing
steps. Re-adding a foreign key checks every loaded row against it, so nothing goes unchecked.

What stays: primary keys, unique indexes and every index behind a constraint, which the import
itself relies on (``system_id`` lookups, taken numbers) and which guard the data while it
loads, and the foreign keys to people and units (dropping one would lock that table).
``DROP INDEX``, ``CREATE INDEX`` and ``ALTER TABLE`` are transactional in PostgreSQL: a
refusal, an error or Ctrl-C anywhere rolls back the drops with the rows, and the indexes and
keys are as they were. The drops lock the tables until the import commits, so the app's
readers of these (still empty) tables wait for the first import instead of seeing it half
done. SQLite keeps its indexes (they cost it little; docs/benchmarks.md) and gets a larger
page cache for the import's connection (:func:`tune_connection`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from core.archive.noark5.import_writer import select

SQLITE_CACHE_KIB = 32_768
"""SQLite's page cache for the import's connection (default 2 MB): the tables' B-trees outgrow
the default at about 100 000 posts (6 % of the CPU at 104 628 posts, docs/benchmarks.md)."""
MAINTENANCE_WORK_MEM = "256MB"
"""Memory for building the indexes again (``SET LOCAL``, this transaction only)."""


@dataclass(frozen=True)
class Deferred:
    """An index or foreign key dropped for the load, and the statement that makes it again."""

    name: str
    statement: str
    """``CREATE INDEX …`` as ``pg_indexes.indexdef`` gave it, or ``ALTER TABLE … ADD
    CONSTRAINT … FOREIGN KEY …`` with ``pg_get_constraintdef``'s definition."""


async def defer_indexes(tables: Sequence[type[Table]]) -> list[Deferred]:
    """When ``tables`` are all empty (PostgreSQL only), drop their secondary indexes and the
    foreign keys between them, and return them for :func:`build_indexes`; otherwise drop
    nothing and return ``[]``."""
    first = tables[0]
    if not isinstance(first._meta.db, PostgresEngine):
        return []
    names = [table._meta.tablename for table in tables]
    empty = " AND ".join(f'NOT EXISTS (SELECT 1 FROM "{name}")' for name in names)  # noqa: S608
    found = await select(first, f"SELECT {empty} AS empty", [])
    if not found[0]["empty"]:
        return []
    indexes = await select(
        first,
        """
        SELECT i.indexname AS name, i.indexdef AS definition
        FROM pg_indexes i
        JOIN pg_namespace n ON n.nspname = i.schemaname
        JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = n.oid
        JOIN pg_index x ON x.indexrelid = c.oid
        WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])
          AND NOT x.indisunique AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
        ORDER BY i.tablename, i.indexname
        """,
        [names],
    )
    # Only keys from one loaded table to another: the tables they lock are locked already
    # (keys to people and units stay, so those tables are not locked for the import).
    keys = await select(
        first,
        """
        SELECT k.conname AS name, t.relname AS tablename, pg_get_constraintdef(k.oid) AS definition
        FROM pg_constraint k
        JOIN pg_class t ON t.oid = k.conrelid
        JOIN pg_class r ON r.oid = k.confrelid
        WHERE k.contype = 'f' AND t.relnamespace = to_regnamespace(current_schema())
          AND r.relnamespace = t.relnamespace
          AND t.relname = ANY($1::text[]) AND r.relname = ANY($1::text[])
        ORDER BY t.relname, k.conname
        """,
        [names],
    )
    deferred = [Deferred(row["name"], row["definition"]) for row in indexes]
    for row in keys:
        table, name = row["tablename"], row["name"]
        await select(first, f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"', [])
        deferred.append(Deferred(name, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {row["definition"]}'))
    if indexes:
        listed = ", ".join(f'"{row["name"]}"' for row in indexes)
        await select(first, f"DROP INDEX {listed}", [])
    return deferred


async def tune_connection(table: type[Table]) -> None:
    """SQLite: a larger page cache for the import. The transaction has a connection of its
    own (Piccolo opens one per transaction), so the setting ends with it."""
    if not isinstance(table._meta.db, PostgresEngine):
        await select(table, f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}", [])


async def build_indexes(table: type[Table], deferred: Sequence[Deferred]) -> None:
    """Make again what :func:`defer_indexes` dropped, as it was defined (the indexes first,
    then the foreign keys, each checked over all the loaded rows at once)."""
    if not deferred:
        return
    await select(table, f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'", [])
    for item in deferred:
        await select(table, item.statement, [])
