"""Reading godkjenning's forms: the chain a handler picks (steps with approvers), the approver's
outcome, and what was typed (shown again next to the errors)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.validation import parse_id
from core.web.forms import form_value, form_values
from plugins.godkjenning.services.chains import MAX_STEPS, Chain, ChainStep

STEP_ROWS = 4
"""Step rows the send form shows (more steps: *Legg til steg*)."""


def chain_of(form: Mapping[str, Any]) -> Chain:
    """``steg-<n>-navn`` and ``steg-<n>-godkjenner`` (one or more) for n = 1…; empty steps are
    left out, the order kept."""
    steps = []
    for number in range(1, MAX_STEPS + 1):
        ids = tuple(
            pid for pid in (parse_id(v) for v in form_values(form, f"steg-{number}-godkjenner")) if pid
        )
        if ids:
            steps.append(ChainStep(form_value(form, f"steg-{number}-navn"), ids))
    return Chain(tuple(steps))


def chain_fields(chain: Chain, rows: int = STEP_ROWS) -> list[dict[str, Any]]:
    """The chain as the form's step rows (at least ``rows``, one empty row more than used)."""
    fields = [
        {"number": n, "label": step.label, "approvers": [str(p) for p in step.approver_ids]}
        for n, step in enumerate(chain.steps, start=1)
    ]
    while len(fields) < max(rows, len(chain.steps) + 1) and len(fields) < MAX_STEPS:
        fields.append({"number": len(fields) + 1, "label": "", "approvers": []})
    return fields


def decision_entered(form: Mapping[str, Any]) -> dict[str, str]:
    return {
        "utfall": form_value(form, "utfall"),
        "kommentar": form_value(form, "kommentar"),
        "til": form_value(form, "til"),
    }
