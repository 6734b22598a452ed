"""Godkjenning's writes: :mod:`~plugins.godkjenning.services.chains` (the chain a handler picks,
the unit's templates), :mod:`~plugins.godkjenning.services.rounds` (send, withdraw, send again,
dispatch) and :mod:`~plugins.godkjenning.services.decisions` (videresendt, ikke godkjent,
godkjent). Archive records change only through :mod:`core.archive.services`; the work moves
as core tasks (:mod:`core.tasks`)."""
