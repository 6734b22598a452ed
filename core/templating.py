"""The one Jinja2 environment: root ``templates/``, then each plugin's ``templates/``.

Plugin pages live under ``templates/<plugin>/`` so names never clash. Fragments (htmx) start
with ``_`` and never extend a layout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableMapping
from datetime import date
from pathlib import Path
from types import CodeType
from typing import Any

import pluggy
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from markupsafe import Markup

from core import dates, i18n
from core.plugins import LoadedPlugin, collect_sync
from core.template_translation import CompiledTranslations, LanguageEnvironment, LanguageLoader

ROOT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def template_dirs(plugins: Iterable[LoadedPlugin], pm: pluggy.PluginManager) -> list[Path]:
    dirs = [ROOT_TEMPLATES]
    dirs += [p.templates for p in plugins if p.templates]
    dirs += collect_sync(pm.hook.template_dirs())
    return dirs


def build_environment(
    plugins: Iterable[LoadedPlugin],
    pm: pluggy.PluginManager,
    *,
    auto_reload: bool = True,
    translate_when_compiled: bool = True,
) -> Environment:
    """The Jinja2 environment of the app and the mails. ``auto_reload`` (development) checks
    each template's file for changes on every render; production leaves it off, as templates
    only change with a deploy (it cost a ``stat`` per template per page).

    ``translate_when_compiled`` compiles each template once per language with its constant
    texts translated (:mod:`core.template_translation`); without it every ``_()`` is a call at
    render time, and attributes are read as Jinja reads them (the tests compare both)."""
    loader = FileSystemLoader([str(d) for d in template_dirs(plugins, pm)])
    env = (AppEnvironment if translate_when_compiled else Environment)(
        auto_reload=auto_reload,
        loader=LanguageLoader(loader) if translate_when_compiled else loader,
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n", *([CompiledTranslations] if translate_when_compiled else [])],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
    env.filters["dato"] = i18n.format_dato
    env.filters["tidspunkt"] = i18n.format_tidspunkt
    env.filters["tall"] = i18n.format_tall
    env.filters["datofelt"] = _date_field_text
    env.globals["current_language"] = i18n.current_language
    env.globals["language_names"] = i18n.LANGUAGE_NAMES
    pm.hook.prepare_jinja2_environment(env=env)
    return env


_DICT_ATTRIBUTES = frozenset(dir(dict))

try:
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - markupsafe without its C extension
    from markupsafe._native import _escape_inner


def escape_output(value: Any, /) -> str:
    """What ``{{ value }}`` writes where autoescape is on: the characters of
    :func:`markupsafe.escape`, as a plain ``str``.

    Jinja wraps each value written in ``escape``, and only joins the results (a macro, a block
    or ``caller()`` marks the joined text safe again), so the ``Markup`` object ``escape`` makes
    of every value is never used; making it (a Python ``__new__``) was most of the cost of the
    1 500 values of a 50-row list. A test compares both on every kind of value."""
    if type(value) is str:
        return _escape_inner(value)
    if type(value) is int:
        return str(value)
    if hasattr(value, "__html__"):
        return value.__html__()  # type: ignore[no-any-return]
    return _escape_inner(str(value))


class AppTemplate(Template):
    """A template whose ``{{ }}`` escape with :func:`escape_output`."""

    @classmethod
    def from_code(
        cls,
        environment: Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> Template:
        # Jinja's own, with the module's ``escape`` (``from jinja2.runtime import escape``,
        # used only to write values) replaced after the compiled module has run.
        namespace = {"environment": environment, "__file__": code.co_filename}
        exec(code, namespace)  # noqa: S102 - the code Jinja compiled, as Jinja does
        namespace["escape"] = escape_output
        template = cls._from_namespace(environment, namespace, globals)
        template._uptodate = uptodate
        return template


class AppEnvironment(LanguageEnvironment):
    """The app's environment: templates compiled per language, and ``row.name`` on a plain dict
    (what the queries return) read as the key at once.

    Jinja tries ``getattr`` first and the key only after the ``AttributeError``; a list of 50
    rows reads some 1 500 such values per page, and the exception made each about twenty times
    as slow as the lookup. A plain ``dict`` has no attribute but its methods, so for any other
    name the answer is the same: the key, or undefined when it is missing.

    Its templates (:class:`AppTemplate`) escape what they write without making ``Markup``."""

    template_class = AppTemplate

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


@pass_eval_context
def _gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    """Jinja's "newstyle" ``gettext`` (the text translated, escaped where autoescape is on,
    always formatted with ``%``), taking only the evaluation context. Jinja's own takes the
    whole template context, which Jinja copies for every call inside a loop: in a list of 50
    rows those copies were a third of the page's rendering time."""
    text = i18n.gettext(string)
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704 - our own catalogue, as Jinja


@pass_eval_context
def _ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    """Jinja's "newstyle" ``ngettext`` (``num`` is also a variable), as :func:`_gettext`."""
    variables.setdefault("num", num)
    text = i18n.ngettext(singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704 - our own catalogue, as Jinja


def render_mail(env: Environment, template: str, context: dict[str, Any]) -> str:
    """Render a mail template (plain text; autoescape is off for ``.txt`` bodies)."""
    return env.get_template(template).render(**context)


def _date_field_text(value: Any) -> str:
    """What the date field macro shows: a date as ``dd.mm.åååå``, text as typed (an ISO date from
    a link as ``dd.mm.åååå``); see :mod:`core.dates`."""
    if isinstance(value, date):
        return dates.show_date(value)
    return dates.shown_date("" if value is None else str(value))
