"""A test that fails on purpose after writing into its temporary folder.

Not collected by the suite (the name does not start with ``test_``): ``tests/test_suite_hygiene.py``
runs it in a separate pytest process to check what a failing run leaves behind.
"""

from pathlib import Path


def test_fails_after_writing_a_file(tmp_path: Path) -> None:
    (tmp_path / "rest.txt").write_text("skal bort")
    raise AssertionError("feiler med vilje")
