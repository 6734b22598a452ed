"""Server-side session store in the database, shared by every worker process.

Works on SQLite and PostgreSQL alike. Expired rows are ignored on read and purged by the
``core.purge_sessions`` job. With ``ARKIV_REDIS_URL`` set, Redis is used instead.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

from litestar.stores.base import Store
from piccolo.query.mixins import OnConflictAction

from core.tables import SessionData

SESSION_COOKIE = "arkiv_session"
"""The cookie that carries the session id."""


def _seconds(value: int | timedelta | None) -> int | None:
    if value is None:
        return None
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


class DatabaseStore(Store):
    """A Litestar :class:`Store` backed by the ``core_session`` table."""

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        seconds = _seconds(expires_in)
        expires_at = int(time.time()) + seconds if seconds else 0
        await SessionData.insert(SessionData(key=key, value=data, expires_at=expires_at)).on_conflict(
            target=SessionData.key,
            action=OnConflictAction.do_update,
            values=[SessionData.value, SessionData.expires_at],
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = (
            await SessionData.select(SessionData.value, SessionData.expires_at)
            .where(SessionData.key == key)
            .first()
        )
        if row is None:
            return None
        if row["expires_at"] and row["expires_at"] <= time.time():
            # Only the expired version: another worker may have just stored a fresh value.
            await SessionData.delete().where(
                (SessionData.key == key) & (SessionData.expires_at == row["expires_at"])
            )
            return None
        seconds = _seconds(renew_for)
        if seconds and row["expires_at"]:
            await SessionData.update({SessionData.expires_at: int(time.time()) + seconds}).where(
                SessionData.key == key
            )
        value = row["value"]
        return bytes(value) if value is not None else None

    async def delete(self, key: str) -> None:
        await SessionData.delete().where(SessionData.key == key)

    async def delete_all(self) -> None:
        await SessionData.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await SessionData.select(SessionData.expires_at).where(SessionData.key == key).first()
        if row is None or not row["expires_at"]:
            return None
        remaining = int(row["expires_at"] - time.time())
        return remaining if remaining > 0 else None  # an expired key no longer exists

    async def delete_expired(self) -> int:
        """Remove expired sessions; returns how many."""
        now = int(time.time())
        deleted = (
            await SessionData.delete()
            .where((SessionData.expires_at > 0) & (SessionData.expires_at <= now))
            .returning(SessionData.id)
        )
        return len(deleted)

    async def delete_person(self, person_id: int) -> int:
        """End every session of one person (a leaver); returns how many. A session that cannot
        be read as JSON is left alone. (Without this, the person's sessions still count as
        signed out once they are deactivated: the user middleware loads only active people.)"""
        doomed: list[int] = []
        for row in await SessionData.select(SessionData.id, SessionData.value):
            try:
                data = json.loads(bytes(row["value"]))
            except (ValueError, TypeError):
                continue
            if isinstance(data, dict) and data.get("person_id") == person_id:
                doomed.append(int(row["id"]))
        if doomed:
            await SessionData.delete().where(SessionData.id.is_in(doomed))
        return len(doomed)
