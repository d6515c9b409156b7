"""``sotong check`` warnings of the bundles plugin: a notice whose SMS line
alone makes the message an LMS (SPEC §6), composed as its issue's bundle
would compose it (header, short link, opt-out footer), with how many bytes
to cut (a web address in it named: the text carries the notice's link; and
its full-width letters, 2 bytes each), or, when the title is the text, the
title's first words that fit; one whose line no text can hold, dropped from
every message; and, at the CLICK_COUNTING line, what counting the texts' clicks costs: SPEC §6's
one-notice text of 30 bytes is one SMS with a short link, and an LMS with
the collector's counting link."""

from __future__ import annotations

import json
import unicodedata

from sotong.i18n import _
from sotong.links import ascii_url, counts_clicks, short_url, site_short_codes
from sotong.project import Project
from sotong.schedule import next_issue
from sotong.settings import setting_line
from sotong.sms import LMS_MAX_BYTES, SMS_MAX_BYTES, Prices, SmsText, byte_length, notice_line, sms_form, won
from sotong.text_links import bare_addresses

from .compose import SmsComposer
from .config import bundles_settings
from .outbox import issue_bundle


def lms_warnings(project: Project, slugs: frozenset[str] | None = None) -> list[str]:
    """One line for each published sms notice (of ``slugs``, when given:
    ``sotong reach``'s) whose text alone is an LMS, or shows nothing of it."""
    config = bundles_settings(project.settings)
    notices = [n for n in project.published_notices if n.has("sms") and (slugs is None or n.slug in slugs)]
    codes = site_short_codes(project.settings, project.published_notices)
    found, composers = [], {}  # one composer per issue: a bundle is its window of every notice
    for notice in notices:
        issue = next_issue(notice.day)
        if issue not in composers:
            composers[issue] = SmsComposer(project.settings, config, issue_bundle(project, issue, config.title), codes)
        text = composers[issue].message((notice,)).text
        if text.type == "LMS" or not text.shown:
            line = notice.lines.get("sms", notice.lines.get("title", 1))
            found.append(f"{project.shown(notice.source)}:{line}: {_advice(notice, text, composers[issue])}"
                         + _full_width_note(notice.sms_text))
    return _click_counting_warning(project, notices, codes, composers, config.sms.prices) + found


def _click_counting_warning(project: Project, notices: list, codes: dict, composers: dict, prices: Prices) -> list[str]:
    """One line at CLICK_COUNTING when it counts the texts' clicks: the bytes
    its link takes and the short link's, and the sms text a one-notice SMS
    then holds (that without it beside), as the next issue composes it."""
    if not notices or not counts_clicks(project.settings, "sms"):
        return []
    last = max(notices, key=lambda notice: notice.day)
    composer = composers[next_issue(last.day)]
    counted, short = composer.link(codes[last.slug]), ascii_url(short_url(project.settings, codes[last.slug]))
    settings_file = project.settings.get("SOTONG_SETTINGS_FILE") or project.settings_path
    where = f"{project.shown(settings_file)}:{setting_line(project.settings, 'CLICK_COUNTING')}: "
    return [where + _('warning: CLICK_COUNTING = True makes each link in a text {counted} bytes ({example}) instead of the short link\'s {short}, so a one-notice text is one SMS only with an sms line of {room} bytes or fewer (with the short link, {room_short}); longer ones go as LMS, at {lms_price} instead of {sms_price}, and a notice sent on its own (sotong bundles --notice) has a longer link still, named by its slug; write CLICK_COUNTING = "email" to count the emails\' clicks only and keep the texts\' short links').format(
        counted=byte_length(counted), example=counted, short=byte_length(short), room=_room(composer, counted),
        room_short=_room(composer, short), lms_price=won(prices.lms), sms_price=won(prices.sms))]


def _room(composer: SmsComposer, link: str) -> int:
    """The bytes of sms text a one-notice message with ``link`` holds in one SMS (the header's short form)."""
    fixed = byte_length(composer.short_header) + 1 + byte_length(notice_line("", link)) + 1 + byte_length(composer.footer)
    return SMS_MAX_BYTES - fixed


def _advice(notice, text: SmsText, composer: SmsComposer) -> str:
    """What to do about ``notice``, whose one-notice ``text`` is an LMS or
    holds only the count of the notices dropped."""
    own = byte_length(sms_form(notice.sms_text))
    if not text.shown:
        return _('warning: the sms line is {bytes:,} bytes, more than a text holds ({lms_max_bytes:,} with the header, link and opt-out line), so no text shows this notice: its readers get only "외 1건은 홈페이지에서 확인하세요"; shorten the sms line to a sentence or two').format(
            bytes=own, lms_max_bytes=LMS_MAX_BYTES)
    # the text with the header's date dropped, which the composer does when that makes an SMS
    over = text.bytes - SMS_MAX_BYTES - (byte_length(composer.header) - byte_length(composer.short_header))
    if own - over < 2:  # not even one Korean letter would make an SMS
        return _("warning: this notice's text alone is an LMS ({bytes} bytes with the header, link and opt-out line; an SMS holds {sms_max_bytes}), so every text of it costs the LMS price; the header, link and opt-out line alone leave no room for the text in an SMS: ask the operator for a shorter link (SHORT_LINK_BASE, e.g. \"https://sd.go.kr/s/\")").format(
            bytes=text.bytes, sms_max_bytes=SMS_MAX_BYTES)
    address = _web_address(notice.sms) if notice.sms else None
    if address:
        return _("warning: this notice's text alone is an LMS ({bytes} bytes with the header, link and opt-out line; an SMS holds {sms_max_bytes}), so every text of it costs the LMS price; the sms line holds the web address {address} ({address_bytes} bytes), and every text carries the link to the notice's page already: leave the address to the notice's text (the line must lose {over} bytes or more to be an SMS)").format(
            bytes=text.bytes, sms_max_bytes=SMS_MAX_BYTES, address=address, address_bytes=byte_length(address), over=over)
    if notice.sms:
        return _("warning: this notice's text alone is an LMS ({bytes} bytes with the header, link and opt-out line; an SMS holds {sms_max_bytes}), so every text of it costs the LMS price; shorten the sms line by {over} bytes or more (a Korean letter is 2 bytes, a space 1)").format(
            bytes=text.bytes, sms_max_bytes=SMS_MAX_BYTES, over=over)
    return _("warning: this notice's text alone is an LMS ({bytes} bytes with the header, link and opt-out line; an SMS holds {sms_max_bytes}), so every text of it costs the LMS price; the title is its text: add an sms line of at most {most} bytes, e.g. sms: {example}").format(
        bytes=text.bytes, sms_max_bytes=SMS_MAX_BYTES, most=own - over,
        example=json.dumps(first_words(sms_form(notice.sms_text), own - over), ensure_ascii=False))


def _full_width_note(text: str) -> str:
    """What a text's full-width letters, digits and signs cost (ＡＢＣ, １２, ＃ from a Korean keyboard's
    full-width mode or HWP: 2 bytes each in CP949), and how to write them in 1; or nothing."""
    wide = "".join(dict.fromkeys(char for char in text if "\uff01" <= char <= "\uff5e"))
    if not wide:
        return ""
    return _("; {characters} are full-width, 2 bytes each: written as {instead} they take 1 each").format(
        characters=" ".join(wide), instead=" ".join(unicodedata.normalize("NFKC", wide)))


def _web_address(text: str) -> str | None:
    """The longest web address written in ``text`` (with or without https://), or None."""
    found = [word for word in text.split() if "://" in word or word.lower().startswith("www.")] + bare_addresses(text)
    return max(found, key=len, default=None)


def first_words(text: str, most: int) -> str:
    """The first words of ``text`` that fit in ``most`` CP949 bytes, whole;
    as many of the first word's letters when not even it fits."""
    kept = ""
    for word in text.split():
        longer = f"{kept} {word}" if kept else word
        if byte_length(longer) > most:
            break
        kept = longer
    while not kept and text and byte_length(text) > most:
        text = text[:-1]
    return kept or text
