"""``sotong send purge``: the delivery records past their retention (see
:mod:`.retention`), counted with ``--dry-run``."""

from __future__ import annotations

from pathlib import Path

import click

from sotong.cli import settings_option
from sotong.i18n import _

from . import retention
from .journal import Journal


@click.command("purge", help=_("Destroy the delivery records a year after their outbox's last send (the privacy page): journal rows, bounces, SMS results, the outbox files; the annual report's counts stay. Run it daily; --dry-run only counts."))
@click.option("--dry-run", is_flag=True, help=_("Count what would be destroyed; change nothing."))
@settings_option
def send_purge(project, dry_run: bool):
    store, today = retention.ensure(project.existing_store), project.today()
    keys = retention.outboxes_to_purge(store, Path(project.settings["OUTBOX_PATH"]), today)
    if dry_run:
        for key in keys:
            rows = retention.record_counts(store, key)
            click.echo(_("{key}: would destroy {rows} and its files").format(key=key, rows=_listed(rows)))
    elif keys:
        records = Journal(store)
        with store.erasing([table for table in retention.RECORD_TABLES if table in store.tables()]):
            for key in keys:
                purged = retention.purge_outbox(records, project.settings, key)
                click.echo(_("{key}: destroyed {rows} and {files} files").format(
                    key=key, rows=_listed(purged.rows), files=purged.files))
    if not dry_run:
        retention.drop_old_last_sent(store, today)
    marks = retention.marks_without_address(store, delete=not dry_run)
    click.echo((_("{count} invalid marks of readers without that address any more would be destroyed.") if dry_run else
                _("{count} invalid marks of readers without that address any more destroyed.")).format(count=marks))
    click.echo(_("{count} outboxes last sent before {day} (kept a year); the annual report's counts of them stay.").format(
        count=len(keys), day=retention.first_kept_day(today)))


def _listed(rows: dict[str, int]) -> str:
    return ", ".join(f"{table} {count}" for table, count in rows.items() if count) or "-"
