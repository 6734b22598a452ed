"""Translations: every message in the code has a nynorsk translation; nn pages are nynorsk;
the language choice is remembered on the person; dates and numbers are Norwegian.

``test_every_message_has_a_nynorsk_translation`` is the gate for new strings: it extracts the
messages in-process with ``babel.cfg`` (the same configuration as ``make i18n``) and names every
msgid without a nynorsk translation.
"""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from core import i18n
from core.runtime import runtime_of
from core.tables import Person
from tests.support.factories import csrf, login, make_person, make_unit

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
NN_PO = ROOT / "core" / "locales" / "nn" / "LC_MESSAGES" / "messages.po"
NBSP = "\xa0"


def extracted_messages() -> dict[str | tuple[str, ...], set[str]]:
    """Every msgid in the code (as ``make i18n`` extracts it), with the files it comes from."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    found: dict[str | tuple[str, ...], set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        key = message if isinstance(message, str) else tuple(message)
        found.setdefault(key, set()).add(filename)
    return found


def nn_catalog() -> Catalog:
    with NN_PO.open("rb") as fh:
        return read_po(fh, locale="nn")


def in_language(language: str, func: Callable[..., Any], *args: Any) -> Any:
    """Call ``func`` with the current language set, without leaking it to other tests."""

    def run() -> Any:
        i18n.set_language(language)
        return func(*args)

    return contextvars.copy_context().run(run)


# --- The catalogue ---------------------------------------------------------------------------


def untranslated(catalog: Catalog, messages: dict[str | tuple[str, ...], set[str]]) -> list[str]:
    """``msgid  (files)`` for every extracted message without a usable nynorsk translation:
    missing from the catalogue, empty, fuzzy, or a plural without plural forms."""
    problems = []
    for msgid, files in sorted(messages.items(), key=lambda item: str(item[0])):
        singular = msgid if isinstance(msgid, str) else msgid[0]
        entry = catalog.get(singular)
        if entry is None or entry.fuzzy:
            ok = False
        elif isinstance(msgid, tuple):
            ok = isinstance(entry.string, tuple) and all(s.strip() for s in entry.string)
        else:
            ok = isinstance(entry.string, str) and bool(entry.string.strip())
        if not ok:
            problems.append(f"  {singular!r}  ({', '.join(sorted(files))})")
    return problems


@pytest.mark.engine_independent
async def test_extraction_finds_messages_in_python_templates_and_plugins() -> None:
    messages = extracted_messages()
    files = {name for names in messages.values() for name in names}
    assert any(f.startswith("core/") and f.endswith(".py") for f in files)
    assert any(f.startswith("templates/") and f.endswith(".html") for f in files)
    assert any(f.startswith("plugins/") and f.endswith(".py") for f in files)
    assert any(f.startswith("plugins/") and "/templates/" in f for f in files)
    assert "Hopp til hovedinnhold" in messages  # templates/base.html
    assert "Hei, %(name)s" in messages  # newstyle gettext with a keyword argument
    assert "Sletter utløpte økter" in messages  # N_() in core/builtin_hooks.py
    assert "Til fordeling" in messages  # a plugin's hooks.py


@pytest.mark.engine_independent
async def test_every_message_has_a_nynorsk_translation() -> None:
    missing = untranslated(nn_catalog(), extracted_messages())
    assert not missing, (
        f"{len(missing)} msgid(s) have no nynorsk translation in {NN_PO.relative_to(ROOT)}. "
        "Run `make i18n`, then fill in msgstr for:\n" + "\n".join(missing)
    )


@pytest.mark.engine_independent
async def test_the_gate_names_untranslated_fuzzy_and_plural_messages() -> None:
    catalog = Catalog(locale="nn")
    catalog.add("Omsett", "Omsett")
    catalog.add("Tom", "")
    catalog.add("Uklar", "Uklår", flags=["fuzzy"])
    catalog.add(("Ei sak", "%(num)s saker"), ("Éi sak", ""))
    messages: dict[str | tuple[str, ...], set[str]] = {
        "Omsett": {"a.py"},
        "Tom": {"b.html"},
        "Uklar": {"c.py"},
        "Manglar": {"d.py"},
        ("Ei sak", "%(num)s saker"): {"e.py"},
    }
    assert untranslated(catalog, messages) == [
        "  'Ei sak'  (e.py)",
        "  'Manglar'  (d.py)",
        "  'Tom'  (b.html)",
        "  'Uklar'  (c.py)",
    ]


@pytest.mark.engine_independent
async def test_translations_keep_their_placeholders() -> None:
    catalog = nn_catalog()
    problems = [
        f"  {message.id!r}: {'; '.join(str(e) for e in errors)}" for message, errors in catalog.check()
    ]
    assert not problems, "Feil plasshaldarar i nynorsk omsetjing:\n" + "\n".join(problems)


@pytest.mark.engine_independent
async def test_catalogue_has_nynorsk_plural_rule() -> None:
    catalog = nn_catalog()
    assert str(catalog.locale) == "nn"
    assert catalog.num_plurals == 2
    assert in_language("nn", i18n.ngettext, "{n} restanse", "{n} restanser", 1) == "{n} restanse"
    assert in_language("nn", i18n.ngettext, "{n} restanse", "{n} restanser", 2) == "{n} restanser"


@pytest.mark.engine_independent
async def test_gettext_translates_to_nynorsk_and_leaves_bokmal_alone() -> None:
    assert in_language("nn", i18n.gettext, "Hopp til hovedinnhold") == "Hopp til hovudinnhald"
    assert in_language("nn", i18n.gettext, "Forside") == "Framside"
    assert in_language("nn", i18n.gettext, "Ingen tilgang") == "Ikkje tilgang"
    assert in_language("nb", i18n.gettext, "Hopp til hovedinnhold") == "Hopp til hovedinnhold"
    assert in_language("nn", i18n.gettext, "En tekst som ikke finnes") == "En tekst som ikke finnes"


@pytest.mark.engine_independent
async def test_unknown_language_falls_back_to_bokmal() -> None:
    assert in_language("en", i18n.current_language) == "nb"


# --- Pages in nynorsk ------------------------------------------------------------------------


async def test_bokmal_is_the_default(client: Any) -> None:
    await login(client, await make_person(unit=await make_unit()))
    response = await client.get("/")
    assert '<html lang="nb">' in response.text
    assert "Hopp til hovedinnhold" in response.text
    assert "Her er det som venter på deg i dag." in response.text


async def test_choosing_nynorsk_shows_nynorsk_pages(client: Any) -> None:
    person = await make_person(name="Kari Nordmann", unit=await make_unit())
    await login(client, person)
    response = await client.post("/sprak", data={"sprak": "nn", "tilbake": "/"}, headers=csrf(client))
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = await client.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="nn">' in html
    for text in (
        "Hopp til hovudinnhald",
        "Framside",
        "Her er det som ventar på deg i dag.",
        "Logg ut",
        "Byt språk",
    ):
        assert text in html, text
    assert "Hei, Kari Nordmann" in html
    for bokmal in ("Hopp til hovedinnhold", "Her er det som venter på deg i dag.", "Forside"):
        assert bokmal not in html, bokmal
    # Plugin pages and error pages follow the choice too.
    plugin_page = await client.get("/dummy_plugin")
    assert '<html lang="nn">' in plugin_page.text
    assert "Hopp til hovudinnhald" in plugin_page.text
    missing = await client.get("/dummy_plugin/mangler")
    assert missing.status_code == 404
    assert '<html lang="nn">' in missing.text
    assert "Fann ikkje sida" in missing.text


async def test_language_choice_is_stored_on_the_person_and_survives_a_new_sign_in(client: Any) -> None:
    person = await make_person(unit=await make_unit())
    await login(client, person)
    await client.post("/sprak", data={"sprak": "nn", "tilbake": "/"}, headers=csrf(client))
    row = await Person.select(Person.language).where(Person.id == person).first()
    assert row == {"language": "nn"}

    signed_out = await client.post("/logg-ut", headers=csrf(client))
    assert signed_out.status_code == 303
    assert (await client.get("/")).status_code == 302  # the old session is gone
    await login(client, person)
    page = await client.get("/")
    assert '<html lang="nn">' in page.text
    assert "Hopp til hovudinnhald" in page.text

    await client.post("/sprak", data={"sprak": "nb", "tilbake": "/"}, headers=csrf(client))
    assert (await Person.select(Person.language).where(Person.id == person).first()) == {"language": "nb"}
    assert '<html lang="nb">' in (await client.get("/")).text


async def test_unknown_language_is_ignored(client: Any) -> None:
    person = await make_person(unit=await make_unit())
    await login(client, person)
    response = await client.post("/sprak", data={"sprak": "en", "tilbake": "/"}, headers=csrf(client))
    assert response.status_code == 303
    assert (await Person.select(Person.language).where(Person.id == person).first()) == {"language": None}
    assert '<html lang="nb">' in (await client.get("/")).text


async def test_default_language_setting_applies_to_people_without_a_choice(settings: Any, db: None) -> None:
    from litestar.testing import AsyncTestClient

    from core.app import create_app

    app = create_app(dataclasses.replace(settings, default_language="nn"))
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        await login(client, await make_person(unit=await make_unit()))
        page = await client.get("/")
        assert '<html lang="nn">' in page.text
        assert "Framside" in page.text


# --- Norwegian formats -----------------------------------------------------------------------


@pytest.mark.engine_independent
@pytest.mark.parametrize("language", ["nb", "nn"])
async def test_dates_are_day_month_year(language: str) -> None:
    assert in_language(language, i18n.format_dato, date(2026, 5, 17)) == "17.05.2026"
    # A UTC timestamp late in the evening is already the next day in Oslo.
    assert in_language(language, i18n.format_dato, datetime(2026, 5, 17, 22, 30, tzinfo=UTC)) == "18.05.2026"
    assert in_language(language, i18n.format_tidspunkt, datetime(2026, 5, 17, 12, 5, tzinfo=UTC)) == (
        "17.05.2026 14:05"
    )
    assert in_language(language, i18n.format_tidspunkt, datetime(2026, 1, 5, 12, 5, tzinfo=UTC)) == (
        "05.01.2026 13:05"
    )
    assert in_language(language, i18n.format_dato, None) == ""


@pytest.mark.engine_independent
@pytest.mark.parametrize("language", ["nb", "nn"])
async def test_numbers_use_non_breaking_space_and_decimal_comma(language: str) -> None:
    assert in_language(language, i18n.format_tall, 1234567) == f"1{NBSP}234{NBSP}567"
    assert in_language(language, i18n.format_tall, 1234.5) == f"1{NBSP}234,5"
    assert in_language(language, i18n.format_tall, 0.25) == "0,25"
    assert in_language(language, i18n.format_tall, 30) == "30"
    assert in_language(language, i18n.format_tall, None) == ""


async def test_template_filters_format_dates_and_numbers(app: Any) -> None:
    env = runtime_of(app).templates
    template = env.from_string("{{ d|dato }} {{ t|tidspunkt }} {{ n|tall }}")
    rendered = in_language(
        "nn",
        template.render,
        {"d": date(2026, 5, 17), "t": datetime(2026, 5, 17, 12, 5, tzinfo=UTC), "n": 1234567},
    )
    assert rendered == f"17.05.2026 17.05.2026 14:05 1{NBSP}234{NBSP}567"


@pytest.mark.engine_independent
@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_list_formats_equal_babels(language: str) -> None:
    """Dates, times and whole numbers in the lists' formats are written directly (a list shows
    hundreds); they must read exactly as Babel writes them, in both languages."""
    import random
    from datetime import timedelta

    from babel.dates import format_date, format_datetime
    from babel.numbers import format_decimal

    from core.timeutil import OSLO

    i18n.set_language(language)
    rng = random.Random(13)
    numbers = [0, 1, -1, 999, 1000, -1234, 10**12, *(rng.randint(-(10**9), 10**9) for _ in range(300))]
    for number in numbers:
        assert i18n.format_tall(number) == format_decimal(number, locale=language), number
    assert i18n.format_tall(12.5) == "12,5" and i18n.format_tall(None) == ""
    days = [
        date(1, 1, 1),
        date(7, 1, 2),
        date(2026, 12, 31),
        *(date(1900, 1, 1) + timedelta(days=rng.randint(0, 60000)) for _ in range(300)),
    ]
    for day in days:
        assert i18n.format_dato(day) == format_date(day, "dd.MM.yyyy", locale=language), day
    moments = [datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]
    moments += [
        datetime(2000, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 15_000_000)) for _ in range(300)
    ]
    for moment in moments:
        expected = format_datetime(moment, "dd.MM.yyyy HH:mm", tzinfo=OSLO, locale=language)
        assert i18n.format_tidspunkt(moment) == expected, moment
        assert i18n.format_dato(moment) == format_date(
            moment.astimezone(OSLO).date(), "dd.MM.yyyy", locale=language
        )
    i18n.set_language("nb")
