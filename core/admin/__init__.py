"""Organisation maintenance (enheter, personer, ledere, stedfortredere), leaders' own absence
registration, and the hendelseslogg viewer.

Services live here and check authorisation themselves; ``core.web.admin_org`` holds the thin
HTTP handlers.
"""
