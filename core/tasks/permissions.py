"""Who may act on a task, see it, withdraw it or give it to someone else.

The one rule for acting (:func:`may_act`): the person the task waits for (its receiver, or
whoever took a role task), any member of the receiving role while nobody has taken it, and the
registered deputy of a receiver who is a leader, only inside the registered absence period
(``User.authorities`` holds the deputyships that apply today, for the unit's current leader).
The deputy acts *on behalf of* the receiver, and the hendelseslogg says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.auth.user import User
from core.errors import Forbidden
from core.i18n import _


def holder(task: Mapping[str, Any]) -> int | None:
    """The person the task waits for: who took it, else its receiver person; None for a role
    task nobody has taken."""
    person = task["taken_by"] or task["receiver_person"]
    return int(person) if person is not None else None


def deputy_for(user: User, person_id: int) -> bool:
    """Whether ``user`` acts as deputy for ``person_id`` today (a registered absence)."""
    return any(authority.on_behalf_of == person_id for authority in user.authorities)


def may_act(user: User, task: Mapping[str, Any]) -> int | None:
    """May ``user`` take or complete ``task``? Returns the person acted for (a deputy acts on
    behalf of the receiver), or None when the user acts as themself; raises
    :class:`~core.errors.Forbidden` otherwise."""
    person = holder(task)
    if person is None:
        if task["receiver_role"] and user.has_role(task["receiver_role"]):
            return None
    elif person == user.person_id:
        return None
    elif deputy_for(user, person):
        return person
    raise Forbidden(
        _(
            "Du kan ikke behandle denne oppgaven. Bare mottakeren kan det, eller stedfortrederen "
            "i mottakerens registrerte fravær."
        )
    )


def may_see(user: User, task: Mapping[str, Any]) -> bool:
    """The sender, the receiver (person or role member), whoever took or completed it, the
    receiver's deputy today, and Fellestjenesten/Arkiv."""
    if user.is_archive or user.person_id in (
        task["sender"],
        task["receiver_person"],
        task["taken_by"],
        task["done_by"],
    ):
        return True
    if task["receiver_role"] and user.has_role(task["receiver_role"]):
        return True
    person = holder(task)
    return person is not None and deputy_for(user, person)


def require_withdrawer(user: User, task: Mapping[str, Any]) -> None:
    """The sender, or Fellestjenesten/Arkiv."""
    if task["sender"] != user.person_id and not user.is_archive:
        raise Forbidden(_("Bare avsenderen eller Fellestjenesten/Arkiv kan trekke tilbake oppgaven."))


def require_reassigner(user: User) -> None:
    """Fellestjenesten/Arkiv gives a task to someone else (an approver who left)."""
    if not user.is_archive:
        raise Forbidden(_("Bare Fellestjenesten/Arkiv kan gi en oppgave til en annen."))
