"""``sotong check`` warnings of the bundles plugin: a notice whose SMS line
alone makes the message an LMS (SPEC §6), composed as its issue's bundle
would compose it (header, short link, opt-out footer)."""

from __future__ import annotations

from sotong.i18n import _
from sotong.links import short_codes, sms_link_notices
from sotong.project import Project
from sotong.schedule import next_issue
from sotong.sms import SMS_MAX_BYTES

from .compose import SmsComposer
from .config import bundles_settings
from .outbox import issue_bundle


def lms_warnings(project: Project) -> list[str]:
    """One line for each published sms notice whose text alone is an LMS."""
    config = bundles_settings(project.settings)
    notices = [n for n in project.published_notices if n.has("sms")]
    codes = short_codes(sms_link_notices(project.published_notices))
    found, composers = [], {}  # one composer per issue: a bundle is its window of every notice
    for notice in notices:
        issue = next_issue(notice.day)
        if issue not in composers:
            composers[issue] = SmsComposer(project.settings, config, issue_bundle(project, issue, config.title), codes)
        text = composers[issue].message((notice,)).text
        if text.type == "LMS":
            line = notice.lines.get("sms", notice.lines.get("title", 1))
            found.append(_("{source}:{line}: warning: this notice's text alone is an LMS ({bytes} bytes with the header, link and opt-out line; an SMS holds {sms_max_bytes}), so every text of it costs the LMS price; shorten the sms line").format(
                source=project.shown(notice.source), line=line, bytes=text.bytes, sms_max_bytes=SMS_MAX_BYTES))
    return found
