"""Templates translated when they are compiled (``core.template_translation``): the same output
as ``_`` called at render time, on real pages of the demo organisation in both languages; each
language compiled once; what must stay a call stays one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jinja2
import pytest
from jinja2 import DictLoader

from core import i18n, templating
from core.app import create_app
from core.template_translation import CompiledTranslations, LanguageEnvironment, LanguageLoader, split_name
from core.templating import build_environment
from tests.support.factories import login

TEMPLATES = {
    "side.html": (
        "{% extends 'ramme.html' %}{% import 'makro.html' as m %}"
        "{% block innhold %}{{ _('Mottatte oppgaver') }}|{{ m.merke() }}|{% include 'del.html' %}"
        "|{{ _('Velg %(post)s', post=post) }}|{{ gettext('100%% sikkert') }}|{{ obj._('Mottatte oppgaver') }}"
        "|{% set x = _('Saksbehandler') %}{{ x ~ post }}|{{ ngettext('%(num)s dag', '%(num)s dager', 2) }}"
        "{% endblock %}"
    ),
    "ramme.html": "<h1>{{ _('Til fordeling') }}</h1>{% block innhold %}{% endblock %}",
    "makro.html": "{% macro merke() %}{{ _('Forfalt') }}{% endmacro %}",
    "del.html": "{{ _('Saksansvarlig') }}",
    "post.txt": "{{ _('Saksbehandler') ~ ': ' ~ name }} {{ _('Velg %(post)s', post=name) }}",
}


class Obj:
    @staticmethod
    def _(text: str) -> str:
        return f"[{text}]"


def environments() -> tuple[jinja2.Environment, jinja2.Environment]:
    """(compiled per language, translated at render time) over the same small templates."""
    options: dict[str, Any] = {
        "autoescape": jinja2.select_autoescape(["html"]),
        "undefined": jinja2.StrictUndefined,
    }
    ours = LanguageEnvironment(
        loader=LanguageLoader(DictLoader(TEMPLATES)),
        extensions=["jinja2.ext.i18n", CompiledTranslations],
        **options,
    )
    reference = jinja2.Environment(loader=DictLoader(TEMPLATES), extensions=["jinja2.ext.i18n"], **options)
    for env in (ours, reference):
        env.globals.update(_=templating._gettext, gettext=templating._gettext, ngettext=templating._ngettext)
    return ours, reference


@pytest.fixture
def language() -> Iterator[None]:
    yield
    i18n.set_language("nb")


@pytest.mark.parametrize("lang", ["nb", "nn", "nb"])
def test_small_templates_read_as_translated_at_render_time(lang: str, language: None) -> None:
    ours, reference = environments()
    i18n.set_language(lang)
    for name, context in (
        ("side.html", {"post": "<b>1</b>", "obj": Obj()}),
        ("post.txt", {"name": "A & <B>"}),
    ):
        assert ours.get_template(name).render(**context) == reference.get_template(name).render(**context)
    if lang == "nn":
        assert "Mottekne oppgåver" in ours.get_template("side.html").render(post="p", obj=Obj())


def test_each_language_is_compiled_once_and_constants_need_no_catalogue(
    monkeypatch: pytest.MonkeyPatch, language: None
) -> None:
    ours, _ = environments()
    pages = {}
    for lang in ("nb", "nn"):
        i18n.set_language(lang)
        template = ours.get_template("side.html")
        assert split_name(template.name) == (lang, "side.html")
        pages[lang] = template.render(post="p", obj=Obj())
        assert ours.get_template("side.html") is template  # Jinja's cache, per language
    assert pages["nb"] != pages["nn"]

    # Rendered again, the constant texts come from the compiled template: a catalogue lookup
    # happens only for the texts with ``%`` (kept as calls) and ``ngettext``.
    looked_up: list[str] = []
    real = i18n.gettext
    monkeypatch.setattr(i18n, "gettext", lambda message: looked_up.append(message) or real(message))
    i18n.set_language("nn")
    assert ours.get_template("side.html").render(post="p", obj=Obj()) == pages["nn"]
    assert looked_up == ["100%% sikkert"]


def test_a_plain_text_template_is_not_escaped(language: None) -> None:
    ours, _ = environments()
    i18n.set_language("nb")
    assert ours.get_template("post.txt").render(name="A & <B>") == "Saksbehandler: A & <B> Velg A & <B>"


# --- real pages ---------------------------------------------------------------------------------

PAGES = {
    "leder": [
        "/",
        "/fordeling",
        "/restanse/enhet",
        "/godkjenning",
        "/oppgaver",
        "/fordeling/kort?rolle=leder",
    ],
    "saksbehandler": ["/", "/restanse", "/restanse/kort", "/arkiv/sok?q=søknad", "/arkiv/mine"],
    "arkiv": ["/", "/restanse/oppfolging", "/arkiv/sok?q=søknad", "/onboarding/opplaering/kort"],
    "lonn": ["/", "/onboarding"],
}


@pytest.fixture
def world(settings: Any, db: None) -> Any:
    from tests.support.route_matrix import build_world

    return build_world(settings)


@pytest.mark.anyio
async def test_real_pages_read_as_translated_at_render_time(
    settings: Any, world: Any, monkeypatch: pytest.MonkeyPatch, language: None
) -> None:
    """Pages of the demo organisation, in bokmål and nynorsk: every template the app renders
    gives the same text when rendered again with ``_`` called at render time."""
    from litestar.testing import AsyncTestClient

    rendered: list[tuple[str, dict[str, Any], str]] = []
    render = jinja2.Template.render

    def recording(self: jinja2.Template, *args: Any, **kwargs: Any) -> str:
        html = render(self, *args, **kwargs)
        rendered.append((self.name or "", dict(*args, **kwargs), html))
        return html

    monkeypatch.setattr(jinja2.Template, "render", recording)
    app = create_app(settings)
    runtime = app.state["runtime"]
    reference = build_environment(runtime.plugins, runtime.pm, translate_when_compiled=False)
    reference.globals = {**runtime.templates.globals, **reference.globals}  # Litestar's csrf_token, url_for
    for persona, urls in PAGES.items():
        for lang in ("nb", "nn"):
            async with AsyncTestClient(app=app, raise_server_exceptions=True) as client:
                client.follow_redirects = False
                person = world.people[persona]
                assert person is not None
                await login(client, person)
                await client.post(
                    "/sprak",
                    data={"sprak": lang, "tilbake": "/"},
                    headers={"x-csrftoken": client.cookies.get("arkiv_csrf", "")},
                )
                for url in urls:
                    response = await client.get(url, headers={"HX-Request": "true"} if "kort" in url else {})
                    assert response.status_code == 200, (persona, url, response.status_code)
    monkeypatch.setattr(jinja2.Template, "render", render)
    languages = {split_name(name)[0] for name, _, _ in rendered}
    assert languages == {"nb", "nn"}
    assert len(rendered) >= 2 * sum(len(urls) for urls in PAGES.values())
    for name, context, html in rendered:
        lang, plain = split_name(name)
        assert lang is not None and plain is not None, name
        i18n.set_language(lang)
        assert reference.get_template(plain).render(**context) == html, name
