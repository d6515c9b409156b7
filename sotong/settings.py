"""Loading a settings file (pelicanconf.py or publishconf.py) with Sotong's
own settings added to Pelican's, relative paths made absolute.

Plugin settings are dicts named after the plugin (``SURVEY``, ``MINWON24``...)
and are validated by their plugins; only shared settings have defaults here.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
from pathlib import Path
from typing import Iterable

from pelican.settings import read_settings

from .problems import Problem, SotongError, did_you_mean
from .store import is_database_url

SEOUL_TZ = "Asia/Seoul"

DEFAULTS = {
    "AUDIENCES_PATH": "audiences.yaml",
    "NOTICES_DIR": "notices",  # under PATH (content/)
    "PRIVATE_PATH": "private",
    "SOTONG_DB": "private/sotong.db",
    "OUTBOX_PATH": "private/outbox",
    "SOTONG_TODAY": None,  # "YYYY-MM-DD" pins "today" for reproducible builds
    "SMS_OPTOUT_FOOTER": "수신거부 02-2286-5114",
    "SHORT_LINK_BASE": None,  # e.g. "https://sd.go.kr/s/", pointed at the site's n/: what makes one-notice SMS fit
    "SMS_POLICY": "all",  # or "email-first": email readers get SMS only for urgent notices
    "SMS_PRICE": 9,  # won per SMS (90 bytes)
    "LMS_PRICE": 27,  # won per LMS (2,000 bytes)
    "COLLECTOR_URL": "http://127.0.0.1:8080",  # `sotong serve`: unsubscribe and survey answers
    "SNS_IMPORT_FEEDS": [],
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 25,
    "SMTP_STARTTLS": False,
    "SMTP_USER": None,
    "SEND_RATE": 50,
    "MAIL_FROM": "성동구청 홍보담당관 <sotong@sd.go.kr>",
    "UNSUBSCRIBE_MAILTO": "unsubscribe@sd.go.kr",
}
PATH_SETTINGS = ("AUDIENCES_PATH", "PRIVATE_PATH", "SOTONG_DB", "OUTBOX_PATH")


def load_settings(path: str | os.PathLike) -> dict:
    """Read a settings file; SotongError with a one-line reason when it fails."""
    path = Path(path)
    if not path.is_file():
        raise SotongError([f"{path}: settings file not found; run sotong in the project folder or pass -s FILE"])
    try:
        settings = read_settings(str(path))
    except SotongError:
        raise
    except SyntaxError as exc:
        raise SotongError([f"{exc.filename or path}:{exc.lineno}: the settings file is not valid Python: {exc.msg}"]) from None
    except Exception as exc:  # a settings file can raise anything, e.g. publishconf without SOTONG_SECRET
        raise SotongError([f"{path}:1: {exc}"]) from None
    settings["SOTONG_SETTINGS_FILE"] = str(path.resolve())
    return add_defaults(settings, path.resolve().parent)


def add_defaults(settings: dict, project_dir: Path) -> dict:
    """Sotong's defaults for what ``settings`` lacks, paths made absolute
    against ``project_dir``. Also applied when Pelican itself reads the
    settings (``make devserver``), by the core plugin."""
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    for key in PATH_SETTINGS:
        if settings.get(key) and not os.path.isabs(settings[key]) and not is_database_url(settings[key]):
            settings[key] = str(project_dir / settings[key])
    settings.setdefault("SOTONG_PROJECT_DIR", str(project_dir))
    return settings


def today(settings: dict) -> dt.date:
    """Today in Seoul, or the pinned ``SOTONG_TODAY``."""
    pinned = settings.get("SOTONG_TODAY")
    if pinned:
        return dt.date.fromisoformat(str(pinned))
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(SEOUL_TZ)).date()


def add_template_folder(settings: dict, folder: str | os.PathLike) -> None:
    """Make a plugin's templates folder findable by Pelican's generators
    (appended to THEME_TEMPLATES_OVERRIDES once; call on ``initialized``)."""
    folder = str(folder)
    overrides = list(settings.get("THEME_TEMPLATES_OVERRIDES") or [])
    if folder not in overrides:
        settings["THEME_TEMPLATES_OVERRIDES"] = [*overrides, folder]


def setting_line(settings: dict, name: str) -> int:
    """The line where the settings file assigns ``name`` (for FILE:LINE
    problems about a plugin's settings dict), or 1; the last assignment
    when there are several, as that is the value Pelican reads."""
    try:
        tree = ast.parse(Path(settings["SOTONG_SETTINGS_FILE"]).read_text(encoding="utf-8"))
    except (KeyError, OSError, SyntaxError, ValueError):
        return 1
    for node in reversed(tree.body):
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return node.lineno
    return 1


class SettingsProblems:
    """The problems found in a plugin's settings, each one a
    ``FILE:LINE: NAME: message`` line at the assignment of NAME.

    FILE is the settings file's name (``pelicanconf.py`` when the settings
    were not loaded from a file)::

        found = SettingsProblems(settings)
        raw = found.plugin_dict("SURVEY", DEFAULTS, 'SURVEY = {"text_max_chars": 2000}')
        if raw is not None and raw.get("text_max_chars", 1) < 1:
            found.add("SURVEY", '"text_max_chars" must be 1 or more')
        return found.problems
    """

    def __init__(self, settings: dict):
        self.settings = settings
        self.shown = Path(settings.get("SOTONG_SETTINGS_FILE") or "pelicanconf.py").name
        self.problems: list[Problem] = []

    def where(self, name: str) -> str:
        """``FILE:LINE`` of the assignment of ``name``."""
        return f"{self.shown}:{setting_line(self.settings, name)}"

    def add(self, name: str, message: str) -> None:
        """Report ``NAME: message`` at the line that assigns ``name``."""
        self.problems.append(Problem(self.shown, setting_line(self.settings, name), f"{name}: {message}"))

    def plugin_dict(self, name: str, allowed: Iterable[str], example: str) -> dict | None:
        """The settings dict ``name`` ({} when unset), each unknown key reported
        with the nearest allowed one; None (and a problem) when it is not a dict."""
        raw = self.settings.get(name)
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.add(name, f"must be a dict, e.g. {example}")
            return None
        allowed = list(allowed)
        for key in raw:
            if key not in allowed:
                self.add(name, f'unknown key "{key}"{did_you_mean(str(key), allowed)}; allowed: {", ".join(allowed)}')
        return raw
