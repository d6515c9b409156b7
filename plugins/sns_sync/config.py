"""The settings sns_sync reads, validated with a ``FILE:LINE: message`` for
every mistake: ``SNS_SYNC = {"import_limit": 5}`` (how many posts of the
office's own SNS accounts the homepage shows) and ``SNS_IMPORT_FEEDS`` (the
feeds of those accounts: paths, relative to the settings file, or URLs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sotong.i18n import _
from sotong.problems import Problem
from sotong.settings import SettingsProblems, settings_check, validated, whole_number

DEFAULTS = {"import_limit": 5}
IMPORT_LIMIT_MAX = 50
CHECKS = {"import_limit": whole_number(0, IMPORT_LIMIT_MAX, _("how many SNS posts the homepage shows"))}
EXAMPLE = 'SNS_SYNC = {"import_limit": 5}'
FEEDS_EXAMPLE = 'SNS_IMPORT_FEEDS = ["https://www.youtube.com/feeds/videos.xml?channel_id=...", "sns/blog.xml"]'


@dataclass(frozen=True)
class SnsSettings:
    import_limit: int
    import_feeds: tuple[str, ...]
    project_dir: Path  # relative feed paths start here
    where: str  # "pelicanconf.py:LINE" of SNS_IMPORT_FEEDS, for warnings about a feed


def sns_settings(settings: dict) -> SnsSettings:
    """The validated settings; SotongError listing every problem."""
    return validated(read_sns_settings, settings)


def read_sns_settings(settings: dict) -> tuple[SnsSettings | None, list[Problem]]:
    found = SettingsProblems(settings)
    limit = (found.plugin_values("SNS_SYNC", DEFAULTS, CHECKS, EXAMPLE) or DEFAULTS)["import_limit"]

    feeds = settings.get("SNS_IMPORT_FEEDS") or []
    if isinstance(feeds, str) or not isinstance(feeds, (list, tuple)):
        found.add("SNS_IMPORT_FEEDS", _("must be a list of paths or URLs, e.g. {feeds_example}").format(
            feeds_example=FEEDS_EXAMPLE))
        feeds = []
    for index, feed in enumerate(feeds):
        message = feed_problem(feed)
        if message:
            found.add("SNS_IMPORT_FEEDS", f"[{index}] {message}")

    if found.problems:
        return None, found.problems
    project_dir = Path(settings.get("SOTONG_PROJECT_DIR") or ".")
    return SnsSettings(limit, tuple(feeds), project_dir, found.where("SNS_IMPORT_FEEDS")), []


settings_problems = settings_check(read_sns_settings)  # the sotong.signals.content_check receiver


def feed_problem(feed) -> str | None:
    """What is wrong with one entry of SNS_IMPORT_FEEDS, or None."""
    if not isinstance(feed, str) or not feed.strip():
        return _("is {feed!r}; write a feed's path or URL in quotes").format(feed=feed)
    scheme = urlsplit(feed.strip()).scheme.lower()
    if "://" in feed and scheme not in ("http", "https"):
        return _('"{feed}" is not an http:// or https:// address nor a path; write e.g. https://blog.example.kr/rss').format(
            feed=feed)
    return None
