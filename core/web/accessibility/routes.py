"""``GET /tilgjengelighetserklaering``: the accessibility statement, open to everyone (no
sign-in), in the reader's language, with the municipality and contact from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import get
from litestar.response import Template

from core.i18n import _
from core.web.accessibility import statement as s
from core.web.pages import AnyRequest, page, runtime

URL = "/tilgjengelighetserklaering"


@dataclass(frozen=True)
class Row:
    """One criterion as the page shows it, translated."""

    number: str
    name: str
    level: str
    methods: list[str]
    automatic: bool
    status: s.Status
    status_label: str
    status_class: str
    note: str


@dataclass(frozen=True)
class Group:
    number: str
    name: str
    rows: list[Row]

    def count(self, status: s.Status) -> int:
        return sum(1 for row in self.rows if row.status == status)


def _row(criterion: s.Criterion, session_idle_hours: int) -> Row:
    status, note = criterion.status, criterion.note
    if criterion.number == s.SESSION_CRITERION and s.session_limit_is_met(session_idle_hours):
        status, note = s.Status.MET, s.SESSION_MET_NOTE
    return Row(
        number=criterion.number,
        name=_(criterion.name),
        level=criterion.level,
        methods=[_(s.METHOD_LABELS[method]) for method in criterion.methods],
        automatic=any(method in s.AUTOMATIC for method in criterion.methods),
        status=status,
        status_label=_(s.STATUS_LABELS[status]),
        status_class=s.STATUS_CLASSES[status],
        note=_(note) if note else "",
    )


def _deviations(session_idle_hours: int) -> list[tuple[str, str]]:
    found = []
    for deviation in s.DEVIATIONS:
        if deviation.criteria == (s.SESSION_CRITERION,):
            if s.session_limit_is_met(session_idle_hours):
                continue
            text = _(deviation.text) % {"hours": session_idle_hours}
        else:
            text = _(deviation.text)
        found.append((", ".join(deviation.criteria), text))
    return found


@get(URL, name="core:accessibility_statement", opt={"public": True})
async def accessibility_statement(request: AnyRequest) -> Template:
    settings = runtime(request).settings
    hours = settings.session_idle_hours
    groups = [
        Group(principle.number, _(principle.name), [_row(c, hours) for c in principle.criteria])
        for principle in s.PRINCIPLES
    ]
    contact = settings.accessibility_contact
    return await page(
        request,
        "tilgjengelighetserklaering.html",
        municipality=settings.municipality,
        contact=contact,
        contact_href=(contact if contact.startswith("https://") else f"mailto:{contact}") if contact else "",
        address=settings.public_base_url,
        groups=groups,
        total=sum(len(group.rows) for group in groups),
        statuses=[(status, _(label)) for status, label in s.STATUS_LABELS.items()],
        deviations=_deviations(hours),
        statement_date=s.STATEMENT_DATE,
        last_checked=s.LAST_CHECKED,
        manual_checked=s.MANUAL_CHECKED,
    )


ROUTES = [accessibility_statement]
