"""Templates translated when they are compiled (``core.template_translation``): the same output
as ``_`` called at render time, on real pages of the demo organisation in both languages; each
language compiled once; what must stay a call stays one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jinja2
import pytest
from jinja2 import DictLoader
from markupsafe import Markup

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

# Every form of ``_("…", name=value)`` and ``ngettext``: on its own in ``{{ }}`` (written as
# template data and ``{{ value }}``), inside an expression (joined with ``~``), in a macro's
# argument, kept in a variable, a text that starts with a value, ``%%``, a nested ``_``, a
# number that picks the form; and what stays a call (another directive, a name used twice).
FORMS = (
    "{{ _('Velg %(post)s', post=v) }}|{{ gettext('Saksansvarlig: %(name)s', name=v) }}"
    "|{{ _('%(first)s–%(last)s av %(total)s', first=v, last=n, total=n + 1) }}"
    "|{{ (_('Velg %(post)s', post=v) ~ '<&>')|upper }}|{{ m.merke2(_('Velg %(post)s', post=v)) }}"
    "|{% set x = _('Velg %(post)s', post=v) %}{{ x }}{{ x|length }}"
    "|{{ _('Velg %(post)s', post=_('Saksbehandler')) }}|{{ _('%(a)s%% av %(b)s %%', a=v, b=n) }}"
    "|{{ _('100%% sikkert') }}|{{ _('%(a)s', a=v) }}|{{ _('%(a)s', a=v) ~ '' }}|{{ _('ingen', a=v) }}"
    "|{{ _('%(a)s', a=v)|safe }}|{{ (_('%(a)s', a=v) ~ '')|length }}|{{ _('%(a)s', a=n)|length }}|{{ _('Velg %(post)s', post=v)|safe }}"
    "|{{ _('%(n)d stk', n=n) }}|{{ _('%(a)s og %(a)s', a=v) }}|{{ _('%(a)s', a=v, ) }}"
    "|{{ ngettext('%(num)s dag', '%(num)s dager', n) }}"
    "|{{ ngettext('%(num)s dag', '%(num)s dager', n, num=v) }}"
    "|{% set d = ngettext('%(num)s dag', '%(num)s dager', n, num=v) %}{{ d }}"
    "|{{ ngettext('Skjemaet har én feil:', 'Skjemaet har %(num)s feil:', n) ~ v }}"
    "|{{ ngettext('%(num)s valgt', '%(num)s valgt', 2, num='#') }}"
)
TEMPLATES["former.html"] = "{% import 'makro.html' as m %}" + FORMS
TEMPLATES["former.txt"] = "{% import 'makro.html' as m %}" + FORMS
TEMPLATES["makro.html"] += "{% macro merke2(text) %}[{{ text }}]{% endmacro %}"
VALUES = ("<b>A & 'B'</b> \"C\"", Markup("<i>trygg</i> &amp;"), 3, 1.5, None, "")


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


@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize("name", ["former.html", "former.txt"])
def test_texts_with_values_read_as_translated_at_render_time(lang: str, name: str, language: None) -> None:
    """``_("…", name=value)`` and ``ngettext`` written out when compiled: values with ``<``, ``&``
    and quotes escaped (once) where autoescape is on and left as they are in plain text, a
    ``Markup`` value not escaped again, numbers as ``%s`` writes them, the form ``n`` picks."""
    ours, reference = environments()
    i18n.set_language(lang)
    for v in VALUES:
        for n in (0, 1, 2, 21):
            expected = reference.get_template(name).render(v=v, n=n)
            assert ours.get_template(name).render(v=v, n=n) == expected, (v, n)
    if name.endswith(".html"):
        html = ours.get_template(name).render(v="<b>", n=1)
        assert "&lt;b&gt;" in html and "<b>" not in html and "&amp;lt;" not in html
    if lang == "nn":
        assert "1 dag|" in ours.get_template(name).render(v="x", n=1)
        assert "2 dagar|" in ours.get_template(name).render(v="x", n=2)


def test_texts_with_values_are_written_out_and_the_rest_stay_calls(language: None) -> None:
    """Compiled, the forms above make no call to format a text, except the two that cannot be
    written out: ``%(n)d`` (another directive) and a value named twice."""
    ours, _ = environments()
    for lang in ("nb", "nn"):
        i18n.set_language(lang)
        source = ours.compile(TEMPLATES["former.html"], f"{lang}:former.html", raw=True)
        calls = [line.strip() for line in source.splitlines() if "context.call(" in line]
        assert len(calls) == 3, calls
        assert "'merke2'" in calls[0] and "_translated" not in calls[0]
        assert "'%(n)d stk'" in calls[1] and "'%(a)s og %(a)s'" in calls[2]
        assert "ngettext" not in source and "gettext" not in source and "resolve('_')" not in source


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

    # Rendered again, every text comes from the compiled template, ``ngettext``'s too: no
    # catalogue lookup at all.
    looked_up: list[str] = []
    real, real_n = i18n.gettext, i18n.ngettext
    monkeypatch.setattr(i18n, "gettext", lambda message: looked_up.append(message) or real(message))
    monkeypatch.setattr(i18n, "ngettext", lambda s, p, n: looked_up.append(s) or real_n(s, p, n))
    i18n.set_language("nn")
    assert ours.get_template("side.html").render(post="p", obj=Obj()) == pages["nn"]
    assert looked_up == []


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
