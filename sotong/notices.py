"""The notice schema (SPEC §2): reading a Markdown file with YAML front matter
into a validated :class:`Notice`, or into ``PATH:LINE: message`` problems.

Pelican's reader, ``sotong check``, the bundles and the feeds all read notices
through :func:`read_notice`, so a notice means the same thing everywhere.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from . import yamlsrc
from .audiences import EVERYONE, FOLDER_NAME_BYTES, Audiences, read_audience_list, resolve_key
from .body_files import PAGE_ADDRESS_SUFFIXES, missing_files
from .dates import ISO_DAY, iso_day
from .i18n import _
from .markup import shortened, shown_words, text_lines, without_code_spans
from .problems import Problem, did_you_mean, not_utf8, suggested, typed_in_hangul
from .schedule import YEARS
from .sms import outside_cp949, sms_form, with_stand_ins
from .content_files import file_under
from .validators import breaks_line, composed, department, image_with_alt, nesting_problem, text_control_problems

SEOUL = ZoneInfo("Asia/Seoul")
CHANNELS = ("homepage", "newsletter", "email", "sms", "twitter", "facebook", "blog")
DEFAULT_CHANNELS = ("homepage", "newsletter", "email")
VISIBILITIES = ("public", "private")
URGENT_MARKER = "[긴급]"
KEYS = (
    "title", "date", "department", "category", "audiences", "channels", "summary",
    "sms", "expires", "event", "image", "image_alt", "survey", "priority", "status", "slug",
    "visibility", "attachments",
)
REQUIRED = ("title", "date", "department", "category")
# keys whose value is one piece of text (a number is read as its digits)
TEXT_KEYS = ("title", "date", "department", "category", "summary", "sms", "expires", "image", "image_alt",
             "survey", "priority", "status", "slug", "visibility")
EVENT_KEYS = ("start", "end", "place")
SUMMARY_MAX = 200
TITLE_MAX = 100
# files a private notice may carry (SPEC §16 is silent): documents, pictures and zips, which mail services pass
ATTACHMENT_SUFFIXES = (".pdf", ".hwp", ".hwpx", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods",
                       ".odp", ".txt", ".csv", ".jpg", ".jpeg", ".png", ".gif", ".zip")
_SLUG = re.compile(r"[\w-]+")


@dataclass(frozen=True)
class Event:
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date | None
    place: str | None


@dataclass(frozen=True)
class Notice:
    """A validated notice. ``date`` is aware (Asia/Seoul)."""

    source: str
    slug: str
    title: str
    date: dt.datetime
    department: str
    category: str
    body: str
    audiences: tuple = ()  # Segments, named in audiences.yaml or inline
    channels: tuple = DEFAULT_CHANNELS
    summary: str | None = None
    sms: str | None = None
    expires: dt.date | None = None
    event: Event | None = None
    image: str | None = None
    image_alt: str | None = None
    survey: str | None = None
    priority: str = "normal"
    status: str = "published"
    visibility: str = "public"  # SPEC §16: private notices are sent by email to their audiences only
    attachments: tuple = ()  # a private notice's files under content/, carried inside its emails
    lines: dict = field(default_factory=dict, compare=False, repr=False)
    body_line: int = field(default=1, compare=False, repr=False)  # the file line the body starts on

    @property
    def day(self) -> dt.date:
        return self.date.date()

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def private(self) -> bool:
        return self.visibility == "private"

    @property
    def urgent(self) -> bool:
        return self.priority == "urgent"

    def attached_bytes(self, content: Path) -> int:
        """What the files of ``attachments`` weigh now, in bytes (``content``:
        the folder they are under, PATH); a file that is not there counts nothing."""
        return sum(self.file_sizes(content))

    def file_sizes(self, content: Path, *, with_image: bool = False) -> list[int]:
        """The bytes of each file of ``attachments`` (and the picture, ``with_image``)
        that is there now, under ``content`` (PATH)."""
        paths = [content / path for path in (*self.attachments, *([self.image] if with_image and self.image else []))]
        return [path.stat().st_size for path in paths if path.is_file()]

    @property
    def headline(self) -> str:
        """The title, marked "[긴급]" when the notice is urgent (once): for a
        post's or an email's subject, where no badge can mark it."""
        if self.urgent and not self.title.startswith(URGENT_MARKER):
            return f"{URGENT_MARKER} {self.title}"
        return self.title

    @property
    def sms_text(self) -> str:
        return self.sms or self.title

    def has(self, channel: str) -> bool:
        return channel in self.channels

    def due_on(self, day: dt.date) -> bool:
        """True when the notice's date has come by ``day``; before it the
        notice is scheduled: it has its page but is listed nowhere (SPEC §2)."""
        return self.day <= day

    def expired_on(self, day: dt.date) -> bool:
        """True when the notice is no longer current on ``day``."""
        return self.expires is not None and self.expires < day

    def plain_summary(self) -> str:
        """``summary``, or the body's first paragraph as plain text, cut to
        200 between whole letters and ending in "…" when cut (an email's or a
        list's summary ending mid-word read as a mistake)."""
        if self.summary:
            return self.summary
        return shortened(first_paragraph_text(self.body), SUMMARY_MAX)


# --- front matter --------------------------------------------------------------


@dataclass
class Source:
    """A notice file split into front matter and body, with line offsets."""

    front: yamlsrc.Located
    body: str
    body_line: int


def split_front_matter(text: str, shown: str) -> tuple[Source | None, list[Problem]]:
    """Split ``---``-delimited YAML front matter from the Markdown body.

    Written here rather than taken from python-frontmatter because errors must
    point at exact file lines, which its regex split does not keep.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, [_no_opening_line(lines, shown)]
    index = next((number for number in range(1, len(lines)) if lines[number].strip() == "---"), None)
    if index is None:
        return None, [_no_closing_line(lines, shown)]
    if early := _closed_early(lines, index, shown):
        return None, [early]
    try:
        front = yamlsrc.load("".join(lines[1:index]), first_line=2)
    except yamlsrc.YAMLProblem as exc:
        return None, [Problem(shown, exc.line, exc.message)]
    return Source(front, "".join(lines[index + 1:]), index + 2), []


# a line of dashes that is not '---': a word processor turns --- into a dash
# (—), a Korean keyboard left in Hangul types ㅡ for -, full-width mode －
_DASH = "\u2010-\u2015\u2212\u2500\u2501\u30fc\u3161\uff0d"
_DASHES_LIKE = re.compile(f"[-{_DASH}_ ]{{2,}}|[{_DASH}]")


def _no_opening_line(lines: list[str], shown: str) -> Problem:
    """Why the file ``lines`` does not start with its '---' line, at the line to mend."""
    if lines and _DASHES_LIKE.fullmatch(lines[0].strip()):
        return Problem(shown, 1, _not_dashes(lines[0]))
    blank = next((number for number, line in enumerate(lines) if line.strip()), 0)
    if blank and lines[blank].strip() == "---":
        return Problem(shown, 1, _("the file starts with {count} empty lines before its '---' line; delete them, so "
                                   "that --- is the first line").format(count=blank))
    return Problem(shown, 1, _("the file must start with a line '---', then the front matter (title:, date:, ...), then another '---'"))


def _no_closing_line(lines: list[str], shown: str) -> Problem:
    """Why the header opened by the '---' of ``lines`` is never closed, at
    the line to mend: a line of dashes that is not '---', or where the text
    seems to start (:func:`_header_end`), where the closing '---' goes."""
    dashes = next((number for number in range(1, len(lines)) if _DASHES_LIKE.fullmatch(lines[number].strip())), None)
    if dashes is not None:
        return Problem(shown, dashes + 1, _not_dashes(lines[dashes]))
    end = _header_end(lines)
    if end is None:
        return Problem(shown, len(lines), _(
            "the front matter opened at line 1 is never closed with '---'; write a line with just --- after this "
            "last line of it, then the text"))
    if not lines[end].strip():
        return Problem(shown, end + 1, _(
            "the front matter opened at line 1 is never closed with '---'; the text seems to start after this empty "
            "line: write --- on it"))
    return Problem(shown, end + 1, _(
        "the front matter opened at line 1 is never closed with '---'; the text seems to start on this line: write "
        "a line with just --- above it"))


# a line of a header: a key (title: ...), a line indented under one, a list's item, a note
_HEADER_LINE = re.compile(r"[A-Za-z_][\w-]*[ \t]*:(?:[ \t]|$)|[ \t]|-[ \t]|#")
_EARLY_KEY = re.compile(r"([a-z_]+):(?:[ \t]|$)")


def _header_end(lines: list[str]) -> int | None:
    """The index of the line where the text of a header never closed seems
    to start: the first empty line (but one inside an indented block of
    text) or line that is no header's; None when every line is the header's."""
    for number in range(1, len(lines)):
        if not lines[number].strip():
            following = next((line for line in lines[number + 1:] if line.strip()), "")
            if not following.startswith((" ", "\t")):
                return number
        elif not _HEADER_LINE.match(lines[number]):
            return number
    return None


def _closed_early(lines: list[str], index: int, shown: str) -> Problem | None:
    """A problem at the '---' line ``index`` when only keys (and lines under
    them) follow it up to another '---': a header pasted in two parts, which
    the first '---' after the opening one closed, its other keys read as text."""
    keys: list[str] = []
    for number in range(index + 1, len(lines)):
        line = lines[number]
        if line.strip() == "---":
            return Problem(shown, index + 1, _(
                "this '---' line closes the front matter early: the lines below it up to the '---' at line {line} "
                "({keys}) are read as text; delete this line").format(
                    line=number + 1, keys=", ".join(f"{key}:" for key in keys))) if keys else None
        if key := _EARLY_KEY.match(line):
            keys.append(key[1])
        elif line.strip() and not (keys and line.startswith((" ", "\t", "- "))):
            return None
    return None


def _not_dashes(line: str) -> str:
    return _("the line \"{line}\" is not read as the '---' line around the front matter (a word processor turns --- "
             "into a dash, a Korean keyboard types ㅡ for -); write three hyphens alone on the line: ---").format(
                 line=line.strip())


# The most a notice's or page's file may hold, in bytes: the longest notice
# the office has written is a few KB (the longest page, 9 KB), and a 50 MB
# one took the build two minutes and a gigabyte of memory. What is longer
# belongs in an attached file (a PDF or an HWP), which has no such limit.
MAX_TEXT_BYTES = 1_000_000


def read_source(path: Path, shown: str) -> tuple[Source | None, list[Problem]]:
    """The front matter and text of the Markdown file ``path`` (a notice or a
    page), or None and why not: it is larger than MAX_TEXT_BYTES (known from
    its size on disk, before it is read), it is not UTF-8, or its header is not one."""
    if (size := path.stat().st_size) > MAX_TEXT_BYTES:
        return None, [Problem(shown, 1, _too_long(size))]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [not_utf8(shown, error)]
    return split_front_matter(text, shown)


def _too_long(size: int) -> str:
    return _("the file is {size} MB, over the {limit} MB a notice's or page's text may be (a longer one takes the build "
             "minutes and a gigabyte of memory); put the long material in an attached file (a PDF or HWP) and link it "
             "from the text").format(size=f"{-(-size // 100_000) / 10:.1f}", limit=f"{MAX_TEXT_BYTES / 1_000_000:g}")


# --- the schema ----------------------------------------------------------------


def read_notice(path: str | Path, audiences: Audiences, content_root: str | Path, shown: str | None = None) -> tuple[Notice | None, list[Problem]]:
    """Read and validate one notice file. Returns (notice or None, problems)."""
    path = Path(path)
    shown = shown or str(path)
    source, problems = read_source(path, shown)
    if source is None:
        return None, problems
    return validate_notice(source, path, audiences, Path(content_root), shown)


def validate_notice(source: Source, path: Path, audiences: Audiences, content_root: Path, shown: str):
    """The notice of ``source``, each key's value checked by its own validator
    below (SPEC §2); (notice, []) or (None, every problem)."""
    front = source.front
    problems: list[Problem] = []

    def problem(key, message):
        problems.append(Problem(shown, front.line(key) if key else front.first_line - 1, message))

    meta = front.data
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return None, [Problem(shown, 2, _("the front matter must be lines of 'key: value', e.g. title: 겨울철 대책"))]
    _check_keys(meta, audiences, problem)
    given = _Given(_without_pasted_marks(_without_wrong_types(meta, problem), problem), audiences, content_root, path, problem,
                   lambda key_path, message: problems.append(Problem(shown, front.line(*key_path), message)))
    values = _values(given)
    problems.extend(text_control_problems(source, shown))
    if nested := nesting_problem(source.body, source.body_line, shown):
        problems.append(nested)
    if values["visibility"] == "private":
        problems.extend(_private_body_pictures(source, shown))
    else:
        problems.extend(missing_files(source.body, source.body_line, path, content_root, shown))
    if problems:
        return None, problems
    return Notice(source=str(path), body=source.body, lines={k[0]: v for k, v in front.lines.items() if len(k) == 1},
                  body_line=source.body_line, **values), []


@dataclass(frozen=True)
class _Given:
    """What a key's validator reads: the front matter's values (those of the
    right type), what they may name, and where mistakes go."""

    meta: dict
    audiences: Audiences
    content_root: Path
    path: Path
    problem: Callable  # (key or None, message)
    path_problem: Callable  # (key path, message), for the audiences list


def _values(given: _Given) -> dict:
    """Every field of the notice, each from its key's validator, in the order
    their problems are reported."""
    title, summary, date = _title(given), _summary(given), _date(given)
    department, category = _department(given), _category(given)
    segments = read_audience_list(given.meta.get("audiences"), given.audiences, given.path_problem)
    channels = _channels(given)
    sms = _sms(given.meta.get("sms"), title, channels or DEFAULT_CHANNELS, given.problem)
    expires, event = _expires(given, date), _event_of(given)
    image, image_alt = image_with_alt(given.meta.get("image"), given.meta.get("image_alt"), given.content_root,
                                      given.problem, alt_example="노래자랑 포스터")
    survey = str(given.meta["survey"]) if given.meta.get("survey") is not None else None  # its plugin checks that it exists
    priority = _choice(given.meta, "priority", ("normal", "urgent"), given.problem) or "normal"
    status = _choice(given.meta, "status", ("published", "draft"), given.problem, _status_hint(given.meta)) or "published"
    visibility = _choice(given.meta, "visibility", VISIBILITIES, given.problem) or "public"
    if visibility == "private":
        channels = _private_channels(given.meta, segments, channels, given.problem)
        _private_audiences(segments, given.audiences.field_label(category) if category else "", given.problem)
    attachments = _attachments(given, visibility)
    return dict(slug=_slug(given.meta.get("slug"), given.path, given.problem), title=title, date=date,
                department=department, category=category, audiences=segments,
                channels=tuple(channels) if channels else DEFAULT_CHANNELS, summary=summary or None, sms=sms,
                expires=expires, event=event, image=image, image_alt=image_alt, survey=survey,
                priority=priority, status=status, visibility=visibility, attachments=attachments)


def _check_keys(meta: dict, audiences: Audiences, problem) -> None:
    """Unknown keys and missing required ones."""
    for key in meta:
        if key in EVENT_KEYS and key not in KEYS:  # event:'s own keys, written flush with the others
            problem(key, _("{key} belongs to event; indent it by two spaces under a line event:, or write it on one "
                           "line: event: {{{key}: {value}}}").format(key=key, value=meta[key]))
        elif key not in KEYS:
            problem(key, _('unknown key "{key}"{suggestion}; allowed keys: {keys}').format(
                key=key, suggestion=suggested(_meant_key(key)) or did_you_mean(key, KEYS), keys=", ".join(KEYS)))
    meant = {_meant_key(key) or typed_in_hangul(str(key), KEYS) for key in meta if key not in KEYS}
    for key in REQUIRED:
        if _blank(meta.get(key)) and key not in meant:  # "부서: 문화체육과" is said once, as the key to write
            example = {"title": "title: 겨울철 한파 대비 안내", "date": "date: 2026-11-05",
                       "department": f"department: {audiences.departments[0] if audiences.departments else '문화체육과'}",
                       "category": f"category: {next(iter(audiences.fields), 'culture')}"}[key]
            if key in meta:  # the line is there, with nothing after the colon
                problem(key, _("{key} is empty; write it after the colon, e.g.  {example}").format(key=key, example=example))
            else:
                problem(None, _("{key} is required; add a line such as  {example}").format(key=key, example=example))


# The key a word staff write for it means (제목: ..., Title: ... as Pelican's own notices have it).
KOREAN_KEYS = {
    "제목": "title", "날짜": "date", "일자": "date", "게시일": "date", "부서": "department", "담당부서": "department",
    "분야": "category", "카테고리": "category", "대상": "audiences", "받는사람": "audiences", "채널": "channels",
    "요약": "summary", "문자": "sms", "만료일": "expires", "게시종료일": "expires", "마감일": "expires", "행사": "event",
    "그림": "image", "사진": "image", "이미지": "image", "그림설명": "image_alt", "대체텍스트": "image_alt",
    "설문": "survey", "중요도": "priority", "긴급": "priority", "상태": "status", "공개": "visibility",
    "공개여부": "visibility", "첨부": "attachments", "첨부파일": "attachments",
}


def _meant_key(key) -> str | None:
    """The key that an unknown ``key`` stands for (its Korean word, or itself in capitals), or None."""
    word = str(key).strip()
    return KOREAN_KEYS.get(word.replace(" ", "")) or (word.lower() if word.lower() in KEYS else None)


def _blank(value) -> bool:
    """Whether a required key's value is missing: nothing, or only blanks
    (``title: "   "`` gave a notice without a title)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _title(given: _Given) -> str | None:
    """One line of at most TITLE_MAX characters, composed (a missing title is _check_keys')."""
    title = given.meta.get("title")
    if _blank(title):
        return None
    title = composed(str(title))
    if breaks_line(title):
        given.problem("title", _("title must be one line"))
    elif len(title.strip()) > TITLE_MAX:
        given.problem("title", _("title has {count} characters; keep it to {most} (put details in the text)").format(
            count=len(title.strip()), most=TITLE_MAX))
    return title.strip()


def _summary(given: _Given) -> str | None:
    """At most SUMMARY_MAX characters, composed."""
    summary = given.meta.get("summary")
    if summary is None:
        return None
    summary = composed(str(summary)).strip()
    if len(summary) > SUMMARY_MAX:
        given.problem("summary", _("summary has {count} characters; keep it to {most}").format(
            count=len(summary), most=SUMMARY_MAX))
    return summary


def _date(given: _Given) -> dt.date | None:
    """A date or date-time in Asia/Seoul (a missing date is _check_keys');
    one written otherwise is answered with the day it names, a day without
    its year (12/3) the coming one after the day the file is named for."""
    value = given.meta.get("date")
    return _parse_datetime(value, "date", given.problem, iso_day(given.path.name[:10])) if not _blank(value) else None


def _department(given: _Given) -> str | None:
    """A department of audiences.yaml."""
    value = given.meta.get("department")
    return department(value, given.audiences.departments, given.problem) if not _blank(value) else None


def _category(given: _Given) -> str | None:
    """A field of audiences.yaml, by key or Korean name."""
    value = given.meta.get("category")
    if _blank(value):
        return None
    category = resolve_key(value, given.audiences.fields)
    if category is None:
        fields = given.audiences.fields
        names = ", ".join(f"{key} ({label})" for key, label in fields.items())
        given.problem("category", _('unknown category "{category}"{suggestion}; use a field of audiences.yaml, by key or Korean name: {names}').format(
            category=value, suggestion=did_you_mean(str(value), fields, labels=True), names=names))
    return category


def _channels(given: _Given) -> list | None:
    """A list of CHANNELS, not empty when given."""
    channels = _name_list(given.meta, "channels", CHANNELS, given.problem, "channel", ", ".join(CHANNELS),
                          lambda index, message: given.path_problem(("channels", index), message))
    if given.meta.get("channels") == []:  # not a list of unknown names only: each of them is said
        given.problem("channels", _("channels is empty; remove the line for the default [{channels}] or list channels").format(
            channels=', '.join(DEFAULT_CHANNELS)))
    return channels


def _expires(given: _Given, date: dt.datetime | None) -> dt.date | None:
    """A day (no time), not before the notice's date."""
    if given.meta.get("expires") is None:
        return None
    expires = _parse_date(given.meta["expires"], "expires", given.problem, date.date() if date else None)
    if expires and date and expires < date.date():
        given.problem("expires", _("expires ({expires}) is before date ({date}); the notice would never be current").format(
            expires=expires, date=date.date()))
    return expires


def _event_of(given: _Given) -> Event | None:
    """The event, each of its problems at the line of the key it is about
    (``start:`` under ``event:``), or of ``event:``."""
    def problem(key, message):
        given.path_problem(("event", key) if key != "event" else ("event",), message)

    return _event(given.meta["event"], problem) if given.meta.get("event") is not None else None


def _without_wrong_types(meta: dict, problem) -> dict:
    """``meta`` without the text keys whose value is a list, a map or a
    boolean, each of them a problem."""
    wrong = {key for key in TEXT_KEYS if meta.get(key) is not None and not _is_text(meta[key])}
    for key in sorted(wrong, key=TEXT_KEYS.index):
        problem(key, _not_text(key, meta[key]))
    return {key: value for key, value in meta.items() if key not in wrong}


# keys whose value names something (a day, a department, a file), which a
# mark that shows nothing, or curly quotes, make another name
NAME_KEYS = ("date", "department", "category", "expires", "image", "survey", "priority", "status", "slug", "visibility")
# what shows nothing and comes with text copied from a web page or a document:
# zero-width space, non-joiner, joiner, word joiner, BOM, soft hyphen
_UNSEEN = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CURLY = re.compile("[\u201c\u2018\u201e](.*)[\u201d\u2019\u201c]", re.S)
_MARKED = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u201c\u2018\u201e]")  # either of the above


def _without_pasted_marks(meta: dict, problem) -> dict:
    """``meta`` with the name keys' values as their writer sees them, each
    that was not a problem: "보건소" with a zero-width space at its end was
    "unknown department 보건소; did you mean 보건소?", and “2026-12-03”,
    as a word processor quotes it, "not a date"."""
    cleaned = dict(meta)
    for key in NAME_KEYS:
        value = meta.get(key)
        if not isinstance(value, str) or not _MARKED.search(value):
            continue
        unseen = sorted(set(_UNSEEN.findall(value)))
        curly = _CURLY.fullmatch(_UNSEEN.sub("", value).strip())
        if not unseen and not curly:
            continue  # as written: its own rules say what else may be wrong with it
        value = curly.group(1).strip() if curly else _UNSEEN.sub("", value).strip()
        if unseen:
            problem(key, _("{key} holds a character that shows nothing ({codes}, copied from a web page or a "
                           "document), which makes it another value; write the value again: {key}: {value}").format(
                key=key, codes=", ".join(f"U+{ord(char):04X}" for char in unseen), value=value))
        elif curly:
            problem(key, _("{key} is in curly quotes (“ ”, as a word processor writes them), which YAML keeps as part "
                           "of the value; write it without them: {key}: {value}").format(key=key, value=value))
        cleaned[key] = value
    return cleaned


def _sms(value, title: str | None, channels, problem) -> str | None:
    """The ``sms`` text, one line; a character outside CP949 is a problem of
    ``sms``, or of the title when the title is the SMS text (SPEC §6), in
    the form a message carries it (sotong.sms.sms_form)."""
    sms = sms_form(str(value)) if value is not None else None
    if sms and outside_cp949(sms):
        instead = with_stand_ins(sms)
        problem("sms", (_('the SMS text has "{characters}", which phones cannot show in a text message; write it as  sms: {instead}')
                        if instead else _('the SMS text has "{characters}", which phones cannot show in a text message; remove it or use plain Korean')).format(
            characters=outside_cp949(sms), instead=_yaml_text(instead)))
    title = sms_form(title) if title else title
    if not sms and title and "sms" in channels and outside_cp949(title):
        instead = with_stand_ins(title)
        problem("title", (_('the title is the SMS text (there is no sms: line) and has "{characters}", which phones cannot show in a text message; add the line  sms: {instead}')
                          if instead else _('the title is the SMS text (there is no sms: line) and has "{characters}", which phones cannot show in a text message; add a line such as  sms: 김장 나눔 자원봉사자 모집  in plain Korean')).format(
            characters=outside_cp949(title), instead=_yaml_text(instead)))
    return sms or None


def _yaml_text(text: str | None) -> str:
    """``text`` as a YAML value that reads back as it ("[긴급] ..." unquoted would be a list)."""
    return json.dumps(text, ensure_ascii=False)


def slug_problem(value) -> str | None:
    """Why ``value``, a notice's or a page's ``slug``, cannot name the folder
    of its page (a ``/`` or ``..`` would lead out of it), or None."""
    slug = str(value)
    if not _SLUG.fullmatch(slug):
        return _('slug "{slug}" may hold only letters, digits and hyphens, e.g. slug: singing-contest-2026').format(
            slug=slug)
    if len(slug.encode()) > FOLDER_NAME_BYTES:  # the name of the page's folder
        return _("the slug is {length} bytes long, longer than a folder name may be; shorten it to {most} bytes or fewer (a Korean letter is 3), e.g. slug: singing-contest-2026").format(
            length=len(slug.encode()), most=FOLDER_NAME_BYTES)
    return None


def _slug(value, path: Path, problem) -> str:
    """The given slug, or the file name's; a problem when it cannot be a web address."""
    if value is not None:
        if message := slug_problem(value):
            problem("slug", message)
        return composed(str(value))
    slug = slug_from_filename(path)
    if not slug:
        problem(None, _('the file name "{name}" gives the notice no web address; name the file with letters or digits, e.g. 2026-11-05-kimjang.md, or add a line such as  slug: kimjang-2026').format(
            name=path.name))
    return slug


def _private_channels(meta, segments, channels, problem) -> list | None:
    """SPEC §16: a private notice names its audiences and goes by email only
    (its channels default to [email]); audiences written wrong are said
    once, where they are read."""
    if not segments and not meta.get("audiences"):
        problem("visibility" if "audiences" not in meta else "audiences",
                _("a private notice must name its audiences (a group or segment), e.g. audiences: [budget-committee]"))
    public = [c for c in (channels or ()) if c != "email"]
    if public:
        problem("channels", _("a private notice goes by email only, not {public}; write channels: [email]").format(
            public=', '.join(public)))
    return channels or ["email"]


def _attachments(given: _Given, visibility: str) -> tuple:
    """A private notice's files (paths under content/, one or a list), which
    travel inside its emails and are on no page; a public notice links its
    files in its text. Their total size is checked by the bundles plugin."""
    value = given.meta.get("attachments")
    if value is None:
        return ()
    if visibility != "private":
        if not _privacy_miswritten(given.meta):  # else its line says what to write, and the files stay private
            given.problem("attachments", _("attachments go inside a private notice's emails only; a public notice "
                                           "links its file in its text, e.g. [계획서 내려받기]({static}/files/plan.pdf)"))
        return ()
    if isinstance(value, str) and len(parts := [part.strip() for part in re.split("[,，、]", value) if part.strip()]) > 1 \
            and file_under(given.content_root, value)[1]:  # files/a.pdf, files/b.hwp: the last one was suggested alone
        given.problem("attachments", _("attachments: several files are written as a list, a path under content/ for "
                                       "each: attachments: [{paths}]").format(paths=", ".join(parts)))
        return ()
    found = [_attachment(given, written) for written in (value if isinstance(value, list) else [value])]
    return tuple(dict.fromkeys(path for path in found if path))


def _privacy_miswritten(meta: dict) -> bool:
    """Whether the notice means to be private in a way said wrong at its own
    line (visibility: 비공개, 공개여부: ..., status: 비공개): its attachments
    are then not told to be linked from a public text."""
    return (meta.get("visibility") not in (None, "public") or bool(_status_hint(meta))
            or any(key != "visibility" and _meant_key(key) == "visibility" for key in meta))


def _attachment(given: _Given, written) -> str | None:
    """One of ``attachments``: its path under content/, or None and a problem said."""
    if not isinstance(written, str):
        given.problem("attachments", _("attachments: write each file as a path under content/ on a line of its own, "
                                       "e.g.  - files/plan.pdf"))
        return None
    path, refused = file_under(given.content_root, written)
    if refused:
        given.problem("attachments", _("attachment {refused}").format(refused=refused))
    elif Path(path).suffix.lower() not in ATTACHMENT_SUFFIXES:
        given.problem("attachments", _('attachment "{path}": mail services refuse or strip files of this kind; send '
                                       'a PDF, HWP, Office document, picture or ZIP, e.g. files/plan.pdf').format(path=path))
    else:
        return path
    return None


def _private_audiences(segments, field: str, problem) -> None:
    """SPEC §16: an audience without a condition ({}, or only a label) would
    send a private notice to everyone who chose its field."""
    for everyone in [segment for segment in segments if not segment.conditions()]:
        inline = everyone.name.startswith("audiences[")  # as read_audience_list names an inline one
        written = ("{label: %s}" % everyone.label if everyone.label != everyone.name else "{}") if inline else everyone.name
        problem("audiences", _("the audience {audience} has no condition, so this private notice would go to everyone "
                               "who chose {field}; name its readers, e.g. audiences: [budget-committee]").format(
            audience=written, field=field))


_BODY_PICTURE = re.compile(r"!\[[^\]]*\]\(\s*<?(?!https?://)[^)\s]*|<img\b(?![^>]*\bsrc\s*=\s*[\"']?https?://)", re.I)
# A picture fetched from another site when the email is opened (a Markdown
# picture, or an HTML address a mail client loads: src, srcset, poster,
# background, CSS url()), by http(s) or a scheme-relative //.
_REMOTE_PICTURE = re.compile(r"!\[[^\]]*\]\(\s*<?(?:https?:)?//|\b(?:src|srcset|poster|background)\s*=\s*[\"']?\s*(?:https?:)?//"
                             r"|\burl\(\s*[\"']?\s*(?:https?:)?//", re.I)
# a picture by reference (![alt][name], ![name][], ![name]) and a reference's definition ([name]: address)
_PICTURE_REFERENCE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\]|(?![(\[]))")
# (only an address, and a title in quotes or brackets, follow it: "[일시]: 12.12.(토) 14:00" is text)
_REFERENCE_DEFINITION = re.compile(r"^[ \t]{0,3}\[([^\]]+)\]:[ \t]*<?([^\s>]*+)>?(?=[ \t]*(?:\"[^\"]*\"|'[^']*'|\([^)]*\))?[ \t]*$)")
_REMOTE_ADDRESS = re.compile(r"(?:https?:)?//", re.I)
_BODY_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)|\bhref\s*=\s*[\"']?([^\"'\s>]+)", re.I)


def reference_definition(line: str) -> tuple[str, str] | None:
    """(label, address) when Markdown reads ``line`` as a reference's
    definition (``[1]: address "title"``), which shows nothing by itself;
    None for a line of text (``[일시]: 12.12.(토) 14:00``)."""
    found = _REFERENCE_DEFINITION.match(line)
    return (found[1], found[2]) if found and found[2] else None


def _links_a_site_file(line: str) -> bool:
    """``line`` links a file of the site (``{static}``, ``{attach}`` or a
    relative path to a file that is not a page), inline or by a reference's
    definition (``[1]: {static}/files/plan.pdf``): it would be published."""
    targets = [found.group(1) or found.group(2) for found in _BODY_LINK.finditer(line)]
    if defined := reference_definition(line):
        targets.append(defined[1])
    for target in targets:
        if re.match(r"(https?:|mailto:|tel:|#)", target, re.I):
            continue
        if target.startswith(("{static}", "{attach}")):
            return True
        if not is_page_address(target.split("#")[0].split("?")[0]):
            return True
    return False


def _private_body_pictures(source: Source, shown: str) -> list[Problem]:
    """SPEC §16: a picture or a file linked in a private notice's body would
    be a file on the public site; its picture goes by ``image:``, which
    travels inside the email, and other files reach the readers another way.
    A picture from another site would tell that site when each member opens
    the committee's email (a tracking pixel in effect). Code (a block, or
    `` `![](x.png)` `` in a line) shows as written, no picture nor link."""
    problems, lines = [], [(number, without_code_spans(line))
                           for number, line, code in text_lines(source.body, source.body_line) if not code]
    text = "\n".join(line for _number, line in lines)
    pictures = {(name or alt).strip().lower() for alt, name in _PICTURE_REFERENCE.findall(text)}
    for number, line in lines:
        defined = _REFERENCE_DEFINITION.match(line)
        picture = defined[2] if defined and defined[1].strip().lower() in pictures else None  # a picture's address
        if _REMOTE_PICTURE.search(line) or (picture and _REMOTE_ADDRESS.match(picture)):
            problems.append(Problem(shown, number, _("a private notice shows no picture from another site in its text (that site would learn when each member opens the email); save the picture under content/images/ and give it as image: images/FILE with image_alt, which goes inside the email")))
        elif _BODY_PICTURE.search(line) or picture is not None:
            problems.append(Problem(shown, number, _("a private notice shows no picture from the site in its text (the file would be public); give it as image: images/FILE with image_alt, which goes inside the email")))
        elif _links_a_site_file(line):
            problems.append(Problem(shown, number, site_file_linked()))
    return problems


def site_file_linked() -> str:
    """The problem of a private notice's text linking a file of the site."""
    return _("a private notice links no file of the site in its text (the file would be public); give it as attachments: [files/FILE], which goes inside the email, or link a page of the site")


def is_page_address(path: str) -> bool:
    """Whether a link's path (no query or fragment) leads to a page, not a file."""
    return Path(path).suffix.lower() in PAGE_ADDRESS_SUFFIXES


# a Korean keyboard's full-width mode (전각): ２０２６－１２－０３ and its space, as ASCII types them
_FULL_WIDTH = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}


def slug_from_filename(path: Path) -> str:
    """The web name a file's name gives, its Hangul composed (NFC): a file
    named on a Mac has it decomposed (축 as three jamo), which gave the page
    an address other than the one typed anywhere else; and its full-width
    letters (２０２６－１２－０３) as ASCII, for the same reason."""
    return re.sub(r"[^\w-]+", "-", composed(path.stem).translate(_FULL_WIDTH).strip().lower()).strip("-")


def _is_text(value) -> bool:
    return isinstance(value, (str, int, float, dt.date)) and not isinstance(value, bool)


def _not_text(key: str, value) -> str:
    if isinstance(value, bool):
        return (_('{key} is read as {value} (YAML reads yes, no, on and off so); put the value in double quotes: {key}: "..."').format(
            key=key, value='true' if value else 'false'))
    kind = _("a list") if isinstance(value, list) else _("a map (key: value)")
    return _("{key} must be one piece of text, not {kind}; write it on one line, e.g. {key}: {example}").format(
        key=key, kind=kind, example=_EXAMPLES.get(key, "..."))


_EXAMPLES = {"title": "겨울철 한파 대비 안내", "date": "2026-11-05", "department": "문화체육과", "category": "culture",
             "expires": "2026-12-31", "image": "images/poster.jpg", "priority": "normal", "status": "published",
             "slug": "winter-festival-2026", "visibility": "private", "survey": "library-satisfaction",
             "summary": "12월 15일 분과 심사 자료를 보내 드립니다.", "sms": '"[성동구] 김장 나눔 봉사자 모집"',
             "image_alt": "김장 나눔 행사 포스터"}


# Korean words staff write for a channel, a banner's placement, a status, a
# priority, a visibility, a survey's kind or a question's type, which are
# written in English: the English
# word (the one the key takes, of the words given) is suggested for them.
_IN_ENGLISH = {"홈페이지": "homepage site", "누리집": "homepage site", "소식지": "newsletter", "뉴스레터": "newsletter",
               "이메일": "email", "메일": "email", "전자우편": "email", "e-mail": "email", "문자": "sms", "문자메시지": "sms",
               "메시지": "sms", "휴대폰": "sms", "휴대전화": "sms",
               "트위터": "twitter", "엑스": "twitter", "페이스북": "facebook", "블로그": "blog",
               "초안": "draft", "임시": "draft", "임시저장": "draft", "게시": "published", "발행": "published",
               "공개": "published public", "긴급": "urgent", "중요": "urgent", "보통": "normal", "일반": "normal",
               "비공개": "private draft", "private": "draft", "대외비": "private", "내부용": "private",
               "위원전용": "private", "회원전용": "private",
               "의견수렴": "consultation", "설문": "survey", "설문조사": "survey",
               "객관식": "single", "단일선택": "single", "하나선택": "single", "선택": "single", "예/아니오": "single",
               "yes/no": "single", "복수선택": "multiple", "다중선택": "multiple", "중복선택": "multiple",
               "척도": "scale", "점수": "scale", "별점": "scale", "만족도": "scale", "주관식": "text",
               "서술형": "text", "자유기술": "text", "의견": "text"}


def english_word(value, allowed) -> str | None:
    """The word of ``allowed`` that the Korean word ``value`` means (문자: sms), or None."""
    return next((word for word in _IN_ENGLISH.get("".join(str(value).lower().split()), "").split() if word in allowed),
                None)


def english_suggestion(value, allowed) -> str:
    """The tail suggesting the allowed word nearest to ``value``, or its English word."""
    english = english_word(value, allowed)
    return suggested(english) if english else did_you_mean(str(value), allowed)


def _status_hint(meta) -> str:
    """For ``status: 비공개`` (or ``private``), which may mean a notice kept
    from the public rather than from the site: the line for that (SPEC §16)."""
    if "".join(str(meta.get("status")).lower().split()) not in ("비공개", "private"):
        return ""
    return _("; to send it by email to its audiences only, write visibility: private instead of the status line")


def _choice(meta, key, allowed, problem, hint=""):
    """The value of ``key`` when one of ``allowed``; else None, said with the
    word meant and ``hint``, another way to read the value."""
    value = meta.get(key)
    if value is None:
        return None
    if value not in allowed:
        problem(key, _('{key} must be one of {allowed}, not "{value}"{suggestion}').format(
            key=key, allowed=", ".join(allowed), value=value, suggestion=english_suggestion(value, allowed)) + hint)
        return None
    return value


def _name_list(meta, key, known, problem, what, where, item_problem):
    """The list of ``known`` names under ``key``, each unknown one said by
    ``item_problem(index, message)`` (at its own line in a block list)."""
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, str):  # a comma string, or brackets and commas typed full-width (［a，b］), or names and blanks
        written = value.strip("[]［］ ")
        parts = written.split() if _names_by_blanks(written, known) else re.split("[,，、]", written)
        names = ", ".join(dict.fromkeys(name for part in parts for name in _meant_names(part.strip(), known)))
        problem(key, _("{key} must be a list; write {key}: [{value}]").format(key=key, value=names))
        return None
    if not isinstance(value, list):
        problem(key, _("{key} must be a list, e.g. {key}: [{next}]").format(
            key=key, next=next(iter(known), '')))
        return None
    names = []
    for index, item in enumerate(value):
        if item not in known and _names_by_blanks(item, known):
            item_problem(index, _('"{item}" is one name to YAML, as names are parted by commas, not blanks; write {key}: '
                                  '[{value}]').format(item=item, key=key, value=", ".join(
                                      part for written in value for part in (
                                          str(written).split() if written == item else [str(written)]))))
        elif item not in known and (mark := _full_width_comma(item, known)):
            item_problem(index, _('"{item}" is one name to YAML, as "{mark}" is no comma; write {key}: [{value}]').format(
                item=item, mark=mark, key=key, value=", ".join(
                    part.strip() for written in value for part in (str(written).split(mark) if written == item else [str(written)]))))
        elif item not in known:
            item_problem(index, _('unknown {what} "{item}"{suggestion}; known: {where}').format(
                what=what, item=item, suggestion=english_suggestion(item, known), where=where))
        elif item not in names:
            names.append(item)
    return names


def _meant_names(part: str, known) -> list[str]:
    """The ``known`` names a name written in a comma string means: itself,
    the one its Korean word names (문자: sms), every one for a word
    for all (전체: channels: 전체, which was told "write channels: [전체]"),
    or, none known, the name as written, said again once in its list."""
    if part in known:
        return [part]
    if "".join(part.split()).lower() in EVERYONE:
        return list(known)
    return [english_word(part, known) or part]


def _names_by_blanks(item, known) -> bool:
    """Whether ``item`` is known names parted by blanks only (``homepage newsletter``)."""
    parts = str(item).split()
    return len(parts) > 1 and all(part in known for part in parts)


def _full_width_comma(item, known) -> str | None:
    """The comma of a Korean keyboard (``，`` or ``、``) that splits ``item``
    into ``known`` names only (``homepage，newsletter``), or None."""
    mark = next((mark for mark in "，、" if mark in str(item)), None)
    return mark if mark and all(part.strip() in known for part in str(item).split(mark)) else None


_DATETIME = re.compile(ISO_DAY.pattern + r"[ T]\d{2}:\d{2}", re.ASCII)


def _parse_datetime(value, key, problem, near: dt.date | None = None) -> dt.datetime | None:
    """A date or date-time in Asia/Seoul; a bare date means midnight."""
    parsed = _moment(value, key, problem, key, near=near)
    if parsed is None or isinstance(parsed, dt.datetime):
        return parsed
    return dt.datetime.combine(parsed, dt.time(), SEOUL)


def _parse_date(value, key, problem, near: dt.date | None = None) -> dt.date | None:
    return _moment(value, key, problem, key, time_allowed=False, near=near)


def _moment(value, key, problem, what, *, time_allowed=True, near: dt.date | None = None) -> dt.date | dt.datetime | None:
    """The date (or date-time) ``value`` of ``key``, or None and a problem
    naming it as ``what``, with the day to write (:func:`_meant_day`)."""
    parsed = _parse_moment(value)
    if parsed is None and (past_end := _past_month_end(value)):
        problem(key, _('{what} "{value}" is no day: {year}-{month:02d} has {last} days; check the day').format(
            what=what, value=value, year=past_end[0], month=past_end[1], last=past_end[2]))
        return None
    if parsed is None or (not time_allowed and isinstance(parsed, dt.datetime)):
        form, example = (_("YYYY-MM-DD or YYYY-MM-DD HH:MM"), "2026-11-05 14:00") if time_allowed else ("YYYY-MM-DD", "2026-12-31")
        example = _meant_day(value, time_allowed, near) or example
        problem(key, _('{what} "{value}" is not a date; write it as {form}, e.g. {key}: {example}').format(
            what=what, value=value, form=form, key=what.split()[-1], example=example))
        return None
    if parsed.year not in YEARS:
        advice = _("; to keep a notice current, leave expires out") if key == "expires" else ""
        problem(key, _('{what} "{value}" is in the year {year}; dates of notices lie in {first}-{last}, check the year{advice}').format(
            what=what, value=value, year=parsed.year, first=YEARS[0], last=YEARS[-1], advice=advice))
        return None
    return parsed


_HAS_YEAR = re.compile(r"\d{3}")  # 2026.12.3, or a year mistyped (202.12.3): no year is added to it
# a day written as people write one: 2026.12.3, 2026. 12. 3., 2026/12/03, 2026년 12월 3일(목), 2026-12-3 9:00:00,
# 26.12.3 (a year of two digits: 20..), 20261203,
# with its hour as people write one too: 오후 2시 30분, 2:30 PM
_LOOSE_DATE = re.compile(r"(\d{4}|\d{2})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?\s*(?:\([월화수목금토일]\))?"
                         r"(?:\s*(오전|오후|AM|PM)?\s*(\d{1,2})\s*(?::|시)\s*(?:(\d{1,2})\s*분?)?(?::\d{2})?\s*(오전|오후|AM|PM)?)?",
                         re.I)


def _past_month_end(value) -> tuple[int, int, int] | None:
    """(year, month, its last day) when ``value`` is a day past its month's
    end (2026-02-30, 2026.11.31), written in any of as_iso's forms; else None."""
    found = _loose_date(value)
    if found is None or not 1 <= int(found[1]) <= 12 or not 1 <= found[0] <= 9999:
        return None
    last = calendar.monthrange(found[0], int(found[1]))[1]
    return (found[0], int(found[1]), last) if int(found[2]) > last else None


def _loose_date(value) -> tuple | None:
    """(year, month, day, half, hour, minute, half after) of ``value`` as
    :data:`_LOOSE_DATE` reads it, full-width or not, the year a number (26:
    2026), the rest as written; None for a text that is no such day."""
    found = _loose_match(value)
    if found is None:
        return None
    year, *rest = found.groups()
    return (int(year) + (2000 if len(year) == 2 else 0), *rest)


def _loose_match(value) -> re.Match | None:
    """``value`` (full-width or not, 20261203 too) matched whole by :data:`_LOOSE_DATE`, or None."""
    text = re.sub(r"^(\d{4})(\d{2})(\d{2})(?!\d)", r"\1-\2-\3", unicodedata.normalize("NFKC", str(value)).strip())
    return _LOOSE_DATE.fullmatch(text)


def year_of_two_digits(value) -> bool:
    """Whether ``value`` is a day written with a year of two digits
    (``26.12.3``), which :func:`as_iso` reads as 20.. (2026)."""
    found = _loose_match(value)
    return found is not None and len(found[1]) == 2


def as_iso(value, time_allowed: bool) -> str | None:
    """``value`` as YYYY-MM-DD (HH:MM) when it names a day of the calendar
    written another way (full-width, ２０２６－１２－０３, as a Korean
    keyboard's 전각 mode types it, too), to say what to write instead; else None."""
    found = _loose_date(value)
    if found is None:
        return None
    year, month, day, half, hour, minute, half_after = found
    half = (half or half_after or "").upper()
    hours = (int(hour or 0) % 12 + (12 if half in ("오후", "PM") else 0)) if half else int(hour or 0)
    try:
        moment = dt.datetime(year, int(month), int(day), hours, int(minute or 0))
    except ValueError:  # 2026-13-01: no such day to suggest
        return None
    return moment.strftime("%Y-%m-%d %H:%M" if hour is not None and time_allowed else "%Y-%m-%d")


def _meant_day(value, time_allowed: bool, near: dt.date | None) -> str | None:
    """The day (and hour) ``value`` names, as the file must have it: written
    another way (:func:`as_iso`), or without its year (``12/3``): the such
    day nearest to ``near`` (the day the file is named for, or the notice's
    date); else, for words without a digit (``내일`` names no fixed day),
    ``near`` itself; else None."""
    if written := as_iso(value, time_allowed):
        return written
    if near is None:
        return None
    days = _with_years(str(value), range(near.year - 4, near.year + 5))  # a 29 February is at most four years off
    nearest = min(days, key=lambda day: abs(dt.date.fromisoformat(day[:10]) - near), default=None)
    if nearest:
        return nearest if time_allowed else nearest[:10]
    return None if re.search(r"\d", str(value)) else near.isoformat()  # 2026-13-01 is no day to suggest


def coming_day(text: str, today: dt.date) -> str | None:
    """A day written without its year (12월 3일, 12.3, 12월 3일 오후 2시) as
    the file must have it: the coming such day, ``today``'s year if it is
    not past, else the next year's (2월 29일 the next that has one); None
    for a text that is no such day. Staff mean the day ahead of them."""
    days = _with_years(text, range(today.year, today.year + 9))  # a 29 February is at most eight years ahead
    return next((day for day in days if day[:10] >= today.isoformat()), None)


def _with_years(text: str, years: range) -> list[str]:
    """A day written without its year (:func:`coming_day`) in each of
    ``years`` that has it, as :func:`as_iso` writes it; none for a text that
    has a year or is no such day."""
    text = text.strip()
    if _HAS_YEAR.match(text):
        return []
    return [written for year in years if (written := as_iso(f"{year}년 {text}", time_allowed=True))]


def _parse_moment(value) -> dt.date | dt.datetime | None:
    if isinstance(value, dt.datetime):
        return None  # YAML only makes these from HH:MM:SS forms, which the spec does not allow
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if ISO_DAY.fullmatch(text):
        return iso_day(text)
    try:
        if _DATETIME.fullmatch(text):
            return dt.datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=SEOUL)
    except ValueError:
        return None
    return None


def _event(value, problem) -> Event | None:
    if not isinstance(value, dict):
        problem("event", _("event must be a map, e.g.  event: {start: 2026-11-20 14:00, end: 2026-11-20 17:00, place: 성동구청 대강당}"))
        return None
    for key in value:
        if key not in EVENT_KEYS:
            problem(key, _('unknown event key "{key}"{suggestion}; allowed: start, end, place').format(
                key=key, suggestion=did_you_mean(str(key), EVENT_KEYS)))
    if value.get("start") is None:
        problem("start" if "start" in value else "event", _("event needs start, e.g. start: 2026-11-20 14:00"))
        return None
    if period := _period(value["start"]):
        problem("start", _('event start "{value}" is a period; write where it begins as start and where it ends as '
                           'end, on a line of its own: start: {start} and end: {end}').format(
                               value=value["start"], start=period[0], end=period[1]))
        return None
    start = _moment(value["start"], "start", problem, "event start")
    # the start's day, or the one it means when written another way (2026-11-20 오후 2시), said there
    start_day = (start.date() if isinstance(start, dt.datetime) else start).isoformat() if start is not None else (
        (as_iso(value["start"], True) or "")[:10])
    if start_day and (hour := _hour_alone(value.get("end"))):
        problem("end", _('event end "{value}" is an hour without its day; write the day with it, e.g. end: {day} {hour}').format(
            value=value["end"], day=start_day, hour=hour))
        return None
    end = _moment(value["end"], "end", problem, "event end") if value.get("end") is not None else None
    if start is None or (value.get("end") is not None and end is None):
        return None
    if end is not None and _ends_before(start, end):
        problem("end", _("event end is before its start ({start}); write an end after it, e.g. end: {example}").format(
            start=_written_moment(start), example=_end_after(start, end)))
        return None
    place = value.get("place")
    if place is not None and not _is_text(place):
        problem("place", _not_text("place", place))
        return None
    return Event(start=start, end=end, place=str(place) if place is not None else None)


_PERIOD = re.compile(r"(.+?)\s*[~～〜]\s*(.+)")


def _period(value) -> tuple[str, str] | None:
    """(start, end) as the file must have them when an event's start is
    written as its whole period (``2026-12-01 ~ 2027-02-28``, ``2026-11-20
    14:00~17:00``: the end an hour of the start's day); else None."""
    found = _PERIOD.fullmatch(value.strip()) if isinstance(value, str) else None
    first = found and (_written_moment(parsed) if (parsed := _parse_moment(found[1])) else as_iso(found[1], True))
    if not first:
        return None
    parsed = _parse_moment(found[2])
    last = _written_moment(parsed) if parsed else as_iso(found[2], True) or (
        f"{first[:10]} {hour}" if (hour := _hour_alone(found[2])) else None)
    return (first, last) if last else None


# an hour written alone, as people write one: 15:00, 15시, 오후 3시 30분, 3:00 PM
_HOUR_ALONE = re.compile(r"\s*(오전|오후|AM|PM)?\s*(\d{1,2})\s*(?::|시)\s*(?:(\d{1,2})\s*분?)?\s*(오전|오후|AM|PM)?\s*", re.I)


def _hour_alone(value) -> str | None:
    """``value`` as HH:MM when it is an hour written without its day (an
    event's end on the day it starts: ``end: 15:00``, ``오후 3시``); else None."""
    found = _HOUR_ALONE.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        return None
    half, hour, minute = (found[1] or found[4] or "").upper(), int(found[2]), int(found[3] or 0)
    hour = hour % 12 + 12 if half in ("오후", "PM") else hour % 12 if half in ("오전", "AM") else hour
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def _ends_before(start, end) -> bool:
    """Whether an event's ``end`` is before its ``start``. An end without
    an hour is its whole day (as the .ics and the page have it): from 14:00
    to a day, ``end: 2026-11-20`` the start's own day, is an afternoon."""
    if isinstance(end, dt.datetime):
        return end < _as_datetime(start)
    return end < (start.date() if isinstance(start, dt.datetime) else start)


def _written_moment(moment) -> str:
    """A date or date-time as a notice's file has it (2026-11-20, 2026-11-20 14:00)."""
    return moment.strftime("%Y-%m-%d %H:%M") if isinstance(moment, dt.datetime) else moment.isoformat()


def _end_after(start, end) -> str:
    """An event's end to write for ``end``, which is before ``start``: its
    hour on the start's day (a day mistyped), when that is after the start;
    else an hour after the start; an end without an hour of a start without
    one, the start's day."""
    if not isinstance(start, dt.datetime) and not isinstance(end, dt.datetime):
        return start.isoformat()
    start = _as_datetime(start)
    same_day = dt.datetime.combine(start.date(), end.timetz()) if isinstance(end, dt.datetime) else start
    return _written_moment(same_day if same_day > start else start + dt.timedelta(hours=1))


def _as_datetime(moment) -> dt.datetime:
    if isinstance(moment, dt.datetime):
        return moment
    return dt.datetime.combine(moment, dt.time(), SEOUL)


# --- plain text ------------------------------------------------------------------


_LIST_MARKER = re.compile(r"^(?:[-+*]|\d{1,9}[.)])\s+")


def first_paragraph_text(body: str) -> str:
    """The first paragraph of a Markdown body as plain text (no markup), as
    its page reads: a heading, a table, a picture or a comment before it is
    not the paragraph, a list's markers are left out, a link keeps its
    words (an autolink, ``<https://...>``, its address), and the rest is
    what the page shows (:func:`sotong.markup.shown_words`): ``&amp;`` as &,
    ``<김장 축제>`` and ``누리집 > 복지`` as written, a script or style not at all."""
    for block in _blocks(body):
        text = shown_words(" ".join(block))
        if text:
            return text
    return ""


def _blocks(body: str):
    """The lines of each block of a Markdown body, headings and table rows
    before a block left out, list markers taken off."""
    block: list[str] = []
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped:
            if block:
                yield block
            block = []
            continue
        if not block and stripped.startswith(("#", "|")):
            continue  # a heading or a table's row is not the paragraph
        block.append(_LIST_MARKER.sub("", stripped))
    if block:
        yield block
