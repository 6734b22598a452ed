"""Onboarding's writes: the form and its route (:mod:`.form`, :mod:`.form_route`), the access
it applies (:mod:`.form_apply`), its settings (:mod:`.form_settings`)."""
