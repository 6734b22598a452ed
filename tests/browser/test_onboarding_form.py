"""The form Registrering av IKT-tilgang/-avgang in the browser: axe-core finds nothing on the
list, the form (also with errors), the form's page, its print view and each step's task page
(the demo forms: draft, at lønn, at IKT, at Fellestjenesten, returned, completed). Read-only but
for one refused (422) submission, so the other browser tests see the same demo data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server, axe, sign_in, wait_for_htmx

pytestmark = pytest.mark.browser


def _demo(server: Server) -> dict[str, Any]:
    forms = {
        (kind, state): (form_id, leader)
        for form_id, kind, state, leader in server.query(
            "select f.id, f.kind, f.state, p.name from onboarding_form f join core_person p on p.id = f.leader"
        )
    }

    def task(kind: str) -> tuple[int, str]:
        rows = server.query(
            "select t.id, coalesce(p.name, (select p2.name from core_person p2 join core_person_role r "
            "on r.person = p2.id where r.role = t.receiver_role and p2.active order by p2.id limit 1)) "
            "from core_task t left join core_person p on p.id = t.receiver_person "
            "where t.kind = ? and t.state = 'open' order by t.id limit 1",
            (kind,),
        )
        assert rows, kind
        return int(rows[0][0]), str(rows[0][1])

    tasks = {
        k: task(k) for k in ("onboarding.retur", "onboarding.lonn", "onboarding.ikt", "onboarding.arkiv")
    }
    return {"forms": forms, "task": tasks.__getitem__}


def test_onboarding_form_pages_pass_axe(new_page: Any, server: Server, axe_source: str) -> None:
    demo = _demo(server)
    forms = demo["forms"]
    draft, leader = forms[("ny", "utkast")]
    page, watch = new_page(bypass_csp=True)
    sign_in(page, leader)
    page.goto("/onboarding")
    wait_for_htmx(page)
    found = axe(page, axe_source)
    page.set_viewport_size({"width": 320, "height": 640})  # reflow (1.4.10): nothing wider than the screen
    for url in ("/onboarding", f"/onboarding/skjema/{draft}", f"/onboarding/skjema/{draft}/endre"):
        page.goto(url)
        found += axe(page, axe_source)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, url
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/onboarding/skjema/ny")
    found += axe(page, axe_source)
    for kind in ("ny", "endring", "permisjon", "avgang"):
        page.goto(f"/onboarding/skjema/ny?type={kind}")
        found += axe(page, axe_source)
    # Sending the draft without its job title and with a bad e-mail: errors, what was typed kept.
    page.goto(f"/onboarding/skjema/{draft}/endre")
    page.fill("#job_title", "")
    page.fill("#email", "feil")
    page.locator("button[value=send]").click()
    page.wait_for_selector("#feiloppsummering")
    # The page starts at the error summary (keyboard and screen-reader users hear it first).
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'feiloppsummering'")
    assert page.locator("#person_name").input_value() == "Nora Nyberg"
    assert page.locator("#email").input_value() == "feil"
    found += axe(page, axe_source)
    for form_id, _leader in forms.values():
        page.goto(f"/onboarding/skjema/{form_id}")
        found += axe(page, axe_source)
    page.emulate_media(media="print")
    page.goto(f"/onboarding/skjema/{forms[('ny', 'fullfort')][0]}")
    assert not page.locator(".site-header").is_visible()
    assert page.locator("dl.meta").is_visible() and "Marte Moe" in page.locator("dl.meta").inner_text()
    page.emulate_media(media="screen")
    returned, _who = demo["task"]("onboarding.retur")
    page.goto(f"/onboarding/oppgave/{returned}")
    found += axe(page, axe_source)
    for kind in ("onboarding.lonn", "onboarding.ikt", "onboarding.arkiv"):
        task_id, member = demo["task"](kind)
        other, _ = new_page(bypass_csp=True)
        sign_in(other, member)
        other.goto(f"/onboarding/oppgave/{task_id}")
        assert other.locator("button", has_text="Ta oppgaven").count() == 1
        found += axe(other, axe_source)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    assert watch.page_errors == []
