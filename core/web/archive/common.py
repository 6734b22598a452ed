"""Helpers the case-work pages share: the viewer, redirects after POST, form values, the
message area for htmx answers, and who may act on a case or post (for showing actions; the
services decide)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Response

from core.admin.common import parse_id
from core.archive.queries import Viewer
from core.auth.user import User
from core.dates import date_into
from core.settings import Settings
from core.timeutil import OSLO, now, today
from core.web.forms import form_value, form_values
from core.web.pages import AnyRequest, current_user, runtime

Form = dict[str, Any]


def settings_of(request: AnyRequest) -> Settings:
    return runtime(request).settings


async def viewer_of(request: AnyRequest) -> Viewer:
    """The signed-in user as a viewer of records (their tilgangskoder loaded once per request)."""
    cached = getattr(request.state, "archive_viewer", None)
    if isinstance(cached, Viewer):
        return cached
    viewer = await Viewer.of(current_user(request))
    request.state.archive_viewer = viewer
    return viewer


def done(request: AnyRequest, url: str) -> Response[Any]:
    """After a successful POST: 303 for a plain form, a client redirect for htmx."""
    if request.htmx:
        redirect = ClientRedirect(url)
        redirect.status_code = 200
        return redirect
    return Redirect(url, status_code=303)


def value(data: Mapping[str, Any], key: str) -> str:
    """A form value as stripped text ('' when missing or a file): :func:`core.web.forms.form_value`."""
    return form_value(data, key)


def values(data: Mapping[str, Any], key: str) -> list[str]:
    """All values of a repeated field (checkboxes): :func:`core.web.forms.form_values`."""
    return form_values(data, key)


def optional_date(form: Form, key: str, errors: dict[str, str], label: str) -> date | None:
    """The date in ``form[key]`` (empty: None); a field error naming ``label`` when it is not a
    date (:func:`core.dates.date_into`)."""
    return date_into(errors, key, form.get(key, ""), label)


def optional_id(form: Form, key: str, errors: dict[str, str], message: str) -> int | None:
    text = form.get(key, "")
    if not text:
        return None
    parsed = parse_id(text)
    if parsed is None:
        errors[key] = message
    return parsed


def received_at(day: date | None) -> datetime | None:
    """``mottatt_dato`` for a date typed in the form: now for today, else midnight Oslo time."""
    if day is None:
        return None
    if day == today():
        return now()
    return datetime.combine(day, time(), tzinfo=OSLO)


def rename_errors(errors: Mapping[str, str], names: Mapping[str, str]) -> dict[str, str]:
    """Service field names → the form's field ids (so the error summary links to the field)."""
    renamed: dict[str, str] = {}
    for key, message in errors.items():
        target = names.get(key, key)
        if target in renamed:
            renamed[target] = f"{renamed[target]} {message}"
        else:
            renamed[target] = message
    return renamed


def _leads(user: User, *units: Any) -> bool:
    return any(unit is not None and user.authority_for(int(unit)) is not None for unit in units)


def may_work_on_case(user: User, case: Mapping[str, Any]) -> bool:
    """Whether to offer case work (new post, remark) to ``user``; mirrors
    :func:`core.archive.permissions.case_worker` (the services decide)."""
    if user.is_archive or case.get("saksansvarlig") == user.person_id or case.get("involvert"):
        return True
    unit = case.get("administrativ_enhet")
    own_unit = user.unit_id is not None and user.unit_id == unit
    return (own_unit and bool(case.get("synlig"))) or _leads(user, unit)


def may_close_case(user: User, case: Mapping[str, Any]) -> bool:
    """Fellestjenesten/Arkiv, the saksansvarlig or the leader of the case's unit."""
    return (
        user.is_archive
        or case.get("saksansvarlig") == user.person_id
        or _leads(user, case.get("administrativ_enhet"))
    )


def may_work_on_post(user: User, post: Mapping[str, Any]) -> bool:
    """Whether to offer post work (documents, status) to ``user``; mirrors
    :func:`core.archive.permissions.post_worker`."""
    if user.is_archive or user.person_id in (post.get("saksbehandler"), post.get("saksansvarlig")):
        return True
    unit = post.get("administrativ_enhet") or post.get("sak_enhet")
    own_unit = user.unit_id is not None and user.unit_id == unit
    return (own_unit and bool(post.get("synlig"))) or _leads(user, unit, post.get("sak_enhet"))
