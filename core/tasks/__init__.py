"""Tasks (*oppgaver*): work one person, or anyone with a role, is asked to do, with one inbox.

A routine (godkjenning, onboarding ...) creates a task about one of its objects
(:func:`core.tasks.services.create_task`); the receiver finds it in *Mottatte oppgaver*
(``/oppgaver``), the sender follows it in *Sendte oppgaver*. Each kind of task is declared by
the plugin that owns it, through the ``task_kinds`` hook (:class:`core.contributions.TaskKind`).

* :mod:`~core.tasks.tables`: the ``core_task`` table and its states.
* :mod:`~core.tasks.permissions`: who may act on a task (receiver, role member, the deputy of a
  receiving leader inside the registered absence), withdraw it or give it to someone else.
* :mod:`~core.tasks.services`: create, take, complete, withdraw, reassign (one winner each,
  audited).
* :mod:`~core.tasks.queries`: the inbox, the sent tasks, one task, counts, open tasks of a
  person and of people who have left.
* :mod:`~core.tasks.notices`: the mails (new task, reminder, escalation) in each receiver's
  language.
* :mod:`~core.tasks.reminders`: the daily reminder and escalation run (job
  ``core.task_reminders``).
"""
