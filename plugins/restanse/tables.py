"""Tables owned by the restanse plugin (prefix ``restanse_``).

Restanse counts themselves are never stored as the truth: they are computed from the records
(journaldato and avskrivningsdato) for any date. What is stored is what people chose and what
was reported:

- :class:`Snapshot`: the counts per unit and handler on a report date, kept as the record of
  what the monthly report said and for trends;
- :class:`SavedCriteria`: a leader's report criteria for *Restanser i egen enhet*;
- :class:`MailRun` and :class:`MailItem`: a month's prepared and sent restanse mails (one run per
  month; one item per recipient and kind, so a second send of the same month sends nothing new).
"""

from __future__ import annotations

from piccolo.columns import JSON, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.tables import MailMessage, Person, Unit


class Snapshot(Table, tablename="restanse_snapshot"):
    """Restanser on ``dato`` for one unit and handler (``saksbehandler`` NULL: the unit's
    restanser without a handler). Unique per (dato, enhet, saksbehandler)."""

    id: Serial
    dato = Date(index=True)
    administrativ_enhet = ForeignKey(Unit, on_delete=OnDelete.restrict, index=True)
    saksbehandler = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    antall = Integer()
    registrert = Timestamptz()


class SavedCriteria(Table, tablename="restanse_saved_criteria"):
    """A person's saved criteria for a report (``rapport``: e.g. ``enhet``), as JSON."""

    id: Serial
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    rapport = Varchar(length=40)
    kriterier = JSON(default="{}")
    endret = Timestamptz()


class MailRun(Table, tablename="restanse_mail_run"):
    """The restanse mails of one month (``maaned`` ``YYYY-MM``): prepared as a draft, then sent."""

    id: Serial
    maaned = Varchar(length=7, unique=True)
    rapportdato = Date()
    sammenligningsdato = Date()
    terskel = Integer()
    frist = Date(null=True, default=None)
    status = Varchar(length=12, default="utkast", index=True)
    forberedt_av = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    forberedt = Timestamptz()
    sendt_av = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    sendt = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class MailItem(Table, tablename="restanse_mail_item"):
    """One mail of a run: to a handler at or over the threshold (``saksbehandler``) or to a unit
    leader (``leder``). Unique per (run, person, kind)."""

    id: Serial
    run = ForeignKey(MailRun, on_delete=OnDelete.cascade, index=True)
    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=20)
    antall = Integer(default=0)
    emne = Varchar(length=300, default="")
    tekst = Text(default="")
    melding = ForeignKey(MailMessage, null=True, on_delete=OnDelete.set_null)
    sendt = Timestamptz(null=True, default=None)


TABLES: list[type[Table]] = [Snapshot, SavedCriteria, MailRun, MailItem]
