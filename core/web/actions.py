"""The action kit: what every routine page does when a user acts on ticked rows.

1. **Take the ticked rows**: each checkbox's value is ``"<id>:<version>"`` (the row and the
   version the user saw), read with :meth:`Selected.parse_all`.
2. **Try the action per row** with :func:`attempt`, each row in its own transaction, so one
   row that someone else changed first does not undo the others. An :class:`Outcome` collects
   what was done and one message per row that was not: for a lost race the plugin's
   ``on_conflict`` says who won (:func:`core.archive.queries.history.last_change` tells who
   changed a record last); for a refusal the service's own sentence.
3. **Answer** with :func:`answer`: a plain form gets the messages as flash messages and a 303
   to the list; htmx gets the updated region, with the messages and the menu badge out of
   band (``templates/_oob.html``) and an ``HX-Trigger`` event that cards listen for.

Routes read other form values with :mod:`core.web.forms` and render with
:func:`core.web.pages.page_or_fragment`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Redirect, Response

from core.contributions import MenuLink
from core.errors import Conflict, Forbidden, UserFacingError, ValidationFailed
from core.i18n import _
from core.validation import parse_id
from core.web.flash import flash
from core.web.pages import AnyRequest, is_fragment_request

OOB_TEMPLATE = "_oob.html"
"""Included by a region's fragment when ``oob`` is set: the messages and the menu badge."""


@dataclass(frozen=True)
class Selected:
    """A ticked row: the record's id and the version the user saw (optimistic locking)."""

    id: int
    version: int

    @property
    def value(self) -> str:
        """The checkbox value that parses back to this selection."""
        return f"{self.id}:{self.version}"

    @classmethod
    def parse(cls, value: str) -> Selected | None:
        """``"12:3"`` → ``Selected(12, 3)``; None for anything else (ids as in
        :func:`core.validation.parse_id`; a version may be 0)."""
        raw_id, sep, raw_version = value.strip().partition(":")
        record_id = parse_id(raw_id)
        version = parse_id(raw_version) if raw_version != "0" else 0
        if not sep or record_id is None or version is None:
            return None
        return cls(record_id, version)

    @classmethod
    def parse_all(cls, values: Sequence[str], field_name: str = "valgt", message: str = "") -> list[Selected]:
        """Every ticked row, once each (the first version wins for a repeated id). One invalid
        value fails the form: :class:`ValidationFailed` on ``field_name`` with ``message``
        (default: "the selection is invalid, reload")."""
        seen: dict[int, Selected] = {}
        for value in values:
            selected = cls.parse(value)
            if selected is None:
                raise ValidationFailed({field_name: message or _("Valget er ugyldig. Last siden på nytt.")})
            seen.setdefault(selected.id, selected)
        return list(seen.values())


@dataclass(frozen=True)
class Done:
    """One row the action was done for: the selection, the row as the page knew it, its label
    for messages (e.g. the journal post's number) and, when it went somewhere, to whom."""

    selected: Selected
    item: dict[str, Any] | None
    label: str
    to: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """What happened to each selected row: the done ones, and one message per row that failed."""

    done: list[Done] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    conflicts: int = 0
    """Rows someone else changed first."""
    refused: int = 0
    """Rows the user may not act on."""

    @property
    def all_failed(self) -> bool:
        return not self.done and bool(self.problems)

    @property
    def status_code(self) -> int:
        """200 when anything was done; else 409 when someone else was first, 403 when every
        row was refused, 200 otherwise (the messages say why)."""
        if not self.all_failed:
            return 200
        if self.conflicts:
            return 409
        if self.refused == len(self.problems):
            return 403
        return 200

    def refuse(self, message: str) -> None:
        """Record a row the user may not act on (checked before trying)."""
        self.refused += 1
        self.problems.append(message)


async def attempt(
    outcome: Outcome,
    label: str,
    action: Callable[[], Awaitable[Any]],
    on_conflict: Callable[[], Awaitable[str]],
) -> bool:
    """Run one row's change. A :class:`Conflict` (someone else was first) adds the message
    from ``on_conflict``; any other user-facing refusal adds ``"<label>: <reason>"``. Returns
    whether the change was made; never raises a user-facing error, so the batch goes on."""
    try:
        await action()
    except Conflict:
        outcome.conflicts += 1
        outcome.problems.append(await on_conflict())
        return False
    except UserFacingError as exc:
        if isinstance(exc, Forbidden):
            outcome.refused += 1
        outcome.problems.append(f"{label}: {exc.detail}")
        return False
    return True


@dataclass(frozen=True)
class Message:
    """A message for the message area (``success``, ``info``, ``warning`` or ``error``)."""

    text: str
    category: str = "success"


def outcome_messages(outcome: Outcome, success: str) -> list[Message]:
    """The success line (when anything was done), then one error line per row that failed."""
    messages = [Message(success)] if outcome.done and success else []
    return messages + [Message(problem, "error") for problem in outcome.problems]


async def answer(
    request: AnyRequest,
    messages: Sequence[Message],
    *,
    redirect_to: str,
    fragment_template: str,
    context: dict[str, Any],
    badge: MenuLink | None = None,
    event: str = "",
    status_code: int = 200,
) -> Response[Any]:
    """Answer an action.

    * Plain form: flash each message, then 303 to ``redirect_to`` (the list as it was).
    * htmx: ``fragment_template`` with ``context``; the fragment includes ``_oob.html`` (set
      ``oob``), which swaps the messages into ``#meldinger`` and ``badge`` (the plugin's menu
      link, counted anew) into the menu; ``event`` goes out as ``HX-Trigger`` so cards and
      summaries refresh.
    """
    if is_fragment_request(request):
        headers = {"HX-Trigger": event} if event else {}
        return HTMXTemplate(
            template_name=fragment_template,
            context={**context, "messages": list(messages), "badge": badge, "oob": True},
            status_code=status_code,
            headers=headers,
        )
    for message in messages:
        flash(request, message.text, message.category)
    return Redirect(redirect_to, status_code=303)
