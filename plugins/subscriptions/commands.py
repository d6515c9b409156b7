"""``sotong subscribers changes --since D FILE.csv``,
``sotong subscribers forget ID`` (SPEC §13), ``sotong subscribers purge``
(the privacy page's retention) and ``sotong subscribers codes`` (the phone
codes waiting in the store handed to this machine's SMS transport)."""

from __future__ import annotations

import time

import click

from sotong import signals
from sotong.cli import settings_option
from sotong.i18n import _
from sotong.interrupts import sigterm_as_ctrl_c
from sotong.options import DAY_TEXT, FileName
from sotong.problems import SotongError
from sotong.project import Project
from sotong.reconnect import Reconnecting, StoreDown

from . import inactive, inactive_notices, retention, storage
from .consent import forget, write_changes
from .outgoing import RETRY_SECONDS, Texter, sms_codes_transport
from .storage import contacts_of


@click.command("changes", help=_("Write the consent log from a day on (every change, its source, old and new values)."))
@click.option("--since", required=True, type=DAY_TEXT, help=_("The first day (Seoul) to export."))
@click.argument("csv_file", metavar="FILE.csv", type=FileName(_("private/consent-changes-{day}.csv")))
@settings_option
@sigterm_as_ctrl_c()  # kill, systemctl stop: no hidden part of the file left beside it
def changes_command(project: Project, since: str, csv_file: str):
    if public := project.published(csv_file):
        raise SotongError([_("{csv_file}: the changes name subscribers and may not be written under {public}/ (it is published); write it under private/").format(
            csv_file=csv_file, public=public)])
    count = write_changes(project.existing_store, since, csv_file)
    click.echo(_("Wrote {count} changes since {since} to {csv_file}.").format(
        count=count, since=since, csv_file=csv_file))


@click.command("forget", help=_("Erase a person's data everywhere in the store, keeping only counts."))
@click.argument("subscriber_id", metavar="ID")
@settings_option
@sigterm_as_ctrl_c()  # kill, systemctl stop: no hidden part of an outbox's file left beside it
def forget_command(project: Project, subscriber_id: str):
    project.declare_every_schema()
    project.store.upgrade()  # a newer Sotong's tables may hold what this one cannot erase: refused, nothing changed
    emails, phones = contacts_of(project.store, subscriber_id)  # before the store forgets them
    # the files first: one that cannot be read stops forget before the store changed, and it can run again
    in_files = forget_in_files(project, subscriber_id, emails, phones)
    deleted, kept = forget(project.store, subscriber_id, emails, phones, project=project)
    if not deleted and not kept and not in_files:
        raise SotongError([_('no subscriber "{subscriber_id}" and no record naming it in the store; check the id (sotong subscribers export lists them)').format(
            subscriber_id=subscriber_id)])
    deleted.update(in_files)
    click.echo(_("Forgot {subscriber_id}: deleted {deleted}; kept for counts under an anonymous id: {kept}.").format(
        subscriber_id=subscriber_id, deleted=_counts(deleted) or "-", kept=_counts(kept) or "-"))


def _counts(touched: dict[str, int]) -> str:
    return ", ".join(f"{what} {count}" for what, count in sorted(touched.items()))


def forget_in_files(project: Project, subscriber_id: str, emails: set[str], phones: set[str]) -> dict[str, int]:
    """The person's lines out of the SMS code file, and out of the files the
    other plugins keep under PRIVATE_PATH (``signals.person_forgotten``)."""
    removed = {}
    for _receiver, found in signals.person_forgotten.send(project, subscriber_id=subscriber_id,
                                                          emails=emails, phones=phones):
        removed.update(found or {})
    codes = sms_codes_transport(project.settings)
    removed[project.shown(codes.path)] = codes.forget(phones)
    return {what: count for what, count in removed.items() if count}


UNTOLD_SHOWN = 20  # ids named when some inactive subscribers could not be told
PURGE_HELP = _("Destroy what the privacy page says is past its retention: all but the unsubscribe time of those who unsubscribed a week ago or more; tell those sent nothing for two years, and end and destroy those told 30 days ago and still sent nothing. Run it daily; --dry-run only counts.")


@click.command("purge", help=PURGE_HELP)
@click.option("--dry-run", is_flag=True, help=_("Count what would be destroyed; change nothing."))
@settings_option
@sigterm_as_ctrl_c()  # kill, systemctl stop: the notices handed over recorded, not told again
def purge_command(project: Project, dry_run: bool):
    store, today = inactive.ensure(project.existing_store), project.today()
    found = inactive.inactive_subscribers(store, today)
    if found is None:
        click.echo(_("Nothing tells what was sent (the delivery plugin is not in PLUGINS): nobody is told or ended for being sent nothing."), err=True)
    notices = inactive.told(store)
    due = inactive.due_to_end(notices, found or set(), today)
    unsubscribed = retention.unsubscribed_to_purge(store, today)
    if not dry_run:
        if found is not None:
            inactive.drop_notices(store, sorted(set(notices) - found))
        # before the telling, which a stop or a mail server may cut short: nobody ended and not destroyed
        retention.purge_unsubscribed(store, unsubscribed, ending=due)
    said = (_("Unsubscribed on or before {day}: {count} subscribers' data would be destroyed; their id and unsubscribe time would stay.")
            if dry_run else
            _("Unsubscribed on or before {day}: {count} subscribers' data destroyed; their id and unsubscribe time stay."))
    click.echo(said.format(day=retention.last_unsubscribe_day(today), count=len(unsubscribed)))
    if not dry_run:
        _purged_in_files(project)
    untold = None if found is None else _tell_inactive(project, store, today, sorted(found - set(notices)), due, dry_run)
    _old_texts(project, today, dry_run)
    _abandoned(project.store, dry_run)
    if untold:  # after the rest of the purge was done: the daily timer's run shows as failed
        raise SotongError([untold])


def _purged_in_files(project: Project) -> None:
    """What the other plugins keep under PRIVATE_PATH of those the store
    now keeps only as an id and an unsubscribe time (previews)."""
    removed = {}
    for _receiver, found in signals.people_purged.send(project):
        removed.update(found or {})
    if any(removed.values()):
        click.echo(_("Files of the subscribers whose data was destroyed, removed: {removed}.").format(
            removed=_counts({what: count for what, count in removed.items() if count})))


def _old_texts(project: Project, today, dry_run: bool) -> None:
    """The texts (codes, notices) sent a year ago or more leave the SMS code file."""
    if dry_run:
        return
    codes = sms_codes_transport(project.settings)
    day = retention.first_kept_text_day(today)
    click.echo(_("{file}: {count} texts sent before {day} taken out (kept a year).").format(
        file=project.shown(codes.path), count=codes.drop_sent_before(day.isoformat()), day=day))


def _abandoned(store, dry_run: bool) -> None:
    """Sign-ups and address changes never confirmed, a day after their link
    expired, and mails whose link (texts whose code) expired unsent: the collector drops them
    as sign-ups come and mails leave, but when none do (a quiet month, the
    collector stopped) their names, addresses and phones stayed."""
    if dry_run:
        return
    now = time.time()
    with store.erasing(["subscriptions_pending", "subscriptions_mail", "subscriptions_texts"]), store.transaction():
        pending = storage.drop_expired(store, now)
        mails = storage.drop_stale_mail(store, now - storage.CONFIRM_SECONDS)
        texts = storage.drop_stale_texts(store, now)
    click.echo(_("{pending} sign-ups and address changes never confirmed (their link expired), {mails} mails and {texts} phone codes never sent destroyed.").format(
        pending=pending, mails=mails, texts=texts))


def _tell_inactive(project: Project, store, today, untold: list[str], due: list[str], dry_run: bool) -> str | None:
    """Tell the inactive subscribers not told yet (``untold``), and say so
    with the count of those ended (``due``, ended and destroyed before); the
    problem to end the run with when some could not be told."""
    words = {"since": inactive.inactive_since(today), "days": inactive.NOTICE_DAYS, "due": len(due),
             "told_day": inactive.last_told_day(today)}
    if dry_run:
        click.echo(_("Sent nothing since {since}: {untold} subscribers would be told (ended {days} days later if still so); {due} told on or before {told_day} would be ended.").format(
            untold=len(untold), **words))
        return None
    telling = inactive_notices.tell(store, project.settings, untold, today)
    click.echo(_("Sent nothing since {since}: {told} subscribers told (by email {email}, by text {sms}, address refused {refused}, no address {none}), ended {days} days later if still so; {due} told on or before {told_day} ended.").format(
        told=sum(telling.by_channel.values()), **{channel: telling.by_channel[channel] for channel in inactive_notices.CHANNELS}, **words))
    if not telling.untold:
        return None
    shown = " ".join(telling.untold[:UNTOLD_SHOWN]) + (" ..." if len(telling.untold) > UNTOLD_SHOWN else "")
    return _("{count} inactive subscribers could not be told now ({reason}): not counted as told, their {days} days not started; the next run tells them: {ids}").format(
        count=len(telling.untold), reason=telling.reason, days=inactive.NOTICE_DAYS, ids=shown)


FOLLOW_SECONDS = 1.0  # codes --follow looks this often when nothing waits: a code waits at most a second more
CODES_HELP = _("Hand the phone codes waiting in the store to this machine's SMS code file (private/subscriptions/sms-codes.csv), each once, none expired: with SMS_CODES_BY = \"command\", run it on the one machine whose file goes to the SMS agency. --follow keeps doing so until stopped.")


@click.command("codes", help=CODES_HELP)
@click.option("--follow", is_flag=True, help=_("Keep handing the codes over as they come (each second), until stopped (Ctrl+C, systemctl stop)."))
@settings_option
@sigterm_as_ctrl_c()  # systemctl stop: the batch being handed over is removed from the store first
def codes_command(project: Project, follow: bool):
    store, transport = storage.ensure(project.store), sms_codes_transport(project.settings)
    # a connection lost (a PostgreSQL restart) opened again; while the server does not answer, StoreDown
    reconnecting = Reconnecting(lambda: project.store, lambda _lost: project.close_store(), first=store)
    texter, path = Texter(reconnecting, project.settings, transport), transport.path
    said = _("{count} phone codes handed to {file}.")
    if not follow:
        while (pause := texter.send_queued()) == 0.0:  # 0: a whole batch went, more may wait
            pass
        click.echo(said.format(count=texter.handed, file=project.shown(path)))
        if pause == RETRY_SECONDS:  # the file cannot be written: what is left waits in the store
            raise SotongError([_("{file}: the phone codes could not be written there; they wait in the store: make the folder writable and run the command again").format(
                file=project.shown(path))])
        return
    while True:
        before = texter.handed
        try:
            pause = texter.send_queued()
        except StoreDown as down:  # said once in the log; the codes wait in the store
            pause = down.retry_after
        if texter.handed > before:
            click.echo(said.format(count=texter.handed - before, file=project.shown(path)))
        time.sleep(FOLLOW_SECONDS if pause is None else pause)
