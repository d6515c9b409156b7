"""The email and the SMS text of one bundle, composed for each reader from
parts made once per bundle.

The templates (``themes/email``) are rendered and their CSS inlined once;
each notice block once; each distinct set of notices is composed once into a
body with holes (``__slotMARK_NAME__``) for what differs between readers (their
unsubscribe link and the plugins' blocks). A reader's message is then a join
of strings and base64, which is what makes 100,000 readers take seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import secrets
from dataclasses import dataclass, replace
from email.utils import parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from sotong import mail
from sotong.body_files import kind_and_size
from sotong.dates import event_time, korean_date
from sotong.ics import event_calendar
from sotong.images import email_image_size
from sotong.links import ascii_url, click_url, notice_url, short_url, site_url, text_link_url
from sotong.markup import headings_from, html_text, links_readable_anywhere, shortened, text_with_tel_links
from sotong.sms import SmsText, compose_sms, notice_line

from .config import BundlesSettings
from .rules import Selection, blocks_that_fit

HTML_LIMIT = 102_000  # bytes; Gmail clips longer messages
BLOCKS_RESERVE = 8_000  # bytes kept free in every email for the reader's link and plugins' blocks
IMAGE_MAX_WIDTH = 552  # the 600px column less its padding
SUBJECT_TITLE_LIMIT = 40  # characters of the first notice's title in a subject
PREHEADER_LIMIT = 120  # characters of the titles an inbox shows after the subject
CALENDAR_FILE = "일정.ics"  # a private notice's event, which a phone's calendar adds when it is opened
NOTICE_HEADING = 3  # a notice's title in an issue: under the email's h1 and its section's h2

# In every hole, so that no text of a notice (a title "__slot_blocks__") reads
# as one: it would be filled with a reader's link or blocks, or stop the run.
_MARK = secrets.token_hex(8)
_SLOT = re.compile(rf"__slot{_MARK}_([a-z_]+)__")


def slot(name: str) -> Markup:
    """A hole in a template, filled later (per reader or per set of notices)."""
    return Markup(f"__slot{_MARK}_{name}__")


@dataclass(frozen=True)
class Slotted:
    """A text with named holes, split once so that filling it is a join."""

    parts: tuple  # literal, name, literal, name, ..., literal

    @classmethod
    def parse(cls, text: str) -> "Slotted":
        return cls(tuple(_SLOT.split(text)))

    def fill(self, **values: str) -> str:
        """The text with every hole filled."""
        parts = list(self.parts)
        parts[1::2] = [values[name] for name in parts[1::2]]
        return "".join(parts)

    def partial(self, **values: str) -> "Slotted":
        """The text with the given holes filled and the others kept."""
        return Slotted.parse(self.fill(**{name: values.get(name, slot(name)) for name in self.parts[1::2]}))

    def split_start(self) -> tuple[str, "Slotted"]:
        """The text before the first hole, and the rest."""
        return self.parts[0], Slotted(("", *self.parts[1:]))


@dataclass(frozen=True)
class Base64Start:
    """A text whose start is shared by many readers: the start's whole lines
    of base64 are encoded once; its last bytes (under one line) and each
    reader's rest (its holes filled) are encoded on their own."""

    start: bytes  # base64 lines of the start's whole 57-byte lines
    left_over: bytes  # the start's last bytes, fewer than 57
    rest: Slotted

    @classmethod
    def of(cls, text: Slotted) -> "Base64Start":
        start, rest = text.split_start()
        head, left_over = mail.split_at_base64_line(start.encode())
        return cls(mail.base64_body(head), left_over, rest)

    def encode(self, **values: str) -> bytes:
        return self.start + mail.base64_body(self.left_over + self.rest.fill(**values).encode())


@dataclass(frozen=True)
class Bundle:
    """What is being bundled: an issue, or one notice sent on its own."""

    key: str  # the outbox folder and Message-ID part: "2026-11-26", or the notice slug
    issue: dt.date | None  # None for a one-off bundle
    day: dt.date  # the day the bundle is for: the issue date, or today
    notices: tuple  # the window (in window order), or the one notice
    title: str  # heads the email: "성동구 소통 소식 2026년 11월 26일", or the notice title
    web_url: str | None  # the edition on the web, or the notice page; None: no such page (a private notice, an issue with no edition)

    @property
    def year(self) -> int:
        return self.day.year


@dataclass(frozen=True)
class EmailBody:
    """The email of one set of notices, with holes for each reader's parts."""

    selection: Selection
    html: Base64Start  # holes: blocks, unsubscribe_url
    text: Base64Start  # holes: blocks, unsubscribe_url
    subject: bytes  # the Subject header line
    notices: tuple  # slugs, in message order; those that did not fit in full are links
    images: tuple = ()  # mail.InlineImage: the pictures of private notices shown in full
    attachments: tuple = ()  # mail.Attachment: the files of its private notices


@dataclass(frozen=True)
class Message:
    eml: bytes
    notices: tuple  # slugs, in message order


class EmailComposer:
    """Makes the emails of one bundle."""

    def __init__(self, settings: dict, config: BundlesSettings, audiences, bundle: Bundle, now: dt.datetime,
                 content):
        self.settings, self.config, self.audiences, self.bundle = settings, config, audiences, bundle
        self.content = content  # what a private notice's links to the site lead to
        # a notice sent on its own has no section: its title comes right under the email's h1
        self.notice_heading = NOTICE_HEADING if bundle.issue else NOTICE_HEADING - 1
        self.css = (config.email_theme / "email.css").read_text(encoding="utf-8")
        html_env = Environment(loader=FileSystemLoader(str(config.email_theme)), undefined=StrictUndefined,
                               autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
        text_env = Environment(loader=FileSystemLoader(str(config.email_theme)), undefined=StrictUndefined,
                               autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        for env in (html_env, text_env):
            env.globals["slot"] = slot
        html_env.filters["tel_links"] = text_with_tel_links
        text_env.filters["ascii_url"] = ascii_url  # a link in plain text ends where its ASCII does
        self.html_env, self.text_env = html_env, text_env
        self._frames: dict = {}
        self.parts = html_env.get_template("email_parts.html").module
        self.text_parts = text_env.get_template("email_parts.txt").module
        sender_name, sender = parseaddr(settings["MAIL_FROM"])
        self.head = mail.address_header("From", sender_name, sender) + mail.date_header(now)
        self.domain = mail.mail_domain(settings["MAIL_FROM"])
        self._views: dict = {}
        self._inline: dict = {}
        self._attached: dict = {}
        self._parts: dict = {}
        self._bodies: dict = {}

    def _page_values(self) -> dict:
        bundle = self.bundle
        day = korean_date(bundle.day)
        return {
            "title": bundle.title,
            "subtitle": (self.settings.get("SITESUBTITLE") or "") if bundle.issue else f"{day} 안내",
            "site_name": self.settings.get("SITENAME", ""),
            "site_url": site_url(self.settings),
            "office_address": self.config.office_address,
            "logo": self.config.logo,
        }

    def _on_web_page(self, notice) -> bool:
        """Whether the bundle's web page (``web_url``) shows ``notice``: an
        issue's edition holds its notices with newsletter in channels (never
        a private one: check keeps those to email, SPEC §16); a one-off's page
        is its notice's, which a private notice has not."""
        return notice.has("newsletter") if self.bundle.issue else not notice.private

    def _frame(self, on_web: bool) -> tuple[Slotted, Slotted]:
        """The email's HTML and text page around its notices, each made
        once: with 「웹에서 보기」 to the bundle's ``web_url`` (the edition,
        or the notice's page), or, not ``on_web``, without it: an email
        none of whose notices that page shows (all private, or all left out
        of the edition) would send its reader to a page without them."""
        frame = self._frames.get(on_web)
        if frame is None:
            values = {**self._page_values(), "web_url": self.bundle.web_url if on_web else None}
            frame = self._frames[on_web] = (
                Slotted.parse(mail.inline_css(self.html_env.get_template("email.html").render(values), self.css)),
                Slotted.parse(mail.plain_text(self.text_env.get_template("email.txt").render(values))))
        return frame

    # --- per notice: made once ------------------------------------------------

    def _view(self, notice) -> dict:
        view = self._views.get(notice.slug)
        if view is None:
            view = self._views[notice.slug] = self._private_view(notice) if notice.private else {
                "slug": notice.slug,
                "title": notice.title,
                "heading": self.notice_heading,
                "url": click_url(self.settings, self.bundle.key, "email", notice.slug,
                                 notice_url(self.settings, notice.slug)),
                "field": self.audiences.field_label(notice.category),
                "urgent": notice.urgent,
                "date": notice.date.strftime(self.settings.get("DEFAULT_DATE_FORMAT", "%Y-%m-%d")),
                "department": notice.department,
                "summary": notice.plain_summary(),
                "image": self._image(notice),
            }
        return view

    def _private_view(self, notice) -> dict:
        """SPEC §16: a private notice has no page; its whole text is the block,
        with no link to the site; its own links to the site's pages are
        given their full address, as the email is read away from the site.
        Its text is rendered as the build renders a notice's (the project's MARKDOWN)."""
        body = links_readable_anywhere(self.content.text_html(notice.body),
                                       lambda href: text_link_url(self.settings, self.content, notice, href))
        return {
            "slug": notice.slug, "title": notice.title, "url": None, "image": self._image(notice, inline=True),
            "heading": self.notice_heading,
            "field": self.audiences.field_label(notice.category), "urgent": notice.urgent,
            "date": notice.date.strftime(self.settings.get("DEFAULT_DATE_FORMAT", "%Y-%m-%d")),
            "department": notice.department, "summary": notice.plain_summary(),
            "event": notice.event and {"time": event_time(notice.event.start, notice.event.end),
                                       "place": notice.event.place},  # what its page would show
            "body_html": headings_from(body, self.notice_heading + 1),
            "body_text": html_text(body),
            "attachments": [{"name": attachment.name, "about": kind_and_size(attachment.name, attachment.size),
                             "calendar": attachment.name == CALENDAR_FILE}  # staff attach no .ics (sotong.notices)
                            for attachment in self._attachments(notice)],
        }

    def _attachments(self, notice) -> tuple:
        """A private notice's files, read and encoded once per bundle, and its
        event as a calendar file (it has no page to offer one)."""
        found = self._attached.get(notice.slug)
        if found is None:
            root = Path(self.settings["PATH"])
            found = tuple(mail.Attachment.read(root / path) for path in notice.attachments)
            if notice.event is not None:
                found += (mail.Attachment.of(CALENDAR_FILE, event_calendar(notice, None, self.domain),
                                            'text/calendar; charset="utf-8"; method=PUBLISH'),)
            self._attached[notice.slug] = found
        return found

    def _inline_image(self, notice) -> mail.InlineImage:
        """A private notice's picture, carried inside the email: it is on no site."""
        image = self._inline.get(notice.slug)
        if image is None:
            content_id = f"image-{hashlib.sha256(notice.slug.encode()).hexdigest()[:20]}@{self.domain}"
            image = self._inline[notice.slug] = mail.InlineImage.read(Path(self.settings["PATH"]) / notice.image,
                                                                      content_id)
        return image

    def _image(self, notice, inline: bool = False) -> dict | None:
        """The notice's image for the email, if every client can show it and
        it does not move (:func:`sotong.images.email_image_size`); otherwise
        the notice page (linked) shows it. ``inline``: a private notice's,
        carried in the message (``cid:``)."""
        size = email_image_size(Path(self.settings["PATH"]) / notice.image, IMAGE_MAX_WIDTH) if notice.image else None
        if size is None:
            return None  # an email image without its size would jump as it loads
        width, height = size
        src = "cid:" + self._inline_image(notice).content_id if inline else site_url(self.settings, notice.image)
        return {"src": src, "alt": notice.image_alt, "width": width, "height": height}

    def _part(self, name: str, key, *args) -> str:
        """A macro of email_parts.html, rendered and inlined once per ``key``."""
        part = self._parts.get((name, key))
        if part is None:
            part = self._parts[name, key] = mail.inline_css(str(getattr(self.parts, name)(*args)), self.css)
        return part

    # --- per set of notices: made once ----------------------------------------

    def body(self, selection: Selection, reserve: int = BLOCKS_RESERVE) -> EmailBody | None:
        """The email for readers who get ``selection``; None when it holds no notice."""
        if not selection.email:
            return None
        key = (tuple(n.slug for n in selection.for_you), tuple(n.slug for n in selection.edition), reserve)
        body = self._bodies.get(key)
        if body is None:
            body = self._bodies[key] = self._compose(selection, reserve)
        return body

    def _sections(self, selection: Selection) -> list[tuple[str, list]]:
        """The email's sections, each a title and its notices in message
        order: the reader's private notices first (SPEC §16), as an email
        too long for Gmail lists its last notices as links to their pages,
        which a private notice has not: it is always in full, in the HTML
        too (:meth:`_compose`)."""
        for_you = sorted(selection.for_you, key=lambda notice: not notice.private)
        if not self.bundle.issue:
            return [("", for_you)]
        sections = []
        if for_you:
            sections.append((f"회원님을 위한 소식 {len(for_you)}건", for_you))
        if selection.edition:
            sections.append(("이번 호 다른 소식" if selection.for_you else "이번 호 소식", list(selection.edition)))
        return sections

    def notice_order(self, selection: Selection) -> list:
        """The notices of the email for readers who get ``selection``, in the
        order the message shows them (its ``notices``), without composing it."""
        return [notice for _title, notices in self._sections(selection) for notice in notices]

    def _compose(self, selection: Selection, reserve: int) -> EmailBody:
        sections = self._sections(selection)
        ordered = self.notice_order(selection)
        page, text_page = self._frame(on_web=any(self._on_web_page(notice) for notice in ordered))
        views = [self._view(n) for n in ordered]
        preheader = shortened(" · ".join(v["title"] for v in views), PREHEADER_LIMIT)

        pages: dict[int, Slotted] = {}

        def page_keeping(full: int) -> Slotted:
            """The page with the first ``full`` notices in full and the rest as links."""
            if full in pages:
                return pages[full]
            chunks, shown = [], 0
            for title, notices in sections:
                in_full = notices[:max(0, full - shown)]
                shown += len(notices)
                if in_full and title:
                    chunks.append(self._part("section", title, title))
                chunks.extend(self._part("notice", n.slug, self._view(n)) for n in in_full)
            rest = views[full:]
            if rest:
                items = "".join(self._part("more_item", v["slug"], v) for v in rest)
                chunks.append(Slotted.parse(self._part("more_list", len(rest), len(rest))).fill(items=items))
            pages[full] = page.partial(preheader=html.escape(preheader), body="".join(chunks))
            return pages[full]

        def size_keeping(full: int) -> int:
            return len(page_keeping(full).fill(blocks="", unsubscribe_url="").encode())

        # a private notice has no page to link: always in full, past Gmail's clip if need be (its "전체 메시지
        # 보기" shows the rest); as a title only, a member's phone showed nothing more (it shows no text part)
        full = max(blocks_that_fit(len(ordered), size_keeping, HTML_LIMIT - reserve),
                   sum(notice.private for notice in ordered))
        html_body = page_keeping(full)
        text_chunks = []
        for title, notices in sections:
            if title:
                text_chunks.append(str(self.text_parts.section(title)))
            text_chunks.extend(str(self.text_parts.notice(self._view(n))) for n in notices)
        text_body = text_page.partial(body=mail.plain_text("\n\n".join(text_chunks)))
        images = tuple(self._inline_image(n) for n, view in zip(ordered[:full], views) if n.private and view["image"])
        return EmailBody(selection=selection, html=Base64Start.of(html_body), text=Base64Start.of(text_body),
                         subject=mail.header("Subject", self._subject(selection)),
                         notices=tuple(v["slug"] for v in views), images=images,
                         attachments=tuple(a for n in ordered if n.private for a in self._attachments(n)))

    def marked(self, body: EmailBody, mark: str) -> EmailBody:
        """``body`` with ``mark`` (e.g. ``[시험]``) at the start of its subject."""
        return replace(body, subject=mail.header("Subject", f"{mark} {self._subject(body.selection)}"))

    def _subject(self, selection: Selection) -> str:
        """The reader's first notice and how many more: "성동구 소식: 김장 나눔 자원봉사자 모집 외 3건";
        an urgent one's title marked "[긴급]", as on SNS."""
        prefix = self.config.subject_prefix
        if not self.bundle.issue:
            return f"{prefix} {self.bundle.notices[0].headline}"
        ordered = self.notice_order(selection)
        first = shortened(ordered[0].headline, SUBJECT_TITLE_LIMIT)
        more = len(ordered) - 1
        return f"{prefix} {first} 외 {more}건" if more else f"{prefix} {first}"

    # --- per reader ----------------------------------------------------------------

    def message(self, subscriber, body: EmailBody, blocks=()) -> Message:
        """The email of one reader who gets ``body``, with the plugins' ``blocks``."""
        url = mail.unsubscribe_url(self.settings, subscriber.id)
        blocks_html = "".join(block.html for block in blocks)
        reader_part = len(blocks_html.encode()) + len(url) + mail.BASE64_LINE_BYTES
        if reader_part > BLOCKS_RESERVE:
            body = replace(self.body(body.selection, reserve=reader_part), subject=body.subject)
        html_base64 = body.html.encode(blocks=blocks_html, unsubscribe_url=html.escape(url))
        blocks_text = mail.plain_text("".join(f"\n{block.text.strip()}\n" for block in blocks))
        text_base64 = body.text.encode(blocks=blocks_text, unsubscribe_url=ascii_url(url))
        message_id = mail.message_id(self.bundle.key, subscriber.id, self.domain)
        headers = b"".join((
            self.head,
            mail.address_header("To", subscriber.name, subscriber.email),
            body.subject,
            f"Message-ID: {message_id}\r\n".encode(),
            mail.list_unsubscribe_headers(self.settings, subscriber.id, url),
        ))
        eml = mail.multipart_alternative(headers, text_base64, html_base64, mail.boundary_for(message_id), body.images,
                                         body.attachments)
        return Message(eml, body.notices)


@dataclass(frozen=True)
class SmsMessage:
    """A reader's SMS or LMS: its text and the notices it shows, in order."""

    text: SmsText
    notices: tuple  # slugs of the notice lines kept

    @property
    def type(self) -> str:
        return self.text.type


class SmsComposer:
    """Makes the SMS texts of one bundle, once per distinct set of notices.

    ``codes``: the short link code of every SMS notice of the site
    (sotong.links.short_codes), not only the bundle's: codes are site-wide."""

    def __init__(self, settings: dict, config: BundlesSettings, bundle: Bundle, codes: dict):
        self.settings, self.codes = settings, codes
        self.short_header = config.sms_header
        self.header = f"{config.sms_header} {bundle.day.month}/{bundle.day.day}"
        self.footer = config.sms.optout_footer
        self.more_link = ascii_url(bundle.web_url or site_url(settings))
        self.bundle_key = bundle.key
        self._texts: dict = {}

    def link(self, code: str) -> str:
        """A notice's short link, or its click-counting link (CLICK_COUNTING), in ASCII."""
        return ascii_url(click_url(self.settings, self.bundle_key, "sms", code, short_url(self.settings, code)))

    def message(self, notices: tuple) -> SmsMessage | None:
        """The message for ``notices`` (in order), or None when there are none."""
        if not notices:
            return None
        key = tuple(n.slug for n in notices)
        message = self._texts.get(key)
        if message is None:
            lines = [notice_line(n.sms_text, self.link(self.codes[n.slug])) for n in notices]
            text = compose_sms(self.header, lines, self.footer, self.more_link, short_header=self.short_header)
            message = self._texts[key] = SmsMessage(text, key[:text.shown])
        return message
