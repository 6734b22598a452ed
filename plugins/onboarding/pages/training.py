"""What the training pages show: the signals from the records per handler (with the numbers
behind them), the units' cases without saksansvarlig, the follow-ups, and one follow-up with
what its viewer may do."""

from __future__ import annotations

from typing import Any

from core.archive.queries import signals
from core.archive.queries.people import people_by_id
from core.auth.user import User
from core.errors import Forbidden, NotFound
from core.i18n import _
from plugins.onboarding import queries
from plugins.onboarding.services import training
from plugins.onboarding.tables.training import AGREED, DONE, REGISTERED


def scope(user: User) -> list[int] | None:
    """Units whose handlers the user follows up: every unit for Fellestjenesten/Arkiv (None), the
    led units for a leader or deputy; Forbidden for others."""
    if user.is_archive:
        return None
    if user.led_unit_ids:
        return list(user.led_unit_ids)
    raise Forbidden(_("Bare Fellestjenesten/Arkiv og lederne kan følge opp opplæring."))


def state_labels() -> dict[str, str]:
    return {REGISTERED: _("Registrert"), AGREED: _("Avtalt"), DONE: _("Gjennomført")}


def signal_labels() -> dict[str, str]:
    return {
        "old_restanser": _("Mange restanser eldre enn tre måneder"),
        "bulk_write_off": _("Avskriver mye med TE/TO samme dag som posten kom"),
        "old_unsent": _("Utgående brev som ikke er ekspedert på over 14 dager"),
        "": _("Annet"),
    }


async def index_context(user: User) -> dict[str, Any]:
    units = scope(user)
    return {
        "handlers": await signals.handler_signals(units),
        "units": await signals.unit_signals(units),
        "follow_ups": await queries.follow_ups(units),
        "state_labels": state_labels(),
        "signal_labels": signal_labels(),
        "limits": {
            "old_restanser": signals.OLD_RESTANSER_MIN,
            "bulk": signals.BULK_WRITE_OFF_MIN,
            "window": signals.WINDOW_DAYS,
            "unsent": signals.UNSENT_DAYS,
        },
    }


async def card_context(user: User) -> dict[str, Any]:
    """The front-page card: how many handlers show the signal *old restanser* (one statement
    over the restanse spans' index, :func:`core.archive.queries.signals.old_restanse_handlers`:
    the other signals read write-offs and letters of months and stay on the page) and how many
    follow-ups are under way (registered or agreed), in the user's scope (:func:`scope`)."""
    units = scope(user)
    return {
        "old_restanser": await signals.old_restanse_handlers(units),
        "follow_ups": await queries.open_follow_ups(units),
        "limit": signals.OLD_RESTANSER_MIN,
    }


def suggested_text(signal: signals.HandlerSignals | None, key: str) -> str:
    """The observation prefilled from the numbers behind the signal."""
    if signal is None:
        return ""
    if key == "old_restanser":
        return _("%(n)s restanser er eldre enn tre måneder.") % {"n": signal.old_restanser}
    if key == "bulk_write_off":
        return _(
            "%(n)s inngående poster avskrevet med TE/TO samme dag som de kom, fordelt på %(days)s dager."
        ) % {
            "n": signal.bulk_write_offs,
            "days": signal.bulk_days,
        }
    if key == "old_unsent":
        return _("%(n)s utgående brev er ikke ekspedert etter mer enn 14 dager.") % {"n": signal.old_unsent}
    return ""


async def new_context(user: User, person_id: int, signal: str, **extra: Any) -> dict[str, Any]:
    if not await training.may_register(user, person_id):
        raise Forbidden(_("Bare Fellestjenesten/Arkiv og lederen kan registrere behov for opplæring."))
    found = next((s for s in await signals.handler_signals(scope(user)) if s.person_id == person_id), None)
    person = (await people_by_id([person_id])).get(person_id)
    if person is None:
        raise NotFound(_("Fant ingen aktiv saksbehandler med dette nummeret."))
    return {
        "person": person,
        "signal": signal if signal in training.SIGNALS else "",
        "signal_labels": signal_labels(),
        "observed": extra.pop("observed", None) or suggested_text(found, signal),
        "errors": extra.pop("errors", {}),
        **extra,
    }


async def follow_up_context(user: User, follow_up_id: int, **extra: Any) -> dict[str, Any]:
    row = await queries.follow_up(follow_up_id)
    if row is None:
        raise NotFound(_("Fant ingen oppfølging med dette nummeret."))
    may_act = True
    try:
        await training.acting_receiver(user, row)
    except Forbidden:
        may_act = False
    if not may_act and not await training.may_register(user, int(row["handler"])):
        raise Forbidden(_("Du kan ikke se denne oppfølgingen."))
    return {
        "row": row,
        "may_act": may_act,
        "state_labels": state_labels(),
        "signal_labels": signal_labels(),
        "errors": extra.pop("errors", {}),
        **extra,
    }
