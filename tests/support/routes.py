"""Every route of an app, read from its router, so a test over "every route" covers a new
route the day it is added.

    app_routes(app) -> [RouteInfo(method, path, path_params, query_params), ...]

``path`` is the template as Litestar writes it (``/arkiv/sak/{saksmappe_id:int}``);
``path_params`` maps each parameter to its type (``{"saksmappe_id": int}``); ``query_params``
the query parameters the handler declares, with their types (``{"side": int | None}``; pages
that read ``request.query_params`` themselves declare none). HEAD and OPTIONS are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from litestar.enums import ParamType
from litestar.params import ParameterKwarg

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    path_params: dict[str, Any]
    query_params: dict[str, Any]
    name: str | None = None
    public: bool = False
    """``opt={"public": True}``: open to anonymous users (sign-in, health checks, static files)."""

    @property
    def unsafe(self) -> bool:
        return self.method in UNSAFE

    @property
    def template(self) -> str:
        """``/arkiv/sak/{saksmappe_id}``: the path without parameter types."""
        out, rest = "", self.path
        while "{" in rest:
            head, _, tail = rest.partition("{")
            name, _, after = tail.partition("}")
            out += head + "{" + name.split(":", 1)[0] + "}"
            rest = after
        return out + rest

    def int_params(self) -> list[str]:
        """The path parameters typed ``int`` (ids)."""
        return [name for name, kind in self.path_params.items() if kind is int]

    def int_query_params(self) -> list[str]:
        """The declared query parameters typed ``int`` or ``int | None``."""
        return [name for name, kind in self.query_params.items() if int in (get_args(kind) or (kind,))]

    def url(self, **values: object) -> str:
        """The path with each parameter replaced by ``values[name]``."""
        return self.template.format(**{name: values[name] for name in self.path_params})


def _query_params(handler: Any, path_params: dict[str, Any]) -> dict[str, Any]:
    signature = getattr(handler, "parsed_fn_signature", None)
    if signature is None:
        return {}
    dependencies = handler.resolve_dependencies()
    found: dict[str, Any] = {}
    for name, field in signature.parameters.items():
        kwarg = field.kwarg_definition
        if isinstance(kwarg, ParameterKwarg):
            if kwarg.param_type == ParamType.QUERY:
                found[kwarg.name or kwarg.query or name] = field.annotation
        elif (
            kwarg is None
            and name not in path_params
            and name not in dependencies
            and name
            not in ("request", "scope", "state", "data", "headers", "cookies", "query", "body", "socket")
        ):
            found[name] = field.annotation
    return found


def app_routes(app: Any) -> list[RouteInfo]:
    """Every (method, path) the router knows, sorted by path then method."""
    found: list[RouteInfo] = []
    for route in app.routes:
        path_params = {name: definition.type for name, definition in route.path_parameters.items()}
        for handler in getattr(route, "route_handlers", ()):
            for method in sorted(getattr(handler, "http_methods", ())):
                if method in ("HEAD", "OPTIONS"):
                    continue
                found.append(
                    RouteInfo(
                        method=method,
                        path=route.path,
                        path_params=path_params,
                        query_params=_query_params(handler, path_params),
                        name=handler.name,
                        public=bool(handler.opt.get("public")),
                    )
                )
    return sorted(found, key=lambda r: (r.path, r.method))
