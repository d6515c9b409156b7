"""Making a bundle (SPEC §6): every reader's email and SMS of an issue, or
of one notice, written into ``OUTBOX_PATH/KEY/`` — manifest.jsonl,
email/ID.eml and sms.csv — which replaces an earlier run of the same bundle
only once it is complete.

Readers of the same kind (rules.Relevance) get the same notices, so each
kind's messages are planned once; a reader's own part is only its address,
its unsubscribe link and the plugins' blocks.

With ``jobs`` above 1 (``sotong bundles --jobs N``, default: the machine's
cores) the readers are cut by id range into parts written by that many
forked processes, each with its own store connection; the parts' manifest
lines and SMS rows are joined in id order, so the outbox is byte for byte
what one process writes.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import json
import logging
import multiprocessing
import os
import re
import shutil
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sotong import signals, spreadsheet
from sotong.atomic import one_at_a_time
from sotong.dates import korean_date
from sotong.i18n import _
from sotong.interrupts import how_it_ended, leave_ctrl_c_to_the_parent, stop_with_the_parent
from sotong.build import replace_folder
from sotong.code_ledger import SENT_NOTICES_FILE, SENT_PAGES_FILE, TextedCode, record_texted
from sotong.links import SENT_CODES_FILE, notice_file, notice_url, outbox_codes, site_short_codes, site_url
from sotong.mail import MessageContext, seal_size, size_label
from sotong.mail_server import SIZE_LIMIT, size_limit
from sotong.problems import SotongError, os_reason
from sotong.progress import progress as progress_bar
from sotong.project import Project
from sotong.schedule import window
from sotong.settings import SEOUL_TZ
from sotong.sms import MessageCounts, Prices, count_messages, won
from sotong.store import READER_CHANNELS, Store, store_exists
from sotong.tokens import secret_held

from .compose import Bundle, EmailBody, EmailComposer, SmsComposer, SmsMessage
from .budget import refuse_over_budget
from .config import bundles_settings
from .rules import Selection, relevance, select, sms_notices
from .slugs import date_slug_problem

log = logging.getLogger(__name__)
SMS_COLUMNS = ("id", "phone", "type", "bytes", "text")
MANIFEST_CORE_KEYS = ("id", "channel", "notices", "file")  # a plugin's block may add keys, not change these
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
PART_READERS = 250  # fewer readers per worker process than this: fewer processes
PARTS_PER_JOB = 4  # parts per process: an even finish, and a progress bar that moves


def issue_bundle(project: Project, issue: dt.date, title: str) -> Bundle:
    """The bundle of issue ``issue``: its window (SPEC §5); its web page the
    edition's, if it has one (an issue none of whose notices has newsletter
    in channels has none: its messages link the site instead)."""
    notices = tuple(window(project.published_notices, issue))  # read once: check composes every issue's
    has_edition = any(notice.has("newsletter") for notice in notices)  # sotong.schedule.edition, not empty
    return Bundle(
        key=issue.isoformat(), issue=issue, day=issue, notices=notices,
        title=f"{title} {korean_date(issue)}",
        web_url=site_url(project.settings, f"newsletter/{issue.isoformat()}/") if has_edition else None,
    )


def notice_bundle(project: Project, slug: str) -> Bundle:
    """A one-off bundle of one notice: no window, no edition."""
    notice = project.notice(slug)
    if problem := date_slug_problem(project, notice):
        raise SotongError([problem])
    if not notice.published:
        raise SotongError([_("{source}:{get}: {slug} is a draft, and a draft is sent to no one; remove the line status: draft first").format(
            source=project.shown(notice.source), get=notice.lines.get('status', 1), slug=slug)])
    if not (notice.has("email") or notice.has("sms")):
        raise SotongError([_("{source}:{get}: {slug} has neither email nor sms in channels, so it would reach no one; add them, e.g. channels: [homepage, email, sms]").format(
            source=project.shown(notice.source), get=notice.lines.get('channels', 1), slug=slug)])
    if notice.expired_on(project.today()):
        raise SotongError([_("{source}:{line}: {slug} ended on {expires} (expires), so residents would get a notice that no longer holds; if it still holds, write a later day on that line first").format(
            source=project.shown(notice.source), line=notice.lines.get('expires', 1), slug=slug,
            expires=notice.expires.isoformat())])
    return Bundle(key=slug, issue=None, day=project.today(), notices=(notice,), title=notice.title,
                  web_url=None if notice.private else notice_url(project.settings, slug))


def eml_name(subscriber_id: str) -> str:
    """The file name of a reader's email: ``ID.eml``, the id %-escaped if it
    holds characters a file name cannot."""
    safe = subscriber_id if _SAFE_NAME.match(subscriber_id) else quote(subscriber_id, safe="-_")
    return f"{safe}.eml"


@dataclass
class Summary:
    """What a bundling run wrote, for the operator."""

    folder: Path
    readers: int = 0
    emails: int = 0
    sms: int = 0
    lms: int = 0
    nothing: int = 0  # subscribed readers who get no message this time
    invalid_email: int = 0  # email readers skipped: their address bounced
    unsubscribed: int = 0
    seconds: float = 0.0
    prices: Prices = Prices()
    policy: str = "all"
    repeated: MessageCounts = MessageCounts()  # texts to a phone number sms.csv already holds
    size_limit: int = SIZE_LIMIT  # SMTP_SIZE_LIMIT: the largest email the mail server takes
    too_big: int = 0  # emails larger than that (the files of several private notices in one)
    too_big_notices: set = field(default_factory=set)  # the private notices with files in them

    @property
    def counts(self) -> MessageCounts:
        return MessageCounts(email=self.emails, sms=self.sms, lms=self.lms)

    def add(self, part: "Summary") -> None:
        """Count in what a part of the readers wrote."""
        for name in ("readers", "emails", "sms", "lms", "nothing", "invalid_email", "unsubscribed", "too_big"):
            setattr(self, name, getattr(self, name) + getattr(part, name))
        self.too_big_notices |= part.too_big_notices

    def lines(self, shown_folder: str) -> list[str]:
        return [
            _("Wrote {value:,} messages to {shown_folder}/ in {seconds:.1f} s ({readers:,} subscribers):").format(
                value=self.emails + self.sms + self.lms, shown_folder=shown_folder, seconds=self.seconds, readers=self.readers),
            _("  email: {emails:,}").format(emails=self.emails),
            _("  text:  {value:,} ({sms:,} SMS, {lms:,} LMS)").format(
                value=self.sms + self.lms, sms=self.sms, lms=self.lms),
            _("  cost:  {cost_line}, email free; SMS_POLICY {policy}").format(
                cost_line=self.counts.cost_line(self.prices), policy=self.policy),
            _("  nothing for them this time: {nothing:,}").format(nothing=self.nothing),
            _("  skipped, email address invalid: {invalid_email:,}").format(
                invalid_email=self.invalid_email),
            _("  skipped, unsubscribed: {unsubscribed:,}").format(unsubscribed=self.unsubscribed),
        ] + ([_("  to a number already texted: {count:,} texts, {cost}; two subscribers share a phone number (a family, or one person entered twice); sotong subscribers shared lists them").format(
            count=self.repeated.sms + self.repeated.lms, cost=won(self.repeated.cost(self.prices)))]
             if self.repeated.sms + self.repeated.lms else []) + ([_("  larger than the {limit} the mail server takes (SMTP_SIZE_LIMIT): {count:,} emails, which sotong send would not send; they hold the files of {notices}: make them smaller and bundle again, or send those notices on other days").format(
            limit=size_label(self.size_limit), count=self.too_big, notices=", ".join(sorted(self.too_big_notices)))]
             if self.too_big else [])


@dataclass
class Plan:
    """The messages of one kind of reader, before they are addressed. Its
    email is composed when first asked for: ``sotong reach``, check's reach
    of changed notices and ``--sms-budget`` only count readers, and
    composing (the CSS inlined) was most of their time."""

    selection: Selection
    sms: SmsMessage | None  # None: no SMS notice (for a reader who gets no email)
    sms_if_emailed: SmsMessage | None  # the same, for a reader who also gets the email (SMS_POLICY)
    composer: EmailComposer = field(repr=False)

    @property
    def has_email(self) -> bool:
        """Whether this reader's kind gets an email notice (the email is then not None)."""
        return bool(self.selection.email)

    @functools.cached_property
    def email(self) -> EmailBody | None:
        """The email for this kind of reader; None: no email notice."""
        return self.composer.body(self.selection)

    @functools.cached_property
    def email_notices(self) -> tuple:
        """Slugs of the notices of its email, in message order, composed or not."""
        return tuple(notice.slug for notice in self.composer.notice_order(self.selection)) if self.has_email else ()

    def sms_for(self, emailed: bool) -> SmsMessage | None:
        return self.sms_if_emailed if emailed else self.sms


@dataclass(frozen=True)
class Delivery:
    """A reader's messages of a bundle: whether it gets the plan's email, and its text."""

    plan: Plan
    email: bool
    text: SmsMessage | None

    @property
    def email_notices(self) -> tuple:
        """Slugs of the notices in the reader's email (none without one)."""
        return self.plan.email_notices if self.email else ()


class Bundler:
    """Composes the messages of one bundle for any reader."""

    def __init__(self, project: Project, bundle: Bundle, now: dt.datetime | None = None,
                 marks: dict[str, set[str]] | None = None, *, trial: bool = False):
        project.activate_plugins()
        self.project = project
        if marks is not None:  # a forked part writer's: read by the bundle's first process
            self.marks = marks
        self.bundle = bundle
        settings = project.settings
        config = bundles_settings(settings)
        self.audiences = project.audiences
        self.now = now or dt.datetime.now(ZoneInfo(SEOUL_TZ))  # the messages' Date
        self.email = EmailComposer(settings, config, self.audiences, bundle, self.now, project.content)
        codes = site_short_codes(settings, project.published_notices)
        self.sms = SmsComposer(settings, config, bundle, codes)
        self.sms_settings = config.sms
        self.size_limit = size_limit(settings)
        self.carrying = {notice.slug for notice in bundle.notices  # notices whose files travel in their emails
                         if notice.private and (notice.attachments or notice.image)}
        context = MessageContext(settings=settings, audiences=self.audiences, issue=bundle.issue, day=bundle.day,
                                 notices=list(bundle.notices), css=self.email.css, content=project.content,
                                 trial=trial)
        self._message_context = context
        # the emails are signed as sotong send dates them; wrong signing settings stop the bundle already
        self.seal = None if trial else context.seal()
        self.with_edition = bundle.issue is not None
        self.relevance = relevance(bundle.notices, self.audiences, bundle.year, self.with_edition)
        self._plans: dict = {}

    @functools.cached_property
    def block_makers(self) -> list:
        """The plugins' makers of blocks for this bundle's emails
        (``signals.message_blocks``), asked for when the first email is
        written: counting readers (reach, check) reads no survey's answers."""
        return self._message_context.block_makers()

    @functools.cached_property
    def seal_bytes(self) -> int:
        """The bytes the send's signature (DKIM) adds to each email, counted
        in its size against SMTP_SIZE_LIMIT as the send counts them against
        the server's SIZE; measured when the first email is."""
        return seal_size(self.seal) if self.seal else 0

    def plan(self, subscriber) -> Plan:
        """What the reader gets, made once per kind of reader (see rules.Relevance)."""
        key = self.relevance.key(subscriber)
        plan = self._plans.get(key)
        if plan is None:
            selection = select(self.relevance.profile(key), self.bundle.notices, self.audiences, self.bundle.year,
                               with_edition=self.with_edition)
            policy = self.sms_settings.policy
            plan = self._plans[key] = Plan(selection, self.sms.message(sms_notices(selection.sms, policy, False)),
                                           self.sms.message(sms_notices(selection.sms, policy, bool(selection.email))),
                                           self.email)
        return plan

    @functools.cached_property
    def marks(self) -> dict[str, set[str]]:
        """Channel -> ids of the readers the plugins mark unreachable on it
        (``signals.reach_marks``: delivery's invalid addresses), read once,
        when the first reader with an address is asked about (no store, no
        marks: a persona's preview makes none)."""
        marks: dict[str, set[str]] = {channel: set() for channel in READER_CHANNELS}
        if not store_exists(self.project.settings["SOTONG_DB"]):
            return marks
        for _receiver, found in signals.reach_marks.send(self.project.store):
            for channel, ids in (found or {}).items():
                marks[channel] |= ids
        return marks

    def reachable(self, subscriber, channel: str) -> bool:
        """Whether ``channel`` reaches the reader: an address for it, and no plugin's mark."""
        return subscriber.reachable_by(channel) and subscriber.id not in self.marks[channel]

    def emailed(self, subscriber, plan: Plan) -> bool:
        """Whether the reader of ``plan`` gets an email of this bundle."""
        return plan.has_email and self.reachable(subscriber, "email")

    def text_of(self, subscriber, plan: Plan) -> SmsMessage | None:
        """The SMS or LMS the reader of ``plan`` gets, or None."""
        return plan.sms_for(self.emailed(subscriber, plan)) if self.reachable(subscriber, "sms") else None

    def delivery(self, subscriber) -> "Delivery":
        """What a subscribed reader gets of this bundle: what ``write_bundle``
        writes and ``sotong reach`` counts (one path for both)."""
        plan = self.plan(subscriber)
        return Delivery(plan, self.emailed(subscriber, plan), self.text_of(subscriber, plan))

    def email_for(self, subscriber, plan: Plan, subject_mark: str | None = None):
        """(message, manifest additions) for a reader's email, or (None, {});
        ``subject_mark`` starts the subject (a test copy's ``[시험]``)."""
        if plan.email is None:
            return None, {}
        body = self.email.marked(plan.email, subject_mark) if subject_mark else plan.email
        blocks = [block for make in self.block_makers for block in (make(subscriber, list(plan.selection.email)) or ())]
        extra = {}
        for block in blocks:
            extra.update((k, v) for k, v in block.manifest.items() if k not in MANIFEST_CORE_KEYS)
        return self.email.message(subscriber, body, blocks), extra


@secret_held()  # a token or more per reader: SOTONG_SECRET is read once per run
def write_bundle(project: Project, bundle: Bundle, *, progress: bool = False, sms_budget: float | None = None,
                 jobs: int = 1, now: dt.datetime | None = None) -> Summary:
    """Write every message of ``bundle`` into its outbox folder, atomically;
    with ``sms_budget`` (won), nothing at all when the texts would cost more;
    in ``jobs`` processes (the same bytes); ``now``: the messages' Date. One
    run of a bundle at a time: a second is refused while the first writes."""
    with one_at_a_time(Path(project.settings["PRIVATE_PATH"]) / "locks" / f"bundles-{bundle.key}.lock", _(
            "another sotong bundles of {key} is running; wait for it to finish, and bundle again if something "
            "changed since it began").format(key=bundle.key)):
        return _write_bundle(project, bundle, progress, sms_budget, jobs, now)


def _write_bundle(project: Project, bundle: Bundle, progress: bool, sms_budget: float | None, jobs: int,
                  now: dt.datetime | None) -> Summary:
    started = time.perf_counter()
    bundler = Bundler(project, bundle, now)
    if sms_budget is not None:
        refuse_over_budget(bundler, project.store.subscribers(), sms_budget)
    outbox = Path(project.settings["OUTBOX_PATH"])
    target = outbox / bundle.key
    staging = outbox / f".{bundle.key}.writing-{os.getpid()}"
    remove_stale_staging(outbox)
    shutil.rmtree(staging, ignore_errors=True)
    summary = Summary(folder=target, prices=bundler.sms_settings.prices, policy=bundler.sms_settings.policy,
                      size_limit=bundler.size_limit)
    store = project.store
    total = store.count_subscribers()
    jobs = max(1, min(jobs, total // PART_READERS))
    try:
        if jobs == 1:
            readers = total if progress else 0
            with _OutboxWriter(staging) as out, progress_bar(readers, _("bundling {key}").format(key=bundle.key)) as advance:
                for subscriber in store.subscribers():
                    advance()
                    _bundle_reader(bundler, subscriber, out, summary)
        else:
            _write_in_parts(bundler, staging, jobs, summary, progress)
        _write_sent_codes(bundler, staging)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):  # a full disk, a folder it may not write
            raise SotongError([_("{outbox}: cannot write the outbox ({value}); the outbox of {key} is as it was. Free some space (or make the folder writable) and run the same command again").format(
                outbox=project.shown(outbox), value=os_reason(exc), key=bundle.key)]) from None
        raise
    replace_folder(staging, target)
    summary.repeated = texts_to_numbers_texted_before(target / "sms.csv")
    summary.seconds = time.perf_counter() - started
    return summary


def _write_sent_codes(bundler: Bundler, staging: Path) -> None:
    """The short codes of the bundle's SMS notices beside its texts
    (SENT_CODES_FILE), which later builds and bundles keep for them
    (sotong.links.sent_codes): a notice dated before them, published later,
    takes none of them, so the texts' links lead where they did."""
    codes = {n.slug: bundler.sms.codes[n.slug] for n in bundler.bundle.notices if n.slug in bundler.sms.codes}
    if codes:
        (staging / SENT_CODES_FILE).write_text(json.dumps(codes, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    _record_texted_codes(bundler.project, codes, bundler.bundle.day)
    _record_sent_notices(bundler.project, bundler.bundle)


def _record_texted_codes(project: Project, codes: dict[str, str], day: dt.date) -> None:
    """Add the short codes of ``codes`` (slug -> code, texted first on
    ``day``) to the project's ledger of texted codes (sotong.code_ledger),
    which outlives the outbox: its links never lead to another notice, nor
    nowhere. With them, the codes of outboxes bundled before the ledger was
    kept (sotong.links.outbox_codes), so that their purge moves none."""
    settings = project.settings
    notices = {notice.slug: notice for notice in project.notices}
    texted = {code: slug for slug, code in outbox_codes(settings).items()}
    texted.update({code: slug for slug, code in codes.items()})

    def entry(slug: str, first_day: str) -> TextedCode:
        notice = notices.get(slug)
        source = notice_file(settings["PATH"], notice.source) if notice else ""
        return TextedCode(slug, source, notice.title if notice else "", first_day)
    record_texted(settings, {code: entry(slug, day.isoformat() if slug in codes else "") for code, slug in texted.items()})


def _record_sent_notices(project: Project, bundle) -> None:
    """Add the notices of ``bundle`` (its window, or its one notice) to the
    project's ledger of notices sent (sotong.code_ledger.SENT_NOTICES_FILE),
    by the slug their emails and texts link to: the build keeps a page at
    that address whatever later becomes of the notice (renamed, a draft,
    removed), and ``sotong check`` warns before a rename moves it. Not a
    private notice: it has no page, and its title is not for the site. An
    issue's web page (its edition's) goes in the ledger of pages bundles
    linked to (SENT_PAGES_FILE), which the plugin of that page keeps."""
    settings, day = project.settings, bundle.day.isoformat()
    record_texted(settings, {notice.slug: TextedCode(notice.slug, notice_file(settings["PATH"], notice.source),
                                                     notice.title, day)
                            for notice in bundle.notices if not notice.private},
                  SENT_NOTICES_FILE)
    site = site_url(settings, "")
    if bundle.issue is not None and bundle.web_url and bundle.web_url.startswith(site):  # the edition's page
        page = bundle.web_url[len(site):]
        record_texted(settings, {page: TextedCode(page, "", bundle.title, day)}, SENT_PAGES_FILE)


def texts_to_numbers_texted_before(sms_csv: Path) -> MessageCounts:
    """The texts of ``sms_csv`` to a phone number a row above already has,
    by type: each costs the office a text the phone's owner already got
    (readers sharing a number pay a text each; SPEC §6 gives every reader
    their own)."""
    seen, repeated = set(), []
    with open(sms_csv, encoding="utf-8", newline="") as file:
        rows = csv.reader(file)
        header = next(rows)
        phone, kind = header.index("phone"), header.index("type")
        for row in rows:
            number = row[phone].replace("-", "").replace(" ", "")  # as the store holds it, in one form or another
            if number in seen:
                repeated.append(row[kind])
            seen.add(number)
    return count_messages(repeated)


# What a forked part writer reads: (project, bundle, now, marks, staging folder), set before the fork;
# and, in each worker process, its own (Bundler, Store), made for its first part.
_FORKED: tuple = ()
_WORKER: dict = {}


def _write_in_parts(bundler: Bundler, staging: Path, jobs: int, summary: Summary, progress: bool) -> None:
    """The readers cut by id range into parts, written by ``jobs`` forked
    processes into ``staging``; their manifests and SMS rows joined in order."""
    global _FORKED
    project, bundle = bundler.project, bundler.bundle
    boundaries = project.store.id_boundaries(jobs * PARTS_PER_JOB)
    ranges = list(zip(boundaries, boundaries[1:]))
    (staging / "email").mkdir(parents=True)
    _FORKED = (project, bundle, bundler.now, bundler.marks, staging)
    try:
        parts = len(ranges) if progress else 0
        with (_in_forked_processes(_write_part, enumerate(ranges), jobs, bundle.key) as written_parts,
              progress_bar(parts, _("bundling {key}").format(key=bundle.key)) as advance):
            for written in written_parts:
                summary.add(written)
                advance()
    finally:
        _FORKED = ()
    for name, parts_name in (("manifest.jsonl", ".manifest-{}"), ("sms.csv", ".sms-{}")):
        with open(staging / name, "wb") as joined:
            for number in range(len(ranges)):
                with open(staging / parts_name.format(number), "rb") as part:
                    shutil.copyfileobj(part, joined)
                os.unlink(staging / parts_name.format(number))


@contextlib.contextmanager
def _in_forked_processes(function: Callable, items: Iterable, jobs: int, key: str) -> Iterator[Iterator]:
    """``function`` of each item, in ``jobs`` forked processes, the answers
    in the items' order. A process that dies (SIGKILL, the kernel's OOM
    killer) breaks the pool (where a multiprocessing.Pool would wait for
    ever): a SotongError saying how it ended. On any error, Ctrl+C too, the
    processes are stopped at once. Not ``executor.map``: its answers, stopped
    by Ctrl+C, cancel the items not begun, and Python 3.11's pool, finding
    its processes stopped, then fails on them in its own thread
    (InvalidStateError, a traceback under the one line that says it stopped)."""
    fork = multiprocessing.get_context("fork")
    others = set(fork.active_children())
    with ProcessPoolExecutor(jobs, mp_context=fork, initializer=_worker_started, initargs=(os.getpid(),)) as executor:
        futures = [executor.submit(function, item) for item in items]  # every process forked before the pool's thread
        workers = [process for process in fork.active_children() if process not in others]
        try:
            yield (future.result() for future in futures)
        except BrokenProcessPool:
            executor.shutdown()  # its processes ended and waited for: their exit codes known
            raise SotongError([_("a bundling process stopped unexpectedly ({how}); the outbox of {key} is as it was: run the same command again").format(
                how=how_it_ended(_first_to_die(workers)), key=key)]) from None
        except BaseException:
            for process in workers:
                process.terminate()
            raise


def _worker_started(parent: int) -> None:
    """In a part writer, first: Ctrl+C is the parent's, and the parent's death its end."""
    leave_ctrl_c_to_the_parent()
    stop_with_the_parent(parent)


def _first_to_die(workers: list) -> int | None:
    """The exit code of the worker that broke the pool: not one the pool
    then stopped (SIGTERM), if there is one."""
    codes = [process.exitcode for process in workers]
    return next((code for code in codes if code not in (0, -signal.SIGTERM)), codes[0] if codes else None)


def _write_part(numbered_range: tuple[int, tuple[str | None, str | None]]) -> Summary:
    """In a forked process: part N, the readers ``start <= id < stop``. Its own
    Bundler, so that the plugins' blocks (survey invitations, recorded in the
    store) and the readers' query use store connections of its own."""
    number, (start, stop) = numbered_range
    project, bundle, now, marks, staging = _FORKED
    if "bundler" not in _WORKER:
        _WORKER.update(bundler=Bundler(project, bundle, now, marks), store=Store.open(project.settings["SOTONG_DB"]))
    written = Summary(folder=staging)
    with _OutboxWriter(staging, part=number) as out:
        for subscriber in _WORKER["store"].subscribers(start=start, stop=stop):
            _bundle_reader(_WORKER["bundler"], subscriber, out, written)
    return written


_STAGING = re.compile(r"^\.(?P<key>.+)\.writing-(?P<pid>\d+)$")


def remove_stale_staging(outbox: Path) -> None:
    """Delete the half-written outboxes (``.KEY.writing-PID``) of runs that
    were killed: those whose process is gone."""
    if not outbox.is_dir():
        return
    for entry in os.scandir(outbox):
        match = _STAGING.match(entry.name)
        if match and entry.is_dir(follow_symlinks=False) and not _process_alive(int(match["pid"])):
            log.info(_("removing %s, left by a bundles run that was stopped"), entry.name)
            shutil.rmtree(entry.path, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _bundle_reader(bundler: Bundler, subscriber, out: "_OutboxWriter", summary: Summary) -> None:
    summary.readers += 1
    if not subscriber.subscribed:
        summary.unsubscribed += 1
        return
    delivery = bundler.delivery(subscriber)
    sent = False
    if delivery.email:
        message, extra = bundler.email_for(subscriber, delivery.plan)
        out.email(subscriber.id, message, extra)
        summary.emails += 1
        if len(message.eml) + bundler.seal_bytes > bundler.size_limit:  # as sent, signed
            summary.too_big += 1
            summary.too_big_notices.update(slug for slug in message.notices if slug in bundler.carrying)
        sent = True
    elif "email" in subscriber.channels and subscriber.id in bundler.marks["email"]:
        summary.invalid_email += 1
        log.info(_("subscriber %s: email skipped, address marked invalid"), subscriber.id)
    text = delivery.text
    if text is not None:
        out.sms(subscriber, text)
        if text.type == "SMS":
            summary.sms += 1
        else:
            summary.lms += 1
        sent = True
    if not sent:
        summary.nothing += 1


class _OutboxWriter:
    """The files of one outbox folder: manifest.jsonl, sms.csv and email/ID.eml;
    or, for ``part`` N of the readers, email/ID.eml and the part's lines in
    .manifest-N and .sms-N (the header in part 0's)."""

    def __init__(self, folder: Path, part: int | None = None):
        if part is None:
            (folder / "email").mkdir(parents=True)
        self.email_dir = str(folder / "email")
        self.manifest = open(folder / ("manifest.jsonl" if part is None else f".manifest-{part}"), "w", encoding="utf-8")
        self.sms_file = open(folder / ("sms.csv" if part is None else f".sms-{part}"), "w", encoding="utf-8", newline="")
        self.sms_rows = spreadsheet.writer(self.sms_file)
        if not part:
            self.sms_rows.writerow(SMS_COLUMNS)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.manifest.close()
        self.sms_file.close()
        return False

    def email(self, subscriber_id: str, message, extra: dict) -> None:
        name = eml_name(subscriber_id)
        with open(os.path.join(self.email_dir, name), "wb") as file:
            file.write(message.eml)
        row = {"id": subscriber_id, "channel": "email", "notices": list(message.notices), "banner": None, **extra,
               "file": f"email/{name}"}
        self.manifest.write(json.dumps(row, ensure_ascii=False) + "\n")

    def sms(self, subscriber, message: SmsMessage) -> None:
        text = message.text
        self.sms_rows.writerow((subscriber.id, subscriber.phone, text.type, text.bytes, text.text))
        row = {"id": subscriber.id, "channel": "sms", "notices": list(message.notices), "banner": None, "file": None}
        self.manifest.write(json.dumps(row, ensure_ascii=False) + "\n")


