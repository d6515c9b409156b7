"""``sotong subscribers changes --since D FILE.csv`` and
``sotong subscribers forget ID`` (SPEC §13)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from sotong.cli import settings_option
from sotong.problems import SotongError
from sotong.project import Project

from .consent import forget, write_changes


def _day(ctx, param, value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f'"{value}" is not a day; write it as YYYY-MM-DD, e.g. 2026-11-01') from None


@click.command("changes")
@click.option("--since", required=True, callback=_day, metavar="YYYY-MM-DD", help="The first day (Seoul) to export.")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(dir_okay=False))
@settings_option
def changes_command(project: Project, since: str, csv_file: str):
    """Write the consent log from a day on (every change, its source, old and new values)."""
    public = Path(project.settings["OUTPUT_PATH"]).resolve()
    if Path(csv_file).resolve().is_relative_to(public):
        raise SotongError([f"{csv_file}: the changes name subscribers and may not be written under "
                           f"{project.shown(public)}/ (it is published); write it under private/"])
    count = write_changes(project.store, since, csv_file)
    click.echo(f"Wrote {count} changes since {since} to {csv_file}.")


@click.command("forget")
@click.argument("subscriber_id", metavar="ID")
@settings_option
def forget_command(project: Project, subscriber_id: str):
    """Erase a person's data everywhere in the store, keeping only counts."""
    touched = forget(project.store, subscriber_id)
    if not touched:
        raise SotongError([f'no subscriber "{subscriber_id}" and no record naming it in the store; check the id '
                           f'(sotong subscribers export lists them)'])
    where = ", ".join(f"{table} {count}" for table, count in sorted(touched.items()))
    click.echo(f"Forgot {subscriber_id}: {where} (other records keep their counts under an anonymous id).")
