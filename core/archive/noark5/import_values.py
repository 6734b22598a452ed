"""Reading values out of one arkivstruktur element: text, integers, dates, codes.

:class:`Node` wraps an lxml element with its Noark children grouped by local name. The value
methods turn a child's text into the Python value the tables want, and report what they had to
work around to the :class:`~core.archive.noark5.import_model.Warnings` (naming the line and the
element), or raise :class:`~core.archive.noark5.import_model.ImportRefused` where the record
makes no sense without the value.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from core.archive import kodelister
from core.archive.noark5 import NS
from core.archive.noark5.import_model import ImportRefused, Warnings
from core.timeutil import OSLO

_PREFIX = f"{{{NS}}}"
_PREFIX_LENGTH = len(_PREFIX)
_ANY = f"{{{NS}}}*"
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?")
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

NOT_GIVEN = "ikke angitt"
"""What the export writes where a mandatory text is empty (``export_xml.MANGLER``): read as ""."""

PLACEHOLDERS = frozenset({NOT_GIVEN, "ikke avsluttet", "null", "ukjent"})
"""Names that stand for «no value»: the export writes ``Ikke angitt`` where a mandatory name is
missing and ``Ikke avsluttet`` for the closer of an open case (``export_xml.MANGLER`` and
``IKKE_AVSLUTTET``); other systems write ``NULL``."""


def is_uuid(value: str) -> bool:
    return bool(_UUID.fullmatch(value))


def localname(tag: Any) -> str:
    """``{ns}name`` → ``name``; empty for comments and processing instructions."""
    if not isinstance(tag, str):
        return ""
    return tag[len(_PREFIX) :] if tag.startswith(_PREFIX) else ""


def xsi_type(element: Any) -> str:
    """The local part of ``xsi:type`` (``saksmappe``, ``journalpost``), or ""."""
    value = element.get("{http://www.w3.org/2001/XMLSchema-instance}type") or ""
    return str(value).rsplit(":", 1)[-1].strip()


@lru_cache(maxsize=4096)
def code_for(kodeliste: str, value: str) -> str | None:
    """:func:`core.archive.kodelister.code_for` of ``value`` with its whitespace collapsed,
    cached (called once per element; the cache is bounded, so a file full of distinct unknown
    values does not grow it)."""
    return kodelister.code_for(kodeliste, " ".join(value.split()))


@lru_cache(maxsize=8192)
def _name(value: str) -> str:
    """A name with its whitespace collapsed; "" for a placeholder (cached: names repeat)."""
    value = " ".join(value.split())
    return "" if value.casefold() in PLACEHOLDERS else value


def name_key(value: str) -> str:
    """How names are compared: case-insensitive, whitespace collapsed."""
    return " ".join(value.split()).casefold()


class Node:
    """One element (``label`` is how messages name it, e.g. ``journalpost``) and its children.

    The children are read once, in C as far as lxml allows (``iterchildren`` with the Noark
    namespace, so comments and foreign elements never reach Python): the first child of each
    name and its text go into two dicts, and names that repeat get a list (:meth:`all`).
    """

    __slots__ = ("_more", "element", "first", "label", "line", "values", "warnings")

    def __init__(self, element: Any, label: str, warnings: Warnings) -> None:
        self.element = element
        self.label = label
        self.line = int(element.sourceline or 0)
        self.warnings = warnings
        first: dict[str, Any] = {}
        values: dict[str, str | None] = {}
        more: dict[str, list[Any]] | None = None
        for child in element.iterchildren(_ANY):
            name = child.tag[_PREFIX_LENGTH:]
            if name in first:
                if more is None:
                    more = {}
                found = more.get(name)
                if found is None:
                    more[name] = [first[name], child]
                else:
                    found.append(child)
            else:
                first[name] = child
                values[name] = child.text
        self.first = first
        """Name → the first child of that name, in document order of first occurrence."""
        self.values = values
        self._more = more

    def all(self, name: str) -> list[Any]:
        """Every ``name`` child, in document order."""
        more = self._more
        if more is not None and name in more:
            return more[name]
        child = self.first.get(name)
        return [] if child is None else [child]

    # -- messages ------------------------------------------------------------------------

    def refuse(self, text: str, line: int | None = None) -> ImportRefused:
        return ImportRefused(f"Linje {line or self.line}: <{self.label}> {text}")

    def warn(self, text: str, *, line: int | None = None, key: str | None = None) -> None:
        self.warnings.add(line or self.line, f"<{self.label}> {text}", key)

    def line_of(self, name: str) -> int:
        found = self.first.get(name)
        return int(found.sourceline or self.line) if found is not None else self.line

    # -- text ----------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return bool(self.text(name))

    def text(self, name: str) -> str:
        """The first ``name`` child's text, whitespace-trimmed ("" when absent or empty)."""
        value = self.values.get(name)
        return value.strip() if value else ""

    def given(self, name: str) -> str:
        """A mandatory free text: as :meth:`text`, but «Ikke angitt» (what an export writes when
        it has no value) is ""."""
        value = self.values.get(name)
        if not value:
            return ""
        value = value.strip()
        return "" if value.casefold() == NOT_GIVEN else value

    def texts(self, name: str) -> list[str]:
        return [t for t in ((c.text or "").strip() for c in self.all(name)) if t]

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise self.refuse(f"mangler <{name}>.")
        return value

    def name(self, name: str) -> str:
        """A person or unit name; placeholders such as «Ikke angitt» count as no name."""
        value = self.values.get(name)
        return _name(value) if value else ""

    def fit(self, name: str, value: str, length: int) -> str:
        """``value`` cut to the column's ``length``, with a warning when it was longer."""
        if len(value) <= length:
            return value
        self.warn(
            f"<{name}> er lengre enn {length} tegn og ble kuttet.",
            line=self.line_of(name),
            key=f"fit:{self.label}:{name}",
        )
        return value[:length]

    # -- numbers -------------------------------------------------------------------------

    def integer(self, name: str) -> int | None:
        """An integer child (None when absent); a value that is not an integer refuses the file."""
        value = self.values.get(name)
        value = value.strip() if value else ""
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            raise self.refuse(
                f"har <{name}> «{value}», som ikke er et heltall.", self.line_of(name)
            ) from None

    def size(self, name: str) -> int:
        """filstoerrelse in bytes; «87 kB» and the like are read with a warning."""
        value = self.values.get(name)
        value = value.strip() if value else ""
        if not value:
            return 0
        if value.isdigit():
            return int(value)
        match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*([kKmMgG]?)i?[bB]", value)
        if match:
            number = float(match.group(1).replace(",", "."))
            factor = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3}[match.group(2).lower()]
            result = round(number * factor)
            self.warn(
                f"har <{name}> «{value}», ikke et antall byte; lagret som {result}.",
                line=self.line_of(name),
                key=f"size:{self.label}",
            )
            return result
        self.warn(
            f"har <{name}> «{value}», som ikke er et antall byte; lagret som 0.",
            line=self.line_of(name),
            key=f"size:{self.label}",
        )
        return 0

    # -- dates ---------------------------------------------------------------------------

    def day(self, name: str) -> date | None:
        """An ``xs:date`` child. A timestamp there gives its date (as written), with a warning."""
        value = self.values.get(name)
        value = value.strip() if value else ""
        if not value:
            return None
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:  # the usual form, parsed in C
                return date.fromisoformat(value)
            except ValueError:
                pass
        match = _DATE.fullmatch(value)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                pass
        else:
            stamp = _parse_datetime(value)
            if stamp is not None:
                self.warn(
                    f"har <{name}> «{value}» med klokkeslett, men feltet er en dato; bare datoen brukes.",
                    line=self.line_of(name),
                    key=f"date-with-time:{self.label}:{name}",
                )
                return stamp.date()
        self.warn(
            f"har <{name}> «{value}», som ikke er en gyldig dato; feltet ble stående tomt.",
            line=self.line_of(name),
            key=f"bad-date:{self.label}:{name}",
        )
        return None

    def stamp(self, name: str, *, date_allowed: bool = False) -> datetime | None:
        """An ``xs:dateTime`` child, as UTC. Without a zone it is Oslo time; a bare date is
        midnight Oslo time (allowed for mottattDato/sendtDato in v4.0, else with a warning)."""
        value = self.values.get(name)
        value = value.strip() if value else ""
        if not value:
            return None
        if len(value) > 18 and value[10] == "T":
            try:  # the usual form, parsed in C
                usual = datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                return usual if usual.tzinfo else usual.replace(tzinfo=OSLO).astimezone(UTC)
        match = _DATE.fullmatch(value)
        if match:
            try:
                day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                day = None
            if day is not None:
                if not date_allowed:
                    self.warn(
                        f"har <{name}> «{value}» uten klokkeslett; midnatt er brukt.",
                        line=self.line_of(name),
                        key=f"date-no-time:{self.label}:{name}",
                    )
                return datetime.combine(day, time(0), OSLO).astimezone(UTC)
        stamp = _parse_datetime(value)
        if stamp is None:
            self.warn(
                f"har <{name}> «{value}», som ikke er et gyldig tidspunkt; feltet ble stående tomt.",
                line=self.line_of(name),
                key=f"bad-datetime:{self.label}:{name}",
            )
            return None
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=OSLO).astimezone(UTC)

    # -- codes ---------------------------------------------------------------------------

    def code(
        self,
        name: str,
        kodeliste: str,
        *,
        fallback: str | None,
        synonyms: dict[str, str] | None = None,
        required: bool = False,
    ) -> str:
        """A code-list value given as name or code (case-insensitive) → the code.

        Unknown or missing: warn and use ``fallback``; with ``fallback=None`` refuse instead
        (the record means nothing without the value).
        """
        value = self.values.get(name)
        value = value.strip() if value else ""
        if not value:
            if fallback is None:
                raise self.refuse(f"mangler <{name}>.")
            if required:
                self.warn(
                    f"mangler <{name}>; brukte «{kodelister.name(kodeliste, fallback)}».",
                    key=f"missing-code:{self.label}:{name}",
                )
            return fallback
        code = code_for(kodeliste, value) or (synonyms or {}).get(name_key(value))
        if code is not None:
            return code
        if fallback is None:
            raise self.refuse(f"har ukjent <{name}> «{value}».", self.line_of(name))
        self.warn(
            f"har ukjent <{name}> «{value}»; brukte «{kodelister.name(kodeliste, fallback)}».",
            line=self.line_of(name),
            key=f"code:{self.label}:{name}:{value}",
        )
        return fallback


def _parse_datetime(value: str) -> datetime | None:
    text = _LONG_FRACTION.sub(r"\1", value.strip())
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
