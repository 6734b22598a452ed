"""The one date field (core/dates.py): one message naming the field, in bokmål and nynorsk, and
how a field shows a date; plus: no template has a browser date input any more (those show
mm/dd/yyyy in an English-language browser)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.dates import date_into, date_message, read_date, show_date, shown_date
from core.i18n import set_language
from core.runtime import build_runtime
from core.validation import NOT_A_DATE, OUT_OF_RANGE

pytestmark = pytest.mark.engine_independent

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def nynorsk() -> Iterator[None]:
    set_language("nn")
    yield
    set_language("nb")


def test_read_date_gives_the_date_nothing_or_one_message_naming_the_field() -> None:
    assert read_date("17.05.2026", "Rapportdato") == (date(2026, 5, 17), "")
    assert read_date("2026-05-17", "Rapportdato") == (date(2026, 5, 17), "")
    assert read_date("  ", "Rapportdato") == (None, "")
    assert read_date(None, "Rapportdato", missing="Skriv inn rapportdatoen.") == (
        None,
        "Skriv inn rapportdatoen.",
    )
    for typed in ("31.02.2026", "00.01.2026", "1.1.26", "i går", "17.05.2026\x00"):
        assert read_date(typed, "Rapportdato") == (
            None,
            "«Rapportdato» må være en dato som finnes, skrevet dd.mm.åååå, for eksempel 17.05.2026.",
        ), typed
    for typed in ("01.01.0001", "9999-12-31", "31.12.1899", "01.01.2101"):
        assert read_date(typed, "Fra dato") == (
            None,
            "«Fra dato» må være en dato mellom 01.01.1900 og 31.12.2100.",
        ), typed


def test_date_into_puts_the_message_under_the_field() -> None:
    errors: dict[str, str] = {}
    assert date_into(errors, "fra", "1.2.2026", "Fra dato") == date(2026, 2, 1)
    assert date_into(errors, "til", "", "Til dato") is None
    assert errors == {}
    assert date_into(errors, "til", "30.02.2026", "Til dato") is None
    assert list(errors) == ["til"] and errors["til"].startswith("«Til dato» må være")


def test_the_messages_in_nynorsk(nynorsk: None) -> None:
    assert date_message("Dato", NOT_A_DATE) == (
        "«Dato» må vere ein dato som finst, skriven dd.mm.åååå, til dømes 17.05.2026."
    )
    assert date_message("Dato", OUT_OF_RANGE) == "«Dato» må vere ein dato mellom 01.01.1900 og 31.12.2100."


def test_a_field_shows_dates_as_dd_mm_yyyy_and_anything_else_as_typed() -> None:
    assert show_date(date(2026, 5, 7)) == "07.05.2026"
    assert show_date(date(1900, 1, 1)) == "01.01.1900"
    assert show_date(None) == ""
    assert shown_date("2026-05-07") == "07.05.2026"  # an old link or bookmark
    assert shown_date(" 7.5.2026 ") == "07.05.2026"
    assert shown_date("31.02.2026") == "31.02.2026"  # kept next to its error
    assert shown_date("i går") == "i går"
    assert shown_date(None) == ""


def test_no_template_has_a_browser_date_input() -> None:
    """``<input type="date">`` shows mm/dd/yyyy in an English-language browser; every date field
    is the macro ``date`` (text dd.mm.åååå with the calendar)."""
    templates = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("plugins/*/templates/**/*.html")]
    assert len(templates) > 50
    found = [
        str(path.relative_to(ROOT))
        for path in templates
        if re.search(r"""type\s*=\s*["']?date\b""", path.read_text(encoding="utf-8"), re.IGNORECASE)
    ]
    assert found == []


MACRO = """{% import "admin/_org_skjema.html" as f %}{{ f.date("fra", label, value, errors, hint=hint) }}"""


def render_field(settings: Any, value: Any, errors: dict[str, str], hint: str = "") -> str:
    env = build_runtime(settings).templates
    return env.from_string(MACRO).render(label="Fra dato", value=value, errors=errors, hint=hint)


def test_the_macro_renders_an_accessible_text_field(settings: Any) -> None:
    html = render_field(settings, date(2026, 5, 7), {}, hint="Tom: i dag.")
    field = re.search(r"<input [^>]*>", html)
    assert field is not None
    tag = field.group(0)
    for attribute in (
        'type="text"',
        'inputmode="numeric"',
        'id="fra"',
        'name="fra"',
        'value="07.05.2026"',
        'autocomplete="off"',
        'maxlength="10"',
        'aria-describedby="fra-hint"',
    ):
        assert attribute in tag, attribute
    assert re.search(r'pattern="[^"]+"', tag) and "aria-invalid" not in tag
    assert '<label for="fra">Fra dato</label>' in html
    assert '<span class="hint" id="fra-hint">dd.mm.åååå. Tom: i dag.</span>' in html
    button = re.search(r"<button [^>]*>.*?</button>", html, re.S)
    assert button is not None
    assert 'data-datovelger="fra"' in button.group(0) and "hidden data-trenger-js" in button.group(0)
    assert 'type="button"' in button.group(0) and 'aria-expanded="false"' in button.group(0)
    assert 'data-ukedager="mandag,tirsdag,onsdag,torsdag,fredag,lørdag,søndag"' in html

    typed = render_field(settings, "31.02.2026", {"fra": "«Fra dato» må være en dato som finnes."})
    assert 'value="31.02.2026"' in typed and 'aria-invalid="true"' in typed
    assert 'aria-describedby="fra-hint fra-feil"' in typed
    assert 'id="fra-feil"' in typed and "«Fra dato» må være en dato som finnes." in typed
    assert 'value="17.05.2026"' in render_field(settings, "2026-05-17", {})  # an old link


def test_the_calendar_speaks_nynorsk(settings: Any, nynorsk: None) -> None:
    html = render_field(settings, "", {})
    assert 'data-ukedager="måndag,tysdag,onsdag,torsdag,fredag,laurdag,sundag"' in html
    assert 'data-ukedager-kort="må,ty,on,to,fr,la,su"' in html
    assert (
        'data-maaneder="januar,februar,mars,april,mai,juni,juli,august,september,oktober,november,desember"'
        in html
    )
    assert 'data-tittel="Vel dato: Fra dato"' in html and 'data-forrige="Førre månad"' in html
