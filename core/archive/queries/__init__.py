"""Read side of the archive: the queries behind the case-work pages (lists, case and post
pages, search, downloads). The write side is :mod:`core.archive.services`.

Every query takes a :class:`~core.archive.queries.visibility.Viewer` and applies skjerming
itself; lists are paged and set-based (one statement per page plus one per kind of child row).
"""

from core.archive.queries.visibility import Viewer

__all__ = ["Viewer"]
