"""Onboarding's writes and rules, one module per part of the routine: the form and its route
(:mod:`.form`, :mod:`.form_route`), the access it applies (:mod:`.form_apply`), its settings
(:mod:`.form_settings`), the leaver's checklist (:mod:`.checklist`: its lines from every plugin,
"may the avgang be completed?", the recorded reason), the bulk transfer to a successor
(:mod:`.transfer`, through :func:`core.archive.services.transfer_work`), training follow-up
(:mod:`.training`) and demo data (:mod:`.form_demo`, :mod:`.demo_checklist`)."""
