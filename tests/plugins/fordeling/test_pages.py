"""fordeling's page texts (plugins/fordeling/pages.py)."""

from __future__ import annotations

from plugins.fordeling import pages


def test_the_redistribution_message_writes_a_large_number_as_the_page_does() -> None:
    """*Omfordel alle 2 070* says afterwards «2 070 journalposter …», not «2070»."""
    assert pages.redistributed_text(2070, "Solveig Karlsen", "2026/00001-1") == (
        "2\u00a0070 journalposter er omfordelt til Solveig Karlsen."
    )
    assert pages.redistributed_text(1, "Solveig Karlsen", "2026/00001-1") == (
        "2026/00001-1 er omfordelt til Solveig Karlsen."
    )
