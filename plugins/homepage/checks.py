"""What ``sotong check`` verifies for this plugin: the HOMEPAGE settings, and
that no two published SMS notices share a short link (SPEC §8, sotong.links)."""

from __future__ import annotations

from typing import Iterable

from sotong.links import short_id
from sotong.notices import Notice
from sotong.problems import Problem

from .config import settings_problems


def short_id_collisions(notices: Iterable[Notice]) -> list[tuple[Notice, Notice]]:
    """(earlier, later) for every published SMS notice whose short id an
    earlier one in ``notices`` already has. Only SMS carries short links, and
    checking only those keeps chance collisions rare among thousands of notices."""
    first_with: dict[str, Notice] = {}
    collisions = []
    for notice in notices:
        if not (notice.published and notice.has("sms")):
            continue
        key = short_id(notice.slug)
        if key in first_with:
            collisions.append((first_with[key], notice))
        else:
            first_with[key] = notice
    return collisions


def check_content(project) -> list[Problem]:
    """The ``sotong.signals.content_check`` receiver."""
    problems = settings_problems(project.settings)
    notices, _already_reported = project.read_notices()
    for earlier, later in short_id_collisions(notices):
        problems.append(Problem(
            project.shown(later.source), later.lines.get("slug", 1),
            f'the short link /n/{short_id(later.slug)}/ of slug "{later.slug}" is the same as that of '
            f'{project.shown(earlier.source)} (slug "{earlier.slug}"); change the slug of one of them, '
            f"e.g. slug: {later.slug}-2",
        ))
    return problems
