"""The Jinja2 environment: production renders from the compiled templates without checking
their files on every page; development picks up edited templates at once; the translation
callables behave as Jinja's own."""

from __future__ import annotations

import dataclasses

import pytest

from core.runtime import build_runtime

pytestmark = pytest.mark.engine_independent


def test_templates_are_reloaded_only_in_development(settings) -> None:
    development = build_runtime(dataclasses.replace(settings, environment="development"))
    production = build_runtime(dataclasses.replace(settings, environment="production"))
    assert development.templates.auto_reload is True
    assert production.templates.auto_reload is False


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_gettext_in_templates_reads_as_jinjas_own(settings, language: str) -> None:
    """The app's template ``_``/``gettext``/``ngettext`` (evaluation context only, so no copy of
    the context per call in a loop) give what Jinja's own "newstyle" callables give: translated,
    variables escaped where autoescape is on, formatted with ``%`` even without variables."""
    from jinja2 import Environment

    from core import i18n

    ours = build_runtime(settings).templates
    jinjas = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    jinjas.install_gettext_callables(gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    source = (
        "{% for x in items %}{{ _('Velg %(post)s', post=x) }}|{{ _('Mottatte oppgaver') }}|"
        "{{ ngettext('%(num)s restanse', '%(num)s restanser', n) }}|{{ gettext('100%% sikkert') }}|"
        "{% trans %}Hei {{ x }}{% endtrans %};{% endfor %}"
    )
    items = ["<b>2026/00001-1</b>", "A & B"]
    i18n.set_language(language)
    try:
        for autoescape in (True, False):
            ours.autoescape = jinjas.autoescape = autoescape
            mine = ours.from_string(source).render(items=items, n=2)
            theirs = jinjas.from_string(source).render(items=items, n=2)
            assert mine == theirs, (autoescape, mine, theirs)
            assert ("&lt;b&gt;" in mine) == autoescape
    finally:
        i18n.set_language("nb")


def test_attributes_of_a_plain_dict_read_as_jinjas_own(settings) -> None:
    """``row.name`` on a plain dict takes the key at once (no ``AttributeError`` first), and
    reads exactly as Jinja reads it: a dict's methods win over its keys, a missing key is
    undefined (an error under ``StrictUndefined``), other objects go Jinja's way."""
    import jinja2

    ours = build_runtime(settings).templates
    jinjas = jinja2.Environment(undefined=jinja2.StrictUndefined)
    source = (
        "{{ row.nummer }}|{{ row.items is callable }}|{{ row.get('x', '-') }}|{{ sub.nummer }}|{{ obj.real }}"
    )

    class Sub(dict[str, object]):
        pass

    context = {"row": {"nummer": "2026/00001-1", "items": 3}, "sub": Sub(nummer="s"), "obj": 5}
    assert ours.from_string(source).render(**context) == jinjas.from_string(source).render(**context)
    assert ours.from_string(source).render(**context) == "2026/00001-1|True|-|s|5"
    for env in (ours, jinjas):
        with pytest.raises(jinja2.UndefinedError):
            env.from_string("{{ row.mangler }}").render(row={"nummer": 1})


def test_values_are_escaped_as_markupsafe_escapes_them(settings) -> None:
    """The app's templates write each value with ``escape_output`` (no ``Markup`` made per value):
    the same characters as :func:`markupsafe.escape` for every kind of value, and the same page
    as Jinja's own environment, where the value is marked safe or not."""
    import enum

    import jinja2
    from markupsafe import Markup, escape

    from core.templating import AppTemplate, escape_output

    class Html:
        def __html__(self) -> str:
            return "<em>fra __html__</em>"

    class Kode(enum.StrEnum):
        A = "<a>"

    class Tekst(str):
        pass

    values = [
        "<b>A & 'B'</b> \"C\"",
        "",
        "vanlig tekst",
        7,
        -3,
        True,
        None,
        1.5,
        Markup("<i>trygg</i>"),
        Html(),
        Kode.A,
        Tekst("<x>"),
        ["<li>"],
        {"a": "<"},
    ]
    for value in values:
        assert escape_output(value) == str(escape(value)), value

    ours = build_runtime(settings).templates
    assert ours.template_class is AppTemplate
    jinjas = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    source = (
        "{% macro m(x) %}<p>{{ x }}</p>{% endmacro %}{% for v in values %}{{ v }}|{{ m(v) }}|{{ m(v)|upper }}"
        "|{% set b %}{{ v }}{% endset %}{{ b }}{{ b|length }};{% endfor %}"
    )
    rendered = ours.from_string(source).render(values=values)
    assert rendered == jinjas.from_string(source).render(values=values)
    assert "&lt;b&gt;A &amp; &#39;B&#39;&lt;/b&gt; &#34;C&#34;" in rendered
    with pytest.raises(jinja2.UndefinedError):
        ours.from_string("{{ missing }}").render()
