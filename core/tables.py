"""Core-owned tables: organisation, identities, audit log, mail outbox, job runs, sessions.

Table names carry the ``core_`` prefix; every plugin prefixes its own tables with its name.
Foreign keys to business data use ``OnDelete.restrict``: people and units are deactivated,
never deleted, because the audit log and the archive refer to them.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.readable import Readable
from piccolo.table import Table


class Unit(Table, tablename="core_unit"):
    """Administrativ enhet (Noark 5: administrativEnhet)."""

    id: Serial
    code = Varchar(length=40, unique=True, index=True)
    name = Varchar(length=200)
    parent: ForeignKey[Unit] = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s %s", columns=[cls.code, cls.name])


class Person(Table, tablename="core_person"):
    """A municipal employee: case handler, leader, archive staff."""

    id: Serial
    name = Varchar(length=200, index=True)
    initials = Varchar(length=20, unique=True)
    email = Varchar(length=254, unique=True)
    unit = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict, index=True)
    active = Boolean(default=True, index=True)
    language = Varchar(length=2, null=True, default=None)
    pause_starts = Date(null=True, default=None)
    """With ``pause_ends``: a period (a leave) in which the person may not sign in."""
    pause_ends = Date(null=True, default=None)

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s (%s)", columns=[cls.name, cls.initials])


class PersonRole(Table, tablename="core_person_role"):
    """A global app role held by a person (arkiv, lonn, ikt, admin)."""

    id: Serial
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=20)


class Leadership(Table, tablename="core_leadership"):
    """The leader of a unit. One row per unit."""

    id: Serial
    unit = ForeignKey(Unit, unique=True, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)


class DeputyPeriod(Table, tablename="core_deputy_period"):
    """Stedfortreder: ``deputy`` acts for ``leader`` in ``unit`` from ``starts`` to ``ends``.

    A registered period is the leader's registered absence: the deputy may act only inside it.
    """

    id: Serial
    unit = ForeignKey(Unit, on_delete=OnDelete.cascade, index=True)
    leader = ForeignKey(Person, on_delete=OnDelete.restrict)
    deputy = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    starts = Date()
    ends = Date()
    reason = Varchar(length=200, default="")
    created_by = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class Identity(Table, tablename="core_identity"):
    """Links an Entra ID account (``oid`` in tenant ``tid``) to a person."""

    id: Serial
    oid = Varchar(length=64)
    tid = Varchar(length=64)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    username = Varchar(length=254, default="")
    first_login = Timestamptz()
    last_login = Timestamptz()


class AuditEvent(Table, tablename="core_audit_event"):
    """Hendelseslogg: one row per state change. Append-only; nothing updates or deletes it."""

    id: Serial
    at = Timestamptz(index=True)
    actor = ForeignKey(Person, null=True, on_delete=OnDelete.restrict, index=True)
    on_behalf_of = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    action = Varchar(length=80, index=True)
    object_type = Varchar(length=60, index=True)
    object_id = Varchar(length=80)
    summary = Text(default="")
    details = JSON(default="{}")


class MailMessage(Table, tablename="core_mail_message"):
    """Utboks: one outgoing e-mail. ``idempotency_key`` makes enqueueing the same mail a no-op."""

    id: Serial
    idempotency_key = Varchar(length=200, unique=True)
    to_address = Varchar(length=254, index=True)
    to_name = Varchar(length=200, default="")
    subject = Varchar(length=300)
    body_text = Text()
    body_html = Text(default="")
    status = Varchar(length=12, default="queued", index=True)
    attempts = Integer(default=0)
    last_error = Text(default="")
    claim_token = Varchar(length=40, default="")
    created_at = Timestamptz(index=True)
    next_attempt_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    source = Varchar(length=60, default="")


class JobRun(Table, tablename="core_job_run"):
    """One run of a job for one time slot. The unique pair (job, slot) stops double runs."""

    id: Serial
    job = Varchar(length=100)
    slot = Timestamptz()
    status = Varchar(length=12, default="running", index=True)
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    runner = Varchar(length=120, default="")
    message = Text(default="")


class SessionData(Table, tablename="core_session"):
    """Server-side session store shared by every worker process."""

    id: Serial
    key = Varchar(length=100, unique=True)
    value = Bytea()
    expires_at = BigInt(index=True)
    """Unix time in seconds; 0 means never."""


class ListPreference(Table, tablename="core_list_preference"):
    """What a list remembers for one person (:mod:`core.web.list_preferences`): the sort they
    chose last, and when they looked at it (for the mark «Ny»). One row per person and list
    (the unique index ``core_list_preference_key``); a list's key is ``<plugin>.<list>``, with
    the queue for a list of several (``fordeling.kurv:12``)."""

    id: Serial
    person = ForeignKey(Person, on_delete=OnDelete.cascade)
    list_key = Varchar(length=80)
    sort = Varchar(length=40, default="")
    """The sort chosen last ("": never chosen; the list's default)."""
    seen_at = Timestamptz(null=True, default=None)
    """The latest view, written at most every few minutes."""
    new_since = Timestamptz(null=True, default=None)
    """Rows that came into the list after this are marked «Ny»: the end of the visit before."""


TABLES: list[type[Table]] = [
    Unit,
    Person,
    PersonRole,
    Leadership,
    DeputyPeriod,
    Identity,
    AuditEvent,
    MailMessage,
    JobRun,
    SessionData,
    ListPreference,
]
