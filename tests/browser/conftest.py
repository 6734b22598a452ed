"""Fixtures for the browser tests: a real server process and one headless Chromium.

The server is started exactly as an operator would: ``arkivrutiner migrate``, ``demo-data``
and ``serve`` against a fresh database, with its own environment (the root conftest's
``ARKIV_*`` settings, such as the dummy plugin, are *not* passed on). The database is a SQLite
file in the SQLite round and a PostgreSQL database of its own in the PostgreSQL round
(``ARKIV_TEST_DATABASE=postgres``); there, only the tests marked ``both_databases`` run (the main
flows: sign-in, fordeling, Avskriv JP), the others ran in the SQLite round. The server listens on
a port the kernel picks (``--port 0``, read back from its log). Tests read the server's data with
:meth:`Server.query`, which works on both databases. Chromium is Debian's
``/usr/bin/chromium`` driven by Playwright's sync API; axe-core comes from ``node_modules``; the
axe helpers are here (:func:`axe`). Missing Chromium or axe-core fails the tests: they are part
of the quality gate, not optional.

The fixtures are package-scoped (one server and one Chromium for all browser tests): Playwright's
sync API keeps its event loop registered as running in the main thread while it is started, so
it must be stopped before the rest of the suite (anyio/asyncio tests) runs.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.conftest import ENGINE
from tests.support import db as dbsupport
from tests.support.serve import ServerStartError, log_tail, start_server, stop_server

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
SERVER_START_TIMEOUT = 30.0

# Page states htmx is busy with: a request in flight, or a swap/settle not finished.
_HTMX_QUIET_JS = """
(timeout) => new Promise((resolve) => {
  const started = Date.now();
  let quiet = 0;
  const busy = () => document.readyState !== 'complete'
    || document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added') !== null;
  const tick = () => {
    quiet = busy() ? 0 : quiet + 1;
    if (quiet >= 3) { resolve(true); return; }
    if (Date.now() - started > timeout) { resolve(false); return; }
    setTimeout(tick, 25);
  };
  tick();
})
"""

# Reports CSP violations to the console even where Chromium's own message would be terse.
_CSP_REPORTER_JS = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
    + ' at ' + e.documentURI);
});
"""


@dataclass(frozen=True)
class Server:
    base_url: str
    database_url: str
    """``sqlite:///…`` in the SQLite round, ``postgresql://…`` in the PostgreSQL round."""
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        return log_tail(self.log_path, lines)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read the server's database (SQLite read-only, or PostgreSQL).

        Write the SQL for SQLite with ``?`` placeholders; on PostgreSQL ``?`` becomes ``$1``,
        ``$2``… and ``date('now')`` becomes ``current_date``.
        """
        if self.database_url.startswith("sqlite:///"):
            path = self.database_url.removeprefix("sqlite:///")
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                return [tuple(row) for row in con.execute(sql, tuple(params))]
            finally:
                con.close()
        return _postgres_query(self.database_url, sql, params)

    def tables(self) -> set[str]:
        if self.database_url.startswith("sqlite:///"):
            rows = self.query("select name from sqlite_master where type = 'table'")
        else:
            rows = self.query("select tablename from pg_tables where schemaname = 'public'")
        return {str(row[0]) for row in rows}


def _postgres_query(url: str, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    import asyncpg

    numbered = iter(range(1, sql.count("?") + 1))
    pg_sql = re.sub(r"\?", lambda _m: f"${next(numbered)}", sql.replace("date('now')", "current_date"))

    async def fetch() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            return [tuple(row) for row in await conn.fetch(pg_sql, *params)]
        finally:
            await conn.close()

    return _in_thread(asyncio.run, fetch())


def _in_thread(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in another thread: Playwright's sync API keeps an event loop
    registered in this one, so ``asyncio.run`` (asyncpg) cannot run here while it is started."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


@dataclass(frozen=True)
class DemoPeople:
    """Names (as shown in the dev-login select) of demo people with different roles."""

    admin: str
    """Archive staff with the admin role (arkiv + admin)."""
    arkiv: str
    """Archive staff without admin."""
    leader: str
    """Leader of a unit, no app roles, no deputy period."""
    deputy: str
    """A handler who deputises for a leader today."""
    handler: str
    """A plain case handler: no roles, leads nothing, deputises for nobody."""


def _cli() -> Path:
    cli = Path(sys.executable).parent / "arkivrutiner"
    if not cli.exists():
        cli = REPO / ".venv" / "bin" / "arkivrutiner"
    if not cli.exists():
        pytest.fail(f"Fant ikke kommandoen arkivrutiner (sjekket {cli}); kjør uv sync.")
    return cli


def _server_env(tmp: Path, database_url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("ARKIV_")}
    env.update(
        {
            "ARKIV_ENV": "test",
            "ARKIV_DATABASE_URL": database_url,
            "ARKIV_AUTH_MODE": "dev",
            "ARKIV_SECRET_KEY": secrets.token_hex(32),
            "ARKIV_EXTRA_PLUGINS": "",
            "ARKIV_FILE_STORE": str(tmp / "files"),
            # ARKIV_PUBLIC_BASE_URL stays at its default: the port is not known before the start,
            # and it only goes into links in mails, which no browser test follows.
            "PYTHONUNBUFFERED": "1",
            # The server runs this checkout's code, also in a git worktree whose venv has the
            # project installed from another checkout.
            "PYTHONPATH": str(REPO),
        }
    )
    return env


def _run_cli(cli: Path, env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [str(cli), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"«arkivrutiner {' '.join(args)}» feilet ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In the PostgreSQL round only the browser tests marked ``both_databases`` run.

    Under pytest-xdist (``--dist loadgroup``) the browser tests are one group: one worker runs
    them one after the other, with one server and one Chromium (package-scoped fixtures).
    """
    skip = pytest.mark.skip(reason="Nettlesertesten kjøres i SQLite-runden (ikke merket both_databases)")
    group = pytest.mark.xdist_group("browser") if config.pluginmanager.hasplugin("xdist") else None
    for item in items:
        if not item.get_closest_marker("browser"):
            continue
        if group is not None:
            item.add_marker(group)
        if ENGINE == "postgres" and not item.get_closest_marker("both_databases"):
            item.add_marker(skip)


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A running ``arkivrutiner serve`` with a fresh, demo-filled database (SQLite or PostgreSQL,
    as the round), on a port the kernel picked."""
    tmp = tmp_path_factory.mktemp("arkivrutiner-browser")
    if ENGINE == "postgres":
        name = f"arkivrutiner_browser_{uuid.uuid4().hex[:8]}"
        database_url = _in_thread(dbsupport.create_postgres_database, name)
    else:
        database_url = f"sqlite:///{tmp / 'arkivrutiner.sqlite'}"
    try:
        env = _server_env(tmp, database_url)
        cli = _cli()
        _run_cli(cli, env, "migrate")
        _run_cli(cli, env, "demo-data")
        log_path = tmp / "server.log"
        try:
            proc, base_url = start_server(
                [str(cli), "serve"], cwd=REPO, env=env, log_path=log_path, timeout=SERVER_START_TIMEOUT
            )
        except ServerStartError as exc:
            pytest.fail(f"Serveren startet ikke: {exc}")
        try:
            yield Server(base_url=base_url, database_url=database_url, log_path=log_path)
        finally:
            stop_server(proc)
    finally:
        if ENGINE == "postgres":
            _in_thread(dbsupport.drop_postgres_database, database_url)


@pytest.fixture(scope="package")
def demo_people(server: Server) -> DemoPeople:
    """Pick demo people by role from the server's database (read-only)."""

    def one(sql: str, *params: Any) -> str:
        rows = server.query(sql, params)
        if not rows:
            pytest.fail(f"Demodataene mangler en person for: {sql}")
        return str(rows[0][0])

    deputies_today = (
        "select deputy from core_deputy_period where starts <= date('now') and ends >= date('now')"
    )
    no_roles = "p.id not in (select person from core_person_role)"
    return DemoPeople(
        admin=one(
            "select p.name from core_person p join core_person_role r on r.person = p.id "
            "where r.role = 'admin' and p.id in (select person from core_person_role where role = 'arkiv') "
            "and p.active order by p.id"
        ),
        arkiv=one(
            "select p.name from core_person p join core_person_role r on r.person = p.id "
            "where r.role = 'arkiv' and p.id not in (select person from core_person_role where role = 'admin') "
            "and p.active order by p.id"
        ),
        leader=one(
            "select p.name from core_person p join core_leadership l on l.person = p.id "
            f"where p.active and {no_roles} and l.unit not in (select unit from core_deputy_period) "
            "order by (select count(*) from core_person h where h.unit = l.unit) desc, p.id"
        ),
        deputy=one(
            f"select p.name from core_person p where p.active and {no_roles} and p.id in ({deputies_today}) "
            "order by p.id"
        ),
        handler=one(
            f"select p.name from core_person p where p.active and {no_roles} and p.unit is not null "
            "and p.id not in (select person from core_leadership) "
            "and p.id not in (select deputy from core_deputy_period) order by p.id"
        ),
    )


@pytest.fixture(scope="package")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core mangler: {AXE} finnes ikke (kjør npm ci).")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="package")
def playwright() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - a broken environment
        pytest.fail(f"Playwright er ikke installert: {exc}")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Any) -> Iterator[Any]:
    """One headless Chromium for all browser tests."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium mangler: {CHROMIUM} finnes ikke (apt-get install chromium).")
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@dataclass
class Watch:
    """Console problems seen in one browser context."""

    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    """Same-origin responses with status 5xx (pages, htmx fragments, static files)."""

    def assert_clean(self) -> None:
        """No CSP violation, JavaScript error or server error was seen."""
        assert self.csp_violations == [], "CSP-brudd:\n" + "\n".join(self.csp_violations)
        assert self.page_errors == [], "JavaScript-feil:\n" + "\n".join(self.page_errors)
        assert self.server_errors == [], "Serverfeil:\n" + "\n".join(self.server_errors)

    def attach(self, page: Any, base_url: str) -> None:
        def on_console(msg: Any) -> None:
            text = msg.text
            if msg.type == "error" and ("Content Security Policy" in text or "CSP violation" in text):
                self.csp_violations.append(f"{page.url}: {text}")

        def on_response(response: Any) -> None:
            if response.url.startswith(base_url) and response.status >= 500:
                self.server_errors.append(f"{response.request.method} {response.url} → {response.status}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.page_errors.append(f"{page.url}: {exc}"))
        page.on("response", on_response)


@pytest.fixture
def new_page(browser: Any, server: Server) -> Iterator[Any]:
    """Factory: ``new_page(bypass_csp=False, locale="nb-NO", viewport=None,
    device_scale_factor=None, javascript=True) -> (page, watch)`` in a fresh context (own
    cookies); ``locale`` is the browser's language (``en-US``: a browser date input would show
    mm/dd/yyyy); ``viewport`` and ``device_scale_factor`` for narrow screens and zoom.

    Contexts are closed at the end of the test.
    """
    contexts: list[Any] = []

    def make(
        *,
        bypass_csp: bool = False,
        locale: str = "nb-NO",
        viewport: dict[str, int] | None = None,
        device_scale_factor: float | None = None,
        javascript: bool = True,
    ) -> tuple[Any, Watch]:
        context = browser.new_context(
            base_url=server.base_url,
            viewport=viewport or VIEWPORT,
            device_scale_factor=device_scale_factor,
            locale=locale,
            bypass_csp=bypass_csp,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        context.add_init_script(_CSP_REPORTER_JS)
        contexts.append(context)
        page = context.new_page()
        watch = Watch()
        watch.attach(page, server.base_url)
        return page, watch

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page_and_watch(new_page: Any) -> tuple[Any, Watch]:
    """A page in a normal context (the app's CSP applies)."""
    page, watch = new_page()
    return page, watch


# --- helpers used by the tests ---------------------------------------------------------


def wait_for_htmx(page: Any, timeout_ms: int = 10_000) -> None:
    """Wait until the page has loaded and htmx has no request, swap or settle in progress."""
    page.wait_for_load_state("load")
    if not page.evaluate(_HTMX_QUIET_JS, timeout_ms):
        raise AssertionError(f"htmx ble ikke ferdig innen {timeout_ms} ms på {page.url}")


def sign_in(page: Any, name: str, *, expect_path: str = "/") -> None:
    """Sign in through the dev-login page: pick ``name`` in the select and press the button."""
    page.goto("/dev-logg-inn")
    option = page.locator("#person_id option").filter(has_text=re.compile(rf"^\s*{re.escape(name)} \("))
    if option.count() != 1:
        raise AssertionError(f"Fant {option.count()} valg for «{name}» på /dev-logg-inn")
    value = option.get_attribute("value")
    page.get_by_label("Logg inn som").select_option(value=value)
    page.locator("form[action='/dev-logg-inn'] button[type=submit]").click()
    page.wait_for_url(lambda url: url.split("?")[0].endswith(expect_path))
    wait_for_htmx(page)
    user_name = page.locator(".user-name")
    if not user_name.inner_text().startswith(name):
        raise AssertionError(f"Innlogget som «{user_name.inner_text()}», ventet «{name}»")


def sign_out(page: Any) -> None:
    page.locator("form[action='/logg-ut'] button[type=submit]").click()
    page.wait_for_url("**/logget-ut")


# --- axe-core ----------------------------------------------------------------------------

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WCAG = {"type": "tag", "values": WCAG_TAGS}
"""axe's ``runOnly`` for WCAG 2.1 A and AA."""
NARROW_RULES = {"type": "rule", "values": ["scrollable-region-focusable"]}
"""At 320 px only the layout-dependent rule is run again (a full second pass doubles the time)."""
WIDE = VIEWPORT
NARROW = {"width": 320, "height": 640}

AXE_RUN_JS = """
async (runOnly) => {
  const result = await axe.run(document, {
    runOnly: runOnly,
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact || '',
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map((t) => Array.isArray(t) ? t.join(' >>> ') : String(t)).join(' '),
      html: n.html,
    })),
  }));
}
"""
"""Runs axe with a ``runOnly`` argument; returns the violations with their nodes."""

OVERFLOW_JS = """
() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth + 1) return '';
  const wide = Array.from(document.body.querySelectorAll('*'))
    .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
    .filter((el) => !el.closest('.table-wrap, .visually-hidden, .skip-link'))
    .slice(0, 3)
    .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
  return `siden er ${root.scrollWidth}px bred ved ${root.clientWidth}px (${wide.join(', ')})`;
}
"""
"""WCAG 1.4.10 Reflow (axe cannot check it): '' when the page does not scroll sideways, else what
sticks out. Wide tables scroll inside their own ``.table-wrap``."""


def inject_axe(page: Any, axe_source: str) -> None:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)


def axe(page: Any, axe_source: str, *, reflow: bool = False) -> list[str]:
    """axe's WCAG 2.1 A/AA violations on the page as it is, one line each:
    ``URL RULE (IMPACT): HELP → TARGET``. With ``reflow``, also at 320 CSS px (= 400 % zoom of
    1280 px): the layout-dependent axe rule and the reflow check; the viewport is restored."""
    # Core's .button:hover darkens the background of secondary buttons too (dark text on dark
    # blue); a clicked button is still under the mouse, so move it away first.
    page.mouse.move(0, 0)
    inject_axe(page, axe_source)
    found = [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} → {n['target']}"
        for v in page.evaluate(AXE_RUN_JS, WCAG)
        for n in v["nodes"]
    ]
    if reflow:
        size = page.viewport_size
        page.set_viewport_size(NARROW)
        try:
            found += [
                f"{page.url} (320 px) {v['id']}: {v['help']} → {n['target']}"
                for v in page.evaluate(AXE_RUN_JS, NARROW_RULES)
                for n in v["nodes"]
            ]
            overflow = page.evaluate(OVERFLOW_JS)
            if overflow:
                found.append(f"{page.url} (320 px): {overflow}")
        finally:
            page.set_viewport_size(size or WIDE)
    return found
