"""The ``sotong bundles``, ``sotong reach`` and ``sotong preview`` commands."""

from __future__ import annotations

import base64
import datetime as dt
import os
from dataclasses import replace
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit

import click

from sotong.cli import say_when_stopped, settings_option
from sotong.i18n import _
from sotong.interrupts import sigterm_as_ctrl_c
from sotong.links import collector_url, site_url
from sotong.options import ISSUE_DAY, JOBS, Number
from sotong.problems import SotongError
from sotong.progress import progress
from sotong.project import Project
from sotong.settings import settings_flag
from sotong.sms import SMS_MAX_BYTES
from sotong.schedule import next_issue

from .changed_reach import changed_reach_lines
from .config import bundles_settings
from .late_notices import late_notice_warnings
from .outbox import Bundler, eml_name, issue_bundle, notice_bundle, write_bundle
from .persona import PersonaError, find_reader
from .staff_copy import COPY_ID_PREFIX
from .reach import count_reach, preview_links_note, reach_lines
from .sms_advice import lms_warnings


def _bundle(project: Project, issue: dt.date):
    return issue_bundle(project, issue, bundles_settings(project.settings).title)


@click.command("bundles", help=_("Write every reader's email and SMS of an issue (or of one notice) into the outbox.\n\n"
                                  "\b\nsotong bundles --issue 2026-11-26   ->  private/outbox/2026-11-26/\n"
                                  "sotong bundles --notice SLUG        ->  private/outbox/SLUG/"))
@click.option("--issue", type=ISSUE_DAY, metavar="YYYY-MM-DD", help=_("Bundle every reader's messages of this issue."))
@click.option("--notice", "slug", metavar="SLUG", help=_("Bundle one notice on its own (an urgent notice), outside the issues."))
@click.option("--sms-budget", type=Number(0, example=50_000), metavar="WON",
              help=_("Write nothing, and exit 1, when the SMS and LMS would cost more than this (won)."))
@click.option("--jobs", type=JOBS, default=os.cpu_count() or 1, show_default=_("the machine's cores"),
              help=_("Worker processes writing the messages (the same files as one process)."))
@settings_option
@sigterm_as_ctrl_c()  # kill, systemctl stop: the half-written outbox removed, the workers stopped
def bundles(project: Project, issue: dt.date | None, slug: str | None, sms_budget: float | None, jobs: int):
    if (issue is None) == (slug is None):
        raise click.UsageError(_("give --issue YYYY-MM-DD or --notice SLUG (one of them)"))
    bundle = _bundle(project, issue) if issue else notice_bundle(project, slug)
    _readers_there(project)
    say_when_stopped(_("Stopped ({signal}). An outbox is replaced only once it is whole, and this one was not; run the "
                       "same command again to make the outbox {key}.").format(key=bundle.key, signal="{signal}"))
    summary = write_bundle(project, bundle, progress=True, sms_budget=sms_budget, jobs=jobs)
    for line in summary.lines(project.shown(summary.folder)):
        click.echo(line)
    if not urlsplit(site_url(project.settings)).scheme:
        click.echo(_("Note: SITEURL is not absolute in {settings_path}, so the links in these messages only work in previews; bundle for sending with -s publishconf.py.").format(
            settings_path=project.shown(project.settings_path)))
    elif urlsplit(collector_url(project.settings)).scheme != "https":  # SPEC §6, RFC 8058: List-Unsubscribe's URL is https
        click.echo(_('Note: COLLECTOR_URL is not an https address in {settings_path}, so mail services such as Gmail offer no one-click unsubscribe for these emails and their links travel unencrypted; set COLLECTOR_URL = "https://..." and bundle again before sending.').format(
            settings_path=project.shown(project.settings_path)))


@click.command("reach", help=_("Print how many readers each notice of an issue reaches by email and SMS, and the issue's messages by type and their cost. Nothing is written."))
@click.argument("slugs", nargs=-1, metavar="[SLUG ...]")
@click.option("--issue", type=ISSUE_DAY, metavar="YYYY-MM-DD", help=_("The issue (default: the next one)."))
@settings_option
def reach(project: Project, slugs: tuple, issue: dt.date | None):
    issue = issue or next_issue(project.today())
    bundle = _bundle(project, issue)
    in_window = {n.slug: n for n in bundle.notices}
    for slug in slugs:
        notice = project.notice(slug)
        if slug not in in_window:
            raise _not_in_issue(project, notice, issue)
    store = project.existing_store  # before the bundler, whose plugins' blocks open the store
    bundler = Bundler(project, bundle)
    total = store.count_subscribers()
    with progress(total, _("Counting the readers of {issue}").format(issue=issue)) as advance:
        counted = count_reach(bundler, (advance() or reader for reader in store.subscribers()))  # a bar in a terminal
    click.echo(_("Reach of the issue of {issue} ({count:,} subscribers):").format(issue=issue, count=total))
    shown = [in_window[s] for s in slugs] or bundle.notices
    for line in reach_lines(counted, shown, bundler.sms_settings.prices):
        click.echo(line)
    for line in lms_warnings(project, frozenset(n.slug for n in shown if counted.sms[n.slug])):
        click.echo(line)  # what to shorten for the texts to go as SMS, as check says it
    for line in preview_links_note(project):
        click.echo(line)
    if not total:
        _say_no_subscribers(project, _("so every notice reaches nobody"))


def _not_in_issue(project: Project, notice, issue: dt.date) -> SotongError:
    """The problem of ``sotong reach SLUG`` for a notice outside the issue's
    window: the command to write, with the issue whose window holds it
    (the first on or after its date), when one does."""
    own = next_issue(notice.day)
    where = dict(path=project.shown(notice.source), line=notice.lines.get('date', 1), slug=notice.slug, issue=issue,
                 date=notice.day, settings=settings_flag(project.settings))
    if any(n.slug == notice.slug for n in _bundle(project, own).notices):
        return SotongError([_("{path}:{line}: {slug} is not in the issue of {issue} but in the one of {own} (dated {date}); write sotong reach {slug} --issue {own}{settings}").format(
            own=own, **where)])
    return SotongError([_("{path}:{line}: {slug} is not in the issue of {issue} (dated {date}); give its issue with --issue, or bundle it on its own with sotong bundles --notice {slug}{settings}").format(
        **where)])


def _readers_there(project: Project) -> None:
    """Refuse to bundle from a store that holds no reader: a mistyped
    SOTONG_DB (refused, not an empty store made there), or one that names an
    empty store, or none imported yet, whose empty outbox replaced the issue's."""
    if not project.existing_store.has_subscribers():
        raise SotongError([_("{sotong_db}: the store holds no subscribers, so nothing was bundled and the outbox is as it "
                             "was; put them in with sotong subscribers import FILE, or correct SOTONG_DB if it names the "
                             "wrong store").format(sotong_db=project.shown(project.settings["SOTONG_DB"]))])


def _say_no_subscribers(project: Project, so: str) -> None:
    """On stderr: the store has no row (none imported yet, or SOTONG_DB names another store), ``so`` what."""
    click.echo(_("Note: the store (SOTONG_DB in {settings_path}) holds no subscribers, {so}; put them in with sotong subscribers import FILE, or correct SOTONG_DB if it names the wrong store.").format(
        settings_path=project.shown(project.settings_path), so=so), err=True)


@click.command("preview", help=_("Write the email (.eml and .html) and SMS one reader would get into private/preview/."))
@click.option("--subscriber", "subscriber_id", metavar="ID", help=_("A subscriber of the store."))
@click.option("--persona", metavar='"age=34 gender=F dong=... fields=a,b"',
              help=_("An imagined reader: age or birth_year, gender, dong, kind, business_type, fields, channels, groups."))
@click.option("--issue", type=ISSUE_DAY, metavar="YYYY-MM-DD", help=_("The issue (default: the next one)."))
@settings_option
def preview(project: Project, subscriber_id: str | None, persona: str | None, issue: dt.date | None):
    if (subscriber_id is None) == (persona is None):
        raise click.UsageError(_('give --subscriber ID or --persona "age=34 gender=F ..." (one of them)'))
    issue = issue or next_issue(project.today())
    try:
        subscriber = find_reader(project, subscriber_id, persona, issue.year)
    except PersonaError as exc:
        raise click.BadParameter(str(exc), param_hint="--persona") from None
    bundler = Bundler(project, _bundle(project, issue), trial=True)
    folder = Path(project.settings["PRIVATE_PATH"]) / "preview"
    folder.mkdir(parents=True, exist_ok=True)
    stem = eml_name(subscriber.id)[:-len(".eml")] + f"-{issue.isoformat()}"
    plan = bundler.plan(subscriber)
    # its personal links (unsubscribe, preferences) made for test-ID, as a staff copy's: clicked in
    # private/preview/, they change nobody's consent
    as_test = replace(subscriber, id=COPY_ID_PREFIX + subscriber.id)
    message = bundler.email_for(as_test, plan)[0] if bundler.reachable(subscriber, "email") else None
    sms = bundler.text_of(subscriber, plan)  # no link of its own
    text = sms.text if sms else None
    if message is None:
        click.echo(_("email: none ({why_not})").format(why_not=_why_not(bundler, subscriber, 'email')))
    else:
        (folder / f"{stem}.eml").write_bytes(message.eml)
        (folder / f"{stem}.html").write_text(html_as_opened(message.eml), encoding="utf-8")
        click.echo(_("email: {count} notices -> {path}").format(
            count=len(message.notices), path=project.shown(folder / f'{stem}.eml')))
        click.echo(_("       open in a browser: {path}").format(
            path=project.shown(folder / f'{stem}.html')))
    if text is None:
        click.echo(_("sms:   none ({why_not})").format(why_not=_why_not(bundler, subscriber, 'sms')))
    else:
        (folder / f"{stem}.sms.txt").write_text(text.text + "\n", encoding="utf-8")
        click.echo(_sms_line(text, project.shown(folder / f'{stem}.sms.txt')))
        for line in lms_warnings(project, frozenset(sms.notices)) if text.type == "LMS" else ():
            click.echo(line)  # which of its notices alone make a text an LMS, and what to write instead
    for warning in late_notice_warnings(project):  # why a notice just written is in no preview
        click.echo(warning, err=True)
    for line in changed_reach_lines(project):
        click.echo(line)


def _sms_line(text, path: str) -> str:
    """What ``sotong preview`` says of the reader's text: its type and bytes;
    of an LMS, also what an SMS holds, its notices, and those left out as "외 N건"."""
    if text.type == "SMS":
        return _("sms:   {type}, {bytes} bytes -> {path}").format(type=text.type, bytes=text.bytes, path=path)
    if text.dropped:
        return _("sms:   LMS, {bytes:,} bytes (an SMS holds {sms_max_bytes}), with {shown} notices, and {dropped} more that do not fit counted as \"외 {dropped}건\" -> {path}").format(
            bytes=text.bytes, sms_max_bytes=SMS_MAX_BYTES, shown=text.shown, dropped=text.dropped, path=path)
    return _("sms:   LMS, {bytes:,} bytes (an SMS holds {sms_max_bytes}), with {shown} notices -> {path}").format(
        bytes=text.bytes, sms_max_bytes=SMS_MAX_BYTES, shown=text.shown, path=path)


def html_as_opened(eml: bytes) -> str:
    """The email's HTML as a browser opens it from a file: a picture carried
    inside the email (a private notice's, shown by ``cid:``, which only a
    mail client reads) written into the page, so staff see it as members do."""
    message = BytesParser(policy=policy.default).parsebytes(eml)
    html = message.get_body(("html",)).get_content()
    for part in message.walk():
        content_id = (part.get("Content-ID") or "").strip("<> ")
        if content_id and f"cid:{content_id}" in html:
            data = base64.b64encode(part.get_content()).decode("ascii")
            html = html.replace(f"cid:{content_id}", f"data:{part.get_content_type()};base64,{data}")
    return html


def _why_not(bundler: Bundler, subscriber, channel: str) -> str:
    if not subscriber.subscribed:
        return _("unsubscribed")
    if channel not in subscriber.channels:
        return _("email is not among the reader's channels") if channel == "email" else _("SMS is not among the reader's channels")
    if subscriber.reachable_by(channel) and not bundler.reachable(subscriber, channel):
        return _("the email address is marked invalid") if channel == "email" else _("the phone number is marked invalid")
    if not subscriber.reachable_by(channel):
        return _("no address for it, or unsubscribed from it")
    matching = bundler.plan(subscriber).selection.sms if channel == "sms" else ()
    if matching:  # they match, and the reader gets the email: SMS_POLICY left them out
        return _("SMS_POLICY is email-first: a reader who gets this issue by email gets a text only for urgent notices, and none of the SMS notices for this reader ({count}) is urgent").format(
            count=len(matching))
    return _("no notice of this issue matches the reader")
