"""Core's task pages (*oppgaver*): the inbox *Mottatte oppgaver* and its card, taking a role
task, *Sendte oppgaver*, the generic task page (complete, withdraw) and the archive service's
list of tasks whose receiver has left (give them to someone else). Each module has its
``ROUTES``; :data:`ROUTES` is all of them."""

from __future__ import annotations

from core.web.tasks import admin, inbox, sent, task

ROUTES = [*inbox.ROUTES, *sent.ROUTES, *task.ROUTES, *admin.ROUTES]
