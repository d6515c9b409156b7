"""``sotong new``: a notice file with valid front matter, for staff to edit.

Each answer is checked as it is given: a wrong one on the command line is a
command-line error (exit 2); a wrong one typed at the prompt is said, with
the list to pick from, and asked again. The file name is ASCII: the title
romanized (Revised Romanization, korean-romanizer), or a name asked for when
the title has nothing to romanize. The header carries the required keys and,
commented out, an example of every optional key.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Callable

import click
import frontmatter
import yaml
from korean_romanizer.romanizer import Romanizer

from .advice import EXAMPLE_ITEMS, EXAMPLE_LEAD, EXAMPLE_PHONE
from .audiences import resolve_key, unknown_department
from .dates import ISO_DAY, korean_date
from .i18n import _
from .notices import DEFAULT_CHANNELS, as_iso, coming_day, year_of_two_digits
from .problems import SotongError, did_you_mean
from .project import Project
from .schedule import YEARS

SLUG_LIMIT = 60
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_DATE = re.compile(ISO_DAY.pattern + r"( \d{2}:\d{2})?", re.ASCII)

BODY_TEMPLATE = """{lead}

## 신청 방법

{items}

문의: {department} {phone}
"""

OPTIONAL_KEYS = """# 아래는 필요할 때만 쓰는 항목입니다. 쓰려면 줄 앞의 "# "를 지우고 값을 고치세요.
# audiences: [{segment}]   # 받을 사람: audiences.yaml의 segments 이름 (없으면 분야 동의자 모두)
# audiences: [{{age: [65, null], dongs: [{dongs}]}}]   # 또는 조건을 직접: 65세 이상이면서 두 동 주민
# channels에 쓸 수 있는 곳: homepage newsletter email sms twitter facebook blog
# summary: 목록과 이메일에 나갈 요약 (200자 이내, 없으면 본문 첫 문단)
# sms: 문자로 보낼 짧은 글 (없으면 제목)
# expires: {expires}   # 이날까지 알립니다
# event: {{start: {event} 10:00, end: {event} 12:00, place: 성동구청 3층 대강당}}
# image: images/photo.jpg
# image_alt: 사진에 무엇이 있는지 한 문장 (image를 쓰면 꼭 씁니다)
# survey: 설문 이름 (content/surveys/의 파일 이름, .yaml 없이)
# priority: urgent   # 긴급 공지
# status: draft   # 초안: 누리집, 소식지, 이메일, 문자 어디에도 나가지 않습니다
# visibility: private   # 비공개(위원회·단체 자료): 누리집에 싣지 않고 audiences의 대상에게 이메일로만 전문을 보냅니다. channels: [email]로 씁니다
# attachments: [files/안건.pdf]   # 비공개 공지의 이메일에 붙여 보낼 파일 (content/files/에 둡니다)
"""


def parse_title(text: str) -> str:
    title = " ".join(text.split())
    if not title or len(title) > 100:
        raise ValueError(_("write a one-line title of 1 to 100 characters"))
    return title


def parse_department(text: str, departments) -> str:
    key = resolve_key(text, departments)
    if key is None:
        raise ValueError(_("{problem}; pick one of: {choices}").format(
            problem=unknown_department(text, departments), choices=", ".join(departments)))
    return key


def parse_category(text: str, fields: dict) -> str:
    key = resolve_key(text, fields)
    if key is None:
        raise ValueError(_('unknown category "{value}"{hint}; pick a key or its Korean name: {choices}').format(
            value=text, hint=did_you_mean(text, fields, labels=True), choices=", ".join(f"{k} ({v})" for k, v in fields.items())))
    return key


def parse_date(text: str, today: dt.date) -> str:
    """``text`` when it is a day of the calendar in YEARS (2026-12-01, or with
    a time 09:00), not only of its form (2026-13-01 is no day); a day written
    as staff write one (2026.12.1, 2026년 12월 1일 오후 2시) as the file must
    have it (SPEC §2), which this command writes for them; one written
    without its year (12월 3일) as the coming such day (:func:`coming_day`)."""
    written = as_iso(text, time_allowed=True) or coming_day(text, today) or as_iso(named_day(text, today), True) \
        or text.strip()
    try:
        day = dt.datetime.fromisoformat(written) if _DATE.fullmatch(written) else None
    except ValueError:  # no such month, day or hour
        day = None
    if day is None or day.year not in YEARS:
        raise ValueError(_('"{value}" is not a date; write YYYY-MM-DD or "YYYY-MM-DD HH:MM"').format(value=text))
    if year_of_two_digits(text) and abs(day.year - today.year) > 1:  # 12.3.5: 2012
        raise ValueError(_('"{value}" reads as {day}, more than a year from today; write the year in four digits, '
                           'e.g. {example}').format(value=text, day=written[:10],
                                                    example=coming_day(f"{day.month}월 {day.day}일", today)))
    return written


# a notice dated more days than these before today is said, in case its year was mistyped
PAST_DAYS_SAID = 30

# the days staff name by a word, from today
DAY_WORDS = {"오늘": 0, "내일": 1, "모레": 2}


def named_day(text: str, today: dt.date) -> str:
    """``text`` with the word of its day (오늘, 내일, 모레, then an hour or
    not: ``내일 오후 2시``) written as that day, YYYY-MM-DD; as it is if
    it starts with no such word."""
    word, _blank, rest = text.strip().partition(" ")
    if word not in DAY_WORDS:
        return text
    return f"{today + dt.timedelta(days=DAY_WORDS[word])} {rest}".strip()


def parse_slug(text: str) -> str:
    slug = text.strip()
    if not _SLUG.fullmatch(slug) or len(slug) > SLUG_LIMIT:
        raise ValueError(_('"{value}" cannot be a file name; use small English letters, digits and -, '
                           "e.g. cold-shelters, at most {limit} characters").format(value=text, limit=SLUG_LIMIT))
    return slug


def romanized_slug(title: str, date: str) -> str | None:
    """``DATE-words-of-the-title`` in ASCII, or None when the title has no letters to keep."""
    words = re.sub(r"[^a-z0-9]+", "-", Romanizer(title).romanize().lower()).strip("-")
    if not words:
        return None
    room = SLUG_LIMIT - len(date[:10]) - 1
    if len(words) > room:
        words = words[:room + 1].rsplit("-", 1)[0] if "-" in words[:room + 1] else words[:room]
    return f"{date[:10]}-{words.strip('-')}"


def answer(given: str | None, label: str, parse: Callable[[str], str], option: str) -> str:
    """``given`` checked by ``parse`` (exit 2 when wrong), or asked until
    right; exit 2 when it is missing and the input ends (no one to ask)."""
    if given is not None:
        try:
            return parse(given)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=option) from None
    while True:
        try:
            return parse(click.prompt(label))
        except ValueError as exc:
            click.echo(_("{problem}. Try again.").format(problem=exc), err=True)
        except click.Abort as exc:  # click.prompt's Ctrl+C (sotong.cli says it) or end of input
            if isinstance(exc.__context__, EOFError):  # nobody to ask (a script): the option is missing
                raise click.MissingParameter(param_hint=option, param_type="option") from None
            raise


def ask_notice(project: Project, *, title, department, category, date, slug) -> Path:
    """Ask for what is missing or wrong, then write the notice; its path."""
    audiences = project.audiences
    title = answer(title, _("Title"), parse_title, "--title")
    department = answer(department, _("Department"), lambda v: parse_department(v, audiences.departments),
                        "--department")
    category = answer(category, _("Category"), lambda v: parse_category(v, audiences.fields), "--category")
    today = project.today()
    written_date, date = date, answer(date or today.isoformat(), "", lambda v: parse_date(v, today), "--date")
    if written_date is not None and coming_day(written_date, today) == date:
        click.echo(_('--date "{value}" has no year: took the coming one, {day}').format(
            value=written_date, day=korean_date(dt.date.fromisoformat(date[:10]), weekday=True)), err=True)
    elif written_date is not None and named_day(written_date, today) != written_date:
        click.echo(_('--date "{value}": took {day}').format(
            value=written_date, day=korean_date(dt.date.fromisoformat(date[:10]), weekday=True)), err=True)
    if (days_ago := (today - dt.date.fromisoformat(date[:10])).days) > PAST_DAYS_SAID:  # 2025 typed for 2026
        click.echo(_("warning: --date {day} is {days} days before today; the notice is written with it, check its "
                     "year").format(day=date[:10], days=f"{days_ago:,}"), err=True)
    given_slug = slug is not None
    slug = answer(slug, "", parse_slug, "--slug") if given_slug else romanized_slug(title, date)
    while slug is None or (project.notices_path / f"{slug}.md").exists():
        if given_slug:
            raise SotongError([_("{path}: a notice with this name exists; pass --slug NAME").format(
                path=project.shown(project.notices_path / f"{slug}.md"))])
        if slug is not None:
            click.echo(_("{path} exists already.").format(path=project.shown(project.notices_path / f"{slug}.md")), err=True)
        slug = answer(None, _("File name in English letters, e.g. {date}-cold-shelters").format(date=date[:10]),
                      parse_slug, "--slug")
    return write_notice(project, title=title, department=department, category=category, date=date, slug=slug)


class _Written(str):
    """A value written as staff write it by hand, without quotes: a day
    (``date: 2026-12-10``), which YAML would otherwise quote as text that
    reads like a timestamp."""


class _NoticeDumper(yaml.SafeDumper):
    """PyYAML's own writer: libyaml's (frontmatter's default) writes an emoji
    as "\U0001F384", not as typed; a :class:`_Written` day unquoted (the
    notices' loader keeps a timestamp as its text)."""


_NoticeDumper.add_representer(_Written, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:timestamp" if ISO_DAY.fullmatch(value) else "tag:yaml.org,2002:str", str(value)))


def write_notice(project: Project, *, title: str, department: str, category: str, date: str, slug: str) -> Path:
    """Write ``content/notices/SLUG.md``: the required keys, then the optional ones commented out."""
    audiences = project.audiences
    path = project.notices_path / f"{slug}.md"
    body = BODY_TEMPLATE.format(lead=EXAMPLE_LEAD, items="\n".join(f"- {item}:" for item in EXAMPLE_ITEMS),
                                department=department, phone=EXAMPLE_PHONE)
    post = frontmatter.Post(body, title=title, date=_Written(date), department=department, category=category,
                            channels=list(DEFAULT_CHANNELS))
    text = frontmatter.dumps(post, Dumper=_NoticeDumper, sort_keys=False, allow_unicode=True)
    examples = OPTIONAL_KEYS.format(segment=next(iter(audiences.segments), "segment"),
                                    dongs=", ".join(list(audiences.dongs.values())[:2]),
                                    expires=date[:10], event=date[:10])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace("\n---\n", "\n" + examples + "---\n", 1) + "\n", encoding="utf-8")
    return path
