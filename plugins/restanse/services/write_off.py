"""The handler's and the leader's side of the restanse routine: who may see which list and act
on which restanse, and writing off one or many restanser (*Avskriv JP*); the foreløpig svar is in
:mod:`~plugins.restanse.services.foreloepig` and uses the helpers here.

The records change only through :mod:`core.archive.services` (``avskriv`` with an optional
merknad, ``mark_foreloepig_svar``, ``undo_foreloepig_svar``), which check authority again (the recipient's handler, the
unit's leader or active deputy, Fellestjenesten/Arkiv), lock optimistically on the recipient's
``version`` and write the hendelseslogg. Here: form validation (every problem at once, the form
keeps what was typed), one transaction per restanse through the action kit
(:mod:`core.web.actions`: one that someone else wrote off first does not undo the others) and a
message per restanse that failed, naming who got there first.
"""

from __future__ import annotations

from typing import Any

from core.archive import kodelister
from core.archive import rules as archive_rules
from core.archive import services as archive
from core.archive.queries.history import last_change, who_changed
from core.archive.queries.recipients import recipient_state, recipients_by_id
from core.archive.queries.restanse_lists import answer_options
from core.archive.queries.visibility import Viewer
from core.auth.user import User
from core.errors import Forbidden, ValidationFailed
from core.i18n import _
from core.settings import Settings
from core.validation import parse_id
from core.web.actions import Done, Outcome, Selected, attempt

MERKNAD_MAX = archive_rules.MAX_MERKNAD
MAATER = ("TE", "TO", "TLF", "BE", "BU", "BN")
"""The avskrivningsmåter a handler chooses from (SA, *saken ble avsluttet*, is set by closing a
case)."""
ANSWER_TYPES: dict[str, tuple[str, ...]] = dict(archive_rules.ANSWER_TYPES)
"""BU: answered by an outgoing letter (U); BN: by a note (N or X) in the same case."""


# --- avskrivningsmåter -------------------------------------------------------------------------


def maate_hints() -> dict[str, str]:
    return {
        "TE": _("Brevet er lest og tas til følge. Det trengs ikke noe svar."),
        "TO": _("Brevet er til informasjon. Det trengs ikke noe svar."),
        "TLF": _("Du har svart på telefon eller muntlig. Skriv gjerne i merknaden hva som ble sagt."),
        "BE": _("Du har svart på e-post. Skriv gjerne i merknaden når og til hvem."),
        "BU": _("Du har svart med et utgående brev (U) som er journalført i samme sak. Velg brevet."),
        "BN": _("Du har svart med et notat (N eller X) i samme sak. Velg notatet."),
    }


def maate_choices() -> list[dict[str, Any]]:
    """The avskrivningsmåter of the form: code, name (from the Noark 5 code list), a hint, and
    whether an answering post must be chosen."""
    hints = maate_hints()
    return [
        {
            "code": code,
            "name": kodelister.name(kodelister.AVSKRIVNINGSMAATE, code),
            "hint": hints[code],
            "needs_answer": code in ANSWER_TYPES,
        }
        for code in MAATER
    ]


# --- who may see what --------------------------------------------------------------------------


def may_view_unit(user: User, unit_id: int) -> bool:
    """*Restanser i egen enhet*: the unit's leader, the deputy during the leader's registered
    absence, and Fellestjenesten/Arkiv (every unit)."""
    return user.is_archive or user.authority_for(unit_id) is not None


def uses_unit_report(user: User) -> bool:
    return user.is_archive or user.is_leader


def require_unit_viewer(user: User, unit_id: int | None = None) -> None:
    allowed = uses_unit_report(user) if unit_id is None else may_view_unit(user, unit_id)
    if not allowed:
        raise Forbidden(
            _(
                "Restanser i egen enhet er for lederen av enheten, stedfortrederen mens lederen har "
                "registrert fravær, og Fellestjenesten/Arkiv."
            )
        )


# --- results ---------------------------------------------------------------------------------


def label_of(item: dict[str, Any] | None, korrespondansepart_id: int) -> str:
    return str(item["nummer"]) if item else _("Restansen (%(id)s)") % {"id": korrespondansepart_id}


def may_act(user: User, item: dict[str, Any]) -> bool:
    """Whether ``user`` may write off (or mark) this restanse: its handler, a leader or active
    deputy of its unit, or Fellestjenesten/Arkiv. Core checks again; this only keeps the
    registration numbers of other people's restanser out of the messages."""
    if user.is_archive or item["saksbehandler"] == user.person_id:
        return True
    return item["enhet"] is not None and user.authority_for(int(item["enhet"])) is not None


async def own_items(user: User, ids: list[int]) -> tuple[dict[int, dict[str, Any]], set[int]]:
    """The selected restanser the user may act on, and the ids of the others."""
    items = await recipients_by_id(ids)
    refused = {rid for rid, item in items.items() if not may_act(user, item)}
    return {rid: item for rid, item in items.items() if rid not in refused}, refused


def refused_message(korrespondansepart_id: int) -> str:
    return _("%(post)s: Du kan ikke avskrive eller endre denne restansen.") % {
        "post": label_of(None, korrespondansepart_id)
    }


async def conflict_message(korrespondansepart_id: int, item: dict[str, Any] | None) -> str:
    """Say what happened first: written off by whom, a foreløpig svar, or another handler."""
    label = label_of(item, korrespondansepart_id)
    state = await recipient_state(korrespondansepart_id)
    if state is None:
        return _("%(post)s finnes ikke lenger.") % {"post": label}
    if state["avskrevet"]:
        who = state["avskrevet_av_navn"] or _("systemet")
        return _("%(post)s var allerede avskrevet av %(who)s (%(maate)s).") % {
            "post": label,
            "who": who,
            "maate": kodelister.name(kodelister.AVSKRIVNINGSMAATE, state["avskrivningsmaate"]),
        }
    if item is not None and state["saksbehandler"] != item["saksbehandler"]:
        if state["saksbehandler"] is None:
            return _("%(post)s har ikke lenger saksbehandler. Last siden på nytt.") % {"post": label}
        return _("%(post)s er fordelt til %(handler)s i mellomtiden.") % {
            "post": label,
            "handler": state["saksbehandler_navn"],
        }
    change = await last_change("korrespondansepart", korrespondansepart_id)
    if change is not None and change["action"] == "archive.foreloepig_svar":
        return _(
            "%(who)s registrerte foreløpig svar på %(post)s i mellomtiden. Last siden på nytt og prøv igjen."
        ) % {"post": label, "who": who_changed(change)}
    if change is not None and change["action"] == "archive.foreloepig_svar_angret":
        return _(
            "%(who)s angret foreløpig svar på %(post)s i mellomtiden. Last siden på nytt og prøv igjen."
        ) % {
            "post": label,
            "who": who_changed(change),
        }
    return _("%(post)s er endret av noen andre i mellomtiden. Last siden på nytt og prøv igjen.") % {
        "post": label
    }


async def _try(outcome: Outcome, choice: Selected, item: dict[str, Any], action: Any, **extra: Any) -> None:
    label = label_of(item, choice.id)

    async def on_conflict() -> str:
        return await conflict_message(choice.id, item)

    if await attempt(outcome, label, action, on_conflict):
        outcome.done.append(Done(choice, item, label, extra=extra))


# --- Avskriv JP ----------------------------------------------------------------------------


def answer_field(korrespondansepart_id: int) -> str:
    """The form field with the answering post of one restanse (BU/BN)."""
    return f"svar-{korrespondansepart_id}"


async def write_off(
    settings: Settings,
    user: User,
    selected: list[Selected],
    maate: str,
    merknad: str,
    answers: dict[int, str],
) -> Outcome:
    """Write off the selected restanser with ``maate`` (and the optional ``merknad`` on each
    journal post). For BU and BN, ``answers`` holds the answering post per recipient (form
    values), which must be an own post of the right type in the restanse's case.

    Raises :class:`ValidationFailed` with every problem of the form at once; otherwise each
    restanse is written off in its own transaction and the :class:`Outcome` says which were
    done and why the others were not.
    """
    errors: dict[str, str] = {}
    if not selected:
        errors["valgt"] = _("Velg minst én restanse.")
    if maate not in MAATER:
        errors["avskrivningsmaate"] = _("Velg en avskrivningsmåte.")
    merknad = merknad.strip()
    if len(merknad) > MERKNAD_MAX:
        errors["merknad"] = _("Merknaden kan ha høyst %(max)s tegn.") % {"max": MERKNAD_MAX}
    items, refused = await own_items(user, [s.id for s in selected])
    chosen: dict[int, int | None] = {s.id: None for s in selected}
    if maate in ANSWER_TYPES:
        viewer = await Viewer.of(user)
        options = await answer_options(viewer, [int(item["saksmappe_id"]) for item in items.values()])
        wanted = ANSWER_TYPES[maate]
        for choice in selected:
            item = items.get(choice.id)
            if item is None:
                continue
            raw = answers.get(choice.id, "").strip()
            key = answer_field(choice.id)
            valid = {
                o["id"]: o
                for o in options.get(int(item["saksmappe_id"]), [])
                if o["id"] != item["journalpost_id"]
            }
            if not raw:
                errors[key] = _("Velg journalposten som besvarte %(post)s.") % {"post": item["nummer"]}
            elif parse_id(raw) is None or int(raw) not in valid:
                errors[key] = _("Velg en av sakens egne journalposter for %(post)s.") % {
                    "post": item["nummer"]
                }
            elif valid[int(raw)]["journalposttype"] not in wanted:
                errors[key] = (
                    _("%(maate)s passer ikke til %(answer)s (type %(type)s). Velg et utgående brev (U).")
                    if maate == "BU"
                    else _("%(maate)s passer ikke til %(answer)s (type %(type)s). Velg et notat (N eller X).")
                ) % {
                    "maate": kodelister.name(kodelister.AVSKRIVNINGSMAATE, maate),
                    "answer": valid[int(raw)]["nummer"],
                    "type": valid[int(raw)]["journalposttype"],
                }
            else:
                chosen[choice.id] = int(raw)
    if errors:
        raise ValidationFailed(errors)
    outcome = Outcome()
    for choice in selected:
        item = items.get(choice.id)
        if choice.id in refused:
            outcome.refuse(refused_message(choice.id))
            continue
        if item is None:
            outcome.problems.append(_("%(post)s finnes ikke.") % {"post": label_of(None, choice.id)})
            continue

        async def act(choice: Selected = choice) -> None:
            await archive.avskriv(
                settings,
                user,
                choice.id,
                maate,
                avskrives_av_journalpost_id=chosen[choice.id],
                version=choice.version,
                merknad=merknad or None,
            )

        await _try(outcome, choice, item, act)
    return outcome
