"""E-mail through an outbox: enqueue in the database, send with aiosmtplib from a job.

* :func:`enqueue` is idempotent: the same ``idempotency_key`` never makes a second message.
* :func:`send_pending` claims each message with a conditional update before sending, so two
  senders never send the same message. The claim also checks the attempt count, so a sender
  holding a stale copy of a message that another sender has just retried and re-queued cannot
  claim it again (that would skip the backoff and count the attempt twice).
* A message whose send outcome is unknown (crash while ``sending``) is left for a person to
  check in the outbox rather than sent twice; :func:`requeue` puts it (or a ``failed`` one)
  back in the queue when that person decides so.
* Failed attempts back off (1, 5, 15, 60 minutes); after :data:`MAX_ATTEMPTS` the message is
  ``failed``. A message that cannot even be built (a bad address) fails at once.
* Without ``ARKIV_SMTP_HOST`` nothing is sent and the mail stays visible in the outbox.
* An SMTP server that accepts the connection and then says nothing cannot hang a run: the
  connection and every reply wait at most ``ARKIV_SMTP_TIMEOUT`` seconds, and such a message is
  a failed attempt like any other. A run takes no new message after ``ARKIV_OUTBOX_RUN_SECONDS``
  and leaves the rest queued for the next run (counted as ``left``).
* STARTTLS verifies the server's certificate against the system's CAs, or against
  ``ARKIV_SMTP_CA_BUNDLE`` for a server with a private CA; a refused login or certificate is a
  failed attempt with its error recorded on the message.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib
from piccolo.query.mixins import OnConflictAction

from core.i18n import _
from core.settings import Settings
from core.tables import MailMessage
from core.timeutil import now

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BACKOFF_MINUTES = (1, 5, 15, 60)
STATUSES = ("queued", "sending", "sent", "failed")


@dataclass(frozen=True)
class SendSummary:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    skipped_no_smtp: bool = False
    left: int = 0
    """Due messages this run did not take because it ran out of time."""

    def __str__(self) -> str:
        if self.skipped_no_smtp:
            return _("SMTP er ikke satt opp; e-post blir liggende i utboksen")
        text = _("sendt %(sent)s, feilet %(failed)s, utsatt %(deferred)s") % {
            "sent": self.sent,
            "failed": self.failed,
            "deferred": self.deferred,
        }
        if self.left:
            text += ", " + _("%(left)s venter til neste kjøring (tidsgrensen for kjøringen nådd)") % {
                "left": self.left
            }
        return text


async def enqueue(
    *,
    key: str,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    to_name: str = "",
    source: str = "",
) -> bool:
    """Put a message in the outbox. Returns False when ``key`` was already used (no new mail)."""
    inserted = (
        await MailMessage.insert(
            MailMessage(
                idempotency_key=key,
                to_address=to_address,
                to_name=to_name,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                status="queued",
                created_at=now(),
                source=source,
            )
        )
        .on_conflict(target=MailMessage.idempotency_key, action=OnConflictAction.do_nothing)
        .returning(MailMessage.id)
    )
    return bool(inserted)


async def message_ids(keys: list[str]) -> dict[str, int]:
    """The outbox rows of the given idempotency keys (key → message id), for a routine that
    links its own records to the mail it queued."""
    if not keys:
        return {}
    rows = await MailMessage.select(MailMessage.id, MailMessage.idempotency_key).where(
        MailMessage.idempotency_key.is_in(sorted(set(keys)))
    )
    return {str(r["idempotency_key"]): int(r["id"]) for r in rows}


def build_message(settings: Settings, row: dict[str, object]) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = formataddr((str(row["to_name"]), str(row["to_address"])))
    msg["Subject"] = str(row["subject"])
    key_hash = hashlib.sha256(str(row["idempotency_key"]).encode()).hexdigest()[:32]
    msg["Message-ID"] = make_msgid(idstring=key_hash, domain="arkivrutiner")
    msg["X-Arkivrutiner-Key"] = key_hash
    msg.set_content(str(row["body_text"]))
    if row["body_html"]:
        msg.add_alternative(str(row["body_html"]), subtype="html")
    return msg


async def send_pending(settings: Settings, limit: int = 100, run_seconds: float | None = None) -> SendSummary:
    """Send queued messages that are due. Safe to run from several processes at once.

    Stops taking new messages once ``run_seconds`` (default ``settings.outbox_run_seconds``)
    have passed (after the first, so every run makes progress); a message already being sent
    finishes (each SMTP step is bounded by ``settings.smtp_timeout``)."""
    if not settings.smtp_host:
        return SendSummary(skipped_no_smtp=True)
    cap = settings.outbox_run_seconds if run_seconds is None else run_seconds
    deadline = time.monotonic() + cap
    current = now()
    rows = (
        await MailMessage.select()
        .where(
            (MailMessage.status == "queued")
            & ((MailMessage.next_attempt_at.is_null()) | (MailMessage.next_attempt_at <= current))
        )
        .order_by(MailMessage.id)
        .limit(limit)
    )
    sent = failed = deferred = 0
    for index, row in enumerate(rows):
        if index and time.monotonic() >= deadline:  # a run always takes at least one
            left = len(rows) - index
            log.warning("Utboksen nådde tidsgrensen; %d e-poster venter til neste kjøring", left)
            return SendSummary(sent=sent, failed=failed, deferred=deferred, left=left)
        token = uuid.uuid4().hex
        claimed = (
            await MailMessage.update({MailMessage.status: "sending", MailMessage.claim_token: token})
            .where(
                (MailMessage.id == row["id"])
                & (MailMessage.status == "queued")
                & (MailMessage.attempts == row["attempts"])
            )
            .returning(MailMessage.id)
        )
        if not claimed:
            continue
        mine = (MailMessage.id == row["id"]) & (MailMessage.claim_token == token)
        attempts = row["attempts"] + 1
        try:
            message = build_message(settings, row)
        except Exception as exc:  # a message that cannot be built never will be
            await MailMessage.update(
                {
                    MailMessage.status: "failed",
                    MailMessage.attempts: attempts,
                    MailMessage.last_error: f"{type(exc).__name__}: {exc}"[:2000],
                    MailMessage.next_attempt_at: None,
                }
            ).where(mine)
            failed += 1
            log.warning("E-post %s til %s kan ikke lages: %s", row["id"], row["to_address"], exc)
            continue
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                start_tls=settings.smtp_starttls,
                username=settings.smtp_username or None,
                password=settings.smtp_password or None,
                cert_bundle=settings.smtp_ca_bundle or None,
                timeout=settings.smtp_timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            final = attempts >= MAX_ATTEMPTS
            delay = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
            await MailMessage.update(
                {
                    MailMessage.status: "failed" if final else "queued",
                    MailMessage.attempts: attempts,
                    MailMessage.last_error: f"{type(exc).__name__}: {exc}"[:2000],
                    MailMessage.next_attempt_at: None if final else now() + timedelta(minutes=delay),
                }
            ).where(mine)
            failed += final
            deferred += not final
            log.warning("E-post %s til %s feilet: %s", row["id"], row["to_address"], exc)
            continue
        await MailMessage.update(
            {MailMessage.status: "sent", MailMessage.sent_at: now(), MailMessage.attempts: attempts}
        ).where(mine)
        sent += 1
    return SendSummary(sent=sent, failed=failed, deferred=deferred)


async def requeue(message_id: int) -> bool:
    """Put a ``failed`` message, or one stuck in ``sending``, back in the queue with fresh
    attempts. A person decides this: a stuck message may already have been delivered.
    Returns False when the message is not in one of those states."""
    updated = (
        await MailMessage.update(
            {
                MailMessage.status: "queued",
                MailMessage.attempts: 0,
                MailMessage.next_attempt_at: None,
                MailMessage.claim_token: "",
            }
        )
        .where((MailMessage.id == message_id) & (MailMessage.status.is_in(["failed", "sending"])))
        .returning(MailMessage.id)
    )
    return bool(updated)
