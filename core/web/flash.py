"""Flash messages: one-time notices stored in the session and shown on the next page."""

from __future__ import annotations

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar.plugins.htmx import HTMXRequest

CATEGORIES = ("success", "info", "warning", "error")


def flash(request: HTMXRequest, message: str, category: str = "success") -> None:
    """Show ``message`` once, on the next full page this user sees."""
    messages = list(request.session.get("_messages", []))
    messages.append({"message": message, "category": category if category in CATEGORIES else "info"})
    request.set_session({**request.session, "_messages": messages})


@pass_context
def pop_messages(context: Context) -> list[dict[str, str]]:
    """Template global: the pending messages, removed from the session once shown."""
    request = context.get("request")
    if request is None or "session" not in request.scope:
        return []
    session = request.session
    messages: list[dict[str, str]] = session.get("_messages", []) if isinstance(session, dict) else []
    if messages:
        request.set_session({k: v for k, v in session.items() if k != "_messages"})
    return messages
