"""The ``BUNDLES`` settings dict (and the emails' emblem, ``EMAIL_LOGO``):
defaults and validation, with a ``pelicanconf.py:LINE: ...`` problem for
every mistake."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sotong.i18n import _
from sotong.problems import Problem
from sotong.settings import SettingsProblems, settings_check, text, validated
from sotong.sms import SmsSettings, outside_cp949, read_sms_settings
from sotong.spreadsheet import looks_like_formula

EXAMPLE = 'BUNDLES = {"email_theme": "themes/email", "sms_header": "[성동구]"}'
TEMPLATES = ("email.html", "email_parts.html", "email.txt", "email_parts.txt", "email.css")


@dataclass(frozen=True)
class BundlesSettings:
    email_theme: Path  # folder of the email templates and email.css
    title: str  # heads every issue email, before the date
    subject_prefix: str  # starts every subject: "성동구 소식: 김장 나눔 자원봉사자 모집 외 3건"
    sms_header: str  # starts every SMS; the date follows unless dropping it makes an SMS: "[성동구] 11/26"
    office_address: str  # the sender's postal address, in every email's footer
    logo: dict | None  # EMAIL_LOGO (an image URL) and EMAIL_LOGO_ALT: the district's emblem atop every email
    sms: SmsSettings  # SMS_PRICE, LMS_PRICE, SMS_POLICY, SHORT_LINK_BASE, SMS_OPTOUT_FOOTER


def defaults(settings: dict) -> dict:
    site = settings.get("SITENAME") or "성동구 소통"
    return {
        "email_theme": "themes/email",
        "title": f"{site} 소식",
        "subject_prefix": "성동구 소식:",
        "sms_header": "[성동구]",  # the sender, as short as the office's name allows
        "office_address": "(04750) 서울특별시 성동구 고산자로 270 성동구청 홍보담당관 · 전화 02-2286-5114",
    }


def bundles_settings(settings: dict) -> BundlesSettings:
    """The validated BUNDLES settings; SettingsError listing every problem."""
    return validated(read_bundles_settings, settings)


def read_bundles_settings(settings: dict) -> tuple[BundlesSettings | None, list[Problem]]:
    found = SettingsProblems(settings)
    fallback = defaults(settings)
    checks = {**dict.fromkeys(fallback, text()), "sms_header": _sms_header}
    values = found.plugin_values("BUNDLES", fallback, checks, EXAMPLE)
    if values is None:
        return None, found.problems
    values = {key: value.strip() if isinstance(value, str) else fallback[key] for key, value in values.items()}
    theme = Path(values["email_theme"])
    if not theme.is_absolute():
        theme = Path(settings.get("SOTONG_PROJECT_DIR", ".")) / theme
    missing = [name for name in TEMPLATES if not (theme / name).is_file()]
    if missing:
        found.add("BUNDLES", _('the email theme {email_theme} lacks {missing}; point "email_theme" at a folder holding them (the project ships themes/email)').format(
            email_theme=values["email_theme"], missing=", ".join(missing)))
    logo = _email_logo(settings, found)
    sms, sms_problems = read_sms_settings(settings)
    if found.problems or sms_problems:
        return None, found.problems + sms_problems
    values["email_theme"] = theme
    return BundlesSettings(**values, logo=logo, sms=sms), []


check_settings = settings_check(read_bundles_settings)  # the sotong.signals.content_check receiver


def _sms_header(value) -> str | None:
    """A check: the header of every SMS, text that phones can show, not
    starting as a formula does: every text starts with it, and sms.csv (what
    the SMS agency sends) writes such a cell with a ' in front (sotong.spreadsheet)."""
    if text()(value) is not None or outside_cp949(value):
        return _("text phones can show in a text message (plain Korean, no emoji)")
    if looks_like_formula(value):
        return _("text that starts with something other than =, +, - or @ (or ＝, ＋, － or ＠, or one of them after spaces), or sms.csv puts a ' before every text (as before anything a spreadsheet would run as a formula) and the SMS agency sends it")
    return None


def _email_logo(settings: dict, found: SettingsProblems) -> dict | None:
    """EMAIL_LOGO: the https (or http) URL of the emblem shown atop every email, 40 px high; EMAIL_LOGO_ALT its text."""
    url, alt = settings.get("EMAIL_LOGO"), settings.get("EMAIL_LOGO_ALT", "성동구 구청 상징")
    if url is None:
        return None
    if not isinstance(url, str) or urlsplit(url).scheme not in ("https", "http") or not urlsplit(url).netloc:
        found.add("EMAIL_LOGO", _('must be the address of an image on the web, e.g. EMAIL_LOGO = "https://www.sd.go.kr/images/emblem.png"'))
    if not isinstance(alt, str) or not alt.strip():
        found.add("EMAIL_LOGO_ALT", _('must say what the image is, e.g. EMAIL_LOGO_ALT = "성동구 구청 상징"'))
    return {"src": url, "alt": alt}
