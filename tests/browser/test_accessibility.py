"""axe-core reports zero WCAG 2.1 A/AA violations on every page the app has.

This check grows with every later page: a crawler signs in as people with different roles,
starts at ``/`` and follows every same-origin link (after htmx has loaded the page's
fragments), runs axe on each page, and collects violations, server errors and broken links.
Signed-out pages (sign-in, signed out, the accessibility statement), 404 and 403 pages and a few
page states (nynorsk, an htmx error in the message area) are checked too.

axe is injected (an init script, or ``page.evaluate``) only in contexts created with
``bypass_csp=True``; the normal, CSP-enforcing browsing is covered in ``test_shell.py``.
Each page is checked at 1280 px, then at 320 px (reflow, WCAG 1.4.10, and scrollable regions).
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from tests.browser.conftest import (
    AXE_RUN_JS,
    NARROW,
    NARROW_RULES,
    OVERFLOW_JS,
    WCAG,
    WIDE,
    DemoPeople,
    Server,
    Watch,
    axe,
    inject_axe,
    sign_in,
    wait_for_htmx,
)

pytestmark = pytest.mark.browser

MAX_PAGES_PER_USER = 150
MAX_URLS_PER_PATTERN = 2
"""Detail pages (``/admin/personer/17``) share a template: check a few of each, not all."""
SKIP_PREFIXES = ("/logg-ut", "/static/", "/healthz", "/readyz", "/logg-inn", "/dev-logg-inn", "/auth/")
DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".xls", ".pdf", ".zip", ".json", ".txt", ".xml", ".ics")
MISSING = "/finnes-ikke-side"
STATEMENT = "/tilgjengelighetserklaering"
"""The accessibility statement: public, linked from every page's footer."""


_LINKS_JS = """
() => Array.from(document.querySelectorAll('a[href^="/"]'))
  .filter((a) => !a.hasAttribute('download'))
  .map((a) => a.getAttribute('href'))
"""


@dataclass(frozen=True)
class Violation:
    url: str
    who: str
    rule: str
    impact: str
    target: str
    help: str
    help_url: str
    html: str

    def line(self) -> str:
        return (
            f"{self.url} [{self.who}] {self.rule} ({self.impact}): {self.help}\n"
            f"    mål: {self.target}\n    html: {self.html[:200]}\n    se: {self.help_url}"
        )


@dataclass
class CrawlResult:
    visited: dict[str, list[str]] = field(default_factory=dict)
    """User label -> URLs (path + query) checked with axe."""
    statuses: dict[tuple[str, str], int] = field(default_factory=dict)
    """(user, url) -> HTTP status of the page itself."""
    violations: list[Violation] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    reflow: list[str] = field(default_factory=list)
    """Pages that scroll sideways at 320 CSS px."""
    problems: list[str] = field(default_factory=list)
    """Navigation or session problems (timeouts, signed out by a link, page limit reached)."""
    seconds: float = 0.0

    @property
    def page_count(self) -> int:
        return sum(len(urls) for urls in self.visited.values())

    def summary(self) -> str:
        lines = [f"{self.page_count} sider sjekket med axe på {self.seconds:.1f} s:"]
        for who, urls in self.visited.items():
            shown = [
                url if self.statuses.get((who, url)) == 200 else f"{url} ({self.statuses.get((who, url))})"
                for url in urls
            ]
            lines.append(f"  {who}: {len(urls)} sider: {', '.join(shown)}")
        return "\n".join(lines)


def _normalise(href: str) -> str | None:
    """Path + sorted query of a same-origin link, or None if it should not be crawled."""
    if href.startswith("//"):
        return None
    parts = urlsplit(href)
    path = parts.path or "/"
    if path.startswith(SKIP_PREFIXES) or path.lower().endswith(DOWNLOAD_SUFFIXES):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{path}?{query}" if query else path


def _pattern(url: str) -> str:
    """``/admin/personer/17?side=2`` -> ``/admin/personer/#?side``: same template, same pattern."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/#", parts.path)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{path}?{'&'.join(keys)}"


def _check_page(
    page: Any, axe_source: str, url: str, who: str, result: CrawlResult, *, signed_in: bool
) -> tuple[int, list[str]]:
    """Open ``url``, wait for htmx, run axe; return the status and the links on the page."""
    try:
        response = page.goto(url, wait_until="load")
        wait_for_htmx(page)
    except Exception as exc:  # reported; the crawl goes on
        result.problems.append(f"{url} [{who}]: kunne ikke åpnes: {exc}")
        return 0, []
    status = response.status if response is not None else 0
    result.statuses[(who, url)] = status
    if status >= 500:
        result.server_errors.append(f"{url} [{who}] → {status}")
    content_type = (response.headers.get("content-type", "") if response is not None else "").lower()
    if "text/html" not in content_type:
        result.problems.append(f"{url} [{who}]: ikke en HTML-side ({content_type or 'ukjent type'})")
        return status, []
    if signed_in and urlsplit(page.url).path in ("/logg-inn", "/dev-logg-inn", "/logget-ut"):
        result.problems.append(f"{url} [{who}]: sendte en innlogget bruker til {page.url}")
        return status, []
    inject_axe(page, axe_source)
    links = list(page.evaluate(_LINKS_JS))
    result.visited.setdefault(who, []).append(url)
    found: dict[tuple[str, str], Violation] = {}
    for viewport in (WIDE, NARROW):
        page.set_viewport_size(viewport)
        for violation in page.evaluate(AXE_RUN_JS, WCAG if viewport is WIDE else NARROW_RULES):
            for node in violation["nodes"]:
                found.setdefault(
                    (violation["id"], node["target"]),
                    Violation(
                        url=url if viewport is WIDE else f"{url} (320 px)",
                        who=who,
                        rule=violation["id"],
                        impact=violation["impact"],
                        target=node["target"],
                        help=violation["help"],
                        help_url=violation["helpUrl"],
                        html=node["html"],
                    ),
                )
        if viewport is NARROW:
            # WCAG 1.4.10 Reflow (axe cannot check it): at 320 CSS px (= 400 % zoom of 1280 px)
            # the page must not scroll sideways. Wide tables scroll inside their own .table-wrap.
            overflow = page.evaluate(OVERFLOW_JS)
            if overflow:
                result.reflow.append(f"{url} [{who}]: {overflow}")
    page.set_viewport_size(WIDE)
    result.violations.extend(found.values())
    return status, links


def _crawl_user(
    page: Any,
    axe_source: str,
    who: str,
    result: CrawlResult,
    extra: Sequence[str] = (),
) -> None:
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    queue.extend((url, "(ekstra)") for url in extra)
    seen = {url for url, _ in queue}
    per_pattern: dict[str, int] = {}
    checked = 0
    while queue:
        url, found_on = queue.popleft()
        if checked >= MAX_PAGES_PER_USER:
            result.problems.append(
                f"[{who}] grensen på {MAX_PAGES_PER_USER} sider er nådd; {len(queue) + 1} sider ikke sjekket"
            )
            return
        checked += 1
        status, links = _check_page(page, axe_source, url, who, result, signed_in=True)
        if status in (403, 404, 405) and found_on not in ("(start)", "(ekstra)"):
            # A link the app shows this user must lead somewhere the user may go.
            result.broken_links.append(f"{found_on} → {url} [{who}]: {status}")
        for href in links:
            target = _normalise(href)
            if target is None or target in seen:
                continue
            seen.add(target)
            pattern = _pattern(target)
            if per_pattern.get(pattern, 0) >= MAX_URLS_PER_PATTERN:
                continue
            per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
            queue.append((target, url))


@pytest.fixture(scope="module")
def crawl(browser: Any, server: Server, demo_people: DemoPeople, axe_source: str) -> CrawlResult:
    result = CrawlResult()
    started = time.monotonic()

    def context() -> tuple[Any, Any, Watch]:
        ctx = browser.new_context(base_url=server.base_url, viewport=WIDE, locale="nb-NO", bypass_csp=True)
        ctx.set_default_timeout(10_000)
        ctx.add_init_script(axe_source)  # CSP is bypassed, so axe loads on every page
        page = ctx.new_page()
        watch = Watch()
        watch.attach(page, server.base_url)
        return ctx, page, watch

    # Signed out: the sign-in page, the signed-out page, the accessibility statement and a 404
    # without navigation.
    ctx, page, watch = context()
    for url in ("/dev-logg-inn", "/logget-ut", STATEMENT, MISSING):
        _check_page(page, axe_source, url, "utlogget", result, signed_in=False)
    result.server_errors += watch.server_errors
    ctx.close()

    users = [
        ("admin og arkiv", demo_people.admin),
        ("leder", demo_people.leader),
        ("stedfortreder", demo_people.deputy),
        ("saksbehandler", demo_people.handler),
    ]
    admin_urls: list[str] = []
    for label, name in users:
        who = f"{label}: {name}"
        ctx, page, watch = context()
        sign_in(page, name)
        extra = [MISSING]
        if admin_urls:
            # Pages other users may not see: the 403 page (or the page itself, if allowed).
            extra += [url for url in admin_urls if url.startswith("/admin/")][:1]
        _crawl_user(page, axe_source, who, result, extra)
        if not admin_urls:
            admin_urls = list(result.visited.get(who, []))
        result.server_errors += watch.server_errors
        ctx.close()
    result.seconds = time.monotonic() - started
    print("\n" + result.summary())  # visible with -s; also in failure messages below
    return result


def test_no_wcag_violations(crawl: CrawlResult) -> None:
    assert crawl.page_count > 0
    if crawl.violations:
        report = "\n".join(v.line() for v in crawl.violations)
        rules = sorted({v.rule for v in crawl.violations})
        pytest.fail(
            f"axe fant {len(crawl.violations)} WCAG 2.1 A/AA-brudd ({', '.join(rules)}):\n{report}\n\n"
            + crawl.summary(),
            pytrace=False,
        )


def test_no_server_errors(crawl: CrawlResult, server: Server) -> None:
    assert crawl.statuses, "Ingen sider ble besøkt"
    if crawl.server_errors:
        pytest.fail(
            "Serverfeil (5xx) under gjennomgangen:\n"
            + "\n".join(crawl.server_errors)
            + f"\n\nServerlogg:\n{server.log_tail()}",
            pytrace=False,
        )


def test_no_broken_links_or_crawl_problems(crawl: CrawlResult) -> None:
    problems = crawl.broken_links + crawl.problems
    if problems:
        pytest.fail("Problemer under gjennomgangen:\n" + "\n".join(problems), pytrace=False)


def test_reflow_at_320_css_px(crawl: CrawlResult) -> None:
    if crawl.reflow:
        pytest.fail(
            "Siden må rulles sidelengs ved 320 px (WCAG 1.4.10):\n" + "\n".join(crawl.reflow), pytrace=False
        )


def test_expected_pages_were_checked(crawl: CrawlResult, demo_people: DemoPeople) -> None:
    admin = crawl.visited[f"admin og arkiv: {demo_people.admin}"]
    for path in (
        "/",
        "/fordeling",
        "/restanse",
        "/godkjenning",
        "/onboarding",
        "/arkiv/saker",
        "/arkiv/sok",
        "/arkiv/registrer",
        "/arkiv/sak/ny",
        STATEMENT,
        MISSING,
    ):
        assert path in admin, f"{path} ble ikke sjekket for admin"
    assert crawl.statuses[(f"admin og arkiv: {demo_people.admin}", MISSING)] == 404
    assert set(crawl.visited["utlogget"]) == {"/dev-logg-inn", "/logget-ut", STATEMENT, MISSING}
    assert crawl.statuses[("utlogget", STATEMENT)] == 200
    for who, urls in crawl.visited.items():
        assert STATEMENT in urls, f"{STATEMENT} ble ikke sjekket for {who} (lenken i bunnen av sidene)"
    assert crawl.statuses[("utlogget", MISSING)] == 404


def test_page_states(new_page: Any, demo_people: DemoPeople, axe_source: str) -> None:
    """States the crawler does not reach: an htmx error in the message area, and nynorsk."""
    page, _watch = new_page(bypass_csp=True)
    sign_in(page, demo_people.leader)
    found: list[str] = []

    page.evaluate("() => htmx.ajax('GET', '/finnes-ikke', '#hovedinnhold')")
    page.locator("#meldinger [role=alert]").wait_for()
    wait_for_htmx(page)
    found += axe(page, axe_source)

    form = page.locator("form[action='/sprak']")
    form.locator("select[name=sprak]").select_option("nn")
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").click()
    try:
        wait_for_htmx(page)
        assert page.locator("html").get_attribute("lang") == "nn"
        found += axe(page, axe_source)
        page.goto("/restanse")
        wait_for_htmx(page)
        found += axe(page, axe_source)
        page.goto(STATEMENT)
        heading = page.get_by_role("heading", level=1).inner_text().replace("\u00ad", "")
        assert heading == "Tilgjengelegheitserklæring for Arkivrutiner"
        found += axe(page, axe_source, reflow=True)
    finally:
        form.locator("select[name=sprak]").select_option("nb")
        with page.expect_navigation(wait_until="load"):
            form.locator("button[type=submit]").click()
    assert page.locator("html").get_attribute("lang") == "nb"
    assert found == [], "axe-brudd:\n" + "\n".join(found)


def test_axe_finds_a_planted_violation(new_page: Any, server: Server, axe_source: str) -> None:
    """Guard against a silently green check: axe runs and reports what it should."""
    page, _watch = new_page(bypass_csp=True)
    page.goto("/logget-ut")
    page.evaluate(
        """() => {
          const img = document.createElement('img');
          img.src = '/static/core/finnes-ikke.png';
          document.querySelector('main').append(img);
          const input = document.createElement('input');
          input.type = 'text';
          document.querySelector('main').append(input);
        }"""
    )
    rules = {line.split()[1] for line in axe(page, axe_source)}
    assert {"image-alt", "label"} <= rules
    assert str(page.evaluate("() => axe.version")).startswith("4.")


def test_case_work_pages(new_page: Any, demo_people: DemoPeople, axe_source: str, tmp_path: Any) -> None:
    """The case-work pages in the states a crawl does not reach: forms with errors, a receipt,
    a case and a post with documents, search results; for the archive and for a handler."""
    from tests.browser.test_archive import register_incoming

    found: list[str] = []
    checked: list[str] = []

    def check(page: Any, what: str) -> None:
        wait_for_htmx(page)
        checked.append(what)
        found.extend(axe(page, axe_source, reflow=True))

    # Fellestjenesten/Arkiv: the register form, its error re-render, the receipt, post and case.
    page, _watch = new_page(bypass_csp=True)
    sign_in(page, demo_people.arkiv)
    page.goto("/arkiv/registrer")
    check(page, "registreringsskjema")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Registrer posten").click()
    assert page.locator("#feiloppsummering").count() == 1
    check(page, "registreringsskjema med feil")
    page.goto("/arkiv/saker")
    wait_for_htmx(page)
    register_incoming(page, tmp_path, "Klage på byggesak Aksesstest")
    check(page, "kvittering")
    page.get_by_role("link", name=re.compile("^Åpne journalpost")).click()
    check(page, "journalpost")
    page.get_by_role("link", name=re.compile("^Tilbake til sak")).click()
    check(page, "sak")
    page.goto("/arkiv/sok?q=Aksesstest")
    assert page.locator("#tabell-treff").count() == 1
    check(page, "søk med treff")
    page.goto("/arkiv/saker?vis=enhet")
    check(page, "enhetens saker")

    # A handler: case list, new case (with an error first), the case, a new post form with errors.
    page, _watch = new_page(bypass_csp=True)
    sign_in(page, demo_people.handler)
    page.goto("/arkiv/saker")
    check(page, "mine saker")
    page.goto("/arkiv/sak/ny")
    check(page, "ny sak")
    page.locator("#tittel").fill("")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Opprett sak").click()
    check(page, "ny sak med feil")
    page.locator("#tittel").fill("Aksesstest sak for saksbehandler")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Opprett sak").click()
    check(page, "sak (saksbehandler)")
    page.get_by_role("link", name="Ny journalpost").click()
    check(page, "ny journalpost")
    page.locator("#dokumentets_dato").evaluate("(el) => { el.type = 'text'; el.value = 'i går'; }")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Opprett journalpost").click()
    assert page.locator("#feiloppsummering").count() == 1
    check(page, "ny journalpost med feil")
    page.goto("/arkiv/sok?q=Aksesstest")
    check(page, "søk med treff (saksbehandler)")
    page.goto("/arkiv/sok?q=a")
    check(page, "søk med feil")
    assert len(checked) >= 15
    assert found == [], "axe-brudd:\n" + "\n".join(found)


def test_person_access_section(new_page: Any, demo_people: DemoPeople, axe_source: str) -> None:
    """The tilgangskoder section on a person page with codes held, after giving a code (htmx:
    the section swapped in place, the message in the live region, focus on the heading) and
    after taking it again."""
    found: list[str] = []
    page, watch = new_page(bypass_csp=True)
    sign_in(page, demo_people.arkiv)
    page.goto("/admin/personer?" + urlencode({"sok": demo_people.arkiv}))
    page.get_by_role("link", name=demo_people.arkiv, exact=True).click()
    wait_for_htmx(page)
    section = page.locator("section#tilgang")
    assert section.get_by_role("heading", name="Tilgang til skjermede opplysninger").count() == 1
    assert section.locator("tbody tr").count() >= 1, "demodataene gir arkivet tilgangskoder"
    found += axe(page, axe_source, reflow=True)

    section.get_by_label("Tilgangskode", exact=True).select_option("XX")
    section.get_by_role("button", name="Gi tilgang").click()
    page.locator("#meldinger .message--success").wait_for()
    wait_for_htmx(page)
    assert "har fått tilgangskode XX Midlertidig sperret" in page.locator("#meldinger").inner_text()
    assert page.evaluate("() => document.activeElement.id") == "tilgang-overskrift"
    found += axe(page, axe_source, reflow=True)

    remove = section.get_by_role(
        "button", name=re.compile(r"^Fjern tilgangskode XX Midlertidig sperret for ")
    )
    remove.click()
    page.locator("#meldinger", has_text="XX Midlertidig sperret er fjernet").wait_for()
    wait_for_htmx(page)
    assert section.get_by_role("button", name=re.compile(r"^Fjern tilgangskode XX ")).count() == 0
    found += axe(page, axe_source, reflow=True)
    assert watch.page_errors == [] and watch.server_errors == []
    assert found == [], "axe-brudd:\n" + "\n".join(found)
