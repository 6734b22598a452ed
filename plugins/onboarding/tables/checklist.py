"""The leaver's checklist: an *avgang* may be completed with open lines only with a reason.

:class:`ChecklistOverride` records that reason (who, on whose behalf, when, and the open
lines at that moment); it is also in the hendelseslogg (``onboarding.checklist_override``).
"""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Serial, Text, Timestamptz
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.tables import Person


class ChecklistOverride(Table, tablename="onboarding_checklist_override"):
    """A recorded reason to complete a person's avgang although the checklist has open lines."""

    id: Serial
    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    reason = Text()
    open_lines = JSON(default="[]")
    """The open lines when the reason was given: ``[{"key", "label", "count"}]``."""
    recorded_by = ForeignKey(Person, on_delete=OnDelete.restrict)
    on_behalf_of = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz()


CHECKLIST_TABLES: list[type[Table]] = [ChecklistOverride]
