"""``sotong subscribers changes --since D FILE.csv`` and
``sotong subscribers forget ID`` (SPEC §13)."""

from __future__ import annotations

from pathlib import Path

import click

from sotong.cli import settings_option
from sotong.i18n import _
from sotong.options import DAY_TEXT
from sotong.problems import SotongError
from sotong.project import Project

from .consent import forget, write_changes


@click.command("changes", help=_("Write the consent log from a day on (every change, its source, old and new values)."))
@click.option("--since", required=True, type=DAY_TEXT, help=_("The first day (Seoul) to export."))
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(dir_okay=False))
@settings_option
def changes_command(project: Project, since: str, csv_file: str):
    public = Path(project.settings["OUTPUT_PATH"]).resolve()
    if Path(csv_file).resolve().is_relative_to(public):
        raise SotongError([_("{csv_file}: the changes name subscribers and may not be written under {public}/ (it is published); write it under private/").format(
            csv_file=csv_file, public=project.shown(public))])
    count = write_changes(project.store, since, csv_file)
    click.echo(_("Wrote {count} changes since {since} to {csv_file}.").format(
        count=count, since=since, csv_file=csv_file))


@click.command("forget", help=_("Erase a person's data everywhere in the store, keeping only counts."))
@click.argument("subscriber_id", metavar="ID")
@settings_option
def forget_command(project: Project, subscriber_id: str):
    touched = forget(project.store, subscriber_id)
    if not touched:
        raise SotongError([_('no subscriber "{subscriber_id}" and no record naming it in the store; check the id (sotong subscribers export lists them)').format(
            subscriber_id=subscriber_id)])
    where = ", ".join(f"{table} {count}" for table, count in sorted(touched.items()))
    click.echo(_("Forgot {subscriber_id}: {where} (other records keep their counts under an anonymous id).").format(
        subscriber_id=subscriber_id, where=where))
