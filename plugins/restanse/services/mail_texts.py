"""The texts of the monthly restanse mails, after the customer's examples (without "ephorte").

A mail is a list of blocks: paragraphs (lines of text) and tables. :func:`render_text` writes
the plain text that is stored on the mail item, shown in the preview and sent; the HTML part is
made from that same text when the mail is sent (:func:`html_from_text`), so what the archive
service previewed is exactly what goes out, in both parts.

Plain-text tables use a fixed layout that :func:`parse_text` reads back::

    Restanser per enhet                          <- caption
    Enhet  Navn         13.11.2019  16.12.2019   <- header
    =====  ===========  ==========  ==========   <- column rule (gives the column spans)
    LMA    Landbruk            451         583
    =====  ===========  ==========  ==========
    Sum                       1200        1232   <- footer (after the second rule)

In HTML a table gets a caption, ``th scope="col"`` headers and ``th scope="row"`` for the first
cell of each row. The texts contain counts, names and unit names only: never a title, so
skjerming cannot leak through a mail.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from core.i18n import _, format_dato, ngettext

GAP = "  "
RULE = re.compile(r"^=+(?: +=+)*$")
URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    footer: tuple[tuple[str, ...], ...] = ()
    numeric: tuple[bool, ...] = field(default=())
    """Columns whose cells are right-aligned (counts)."""


Block = str | Table
"""A paragraph (lines separated by newlines) or a table."""


@dataclass(frozen=True)
class MailText:
    subject: str
    text: str


# --- rendering and parsing -----------------------------------------------------------------


def _cell(value: str) -> str:
    """A table cell on one line (names never hold newlines, but be safe)."""
    return " ".join(value.split())


def _table_text(table: Table) -> str:
    lines = [table.header, *table.rows, *table.footer]
    cells = [[_cell(c) for c in line] for line in lines]
    ncols = len(table.header)
    widths = [max(1, *(len(row[i]) for row in cells if i < len(row))) for i in range(ncols)]
    numeric = table.numeric or (False,) * ncols

    def fmt(row: list[str]) -> str:
        padded = [
            (row[i] if i < len(row) else "").rjust(widths[i])
            if numeric[i] and row is not cells[0]
            else (row[i] if i < len(row) else "").ljust(widths[i])
            for i in range(ncols)
        ]
        return GAP.join(padded).rstrip()

    rule = GAP.join("=" * w for w in widths)
    out = [_cell(table.caption), fmt(cells[0]), rule]
    out += [fmt(row) for row in cells[1 : 1 + len(table.rows)]]
    if table.footer:
        out.append(rule)
        out += [fmt(row) for row in cells[1 + len(table.rows) :]]
    return "\n".join(out)


def render_text(blocks: Iterable[Block]) -> str:
    return "\n\n".join(_table_text(b) if isinstance(b, Table) else b for b in blocks) + "\n"


def _spans(rule: str) -> list[int]:
    return [m.start() for m in re.finditer(r"=+", rule)]


def _split(line: str, starts: list[int]) -> tuple[str, ...]:
    ends = [*starts[1:], None]
    return tuple(line[s:e].strip() for s, e in zip(starts, ends, strict=True))


def _parse_table(lines: list[str]) -> Table:
    starts = _spans(lines[2])
    body: list[tuple[str, ...]] = []
    footer: list[tuple[str, ...]] = []
    target = body
    for line in lines[3:]:
        if RULE.match(line):
            target = footer
            continue
        target.append(_split(line, starts))
    numeric = tuple(
        bool(column) and all(c.isdigit() for c in column if c)
        for column in ([row[i] for row in body if row[i]] for i in range(len(starts)))
    )
    return Table(lines[0], _split(lines[1], starts), tuple(body), tuple(footer), numeric)


def parse_text(text: str) -> list[Block]:
    """The blocks of a text written by :func:`render_text`."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip("\n")):
        lines = chunk.split("\n")
        if len(lines) >= 3 and RULE.match(lines[2]):
            blocks.append(_parse_table(lines))
        else:
            blocks.append(chunk)
    return blocks


def _inline(text: str) -> str:
    """Escaped text with its web addresses as links."""
    out: list[str] = []
    last = 0
    for match in URL.finditer(text):
        url = match.group(0).rstrip(".,;:)»")
        end = match.start() + len(url)
        out.append(html.escape(text[last : match.start()]))
        out.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def _table_html(table: Table, *, for_mail: bool) -> str:
    numeric = table.numeric or (False,) * len(table.header)
    attrs = ' border="1" cellpadding="4" cellspacing="0"' if for_mail else ""

    def cells(row: Sequence[str], *, head: bool = False) -> str:
        parts = []
        for i, value in enumerate(row):
            align = ' align="right"' if for_mail and numeric[i] else ""
            css = ' class="num"' if not for_mail and numeric[i] else ""
            content = html.escape(value)
            if head:
                parts.append(f'<th scope="col"{align}{css}>{content}</th>')
            elif i == 0:
                parts.append(f'<th scope="row"{align}{css}>{content}</th>')
            else:
                parts.append(f"<td{align}{css}>{content}</td>")
        return "<tr>" + "".join(parts) + "</tr>"

    out = [f"<table{attrs}>", f"<caption>{html.escape(table.caption)}</caption>"]
    out.append("<thead>" + cells(table.header, head=True) + "</thead>")
    out.append("<tbody>" + "".join(cells(row) for row in table.rows) + "</tbody>")
    if table.footer:
        out.append("<tfoot>" + "".join(cells(row) for row in table.footer) + "</tfoot>")
    out.append("</table>")
    if not for_mail:  # on a page: a scrollable region, so narrow screens reflow (WCAG 1.4.10)
        label = html.escape(table.caption, quote=True)
        out = [f'<div class="table-wrap" role="region" aria-label="{label}" tabindex="0">', *out, "</div>"]
    return "\n".join(out)


def render_html_body(blocks: Iterable[Block], *, for_mail: bool = True) -> str:
    """The blocks as HTML (paragraphs and tables), without the document around them."""
    parts = []
    for block in blocks:
        if isinstance(block, Table):
            parts.append(_table_html(block, for_mail=for_mail))
        else:
            parts.append("<p>" + "<br>\n".join(_inline(line) for line in block.split("\n")) + "</p>")
    return "\n".join(parts)


def html_from_text(text: str, *, subject: str, language: str = "nb") -> str:
    """The HTML part of a mail: a small accessible document with the same content as ``text``."""
    lang = "nn" if language == "nn" else "nb"
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(subject)}</title>\n</head>\n<body>\n"
        f"{render_html_body(parse_text(text))}\n</body>\n</html>\n"
    )


# --- the two mails -------------------------------------------------------------------------


def short_date(day: date) -> str:
    """The deadline as in the customer's text: ``dd.mm.åå``."""
    return format_dato(day, "dd.MM.yy")


def long_date(day: date) -> str:
    return format_dato(day, "dd.MM.yyyy")


def contacts_text(names: Sequence[str]) -> str:
    """``A``, ``A eller B``, ``A, B eller C``."""
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s eller %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _signature() -> str:
    return _("Hilsen") + "\n" + _("Fellestjenesten/Arkiv")


def _contact(contacts: Sequence[str], *, leader: bool) -> str:
    if leader:
        if contacts:
            return _(
                "Ta gjerne kontakt med %(contacts)s på Arkiv hvis noen trenger opplæring i dette. "
                "Restansene følges opp regelmessig, for å holde tallet på restanser lavest mulig."
            ) % {"contacts": contacts_text(contacts)}
        return _(
            "Ta gjerne kontakt med Arkiv hvis noen trenger opplæring i dette. "
            "Restansene følges opp regelmessig, for å holde tallet på restanser lavest mulig."
        )
    if contacts:
        return _(
            "Ta kontakt med %(contacts)s på Arkiv hvis noe er uklart, eller hvis du trenger opplæring."
        ) % {"contacts": contacts_text(contacts)}
    return _("Ta kontakt med Arkiv hvis noe er uklart, eller hvis du trenger opplæring.")


@dataclass(frozen=True)
class Common:
    """What every mail of a run shares."""

    rapportdato: date
    sammenligningsdato: date
    frist: date
    terskel: int
    base_url: str
    contacts: tuple[str, ...]

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


def handler_mail(common: Common, name: str, count: int) -> MailText:
    """To a handler with ``count`` (≥ the threshold) restanser on the report date."""
    frist = short_date(common.frist)
    subject = ngettext(
        "Du har %(num)s restanse – avskriv innen %(frist)s",
        "Du har %(num)s restanser – avskriv innen %(frist)s",
        count,
    ) % {"num": count, "frist": frist}
    blocks: list[Block] = [
        _("Hei, %(name)s!") % {"name": name},
        ngettext(
            "Vi prøver å få ned antallet restanser. Per %(dato)s har du %(num)s restanse, og alle som "
            "har %(terskel)s eller flere restanser, får denne e-posten.",
            "Vi prøver å få ned antallet restanser. Per %(dato)s har du %(num)s restanser, og alle som "
            "har %(terskel)s eller flere restanser, får denne e-posten.",
            count,
        )
        % {"dato": long_date(common.rapportdato), "num": count, "terskel": common.terskel},
        _("Avskriv de du kan av disse snarest, og senest innen %(frist)s.") % {"frist": frist},
        _("Du finner restansene dine under Egne restanser:") + "\n" + common.url("/restanse"),
        _("Oppskrift på avskriving av restanser som ikke skal besvares med utgående brev:")
        + "\n"
        + common.url("/restanse/veiledning"),
        _contact(common.contacts, leader=False),
        _signature(),
    ]
    return MailText(subject, render_text(blocks))


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    code: str
    name: str
    before: int
    now: int


@dataclass(frozen=True)
class HandlerRow:
    person_id: int | None
    name: str
    before: int
    now: int
    own_mail: bool


def units_table(common: Common, units: Sequence[UnitRow], own: frozenset[int]) -> Table:
    note = _("din enhet")
    return Table(
        caption=_("Restanser per enhet"),
        header=(
            _("Enhet"),
            _("Navn"),
            long_date(common.sammenligningsdato),
            long_date(common.rapportdato),
            _("Merknad"),
        ),
        rows=tuple(
            (u.code, u.name, str(u.before), str(u.now), note if u.unit_id in own else "") for u in units
        ),
        footer=((_("Sum"), "", str(sum(u.before for u in units)), str(sum(u.now for u in units)), ""),),
        numeric=(False, False, True, True, False),
    )


def handlers_table(common: Common, unit_label: str, handlers: Sequence[HandlerRow]) -> Table:
    note = _("får egen e-post")
    return Table(
        caption=_("Saksbehandlere i %(unit)s") % {"unit": unit_label},
        header=(
            _("Saksbehandler"),
            long_date(common.sammenligningsdato),
            long_date(common.rapportdato),
            _("Merknad"),
        ),
        rows=tuple(
            (
                h.name if h.person_id is not None else _("(uten saksbehandler)"),
                str(h.before),
                str(h.now),
                note if h.own_mail else "",
            )
            for h in handlers
        ),
        footer=((_("Sum"), str(sum(h.before for h in handlers)), str(sum(h.now for h in handlers)), ""),),
        numeric=(False, True, True, False),
    )


def leader_mail(
    common: Common,
    name: str,
    units: Sequence[UnitRow],
    own_units: Sequence[tuple[int, str]],
    handlers: dict[int, list[HandlerRow]],
) -> MailText:
    """To a unit leader: the whole municipality's table with the leader's units marked, then
    the handlers of each of the leader's units (``own_units``: unit id and label)."""
    frist = short_date(common.frist)
    subject = _("Restanser per enhet %(dato)s – avskriv innen %(frist)s") % {
        "dato": long_date(common.rapportdato),
        "frist": frist,
    }
    own = frozenset(unit_id for unit_id, _label in own_units)
    blocks: list[Block] = [
        _("Hei, %(name)s!") % {"name": name},
        _(
            "Nedenfor følger en oversikt over restanser per enhet per %(dato)s, sammenlignet med "
            "%(sammenligning)s."
        )
        % {"dato": long_date(common.rapportdato), "sammenligning": long_date(common.sammenligningsdato)}
        + " "
        + ngettext(
            "Enheten du er leder for, er merket med «din enhet».",
            "Enhetene du er leder for, er merket med «din enhet».",
            len(own),
        ),
        _("Fordelingen per saksbehandler finner du under Restanser i egen enhet:")
        + "\n"
        + common.url("/restanse/enhet"),
        _(
            "Alle saksbehandlere som har %(terskel)s eller flere restanser, får egen e-post. Det er "
            "ønskelig at alle restansene som kan avskrives, avskrives snarest, og senest innen %(frist)s."
        )
        % {"terskel": common.terskel, "frist": frist},
        _contact(common.contacts, leader=True),
        _("Oppskrift på enkel avskriving av restanser:") + "\n" + common.url("/restanse/veiledning"),
        units_table(common, units, own),
    ]
    for unit_id, label in own_units:
        rows = handlers.get(unit_id, [])
        if rows:
            blocks.append(handlers_table(common, label, rows))
        else:
            blocks.append(
                _("%(unit)s har ingen restanser per %(dato)s.")
                % {"unit": label, "dato": long_date(common.rapportdato)}
            )
    blocks.append(_signature())
    return MailText(subject, render_text(blocks))
