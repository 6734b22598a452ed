"""*Restanseoppfølging* and the trends: the archive service's pages. The table's context (no
table and no export links while the form has errors) and the trend chart, drawn as server-side
SVG: one bar per month with its number written above it, a title and a description for screen
readers, and the same figures in a table below. No meaning is carried by colour."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from core.auth.user import User
from core.errors import Forbidden
from core.i18n import _, format_dato, format_tall
from core.web.list_preferences import open_list
from plugins.restanse.forms import DIRECTIONS, HANDLER_SORTS, UNIT_SORTS, VIEWS, Parsed
from plugins.restanse.queries import report
from plugins.restanse.queries.trends import Series

URL = "/restanse/oppfolging"
LIST_KEY = "restanse.oppfolging"
"""The table in :mod:`core.web.list_preferences`, one sort per view (``restanse.oppfolging.enhet``)."""
DEFAULT_SORT = "kode:stigende"


def require_archive(user: User) -> None:
    if not user.is_archive:
        raise Forbidden(_("Restanseoppfølging er for Fellestjenesten/Arkiv."))


async def remembered_sort(
    user: User, visning: str | None, sorter: str | None, retning: str | None
) -> tuple[str, str]:
    """The table's sort and direction: those of the request (remembered for the view), else the
    ones the user chose last for the view, else by code, ascending. A sort the view does not
    have is left to :func:`~plugins.restanse.forms.parse_oppfolging` (by code)."""
    view = visning if visning in VIEWS else VIEWS[0]
    sorts = HANDLER_SORTS if view == "saksbehandler" else UNIT_SORTS
    allowed = {f"{key}:{direction}" for key in sorts for direction in DIRECTIONS}
    asked = f"{sorter}:{retning or DIRECTIONS[0]}" if sorter else None
    chosen = await open_list(user, f"{LIST_KEY}.{view}", asked, allowed, DEFAULT_SORT)
    key, _sep, direction = chosen.sort.partition(":")
    return key, direction


async def oppfolging_context(parsed: Parsed) -> dict[str, Any]:
    """The form as typed and, when it has no errors, the table with its sort, view and export
    links. With errors there is no table and no export link: nobody downloads the wrong month."""
    criteria = parsed.criteria
    context: dict[str, Any] = {
        "criteria": criteria,
        "errors": parsed.errors,
        "form": parsed.entered,
        "threshold": 0,
        "unit_table": None,
        "handler_table": None,
        "url": URL,
        "query": urlencode(criteria.params()),
        "sort_query": {key: urlencode(criteria.sort_params(key)) for key in HANDLER_SORTS},
        # Without a sort: the other view opens with the sort the user chose last for it.
        "view_query": {
            view: urlencode(criteria.params(visning=view, sorter="", retning="")) for view in VIEWS
        },
        "export_query": {},
    }
    if parsed.errors:
        return context
    if criteria.visning == "saksbehandler":
        table = await report.handler_table(criteria)
        context["handler_table"] = table
        context["threshold"] = table.threshold
    else:
        context["unit_table"] = await report.unit_table(criteria)
    context["export_query"] = {
        kind: urlencode({"format": kind, **criteria.params()}) for kind in ("csv", "xlsx")
    }
    return context


# --- the trend chart -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value: str
    month: str
    marked: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    left: float
    right: float
    bars: list[Bar]
    gridlines: list[tuple[float, str]]
    title: str
    description: str


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value``."""
    if value <= 4:
        return 4
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def chart(series: Series, width: int = 760, height: int = 320) -> Chart:
    """Geometry of the bar chart (the template draws it)."""
    left, right, top, bottom = 56.0, 12.0, 28.0, 44.0
    plot_w = width - left - right
    plot_h = height - top - bottom
    n = max(len(series.points), 1)
    top_value = _nice_max(max((p.antall for p in series.points), default=0))
    slot = plot_w / n
    bar_w = slot * 0.6
    baseline = top + plot_h
    bars = []
    for index, point in enumerate(series.points):
        h = plot_h * point.antall / top_value if top_value else 0
        x = left + index * slot + (slot - bar_w) / 2
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(baseline - h, 1),
                width=round(bar_w, 1),
                height=round(h, 1),
                label_x=round(x + bar_w / 2, 1),
                label_y=round(baseline - h - 6, 1),
                value=format_tall(point.antall),
                month=format_dato(point.dato, "MMM yy"),
                marked=point.avviker,
            )
        )
    gridlines = [
        (round(baseline - plot_h * fraction, 1), format_tall(round(top_value * fraction)))
        for fraction in (0, 0.25, 0.5, 0.75, 1)
    ]
    points = series.points
    if points:
        highest = max(points, key=lambda p: (p.antall, p.dato))
        description = _(
            "Søylediagram over restanser ved utgangen av hver måned, fra %(first)s til %(last)s. "
            "%(first_month)s: %(first_count)s. %(last_month)s: %(last_count)s. "
            "Høyest i %(high_month)s med %(high_count)s."
        ) % {
            "first": points[0].label,
            "last": points[-1].label,
            "first_month": points[0].label,
            "first_count": format_tall(points[0].antall),
            "last_month": points[-1].label,
            "last_count": format_tall(points[-1].antall),
            "high_month": highest.label,
            "high_count": format_tall(highest.antall),
        }
    else:
        description = _("Ingen måneder å vise.")
    return Chart(
        width=width,
        height=height,
        baseline=baseline,
        left=left,
        right=width - right,
        bars=bars,
        gridlines=gridlines,
        title=_("Restanser per måned: %(title)s") % {"title": series.title},
        description=description,
    )
