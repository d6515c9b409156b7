"""What comes back after sending (SPEC §14): ``sotong bounces`` (the bounce
mailbox) and ``sotong send results`` (the SMS agency's result file) into the
journal; the late bounces that ``sotong send report`` lists; and the issue
report, ``sotong report --issue D`` (or ``--notice SLUG``)."""

from __future__ import annotations

import functools

from pathlib import Path

import click

from sotong import signals
from sotong.cli import settings_option
from sotong.i18n import _
from sotong.links import site_short_codes
from sotong.options import ISSUE_DAY_TEXT, FileName
from sotong.problems import SotongError
from sotong.settings import settings_flag
from sotong.progress import progress
from sotong.store import now_iso
from sotong.subscribers import decode

from . import bounces, clicks, issue_report, retention, sms_results
from .bounce_config import bounce_address, bounce_settings, open_mailbox, sms_soft_codes
from .journal import CHANNEL_WORDS, KIND_WORDS, Journal
from .options import notice_slug, option_of, outbox_key
from .outbox import outbox_folder

BATCH = 500  # bounces recorded per transaction, then moved


@click.command("bounces", help=_("Read the bounce mailbox: attribute each bounce to its reader by its return path, record and score it, move it to BOUNCE_FOLDER, and flag addresses whose score reaches BOUNCE_SCORE_LIMIT; other mail stays where it is. Handled bounces are deleted from BOUNCE_FOLDER a year after they arrived."))
@settings_option
def bounces_command(project):
    config = bounce_settings(project.settings)
    address, limit = bounce_address(project.settings, config), config["BOUNCE_SCORE_LIMIT"]
    store = bounces.ensure(project.store)
    today = now_iso()[:10]
    with open_mailbox(project.settings, config) as box:
        with progress(box.total, _("Reading bounces")) as advance:
            known = bounces.StoredSpellings(store).known
            ours = functools.partial(bounces.may_be_ours, bounce_address=address, known=known)
            found = bounces.sort_mails(box.mails(ours), address, today, advance, known)
        new, flagged = 0, []
        for start in range(0, len(found.bounces), BATCH):
            batch = found.bounces[start:start + BATCH]
            # flagged with their bounces: a run stopped after a batch was moved (never read again) lost no flag
            with store.transaction():
                new += bounces.record(store, [_row(bounce) for _handle, bounce in batch], now_iso())
                flagged += bounces.mark_invalid(store, {bounce.return_path.subscriber_id for _handle, bounce in batch},
                                                limit, now_iso())
            box.move([handle for handle, _bounce in batch])
        kept_from = retention.first_kept_day(project.today())
        purged = box.purge_handled(kept_from)
    readers = {bounce.return_path.subscriber_id for _handle, bounce in found.bounces}
    known = bounces.readers_addresses(store, readers)  # record() left the others out
    forgotten = sum(1 for _handle, bounce in found.bounces if bounce.return_path.subscriber_id not in known)
    _say(found, new, forgotten, readers, sorted(flagged), limit, config["BOUNCE_FOLDER"])
    if purged:
        click.echo(_("Deleted from {folder}: {count:,} handled bounce mails that arrived before {day} (kept a year).").format(
            folder=config["BOUNCE_FOLDER"], count=purged, day=kept_from))


@click.command("results", help=_("Import the SMS agency's result file (columns phone, status, code, time; status delivered or failed) into the journal; failures count as bounces."))
@click.option("--issue", metavar="YYYY-MM-DD", type=ISSUE_DAY_TEXT, help=_("The issue whose SMS the file reports on."))
@click.option("--notice", metavar="SLUG", callback=notice_slug, help=_("A one-off notice outbox whose SMS the file reports on."))
@click.argument("result_file", metavar="FILE.csv", type=FileName(_("sms-results-{day}.csv"), reads=True))
@settings_option
def send_results(project, issue, notice, result_file):
    (key, kind), config = outbox_key(issue, notice), bounce_settings(project.settings)
    path = Path(result_file)
    if not path.is_file():
        raise SotongError([_("{result_file}: file not found; give the agency's result file (phone, status, code, time)").format(
            result_file=result_file)])
    journal = Journal(sms_results.ensure(project.store))
    if not any(channel == "sms" for channel, _type, _state in journal.counts(key)):
        raise SotongError([_("no SMS of {key} is in the journal; record the handover first with: sotong send {option} {key}{settings}").format(
            key=key, option=option_of(kind), settings=settings_flag(project.settings))])
    shown, sms_csv = project.shown(path), outbox_folder(project.settings, key) / "sms.csv"
    results, problems = sms_results.read_results(decode(path.read_bytes(), shown), shown,
                                                 sms_results.outbox_phones(sms_csv, project.shown(sms_csv)))
    if problems:
        raise SotongError(problems + [_("{shown}: nothing was imported; correct the lines above and run again").format(
            shown=shown)])
    known = sms_results.of_known_readers(project.store, results)
    if len(known) < len(results):
        click.echo(_("Left out {count:,} results of readers forgotten since the send (sotong subscribers forget).").format(
            count=len(results) - len(known)))
    results = sms_results.handed_over(project.store, key, known)
    if len(results) < len(known):
        click.echo(_("Left out {count:,} results of readers whose SMS sotong send did not hand over (they unsubscribed or became unreachable after bundling): the agency was given an sms.csv that still held them.").format(
            count=len(known) - len(results)))
    imported = sms_results.record_results(project.store, key, results, sms_soft_codes(config), now_iso())
    click.echo(_("SMS results of {issue}: {delivered:,} delivered, {failed:,} failed ({hard:,} hard, {soft:,} soft); {new_failures:,} failures new to the journal.").format(
        issue=key, delivered=imported.delivered, failed=imported.failed, hard=imported.failed - imported.soft, soft=imported.soft, new_failures=imported.new_failures))
    limit = config["BOUNCE_SCORE_LIMIT"]
    with project.store.transaction():
        flagged = bounces.mark_invalid(project.store, {r.subscriber_id for r in results if r.status == "failed"},
                                       limit, now_iso(), channel="sms")
    if flagged:
        click.echo(_("Flagged {count:,} phone numbers as invalid (bounce score {limit:g} or more); bundles send them no SMS until the number is changed: ").format(
            count=len(flagged), limit=limit) + bounces.listed_ids(flagged))
    if imported.failed:
        click.echo(_("See who: sotong send report {option} {key}{settings}").format(
            option=option_of(kind), key=key, settings=settings_flag(project.settings)))


def _row(bounce: bounces.Bounce) -> tuple:
    verdict = bounce.verdict
    return (bounce.source_key, bounce.return_path.outbox, bounce.return_path.subscriber_id, "email",
            verdict.kind, bounce.day, verdict.status, verdict.reason)


def _say(found, new: int, forgotten: int, readers: set, flagged: list, limit: float, folder: str) -> None:
    """The summary: the bounces moved, of them those new, those counted before and those of forgotten readers."""
    hard = sum(1 for _h, b in found.bounces if b.verdict.kind == "hard")
    total = len(found.bounces)
    if not total:
        click.echo(_("Bounces: no bounce of our mail in the mailbox; nothing was recorded or moved."))
    else:
        click.echo(_("Bounces: {total:,} ({hard:,} hard, {soft:,} soft) from {count:,} readers, {new:,} new and {before:,} counted before; moved to {folder}.").format(
            total=total, hard=hard, soft=total - hard, count=len(readers), new=new, before=total - new - forgotten, folder=folder))
    if forgotten:
        click.echo(_("Of them, {count:,} to readers forgotten since the send (sotong subscribers forget): moved, recorded nowhere.").format(
            count=forgotten))
    if found.unattributed or found.not_bounces:
        click.echo(_("Left where they were: {unattributed:,} mails without a genuine return path of ours (other mail, or a forged tag), {not_bounces:,} auto-replies or other answers that are no bounce.").format(
            unattributed=found.unattributed, not_bounces=found.not_bounces))
    if flagged:
        click.echo(bounces.flagged_line(flagged, limit))


def after_send_lines(store, outbox: str, limit: float) -> list[str]:
    """For ``sotong send report``: the SMS agency's results, the bounces
    and SMS failures recorded after sending, by reader id, and the bounce
    score of the readers whose address the server refused (``limit``:
    BOUNCE_SCORE_LIMIT)."""
    lines = []
    sms = sms_results.sms_result_counts(sms_results.ensure(store), outbox)
    if sms:
        lines.append(_("SMS results from the agency: {delivered:,} delivered, {failed:,} failed.").format(
            delivered=sms.get('delivered', 0), failed=sms.get('failed', 0)))
    refused = [row[0] for row in bounces.ensure(store).db.execute(
        f"SELECT subscriber_id FROM delivery_bounces WHERE outbox = ? AND NOT ({bounces.LATE}) ORDER BY 1", (outbox,))]
    if refused:
        lines.append(_("Refusals counted as bounces of the address ({count:,}); bounce scores now (flagged at {limit:g}): ").format(
            count=len(refused), limit=limit) + ", ".join(
            f"{reader} {score:g}" for reader, score in sorted(bounces.scores(store, "email", refused).items())))
    rows = store.db.execute(
        "SELECT subscriber_id, channel, kind, status, reason, day FROM delivery_bounces WHERE outbox = ?"
        f" AND {bounces.LATE} ORDER BY channel, subscriber_id, day", (outbox,)).fetchall()
    if not rows:
        return lines
    hard = sum(1 for row in rows if row["kind"] == "hard")
    lines += [_("Late bounces and SMS failures ({count:,}: {hard:,} hard, {soft:,} soft; from sotong bounces and sotong send results):").format(
        count=len(rows), hard=hard, soft=len(rows) - hard)]
    for row in rows:  # a mail server's own words; the SMS agency's code in the staff's
        answer = (_("the SMS agency reported it failed (code {code})").format(code=row["status"] or "-")
                  if row["channel"] == "sms" else " ".join(p for p in (row["status"], row["reason"]) if p))
        lines.append(_("  {subscriber_id}  {channel}  {kind} on {day}: {answer}").format(
            subscriber_id=row['subscriber_id'], channel=_(CHANNEL_WORDS[row['channel']]), kind=_(KIND_WORDS[row['kind']]),
            day=row['day'], answer=answer))
    return lines


def issue_report_command(project, issue: str, kind: str = "issue") -> None:
    """``sotong report --issue D`` (or ``--notice SLUG``, ``kind`` notice):
    private/reports/issue-D.html and .csv."""
    store = sms_results.ensure(clicks.ensure(project.existing_store))
    journal = Journal(store)
    if not journal.counts(issue):
        raise SotongError([_("nothing of {key} is in the journal yet; send it first with: sotong send {option} {key}{settings}").format(
            key=issue, option=option_of(kind), settings=settings_flag(project.settings))])
    notice_rows, message_rows, titles = issue_report.journal_rows(store, issue)
    counted, titles = issue_report.notice_clicks(clicks.click_counts(store, issue),
                                                 site_short_codes(project.settings, project.published_notices), titles)
    surveys = [figure for _receiver, figures in signals.outbox_figures.send(
        project, outbox=issue, reached=issue_report.reached_by_email(store, issue)) for figure in figures or ()]
    result = issue_report.issue_report(issue, notice_rows, message_rows, counted, titles, surveys)
    folder = Path(project.settings["PRIVATE_PATH"]) / "reports"
    html_path, csv_path = issue_report.write_issue_report(result, folder, project.settings.get("SITENAME", "성동구 소통"))
    total = result.total
    click.echo(_("{issue}: {messages:,} messages ({emails:,} emails, {sms:,} SMS); emails {accepted:,} accepted, {refused:,} refused, {unsent:,} not sent yet, {bounced_hard:,} bounced hard and {bounced_soft:,} soft; SMS {sms_delivered:,} delivered and {sms_failed:,} failed; {clicks:,} clicks.").format(
        issue=issue, messages=total.messages, emails=result.by_channel["email"].messages,
        sms=result.by_channel["sms"].messages, accepted=total.accepted, refused=total.refused, unsent=total.unsent,
        bounced_hard=total.bounced_hard, bounced_soft=total.bounced_soft, sms_delivered=total.sms_delivered,
        sms_failed=total.sms_failed, clicks=total.clicks or 0))
    if total.unsent:
        click.echo(_("The emails not sent yet go when sotong send {option} {key}{settings} runs again.").format(
            option=option_of(kind), key=issue, settings=settings_flag(project.settings)))
    click.echo(_("Wrote {html_path} and {csv_path}").format(
        html_path=project.shown(html_path), csv_path=project.shown(csv_path)))
