"""``sotong new``: a notice file with valid front matter, for staff to edit."""

from __future__ import annotations

import re

import frontmatter

from .audiences import resolve_key, unknown_department
from .i18n import _
from .notices import CHANNELS, DEFAULT_CHANNELS
from .problems import SotongError, did_you_mean
from .project import Project

BODY_TEMPLATE = """첫 문단은 목록과 이메일에 요약으로 나갑니다. 누가, 언제, 무엇을 하는지 한두 문장으로 쓰세요.

## 신청 방법

- 기간:
- 장소:
- 대상:

문의: {department} 02-2286-0000
"""


def write_new_notice(project: Project, *, title: str, department: str, category: str,
                     date: str | None = None, slug: str | None = None) -> "Path":
    audiences = project.audiences
    problems = []
    if resolve_key(department, audiences.departments) is None:
        problems.append("--department: " + unknown_department(department, audiences.departments))
    given_category, category = category, resolve_key(category, audiences.fields)
    if category is None:
        problems.append(_('--category: unknown category "{category}"{suggestion}; choose a key or its Korean name: {fields}').format(
            category=given_category, suggestion=did_you_mean(given_category, audiences.fields),
            fields=", ".join(f"{k} ({v})" for k, v in audiences.fields.items())))
    title = " ".join(title.split())
    if not title or len(title) > 100:
        problems.append(_("--title: write a one-line title of 1 to 100 characters"))
    date = date or project.today().isoformat()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", date):
        problems.append(_('--date: "{date}" is not a date; write YYYY-MM-DD or "YYYY-MM-DD HH:MM"').format(
            date=date))
    if problems:
        raise SotongError(problems)
    slug = slug or f"{date[:10]}-" + re.sub(r"[^\w]+", "-", title.lower()).strip("-")[:40]
    path = project.notices_path / f"{slug}.md"
    if path.exists():
        raise SotongError([_("{path}: a notice with this name exists; pass --slug NAME").format(
            path=project.shown(path))])
    post = frontmatter.Post(BODY_TEMPLATE.format(department=department), title=title, date=date,
                            department=department, category=category, channels=list(DEFAULT_CHANNELS))
    path.parent.mkdir(parents=True, exist_ok=True)
    text = frontmatter.dumps(post, sort_keys=False, allow_unicode=True)
    comment = f"\n# channels: {' '.join(CHANNELS)}; see README for every key\n"
    path.write_text(text.replace("\n---\n", comment + "---\n", 1) + "\n", encoding="utf-8")
    return path
