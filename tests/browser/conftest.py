"""Fixtures for the browser tests: a real server process and one headless Chromium.

The server is started exactly as an operator would: ``arkivrutiner migrate``, ``demo-data``
and ``serve`` against a fresh SQLite file, with its own environment (the root conftest's
``ARKIV_*`` settings, such as the dummy plugin, are *not* passed on). Chromium is Debian's
``/usr/bin/chromium`` driven by Playwright's sync API; axe-core comes from ``node_modules``.
Missing Chromium or axe-core fails the tests: they are part of the quality gate, not optional.

The fixtures are package-scoped (one server and one Chromium for all browser tests): Playwright's
sync API keeps its event loop registered as running in the main thread while it is started, so
it must be stopped before the rest of the suite (anyio/asyncio tests) runs.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

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
    db_path: Path
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(ingen logg)"


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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli() -> Path:
    cli = Path(sys.executable).parent / "arkivrutiner"
    if not cli.exists():
        cli = REPO / ".venv" / "bin" / "arkivrutiner"
    if not cli.exists():
        pytest.fail(f"Fant ikke kommandoen arkivrutiner (sjekket {cli}); kjør uv sync.")
    return cli


def _server_env(tmp: Path, base_url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("ARKIV_")}
    env.update(
        {
            "ARKIV_ENV": "test",
            "ARKIV_DATABASE_URL": f"sqlite:///{tmp / 'arkivrutiner.sqlite'}",
            "ARKIV_AUTH_MODE": "dev",
            "ARKIV_SECRET_KEY": secrets.token_hex(32),
            "ARKIV_EXTRA_PLUGINS": "",
            "ARKIV_FILE_STORE": str(tmp / "files"),
            "ARKIV_PUBLIC_BASE_URL": base_url,
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


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A running ``arkivrutiner serve`` on a free port with a fresh, demo-filled database."""
    tmp = tmp_path_factory.mktemp("arkivrutiner-browser")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _server_env(tmp, base_url)
    cli = _cli()
    _run_cli(cli, env, "migrate")
    _run_cli(cli, env, "demo-data")
    log_path = tmp / "server.log"
    info = Server(base_url=base_url, db_path=tmp / "arkivrutiner.sqlite", log_path=log_path)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: killed as a whole at the end
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"Serveren stoppet ved oppstart ({proc.returncode}):\n{info.log_tail()}")
            try:
                with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Serveren svarte ikke på /healthz innen {SERVER_START_TIMEOUT:.0f} s:\n{info.log_tail()}"
                )
            time.sleep(0.1)
        yield info
    finally:
        _stop(proc)


@pytest.fixture(scope="package")
def demo_people(server: Server) -> DemoPeople:
    """Pick demo people by role from the server's database (read-only)."""
    con = sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True)
    try:

        def one(sql: str, *params: Any) -> str:
            row = con.execute(sql, params).fetchone()
            if row is None:
                pytest.fail(f"Demodataene mangler en person for: {sql}")
            return str(row[0])

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
    finally:
        con.close()


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
    """Factory: ``new_page(bypass_csp=False) -> (page, watch)`` in a fresh context (own cookies).

    Contexts are closed at the end of the test.
    """
    contexts: list[Any] = []

    def make(*, bypass_csp: bool = False) -> tuple[Any, Watch]:
        context = browser.new_context(
            base_url=server.base_url, viewport=VIEWPORT, locale="nb-NO", bypass_csp=bypass_csp
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
