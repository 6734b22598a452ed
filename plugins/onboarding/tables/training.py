"""Training follow-up (*opplæring og veiledning*): Fellestjenesten or the leader registers a
need for a handler, with what was observed; the other party (the handler's acting leader, or
role ``arkiv``) gets a core task, agrees a date, and closes it with what was done.

:class:`TrainingFollowUp` states: ``registered`` → ``agreed`` (a date is agreed) → ``done``.
"""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.tables import Person, Unit

REGISTERED = "registered"
AGREED = "agreed"
DONE = "done"


class TrainingFollowUp(Table, tablename="onboarding_training"):
    """One need for training or guidance for one handler."""

    id: Serial
    handler = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    unit = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict)
    signal = Varchar(length=40, default="")
    """The signal it started from (``old_restanser``, ``bulk_write_off``, ``old_unsent``), or ""."""
    observed = Text()
    registered_by = ForeignKey(Person, on_delete=OnDelete.restrict)
    registered_at = Timestamptz()
    task = Integer(null=True, default=None)
    """The core task of the other party."""
    state = Varchar(length=10, default=REGISTERED, index=True)
    agreed_date = Date(null=True, default=None)
    agreed_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    done_text = Text(default="")
    done_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    done_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


TRAINING_TABLES: list[type[Table]] = [TrainingFollowUp]
