"""Every page at the benchmark's size, one request at a time (issue 13: "make every page fast at
that size"): not only the pages ``benchmarks/pages.py`` loads under ``wrk``, but each list with
its sorts, filters and later pages, searches for common words, the case and post pages those
lists link to, the exports, the leaver's checklist and the redistribution page of the busiest
handler, the unit report's lists of that handler and of the restanser without handler in each
sort, for the same four personas (the heavy cases) on the same database.

PostgreSQL only; the database must exist (``benchmarks/pages.py --build N`` makes it). It signs
the personas in on a development server as ``pages.py`` does, starts ``arkivrutiner serve`` in
production mode (the personas' list preferences forgotten before and after, so every list
starts in its default sort), asks each URL once to warm up and ``--runs`` times more on one keep-alive
connection, follows up to three case and post links from each list, and prints every answer
slower than ``--limit`` ms (default 100, issue 13's target for one request at a million posts)
and the slowest 25, with status and size. ``--json OUT`` writes all timings.

    .venv/bin/python benchmarks/every_page.py --database arkiv_bench --json /tmp/every_page.json
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import re
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pages import (
    BIN,
    Persona,
    Servers,
    app_env,
    database_url,
    forget_list_preferences,
    free_port,
    interruptible,
    read_facts,
    say,
    sign_in,
)

LISTS = {
    "handler": [
        "/restanse",
        "/restanse?sorter=forfall",
        "/restanse?sorter=nye",
        "/restanse?sorter=sak",
        "/restanse?sorter=nyest",
        "/restanse?sorter=eldst&side=5",
        "/restanse?sorter=forfall&side=100",
        "/restanse?sorter=sak&side=100",
        "/restanse?sorter=nye&side=100",
        "/restanse/eksport?format=csv",
        "/restanse/eksport?format=xlsx",
        "/arkiv/mine",
        "/arkiv/saker",
        "/oppgaver",
        "/oppgaver/sendte",
        "/godkjenning",
    ],
    "leader": [
        "/fordeling",
        "/fordeling?sorter=nyest",
        "/fordeling?sorter=avsender",
        "/fordeling?sorter=eldst&side=2",
        "/fordeling/omfordel",
        "/restanse/enhet",
        "/restanse/enhet?side=5",
        "/godkjenning",
        "/godkjenning/kjeder",
        "/arkiv/saker",
    ],
    "archive": [
        "/restanse/oppfolging",
        "/restanse/oppfolging/eksport?format=xlsx",
        "/restanse/utsending",
        "/fordeling?enhet=sentral",
        "/onboarding",
        "/onboarding/opplaering",
        "/arkiv/saker",
    ],
    "payroll": ["/onboarding", "/oppgaver"],
}
"""The lists each persona opens (the front page and cards are ``pages.py``'s)."""

COMMON_WORDS_SQL = (
    "SELECT w, COUNT(*) AS n FROM (SELECT lower(split_part(tittel, ' ', 1)) AS w FROM core_journalpost "
    "WHERE journaldato >= CURRENT_DATE - 7) t WHERE length(w) >= 4 GROUP BY w ORDER BY n DESC LIMIT 2"
)
"""The two commonest first words of the last week's post titles (*søknad*, …): the searches a
whole page of recent hits answers."""


@dataclass
class Timing:
    persona: str
    url: str
    status: int
    bytes: int
    p50_ms: float
    max_ms: float


async def common_words(url: str) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        return [str(row["w"]) for row in await connection.fetch(COMMON_WORDS_SQL)]
    finally:
        await connection.close()


def time_url(client: httpx.Client, persona: Persona, url: str, runs: int) -> tuple[Timing, str]:
    client.get(url)
    times, answer = [], None
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    assert answer is not None
    return (
        Timing(
            persona.label, url, answer.status_code, len(answer.content), statistics.median(times), max(times)
        ),
        answer.text if answer.headers.get("content-type", "").startswith("text/html") else "",
    )


def urls_for(persona: Persona, personas: dict[str, Persona], words: list[str], search: str) -> list[str]:
    urls = list(LISTS.get(persona.key, []))
    urls += [f"/arkiv/sok?q={quote(text)}" for text in [search, *words]]
    if persona.key in ("leader", "archive"):
        handler = personas["handler"].person_id
        urls += [f"/onboarding/sjekkliste/{handler}"]
    if persona.key == "leader":
        urls += [f"/fordeling?sok={quote(text)}" for text in words]
    return urls


def crawl(
    base_url: str, personas: dict[str, Persona], words: list[str], search: str, runs: int
) -> list[Timing]:
    found: list[Timing] = []
    for persona in personas.values():
        headers = {"Cookie": persona.cookie}
        with httpx.Client(base_url=base_url, headers=headers, follow_redirects=False, timeout=300) as client:
            queue, seen = urls_for(persona, personas, words, search), set()
            if persona.key == "leader":  # the busiest handler of the leader's unit, on omfordel
                page = client.get("/fordeling/omfordel").text
                counts = re.findall(r'<option value="(\d+)"[^>]*>[^<(]*\(([\d\s\xa0]+)', page)
                unit = re.search(r'name="enhet" value="(\d+)"', page)
                if counts and unit:
                    busiest = max(counts, key=lambda c: int(re.sub(r"\D", "", c[1])))[0]
                    queue.append(f"/fordeling/omfordel?enhet={unit.group(1)}&fra={busiest}")
            if persona.key == "leader":  # the unit report's lists: a handler's and those without
                queue += unit_lists(client.get("/restanse/enhet").text, personas["handler"].person_id)
            while queue:
                url = queue.pop(0)
                if url in seen:
                    continue
                seen.add(url)
                timing, text = time_url(client, persona, url, runs)
                found.append(timing)
                queue += next_links(url, text, seen)
    return found


UNIT_LIST_SORTS = (
    "sorter=eldst",
    "sorter=nyest",
    "sorter=forfall",
    "sorter=sak",
    "sorter=forfall&side=100",
    "sorter=sak&side=100",
)
"""The variants of the unit report's lists (*Restanser i egen enhet*, a handler's row or the
row without handler) that ``every_page.py`` asks for: each sort, and a deep page."""


def unit_lists(report: str, handler: int) -> list[str]:
    """The unit report's list of ``handler`` and of the restanser without handler (links from
    the report page ``report``), in each of :data:`UNIT_LIST_SORTS`."""
    links = [html.unescape(link) for link in re.findall(r'href="(/restanse/enhet/liste\?[^"]+)"', report)]
    chosen = [
        next((link for link in links if link.endswith(f"hvem={who}")), None)
        for who in (str(handler), "ingen")
    ]
    return [f"{link}&{variant}" for link in chosen if link for variant in UNIT_LIST_SORTS]


def next_links(url: str, text: str, seen: set[str], most: int = 3) -> list[str]:
    """The first ``most`` case and post pages a list links to that were not asked for yet; none
    from a case, post or search page (records link to records; the lists' links are enough)."""
    if url.startswith("/arkiv/"):
        return []
    links = re.findall(r'href="(/arkiv/(?:sak|journalpost)/\d+)"', text)
    return [link for link in dict.fromkeys(links) if link not in seen][:most]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database", default="arkiv_bench")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=float, default=100.0, help="ms; slower answers are listed")
    parser.add_argument("--json", type=Path, metavar="OUT")
    args = parser.parse_args()
    args.secret_key = secrets.token_hex(32)
    url = database_url(args.pg, args.database)
    facts, people, search = asyncio.run(read_facts(url, None))
    words = asyncio.run(common_words(url))
    personas = {persona.key: persona for persona in people}
    asyncio.run(forget_list_preferences(url, people))
    with tempfile.TemporaryDirectory(prefix="arkiv-every-page-") as tmp, interruptible():
        work = Path(tmp)
        servers = Servers(work)
        try:
            port = free_port()
            servers.start(
                "signin",
                [str(BIN / "arkivrutiner"), "serve", "--port", str(port)],
                app_env(args, work, False),
            )
            servers.wait_ready("signin", f"http://127.0.0.1:{port}/readyz")
            for persona in people:
                persona.cookie = sign_in(f"http://127.0.0.1:{port}", persona)
            servers.stop("signin")
            port = free_port()
            servers.start(
                "app", [str(BIN / "arkivrutiner"), "serve", "--port", str(port)], app_env(args, work, True)
            )
            servers.wait_ready("app", f"http://127.0.0.1:{port}/readyz")
            timings = crawl(f"http://127.0.0.1:{port}", personas, words, search, args.runs)
        finally:
            servers.stop_all()
            # The sorts asked for are remembered as the personas' last choice: forget them, so
            # a later run of either script starts from the default sorts.
            asyncio.run(forget_list_preferences(url, people))
    say(
        f"{facts['journalposter']} journalposter; {len(timings)} svar; søk: {search}, {', '.join(words)}; "
        f"median av {args.runs} etter én oppvarming"
    )
    slow = [t for t in timings if t.p50_ms > args.limit]
    say(f"\nOver {args.limit:.0f} ms: {len(slow)}")
    say("\n| ms (p50) | maks | status | byte | persona | side |\n| ---: | ---: | ---: | ---: | --- | --- |")
    for t in sorted(timings, key=lambda t: -t.p50_ms)[:25]:
        say(f"| {t.p50_ms:.1f} | {t.max_ms:.1f} | {t.status} | {t.bytes} | {t.persona} | `{t.url}` |")
    if args.json:
        args.json.write_text(json.dumps([asdict(t) for t in timings], indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
