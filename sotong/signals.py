"""Sotong's own extension points, beside Pelican's signals.

A plugin's ``register()`` connects to these the way it connects to Pelican's:

- ``cli_commands``: sent with the ``sotong`` click group; add your commands.
- ``web_routes``: sent with the :class:`sotong.web.App`; add your routes.
- ``content_check``: sent with the :class:`sotong.project.Project`; return a
  list of :class:`sotong.problems.Problem`: your plugin's settings, and what
  the notices ask of it (the files it owns are checked as its
  ``content_parts``).
- ``content_warnings``: sent with the :class:`sotong.project.Project` once
  check found no problem (sotong check, sotong build, each devserver build);
  return a list of ``PATH:LINE: warning: ...`` lines (printed, exit 0).
- ``check_reports``: sent with the :class:`sotong.project.Project` once
  check found no problem; return lines for people (the reach of the notices
  changed since the last build), printed after the warnings, or None.
- ``content_parts``: sent with the :class:`sotong.project.Project` when its
  :class:`sotong.content.Content` is loaded (once per command or build); return
  a dict ``{name: value}`` of the validated files your plugin owns, raising
  :class:`sotong.problems.SotongError` when they are wrong. Generators and
  message blocks then read them with ``content.part(name)``: survey gives
  ``"surveys"`` (slug -> Survey), minwon24 ``"banners"`` (a list of Banner).
- ``message_blocks``: sent with a :class:`sotong.mail.MessageContext` per
  bundle (an issue, a one-off notice, a preview, a staff copy; also the bundles reach and check only count,
  which call it never); return a callable that adds blocks (banner, survey invitation) to
  one subscriber's message.
- ``message_signers``: sent through :func:`sotong.mail.seal_for` (a
  :class:`sotong.mail.MessageContext` with only ``settings`` and ``day``)
  when mails are sent: a ``sotong send`` run, a test copy, the collector's
  and the purge's mails; and with a bundle's context when it is made, where
  the signers are made to find wrong settings and used once to measure what
  they add to an email's size (:func:`sotong.mail.seal_size`; the emails are
  signed as they are sent, once their Date is the send's); return a callable
  ``(message bytes) -> header bytes``, as long for every message, to put on
  top of every email sent (a DKIM signature), or None.
- ``outbox_figures``: sent with the :class:`sotong.project.Project`,
  ``outbox=KEY`` and ``reached`` (the ids of the readers whose email of the
  bundle reached them, as the journal knows) when a bundle's report is made;
  return a list of dicts ``{"title": ..., "invitations": n, "answers": n}``
  (surveys: the readers invited in the bundle whose email reached them, and
  those of them who answered), or None.
- ``staff_copies``: sent with the :class:`sotong.project.Project` and
  ``issue`` (a date), ``reader_id`` or ``persona``, ``to`` (an address) and
  ``mark`` (e.g. ``[시험]``); return the copy of that reader's email of the
  issue addressed to ``to`` with ``mark`` starting its subject (an object
  with ``eml``, ``reader`` and ``notices``), for a staff member's test.
- ``store_schemas``: sent with None by ``sotong db upgrade``, ``db copy``,
  ``subscribers forget`` and ``serve`` (:meth:`sotong.project.Project.declare_every_schema`); import the
  modules that :func:`sotong.store.register_schema` the plugin's tables
  (``declare_schemas("plugin.storage", ...)`` connects that import).
- ``store_copied``: sent with the target :class:`sotong.store.Store` by
  ``sotong db copy`` inside its transaction, once every row is copied
  (:mod:`sotong.store_copy`); make again what the plugin derives from its
  rows and the copy leaves out (SQLite's FTS5 indexes, PostgreSQL's
  ``tsvector`` columns), with ``store.db``, on the target's backend.
- ``reach_marks``: sent with the :class:`sotong.store.Store` once per bundle
  or send; return ``{channel: set of subscriber ids}``, the readers that
  channel must not reach though :meth:`Subscriber.reachable_by` says it
  could (delivery: an address marked invalid), or None. One query per
  bundle, not a call per reader: bundling reads it once for all readers.
- ``person_forgotten``: sent with the :class:`sotong.project.Project`,
  ``subscriber_id``, ``emails`` and ``phones`` (every address and number the
  store knows of them) by ``sotong subscribers forget`` before the store
  forgets them; remove them from the files your plugin keeps under
  ``PRIVATE_PATH`` and return ``{what: count}`` of what you removed, or None.
  Raise :class:`sotong.problems.SotongError` before changing anything when a
  file cannot be read: forget stops with the store as it was.
- ``person_erasing``: sent with the :class:`sotong.store.Store`,
  ``subscriber_id``, ``project`` (the :class:`sotong.project.Project`, or
  None when called without one) and ``stand_in`` (the random id the other
  rows naming the person get) by ``sotong subscribers forget`` inside its transaction,
  before the other rows naming the person get that stand-in id; delete your
  rows that must not outlive the person (with the indexes that hold them),
  in that transaction (``store.db``), and return ``{table: rows deleted}``
  (the tables named are erased from the store's files too, as forget's own).
- ``people_purged``: sent with the :class:`sotong.project.Project` by
  every ``sotong subscribers purge`` once the store destroyed all but the id
  and unsubscribe time of those who left (their row's address and phone
  empty, ``unsubscribed_at`` set); remove from the files your plugin keeps
  under ``PRIVATE_PATH`` what names such a person, as the store reads now
  (so a run stopped before is finished by the next), and return
  ``{what: count}`` of what you removed, or None.
- ``delivered_since``: sent with the :class:`sotong.store.Store` and
  ``day`` (a date); return the set of subscriber ids a message was sent
  (or handed over) to on that day or later, or None (delivery answers, from
  its journal and the last-sent days it keeps past the journal's retention).
- ``site_built``: sent with the :class:`sotong.project.Project` by ``sotong
  build`` once ``output/`` holds the new site (not by the devserver's
  preview builds, which publish nothing); keep under ``PRIVATE_PATH`` what
  the site now published (sns_sync: the notices its SNS feeds hold, in the
  ledger of notices sent). Returns nothing.
- ``reader_page_blocks``: sent with the :class:`sotong.web.App` and
  ``subscriber`` (the :class:`sotong.store.Subscriber` whose own page it is,
  reached with their own link) when the collector shows a reader's
  preferences page; return a dict ``{"heading": ..., "entries": [{"title",
  "details", "link", "action"}]}`` for the page to show as a section of
  links (plain text: the page escapes it), or None (survey: the open
  surveys the reader was invited to or matches, and has not answered, each
  with the reader's own link).

``connect_lazily(signal, "module:function")`` connects a receiver whose
module is imported when the signal is first sent, so that a plugin's heavy
modules are not imported by commands that never send it (``sotong --help``).
"""

import functools
import importlib

from blinker import signal

cli_commands = signal("sotong-cli-commands")
web_routes = signal("sotong-web-routes")
content_check = signal("sotong-content-check")
content_warnings = signal("sotong-content-warnings")
check_reports = signal("sotong-check-reports")
content_parts = signal("sotong-content-parts")
message_blocks = signal("sotong-message-blocks")
message_signers = signal("sotong-message-signers")
outbox_figures = signal("sotong-outbox-figures")
store_schemas = signal("sotong-store-schemas")
store_copied = signal("sotong-store-copied")
staff_copies = signal("sotong-staff-copies")
person_forgotten = signal("sotong-person-forgotten")
reach_marks = signal("sotong-reach-marks")
person_erasing = signal("sotong-person-erasing")
people_purged = signal("sotong-people-purged")
delivered_since = signal("sotong-delivered-since")
site_built = signal("sotong-site-built")
reader_page_blocks = signal("sotong-reader-page-blocks")


@functools.cache
def _lazy_receiver(target: str):
    """One receiver per target (a plugin registered twice connects it once)."""
    module, name = target.split(":")

    def receiver(sender, **kwargs):
        return getattr(importlib.import_module(module), name)(sender, **kwargs)

    receiver.__qualname__ = receiver.__name__ = target
    return receiver


def connect_lazily(to_signal, target: str) -> None:
    """Connect ``to_signal`` (Sotong's or Pelican's) to the function
    ``target`` ("module:function"), imported when the signal is sent."""
    to_signal.connect(_lazy_receiver(target), weak=False)


@functools.cache
def _schema_importer(modules: tuple[str, ...]):
    """One receiver per set of modules (a plugin registered twice connects it once)."""
    def receiver(sender, **kwargs):
        for module in modules:
            importlib.import_module(module)

    receiver.__qualname__ = receiver.__name__ = "import " + ", ".join(modules)
    return receiver


def declare_schemas(*modules: str) -> None:
    """Connect ``store_schemas`` to importing ``modules`` ("plugin.storage"),
    the ones that register the plugin's tables, so that ``sotong db upgrade``
    knows them though no command of the plugin ran yet."""
    store_schemas.connect(_schema_importer(modules), weak=False)
