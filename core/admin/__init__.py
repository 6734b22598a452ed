"""Organisation maintenance (enheter, personer, ledere, stedfortredere), leaders' own absence
registration, and the hendelseslogg viewer.

Services live here and check authorisation themselves; ``core.web.admin_org`` holds the thin
HTTP handlers. One module per area: :mod:`~core.admin.units` (units and their leaders),
:mod:`~core.admin.people` (people and roles), :mod:`~core.admin.deputies` (deputy periods),
:mod:`~core.admin.absence` (a leader's own absence), :mod:`~core.admin.auditlog` (the
hendelseslogg); :mod:`~core.admin.common` holds what they share.
"""
