"""Pages under load (issue 13, item 6a): the app's heaviest pages, one request at a time and
under ``wrk``, against a bare Litestar page of the same size in the same run.

PostgreSQL only. What it does, in order:

1. with ``--build N``: drops and creates the database ``--database`` and fills it as
   docs/benchmarks.md says (``migrate``, ``demo-data``, ``demo-data --scale 250000`` until N
   extra posts, ``VACUUM ANALYZE``); without it the existing database is used as it is;
2. installs ``wrk`` with ``apt-get`` when it is missing (as root; otherwise it says so and stops);
3. chooses four personas from the data with SQL, the heavy cases: the handler with the most
   restanser today, the leader of the unit with the most post waiting for fordeling (then the
   most distributed post), the archive service (role ``arkiv``, not admin) and payroll (``lonn``),
   and deletes what their lists remember (each list in its default sort, as on a first visit);
4. signs them in through ``POST /dev-logg-inn`` on a short-lived development server, then stops
   it and starts ``arkivrutiner serve --workers 2`` in **production** mode (``ARKIV_ENV=production``,
   OIDC settings that are never called): the sessions live in the database, so the production
   server takes the same cookies, and nothing that only development mode does (the
   ``X-Worker-Pid`` header) is measured;
5. for each page (and each card the persona's front page loads with ``hx-get``): 2 warm-ups and
   ``--runs`` single requests on one keep-alive connection (p50 and max), checking the answer is
   200 and, for whole pages, that it names the signed-in person (not the sign-in page);
   then ``wrk -t2 -c16 -d10s`` with the persona's cookie (req/s, latency p50/p99, non-200
   answers and socket errors);
6. runs ``benchmarks/bare_app.py`` (uvicorn, same workers, same access log) with a page of the
   median page's size, under the same ``wrk``, before and after the app's pages, and prints each
   page's req/s as a percentage of the bare page's (the mean of both bare runs), as a markdown
   table, with ``uptime``, the database's size and the date; ``--json OUT`` writes it all;
7. counts the CPU each ``wrk`` run cost (user + system time from ``/proc``): the app's server
   processes and their PostgreSQL backends (``application_name``) for a page, uvicorn's for the
   bare page, per answered request. On a shared machine req/s move with everything else that
   runs; CPU per request much less, so the table also gives the bare page's CPU per request as
   a percentage of the page's (the req/s the page would reach, as a share of the bare page's,
   on CPUs of its own).

Every server it starts is stopped on any exit (Ctrl-C and SIGTERM included).

    .venv/bin/python benchmarks/pages.py --database arkiv_bench --duration 10s --json /tmp/pages.json
    .venv/bin/python benchmarks/pages.py --database arkiv_bench --build 1000000   # about 8 minutes more
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
APPLICATION_NAME = "arkiv_pages_bench"
"""The app server's PostgreSQL connections carry this name, so the script can wait until the
server has finished the requests wrk left behind before it measures the next page."""
SCALE_CHUNK = 250_000
"""``demo-data --scale`` in chunks of this many posts, which keeps the loader's memory low."""

WRK_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("bad") end
  io.write(string.format("NON200 %d\\n", n))
end
"""
"""Counts every answer that is not 200 (wrk's own count lets redirects pass, and a redirect
here would be the sign-in page)."""


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


# --- database ---------------------------------------------------------------------------------


def database_url(base: str, name: str) -> str:
    return f"{base.rstrip('/')}/{name}"


async def recreate_database(base: str, name: str) -> None:
    connection = await asyncpg.connect(database_url(base, "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def vacuum_analyze(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def arkivrutiner(*args: str, env: dict[str, str]) -> None:
    say(f"$ arkivrutiner {' '.join(args)}")
    started = time.perf_counter()
    subprocess.run([str(BIN / "arkivrutiner"), *args], env=env, check=True)  # noqa: S603
    say(f"  ({time.perf_counter() - started:.0f} s)")


def build(base: str, name: str, extra_posts: int, env: dict[str, str]) -> None:
    """The database of docs/benchmarks.md: the demo plus ``extra_posts`` posts, analysed."""
    say(f"Bygger {name} på nytt med {number(extra_posts)} ekstra journalposter")
    asyncio.run(recreate_database(base, name))
    arkivrutiner("migrate", env=env)
    arkivrutiner("demo-data", env=env)
    left = extra_posts
    while left > 0:
        chunk = min(SCALE_CHUNK, left)
        arkivrutiner("demo-data", "--scale", str(chunk), env=env)
        left -= chunk
    say("VACUUM ANALYZE")
    asyncio.run(vacuum_analyze(database_url(base, name)))


@dataclass
class Persona:
    key: str
    label: str
    person_id: int
    name: str
    why: str
    cookie: str = ""


MAY_SIGN_IN = (
    "p.active AND (p.pause_starts IS NULL OR p.pause_ends IS NULL "
    "OR p.pause_starts > CURRENT_DATE OR p.pause_ends < CURRENT_DATE)"
)
"""``core.auth.user.may_sign_in`` in SQL: the person ``p`` is active and not inside a sign-in pause."""

PERSONA_SQL = {
    "handler": (
        "saksbehandler",
        "SELECT p.id, p.name, SUM(l.delta) AS n FROM core_restanse_ledger l "
        "JOIN core_person p ON p.id = l.saksbehandler "
        "WHERE l.dato <= CURRENT_DATE AND l.journalposttype IN ('I', 'N') AND [may sign in] "
        "GROUP BY p.id, p.name ORDER BY n DESC, p.id LIMIT 1",
        "{n} åpne restanser",
    ),
    "leader": (
        "leder",
        "WITH per_unit AS ("
        " SELECT k.administrativ_enhet AS unit,"
        "  SUM(CASE WHEN k.saksbehandler IS NULL THEN 1 ELSE 0 END) AS waiting,"
        "  SUM(CASE WHEN k.saksbehandler IS NOT NULL THEN 1 ELSE 0 END) AS distributed"
        " FROM core_korrespondansepart k WHERE k.intern AND k.administrativ_enhet IS NOT NULL"
        " GROUP BY k.administrativ_enhet)"
        " SELECT p.id, p.name, u.code, w.waiting, w.distributed FROM per_unit w"
        " JOIN core_leadership l ON l.unit = w.unit JOIN core_person p ON p.id = l.person"
        " JOIN core_unit u ON u.id = w.unit WHERE [may sign in]"
        " ORDER BY w.waiting DESC, w.distributed DESC, p.id LIMIT 1",
        "leder for {code}: {waiting} uten saksbehandler, {distributed} fordelt",
    ),
    "archive": (
        "arkiv",
        "SELECT p.id, p.name FROM core_person p JOIN core_person_role r ON r.person = p.id AND r.role = 'arkiv' "
        "WHERE [may sign in] AND NOT EXISTS (SELECT 1 FROM core_person_role a WHERE a.person = p.id "
        "AND a.role = 'admin') ORDER BY p.id LIMIT 1",
        "Fellestjenesten/Arkiv",
    ),
    "payroll": (
        "lønn",
        "SELECT p.id, p.name FROM core_person p JOIN core_person_role r ON r.person = p.id AND r.role = 'lonn' "
        "WHERE [may sign in] ORDER BY p.id LIMIT 1",
        "Lønningskontoret",
    ),
}

SURNAME_SQL = (
    "SELECT split_part(navn, ' ', 2) AS s, COUNT(*) AS n FROM core_korrespondansepart "
    "WHERE NOT intern AND navn ~ '^[A-ZÆØÅ][a-zæøå]+ [A-ZÆØÅ][a-zæøå]+$' GROUP BY 1 ORDER BY n DESC LIMIT 1"
)


async def forget_list_preferences(url: str, personas: list[Persona]) -> None:
    """Delete what the personas' lists remember (the sort chosen last, the last visit,
    ``core.web.list_preferences``): a page is measured in its default sort, as on a first
    visit, whatever an earlier run or person chose (*Egne restanser* remembered as «Nye først»
    costs the busiest handler ten times the default)."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "DELETE FROM core_list_preference WHERE person = ANY($1::int[])", [p.person_id for p in personas]
        )
    finally:
        await connection.close()


async def read_facts(url: str, search: str | None) -> tuple[dict[str, Any], list[Persona], str]:
    connection = await asyncpg.connect(url)
    try:
        facts = dict(
            await connection.fetchrow(
                "SELECT (SELECT COUNT(*) FROM core_journalpost) AS journalposter, "
                "(SELECT COUNT(*) FROM core_saksmappe) AS saker, "
                "pg_database_size(current_database()) AS bytes, current_setting('server_version') AS postgresql"
            )
        )
        personas = []
        for key, (label, sql, why) in PERSONA_SQL.items():
            row = await connection.fetchrow(sql.replace("[may sign in]", MAY_SIGN_IN))
            if row is None:
                raise SystemExit(f"Fant ingen person for rollen «{label}» i databasen.")
            personas.append(Persona(key, label, int(row["id"]), str(row["name"]), why.format(**dict(row))))
        if search is None:
            row = await connection.fetchrow(SURNAME_SQL)
            search = str(row["s"]) if row else "Hansen"
        hits = await connection.fetchval(
            "SELECT COUNT(*) FROM core_korrespondansepart WHERE navn LIKE $1", f"%{search}%"
        )
        facts["search_hits"] = int(hits)
        return facts, personas, search
    finally:
        await connection.close()


# --- processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Servers:
    """The servers this run started; :meth:`stop_all` ends each one's process group."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.running[name] = subprocess.Popen(  # noqa: S603
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)

    def log_tail(self, name: str, lines: int = 30) -> str:
        text = (self.logs / f"{name}.log").read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def wait_ready(self, name: str, url: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        process = self.running[name]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"{name} stoppet (kode {process.returncode}):\n{self.log_tail(name)}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{name} svarte ikke 200 på {url} innen {timeout:.0f} s:\n{self.log_tail(name)}")


@contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM and SIGINT raise KeyboardInterrupt (SIGINT too when the shell started the script
    in the background with SIGINT ignored), so the servers are stopped either way."""
    previous = {
        sig: signal.signal(sig, signal.default_int_handler) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit(
            "wrk mangler, og bare root kan installere det her: kjør «apt-get install -y wrk» først."
        )
    say("wrk mangler: apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}

    def apt_get(*args: str) -> int:
        return subprocess.run(["apt-get", *args], env=env, stdout=subprocess.DEVNULL, check=False).returncode  # noqa: S603, S607

    if apt_get("install", "-y", "wrk") != 0 and (
        apt_get("update") != 0 or apt_get("install", "-y", "wrk") != 0
    ):
        raise SystemExit("apt-get kunne ikke installere wrk (se meldingen over).")
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("apt-get installerte ikke wrk.")
    return found


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def group_cpu_s(group: int) -> float:
    """CPU seconds of every process in the process group ``group`` (a server and its workers)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[2]) == group:
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


async def backend_pids(url: str) -> list[int]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1", APPLICATION_NAME
        )
        return [int(row["pid"]) for row in rows]
    finally:
        await connection.close()


def backends_cpu_s(url: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend the app has now."""
    return {pid: process_cpu_s(pid) for pid in asyncio.run(backend_pids(url))}


def backends_cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """The backends' CPU seconds between two readings of :func:`backends_cpu_s`. The pool closes
    a connection idle for five minutes (asyncpg's ``max_inactive_connection_lifetime``) and
    opens another when needed: a backend that appeared counts in full, one that is gone (idle
    until it closed) counts nothing; reading the first list again after the run made such a
    page's figure negative."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def uptime() -> str:
    found = shutil.which("uptime")
    if not found:
        return "load average: " + ", ".join(Path("/proc/loadavg").read_text().split()[:3])
    return subprocess.run([found], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Page:
    path: str
    persona: Persona
    card: bool = False
    bytes: int = 0
    p50_ms: float = 0.0
    max_ms: float = 0.0
    check: str = ""
    wrk: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Cookie": self.persona.cookie}
        if self.card:
            headers["HX-Request"] = "true"
        return headers


def sign_in(base_url: str, persona: Persona) -> str:
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=30) as client:
        client.get("/dev-logg-inn")
        token = client.cookies.get("arkiv_csrf")
        if not token:
            raise SystemExit("Fikk ingen arkiv_csrf-cookie fra /dev-logg-inn.")
        answer = client.post(
            "/dev-logg-inn",
            data={"person_id": str(persona.person_id), "neste": "/"},
            headers={"x-csrftoken": token},
        )
        session = answer.cookies.get("arkiv_session")
        if answer.status_code != 303 or not session or answer.headers.get("location") != "/":
            raise SystemExit(f"Innloggingen som {persona.name} mislyktes ({answer.status_code}).")
        return f"arkiv_session={session}"


def time_page(base_url: str, page: Page, runs: int, warmups: int) -> None:
    """``warmups`` then ``runs`` requests one at a time on one connection; p50, max and checks."""
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=120) as client:
        times = []
        for index in range(warmups + runs):
            started = time.perf_counter()
            answer = client.get(page.path, headers=page.headers)
            body = answer.content
            elapsed = (time.perf_counter() - started) * 1000
            if answer.status_code != 200:
                page.check = f"svar {answer.status_code} {answer.headers.get('location', '')}".strip()
                return
            if "x-worker-pid" in answer.headers:
                page.check = "ikke produksjonsmodus"
                return
            if not page.card and html.escape(page.persona.name) not in answer.text:
                page.check = "navnet mangler (ikke siden)"
                return
            if index >= warmups:
                times.append(elapsed)
        page.bytes = len(body)
        page.p50_ms = statistics.median(times)
        page.max_ms = max(times)
        page.check = "ok"


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"unknown wrk duration {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    def grab(pattern: str, default: str = "0") -> str:
        match = re.search(pattern, output)
        return match.group(1) if match else default

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, socket_errors.groups()), strict=True))
        if socket_errors
        else {}
    )
    return {
        "requests": int(grab(r"(\d+) requests in")),
        "req_s": float(grab(r"Requests/sec:\s+([\d.]+)")),
        "p50_ms": duration_ms(grab(r"\n\s+50%\s+(\S+)", "0ms")),
        "p99_ms": duration_ms(grab(r"\n\s+99%\s+(\S+)", "0ms")),
        "non_200": int(grab(r"NON200 (\d+)")),
        "socket_errors": errors,
    }


def run_wrk(
    wrk: str, lua: Path, url: str, headers: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}",
        "--latency",
        "-s",
        str(lua),
    ]
    if args.timeout:
        command += ["--timeout", args.timeout]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    result = parse_wrk(output)
    result["load_1min"] = float(Path("/proc/loadavg").read_text().split()[0])
    return result


async def drain(url: str, base_url: str, limit: float = 600) -> float:
    """Wait until the app has no statement running (twice in a row, 0.2 s apart) and answers
    ``/healthz``: a slow page leaves up to ``-c`` requests queued when wrk stops, and they must
    not load the next page's measurement. Returns the seconds waited."""
    started = time.monotonic()
    connection = await asyncpg.connect(url)
    try:
        quiet = 0
        while quiet < 2 and time.monotonic() - started < limit:
            busy = await connection.fetchval(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1 AND state <> 'idle'",
                APPLICATION_NAME,
            )
            quiet = quiet + 1 if busy == 0 else 0
            await asyncio.sleep(0.2)
    finally:
        await connection.close()
    async with httpx.AsyncClient() as client:
        await client.get(base_url + "/healthz", timeout=limit)
    return time.monotonic() - started


def errors_text(result: dict[str, Any]) -> str:
    """The errors of a wrk run for the table: answers other than 200, socket errors by kind
    (a timeout is an answer slower than wrk's timeout, 2 s unless ``--timeout``), and a run in
    which no answer came at all."""
    parts = [] if result["requests"] else ["ingen svar"]
    parts += [f"{result['non_200']} ≠200"] if result["non_200"] else []
    parts += [f"{n} {kind}" for kind, n in result["socket_errors"].items() if n]
    return ", ".join(parts) or "0"


# --- the run ----------------------------------------------------------------------------------


def app_env(args: argparse.Namespace, files: Path, production: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ARKIV_DATABASE_URL": f"{database_url(args.pg, args.database)}?application_name={APPLICATION_NAME}",
        "ARKIV_SECRET_KEY": args.secret_key,
        "ARKIV_FILE_STORE": os.environ.get("ARKIV_FILE_STORE", str(files)),
        "ARKIV_ENV": "production" if production else "development",
    }
    if production:
        # Never called: sign-in happened on the development server, and no page here starts a
        # sign-in flow. Only there so the production settings validate.
        env.update(
            ARKIV_AUTH_MODE="oidc",
            ARKIV_ENTRA_TENANT_ID="benchmark",
            ARKIV_ENTRA_CLIENT_ID="benchmark",
            ARKIV_ENTRA_CLIENT_SECRET="benchmark",  # noqa: S106
            ARKIV_OIDC_REDIRECT_URI="https://benchmark.invalid/auth/callback",
        )
    else:
        env.pop("ARKIV_AUTH_MODE", None)
    return env


def page_list(personas: dict[str, Persona], search: str) -> list[Page]:
    return [
        *(Page("/", persona) for persona in personas.values()),
        Page("/fordeling", personas["leader"]),
        Page("/restanse", personas["handler"]),
        Page("/restanse/oppfolging", personas["archive"]),
        Page(f"/arkiv/sok?q={search}", personas["archive"]),
        Page(f"/arkiv/sok?q={search}", personas["handler"]),
        Page("/godkjenning", personas["leader"]),
        Page("/onboarding", personas["payroll"]),
        Page("/oppgaver", personas["payroll"]),
    ]


def cards_of(base_url: str, persona: Persona) -> list[Page]:
    answer = httpx.get(base_url + "/", headers={"Cookie": persona.cookie}, timeout=120)
    urls = re.findall(r'hx-get="([^"]+)"', answer.text)
    return [Page(html.unescape(url), persona, card=True) for url in dict.fromkeys(urls)]


def bare_run(
    wrk: str, lua: Path, url: str, args: argparse.Namespace, label: str, server: subprocess.Popen[bytes]
) -> dict[str, Any]:
    say(f"wrk: bar side ({label})")
    before = group_cpu_s(server.pid)
    result = run_wrk(wrk, lua, url, {}, args)
    result["cpu_ms_per_request"] = round(
        1000 * (group_cpu_s(server.pid) - before) / max(1, result["requests"]), 3
    )
    return result


def measure(args: argparse.Namespace, servers: Servers, work: Path) -> dict[str, Any]:
    wrk = ensure_wrk()
    url = database_url(args.pg, args.database)
    facts, people, search = asyncio.run(read_facts(url, args.search))
    asyncio.run(forget_list_preferences(url, people))
    personas = {persona.key: persona for persona in people}
    started_at = datetime.now().astimezone()
    uptime_before = uptime()
    say(f"{started_at:%Y-%m-%d %H:%M %Z}; {uptime_before}")
    say(
        f"Database {args.database}: {number(facts['journalposter'])} journalposter, {number(facts['saker'])} saker, "
        f"{facts['bytes'] / 1e9:.2f} GB (PostgreSQL {facts['postgresql']}); søk «{search}»: "
        f"{number(facts['search_hits'])} korrespondanseparter"
    )
    for persona in people:
        say(f"  {persona.label}: {persona.name} (id {persona.person_id}; {persona.why})")

    files = work / "files"
    lua = work / "count.lua"
    lua.write_text(WRK_LUA)

    port = free_port()
    servers.start(
        "signin", [str(BIN / "arkivrutiner"), "serve", "--port", str(port)], app_env(args, files, False)
    )
    servers.wait_ready("signin", f"http://127.0.0.1:{port}/readyz")
    for persona in people:
        persona.cookie = sign_in(f"http://127.0.0.1:{port}", persona)
    servers.stop("signin")

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    servers.start(
        "app",
        [str(BIN / "arkivrutiner"), "serve", "--port", str(port), "--workers", str(args.workers)],
        app_env(args, files, True),
    )
    servers.wait_ready("app", f"{base_url}/readyz")

    pages = page_list(personas, search)
    for persona in people:
        pages += cards_of(base_url, persona)
    if args.only:
        pages = [page for page in pages if args.only in page.path]

    say(f"\nÉn om gangen: {args.warmups} oppvarming + {args.runs} målinger per side")
    for page in pages:
        time_page(base_url, page, args.runs, args.warmups)
        say(
            f"  {page.path:<40} {page.persona.label:<14} {page.check:<8} p50 {page.p50_ms:7.1f} ms  max {page.max_ms:7.1f} ms"
        )

    whole = [page.bytes for page in pages if not page.card and page.bytes]
    bare_size = int(statistics.median(whole)) if whole else 20_000
    bare_port = free_port()
    servers.start(
        "bare",
        [
            str(BIN / "uvicorn"),
            "benchmarks.bare_app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(bare_port),
            "--workers",
            str(args.workers),
            "--proxy-headers",
            "--log-level",
            "info",
        ],
        {**os.environ, "PYTHONPATH": str(ROOT), "BARE_PAGE_BYTES": str(bare_size)},
    )
    bare_url = f"http://127.0.0.1:{bare_port}/"
    servers.wait_ready("bare", bare_url)
    checked = httpx.get(bare_url)
    if len(checked.content) != bare_size:
        raise SystemExit(f"Den bare siden er {len(checked.content)} byte, ikke {bare_size}.")

    say(f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}")
    bare = servers.running["bare"]
    app = servers.running["app"]
    bare_before = bare_run(wrk, lua, bare_url, args, "før", bare)
    for page in pages:
        if page.check != "ok":
            continue
        say(f"wrk: {page.path} ({page.persona.label})")
        app_before, db_before = group_cpu_s(app.pid), backends_cpu_s(url)
        page.wrk = run_wrk(wrk, lua, base_url + page.path, page.headers, args)
        page.wrk["drain_s"] = round(asyncio.run(drain(url, base_url)), 1)
        app_after, db_after = group_cpu_s(app.pid), backends_cpu_s(url)
        answered = max(1, page.wrk["requests"])
        page.wrk["app_cpu_ms_per_request"] = round(1000 * (app_after - app_before) / answered, 3)
        page.wrk["db_cpu_ms_per_request"] = round(
            1000 * backends_cpu_since(db_before, db_after) / answered, 3
        )
        if page.wrk["drain_s"] > 1:
            say(f"  {page.wrk['drain_s']:.0f} s til serveren var ferdig med køen")
    bare_after = bare_run(wrk, lua, bare_url, args, "etter", bare)
    servers.stop_all()

    bare_req_s = (bare_before["req_s"] + bare_after["req_s"]) / 2
    bare_cpu_ms = (bare_before["cpu_ms_per_request"] + bare_after["cpu_ms_per_request"]) / 2
    return {
        "date": started_at.isoformat(timespec="seconds"),
        "uptime_before": uptime_before,
        "uptime_after": uptime(),
        "machine": f"{os.cpu_count()} CPU, {socket.gethostname()}",
        "database": {"name": args.database, **facts},
        "search": search,
        "personas": [{k: v for k, v in asdict(p).items() if k != "cookie"} for p in people],
        "settings": {
            "workers": args.workers,
            "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}"
            + (f" --timeout {args.timeout}" if args.timeout else ""),
            "runs": args.runs,
            "warmups": args.warmups,
            "mode": "production",
        },
        "bare": {
            "bytes": bare_size,
            "before": bare_before,
            "after": bare_after,
            "req_s": bare_req_s,
            "cpu_ms_per_request": bare_cpu_ms,
        },
        "pages": [
            {
                "path": page.path,
                "persona": page.persona.label,
                "card": page.card,
                "bytes": page.bytes,
                "p50_ms": round(page.p50_ms, 1),
                "max_ms": round(page.max_ms, 1),
                "check": page.check,
                "wrk": page.wrk,
                "percent_of_bare": round(100 * page.wrk["req_s"] / bare_req_s, 1)
                if page.wrk and bare_req_s
                else None,
                "cpu_percent_of_bare": round(
                    100
                    * bare_cpu_ms
                    / (page.wrk["app_cpu_ms_per_request"] + page.wrk["db_cpu_ms_per_request"]),
                    1,
                )
                if page.wrk and page.wrk["app_cpu_ms_per_request"] + page.wrk["db_cpu_ms_per_request"] > 0
                else None,
            }
            for page in pages
        ],
    }


def figure(value: float | None, unit: str = "", digits: int = 1) -> str:
    """A measured figure for the table, «–» when the run could not compute it (no CPU counted,
    no answers)."""
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def table(result: dict[str, Any]) -> str:
    bare = result["bare"]
    lines = [
        "| side | persona | byte | p50 ms | max ms | req/s | % av bar | CPU ms app + db | CPU-% av bar | wrk p50 / p99 ms | feil |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for page in result["pages"]:
        name = ("kort " if page["card"] else "") + f"`{page['path']}`"
        if page["check"] != "ok":
            lines.append(f"| {name} | {page['persona']} | | | | | | | | | {page['check']} |")
            continue
        wrk = page["wrk"]
        # wrk leaves answers slower than its timeout out of the latencies
        timed = wrk["requests"] > wrk["socket_errors"].get("timeout", 0)
        latency = f"{wrk['p50_ms']:.0f} / {wrk['p99_ms']:.0f}" if timed else "–"
        lines.append(
            f"| {name} | {page['persona']} | {page['bytes']} | {figure(page['p50_ms'])} | {figure(page['max_ms'])} | "
            f"{figure(wrk['req_s'])} | {figure(page['percent_of_bare'], ' %')} | "
            f"{figure(wrk['app_cpu_ms_per_request'], digits=2)} + {figure(wrk['db_cpu_ms_per_request'], digits=2)} | "
            f"{figure(page['cpu_percent_of_bare'], ' %')} | {latency} | "
            f"{errors_text(wrk)} |"
        )
    for label in ("before", "after"):
        wrk = bare[label]
        lines.append(
            f"| bar side ({'før' if label == 'before' else 'etter'}) | – | {bare['bytes']} | | | {wrk['req_s']:.1f} | "
            f"{100 * wrk['req_s'] / bare['req_s']:.1f} % | {wrk['cpu_ms_per_request']:.2f} | | "
            f"{wrk['p50_ms']:.1f} / {wrk['p99_ms']:.1f} | {errors_text(wrk)} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database", default="arkiv_bench", help="PostgreSQL database (default arkiv_bench)")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL without database"
    )
    parser.add_argument(
        "--build", type=int, metavar="N", help="drop, create and fill the database with N extra posts"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c")
    parser.add_argument("--duration", default="10s", help="wrk -d")
    parser.add_argument("--timeout", default="", help="wrk --timeout (default wrk's 2s)")
    parser.add_argument("--runs", type=int, default=20, help="single requests per page after the warm-ups")
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--search", help="the search text (default: the commonest surname among senders)")
    parser.add_argument("--only", help="only the pages whose path contains this text")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the results as JSON")
    args = parser.parse_args()
    args.secret_key = secrets.token_hex(32)

    with tempfile.TemporaryDirectory(prefix="arkiv-pages-") as tmp, interruptible():
        work = Path(tmp)
        servers = Servers(work)
        try:
            if args.build:
                build(args.pg, args.database, args.build, app_env(args, work / "files", False))
            result = measure(args, servers, work)
        except KeyboardInterrupt:
            say("\nAvbrutt.")
            raise SystemExit(130) from None
        finally:
            servers.stop_all()
    if args.json:
        # First: a table that cannot be printed must not lose a run's measurements.
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    say("")
    say(table(result))
    say(
        f"\nBar side: {result['bare']['bytes']} byte, {result['bare']['req_s']:.1f} req/s (snitt av før og etter)"
    )
    say(f"Før: {result['uptime_before']}\nEtter: {result['uptime_after']}")
    if args.json:
        say(f"JSON: {args.json}")


if __name__ == "__main__":
    main()
