"""Reading the hendelseslogg: filtered, paged listing and CSV/Excel export (administrator/arkiv only).

The log is append-only; nothing here writes to it. Filters use the indexed columns (``at``,
``actor``, ``action``, ``object_type``/``object_id``); free text searches ``summary``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from core.admin.common import Page, contains, fetch_page, parse_id, require_maintainer
from core.audit import CORE_LABELS
from core.auth.user import User
from core.dates import date_into
from core.errors import ValidationFailed
from core.i18n import _
from core.tables import AuditEvent, Person
from core.tabular import csv_stream
from core.timeutil import OSLO

EXPORT_BATCH = 1000


def action_label(action: str, labels: Mapping[str, str] | None = None) -> str:
    """The label of an action code in the user's language (``labels``: the runtime's
    :attr:`~core.runtime.Runtime.audit_labels`, core's and every plugin's; core's own when
    None); the code itself for an action without a label."""
    label = (CORE_LABELS if labels is None else labels).get(action)
    return _(label) if label else action


@dataclass(frozen=True)
class AuditFilter:
    """The filter form as typed (query parameters ``fra``, ``til``, ``utfort_av`` …)."""

    fra: str = ""
    til: str = ""
    utfort_av: str = ""
    handling: str = ""
    objekttype: str = ""
    objekt: str = ""
    tekst: str = ""

    @classmethod
    def from_query(cls, values: Mapping[str, str | None]) -> AuditFilter:
        return cls(**{k: (values.get(k) or "").strip() for k in cls.__dataclass_fields__})

    def query_string(self) -> str:
        """The non-empty filters as a URL query (for paging and export links)."""
        return urlencode({k: v for k, v in asdict(self).items() if v})

    @property
    def is_empty(self) -> bool:
        return not any(asdict(self).values())


def _conditions(f: AuditFilter) -> list[Any]:
    """Where-conditions for the filter; raises :class:`ValidationFailed` for invalid input."""
    errors: dict[str, str] = {}
    conditions: list[Any] = []
    start = date_into(errors, "fra", f.fra, _("Fra dato"))
    end = date_into(errors, "til", f.til, _("Til dato"))
    if start and end and end < start:
        errors["til"] = _("Til-dato kan ikke være før fra-dato.")
    if start:
        conditions.append(AuditEvent.at >= datetime.combine(start, time(), tzinfo=OSLO))
    if end:
        conditions.append(AuditEvent.at < datetime.combine(end + timedelta(days=1), time(), tzinfo=OSLO))
    if f.utfort_av:
        actor_id = parse_id(f.utfort_av)
        if actor_id is None:
            errors["utfort_av"] = _("Velg en person fra listen.")
        else:
            conditions.append(AuditEvent.actor == actor_id)
    for key, column, limit in (
        ("handling", AuditEvent.action, 80),
        ("objekttype", AuditEvent.object_type, 60),
        ("objekt", AuditEvent.object_id, 80),
    ):
        value = getattr(f, key)
        if len(value) > limit:
            errors[key] = _("Verdien er for lang.")
        elif value:
            conditions.append(column == value)
    if len(f.tekst) > 200:
        errors["tekst"] = _("Søketeksten kan være høyst 200 tegn.")
    elif f.tekst:
        conditions.append(contains(AuditEvent.summary, f.tekst))
    if errors:
        raise ValidationFailed(errors)
    return conditions


COUNT_CAP = 10_000
"""The event list counts its rows up to this many (then "over 10 000")."""

_COLUMNS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.action,
    AuditEvent.object_type,
    AuditEvent.object_id,
    AuditEvent.summary,
    AuditEvent.details,
    AuditEvent.actor,
    AuditEvent.on_behalf_of,
    AuditEvent.actor.name.as_alias("actor_name"),
    AuditEvent.actor.initials.as_alias("actor_initials"),
    AuditEvent.on_behalf_of.name.as_alias("on_behalf_of_name"),
    AuditEvent.on_behalf_of.initials.as_alias("on_behalf_of_initials"),
)


def _newest_first(query: Any) -> Any:
    return query.order_by(AuditEvent.at, AuditEvent.id, ascending=False)


async def list_events(
    actor: User, f: AuditFilter, page: int | None = None, *, labels: Mapping[str, str] | None = None
) -> Page:
    """One page of matching events, newest first (``labels``: see :func:`action_label`)."""
    require_maintainer(actor)
    conditions = _conditions(f)
    select = _newest_first(AuditEvent.select(*_COLUMNS))
    ids = AuditEvent.select(AuditEvent.id).limit(COUNT_CAP + 1)
    if conditions:
        select = select.where(*conditions)
        ids = ids.where(*conditions)
    # Counted up to a cap: a municipality's hendelseslogg has millions of rows, and the page
    # says "over 10 000" rather than count them all on every view.
    found = len(await ids)
    result = await fetch_page(select, min(found, COUNT_CAP), page, more=found > COUNT_CAP)
    for row in result.items:
        row["action_label"] = action_label(row["action"], labels)
        row["details"] = "" if row["details"] in (None, "", "{}") else row["details"]
    return result


async def filter_choices(actor: User, *, labels: Mapping[str, str] | None = None) -> dict[str, list[Any]]:
    """Values for the filter's select lists: people (also deactivated), actions, object types."""
    require_maintainer(actor)
    people = await Person.select(Person.id, Person.name, Person.initials, Person.active).order_by(Person.name)
    actions = await _distinct("action")
    return {
        "people": people,
        "actions": [(action, action_label(action, labels)) for action in actions],
        "object_types": await _distinct("object_type"),
    }


async def _distinct(column: str) -> list[str]:
    """The distinct values of an indexed column of the hendelseslogg, in order, one index seek
    per value (a recursive "loose index scan", the same SQL on SQLite and PostgreSQL) instead of
    reading every row's: a few dozen actions among millions of events."""
    rows = await AuditEvent.raw(
        f"WITH RECURSIVE v(x) AS (SELECT MIN({column}) FROM core_audit_event "  # noqa: S608 - column from code
        f"UNION ALL SELECT (SELECT MIN({column}) FROM core_audit_event WHERE {column} > v.x) FROM v "
        "WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL"
    )
    return [str(row["x"]) for row in rows]


def _who(name: str | None, initials: str | None) -> str:
    return f"{name} ({initials})" if name else ""


def _export_header() -> list[str]:
    return [
        _("Tidspunkt"),
        _("Utført av"),
        _("På vegne av"),
        _("Handling"),
        _("Kode"),
        _("Objekttype"),
        _("Objekt-ID"),
        _("Sammendrag"),
        _("Detaljer"),
    ]


@dataclass(frozen=True)
class ExportTable:
    """The matching events as a table: Norwegian ``header``, then ``rows`` (newest first, read
    in batches of :data:`EXPORT_BATCH`). ``Tidspunkt`` is a datetime: write it with
    ``seconds=True`` (:mod:`core.tabular`)."""

    header: list[str]
    rows: AsyncIterator[list[Any]]


def export_table(actor: User, f: AuditFilter, *, labels: Mapping[str, str] | None = None) -> ExportTable:
    """The export of the matching events; access and filters are checked here, before anything
    is read (raises :class:`Forbidden` or :class:`ValidationFailed`)."""
    require_maintainer(actor)
    return ExportTable(header=_export_header(), rows=_export_rows(_conditions(f), labels))


def export_csv(
    actor: User, f: AuditFilter, *, labels: Mapping[str, str] | None = None
) -> AsyncIterator[bytes]:
    """The matching events as CSV (:func:`core.tabular.csv_stream`: UTF-8 with BOM,
    ``;``-separated, Norwegian headers), newest first, streamed in batches. Access and filters
    are checked before anything is sent."""
    table = export_table(actor, f, labels=labels)
    return csv_stream(table.header, table.rows, seconds=True)


async def _export_rows(conditions: list[Any], labels: Mapping[str, str] | None) -> AsyncIterator[list[Any]]:
    """The rows, read in keyset batches (``at``, ``id``) so a long log is never loaded whole."""
    last: tuple[datetime, int] | None = None
    while True:
        where = list(conditions)
        if last is not None:
            at, event_id = last
            where.append((AuditEvent.at < at) | ((AuditEvent.at == at) & (AuditEvent.id < event_id)))
        query = _newest_first(AuditEvent.select(*_COLUMNS)).limit(EXPORT_BATCH)
        rows: list[dict[str, Any]] = await (query.where(*where) if where else query)
        for row in rows:
            details = "" if row["details"] in (None, "", "{}") else row["details"]
            yield [
                row["at"],
                _who(row["actor_name"], row["actor_initials"]),
                _who(row["on_behalf_of_name"], row["on_behalf_of_initials"]),
                action_label(row["action"], labels),
                row["action"],
                row["object_type"],
                row["object_id"],
                row["summary"],
                details,
            ]
        if len(rows) < EXPORT_BATCH:
            return
        last = (rows[-1]["at"], rows[-1]["id"])
