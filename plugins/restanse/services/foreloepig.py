"""*Registrer foreløpig svar* and *Angre foreløpig svar* on one restanse.

Registering reads the form (the date, core's one date field; the answering post, optional) and
reports every problem at once (:class:`ValidationFailed`, the form keeps what was typed); core's
``mark_foreloepig_svar`` then checks the rules again (not in the future, not before the
journaldato, a post of the same case of the right type, not the post itself), the authority and
the version, and writes the hendelseslogg. Undoing goes through core's ``undo_foreloepig_svar``:
only the person who registered it, the same day.

Either answers with an :class:`~core.web.actions.Outcome`, so the route answers as every action
of *Egne restanser* does. A refusal because of the version (someone else was first) names who did
what (:func:`~plugins.restanse.services.write_off.conflict_message`); a refusal by a rule (another
day, another person, already registered) gives core's own sentence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from core.archive import services as archive
from core.archive.queries.recipients import recipient_state
from core.auth.user import User
from core.dates import date_into
from core.errors import Conflict, Forbidden, UserFacingError, ValidationFailed
from core.i18n import _
from core.settings import Settings
from core.validation import parse_id
from core.web.actions import Done, Outcome, Selected
from plugins.restanse.services.write_off import conflict_message, label_of, own_items, refused_message

DATE_FIELD = "dato"
POST_FIELD = "foreloepig_svar_journalpost_id"
"""The form's fields; core's errors use the same keys."""


def date_label() -> str:
    """The date field's label (its messages name it)."""
    return _("Dato for foreløpig svar")


def read_input(dato: str, post: str) -> tuple[date, int | None]:
    """The date (required) and the chosen post (optional) as typed; every problem at once."""
    errors: dict[str, str] = {}
    day = date_into(
        errors, DATE_FIELD, dato, date_label(), missing=_("Skriv datoen da det foreløpige svaret ble sendt.")
    )
    raw = post.strip()
    post_id = parse_id(raw) if raw else None
    if raw and post_id is None:
        errors[POST_FIELD] = _("Velg journalposten med det foreløpige svaret fra listen.")
    if errors or day is None:
        raise ValidationFailed(errors)
    return day, post_id


async def _act(
    outcome: Outcome,
    choice: Selected,
    item: dict[str, Any],
    action: Callable[[], Awaitable[None]],
    **extra: Any,
) -> None:
    """Run ``action`` for one restanse; :class:`ValidationFailed` goes to the form."""
    label = label_of(item, choice.id)
    try:
        await action()
    except ValidationFailed:
        raise
    except Conflict as exc:
        outcome.conflicts += 1
        state = await recipient_state(choice.id)
        if state is not None and state["version"] == choice.version:
            outcome.problems.append(f"{label}: {exc.detail}")  # nothing moved: the rule's own reason
        else:
            outcome.problems.append(await conflict_message(choice.id, item))
        return
    except UserFacingError as exc:
        if isinstance(exc, Forbidden):
            outcome.refused += 1
        outcome.problems.append(f"{label}: {exc.detail}")
        return
    outcome.done.append(Done(choice, item, label, extra=extra))


async def _item(user: User, choice: Selected, outcome: Outcome) -> dict[str, Any] | None:
    """The restanse when the user may act on it; else the outcome says why not."""
    items, refused = await own_items(user, [choice.id])
    if choice.id in refused:
        outcome.refuse(refused_message(choice.id))
        return None
    item = items.get(choice.id)
    if item is None:
        outcome.problems.append(_("%(post)s finnes ikke.") % {"post": label_of(None, choice.id)})
    return item


async def register(settings: Settings, user: User, choice: Selected, dato: str, post: str) -> Outcome:
    """Register the foreløpig svar of one restanse: ``dato`` and ``post`` as typed in the form.

    Raises :class:`ValidationFailed` (keys :data:`DATE_FIELD`, :data:`POST_FIELD`) for the form;
    otherwise the :class:`Outcome` says whether it was done (``extra``: ``dato``)."""
    day, post_id = read_input(dato, post)
    outcome = Outcome()
    item = await _item(user, choice, outcome)
    if item is None:
        return outcome

    async def act() -> None:
        await archive.mark_foreloepig_svar(
            settings,
            user,
            choice.id,
            version=choice.version,
            dato=day,
            foreloepig_svar_journalpost_id=post_id,
        )

    await _act(outcome, choice, item, act, dato=day)
    return outcome


async def undo(settings: Settings, user: User, choice: Selected) -> Outcome:
    """Undo the foreløpig svar of one restanse (only its registrant, the same day)."""
    outcome = Outcome()
    item = await _item(user, choice, outcome)
    if item is None:
        return outcome

    async def act() -> None:
        await archive.undo_foreloepig_svar(settings, user, choice.id, version=choice.version)

    await _act(outcome, choice, item, act)
    return outcome
