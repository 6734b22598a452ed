"""Benchmark of the restanse counts (issue 5: "the monthly table over 1 million journal posts on
PostgreSQL returns in well under a second").

Runs against the database in ``ARKIV_DATABASE_URL`` (prepare it as docs/benchmarks.md says:
a fresh database, ``arkivrutiner migrate``, ``arkivrutiner demo-data --scale 1000000``) and
times, each ``--runs`` times after one warm-up run (median, min, max):

- ``counts_per_unit`` for two dates (the monthly table: report date and a month before);
- ``counts_per_handler`` for two dates (the per-handler view and the monthly mails);
- ``counts_per_unit`` for 12 month-ends (the trend page);
- ``count`` for one handler, and the first page of ``open_restanser`` for the busiest unit;
- the same counts from the restanse ledger (``core.archive.ledger``: month totals and ledger
  rows), checked equal to the rule's, and the unit report's counts (*Restanser i egen enhet*,
  two dates a week apart, the busiest unit) without a period and with a period of journaldato
  (from the spans), the handler's card figures (``own_summary``) and *Egne restanser*'s first
  page, the total from the ledger.

With ``--explain`` it also prints ``EXPLAIN (ANALYZE, BUFFERS)`` (PostgreSQL) or ``EXPLAIN
QUERY PLAN`` (SQLite) of the rule's two monthly statements and of the ledger's statements for
the monthly table, the trend, one handler's count and the unit report with a period.

    ARKIV_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/arkiv_bench \\
        .venv/bin/python benchmarks/restanse_report.py --runs 7 --explain
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.archive import ledger
from core.archive.queries import restanse_lists, restanser
from core.archive.queries.common import QueryString, engine_type, run
from core.archive.queries.restanser import Scope
from core.archive.queries.visibility import Viewer
from core.db import connected
from core.settings import load_settings
from core.timeutil import months_back, today
from plugins.restanse.queries.trends import last_month_end, month_ends


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def timed(label: str, runs: int, call: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
    await call()  # warm-up (plans, caches)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    result = {
        "label": label,
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
    }
    say(
        f"{label:<58} median {result['median']:8.1f} ms   min {result['min']:8.1f}   max {result['max']:8.1f}"
    )
    return result


async def figures() -> dict[str, int]:
    rows = await run(
        QueryString(
            "SELECT (SELECT COUNT(*) FROM core_journalpost) AS poster, "
            "(SELECT COUNT(*) FROM core_korrespondansepart WHERE intern) AS interne, "
            "(SELECT COUNT(*) FROM core_avskrivning) AS avskrivninger, "
            "(SELECT COUNT(*) FROM core_unit) AS enheter, "
            "(SELECT COUNT(*) FROM core_restanse_span) AS spenn, "
            "(SELECT COUNT(*) FROM core_restanse_ledger) AS regnskap, "
            "(SELECT COUNT(*) FROM core_restanse_month) AS maaneder"
        )
    )
    return {k: int(v) for k, v in rows[0].items()}


async def explain(title: str, query: QueryString, *, planner_settings: bool = True) -> None:
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if engine_type() == "postgres" else "EXPLAIN QUERY PLAN "
    explained = QueryString(prefix + "{}", query)
    # The rule's statements with their planner settings; the ledger's as the pages run them.
    rows = await (restanser._run_scan(explained) if planner_settings else run(explained))
    say(f"\n--- {title} ---")
    for row in rows:
        say(" ".join(str(v) for v in row.values()))


async def main(runs: int, day: date, show_plans: bool) -> None:
    settings = load_settings()
    async with connected(settings):
        facts = await figures()
        say(
            f"Database: {engine_type()}; {facts['poster']:,} journalposter, {facts['interne']:,} interne "
            f"korrespondanseparter, {facts['avskrivninger']:,} avskrivninger, {facts['enheter']} enheter; "
            f"regnskapet: {facts['spenn']:,} spenn, {facts['regnskap']:,} dagrader, {facts['maaneder']:,} månedsrader"
        )
        comparison = months_back(day)
        dates = [comparison, day]
        units = await restanser.counts_per_unit(dates)
        say(
            f"Restanser {comparison:%d.%m.%Y}: {sum(u.counts[0] for u in units):,}; "
            f"{day:%d.%m.%Y}: {sum(u.counts[1] for u in units):,}\n"
        )
        busiest = max(units, key=lambda u: u.counts[1])
        handlers = await restanser.counts_per_handler([day])
        top = max((h for h in handlers if h.person_id), key=lambda h: h.counts[0])
        assert top.person_id is not None
        trend_dates = month_ends(last_month_end(day))
        viewer = Viewer(person_id=top.person_id, codes=frozenset())
        results = [
            await timed(
                "counts_per_unit (2 datoer: månedstabellen)", runs, lambda: restanser.counts_per_unit(dates)
            ),
            await timed("counts_per_handler (2 datoer)", runs, lambda: restanser.counts_per_handler(dates)),
            await timed(
                "counts_per_unit (12 månedsslutt: trend)",
                runs,
                lambda: restanser.counts_per_unit(trend_dates),
            ),
            await timed(
                f"count (én saksbehandler, {top.counts[0]} restanser)",
                runs,
                lambda: restanser.count(day, Scope(saksbehandler_id=top.person_id)),
            ),
            await timed(
                f"open_restanser side 1 ({busiest.code}, {busiest.counts[1]} restanser)",
                runs,
                lambda: restanse_lists.open_restanser(viewer, Scope(unit_ids=(busiest.unit_id,)), day=day),
            ),
        ]
        del results
        say("\nFra restanseregnskapet (core.archive.ledger):")
        checks = [
            (
                "counts_per_unit (2 datoer)",
                restanser.counts_per_unit(dates),
                ledger.counts_per_unit,
                (dates,),
            ),
            (
                "counts_per_handler (2 datoer)",
                restanser.counts_per_handler(dates),
                ledger.counts_per_handler,
                (dates,),
            ),
            (
                "counts_per_unit (12 månedsslutt)",
                restanser.counts_per_unit(trend_dates),
                ledger.counts_per_unit,
                (trend_dates,),
            ),
        ]
        for label, rule_result, read, arguments in checks:
            assert await rule_result == await read(*arguments), f"regnskapet avviker fra regelen: {label}"
            await timed(f"ledger {label}", runs, lambda read=read, arguments=arguments: read(*arguments))
        own = Scope(saksbehandler_id=top.person_id)
        assert await ledger.count(day, own) == await restanser.count(day, own)
        await timed(
            f"ledger count (én saksbehandler, {top.counts[0]} restanser)",
            runs,
            lambda: ledger.count(day, own),
        )
        week = [day - timedelta(days=7), day]
        unit_scopes = [
            ("uten periode", Scope(unit_ids=(busiest.unit_id,))),
            (
                f"journaldato {day - timedelta(days=365):%d.%m.%Y}–{day:%d.%m.%Y}",
                Scope(
                    unit_ids=(busiest.unit_id,),
                    journaldato_fra=day - timedelta(days=365),
                    journaldato_til=day,
                ),
            ),
            (
                f"journaldato fra {day - timedelta(days=90):%d.%m.%Y}",
                Scope(unit_ids=(busiest.unit_id,), journaldato_fra=day - timedelta(days=90)),
            ),
        ]
        for label, unit_scope in unit_scopes:
            assert await ledger.counts_per_handler(week, unit_scope) == await restanser.counts_per_handler(
                week, unit_scope
            ), f"regnskapet avviker fra regelen: enhetsrapport {label}"
            await timed(
                f"ledger enhetsrapport {busiest.code}, {label}",
                runs,
                lambda unit_scope=unit_scope: ledger.counts_per_handler(week, unit_scope),
            )
        await timed(
            f"own_summary (kortet; {top.counts[0]} restanser)",
            runs,
            lambda: restanse_lists.own_summary(top.person_id, day),
        )
        await timed(
            "open_restanser side 1 (Egne restanser, totalen fra regnskapet)",
            runs,
            lambda: restanse_lists.open_restanser(viewer, own, day=day),
        )
        say("Regnskapet gir de samme tallene som regelen.")
        if show_plans:
            await explain("counts_per_unit, 2 datoer", restanser.unit_counts_query(dates, Scope()))
            await explain("counts_per_handler, 2 datoer", restanser.handler_counts_query(dates, Scope()))
            for title, query in [
                (
                    "regnskapet: per enhet, 2 datoer",
                    ledger.counts_query(dates, Scope(), ("enhet",), with_unit=True),
                ),
                (
                    "regnskapet: trend, 12 månedsslutt",
                    ledger.counts_query(trend_dates, Scope(), ("enhet",), with_unit=True),
                ),
                ("regnskapet: én saksbehandler", ledger.counts_query([day], own, ())),
                (
                    "spennene: enhetsrapport med periode",
                    ledger.counts_query(week, unit_scopes[1][1], ("enhet", "saksbehandler"), with_unit=True),
                ),
            ]:
                await explain(title, query, planner_settings=False)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="målinger per spørring (etter én oppvarming)")
    parser.add_argument("--dato", type=date.fromisoformat, default=None, help="rapportdato (standard: i dag)")
    parser.add_argument("--explain", action="store_true", help="skriv ut spørringsplanene")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.dato or today(), args.explain))
