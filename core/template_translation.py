"""Templates translated when they are compiled, once per language.

A list of 50 rows called ``_("…")`` some 750 times per page (every column's ``data-label``,
every status word), and each call went through Jinja's call machinery, the catalogue and a
``Markup % {}``: a quarter of the page's rendering time. Here the environment keeps one
compiled copy of each template per language, and the compiler writes the translated text of
every ``_("literal")`` straight into the template, as if it had been typed there.

- :class:`LanguageEnvironment` names each template ``<language>:<name>`` (the language of the
  request or mail, :func:`core.i18n.current_language`, when the template is looked up), and a
  template it includes, imports or extends gets the same language (``join_path``). Jinja caches
  compiled templates by name, so each language has its own.
- :class:`LanguageLoader` strips the language again before it asks the real loader.
- :class:`CompiledTranslations` rewrites the token stream: ``_("literal")`` (or ``gettext``)
  becomes the translated literal, marked safe where autoescape is on (what ``_`` returned:
  the catalogue is our own text); ``_("literal", name=value)`` becomes a call of a global that
  only formats the text translated at compile time. A text with ``%`` in it keeps the call, so
  ``%%`` is still formatted as before; ``x._(…)``, ``ngettext`` and ``{% trans %}`` are left as
  they are. Strings extracted by ``make i18n`` come from the files, so nothing changes there.

The output is the same as calling ``_`` at render time (``tests/core/test_template_translation.py``
renders every template both ways).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any

from jinja2 import BaseLoader, Environment, Template
from jinja2.ext import Extension
from jinja2.lexer import (
    TOKEN_COMMA,
    TOKEN_DOT,
    TOKEN_LPAREN,
    TOKEN_NAME,
    TOKEN_PIPE,
    TOKEN_RPAREN,
    TOKEN_STRING,
    Token,
    TokenStream,
)
from markupsafe import Markup

from core import i18n

SEPARATOR = ":"
TRANSLATING_NAMES = frozenset({"_", "gettext"})
FORMAT_MARKUP = "_translated"
FORMAT_TEXT = "_translated_text"


def split_name(name: str | None) -> tuple[str | None, str | None]:
    """``("nn", "restanse/index.html")`` for ``"nn:restanse/index.html"``; ``(None, name)``
    for a name without a language."""
    if name is None:
        return None, None
    language, separator, rest = name.partition(SEPARATOR)
    if separator and language in i18n.LANGUAGE_NAMES:
        return language, rest
    return None, name


def with_language(name: str, language: str) -> str:
    return name if split_name(name)[0] else f"{language}{SEPARATOR}{name}"


class LanguageLoader(BaseLoader):
    """Hands ``<language>:<name>`` to ``inner`` as ``<name>``."""

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        return self.inner.get_source(environment, split_name(template)[1] or template)

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


class LanguageEnvironment(Environment):
    """An environment whose templates are compiled once per language (see the module)."""

    def get_template(
        self,
        name: str | Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        if isinstance(name, str) and parent is None:
            name = with_language(name, i18n.current_language())
        return super().get_template(name, parent, globals)

    def select_template(
        self,
        names: Iterable[str | Template],
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        if parent is None:
            language = i18n.current_language()
            names = [with_language(n, language) if isinstance(n, str) else n for n in names]
        return super().select_template(names, parent, globals)

    def join_path(self, template: str, parent: str) -> str:
        language = split_name(parent)[0]
        return with_language(template, language) if language else template


class CompiledTranslations(Extension):
    """Writes the translation of each ``_("literal")`` into the template (see the module)."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals[FORMAT_MARKUP] = _format_markup
        environment.globals[FORMAT_TEXT] = _format_text

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        language = split_name(stream.name)[0]
        tokens = list(stream)
        if language is None:
            return iter(tokens)
        translate = i18n.translations(language).ugettext
        autoescape = self.environment.autoescape
        escaped = bool(autoescape(stream.name) if callable(autoescape) else autoescape)
        return iter(list(_rewrite(tokens, translate, escaped)))


def _rewrite(tokens: list[Token], translate: Callable[[str], str], escaped: bool) -> Iterator[Token]:
    i = 0
    while i < len(tokens):
        token = tokens[i]
        after = [t.type for t in tokens[i + 1 : i + 4]]
        if (
            token.type == TOKEN_NAME
            and token.value in TRANSLATING_NAMES
            and (i == 0 or tokens[i - 1].type != TOKEN_DOT)
            and after[:2] == [TOKEN_LPAREN, TOKEN_STRING]
            and len(after) == 3
        ):
            message = tokens[i + 2].value
            text = translate(message)
            line = token.lineno
            if after[2] == TOKEN_RPAREN and "%" not in message and "%" not in text:
                yield Token(line, TOKEN_STRING, text)
                if escaped:
                    yield Token(line, TOKEN_PIPE, "|")
                    yield Token(line, TOKEN_NAME, "safe")
                i += 4
                continue
            if after[2] == TOKEN_COMMA:
                yield Token(line, TOKEN_NAME, FORMAT_MARKUP if escaped else FORMAT_TEXT)
                yield tokens[i + 1]
                yield Token(line, TOKEN_STRING, text)
                i += 3
                continue
        yield token
        i += 1


def _format_markup(text: str, /, **variables: Any) -> Markup:
    """``_("…", name=value)`` where autoescape is on: the values escaped into our text."""
    return Markup(text) % variables  # noqa: S704 - our own catalogue, as ``_`` did


def _format_text(text: str, /, **variables: Any) -> str:
    """``_("…", name=value)`` in a plain-text template (mail bodies)."""
    return text % variables
