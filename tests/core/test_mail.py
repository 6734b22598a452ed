"""The outbox against a real SMTP server (aiosmtpd): UTF-8, idempotency, exactly-once
delivery under concurrent senders, retries with backoff, no SMTP configured, a server that
never answers (timeouts, the run's time cap), and STARTTLS with SMTP login."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.mail import MAX_ATTEMPTS, enqueue, requeue, send_pending
from core.settings import ConfigError, Settings, load_settings
from core.tables import MailMessage
from core.timeutil import now
from tests.support.smtp import SmtpServer, free_port, silent_server, smtp_server

pytestmark = pytest.mark.anyio

SUBJECT = "Påminnelse: blåbærsyltetøy på Ærøy – ÆØÅ"
BODY = "Hei Åse!\n\nDu har tre journalposter som venter på deg i «Økonomi og løn».\n\nHilsen arkivet"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def with_smtp(settings: Settings, port: int) -> Settings:
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port)


async def message_row(key: str) -> dict[str, Any]:
    row = await MailMessage.select().where(MailMessage.idempotency_key == key).first()
    assert row is not None
    return row


async def test_enqueued_mail_is_delivered_with_norwegian_letters(settings, db, smtp) -> None:
    assert await enqueue(
        key="test:utf8",
        to_address="ase@kommune.example",
        to_name="Åse Ærø",
        subject=SUBJECT,
        body_text=BODY,
        source="test",
    )
    summary = await send_pending(with_smtp(settings, smtp.port))
    assert (summary.sent, summary.failed, summary.deferred) == (1, 0, 0)
    assert str(summary) == "sendt 1, feilet 0, utsatt 0"

    [received] = smtp.received
    assert received.rcpt_tos == ["ase@kommune.example"]
    assert received.message["Subject"] == SUBJECT
    assert received.message["To"].addresses[0].display_name == "Åse Ærø"
    assert received.message["From"] == settings.mail_from
    body = received.message.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n").strip() == BODY

    row = await message_row("test:utf8")
    assert row["status"] == "sent"
    assert row["attempts"] == 1
    assert row["sent_at"] is not None
    assert row["last_error"] == ""


async def test_html_alternative_is_sent_alongside_the_text(settings, db, smtp) -> None:
    await enqueue(
        key="test:html",
        to_address="a@kommune.example",
        subject="Hei",
        body_text="Tekst æøå",
        body_html="<p>Tekst æøå</p>",
    )
    await send_pending(with_smtp(settings, smtp.port))
    [message] = smtp.messages
    assert message.get_content_type() == "multipart/alternative"
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert "<p>Tekst æøå</p>" in html.get_content()


async def test_same_idempotency_key_gives_one_message_and_one_delivery(settings, db, smtp) -> None:
    first = await enqueue(
        key="restanse:42:2026-11-23", to_address="a@kommune.example", subject="A", body_text="1"
    )
    second = await enqueue(
        key="restanse:42:2026-11-23", to_address="b@kommune.example", subject="B", body_text="2"
    )
    assert (first, second) == (True, False)
    assert await MailMessage.count() == 1
    assert (await message_row("restanse:42:2026-11-23"))["subject"] == "A"

    await send_pending(with_smtp(settings, smtp.port))
    assert [m["Subject"] for m in smtp.messages] == ["A"]


async def test_running_send_pending_again_sends_nothing_new(settings, db, smtp) -> None:
    for n in range(3):
        await enqueue(key=f"again:{n}", to_address=f"p{n}@kommune.example", subject=f"Nr {n}", body_text="x")
    configured = with_smtp(settings, smtp.port)
    assert (await send_pending(configured)).sent == 3
    again = await send_pending(configured)
    assert (again.sent, again.failed, again.deferred) == (0, 0, 0)
    assert len(smtp.messages) == 3


async def test_concurrent_senders_deliver_each_message_exactly_once(settings, db, smtp) -> None:
    keys = [f"samtidig:{n}" for n in range(12)]
    for n, key in enumerate(keys):
        await enqueue(key=key, to_address=f"p{n}@kommune.example", subject=key, body_text="x")
    configured = with_smtp(settings, smtp.port)

    first, second = await asyncio.gather(send_pending(configured), send_pending(configured))

    assert first.sent + second.sent == len(keys)
    assert first.failed + second.failed + first.deferred + second.deferred == 0
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == sorted(keys)
    statuses = await MailMessage.select(MailMessage.status, MailMessage.attempts)
    assert {(r["status"], r["attempts"]) for r in statuses} == {("sent", 1)}


async def test_smtp_down_keeps_the_message_queued_with_backoff_then_fails(settings, db) -> None:
    await enqueue(key="nede", to_address="a@kommune.example", subject="Nede", body_text="x")
    down = with_smtp(settings, free_port())  # nothing listens there

    before = now()
    summary = await send_pending(down)
    assert (summary.sent, summary.failed, summary.deferred) == (0, 0, 1)
    row = await message_row("nede")
    assert row["status"] == "queued"
    assert row["attempts"] == 1
    assert row["last_error"]
    assert row["next_attempt_at"] is not None
    assert row["next_attempt_at"] >= before + timedelta(seconds=59)

    # Not due yet: a sender running straight away does not try again.
    assert (await send_pending(down)).deferred == 0
    assert (await message_row("nede"))["attempts"] == 1

    for attempt in range(2, MAX_ATTEMPTS + 1):
        await MailMessage.update({MailMessage.next_attempt_at: now() - timedelta(seconds=1)}).where(
            MailMessage.idempotency_key == "nede"
        )
        summary = await send_pending(down)
        row = await message_row("nede")
        assert row["attempts"] == attempt
        if attempt < MAX_ATTEMPTS:
            assert row["status"] == "queued"
            assert summary.deferred == 1
        else:
            assert row["status"] == "failed"
            assert summary.failed == 1
            assert row["next_attempt_at"] is None
            assert row["last_error"]

    # A failed message is left alone by later senders.
    await send_pending(down)
    assert (await message_row("nede"))["attempts"] == MAX_ATTEMPTS


async def test_a_failed_message_can_be_put_back_in_the_queue(settings, db, smtp) -> None:
    await enqueue(key="igjen", to_address="a@kommune.example", subject="Igjen", body_text="x")
    await MailMessage.update({MailMessage.status: "failed", MailMessage.attempts: MAX_ATTEMPTS}).where(
        MailMessage.idempotency_key == "igjen"
    )
    row_id = int((await message_row("igjen"))["id"])
    assert await requeue(row_id)
    assert not await requeue(row_id)  # already queued
    assert (await send_pending(with_smtp(settings, smtp.port))).sent == 1
    assert [m["Subject"] for m in smtp.messages] == ["Igjen"]
    assert not await requeue(row_id)  # sent mail is never sent again this way


async def test_a_message_that_cannot_be_built_fails_at_once(settings, db, smtp) -> None:
    await enqueue(key="ugyldig", to_address="a@kommune.example", subject="Linje\nskift", body_text="x")
    summary = await send_pending(with_smtp(settings, smtp.port))
    assert summary.failed == 1
    row = await message_row("ugyldig")
    assert row["status"] == "failed"
    assert "ValueError" in str(row["last_error"])
    assert smtp.messages == []


async def test_without_smtp_nothing_is_sent_and_mail_stays_queued(settings, db, smtp) -> None:
    assert settings.smtp_host == ""
    await enqueue(key="ingen-smtp", to_address="a@kommune.example", subject="Venter", body_text="x")
    summary = await send_pending(settings)
    assert summary.skipped_no_smtp
    assert str(summary) == "SMTP er ikke satt opp; e-post blir liggende i utboksen"
    row = await message_row("ingen-smtp")
    assert (row["status"], row["attempts"], row["last_error"]) == ("queued", 0, "")
    assert smtp.messages == []


# --- A server that never answers ------------------------------------------------------------


async def test_a_server_that_never_greets_fails_the_send_within_the_timeout(settings, db) -> None:
    """A server that accepts the connection and says nothing: each message fails after
    ``smtp_timeout`` (not the 30 s it took before), stays queued for a retry with the error
    recorded, and the run goes on to the next message."""
    for n in range(2):
        await enqueue(key=f"stille:{n}", to_address=f"p{n}@kommune.example", subject="Stille", body_text="x")
    with silent_server() as port:
        configured = dataclasses.replace(with_smtp(settings, port), smtp_timeout=0.5)
        started = time.monotonic()
        summary = await asyncio.wait_for(send_pending(configured), timeout=10)
        elapsed = time.monotonic() - started
    assert (summary.sent, summary.failed, summary.deferred, summary.left) == (0, 0, 2, 0)
    assert elapsed < 5, elapsed
    for n in range(2):
        row = await message_row(f"stille:{n}")
        assert (row["status"], row["attempts"]) == ("queued", 1)
        assert "Timeout" in str(row["last_error"])
        assert row["next_attempt_at"] is not None


async def test_a_server_that_hangs_after_data_does_not_stop_the_run(settings, db, tmp_path) -> None:
    """The command timeout: the server takes the message and never answers DATA. That message
    is a failed attempt; the next one in the same run is delivered."""
    await enqueue(key="heng:1", to_address="heng@kommune.example", subject="Henger", body_text="x")
    await enqueue(key="heng:2", to_address="ok@kommune.example", subject="Kommer fram", body_text="x")
    with smtp_server(stall_to=("heng@kommune.example",)) as smtp:
        configured = dataclasses.replace(with_smtp(settings, smtp.port), smtp_timeout=2)
        summary = await asyncio.wait_for(send_pending(configured), timeout=10)
        assert smtp.stalled == [["heng@kommune.example"]]
        assert [m["Subject"] for m in smtp.messages] == ["Kommer fram"]
    assert (summary.sent, summary.deferred) == (1, 1)
    stalled = await message_row("heng:1")
    assert (stalled["status"], stalled["attempts"]) == ("queued", 1)
    assert "Timeout" in str(stalled["last_error"])
    assert (await message_row("heng:2"))["status"] == "sent"


async def test_a_run_takes_no_new_message_after_its_time_cap(settings, db, smtp) -> None:
    """``outbox_run_seconds`` passed during the first (hanging) message: the run stops there and
    the other messages wait, untouched, for the next run, which delivers them. (A run always
    takes its first message, so the cap being shorter than the database query cannot starve
    the outbox.)"""
    for n in range(3):
        await enqueue(key=f"grense:{n}", to_address=f"p{n}@kommune.example", subject=f"Nr {n}", body_text="x")
    with silent_server() as port:
        capped = dataclasses.replace(with_smtp(settings, port), smtp_timeout=0.5, outbox_run_seconds=0.2)
        summary = await asyncio.wait_for(send_pending(capped), timeout=10)
    assert (summary.sent, summary.failed, summary.deferred, summary.left) == (0, 0, 1, 2)
    assert str(summary) == (
        "sendt 0, feilet 0, utsatt 1, 2 venter til neste kjøring (tidsgrensen for kjøringen nådd)"
    )
    assert (await message_row("grense:0"))["attempts"] == 1
    for n in (1, 2):
        row = await message_row(f"grense:{n}")
        assert (row["status"], row["attempts"], row["last_error"]) == ("queued", 0, "")

    following = await send_pending(with_smtp(settings, smtp.port))
    assert (following.sent, following.left) == (2, 0)
    assert sorted(m["Subject"] for m in smtp.messages) == ["Nr 1", "Nr 2"]


async def test_a_run_past_its_cap_at_once_still_sends_one_message(settings, db, smtp) -> None:
    for n in range(2):
        await enqueue(
            key=f"minst-en:{n}", to_address=f"p{n}@kommune.example", subject=f"Nr {n}", body_text="x"
        )
    capped = dataclasses.replace(with_smtp(settings, smtp.port), outbox_run_seconds=1e-9)
    summary = await send_pending(capped)
    assert (summary.sent, summary.left) == (1, 1)
    assert [m["Subject"] for m in smtp.messages] == ["Nr 0"]


async def test_a_caller_can_set_a_shorter_cap_than_the_setting(settings, db, smtp) -> None:
    """«Send nå» in the admin pages waits in the web request, so it passes its own, shorter cap."""
    for n in range(2):
        await enqueue(key=f"kort:{n}", to_address=f"p{n}@kommune.example", subject=f"Nr {n}", body_text="x")
    generous = dataclasses.replace(with_smtp(settings, smtp.port), outbox_run_seconds=3600)
    summary = await send_pending(generous, run_seconds=1e-9)
    assert (summary.sent, summary.left) == (1, 1)


# --- STARTTLS and SMTP login ----------------------------------------------------------------

LOGIN = ("arkivrutiner", "hemmelig-æøå-passord")


@pytest.fixture
def secure_smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    """STARTTLS required (certificate from a throwaway CA), and login required after it."""
    with smtp_server(tls_dir=tmp_path, login=LOGIN) as server:
        yield server


def with_secure_smtp(settings: Settings, server: SmtpServer, password: str = LOGIN[1]) -> Settings:
    return dataclasses.replace(
        with_smtp(settings, server.port),
        smtp_starttls=True,
        smtp_username=LOGIN[0],
        smtp_password=password,
        smtp_ca_bundle=server.ca_path,
        smtp_timeout=5,
    )


async def test_starttls_and_login_deliver_the_message(settings, db, secure_smtp) -> None:
    await enqueue(key="tls", to_address="a@kommune.example", subject="Kryptert æøå", body_text="x")
    summary = await send_pending(with_secure_smtp(settings, secure_smtp))
    assert (summary.sent, summary.failed, summary.deferred) == (1, 0, 0)
    [received] = secure_smtp.received
    assert (received.tls, received.authenticated) == (True, True)
    assert received.message["Subject"] == "Kryptert æøå"
    assert (await message_row("tls"))["status"] == "sent"


async def test_a_wrong_smtp_password_is_a_recorded_failed_attempt(settings, db, secure_smtp) -> None:
    await enqueue(key="feil-passord", to_address="a@kommune.example", subject="Nei", body_text="x")
    summary = await send_pending(with_secure_smtp(settings, secure_smtp, password="feil"))
    assert (summary.sent, summary.deferred) == (0, 1)
    assert secure_smtp.password_check is not None
    assert set(secure_smtp.password_check.refused) == {LOGIN[0]}  # one try per mechanism
    row = await message_row("feil-passord")
    assert (row["status"], row["attempts"]) == ("queued", 1)
    assert "SMTPAuthenticationError" in str(row["last_error"])
    assert secure_smtp.messages == []


async def test_a_certificate_from_an_unknown_ca_is_refused(settings, db, secure_smtp) -> None:
    """Without the test CA the server's certificate is not trusted: verification stays on."""
    await enqueue(key="ukjent-ca", to_address="a@kommune.example", subject="Nei", body_text="x")
    untrusted = dataclasses.replace(with_secure_smtp(settings, secure_smtp), smtp_ca_bundle="")
    summary = await send_pending(untrusted)
    assert (summary.sent, summary.deferred) == (0, 1)
    assert "CERTIFICATE_VERIFY_FAILED" in str((await message_row("ukjent-ca"))["last_error"])
    assert secure_smtp.messages == []


async def test_without_starttls_the_server_that_requires_it_refuses(settings, db, secure_smtp) -> None:
    await enqueue(key="uten-tls", to_address="a@kommune.example", subject="Nei", body_text="x")
    plain = dataclasses.replace(with_secure_smtp(settings, secure_smtp), smtp_starttls=False)
    summary = await send_pending(plain)
    assert (summary.sent, summary.deferred) == (0, 1)
    assert (await message_row("uten-tls"))["last_error"]
    assert secure_smtp.messages == []


# --- Settings -------------------------------------------------------------------------------


def test_smtp_timeout_run_cap_and_ca_bundle_settings(tmp_path: Path) -> None:
    defaults = load_settings({})
    assert (defaults.smtp_timeout, defaults.outbox_run_seconds, defaults.smtp_ca_bundle) == (10, 50, "")
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    s = load_settings(
        {"ARKIV_SMTP_TIMEOUT": "2,5", "ARKIV_OUTBOX_RUN_SECONDS": "20", "ARKIV_SMTP_CA_BUNDLE": str(ca)}
    )
    assert (s.smtp_timeout, s.outbox_run_seconds, s.smtp_ca_bundle) == (2.5, 20, str(ca))
    for name, raw in [
        ("ARKIV_SMTP_TIMEOUT", "0"),
        ("ARKIV_SMTP_TIMEOUT", "ti"),
        ("ARKIV_OUTBOX_RUN_SECONDS", "-1"),
    ]:
        with pytest.raises(ConfigError, match=name):
            load_settings({name: raw})
    with pytest.raises(ConfigError, match="ARKIV_SMTP_CA_BUNDLE"):
        load_settings({"ARKIV_SMTP_CA_BUNDLE": str(tmp_path / "finnes-ikke.pem")})
