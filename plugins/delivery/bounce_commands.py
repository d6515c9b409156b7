"""What comes back after sending (SPEC §14): ``sotong bounces`` (the bounce
mailbox) and ``sotong send results`` (the SMS agency's result file) into the
journal; the late bounces that ``sotong send report`` lists; and the issue
report, ``sotong report --issue D``."""

from __future__ import annotations

from pathlib import Path

import click

from sotong import signals
from sotong.cli import settings_option
from sotong.links import short_codes, sms_link_notices
from sotong.problems import SotongError
from sotong.settings import SettingsProblems
from sotong.store import now_iso
from sotong.subscribers import decode

from . import bounces, clicks, issue_report, sms_results
from .bounce_config import bounce_address, bounce_problems, open_mailbox, score_limit, sms_soft_codes
from .journal import Journal
from .options import issue_date
from .outbox import outbox_folder
from .progress import progress

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
    today = now_iso()[:10]
    with open_mailbox(project.settings) as box:
        with progress(box.total, "Reading bounces") as advance:
            found = bounces.sort_mails(box.mails(), address, today, advance)
        new = 0
        for start in range(0, len(found.bounces), BATCH):
            batch = found.bounces[start:start + BATCH]
            with store.transaction():
                new += bounces.record(store, [_row(bounce) for _handle, bounce in batch], now_iso())
            box.move([handle for handle, _bounce in batch])
    readers = {bounce.return_path.subscriber_id for _handle, bounce in found.bounces}
    with store.transaction():
        flagged = bounces.mark_invalid(store, readers, limit, now_iso())
    _say(found, new, readers, flagged, limit, project.settings.get("BOUNCE_FOLDER", "sotong-handled"))


@click.command("results")
@click.option("--issue", metavar="YYYY-MM-DD", required=True, callback=issue_date, help="The issue whose SMS the file reports on.")
@click.argument("result_file", metavar="FILE.csv", type=click.Path(dir_okay=False))
@settings_option
def send_results(project, issue, result_file):
    """Import the SMS agency's result file (columns phone, status, code, time;
    status delivered or failed) into the journal; failures count as bounces."""
    path = Path(result_file)
    if not path.is_file():
        raise SotongError([f"{result_file}: file not found; give the agency's result file (phone, status, code, time)"])
    journal = Journal(sms_results.ensure(project.store))
    if not any(channel == "sms" for channel, _type, _state in journal.counts(issue)):
        raise SotongError([f"no SMS of {issue} is in the journal; record the handover first with: sotong send --issue {issue}"])
    shown = project.shown(path)
    results, problems = sms_results.read_results(decode(path.read_bytes(), shown), shown,
                                                 sms_results.outbox_phones(outbox_folder(project.settings, issue) / "sms.csv"))
    if problems:
        raise SotongError(problems + [f"{shown}: nothing was imported; correct the lines above and run again"])
    imported = sms_results.record_results(project.store, issue, results, sms_soft_codes(project.settings), now_iso())
    click.echo(f"SMS results of {issue}: {imported.delivered} delivered, {imported.failed} failed "
               f"({imported.failed - imported.soft} hard, {imported.soft} soft); {imported.new_failures} failures new to the journal.")
    limit = score_limit(project.settings)
    with project.store.transaction():
        flagged = bounces.mark_invalid(project.store, {r.subscriber_id for r in results if r.status == "failed"},
                                       limit, now_iso(), channel="sms")
    if flagged:
        click.echo(f"Flagged {len(flagged)} phone numbers as invalid (bounce score {limit:g} or more); bundles send them no SMS "
                   "until the number is changed: " + ", ".join(flagged))
    if imported.failed:
        click.echo(f"See who: sotong send report --issue {issue}")


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


def after_send_lines(store, outbox: str) -> list[str]:
    """For ``sotong send report``: the SMS agency's results, and the bounces
    and SMS failures recorded after sending, by reader id."""
    lines = []
    sms = sms_results.sms_result_counts(sms_results.ensure(store), outbox)
    if sms:
        lines.append(f"SMS results from the agency: {sms.get('delivered', 0)} delivered, {sms.get('failed', 0)} failed.")
    rows = bounces.ensure(store).db.execute(
        "SELECT subscriber_id, channel, kind, status, reason, day FROM delivery_bounces WHERE outbox = ?"
        " ORDER BY channel, subscriber_id, day", (outbox,)).fetchall()
    if not rows:
        return lines
    hard = sum(1 for row in rows if row["kind"] == "hard")
    lines += [f"Late bounces and SMS failures ({len(rows)}: {hard} hard, {len(rows) - hard} soft; from sotong bounces "
             "and sotong send results):"]
    for row in rows:
        answer = " ".join(p for p in (row["status"], row["reason"]) if p)
        lines.append(f"  {row['subscriber_id']}  {row['channel']}  {row['kind']} on {row['day']}: {answer}")
    return lines


def issue_report_command(project, issue: str) -> None:
    """``sotong report --issue D``: private/reports/issue-D.html and .csv."""
    store = sms_results.ensure(clicks.ensure(project.store))
    journal = Journal(store)
    if not journal.counts(issue):
        raise SotongError([f"nothing of {issue} is in the journal yet; send it first with: sotong send --issue {issue}"])
    notice_rows, message_rows, titles = issue_report.journal_rows(store.db, issue)
    by_code = {code: slug for slug, code in short_codes(sms_link_notices(project.published_notices)).items()}
    counted = {}
    for (channel, ref), count in clicks.click_counts(store, issue).items():
        slug = ref if channel == "email" else by_code.get(ref, ref)
        counted[channel, slug] = counted.get((channel, slug), 0) + count
    surveys = [figure for _receiver, figures in signals.outbox_figures.send(project, outbox=issue) for figure in figures or ()]
    result = issue_report.issue_report(issue, notice_rows, message_rows, counted, titles, surveys)
    folder = Path(project.settings["PRIVATE_PATH"]) / "reports"
    html_path, csv_path = issue_report.write_issue_report(result, folder, project.settings.get("SITENAME", "성동구 소통"))
    total = result.total
    click.echo(f"{issue}: {total.handed_over} messages handed over, {total.accepted} emails accepted, "
               f"{total.bounced_hard} bounced hard and {total.bounced_soft} soft, SMS {total.sms_delivered} delivered "
               f"and {total.sms_failed} failed, {total.clicks or 0} clicks.")
    click.echo(f"Wrote {project.shown(html_path)} and {project.shown(csv_path)}")
