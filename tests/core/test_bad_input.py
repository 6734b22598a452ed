"""Bad input at every route: ids out of range, dates before 1900 or after 2100, NUL characters.

The routes come from the router (``tests/support/routes.py``), so a new route is covered the
day it is added. The app holds the demo organisation and is used by a person with the admin
and archive roles (the one who sees most). Nothing may answer 500: on PostgreSQL an id above
2³¹−1, a date in year 1 or 9999 and a NUL character in text all raised before
``core.validation`` and ``core.web.middleware.bounded_input_middleware`` refused them.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from core.app import create_app
from core.db import connected
from core.settings import Settings
from core.tables import PersonRole
from core.timeutil import today
from tests.support import db as dbsupport
from tests.support.factories import csrf, login
from tests.support.routes import RouteInfo, app_routes

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
BAD_IDS = ("0", "2147483648", "99999999999")
BAD_DATES = ("01.01.0001", "31.12.9999", "0001-01-01", "9999-12-31", "31.12.1899", "01.01.2101")
NUL = "a\x00b"
NUL_MESSAGE = "NUL-tegnet"

# The table whose first row gives a real id for a path parameter; any other int parameter gets 1.
PARAM_TABLES = {
    "saksmappe_id": "core_saksmappe",
    "journalpost_id": "core_journalpost",
    "dokumentbeskrivelse_id": "core_dokumentbeskrivelse",
    "dokumentobjekt_id": "core_dokumentobjekt",
    "task_id": "core_task",
    "unit_id": "core_unit",
    "person_id": "core_person",
    "period_id": "core_deputy_period",
    "message_id": "core_mail_message",
    "run_id": "restanse_mail_run",
    "item_id": "restanse_mail_item",
    "round_id": "godkjenning_round",
    "template_id": "godkjenning_chain_template",
    "skjema_id": "onboarding_form",
    "follow_up_id": "onboarding_training",
}
TEXT_PATH_VALUES = {"name": "core.send_outbox", "file_path": "app.js", "rest": "finnes-ikke"}
# A path parameter whose id must be a particular row: the first open restanse without a
# foreløpig svar (the form of /restanse/foreloepig/{korrespondansepart_id} has a date field).
PARAM_QUERIES = {
    "korrespondansepart_id": (
        "SELECT min(k.id) AS id FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
        "WHERE k.intern AND k.korrespondanseparttype = 'IM' AND j.journalposttype = 'I' "
        "AND j.journalstatus <> 'U' AND k.foreloepig_svar_dato IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM core_avskrivning a WHERE a.journalpost = j.id)"
    ),
}


def template_field_names() -> list[str]:
    """Every form field name written in a template (``name="..."`` and the ``f.input("...")``
    macros), so a NUL can be put in each of them."""
    names: set[str] = {"tekst", "q"}
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("plugins/*/templates/**/*.html")]:
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r'\bname="([A-Za-z_][\w-]*)"', text))
        names.update(re.findall(r'\bf\.\w+\(\s*"([A-Za-z_][\w-]*)"', text))
    return sorted(names - {"_csrf_token"})


@dataclass
class Form:
    action: str
    method: str
    multipart: bool
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    """(name, type, value) in document order; unticked boxes left out as a browser does."""
    date_inputs: set[str] = field(default_factory=set)
    """The names of the form's date fields (the macro ``date``: a numeric text input with a
    pattern)."""
    labels: dict[str, str] = field(default_factory=dict)
    """Field id → the text of its label (without «(må fylles ut)»)."""

    def values(self, **override: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, _kind, value in self.fields:
            out.setdefault(name, []).append(override.get(name, value))
        return out

    def date_fields(self) -> list[str]:
        dated = re.compile(r"^(\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2})$")
        return sorted(
            {
                name
                for name, kind, value in self.fields
                if kind == "date" or "dato" in name or (kind == "text" and dated.match(value))
            }
        )

    def text_fields(self) -> list[str]:
        return sorted(
            {name for name, kind, _ in self.fields if kind in ("text", "date", "search", "textarea")}
        )


class FormParser(HTMLParser):
    """The forms of a page with the values a browser would send."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: tuple[str, list[str], list[str]] | None = None
        self.textarea: list[str] | None = None
        self.textarea_name = ""
        self.label: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            target = a.get("hx-post") or a.get("hx-get") or a.get("action") or self.page_url
            method = "post" if a.get("hx-post") else "get" if a.get("hx-get") else (a.get("method") or "get")
            self.form = Form(
                urljoin(self.page_url, target), method.lower(), "multipart" in a.get("enctype", "")
            )
            self.forms.append(self.form)
        elif tag == "label" and self.form is not None and a.get("for"):
            self.label = (a["for"], [])
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            self.select[1].append(value)
            if "selected" in a:
                self.select[2].append(value)
        elif self.form is None or not a.get("name") or "disabled" in a:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            self.form.fields.append((a["name"], kind, a.get("value", "on" if kind == "checkbox" else "")))
            if kind == "text" and a.get("inputmode") == "numeric" and a.get("pattern"):
                self.form.date_inputs.add(a["name"])
        elif tag == "select":
            self.select = (a["name"], [], [])
        elif tag == "textarea":
            self.textarea, self.textarea_name = [], a["name"]

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.append(data)
        if self.label is not None:
            self.label[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.label is not None and self.form is not None:
            text = " ".join("".join(self.label[1]).split())
            self.form.labels[self.label[0]] = text.removesuffix("(må fylles ut)").strip()
            self.label = None
        elif tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None and self.form is not None:
            name, options, chosen = self.select
            for value in chosen or options[:1]:
                self.form.fields.append((name, "select", value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            self.form.fields.append((self.textarea_name, "textarea", "".join(self.textarea)))
            self.textarea = None


@dataclass
class World:
    client: Any
    routes: list[RouteInfo]
    ids: dict[str, int]
    person: int = 0
    forms: list[tuple[str, Form]] | None = None
    """The forms of every page, read once (see :func:`_forms_of_every_page`)."""

    def url(self, route: RouteInfo, **override: str) -> str:
        values = {name: str(self.ids.get(name, 1)) for name in route.int_params()}
        values.update({n: v for n, v in TEXT_PATH_VALUES.items() if n in route.path_params})
        values.update(override)
        return route.url(**values)

    async def signed_in(self) -> World:
        """Signed in again if an earlier test (or a regression) ended the session."""
        if (await self.client.get("/")).status_code != 200:
            await login(self.client, self.person)
        return self

    async def request(self, method: str, url: str, **kwargs: Any) -> Any:
        if method == "GET":
            return await self.client.get(url)
        return await self.client.request(method, url, headers=csrf(self.client), **kwargs)


async def _first_ids() -> dict[str, int]:
    from core.tables import Person

    ids: dict[str, int] = {}
    queries = {param: f"SELECT min(id) AS id FROM {table}" for param, table in PARAM_TABLES.items()}
    for param, query in {**queries, **PARAM_QUERIES}.items():
        rows = await Person.raw(query)
        if rows and rows[0]["id"] is not None:
            ids[param] = int(rows[0]["id"])
    return ids


@pytest.fixture
async def world(signed_in_world: World) -> World:
    return await signed_in_world.signed_in()


@pytest.fixture(scope="module")
async def signed_in_world(base_settings: Settings) -> AsyncIterator[World]:
    from litestar.testing import AsyncTestClient

    from core.demo import populate

    await dbsupport.empty_all_tables(base_settings)
    await populate(base_settings)
    async with connected(base_settings):
        ids = await _first_ids()
        admins = {r["person"] for r in await PersonRole.select().where(PersonRole.role == "admin")}
        archive = {r["person"] for r in await PersonRole.select().where(PersonRole.role == "arkiv")}
    person = min(admins & archive or admins)
    app = create_app(base_settings)
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as client:
        client.follow_redirects = False
        await login(client, person)
        yield World(client, app_routes(app), ids, person)
    await dbsupport.empty_all_tables(base_settings)


async def test_ids_out_of_range_in_the_path_answer_404(world: World) -> None:
    wrong: list[str] = []
    routes = [r for r in world.routes if r.int_params()]
    assert len(routes) > 50
    for route in routes:
        for name in route.int_params():
            for bad in BAD_IDS:
                url = world.url(route, **{name: bad})
                response = await world.request(route.method, url, data={})
                if response.status_code not in (400, 404):
                    wrong.append(f"{route.method} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_ids_out_of_range_in_the_query_answer_400(world: World) -> None:
    wrong: list[str] = []
    routes = [r for r in world.routes if r.method == "GET" and r.int_query_params()]
    assert len(routes) > 10
    for route in routes:
        for name in route.int_query_params():
            for bad in (*BAD_IDS, "-1"):
                url = world.url(route)
                response = await world.client.get(url, params={name: bad})
                if response.status_code not in (400, 404):
                    wrong.append(f"GET {url}?{name}={bad}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_nul_in_the_query_string_and_in_text_path_parameters_answer_400(world: World) -> None:
    names = template_field_names()
    wrong: list[str] = []
    for route in [r for r in world.routes if r.method == "GET"]:
        url = world.url(route)
        for params in ({name: NUL for name in names}, {"q": NUL}, {"side": "1", "x\x00": "1"}):
            response = await world.client.get(url, params=params)
            if response.status_code != 400 or NUL_MESSAGE not in response.text:
                wrong.append(f"GET {url} with NUL in {sorted(params)[:3]}…: {response.status_code}")
        for name, kind in route.path_params.items():
            if kind is not int:
                bad = world.url(route, **{name: "a%00b"})
                response = await world.client.get(bad)
                if response.status_code != 400:
                    wrong.append(f"GET {bad}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_nul_in_any_form_field_of_every_unsafe_route_answers_400(world: World) -> None:
    """Urlencoded forms are checked before the handler runs, so this holds for every unsafe
    route, whether its handler reads the form or not (``/logg-ut`` does not: the client stays
    signed in)."""
    names = template_field_names()
    wrong: list[str] = []
    routes = [r for r in world.routes if r.unsafe]
    assert len(routes) > 40
    for route in routes:
        url = world.url(route)
        for data in ({name: NUL for name in names}, {"tekst": NUL}, {"_csrf_token": "x", "x\x00": "1"}):
            response = await world.request(route.method, url, data=data)
            if response.status_code != 400 or NUL_MESSAGE not in response.text:
                wrong.append(f"{route.method} {url} with NUL in {sorted(data)[:3]}…: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert (await world.client.get("/")).status_code == 200


async def _forms_of_every_page(world: World) -> list[tuple[str, Form]]:
    if world.forms is not None:
        return world.forms
    found: list[tuple[str, Form]] = []
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    # Public routes are the sign-in pages (which end the session), health checks and files.
    for route in [r for r in world.routes if r.method == "GET" and not r.public]:
        url = world.url(route)
        response = await world.client.get(url)
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        if response.status_code != 200 or "html" not in response.headers.get("content-type", ""):
            continue
        parser = FormParser(url)
        parser.feed(response.text)
        for form in parser.forms:
            key = (form.method, urlsplit(form.action).path, tuple(sorted({n for n, _, _ in form.fields})))
            if key not in seen:
                seen.add(key)
                found.append((url, form))
    world.forms = found
    return found


async def _submit(world: World, form: Form, values: dict[str, list[str]]) -> Any:
    path = urlsplit(form.action).path
    if form.method == "get":
        return await world.client.get(path, params=values)
    if form.multipart:
        return await world.request("POST", path, data=values, files={"fil": ("tom.txt", b"", "text/plain")})
    return await world.request("POST", path, data=values)


async def test_dates_outside_1900_to_2100_in_every_form_never_answer_500(world: World) -> None:
    forms = await _forms_of_every_page(world)
    dated = [(page, form) for page, form in forms if form.date_fields()]
    # hendelseslogg, fravær, stedfortreder, restanse (enhet, oppfølging, utsending), onboarding ...
    assert len(dated) >= 6, [form.action for _, form in dated]
    wrong: list[str] = []
    for page, form in dated:
        for name in form.date_fields():
            for bad in BAD_DATES:
                response = await _submit(world, form, form.values(**{name: bad}))
                if response.status_code >= 500:
                    wrong.append(
                        f"{form.method.upper()} {form.action} ({page}) {name}={bad}: {response.status_code}"
                    )
    assert not wrong, "\n".join(wrong)


# Every route with a date field (the macro ``date``) that the admin and archive person sees here
# (/fravaer, the onboarding form and the training follow-up have tests of their own:
# tests/core/test_admin_org.py, tests/plugins/onboarding/).
DATE_FORM_PATHS = {
    "/admin/hendelseslogg",
    "/arkiv/sak/1/ny-journalpost",
    "/admin/stedfortredere/ny",
    "/arkiv/registrer",
    "/restanse/enhet",
    "/restanse/foreloepig",
    "/restanse/oppfolging",
    "/restanse/utsending",
}


async def test_every_date_field_reads_dd_mm_yyyy_and_keeps_a_refused_date(world: World) -> None:
    """Each date field of each form: an impossible date comes back (4xx, never 500) with the one
    message naming the field and the text as typed; a date typed dd.mm.åååå gets no date error."""
    forms = await _forms_of_every_page(world)
    dated = [(page, form) for page, form in forms if form.date_inputs]
    paths = {re.sub(r"/\d+/", "/1/", urlsplit(form.action).path) for _, form in dated}
    assert paths >= DATE_FORM_PATHS, sorted(paths)
    typed_ok = today().strftime("%d.%m.%Y")
    wrong: list[str] = []
    for page, form in dated:
        where = f"{form.method.upper()} {urlsplit(form.action).path} ({page})"
        for name in sorted(form.date_inputs):
            label = form.labels.get(name, "")
            assert label, f"{where}: {name} has no label"
            refused = await _submit(world, form, form.values(**{name: "31.02.2026"}))
            html = unescape(refused.text)
            if not 400 <= refused.status_code < 500:
                wrong.append(f"{where} {name}=31.02.2026: {refused.status_code}")
            elif f"«{label}» må være en dato som finnes, skrevet dd.mm.åååå" not in html:
                wrong.append(f"{where} {name}=31.02.2026: no message naming «{label}»")
            elif not re.search(rf'id="{name}" name="{name}" value="31.02.2026"', refused.text):
                wrong.append(f"{where} {name}=31.02.2026: the typed text is not kept")
            accepted = await _submit(world, form, form.values(**{name: typed_ok}))
            if accepted.status_code >= 500 or f"«{label}» må være" in unescape(accepted.text):
                wrong.append(f"{where} {name}={typed_ok}: {accepted.status_code}, refused as a date")
    assert not wrong, "\n".join(wrong)


async def test_nul_in_every_text_field_of_every_form_answers_400(world: World) -> None:
    forms = [(page, form) for page, form in await _forms_of_every_page(world) if form.text_fields()]
    assert len(forms) >= 15, [form.action for _, form in forms]
    assert any(form.multipart for _, form in forms)
    wrong: list[str] = []
    for page, form in forms:
        fields = form.text_fields()
        response = await _submit(world, form, form.values(**dict.fromkeys(fields, NUL)))
        if response.status_code != 400:
            wrong.append(f"{form.method.upper()} {form.action} ({page}) {fields}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_a_refused_date_keeps_what_was_typed(world: World) -> None:
    response = await world.client.get("/admin/hendelseslogg", params={"til": "31.12.9999"})
    assert response.status_code == 422
    assert 'value="31.12.9999"' in response.text
    assert "«Til dato» må være en dato mellom 01.01.1900 og 31.12.2100." in response.text


async def test_the_error_pages_are_norwegian(world: World) -> None:
    response = await world.client.get("/arkiv/sak/99999999999")
    assert response.status_code == 404
    assert "Fant ikke siden" in response.text
    response = await world.client.get("/arkiv/sok", params={"q": NUL})
    assert response.status_code == 400
    assert "Ugyldig forespørsel" in response.text and NUL_MESSAGE in response.text
    response = await world.client.get("/arkiv/saker", params={"side": "0"})
    assert response.status_code == 400
    assert "«side» i adressen må være et helt tall fra 1 til 2147483647." in response.text
    htmx = await world.client.get("/arkiv/sok", params={"q": NUL}, headers={"hx-request": "true"})
    assert htmx.status_code == 400 and htmx.headers["hx-retarget"] == "#meldinger"


def _scan(body: bytes, boundary: bytes, size: int) -> bool:
    from core.web.middleware import _MultipartScanner

    scanner = _MultipartScanner(boundary)
    return any(scanner.feed(body[i : i + size]) for i in range(0, len(body), size))


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 100_000])
def test_the_multipart_scanner_finds_nul_in_text_fields_only(size: int) -> None:
    boundary = b"----grense123"

    def body(*parts: tuple[str, bytes, bool]) -> bytes:
        out = b""
        for name, content, is_file in parts:
            disposition = f'form-data; name="{name}"' + ('; filename="a.bin"' if is_file else "")
            out += (
                b"--"
                + boundary
                + f"\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        return out + b"--" + boundary + b"--\r\n"

    binary = b"\x00" * 50 + b"\r\n--" + b"\x00\xff" * 40
    assert not _scan(
        body(("tittel", b"Brev", False), ("fil", binary, True), ("x", b"ok", False)), boundary, size
    )
    assert _scan(body(("fil", binary, True), ("tittel", b"Br\x00ev", False)), boundary, size)
    assert _scan(body(("tittel", b"\x00", False)), boundary, size)
    assert _scan(body(("ti\x00tel", b"Brev", False)), boundary, size)
