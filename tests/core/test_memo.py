"""The request memo: once per memo and key, every time outside one or inside a transaction,
and forgotten after a write."""

from __future__ import annotations

import pytest

from core import memo

pytestmark = [pytest.mark.anyio, pytest.mark.engine_independent]


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> int:
        self.calls += 1
        return self.calls


async def test_outside_a_memo_every_call_computes() -> None:
    compute = Counter()
    assert [await memo.memoized("k", compute) for _ in range(2)] == [1, 2]


async def test_inside_a_memo_a_key_is_computed_once() -> None:
    compute, other = Counter(), Counter()
    with memo.request_memo():
        assert [await memo.memoized("k", compute) for _ in range(3)] == [1, 1, 1]
        assert await memo.memoized("other", other) == 1
        assert await memo.memoized("k", compute, in_transaction=True) == 2  # not from the memo
        memo.forget()
        assert await memo.memoized("k", compute) == 3
        assert await memo.memoized("k", compute) == 3
    with memo.request_memo():  # the next request starts empty
        assert await memo.memoized("k", compute) == 4
    assert await memo.memoized("k", compute) == 5
