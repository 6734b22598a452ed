"""The session store in Redis (``ARKIV_REDIS_URL``): Litestar's :class:`RedisStore` plus ending
every session of one person. Imported only when Redis is used (the ``redis`` package)."""

from __future__ import annotations

import json

from litestar.stores.redis import RedisStore


class RedisSessionStore(RedisStore):
    """Sessions in Redis; Redis removes expired keys itself."""

    async def delete_person(self, person_id: int) -> int:
        """End every session of one person; returns how many. Values that are not JSON are
        left alone (as :meth:`core.sessions.DatabaseStore.delete_person` does)."""
        prefix = f"{self.namespace}:" if self.namespace else ""
        doomed = []
        async for key in self._redis.scan_iter(match=f"{prefix}*", count=500):
            value = await self._redis.get(key)
            if value is None:
                continue
            try:
                data = json.loads(value)
            except (ValueError, TypeError):
                continue
            if isinstance(data, dict) and data.get("person_id") == person_id:
                doomed.append(key)
        if doomed:
            await self._redis.delete(*doomed)
        return len(doomed)

    async def expires_in(self, key: str) -> int | None:
        """Seconds until ``key`` expires; None when it does not exist or never expires (as the
        :class:`~litestar.stores.base.Store` contract says; Litestar's RedisStore gives -1 for
        a key without expiry)."""
        remaining = await super().expires_in(key)
        return remaining if remaining is not None and remaining >= 0 else None
