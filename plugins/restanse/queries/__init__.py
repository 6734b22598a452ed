"""What restanse reads beyond core's restanse queries (:mod:`core.archive.queries.restanser`,
:mod:`core.archive.queries.restanse_lists`): the monthly tables of *Restanseoppfølging*
(:mod:`~plugins.restanse.queries.report`) and the trends (:mod:`~plugins.restanse.queries.trends`)."""
