"""Case-work pages of the archive core (Noark 5): case lists, case and post pages, incoming
post, documents and search. Each module has its ``ROUTES``; :data:`ROUTES` is all of them."""

from __future__ import annotations

from core.web.archive import cases, documents, incoming, mine, posts, search

ROUTES = [*cases.ROUTES, *posts.ROUTES, *documents.ROUTES, *incoming.ROUTES, *search.ROUTES, *mine.ROUTES]
