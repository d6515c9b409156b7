"""The delivery commands: ``sotong send``, ``sotong send report``,
``sotong report`` and ``sotong subscribers unsubscribe --phones``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

import click

from sotong.cli import settings_option
from sotong.problems import SotongError
from sotong.sms import sms_settings, won
from sotong.store import now_iso

from . import annual
from .bounce_commands import after_send_lines, issue_report_command, send_results
from .config import delivery_config
from .options import issue_date, notice_slug
from .progress import progress
from .journal import DEFERRED, FAILED, SENT, Journal, NoticeInfo, flag_invalid_addresses
from .outbox import read_outbox
from .phones import mask_phone, unsubscribe_phones
from .rules import invalid_address
from .sender import Sender
from .staff_send import send_staff_copy, staff_address


def _outbox_key(issue, notice) -> tuple[str, str]:
    if bool(issue) == bool(notice):
        raise click.UsageError("give either --issue YYYY-MM-DD or --notice SLUG")
    return (issue, "issue") if issue else (notice, "notice")


@click.group(invoke_without_command=True)
@click.option("--issue", metavar="YYYY-MM-DD", callback=issue_date, help="Send the outbox of this issue.")
@click.option("--notice", metavar="SLUG", callback=notice_slug, help="Send the one-off outbox of this notice.")
@click.option("--host", help="SMTP server (default: SMTP_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="SMTP port (default: SMTP_PORT).")
@click.option("--rate", type=click.FloatRange(0, min_open=True), help="Messages per second (default: SEND_RATE).")
@click.option("--dry-run", is_flag=True, help="Say what would be sent; send and record nothing.")
@click.option("--to", callback=lambda ctx, param, value: value and staff_address(value), metavar="ADDRESS",
              help="A test: send one reader's email of --issue, marked [시험], to this staff address only.")
@click.option("--as", "reader_id", metavar="ID", help="With --to: the subscriber whose email is sent.")
@click.option("--persona", metavar='"dong=응봉동 fields=건강정보"', help="With --to: an imagined reader instead.")
@settings_option
@click.pass_context
def send(ctx, project, issue, notice, host, port, rate, dry_run, to, reader_id, persona):
    """Hand an outbox's emails to the SMTP server and record its SMS as handed
    over to the SMS agency; a re-run sends only what was not accepted.

    \b
    A test: sotong send --issue D --to ADDRESS (--as ID | --persona "...")
    """
    if ctx.invoked_subcommand is not None:
        return
    if to or reader_id or persona:
        return _staff_copy(ctx, project, to)
    key, kind = _outbox_key(issue, notice)
    config = delivery_config(project.settings, host=host, port=port, rate=rate, need_password=not dry_run)
    outbox = read_outbox(project.settings, key, kind, project.shown)
    journal = Journal(project.store)
    subscribers = {s.id: s for s in project.store.subscribers()}

    def reachable(subscriber_id: str, channel: str) -> bool:
        subscriber = subscribers.get(subscriber_id)
        return subscriber is not None and subscriber.reachable_by(channel)

    with _send_lock(project, key):
        notices = _notice_infos(project, outbox)
        recorded, pending = journal.record_outbox(outbox, reachable, notices, dry_run=dry_run)
        sms = (f"{len(recorded.sms)} SMS messages (SMS {recorded.sms_types['SMS']}, "
               f"LMS {recorded.sms_types['LMS']})")
        if dry_run:
            click.echo(f"Dry run, nothing sent or recorded. Would send {len(pending)} emails to "
                       f"{config.smtp_host}:{config.smtp_port} at {config.rate:g}/s and record {sms} "
                       f"as handed over to the SMS agency.")
        else:
            _warn_edited_since_bundling(project, outbox)
            with progress(len(pending), f"Sending {key}") as advance:
                figures = Sender(config, journal, outbox, on_settled=advance).run(pending)
            journal.hand_over(outbox, recorded.sms)  # only once the run has not stopped
    option = "--issue" if kind == "issue" else "--notice"
    if not dry_run:
        click.echo(_emails_line(figures) if pending else _nothing_left_line(journal.counts(key)))
        if any(m.channel == "sms" for m in outbox.messages):
            click.echo(f"SMS: {sms} recorded as handed over; give {project.shown(outbox.path / 'sms.csv')} "
                       "to the SMS agency (문자 발송 대행).")
    left_out = recorded.left_out
    if left_out["email"] or left_out["sms"]:
        click.echo(f"Left out: {left_out['email'] + left_out['sms']} readers unsubscribed or unreachable since "
                   f"bundling (email {left_out['email']}, SMS {left_out['sms']}).")
    if left_out["sms"]:
        click.echo(f"Make sms.csv again without them before giving it to the agency: sotong bundles {option} {key}")
    if not dry_run and (figures.failed or figures.deferred):
        click.echo(f"See who and why: sotong send report {option} {key}"
                   + ("; deferred ones are retried by running this command again later." if figures.deferred else ""))
        ctx.exit(1)


def _staff_copy(ctx, project, to) -> None:
    if to is None:
        raise click.UsageError("--as and --persona choose the reader of a test; give the staff address with --to ADDRESS")
    send_staff_copy(project, ctx.params)


def _emails_line(figures) -> str:
    """What this run did with the emails."""
    return (f"Emails: {figures.sent} sent, {figures.failed} failed, {figures.deferred} deferred "
            f"in {figures.seconds:.1f} s"
            + (f"; {figures.resent_in_flight} were in flight when an earlier run stopped and went again"
               if figures.resent_in_flight else "")
            + (f"; the connection dropped {figures.reconnects} times and was reopened" if figures.reconnects else "")
            + (f"; {figures.withdrawn} readers unsubscribed during the run and were left out" if figures.withdrawn else "")
            + ".")


def _nothing_left_line(counts: dict) -> str:
    """A run with no email left to send: what earlier runs did."""
    sent = counts.get(("email", "EMAIL", SENT), 0)
    failed = counts.get(("email", "EMAIL", FAILED), 0)
    if not failed:
        return f"Emails: all {sent:,} were already sent; nothing left to send."
    return (f"Emails: nothing left to send: {sent:,} were already sent and {failed:,} failed for good "
            "(sotong send report lists them).")


def _warn_edited_since_bundling(project, outbox) -> None:
    """Warn about notices of the outbox whose file changed after it was made:
    its emails hold the text as it was."""
    made = (outbox.path / "manifest.jsonl").stat().st_mtime_ns
    slugs = {slug for message in outbox.messages for slug in message.notices}
    notices, _problems = project.read_notices()
    for notice in notices:
        if notice.slug in slugs and os.stat(notice.source).st_mtime_ns > made:
            option = "--issue" if outbox.kind == "issue" else "--notice"
            click.echo(f"{project.shown(notice.source)}: warning: changed after the outbox {outbox.key} was made; "
                       f"its messages carry the text as it was then. For the new text, make the outbox again "
                       f"(sotong bundles {option} {outbox.key}) before sending it", err=True)


@send.command("report")
@click.option("--issue", metavar="YYYY-MM-DD", callback=issue_date, help="The issue's outbox.")
@click.option("--notice", metavar="SLUG", callback=notice_slug, help="A one-off notice outbox.")
@click.option("--mark-invalid", is_flag=True,
              help="Flag addresses the server rejected for good (e.g. 550 no such user), so bundles skip them.")
@settings_option
def send_report(project, issue, notice, mark_invalid):
    """Counts by state, and the failed and deferred readers (by id) with the server's answer."""
    key, kind = _outbox_key(issue, notice)
    journal = Journal(project.store)
    counts = journal.counts(key)
    if not counts:
        option = "--issue" if kind == "issue" else "--notice"
        raise SotongError([f"nothing of {key} is in the journal yet; send it first with: sotong send {option} {key}"])
    click.echo(f"Outbox {key}:")
    for channel, label in (("email", "email"), ("sms", "SMS/LMS")):
        by_state: dict = {}
        for (c, _type, state), n in counts.items():
            if c == channel:
                by_state[state] = by_state.get(state, 0) + n
        if by_state:
            parts = ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in sorted(by_state.items()))
            click.echo(f"  {label}: {parts}")
    unsettled = journal.unsettled(key)
    invalid = [row for row in unsettled if row["state"] == FAILED
               and invalid_address(row["answer_stage"], row["answer_code"], row["answer_text"])]
    invalid_ids = {row["subscriber_id"] for row in invalid}
    for state, title in ((FAILED, "Failed"), (DEFERRED, "Deferred (retried by the next sotong send)")):
        rows = [row for row in unsettled if row["state"] == state]
        if rows:
            click.echo(f"{title} ({len(rows)}):")
        for row in rows:
            answer = " ".join(str(p) for p in (row["answer_code"], row["answer_text"]) if p)
            flag = "  [invalid address]" if row["subscriber_id"] in invalid_ids and state == FAILED else ""
            click.echo(f"  {row['subscriber_id']}  {row['channel']}  after {row['attempts']} tries: {answer}{flag}")
    for line in after_send_lines(project.store, key):
        click.echo(line)
    if invalid and not mark_invalid:
        click.echo(f"{len(invalid)} addresses do not exist; add --mark-invalid to flag them so that bundles skip them.")
    if mark_invalid:
        reasons = [(row["subscriber_id"], f"{row['answer_code']} {row['answer_text']}") for row in invalid]
        flagged = flag_invalid_addresses(project.store, reasons, now_iso())
        click.echo(f"Flagged {len(flagged)} email addresses as invalid ({len(invalid) - len(flagged)} were already): "
                   "bundles skip them until the address is corrected in the e-communication system.")
        for subscriber_id in flagged:
            click.echo(f"  {subscriber_id}")


@click.command("report")
@click.option("--year", type=click.IntRange(2000, 2999), help="The annual report of this calendar year, e.g. 2026.")
@click.option("--issue", metavar="YYYY-MM-DD", callback=issue_date, help="The report of one issue, e.g. 2026-11-26.")
@settings_option
def report(project, year, issue):
    """The annual e-communication report (--year), or what became of one issue's
    messages (--issue), from the journal: HTML and CSV in private/reports/."""
    if (year is None) == (issue is None):
        raise click.UsageError("give --year YYYY or --issue YYYY-MM-DD (one of them)")
    if issue:
        return issue_report_command(project, issue)
    prices = sms_settings(project.settings).prices
    journal = Journal(project.store)
    result = annual.annual_report(year, journal.sent_aggregates(year), prices)
    folder = Path(project.settings["PRIVATE_PATH"]) / "reports"
    html_path, csv_path = annual.write_report(result, folder, project.settings.get("SITENAME", "성동구 소통"))
    total = result.total
    click.echo(f"{year}: {total.notices} notices, {total.deliveries} deliveries (email {total.by_type['EMAIL']}, "
               f"SMS {total.by_type['SMS']}, LMS {total.by_type['LMS']}); texts cost {won(total.cost(prices))}.")
    click.echo(f"Wrote {project.shown(html_path)} and {project.shown(csv_path)}")


@click.command("unsubscribe")
@click.option("--phones", "phones_file", required=True, type=click.Path(dir_okay=False),
              help='A text file of numbers that replied "수신거부", one a line.')
@settings_option
def unsubscribe_phones_command(project, phones_file):
    """Unsubscribe the numbers of a "수신거부" reply list from SMS."""
    path = Path(phones_file)
    if not path.is_file():
        raise SotongError([f"{phones_file}: file not found; give the list of numbers, one a line"])
    result = unsubscribe_phones(project.store, path, project.shown(path), now_iso())
    click.echo(f"{len(result.matched)} numbers matched: {result.unsubscribed} subscribers unsubscribed from SMS now, "
               f"the others already were.")
    if result.unknown:
        click.echo(f"{len(result.unknown)} numbers belong to no subscriber: "
                   + ", ".join(mask_phone(p) for p in result.unknown))
    if result.problems:
        raise SotongError(result.problems)


send.add_command(send_results)


def _notice_infos(project, outbox) -> dict:
    """Title, department and category of every notice in the outbox, as now."""
    notices, _problems = project.read_notices()  # a broken notice elsewhere must not stop a send
    by_slug = {n.slug: n for n in notices}
    labels = project.audiences.fields
    infos = {}
    for message in outbox.messages:
        for slug in message.notices:
            if slug not in infos:
                n = by_slug.get(slug)
                infos[slug] = (NoticeInfo(n.title, n.department, n.category, labels.get(n.category, n.category))
                               if n else NoticeInfo(None, None, None, None))
    return infos


@contextlib.contextmanager
def _send_lock(project, key: str):
    """One ``sotong send`` per outbox at a time (released by the OS if killed)."""
    folder = Path(project.settings["PRIVATE_PATH"]) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"send-{key}.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SotongError([f"another sotong send of {key} is running; wait for it to finish"]) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield


