"""The bare page of benchmarks/pages.py answers with exactly the size it was asked for."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from benchmarks.bare_app import HEAD, TAIL, create_app, page


@pytest.mark.parametrize("size", [len(HEAD) + len(TAIL), 6253, 93_762])
def test_the_bare_page_has_the_requested_size_in_bytes(size: int) -> None:
    with TestClient(create_app(size)) as client:
        answer = client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert len(answer.content) == size
    assert answer.text.startswith("<!DOCTYPE html>") and answer.text.endswith("</html>\n")


def test_a_size_below_the_frame_gives_the_bare_frame() -> None:
    assert page(10) == HEAD + TAIL


def test_the_size_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BARE_PAGE_BYTES", "1234")
    with TestClient(create_app()) as client:
        assert len(client.get("/").content) == 1234
