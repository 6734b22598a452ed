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
  the catalogue is our own text). A text with values is written out as well when its only
  directives are ``%(name)s`` and ``%%`` (each name given, none used twice): on its own in
  ``{{ }}``, ``{{ _("Velg %(post)s", post=row.nummer) }}`` becomes the template data ``Velg ``
  and ``{{ (row.nummer) }}``; inside an expression it becomes the literal parts (marked safe)
  and the values joined with ``~``. Either way each value is escaped as any other value is,
  with no call and no ``Markup %`` at render time (Fordeling's queue had up to four a row).
  ``ngettext("…", "…", n, name=value)`` becomes ``{% if (n) == 1 %}…{% else %}…{% endif %}``
  (in an expression ``… if (n) == 1 else …``) where the catalogue's plural is ``n != 1``
  (bokmål and nynorsk), ``num`` being ``n`` unless given. A value's expression is evaluated
  where its text uses it: twice for ``n`` as the test and ``%(num)s``, not at all in a form
  without it (a template's expressions have no side effects). Anything else (``%d``, a name
  used twice) becomes a call of a global that only formats the text translated at compile
  time; ``x._(…)``, ``_(variable)`` and ``{% trans %}`` are left as they are. Strings
  extracted by ``make i18n`` come from the files, so nothing changes there.

The output is the same as calling ``_`` at render time (``tests/core/test_template_translation.py``
renders every template both ways).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from babel.support import NullTranslations
from jinja2 import BaseLoader, Environment, Template
from jinja2.ext import Extension
from jinja2.lexer import (
    TOKEN_ASSIGN,
    TOKEN_BLOCK_BEGIN,
    TOKEN_BLOCK_END,
    TOKEN_COMMA,
    TOKEN_DATA,
    TOKEN_DOT,
    TOKEN_EQ,
    TOKEN_INTEGER,
    TOKEN_LBRACE,
    TOKEN_LBRACKET,
    TOKEN_LPAREN,
    TOKEN_MUL,
    TOKEN_NAME,
    TOKEN_PIPE,
    TOKEN_POW,
    TOKEN_RBRACE,
    TOKEN_RBRACKET,
    TOKEN_RPAREN,
    TOKEN_STRING,
    TOKEN_TILDE,
    TOKEN_VARIABLE_BEGIN,
    TOKEN_VARIABLE_END,
    Token,
    TokenStream,
)
from markupsafe import Markup

from core import i18n

SEPARATOR = ":"
TRANSLATING_NAMES = frozenset({"_", "gettext"})
PLURAL_NAMES = frozenset({"ngettext"})
CALL_NAMES = TRANSLATING_NAMES | PLURAL_NAMES
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
        autoescape = self.environment.autoescape
        escaped = bool(autoescape(stream.name) if callable(autoescape) else autoescape)
        return iter(list(_Rewriter(i18n.translations(language), escaped).rewrite(tokens)))


@dataclass(frozen=True)
class _Call:
    """``_("…", name=value)`` or ``ngettext("…", "…", n, name=value)`` read from the tokens:
    the literal texts, the other positional arguments and the keyword arguments (their tokens),
    and the index of the closing parenthesis. ``None`` from :func:`_read_call` for anything else
    (``*args``, a text that is not one literal, …)."""

    texts: tuple[str, ...]
    positional: tuple[list[Token], ...]
    keywords: dict[str, list[Token]]
    end: int


_OPENING = frozenset({TOKEN_LPAREN, TOKEN_LBRACKET, TOKEN_LBRACE})
_CLOSING = frozenset({TOKEN_RPAREN, TOKEN_RBRACKET, TOKEN_RBRACE})


def _read_call(tokens: list[Token], i: int) -> _Call | None:
    """The call whose name is ``tokens[i]`` (followed by ``(``)."""
    arguments: list[list[Token]] = [[]]
    depth = 0
    j = i + 2
    while j < len(tokens):
        token = tokens[j]
        if token.type in _CLOSING:
            if depth == 0:
                break
            depth -= 1
        elif token.type in _OPENING:
            depth += 1
        elif token.type == TOKEN_COMMA and depth == 0:
            arguments.append([])
            j += 1
            continue
        arguments[-1].append(token)
        j += 1
    else:
        return None
    if tokens[j].type != TOKEN_RPAREN:
        return None
    if not arguments[-1]:  # a trailing comma
        arguments.pop()
    texts: list[str] = []
    positional: list[list[Token]] = []
    keywords: dict[str, list[Token]] = {}
    for argument in arguments:
        if not argument:
            return None
        if len(argument) > 2 and argument[0].type == TOKEN_NAME and argument[1].type == TOKEN_ASSIGN:
            if argument[0].value in keywords:
                return None
            keywords[argument[0].value] = argument[2:]
        elif keywords or argument[0].type in (TOKEN_MUL, TOKEN_POW):
            return None
        elif len(argument) == 1 and argument[0].type == TOKEN_STRING and not positional:
            texts.append(argument[0].value)
        else:
            positional.append(argument)
    return _Call(tuple(texts), tuple(positional), keywords, j)


_DIRECTIVE = re.compile(r"%(?:\((?P<name>\w+)\)s|(?P<percent>%))?")


def _pieces(text: str, variables: Iterable[str]) -> list[str | tuple[str]] | None:
    """``text % variables`` as literal texts and ``(name,)`` for each value, or ``None`` when the
    text has another directive than ``%(name)s`` and ``%%``, names a variable it is not given,
    or names one twice (its expression would be evaluated twice)."""
    pieces: list[str | tuple[str]] = []
    literal: list[str] = []
    used: set[str] = set()
    position = 0
    for match in _DIRECTIVE.finditer(text):
        literal.append(text[position : match.start()])
        position = match.end()
        name = match.group("name")
        if match.group("percent"):
            literal.append("%")
        elif name is None or name not in variables or name in used:
            return None
        else:
            used.add(name)
            pieces += ["".join(literal), (name,)]
            literal = []
    pieces.append("".join([*literal, text[position:]]))
    return [piece for piece in pieces if piece != ""]


def _as_output(
    pieces: list[str | tuple[str]], variables: dict[str, list[Token]], line: int
) -> Iterator[Token]:
    """The pieces as template data and ``{{ (value) }}``: what ``{{ _("…", name=value) }}``
    writes, with no call (the text is ours and already safe; each value is escaped like any
    other ``{{ }}``)."""
    for piece in pieces:
        if isinstance(piece, str):
            yield Token(line, TOKEN_DATA, piece)
        else:
            yield Token(line, TOKEN_VARIABLE_BEGIN, "{{")
            yield Token(line, TOKEN_LPAREN, "(")
            yield from variables[piece[0]]
            yield Token(line, TOKEN_RPAREN, ")")
            yield Token(line, TOKEN_VARIABLE_END, "}}")


def _as_expression(
    pieces: list[str | tuple[str]], variables: dict[str, list[Token]], line: int, escaped: bool
) -> Iterator[Token]:
    """The pieces joined with ``~``, inside an expression. The first piece is always a literal
    (if need be an empty one), marked safe where autoescape is on: so the join is Markup and
    escapes each value, as ``Markup(text) % values`` did, and in plain text it is a ``str``."""
    if not pieces or not isinstance(pieces[0], str):
        pieces = ["", *pieces]
    yield Token(line, TOKEN_LPAREN, "(")
    for n, piece in enumerate(pieces):
        if n:
            yield Token(line, TOKEN_TILDE, "~")
        if isinstance(piece, str):
            yield Token(line, TOKEN_STRING, piece)
            if escaped:
                yield Token(line, TOKEN_PIPE, "|")
                yield Token(line, TOKEN_NAME, "safe")
        else:
            yield Token(line, TOKEN_LPAREN, "(")
            yield from variables[piece[0]]
            yield Token(line, TOKEN_RPAREN, ")")
    yield Token(line, TOKEN_RPAREN, ")")


def _block(line: int, *words: str) -> Iterator[Token]:
    yield Token(line, TOKEN_BLOCK_BEGIN, "{%")
    for word in words:
        yield Token(line, TOKEN_NAME, word)
    yield Token(line, TOKEN_BLOCK_END, "%}")


class _Rewriter:
    def __init__(self, translations: NullTranslations, escaped: bool) -> None:
        self.translations = translations
        self.escaped = escaped
        self.plural_is_n_not_one = _plural_is_n_not_one(translations)

    def rewrite(self, tokens: list[Token]) -> Iterator[Token]:
        i = 0
        while i < len(tokens):
            token = tokens[i]
            # {{ _("…", name=value) }} on its own: template data and the values.
            if token.type == TOKEN_VARIABLE_BEGIN and self._is_call(tokens, i + 1):
                call = _read_call(tokens, i + 1)
                if call and call.end + 1 < len(tokens) and tokens[call.end + 1].type == TOKEN_VARIABLE_END:
                    written = self._written(tokens[i + 1], call, output=True)
                    if written is not None:
                        yield from written
                        i = call.end + 2
                        continue
            if self._is_call(tokens, i):
                call = _read_call(tokens, i)
                written = self._written(token, call, output=False) if call else None
                if written is not None:
                    yield from written
                    assert call is not None
                    i = call.end + 1
                    continue
                if call and token.value in TRANSLATING_NAMES and len(call.texts) == 1 and not call.positional:
                    # A text this cannot write out (another % directive): formatted at render time.
                    yield Token(token.lineno, TOKEN_NAME, FORMAT_MARKUP if self.escaped else FORMAT_TEXT)
                    yield tokens[i + 1]
                    yield Token(token.lineno, TOKEN_STRING, self.translations.ugettext(call.texts[0]))
                    i += 3
                    continue
            yield token
            i += 1

    @staticmethod
    def _is_call(tokens: list[Token], i: int) -> bool:
        return (
            i + 1 < len(tokens)
            and tokens[i].type == TOKEN_NAME
            and tokens[i].value in CALL_NAMES
            and (i == 0 or tokens[i - 1].type != TOKEN_DOT)
            and tokens[i + 1].type == TOKEN_LPAREN
        )

    def _written(self, name: Token, call: _Call, *, output: bool) -> list[Token] | None:
        """The tokens that replace the call (``output``: with the ``{{ }}`` around it), or
        ``None`` to leave it as it is."""
        line = name.lineno
        variables = {key: list(self.rewrite(value)) for key, value in call.keywords.items()}
        if name.value in TRANSLATING_NAMES:
            if len(call.texts) != 1 or call.positional:
                return None
            pieces = _pieces(self.translations.ugettext(call.texts[0]), variables)
            if pieces is None:
                return None
            if output:
                return list(_as_output(pieces, variables, line))
            return list(_as_expression(pieces, variables, line, self.escaped))
        # ngettext("…", "…", n, name=value) in a language whose plural is n != 1.
        if len(call.texts) != 2 or len(call.positional) != 1 or not self.plural_is_n_not_one:
            return None
        number = list(self.rewrite(call.positional[0]))
        variables.setdefault("num", number)
        forms = [self.translations.ungettext(*call.texts, n) for n in (1, 2)]
        one, other = (_pieces(form, variables) for form in forms)
        if one is None or other is None:
            return None
        if len(number) == 1 and number[0].type == TOKEN_INTEGER:  # ngettext(…, 2, num="#")
            form = one if int(number[0].value) == 1 else other
            if output:
                return list(_as_output(form, variables, line))
            return list(_as_expression(form, variables, line, self.escaped))
        test = [
            Token(line, TOKEN_LPAREN, "("),
            *number,
            Token(line, TOKEN_RPAREN, ")"),
            Token(line, TOKEN_EQ, "=="),
            Token(line, TOKEN_INTEGER, 1),  # type: ignore[arg-type]  # the lexer gives ints
        ]
        if output:
            return [
                Token(line, TOKEN_BLOCK_BEGIN, "{%"),
                Token(line, TOKEN_NAME, "if"),
                *test,
                Token(line, TOKEN_BLOCK_END, "%}"),
                *_as_output(one, variables, line),
                *_block(line, "else"),
                *_as_output(other, variables, line),
                *_block(line, "endif"),
            ]
        return [
            Token(line, TOKEN_LPAREN, "("),
            *_as_expression(one, variables, line, self.escaped),
            Token(line, TOKEN_NAME, "if"),
            *test,
            Token(line, TOKEN_NAME, "else"),
            *_as_expression(other, variables, line, self.escaped),
            Token(line, TOKEN_RPAREN, ")"),
        ]


def _plural_is_n_not_one(translations: NullTranslations) -> bool:
    """Whether the catalogue picks the first form exactly when ``n == 1`` (bokmål and nynorsk:
    ``plural=(n != 1)``, also gettext's rule for a message it does not have)."""
    forms = translations.info().get("plural-forms")
    return forms is None or " ".join(forms.split()) in {
        "nplurals=2; plural=(n != 1);",
        "nplurals=2; plural=(n != 1)",
    }


def _format_markup(text: str, /, **variables: Any) -> Markup:
    """``_("…", name=value)`` where autoescape is on: the values escaped into our text."""
    return Markup(text) % variables  # noqa: S704 - our own catalogue, as ``_`` did


def _format_text(text: str, /, **variables: Any) -> str:
    """``_("…", name=value)`` in a plain-text template (mail bodies)."""
    return text % variables
