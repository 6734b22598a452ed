"""*Mottatte oppgaver*: the inbox, its front-page card, and taking a role task.

* ``GET /oppgaver``: the user's own open tasks, then (a section of its own) those of the
  leaders the user deputises for today; ``?oppgavetype=<kind>``, ``sorter=nyeste|eldste|frist``
  (without it, the sort the user chose last), ``side``, ``side_stedfortreder``. htmx gets the
  region (``_innboks.html``).
* ``POST /oppgaver/{id}/ta``: take a role task (htmx: the region again, with the messages and
  the menu badge out of band; a plain form: flash and 303 back to the list).
* ``GET /oppgaver/kort``: the card (refreshes on ``oppgaver-endret``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from core.errors import Conflict, Forbidden, NotFound
from core.i18n import _
from core.tasks import permissions, queries, services
from core.timeutil import today
from core.validation import parse_id
from core.web.actions import Done, Outcome, Selected, answer, attempt, outcome_messages
from core.web.forms import form_value
from core.web.list_preferences import open_list
from core.web.pages import AnyRequest, current_user, fragment, page_or_fragment, runtime
from core.web.tasks.common import CHANGED_EVENT, INBOX_URL, kinds_of, menu_link, template_context

CARD_ROWS = 3
LIST_KEY = "oppgaver.innboks"
"""*Mottatte oppgaver* in :mod:`core.web.list_preferences` (its sort is remembered)."""


def sort_labels() -> dict[str, str]:
    return {
        queries.SORT_NEWEST: _("Nyeste først"),
        queries.SORT_OLDEST: _("Eldste først"),
        queries.SORT_DUE: _("Frist"),
    }


@dataclass(frozen=True)
class InboxFilter:
    """The inbox's filter and order, from the query string (or the hidden fields of an action)."""

    kind: str = ""
    sort: str = queries.SORT_NEWEST

    @classmethod
    def of(cls, request: AnyRequest, kind: str | None, sort: str | None) -> InboxFilter:
        known = kinds_of(request)
        return cls(
            kind=kind if kind in known else "",
            sort=sort if sort in queries.SORTS else queries.SORT_NEWEST,
        )

    def params(self) -> dict[str, str]:
        """The non-default values, for links and hidden fields."""
        params = {"oppgavetype": self.kind} if self.kind else {}
        if self.sort != queries.SORT_NEWEST:
            params["sorter"] = self.sort
        return params

    def url(self, page: int | None = None) -> str:
        params = self.params()
        if page and page > 1:
            params["side"] = str(page)
        return f"{INBOX_URL}?{urlencode(params)}" if params else INBOX_URL


async def inbox_context(
    request: AnyRequest, filters: InboxFilter, page: int | None, deputy_page: int | None = None
) -> dict[str, Any]:
    user = current_user(request)
    deputy = None
    if queries.deputised_leaders(user):
        deputy = await queries.deputy_inbox(
            user, kind=filters.kind or None, sort=filters.sort, page=deputy_page
        )
    return {
        **template_context(request),
        "result": await queries.inbox(user, kind=filters.kind or None, sort=filters.sort, page=page),
        "deputy": deputy,
        "filters": filters,
        "filter_params": filters.params(),
        "query": urlencode(filters.params()),
        "sort_labels": sort_labels(),
    }


@get("/oppgaver", name="oppgaver:inbox")
async def inbox(
    request: AnyRequest,
    oppgavetype: FromQuery[str | None] = None,
    sorter: FromQuery[str | None] = None,
    side: FromQuery[int | None] = None,
    side_stedfortreder: FromQuery[int | None] = None,
) -> Template:
    view = await open_list(current_user(request), LIST_KEY, sorter, queries.SORTS, queries.SORT_NEWEST)
    filters = InboxFilter.of(request, oppgavetype, view.sort)
    context = await inbox_context(request, filters, side, side_stedfortreder)
    return await page_or_fragment(request, "oppgaver/innboks.html", "oppgaver/_innboks.html", **context)


@get("/oppgaver/kort", name="oppgaver:card")
async def card(request: AnyRequest, oppgavetype: FromQuery[str | None] = None) -> Template:
    """The front-page card: how many tasks wait, and the newest few. With ``?oppgavetype=<kind>``
    (a plugin's card for one role, e.g. a leader's approvals): the open tasks of that kind the
    user may act on, their own and, as deputy today, their leaders', how many are past their
    frist, and the earliest frist first; linked to the inbox filtered the same way (the same
    tasks, own and "Som stedfortreder"). One statement (:func:`core.tasks.queries.kind_summary`)."""
    user = current_user(request)
    filters = InboxFilter.of(request, oppgavetype, queries.SORT_DUE)
    if filters.kind:
        found = await queries.kind_summary(user, filters.kind, today(), CARD_ROWS)
        return fragment(
            "oppgaver/_kort_type.html",
            summary=found,
            newest=found.first,
            kind=filters.kind,
            list_url=filters.url(),
            card_url=f"/oppgaver/kort?{urlencode({'oppgavetype': filters.kind})}",
            **template_context(request),
        )
    return fragment(
        "oppgaver/_kort.html",
        count=await queries.inbox_count(user),
        newest=(await queries.inbox(user, size=CARD_ROWS)).items,
        **template_context(request),
    )


@post("/oppgaver/{task_id:int}/ta", name="oppgaver:take")
async def take(request: AnyRequest, task_id: FromPath[int]) -> Response[Any]:
    """Take a role task: one winner; the others are told who took it."""
    form = await request.form()
    user = current_user(request)
    task = await queries.get_task(task_id)
    if task is None:
        raise NotFound(_("Fant ikke oppgaven."))
    if not permissions.may_see(user, task):  # not even its title for others
        raise Forbidden(_("Du har ikke tilgang til denne oppgaven."))
    version = parse_id(form_value(form, "version"))
    filters = InboxFilter.of(request, form_value(form, "oppgavetype"), form_value(form, "sorter"))
    side = parse_id(form_value(form, "side"))
    outcome = Outcome()
    refusal: list[str] = []

    async def action() -> None:
        try:
            await services.take_task(runtime(request).settings, user, task_id, version=version or 0)
        except Conflict as exc:
            refusal.append(str(exc.detail))
            raise

    async def on_conflict() -> str:
        return refusal[0] if refusal else _("Oppgaven er endret siden du åpnet den. Last siden på nytt.")

    if await attempt(outcome, str(task["title"]), action, on_conflict):
        outcome.done.append(Done(Selected(task_id, version or 0), task, str(task["title"])))
    success = _("Du har tatt oppgaven «%(title)s». Den ligger nå bare hos deg.") % {"title": task["title"]}
    back_to_task = form_value(form, "tilbake") == "oppgave"
    redirect_to = f"/oppgaver/{task_id}" if back_to_task else filters.url(side)
    return await answer(
        request,
        outcome_messages(outcome, success),
        redirect_to=redirect_to,
        fragment_template="oppgaver/_innboks.html",
        context=await inbox_context(request, filters, side),
        badge=await menu_link(user),
        event=CHANGED_EVENT,
        status_code=outcome.status_code,
    )


ROUTES = [inbox, card, take]
