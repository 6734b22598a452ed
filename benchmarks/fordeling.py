"""Benchmark of fordeling's read side (issue 13, item 2): the queue pages *Til fordeling*, their
counts, and the sender suggestion.

Runs against the database in ``ARKIV_DATABASE_URL`` (prepared as docs/benchmarks.md says) and
times, each ``--runs`` times after one warm-up run (median, min, max):

- the first page of the busiest unit's queue as its leader (page, total and suggestions);
- the first page of the central queue of Fellestjenesten/Arkiv (no unit yet);
- the counts and oldest item of every queue (the overview and the menu badge of the archive);
- the units waiting too long (the daily reminder);
- the sender suggestion of 50 senders in the unit with the most distributed post: from
  ``core_avsender_saksbehandler`` (when the table exists) and, for comparison, the window over
  the unit's whole history that it replaced.

With ``--explain`` it prints the plan of the unit's queue page and of the counts.

    ARKIV_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/arkiv_bench \\
        .venv/bin/python benchmarks/fordeling.py --runs 9 --explain
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.archive.queries import distribution, distribution_counts
from core.archive.queries.common import QueryString, engine_type, in_list, run
from core.archive.queries.visibility import Viewer
from core.db import connected
from core.settings import load_settings
from core.timeutil import today


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def timed(label: str, runs: int, call: Callable[[], Awaitable[Any]]) -> None:
    await call()  # warm-up (plans, caches)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    say(
        f"{label:<62} median {statistics.median(times):8.1f} ms   min {min(times):8.1f}   max {max(times):8.1f}"
    )


def old_window(unit_id: int, senders: list[str]) -> QueryString:
    """The sender suggestion as it was before ``core_avsender_saksbehandler`` (for an open
    viewer: no skjerming term)."""
    return QueryString(
        "SELECT avsender, saksbehandler, navn FROM ("
        " SELECT e.navn AS avsender, k2.saksbehandler, p.name AS navn, ROW_NUMBER() OVER ("
        "  PARTITION BY e.navn ORDER BY (k2.fordelt_dato IS NULL), k2.fordelt_dato DESC, k2.id DESC"
        " ) AS rn"
        " FROM core_korrespondansepart e"
        " JOIN core_korrespondansepart k2 ON k2.journalpost = e.journalpost"
        "  AND k2.intern AND k2.saksbehandler IS NOT NULL AND k2.administrativ_enhet = {}"
        " JOIN core_person p ON p.id = k2.saksbehandler AND p.active AND p.unit = {}"
        " JOIN core_journalpost j2 ON j2.id = e.journalpost"
        " WHERE NOT e.intern AND e.korrespondanseparttype = 'EA' AND {} AND j2.tilgangsrestriksjon = ''"
        ") latest WHERE rn = 1",
        unit_id,
        unit_id,
        in_list("e.navn", senders),
    )


async def explain(title: str, query: QueryString) -> None:
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if engine_type() == "postgres" else "EXPLAIN QUERY PLAN "
    say(f"\n--- {title} ---")
    for row in await run(QueryString(prefix + "{}", query)):
        say(" ".join(str(v) for v in row.values()))


async def main(runs: int, show_plans: bool) -> None:
    async with connected(load_settings()):
        facts = (
            await run(
                QueryString(
                    "SELECT (SELECT COUNT(*) FROM core_journalpost) AS poster, "
                    "(SELECT COUNT(*) FROM core_korrespondansepart WHERE intern) AS interne, "
                    "(SELECT COUNT(*) FROM core_korrespondansepart WHERE intern AND saksbehandler IS NOT NULL) "
                    "AS fordelte, (SELECT COUNT(*) FROM core_journalpost WHERE journalposttype = 'I') AS inngaaende"
                )
            )
        )[0]
        queues = await distribution_counts.summaries(None, central=True)
        waiting = sum(q.count for q in queues)
        say(
            f"Database: {engine_type()}; {facts['poster']:,} journalposter ({facts['inngaaende']:,} I), "
            f"{facts['interne']:,} interne mottakere ({facts['fordelte']:,} fordelt), {waiting} til fordeling"
        )
        busiest = (
            await run(
                QueryString(
                    "SELECT k.administrativ_enhet AS enhet, COUNT(*) AS n FROM core_korrespondansepart k "
                    "WHERE k.intern AND k.saksbehandler IS NOT NULL AND k.administrativ_enhet IS NOT NULL "
                    "GROUP BY k.administrativ_enhet ORDER BY n DESC LIMIT 1"
                )
            )
        )[0]
        unit_id, distributed = int(busiest["enhet"]), int(busiest["n"])
        leader = (
            await run(QueryString("SELECT person FROM core_leadership WHERE unit = {} LIMIT 1", unit_id))
        )[0]["person"]
        archive = (
            await run(
                QueryString(
                    "SELECT p.id FROM core_person p JOIN core_unit u ON u.id = p.unit "
                    "WHERE p.active ORDER BY (u.code = 'SUV') DESC, p.id LIMIT 1"
                )
            )
        )[0]["id"]
        in_unit = next(q.count for q in queues if q.unit_id == unit_id)
        central = next(q.count for q in queues if q.unit_id is None)
        senders = [
            r["navn"]
            for r in await run(
                QueryString(
                    "SELECT DISTINCT e.navn FROM core_korrespondansepart e "
                    "JOIN core_korrespondansepart k ON k.journalpost = e.journalpost AND k.intern "
                    "AND k.administrativ_enhet = {} AND k.saksbehandler IS NOT NULL "
                    "WHERE NOT e.intern AND e.korrespondanseparttype = 'EA' AND e.navn <> '' ORDER BY e.navn LIMIT 50",
                    unit_id,
                )
            )
        ]
        say(
            f"Enhet {unit_id}: {distributed:,} fordelte mottakere, {in_unit} i køen; sentral kø: {central}; "
            f"{len(senders)} avsendere\n"
        )
        leader_view = Viewer(int(leader), frozenset())
        archive_view = Viewer(int(archive), frozenset())
        filters = distribution.QueueFilter()
        await timed(
            "køside, enhetens leder (side 1 + total + forslag)",
            runs,
            lambda: distribution.queue_page(leader_view, unit_id, filters, 1),
        )
        await timed(
            "køside, sentral kø (side 1 + total)",
            runs,
            lambda: distribution.queue_page(archive_view, None, filters, 1),
        )
        await timed(
            "antall og eldste per kø (alle enheter + sentral)",
            runs,
            lambda: distribution_counts.summaries(None, central=True),
        )
        await timed(
            "enheter som har ventet over 2 dager (påminnelsen)",
            runs,
            lambda: distribution_counts.units_waiting_since(today() - timedelta(days=2)),
        )
        has_table = await run(
            QueryString(
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'core_avsender_saksbehandler'"
                if engine_type() == "postgres"
                else "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'core_avsender_saksbehandler'"
            )
        )
        items = [
            {"journalposttype": "I", "synlig": True, "avsender": s, "saksansvarlig": None} for s in senders
        ]
        if int(has_table[0]["n"]):
            await timed(
                "avsenderforslag, 50 avsendere: core_avsender_saksbehandler",
                runs,
                lambda: distribution.attach_suggestions(leader_view, unit_id, [dict(i) for i in items]),
            )
        await timed(
            "avsenderforslag, 50 avsendere: vindu over hele historikken",
            runs,
            lambda: run(old_window(unit_id, senders)),
        )
        if show_plans:
            for title, unit, viewer in (
                ("køside, enhet", unit_id, leader_view),
                ("køside, sentral", None, archive_view),
            ):
                select, count = distribution.queue_queries(viewer, unit, filters)
                await explain(title, QueryString("{} LIMIT 50", select))
                await explain(f"{title}: antall", count)
            summaries = distribution_counts.summaries_query(None, central=True)
            assert summaries is not None
            await explain("antall og eldste per kø", summaries)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="målinger per spørring (etter én oppvarming)")
    parser.add_argument("--explain", action="store_true", help="skriv ut spørringsplanene")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.explain))
