"""The approval chain: which steps a round goes through and who approves at each, and the
chain templates a unit keeps (e.g. avdelingsleder → kommunalsjef → kommunedirektør).

A chain has 1 to :data:`MAX_STEPS` steps; a step has 1 to :data:`MAX_APPROVERS` approvers, who
must all approve before the post moves on (parallel hearing). The handler never approves their
own post (separation of duties): a chain that names them is refused with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import audit
from core.archive.queries import people, units
from core.auth.user import User
from core.db import writing
from core.errors import Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.organisation import acting_leaders
from core.timeutil import now, today
from plugins.godkjenning.tables import ChainTemplate, ChainTemplateStep

MAX_STEPS = 6
MAX_APPROVERS = 5
LABEL_MAX = 100


@dataclass(frozen=True)
class ChainStep:
    label: str
    approver_ids: tuple[int, ...]


@dataclass(frozen=True)
class Chain:
    steps: tuple[ChainStep, ...]

    @property
    def approver_ids(self) -> set[int]:
        return {pid for step in self.steps for pid in step.approver_ids}


async def default_chain(handler: User) -> Chain:
    """The acting leader of the handler's unit today (the deputy during the leader's absence);
    an empty chain when there is none, or when that is the handler (who then picks another)."""
    if handler.unit_id is None:
        return Chain(())
    acting = await acting_leaders([handler.unit_id], today())
    pair = acting.get(handler.unit_id)
    if pair is None or pair[0] == handler.person_id:
        return Chain(())
    return Chain((ChainStep(_("Leder"), (pair[0],)),))


async def check_chain(chain: Chain, handler_id: int) -> Chain:
    """The chain, or :class:`ValidationFailed` naming every problem (field ``kjede``, or
    ``steg-<n>`` for one step)."""
    errors: dict[str, str] = {}
    steps = [s for s in chain.steps if s.approver_ids]
    if not steps:
        errors["kjede"] = _("Velg minst én godkjenner.")
    if len(steps) > MAX_STEPS:
        errors["kjede"] = _("En godkjenningskjede kan ha høyst %(max)s steg.") % {"max": MAX_STEPS}
    found = await people.people_by_id(sorted(chain.approver_ids))
    for number, step in enumerate(steps, start=1):
        field = f"steg-{number}"
        if len(step.approver_ids) > MAX_APPROVERS:
            errors[field] = _("Et steg kan ha høyst %(max)s godkjennere.") % {"max": MAX_APPROVERS}
        elif handler_id in step.approver_ids:
            errors[field] = _(
                "Du kan ikke godkjenne din egen journalpost. Velg en annen godkjenner, for eksempel lederen din."
            )
        elif any(pid not in found or not found[pid]["active"] for pid in step.approver_ids):
            errors[field] = _("Velg godkjennere som er aktive brukere.")
        elif len(step.label) > LABEL_MAX:
            errors[field] = _("Navnet på steget kan ha høyst %(max)s tegn.") % {"max": LABEL_MAX}
    if errors:
        raise ValidationFailed(errors)
    return Chain(tuple(ChainStep(s.label.strip(), tuple(dict.fromkeys(s.approver_ids))) for s in steps))


# --- templates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    id: int
    unit_id: int
    name: str
    chain: Chain


async def templates_for(unit_ids: list[int]) -> list[Template]:
    """The chain templates of the units, by name (two statements)."""
    if not unit_ids:
        return []
    heads = await (
        ChainTemplate.select(ChainTemplate.id, ChainTemplate.unit, ChainTemplate.name)
        .where(ChainTemplate.unit.is_in(unit_ids))
        .order_by(ChainTemplate.name)
    )
    if not heads:
        return []
    rows = await (
        ChainTemplateStep.select(
            ChainTemplateStep.template,
            ChainTemplateStep.position,
            ChainTemplateStep.label,
            ChainTemplateStep.person,
        )
        .where(ChainTemplateStep.template.is_in([h["id"] for h in heads]))
        .order_by(ChainTemplateStep.template, ChainTemplateStep.position, ChainTemplateStep.id)
    )
    steps: dict[int, dict[int, tuple[str, list[int]]]] = {}
    for row in rows:
        _label, approvers = steps.setdefault(row["template"], {}).setdefault(
            row["position"], (row["label"], [])
        )
        approvers.append(int(row["person"]))
    return [
        Template(
            int(h["id"]),
            int(h["unit"]),
            h["name"],
            Chain(
                tuple(
                    ChainStep(label, tuple(pids))
                    for _pos, (label, pids) in sorted(steps.get(h["id"], {}).items())
                )
            ),
        )
        for h in heads
    ]


def own_template_unit(user: User) -> int | None:
    """The unit whose chains the user keeps when the form names none: the first unit the user
    leads, else the archive service's own unit; None for anyone else."""
    if user.led_unit_ids:
        return user.led_unit_ids[0]
    return user.unit_id if user.is_archive and user.unit_id else None


def _require_unit_leader(user: User, unit_id: int) -> int | None:
    """The unit's leader or active deputy (on behalf of the leader), or the archive service."""
    authority = user.authority_for(unit_id)
    if authority is not None:
        return authority.on_behalf_of
    if user.is_archive:
        return None
    raise Forbidden(
        _("Bare lederen for enheten (eller stedfortrederen) kan endre enhetens godkjenningskjeder.")
    )


async def save_template(user: User, unit_id: int, name: str, chain: Chain) -> int:
    """Store a chain template for the unit (audited ``godkjenning.template_saved``)."""
    on_behalf_of = _require_unit_leader(user, unit_id)
    if await units.unit_by_id(unit_id) is None:  # the archive service may name any unit
        raise NotFound(_("Fant ingen enhet med dette nummeret."))
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["navn"] = _("Gi malen et navn.")
    elif len(name) > LABEL_MAX:
        errors["navn"] = _("Navnet kan ha høyst %(max)s tegn.") % {"max": LABEL_MAX}
    try:
        chain = await check_chain(chain, handler_id=-1)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    async with writing(ChainTemplate):
        template = ChainTemplate(unit=unit_id, name=name, created_by=user.person_id, created=now())
        await template.save()
        for position, step in enumerate(chain.steps, start=1):
            for pid in step.approver_ids:
                await ChainTemplateStep(
                    template=template.id, position=position, label=step.label, person=pid
                ).save()
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=on_behalf_of,
            action="godkjenning.template_saved",
            object_type="godkjenning_chain_template",
            object_id=template.id,
            summary=_("Godkjenningskjede «%(name)s» lagret") % {"name": name},
            details={"unit_id": unit_id, "steps": [list(s.approver_ids) for s in chain.steps]},
        )
    return int(template.id)


async def delete_template(user: User, template_id: int) -> None:
    row = (
        await ChainTemplate.select(ChainTemplate.unit, ChainTemplate.name)
        .where(ChainTemplate.id == template_id)
        .first()
    )
    if row is None:
        raise NotFound(_("Fant ingen godkjenningskjede med dette nummeret."))
    on_behalf_of = _require_unit_leader(user, int(row["unit"]))
    async with writing(ChainTemplate):
        await ChainTemplate.delete().where(ChainTemplate.id == template_id)
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=on_behalf_of,
            action="godkjenning.template_deleted",
            object_type="godkjenning_chain_template",
            object_id=template_id,
            summary=_("Godkjenningskjede «%(name)s» slettet") % {"name": row["name"]},
        )
