"""A memo for one request: a value asked for twice while one request is answered is computed
once (the restanse counts: the menu badge and the page's total are the same number).

:func:`request_memo` opens a memo for the code it wraps (the web layer opens one per request,
:func:`core.web.middleware.request_memo_middleware`); outside one (jobs, the command line,
tests that call a function directly) :func:`memoized` computes every time. A write that can
change a memoized value calls :func:`forget` (the restanse ledger does on every refresh), and
nothing is memoized inside a transaction, whose reads may still be rolled back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_MEMO: ContextVar[dict[Hashable, Any] | None] = ContextVar("request_memo", default=None)


@contextlib.contextmanager
def request_memo() -> Iterator[dict[Hashable, Any]]:
    """A fresh memo for the code run inside the block (in this context)."""
    memo: dict[Hashable, Any] = {}
    token = _MEMO.set(memo)
    try:
        yield memo
    finally:
        _MEMO.reset(token)


async def memoized(key: Hashable, compute: Callable[[], Awaitable[T]], *, in_transaction: bool = False) -> T:
    """``compute()``'s value, computed once per memo for ``key``. Without a memo, or when the
    caller is ``in_transaction``, it is computed every time and not kept."""
    memo = _MEMO.get()
    if memo is None or in_transaction:
        return await compute()
    if key in memo:
        value: T = memo[key]
        return value
    value = await compute()
    memo[key] = value
    return value


def forget() -> None:
    """Drop what the current memo holds (after a write)."""
    memo = _MEMO.get()
    if memo is not None:
        memo.clear()
