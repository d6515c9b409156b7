"""``sotong bounces``: the bounce mailbox into the journal (SPEC §14)."""

from __future__ import annotations

import click

from sotong.cli import settings_option
from sotong.problems import SotongError
from sotong.settings import SettingsProblems

from . import bounces
from .bounce_config import bounce_address, bounce_problems, open_mailbox, score_limit
from .journal import seoul_now

BATCH = 500  # bounces recorded per transaction, then moved


@click.command("bounces")
@settings_option
def bounces_command(project):
    """Read the bounce mailbox: attribute each bounce to its reader by its return
    path, record and score it, move it to BOUNCE_FOLDER, and flag addresses
    whose score reaches BOUNCE_SCORE_LIMIT; other mail stays where it is."""
    found = SettingsProblems(project.settings)
    bounce_problems(project.settings, found)
    if found.problems:
        raise SotongError(found.problems)
    address, limit = bounce_address(project.settings), score_limit(project.settings)
    store = bounces.ensure(project.store)
    today = seoul_now()[:10]
    with open_mailbox(project.settings) as box:
        found = bounces.sort_mails(box.mails(), address, today)
        new = 0
        for start in range(0, len(found.bounces), BATCH):
            batch = found.bounces[start:start + BATCH]
            with store.transaction():
                new += bounces.record(store, [_row(bounce) for _handle, bounce in batch], seoul_now())
            box.move([handle for handle, _bounce in batch])
    readers = {bounce.return_path.subscriber_id for _handle, bounce in found.bounces}
    with store.transaction():
        flagged = bounces.mark_invalid(store, readers, limit, seoul_now())
    _say(found, new, readers, flagged, limit, project.settings.get("BOUNCE_FOLDER", "sotong-handled"))


def _row(bounce: bounces.Bounce) -> tuple:
    verdict = bounce.verdict
    return (bounce.source_key, bounce.return_path.outbox, bounce.return_path.subscriber_id, "email",
            verdict.kind, bounce.day, verdict.status, verdict.reason)


def _say(found, new: int, readers: set, flagged: list, limit: float, folder: str) -> None:
    hard = sum(1 for _h, b in found.bounces if b.verdict.kind == "hard")
    total = len(found.bounces)
    click.echo(f"Bounces: {total} ({hard} hard, {total - hard} soft) from {len(readers)} readers, "
               f"{new} new and {total - new} counted before; moved to {folder}.")
    if found.unattributed or found.not_bounces:
        click.echo(f"Left where they were: {found.unattributed} mails without a genuine return path of ours "
                   f"(other mail, or a forged tag), {found.not_bounces} auto-replies or other answers that are no bounce.")
    if flagged:
        click.echo(f"Flagged {len(flagged)} email addresses as invalid (bounce score {limit:g} or more); bundles skip them "
                   "until the address is changed: " + ", ".join(flagged))


def late_bounce_lines(store, outbox: str) -> list[str]:
    """For ``sotong send report``: the bounces and SMS failures recorded
    after sending, by reader id (empty when there are none)."""
    rows = bounces.ensure(store).db.execute(
        "SELECT subscriber_id, channel, kind, status, reason, day FROM delivery_bounces WHERE outbox = ?"
        " ORDER BY channel, subscriber_id, day", (outbox,)).fetchall()
    if not rows:
        return []
    hard = sum(1 for row in rows if row["kind"] == "hard")
    lines = [f"Late bounces and SMS failures ({len(rows)}: {hard} hard, {len(rows) - hard} soft; from sotong bounces "
             "and sotong send results):"]
    for row in rows:
        answer = " ".join(p for p in (row["status"], row["reason"]) if p)
        lines.append(f"  {row['subscriber_id']}  {row['channel']}  {row['kind']} on {row['day']}: {answer}")
    return lines
