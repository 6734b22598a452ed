"""Benchmark of the Noark 5 export and import (issue 13, item 5), against the lxml floor.

Two commands, each against the database in ``ARKIV_DATABASE_URL`` (docs/benchmarks.md,
section «Noark 5 export and import», says how to build them):

``export OUT.xml``
    times :func:`core.archive.noark5.exporter.export_to` (write, validate, rename) and prints
    journal posts, seconds and posts/s. Run it at two sizes (``demo-data --scale``) to see that
    the time is linear in the posts.

``import FILE.xml``
    on an empty, migrated scratch database: first the floor, in the same run and on the same
    database, then the import itself:

    - *walk*: an lxml ``iterparse`` over the file that reads each journalpost's systemID,
      tittel and journalposttype and frees the element (nothing else);
    - *walk + bulk insert*: the same walk, the posts inserted into a temporary table with the
      driver's bulk path (``COPY`` on PostgreSQL, ``executemany`` on SQLite) in one transaction;
    - *import*: :func:`core.archive.noark5.importer.import_path` (one pass, every table).

    It prints posts/s for each, and the import as a percentage of the walk-plus-insert floor
    (issue 13's target: at least 33 %).

    ARKIV_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/arkiv_import_bench \\
        .venv/bin/python benchmarks/noark5_io.py import /tmp/uttrekk.xml
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from piccolo.engine.postgres import PostgresEngine

from core.archive.noark5.exporter import export_to
from core.archive.noark5.importer import import_path
from core.archive.tables import Journalpost
from core.db import connected, migrate, writing
from core.settings import load_settings

NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def walk(path: Path) -> Iterator[tuple[str, str, str]]:
    """(systemID, tittel, journalposttype) of every journalpost, by lxml alone."""
    registrering = f"{{{NS}}}registrering"
    for _event, element in etree.iterparse(str(path), events=("end",), tag=registrering, huge_tree=True):
        if element.get(XSI_TYPE) == "journalpost":
            yield (
                element.findtext(f"{{{NS}}}systemID") or "",
                element.findtext(f"{{{NS}}}tittel") or "",
                element.findtext(f"{{{NS}}}journalposttype") or "",
            )
        element.clear(keep_tail=True)
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]


async def walk_and_insert(path: Path) -> int:
    """The floor: the walk, and its posts bulk-inserted into a temporary table (one transaction)."""
    engine = Journalpost._meta.db
    posts = 0
    async with writing(Journalpost) as tx:
        await tx.connection.execute(
            "CREATE TEMPORARY TABLE bench_floor (system_id TEXT, tittel TEXT, journalposttype TEXT)"
        )
        batch: list[tuple[str, str, str]] = []

        async def flush() -> None:
            if isinstance(engine, PostgresEngine):
                await tx.connection.copy_records_to_table("bench_floor", records=batch)
            else:
                await tx.connection.executemany("INSERT INTO bench_floor VALUES (?, ?, ?)", batch)
            batch.clear()

        for row in walk(path):
            batch.append(row)
            posts += 1
            if len(batch) >= 5_000:
                await flush()
        if batch:
            await flush()
        await tx.connection.execute("DROP TABLE bench_floor")
    return posts


def rate(posts: int, seconds: float) -> str:
    return f"{posts} journalposter på {seconds:.1f} s = {posts / seconds:,.0f}/s".replace(",", " ")


async def run_export(out: Path) -> None:
    settings = load_settings()
    async with connected(settings):
        started = time.perf_counter()
        summary = await export_to(settings, out)
        seconds = time.perf_counter() - started
    say(f"eksport: {rate(summary.journalposter, seconds)}")


async def run_import(xml: Path) -> None:
    settings = load_settings()
    await migrate(settings)
    async with connected(settings):
        if await Journalpost.count() > 0:
            sys.exit("Databasen har journalposter fra før: bruk en tom database (se docs/benchmarks.md).")
        started = time.perf_counter()
        walked = sum(1 for _ in walk(xml))
        walk_seconds = time.perf_counter() - started
        say(f"lxml-gjennomgang: {rate(walked, walk_seconds)}")
        started = time.perf_counter()
        inserted = await walk_and_insert(xml)
        floor_seconds = time.perf_counter() - started
        say(f"gjennomgang + masseinnsetting (gulvet): {rate(inserted, floor_seconds)}")
        started = time.perf_counter()
        summary = await import_path(settings, xml)
        import_seconds = time.perf_counter() - started
        say(f"import-noark5: {rate(summary.journalposter_new, import_seconds)}")
        say(
            f"importen er {100 * floor_seconds / import_seconds:.0f} % av gulvet "
            f"({import_seconds / floor_seconds:.1f} × gulvets tid; "
            f"{import_seconds / walk_seconds:.1f} × gjennomgangen alene)"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="time export-noark5 of the database to OUT.xml")
    export.add_argument("out", type=Path)
    imported = commands.add_parser("import", help="time import-noark5 of FILE.xml against the lxml floor")
    imported.add_argument("file", type=Path)
    args: Any = parser.parse_args(argv)
    if args.command == "export":
        asyncio.run(run_export(args.out))
    else:
        asyncio.run(run_import(args.file))


if __name__ == "__main__":
    main()
