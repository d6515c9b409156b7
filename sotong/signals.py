"""Sotong's own extension points, beside Pelican's signals.

A plugin's ``register()`` connects to these the way it connects to Pelican's:

- ``cli_commands``: sent with the ``sotong`` click group; add your commands.
- ``web_routes``: sent with the :class:`sotong.web.App`; add your routes.
- ``content_check``: sent with the :class:`sotong.project.Project`; return a
  list of :class:`sotong.problems.Problem` for the files your plugin owns.
- ``content_warnings``: sent with the :class:`sotong.project.Project` once
  check found no problem; return a list of ``PATH:LINE: warning: ...`` lines
  (printed, exit 0).
- ``check_reports``: sent with the :class:`sotong.project.Project` once
  check found no problem; return lines for people (the reach of the notices
  changed since the last build), printed after the warnings, or None.
- ``message_blocks``: sent with a :class:`sotong.mail.MessageContext` per
  issue; return a callable that adds blocks (banner, survey invitation) to
  one subscriber's message.
- ``message_signers``: sent with the same :class:`sotong.mail.MessageContext`;
  return a callable ``(message bytes) -> header bytes`` to put on top of
  every email of the bundle (a DKIM signature), or None.
- ``outbox_figures``: sent with the :class:`sotong.project.Project` and
  ``outbox=KEY`` when a bundle's report is made; return a list of dicts
  ``{"title": ..., "invitations": n, "answers": n}`` (surveys), or None.
- ``staff_copies``: sent with the :class:`sotong.project.Project` and
  ``issue`` (a date), ``reader_id`` or ``persona``, ``to`` (an address) and
  ``mark`` (e.g. ``[시험]``); return the copy of that reader's email of the
  issue addressed to ``to`` with ``mark`` starting its subject (an object
  with ``eml``, ``reader`` and ``notices``), for a staff member's test.
- ``store_schemas``: sent with None by ``sotong db upgrade``; import the
  modules that :func:`sotong.store.register_schema` the plugin's tables.
"""

from blinker import signal

cli_commands = signal("sotong-cli-commands")
web_routes = signal("sotong-web-routes")
content_check = signal("sotong-content-check")
content_warnings = signal("sotong-content-warnings")
check_reports = signal("sotong-check-reports")
message_blocks = signal("sotong-message-blocks")
message_signers = signal("sotong-message-signers")
outbox_figures = signal("sotong-outbox-figures")
store_schemas = signal("sotong-store-schemas")
staff_copies = signal("sotong-staff-copies")
