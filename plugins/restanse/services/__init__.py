"""The restanse routine's writes and mails: :mod:`~plugins.restanse.services.write_off` (Avskriv JP),
:mod:`~plugins.restanse.services.foreloepig` (registering and undoing a foreløpig svar),
:mod:`~plugins.restanse.services.criteria` (saved criteria),
:mod:`~plugins.restanse.services.snapshots` (monthly counts kept),
:mod:`~plugins.restanse.services.mailing` with :mod:`~plugins.restanse.services.mail_texts` (the
monthly mails)."""
