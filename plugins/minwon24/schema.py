"""The banner schema (SPEC §10): reading ``content/banners/SLUG.yaml`` into a
:class:`~.rules.Banner`, with a ``FILE:LINE: message`` for every mistake."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from sotong import yamlsrc
from sotong.i18n import _
from sotong.content_files import yaml_files
from sotong.validators import (breaks_line, composed, control_character_problems, image_with_alt, nesting_problem,
                               whole_number)
from sotong.audiences import Audiences, read_audience_list
from sotong.notices import english_suggestion, slug_from_filename
from sotong.problems import Problem, cannot_read, did_you_mean, not_utf8

from .config import minwon24_settings
from .rules import PLACEMENTS, Banner, Window

KEYS = ("title", "body", "link", "image", "image_alt", "windows", "audiences", "placements", "priority")
REQUIRED = {
    "title": "title: 민원서류, 이제 정부24에서 떼세요",
    "body": "body: 주민등록등본 등 민원서류를 정부24에서 발급받으세요.",
    "link": "link: https://www.gov.kr/portal/main",
    "placements": "placements: [site, newsletter, email]",
}
WINDOW_KEYS = ("from", "to")
WINDOW_EXAMPLE = "windows: [{from: 12-15, to: 01-31}]"
TITLE_MAX = 100
PRIORITY_RANGE = (-1000, 1000)  # higher shows first; room enough to order any set of banners
_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
# a month and day as people write one (12.15, 12/15, 12월 15일, 2026-12-15), to say it as MM-DD
_LOOSE_MONTH_DAY = re.compile(r"(?:\d{4}\s*[-./년]\s*)?(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # a leap year: 02-29 is allowed


def read_banners(settings: dict, audiences: Audiences, shown: Callable[[Path], str] = str) -> tuple[list[Banner], list[Problem]]:
    """Every banner of the project, and the problems of those that are wrong."""
    config = minwon24_settings(settings)
    banners = []
    paths, problems = yaml_files(config.banners_path, shown)
    for path in paths:
        banner, found = read_banner(path, audiences, Path(settings["PATH"]), shown(path))
        problems.extend(found)
        if banner is not None:
            banners.append(banner)
    return banners, problems


def read_banner(path: Path, audiences: Audiences, content_root: Path, shown: str) -> tuple[Banner | None, list[Problem]]:
    """Read and validate one banner file: (banner or None, problems)."""
    try:
        doc = yamlsrc.load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        return None, [not_utf8(shown, error)]
    except OSError as exc:  # renamed or deleted since the folder was listed
        return None, [Problem(shown, 1, cannot_read(exc))]
    except yamlsrc.YAMLProblem as exc:
        return None, [Problem(shown, exc.line, exc.message)]
    return validate_banner(doc, slug_from_filename(path), audiences, content_root, shown)


def validate_banner(doc: yamlsrc.Located, slug: str, audiences: Audiences, content_root: Path, shown: str) -> tuple[Banner | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(path: tuple, message: str) -> None:
        problems.append(Problem(shown, doc.line(*path), message))

    data = doc.data
    if not isinstance(data, dict):
        return None, [Problem(shown, 1, _("a banner is lines of 'key: value'; start with ") + REQUIRED["title"])]
    problems.extend(control_character_problems(doc, shown))
    for key in data:
        if key not in KEYS:
            problem((key,), _('unknown key "{key}"{suggestion}; banners take {keys}').format(
                key=key, suggestion=did_you_mean(str(key), KEYS), keys=", ".join(KEYS)))
    for key, example in REQUIRED.items():
        if data.get(key) in (None, "", []):
            problem((key,) if key in data else (), _("{key} is required; add a line such as  {example}").format(
                key=key, example=example))

    title = _text(data, "title", problem)
    if title and (breaks_line(title) or len(title) > TITLE_MAX):
        problem(("title",), _("title must be one line of at most {title_max} characters (it has {count}); shorten it").format(
            title_max=TITLE_MAX, count=len(title)))
    body = _text(data, "body", problem)
    if body and (nested := nesting_problem(body, doc.text_line("body"), shown)):  # Markdown: it nests no deeper than a notice
        problems.append(nested)
    link = _link(data, problem)
    image, image_alt = _image(data, content_root, problem)
    windows = _windows(data, problem)
    segments = read_audience_list(data.get("audiences"), audiences, problem)
    placements = _placements(data, problem)
    priority = whole_number(data.get("priority", 0), "priority", *PRIORITY_RANGE,
                            lambda message: problem(("priority",), message), example="priority: 10")

    if problems:
        return None, problems
    return Banner(
        slug=slug, title=title, body=body, link=link, placements=frozenset(placements), priority=priority,
        windows=tuple(windows), audiences=tuple(segments), image=image, image_alt=image_alt, source=shown,
        lines={key[0]: line for key, line in doc.lines.items() if len(key) == 1}, body_line=doc.text_line("body"),
    ), []


def _text(data: dict, key: str, problem) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        problem((key,), _('{key} must be text; put it in double quotes: {key}: "{value}"').format(
            key=key, value=value))
        return None
    return composed(value).strip()


def _link(data: dict, problem) -> str | None:
    link = data.get("link")
    if link is None:
        return None
    parts = urlsplit(str(link).strip())
    if parts.scheme != "https" or not parts.netloc or any(c.isspace() for c in str(link).strip()):
        problem(("link",), _('link "{link}" must be a web address starting with https://, e.g. {example}').format(
            link=link, example=REQUIRED["link"]))
        return None
    return str(link).strip()


def _image(data: dict, content_root: Path, problem) -> tuple[str | None, str | None]:
    return image_with_alt(data.get("image"), data.get("image_alt"), content_root,
                          lambda key, message: problem((key,), message), alt_example="정부24에서 서류를 발급받는 모습")


def parse_month_day(value) -> tuple[int, int] | None:
    """``"12-15"`` → (12, 15); None unless it is a day of a (leap) year."""
    match = _MONTH_DAY.match(str(value).strip())
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month - 1]:
        return None
    return month, day


def _as_month_day(value) -> str | None:
    """``value`` as MM-DD when it names a day of the year written another
    way (full-width too), to say what to write instead; else None."""
    found = _LOOSE_MONTH_DAY.fullmatch(unicodedata.normalize("NFKC", str(value)).strip())
    month_day = found and parse_month_day(f"{found.group(1)}-{found.group(2)}")
    return f"{month_day[0]:02d}-{month_day[1]:02d}" if month_day else None


def _windows(data: dict, problem) -> list[Window]:
    raw = data.get("windows")
    if raw is None:
        return []
    if not isinstance(raw, list):
        problem(("windows",), _("windows must be a list of {{from: MM-DD, to: MM-DD}}, e.g. {window_example}").format(
            window_example=WINDOW_EXAMPLE))
        return []
    windows = []
    for index, item in enumerate(raw):
        where = ("windows", index)
        if not isinstance(item, dict):
            problem(where, _("each window is {from: MM-DD, to: MM-DD}, e.g.  - {from: 12-15, to: 01-31}"))
            continue
        for key in item:
            if key not in WINDOW_KEYS:
                problem(where + (key,), _('unknown window key "{key}"{suggestion}; a window has from and to').format(
                    key=key, suggestion=did_you_mean(str(key), WINDOW_KEYS)))
        ends = []
        for key in WINDOW_KEYS:
            value = item.get(key)
            month_day = parse_month_day(value) if value is not None else None
            if value is None:
                problem(where, _("the window needs {key}; write it as {{from: 12-15, to: 01-31}}").format(
                    key=key))
            elif month_day is None:
                problem(where + (key,), _('{key}: "{value}" is not a month-day; write MM-DD, e.g. {key}: {example} (the window repeats every year, so no year)').format(
                    key=key, value=value, example=_as_month_day(value) or ("12-15" if key == "from" else "01-31")))
            ends.append(month_day)
        if None not in ends:
            windows.append(Window(*ends))
    return windows


def _placements(data: dict, problem) -> list[str]:
    raw = data.get("placements")
    if raw is None:
        return []
    if not isinstance(raw, list):
        problem(("placements",), _("placements must be a list, e.g. placements: [{raw}]").format(raw=raw))
        return []
    placements = []
    for index, name in enumerate(raw):
        if name not in PLACEMENTS:
            problem(("placements", index), _('unknown placement "{name}"{suggestion}; choose from {placements}').format(
                name=name, suggestion=english_suggestion(name, PLACEMENTS), placements=", ".join(PLACEMENTS)))
        elif name not in placements:
            placements.append(name)
    return placements
