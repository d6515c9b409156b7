"""The delivery commands: ``sotong send``, ``sotong send report``,
``sotong report`` and ``sotong subscribers unsubscribe --phones``; ``sotong
send results`` (:mod:`.bounce_commands`) and ``sotong send purge``
(:mod:`.purge_command`) are added to ``send`` here.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
from pathlib import Path

import click

from sotong.atomic import one_at_a_time
from sotong.cli import PluginCommandsGroup, add_lazy_command, settings_option
from sotong.i18n import _
from sotong.interrupts import sigterm_as_ctrl_c
from sotong.mail import seal_for, seal_size, size_label
from sotong.mail_server import size_limit
from sotong.options import ISSUE_DAY_TEXT, YEAR, FileName, Number, WholeNumber
from sotong.problems import SotongError
from sotong.settings import settings_flag
from sotong.progress import progress
from sotong.sms import sms_settings, won
from sotong.store import now_iso

from . import annual, retention
from .bounce_config import bounce_settings
from .config import SMTPS_OPTION, SMTPS_PORT, delivery_config
from .options import notice_slug, option_of, outbox_key
from .journal import ABANDONED, CHANNEL_WORDS, DEFERRED, FAILED, SENT, STATE_WORDS, Journal, NoticeInfo
from .marks import mark_invalid as mark_addresses_invalid, reachable_messages, unreachable_readers
from .outbox import handover_file, has_sms, outbox_folder, read_outbox, signed_with_another_key
from .purge_command import send_purge
from .rules import invalid_address
from .sender import SendFigures, Sender
from .stamp import Stamp, signatures_on_top
from .staff_send import send_staff_copy, staff_address


@click.group(cls=PluginCommandsGroup, invoke_without_command=True, help=_("Hand an outbox's emails to the SMTP server and record its SMS as handed over to the SMS agency; a re-run sends only what was not accepted.\n\n\b\nA test: sotong send --issue D --to ADDRESS (--as ID | --persona \"...\")"))
@click.option("--issue", metavar="YYYY-MM-DD", type=ISSUE_DAY_TEXT, help=_("Send the outbox of this issue."))
@click.option("--notice", metavar="SLUG", callback=notice_slug, help=_("Send the one-off outbox of this notice."))
@click.option("--host", metavar=_("HOST"), callback=lambda ctx, param, host: _named_host(host),
              help=_("SMTP server (default: SMTP_HOST)."))
@click.option("--port", type=WholeNumber(1, 65535, example=587), callback=lambda ctx, param, port: _not_smtps(port),
              help=_("SMTP port (default: SMTP_PORT)."))
@click.option("--rate", type=Number(0, above=True, example=10), help=_("Messages per second (default: SEND_RATE)."))
@click.option("--dry-run", is_flag=True, help=_("Say what would be sent, and how many emails are larger than the mail server takes (SMTP_SIZE_LIMIT); send and record nothing."))
@click.option("--to", callback=lambda ctx, param, value: value and staff_address(value), metavar=_("ADDRESS"),
              help=_("A test: send one reader's email of --issue, marked [시험], to this staff address only."))
@click.option("--as", "reader_id", metavar="ID", help=_("With --to: the subscriber whose email is sent."))
@click.option("--persona", metavar='"dong=응봉동 fields=건강정보"', help=_("With --to: an imagined reader instead."))
@settings_option
@click.pass_context
@sigterm_as_ctrl_c()  # kill, systemctl stop: each connection ends its message and records what was accepted
def send(ctx, project, issue, notice, host, port, rate, dry_run, to, reader_id, persona):
    if ctx.invoked_subcommand is not None:
        return
    if to or reader_id or persona:
        return _staff_copy(ctx, project, to)
    key, kind = outbox_key(issue, notice)
    config = delivery_config(project.settings, host=host, port=port, rate=rate, need_password=not dry_run)
    prices = sms_settings(project.settings).prices  # recorded with the SMS handed over
    journal, started = Journal(project.existing_store), now_iso()  # a mistyped path: an empty journal, every reader sent to again
    outbox = _outbox_here(project, journal, key, kind)
    if problem := signed_with_another_key(outbox, project.shown, project.settings):
        raise SotongError([problem])
    with send_lock(project, key):
        notices = functools.partial(_notice_infos, project, outbox)  # asked for only when the outbox is recorded
        reachable = functools.partial(reachable_messages, project.store)  # a chunk of readers at a time
        oversized = _Oversized(outbox.path, project.settings) if dry_run else None
        with _collector_paused():
            recorded, unsent = journal.record_outbox(outbox, reachable, notices, dry_run=dry_run,
                                                     digest=None if dry_run else outbox.digest, left=oversized)
        if dry_run:
            figures = oversized.figures(functools.partial(_attached_bytes, project))
            sms = _sms_line(recorded)
            click.echo(_("Dry run, nothing sent or recorded. Would send {count:,} emails to {smtp_host}:{smtp_port} at {rate:g}/s and record {sms} as handed over to the SMS agency.").format(
                count=unsent - figures.too_big, smtp_host=config.server.host, smtp_port=config.server.port,
                rate=config.rate, sms=sms))
        else:
            _warn_edited_since_bundling(project, outbox, journal.notice_slugs(key) if recorded.joined else
                                        {slug for message in outbox.messages for slug in message.notices})
            attached = functools.cache(functools.partial(_attached_bytes, project))  # read if an email is too large
            recorded, figures = _send_recorded(journal, outbox, (config, Stamp(project.settings)),
                                               (recorded, unsent), notices, reachable, attached)
            handover = _HandoverFile(project, outbox, started)
            recorded.sms = _hand_over_sms(journal, outbox, recorded, reachable, handover.write, prices)
            _score_refusals(project, key)
    option, give_sms_csv = option_of(kind), True
    bundle_again = (option, key, settings_flag(project.settings))
    if not unsent:  # a dry run's too: "Would send 0 emails" alone did not say that all had gone
        click.echo(_nothing_left_line(journal.counts_of(outbox), f"{option} {key}{bundle_again[2]}"))
    elif not dry_run:
        click.echo(_emails_line(figures))
        if in_all := _outbox_emails_line(journal.counts_of(outbox), figures):
            click.echo(in_all)
    if figures.too_big:
        click.echo(_too_big_line(figures, bundle_again, dry_run))
    if not dry_run:
        give_sms_csv = _say_sms(project, journal, outbox, recorded, started, handover.path)
    _say_left_out(recorded.left_out, bundle_again if give_sms_csv else None)
    if dry_run and figures.too_big:  # a send would fail them: as the send's exit
        ctx.exit(1)
    if not dry_run and (figures.failed or figures.deferred):
        click.echo(_("See who and why: sotong send report {option} {key}{settings}").format(
            option=option, key=key, settings=settings_flag(project.settings))
                   + (_("; deferred ones are retried by running this command again later.") if figures.deferred else ""))
        ctx.exit(1)


def _named_host(host: str | None) -> str | None:
    """--host, unless it is empty (``--host "$SMTP"`` with the variable
    unset), which would have sent to SMTP_HOST, the server it was meant not to be."""
    if host is not None and not host.strip():
        raise click.BadParameter(_("is empty, which would send to SMTP_HOST; write the mail server's name, e.g. "
                                   "--host smtp.example.org, or leave --host out to send to SMTP_HOST"))
    return host


def _not_smtps(port: int | None) -> int | None:
    """--port, unless it is SMTPS's (465), which the connections do not speak."""
    if port == SMTPS_PORT:
        raise click.BadParameter(SMTPS_OPTION)
    return port


def _say_sms(project, journal, outbox, recorded, started: str, part) -> bool:
    """What became of the outbox's SMS in this run, and which file to give
    the agency; False when that is not sms.csv as it is (its SMS were handed
    over before, or this run's are a part of it, written to a file of their
    own, ``part``: readers handed over before, or left out since bundling,
    are in sms.csv too, and would get their SMS twice or against their wish)."""
    sms_csv = project.shown(outbox.path / "sms.csv")
    earlier = None if recorded.sms else journal.sms_handed_over(outbox.key, started if recorded.joined else None)
    if earlier:
        click.echo(_("SMS: {count:,} SMS messages were already recorded as handed over, on {when}; none now. Do not give {path} to the SMS agency again: its readers would get them twice.").format(
            count=earlier[0], when=earlier[1], path=sms_csv))
        return False
    if not has_sms(outbox.path, project.shown):
        return True
    if not recorded.sms:
        click.echo(_("SMS: none here; the worker that recorded this outbox recorded its SMS as handed over and says which file to give the SMS agency.")
                   if recorded.joined else
                   _("SMS: none to hand over: every reader in {path} is left out since bundling; give the SMS agency nothing.").format(
                       path=sms_csv))
        return False
    click.echo(_("SMS: {sms} recorded as handed over; give {path} to the SMS agency (문자 발송 대행).").format(
        sms=_sms_line(recorded), path=project.shown(part) if part else sms_csv))
    if part:
        click.echo(_("Give the agency that file only, not {sms_csv}: sms.csv also holds readers whose SMS were handed over before or who are left out since bundling.").format(
            sms_csv=sms_csv))
    return not part


def _say_left_out(left_out: dict, bundle_again: tuple | None) -> None:
    """The readers the outbox's recording left out; while its SMS are still
    to give to the agency (``bundle_again``: the option and key that make
    them again, and the settings option it was run with), how to leave them
    out of sms.csv."""
    if left_out["email"] or left_out["sms"]:
        click.echo(_("Left out: {count:,} readers unsubscribed or unreachable since bundling (email {email:,}, SMS {sms:,}).").format(
            count=left_out['email'] + left_out['sms'], email=left_out['email'], sms=left_out['sms']))
    if left_out["sms"] and bundle_again:
        click.echo(_("Make sms.csv again without them before giving it to the agency: sotong bundles {option} {key}{settings}").format(
            option=bundle_again[0], key=bundle_again[1], settings=bundle_again[2]))


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off while the outbox is recorded: the
    recording makes hundreds of thousands of objects (the manifest's lines,
    the readers' rows) and no cycle, and the collector's rounds over them were
    a third of a worker's start-up (2.9 s of CPU instead of 4.3, a dry run of
    60,000 readers). Memory is still freed by reference counts. (Freezing the
    objects made, gc.freeze, made the sending after it slower.)"""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _send_recorded(journal, outbox, sending: tuple, recording: tuple, notices, reachable, attached) -> tuple:
    """Send the outbox's emails ``recording`` (what record_outbox did, and
    how many emails are left) left to send (``sending``: the DeliveryConfig,
    and the Stamp each message goes out with). When it joined a worker that
    stopped before it finished recording the outbox, this one records it
    and sends what that left. Returns what the last recording did and the
    figures of all the sending."""
    (config, stamp), (recorded, unsent) = sending, recording
    figures = SendFigures()
    while True:
        with progress(unsent, _sending_title(journal.store, outbox.key)) as advance:
            figures = figures.plus(Sender(config, journal, outbox, stamp, on_settled=advance, attached=attached).run())
        if not (recorded.joined and journal.recording(outbox.key) == ABANDONED):
            return recorded, figures
        click.echo(_("The other sotong send that was recording this outbox stopped before it finished; this one records the rest and sends it."), err=True)
        with _collector_paused():
            recorded, unsent = journal.record_outbox(outbox, reachable, notices, digest=outbox.digest)


class _HandoverFile:
    """The file of the SMS a run records as handed over when they are a part
    of sms.csv (:func:`handover_file`; ``path`` None while there is none),
    written before the journal's record of them is committed: a run that
    cannot write it (a full disk) or dies before records none, and the next
    run hands them over and writes it. Recorded first, a failed write left
    them handed over and the file never written, and the next run said not
    to give sms.csv: their SMS went nowhere."""

    def __init__(self, project, outbox, started: str):
        self.project, self.outbox, self.started = project, outbox, started
        self.path = None

    def write(self, messages: list) -> None:
        readers = {message.subscriber_id for message in messages}
        self.path = handover_file(self.outbox.path, readers, self.started, self.project.shown)


def _hand_over_sms(journal, outbox, recorded, reachable, written, prices) -> list:
    """The outbox's SMS recorded as handed over, once the run has not
    stopped: by the worker that recorded the outbox (it holds them), or by one
    that joined it when the recorder is gone; those this worker recorded
    (``written``: given them before the record is committed; ``prices``: those in force, recorded with them)."""
    if not recorded.joined:
        return journal.hand_over(outbox, recorded.sms, written, prices)
    if journal.recorder_holds_sms(outbox.key):
        click.echo(_("Waiting for the worker that recorded this outbox to record its SMS as handed over ..."))
    handed_over = journal.hand_over_left(outbox, reachable, written=written, prices=prices)
    recorded.left_out = journal.left_out(outbox.key)  # the recorder may have recorded while this one sent
    return handed_over


def _attached_bytes(project) -> dict:
    """slug -> bytes of the files each notice with attachments carries in its emails, as they are now."""
    content = Path(project.settings["PATH"])
    return {notice.slug: notice.attached_bytes(content) for notice in project.read_notices()[0] if notice.attachments}


class _Oversized:
    """A dry run's look at the emails left to send (Journal.record_outbox's
    ``left``, given them once its transaction has ended: the collector's
    writes do not wait while the files are read): those larger than
    SMTP_SIZE_LIMIT (no connection tells the server's SIZE) once signed as
    the send signs them (DKIM; a signature an earlier version put on as it
    bundled is taken off first, as the send does), which a send would not
    hand over. Wrong signing settings stop the dry run here, as they stop
    the send."""

    def __init__(self, folder: Path, settings: dict):
        self.folder, self.limit = folder, size_limit(settings)
        self.seal_bytes = seal_size(seal_for(settings))  # what the signature adds to each file
        self.count = 0
        self.notices: dict = {}  # slug -> None: the notices the large ones hold, in the order met

    def __call__(self, emails) -> None:
        for file, notices in emails:
            try:
                size = _size_unsigned(self.folder / file)
            except OSError:  # the send fails it with its own reason
                continue
            if size + self.seal_bytes > self.limit:
                self.count += 1
                self.notices.update(dict.fromkeys(json.loads(notices)))

    def figures(self, attached) -> SendFigures:
        """What the send would count of them, the notices whose files make
        them large heaviest first (``attached``: :func:`_attached_bytes`,
        asked for only when one is large)."""
        weights = attached() if self.count else {}
        heavy = sorted((slug for slug in self.notices if weights.get(slug)), key=lambda slug: -weights[slug])
        return SendFigures(too_big=self.count, too_big_notices=tuple(heavy), size_limit=self.limit)


def _size_unsigned(path: Path) -> int:
    """The bytes of the outbox's email ``path`` as the send signs it: an
    earlier version's DKIM signatures on its top, which the send takes off
    (:func:`stamp.signatures_on_top`), not counted. Only the file's head is read."""
    with open(path, "rb") as file:
        return os.fstat(file.fileno()).st_size - signatures_on_top(file.read(_HEAD_BYTES))


_HEAD_BYTES = 16_384  # more than any signatures' headers (an RSA-4096 one is about 1,100 bytes)


def _too_big_line(figures, bundle_again: tuple, dry_run: bool = False) -> str:
    """What to do with the emails too large for the mail server, by its
    SIZE or refused by it, or in a dry run by SMTP_SIZE_LIMIT
    (``bundle_again``: the option, key and settings option that make the
    outbox again)."""
    notices = ", ".join(dict.fromkeys(figures.too_big_notices))
    files = _(": the attachments of {notices} make them large").format(notices=notices) if notices else ""
    where = dict(option=bundle_again[0], key=bundle_again[1], settings=bundle_again[2])
    if dry_run:
        head = _("{count:,} more emails would not be sent: each is larger than the {limit} the mail server takes (SMTP_SIZE_LIMIT){files}.")
        then = _("Make the files smaller (a PDF at a lower picture quality) and make the outbox again (sotong bundles {option} {key}{settings}) before sending it; or get the files to those readers another way. (A send goes by the size the server itself says it takes, its SIZE.)")
    else:
        head = (_("{count:,} emails were not sent: each is larger than the {limit} the mail server takes (SIZE){files}.")
                if figures.size_limit else _("{count:,} emails were not sent: the mail server refused them as too large{files}."))
        then = _("Make the files smaller (a PDF at a lower picture quality), make the outbox again (sotong bundles {option} {key}{settings}) and run this command again: it sends them then; or get the files to those readers another way.")
    return head.format(count=figures.too_big, limit=size_label(figures.size_limit), files=files) + " " + then.format(**where)


def _score_refusals(project, key: str) -> None:
    """The outbox's emails refused for good counted as bounces of their
    address (SPEC §14), and the addresses whose score reached
    BOUNCE_SCORE_LIMIT flagged, so that bundles skip them."""
    from . import bounces  # the bounce rules, read once the sending is over

    limit = bounce_settings(project.settings)["BOUNCE_SCORE_LIMIT"]
    flagged = bounces.score_refusals(project.store, key, limit, now_iso())
    if flagged:
        click.echo(bounces.flagged_line(flagged, limit))


def _sending_title(store, key: str) -> str:
    """The progress bar's title: on PostgreSQL its total is the outbox's unsent emails, of which
    other workers on the outbox may send a share."""
    if store.backend == "sqlite":
        return _("Sending {key}").format(key=key)
    return _("Sending {key} (worker's share)").format(key=key)


def _sms_line(recorded) -> str:
    return _("{count:,} SMS messages (SMS {sms:,}, LMS {lms:,})").format(
        count=len(recorded.sms), sms=recorded.sms_types['SMS'], lms=recorded.sms_types['LMS'])


def _staff_copy(ctx, project, to) -> None:
    if to is None:
        raise click.UsageError(_("--as and --persona choose the reader of a test; give the staff address with --to ADDRESS"))
    send_staff_copy(project, ctx.params)


def _emails_line(figures) -> str:
    """What this run did with the emails."""
    return (_("Emails: {sent:,} sent, {failed:,} failed, {deferred:,} deferred in {seconds:.1f} s").format(
        sent=figures.sent, failed=figures.failed, deferred=figures.deferred, seconds=figures.seconds)
            + (_("; {resent_in_flight:,} were in flight when an earlier run stopped and went again").format(
                resent_in_flight=figures.resent_in_flight)
               if figures.resent_in_flight else "")
            + (_("; the connection dropped {reconnects} times and was reopened").format(
                reconnects=figures.reconnects) if figures.reconnects else "")
            + (_("; the mail server limited the rate: the run paused {throttled} times and went on at {rate:.3g} emails a second (if it says so at every run, write SEND_RATE = {rate:.3g} in the settings)").format(
                throttled=figures.throttled, rate=figures.slowed_to) if figures.throttled else "")
            + (_("; {tried_later:,} that the server answered 'try later' (greylisting) were tried again after a wait, and {sent_later:,} of them went").format(
                tried_later=figures.tried_later, sent_later=figures.sent_later) if figures.tried_later else "")
            + (_("; {withdrawn:,} readers unsubscribed during the run and were left out").format(
                withdrawn=figures.withdrawn) if figures.withdrawn else "")
            + (_("; {elsewhere:,} were sent by another sotong send working this outbox").format(
                elsewhere=figures.elsewhere) if figures.elsewhere else "")
            + ".")


def _nothing_left_line(counts: dict, outbox: str) -> str:
    """A run with no email left to send: what earlier runs did (``outbox``:
    the options that name it, ``--issue D -s FILE``, for the next step)."""
    sent = counts.get(("email", "EMAIL", SENT), 0)
    failed = counts.get(("email", "EMAIL", FAILED), 0)
    if not sent and not failed:
        return _("Emails: this outbox has none to send.")
    if not failed:
        return _("Emails: all {sent:,} were already sent; nothing left to send.").format(sent=sent)
    return (_("Emails: nothing left to send: {sent:,} were already sent and {failed:,} failed for good (sotong send report {outbox} lists them).").format(
        sent=sent, failed=failed, outbox=outbox))


def _outbox_here(project, journal, key: str, kind: str):
    """The outbox at OUTBOX_PATH. On PostgreSQL, when it is not there but the
    journal holds its messages, another machine made it and sends it: this
    one lacks the shared outbox folder (README: every sender reaches it at
    the same path), and bundling again here, as the outbox's own error says,
    would make other files of the same messages."""
    try:
        return read_outbox(project.settings, key, kind, project.shown)
    except SotongError:
        folder = outbox_folder(project.settings, key)
        recorded = sum(journal.counts(key).values()) if project.store.backend != "sqlite" else 0
        if not recorded or (folder / "manifest.jsonl").is_file():
            raise
        raise SotongError([_("{folder}: the outbox is not here, but the journal holds {count:,} messages of {key}, recorded by a sotong send that reads it elsewhere; mount the shared outbox folder (OUTBOX_PATH) at this same path on this machine and run the command again; do not bundle it again here").format(
            folder=project.shown(folder), count=recorded, key=key)]) from None


def _warn_edited_since_bundling(project, outbox, slugs: set) -> None:
    """Warn about notices of the outbox (``slugs``) whose file changed after
    it was made: its emails hold the text as it was."""
    made = (outbox.path / "manifest.jsonl").stat().st_mtime_ns
    notices, _problems = project.read_notices()
    for notice in notices:
        if notice.slug in slugs and os.stat(notice.source).st_mtime_ns > made:
            option = option_of(outbox.kind)
            click.echo(_("{source}: warning: changed after the outbox {key} was made; its messages carry the text as it was then. For the new text, make the outbox again (sotong bundles {option} {key}{settings}) before sending it").format(
                source=project.shown(notice.source), key=outbox.key, option=option,
                settings=settings_flag(project.settings)), err=True)


@send.command("report", help=_("Counts by state, and the failed and deferred readers (by id) with the server's answer."))
@click.option("--issue", metavar="YYYY-MM-DD", type=ISSUE_DAY_TEXT, help=_("The issue's outbox."))
@click.option("--notice", metavar="SLUG", callback=notice_slug, help=_("A one-off notice outbox."))
@click.option("--mark-invalid", is_flag=True,
              help=_("Flag addresses the server rejected for good (e.g. 550 no such user), so bundles skip them."))
@settings_option
def send_report(project, issue, notice, mark_invalid):
    key, kind = outbox_key(issue, notice)
    journal = Journal(project.existing_store)
    counts = journal.counts(key)
    if not counts:
        raise SotongError([_("nothing of {key} is in the journal yet; send it first with: sotong send {option} {key}{settings}").format(
            key=key, option=option_of(kind), settings=settings_flag(project.settings))])
    click.echo(_("Outbox {key}:").format(key=key))
    for line in _state_lines(counts):
        click.echo(line)
    unsettled = journal.unsettled(key)
    invalid = [row for row in unsettled if row["state"] == FAILED
               and invalid_address(row["answer_stage"], row["answer_code"], row["answer_text"])]
    invalid_ids = {row["subscriber_id"] for row in invalid}
    for state, title in ((FAILED, _("Failed ({count:,}):")), (DEFERRED, _("Deferred ({count:,}, retried by the next sotong send):"))):
        rows = [row for row in unsettled if row["state"] == state]
        if rows:
            click.echo(title.format(count=len(rows)))
        for row in rows:
            answer = " ".join(str(p) for p in (row["answer_code"], row["answer_text"]) if p)
            flag = _("  [invalid address]") if row["subscriber_id"] in invalid_ids and state == FAILED else ""
            click.echo(_("  {subscriber_id}  {channel}  after {attempts} tries: {answer}{flag}").format(
                subscriber_id=row['subscriber_id'], channel=_(CHANNEL_WORDS[row['channel']]), attempts=row['attempts'],
                answer=answer, flag=flag))
    from .bounce_commands import after_send_lines  # with the mailbox modules: not imported by a send

    for line in after_send_lines(project.store, key, bounce_settings(project.settings)["BOUNCE_SCORE_LIMIT"]):
        click.echo(line)
    # those whose address is flagged already (sotong send at BOUNCE_SCORE_LIMIT, an earlier --mark-invalid) are not
    # advised again: the report said to flag what bundles already skip
    flagged_already = unreachable_readers(project.store)["email"] if invalid else set()
    unflagged = [row for row in invalid if row["subscriber_id"] not in flagged_already]
    if unflagged and not mark_invalid:
        click.echo(_("{count:,} addresses do not exist; add --mark-invalid to flag them so that bundles skip them.").format(
            count=len(unflagged)))
    if mark_invalid:
        reasons = [(row["subscriber_id"], f"{row['answer_code']} {row['answer_text']}") for row in invalid]
        flagged = mark_addresses_invalid(project.store, "email", reasons, now_iso())
        click.echo(_("Flagged {count:,} email addresses as invalid ({already:,} were already): bundles skip them until the address is corrected in the e-communication system.").format(
            count=len(flagged), already=len(invalid) - len(flagged)))
        for subscriber_id in flagged:
            click.echo(f"  {subscriber_id}")


def _state_lines(counts: dict) -> list[str]:
    """``sotong send report``'s counts: a line for each channel, its messages
    by state in staff's words, and how many in all."""
    lines = []
    for channel, label in (("email", _("email")), ("sms", _("SMS/LMS"))):
        by_state = _by_state(counts, channel)
        if any(by_state.values()):
            lines.append(_("  {channel}: {parts} ({count:,} in all)").format(
                channel=label, parts=_state_parts(by_state), count=sum(by_state.values())))
    return lines


def _by_state(counts: dict, channel: str) -> dict:
    """state -> the outbox's messages on ``channel`` in it (Journal.counts), in STATE_WORDS' order."""
    by_state = dict.fromkeys(STATE_WORDS, 0)
    for (c, _type, state), n in counts.items():
        if c == channel:
            by_state[state] += n
    return by_state


def _state_parts(by_state: dict) -> str:
    return ", ".join(_(STATE_WORDS[state]).format(count=n) for state, n in by_state.items() if n)


def _outbox_emails_line(counts: dict, figures) -> str | None:
    """After a run that was not the outbox's first (or worked it with
    another sotong send): its emails in all, so that what staff read adds up
    to the outbox and not to this run only; None after a first, lone run."""
    by_state = _by_state(counts, "email")
    if (by_state[SENT], by_state[FAILED]) == (figures.sent, figures.failed):
        return None
    return _("All emails of this outbox so far: {parts} ({count:,} in all).").format(
        parts=_state_parts(by_state), count=sum(by_state.values()))


@click.command("report", help=_("The annual e-communication report (--year), or what became of one issue's messages (--issue) or of a one-off notice's (--notice), from the journal: HTML and CSV in private/reports/."))
@click.option("--year", type=YEAR, help=_("The annual report of this calendar year, e.g. 2026."))
@click.option("--issue", metavar="YYYY-MM-DD", type=ISSUE_DAY_TEXT, help=_("The report of one issue, e.g. 2026-11-26."))
@click.option("--notice", metavar="SLUG", callback=notice_slug, help=_("The report of a one-off notice outbox (sotong send --notice)."))
@settings_option
def report(project, year, issue, notice):
    if (year is None) == (issue is None and notice is None) or (issue and notice):
        raise click.UsageError(_("give --year YYYY, --issue YYYY-MM-DD or --notice SLUG (one of them)"))
    if issue or notice:
        from .bounce_commands import issue_report_command

        return issue_report_command(project, *outbox_key(issue, notice))
    prices = sms_settings(project.settings).prices
    journal = Journal(project.existing_store)
    # what the journal still holds, and the counts the purges of older outboxes kept (sotong send purge)
    aggregates = journal.sent_aggregates(year) + retention.kept_counts(project.store, year)
    result = annual.annual_report(year, aggregates, prices)
    folder = Path(project.settings["PRIVATE_PATH"]) / "reports"
    html_path, csv_path = annual.write_report(result, folder, project.settings.get("SITENAME", "성동구 소통"))
    total = result.total
    if not total.deliveries:
        click.echo(_("{year}: nothing was sent that year, by the journal and the counts kept of purged outboxes.").format(
            year=year))
    else:
        click.echo(_("{year}: {notices:,} notices, {deliveries:,} deliveries (email {email:,}, SMS {sms:,}, LMS {lms:,}); texts cost {won}.").format(
            year=year, notices=total.notices, deliveries=total.deliveries, email=total.by_type['EMAIL'], sms=total.by_type['SMS'], lms=total.by_type['LMS'], won=won(total.won)))  # as shown
    if unpriced := sum(result.unpriced.values()):
        click.echo(_("{count:,} of the texts were handed over before Sotong recorded each text's price: they are counted at today's SMS_PRICE and LMS_PRICE ({sms} and {lms} a message), which may not be what they cost; the report says so.").format(
            count=unpriced, sms=won(prices.sms), lms=won(prices.lms)))
    click.echo(_("Wrote {html_path} and {csv_path}").format(
        html_path=project.shown(html_path), csv_path=project.shown(csv_path)))


@click.command("unsubscribe", help=_('Unsubscribe the numbers of a "수신거부" reply list from SMS.'))
@click.option("--phones", "phones_file", required=True, type=FileName(_("sms-refusals-{day}.txt"), reads=True),
              help=_('A text file of numbers that replied "수신거부", one a line.'))
@settings_option
def unsubscribe_phones_command(project, phones_file):
    from .phones import mask_phone, unsubscribe_phones  # with the subscriber import's modules: not imported by a send

    path = Path(phones_file)
    if not path.is_file():
        raise SotongError([_("{phones_file}: file not found; give the list of numbers, one a line").format(
            phones_file=phones_file)])
    result = unsubscribe_phones(project.store, path, project.shown(path), now_iso())
    click.echo(_("{count:,} numbers matched: {unsubscribed:,} subscribers unsubscribed from SMS now, the others already were.").format(
        count=len(result.matched), unsubscribed=result.unsubscribed))
    if result.unknown:
        click.echo(_("{count:,} numbers belong to no subscriber: ").format(count=len(result.unknown))
                   + ", ".join(mask_phone(p) for p in result.unknown))
    if result.problems:
        raise SotongError(result.problems)


add_lazy_command(send, "results", f"{__package__}.bounce_commands:send_results",  # imported when it runs
                 _("Import the SMS agency's result file (columns phone, status, code, time; status delivered or failed) into the journal; failures count as bounces."))
send.add_command(send_purge)


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
def send_lock(project, key: str):
    """One ``sotong send`` per outbox at a time (released by the OS if killed);
    on PostgreSQL any number, which share the outbox (the journal's workers)."""
    if project.store.backend == "postgresql":
        yield
        return
    with one_at_a_time(Path(project.settings["PRIVATE_PATH"]) / "locks" / f"send-{key}.lock",
                       _("another sotong send of {key} is running; wait for it to finish").format(key=key)):
        yield


