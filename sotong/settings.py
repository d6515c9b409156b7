"""Loading a settings file (pelicanconf.py or publishconf.py) with Sotong's
own settings added to Pelican's, relative paths made absolute.

Plugin settings are dicts named after the plugin (``HOMEPAGE = {...}``),
read and validated by their plugins with :func:`plugin_settings`; only shared
settings have defaults here.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import io
import ipaddress
import logging
import os
import shlex
import sys
import tokenize
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

from .i18n import _
from .problems import Problem, SotongError, did_you_mean, not_utf8
from .database_url import address_mistake, is_database_url

SEOUL_TZ = "Asia/Seoul"
# The longest request body `sotong serve` takes (SPEC §9: 413 beyond). sotong.web
# enforces it; it is here so that checks (a survey's longest answer) read it
# without importing the collector and werkzeug.
MAX_BODY_BYTES = 64 * 1024

DEFAULTS = {
    "AUDIENCES_PATH": "audiences.yaml",
    "NOTICES_DIR": "notices",  # under PATH (content/)
    "PRIVATE_PATH": "private",
    "SOTONG_DB": "private/sotong.db",
    "OUTBOX_PATH": "private/outbox",
    "SOTONG_TODAY": None,  # "YYYY-MM-DD" pins "today" for reproducible builds
    "OFFICE_PHONE": "02-2286-5114",  # the office's number that pages of the collector give
    "SHORT_LINK_BASE": None,  # e.g. "https://sd.go.kr/s/", pointed at the site's n/: what makes one-notice SMS fit
    "COLLECTOR_URL": "http://127.0.0.1:8080",  # `sotong serve`: the routes plugins add
    "COLLECTOR_PROXY": None,  # the reverse proxy's address (e.g. "127.0.0.1"): its requests are X-Forwarded-For's
    "MAIL_FROM": "성동구청 홍보담당관 <sotong@sd.go.kr>",
    "UNSUBSCRIBE_MAILTO": "unsubscribe@sd.go.kr",
}
PATH_SETTINGS = ("AUDIENCES_PATH", "PRIVATE_PATH", "SOTONG_DB", "OUTBOX_PATH")


def load_settings(path: str | os.PathLike, pelican: bool = True) -> dict:
    """Read a settings file; SotongError with a one-line reason when it fails.
    ``pelican=False``: the file's own settings and Sotong's defaults only,
    without importing Pelican (a second of start-up), for a command that
    reads no content: Pelican's defaults and paths are then missing."""
    path = Path(path)
    if not path.is_file():
        raise SotongError([_("{path}: settings file not found; run sotong in the project folder or pass -s FILE").format(
            path=path)])
    if path.suffix != ".py":  # Python runs no other file as a module: "'NoneType' object has no attribute 'loader'"
        raise SotongError([_("{path}: a settings file is Python, named .py, such as pelicanconf.py or publishconf.py; "
                             "write -s publishconf.py").format(path=path)])
    try:
        with _project_modules_put_back(path.resolve().parent):
            if pelican:
                settings = _pelican_settings(path)
            else:
                settings = file_settings(path)
    except SotongError:
        raise
    except SyntaxError as exc:
        if undecodable := _not_python_text(path):  # saved as ANSI (CP949) or "Unicode" (UTF-16) by Notepad
            raise SotongError([not_utf8(str(path), undecodable)]) from None
        raise SotongError([_("{path}:{line}: the settings file is not valid Python: {reason}").format(
            path=exc.filename or path, line=exc.lineno, reason=exc.msg)]) from None
    except Exception as exc:  # a settings file can raise anything, e.g. publishconf without SOTONG_SECRET
        raise SotongError(_failure_said(path, exc) if pelican else [f"{path}:1: {exc}"]) from None
    except SystemExit as exc:  # sys.exit() in the file: the command would end having done nothing, "done"
        raise SotongError([_("{path}:1: the settings file ends the program (sys.exit({code})); a settings file only sets values: remove the call").format(
            path=path, code="" if exc.code is None else repr(exc.code))]) from None
    settings["SOTONG_SETTINGS_FILE"] = str(path.resolve())
    _check_shared(settings)
    add_defaults(settings, path.resolve().parent)
    _check_unpublished(settings)
    return settings


def _locale_said(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("Locale could not be set")


def _pelican_settings(path: Path) -> dict:
    """The settings file read by Pelican, which says in English, on every
    command, when the system lacks the locale of LANG (ko_KR.UTF-8 never
    generated, as on a new WSL): not said, as nothing needs it: the pages
    write dates in digits and Korean words of their own (DEFAULT_DATE_FORMAT,
    korean_date), and the messages' language is SOTONG_LANG's."""
    from pelican.settings import read_settings

    pelican_log = logging.getLogger("pelican.settings")
    pelican_log.addFilter(_locale_said)
    try:
        return read_settings(str(path))
    finally:
        pelican_log.removeFilter(_locale_said)


@contextmanager
def _project_modules_put_back(folder: Path):
    """``sys.modules`` as it was for the modules run from ``folder``: the
    settings file, which Pelican runs as a module of its file's name, and a
    settings file it imports (publishconf.py's pelicanconf). Left there, a
    settings file named like a plugin (homepage.py) stood for that plugin
    of PLUGINS, and the command ended in a traceback (no register())."""
    before = dict(sys.modules)
    try:
        yield
    finally:
        for name, module in list(sys.modules.items()):
            if before.get(name) is not module and _run_from(module, folder):
                if name in before:
                    sys.modules[name] = before[name]
                else:
                    del sys.modules[name]


def _run_from(module, folder: Path) -> bool:
    """Whether ``module`` is a file right in ``folder`` (a settings file's path may be relative, or a link)."""
    file = getattr(module, "__file__", None)
    return bool(file) and Path(os.path.realpath(file)).parent == folder


def _failure_said(path: Path, exc: Exception) -> list[Problem | str]:
    """What to say of Pelican failing to read the settings file with ``exc``:
    the content folder missing, a setting of the wrong kind Pelican failed on
    in English, or the error as it was."""
    missing = isinstance(exc, ValueError) and _no_content_folder(path)
    return [missing] if missing else _shared_mistakes(path) or [f"{path}:1: {exc}"]


def _shared_mistakes(path: Path) -> list[Problem]:
    """The mistakes :func:`_check_shared` finds in what the settings file sets
    (``SITEURL = None``, on which Pelican itself failed in English); [] when
    it finds none, or the file cannot be run again."""
    try:
        with _project_modules_put_back(path.resolve().parent):
            _check_shared({**file_settings(path), "SOTONG_SETTINGS_FILE": str(path.resolve())})
    except SettingsError as error:
        return error.problems
    except BaseException:  # it failed as it did under Pelican: said as it was
        return []
    return []


def _not_python_text(path: Path) -> UnicodeDecodeError | None:
    """Where the file is not text Python can read, in the encoding it declares
    (UTF-8 unless a coding line says otherwise) and without NUL bytes; None
    when it is."""
    data = path.read_bytes()
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return error
    except SyntaxError:  # a coding line naming no encoding
        return UnicodeDecodeError("utf-8", data, 0, 1, "unknown encoding")
    nul = data.find(b"\0")
    return UnicodeDecodeError("utf-8", data, nul, nul + 1, "NUL byte") if nul >= 0 else None


def _check_shared(settings: dict) -> None:
    """SettingsError naming each shared setting of the wrong type: a path
    that is not text, a SOTONG_TODAY that is no day of schedule.YEARS,
    PLUGINS that is not a list."""
    found = SettingsProblems(settings)
    found.values({name: DEFAULTS[name] for name in PATH_SETTINGS}, dict.fromkeys(PATH_SETTINGS, text(_("a path"))))
    found.values({"SOTONG_TODAY": None}, {"SOTONG_TODAY": rule(_is_pinned_day, lambda value: _(
        'is {value!r}; write a day as "YYYY-MM-DD", e.g. SOTONG_TODAY = "2026-11-26", or leave it out for today in Seoul').format(
        value=value))})
    found.values({"PLUGINS": None}, {"PLUGINS": rule(lambda value: value is None or isinstance(value, (list, tuple)), lambda value: _(
        'is {value!r}; write a list of plugin names, e.g. PLUGINS = ["sotong.pelican_plugin", "newsletter"]').format(value=value))})
    found.values({"COLLECTOR_PROXY": None}, {"COLLECTOR_PROXY": rule(_is_address, lambda value: _(
        'is {value!r}; write the address of the reverse proxy in front of sotong serve as text, e.g. COLLECTOR_PROXY = "127.0.0.1", or leave it out when there is none').format(
        value=value))})
    _check_pelicans_read(found)
    if mistake := address_mistake(settings.get("SOTONG_DB")):  # else a file of that name, a new empty store
        found.add("SOTONG_DB", mistake)
    found.raise_any()


def _check_pelicans_read(found: "SettingsProblems") -> None:
    """Add to ``found`` each setting of Pelican's that Sotong reads too, of a
    kind it cannot read (``PAGE_PATHS = (1, 2)``, ``FEED_DOMAIN = b"x"``),
    and a NOTICES_DIR outside PATH (``"/"`` read the whole disk)."""
    for name in ("SITEURL", "FEED_DOMAIN"):
        found.values({name: ""}, {name: rule(lambda value: isinstance(value, str) and "\0" not in value,
                                             lambda value, name=name: _(
            'is {value!r}; write the address as text, e.g. {name} = "https://www.sd.go.kr/sotong", or "" while '
            'developing').format(value=value, name=name))})
    found.values({"ARTICLE_PATHS": [], "PAGE_PATHS": []}, dict.fromkeys(("ARTICLE_PATHS", "PAGE_PATHS"), rule(
        lambda value: isinstance(value, (list, tuple)) and all(text()(item) is None for item in value), lambda value: _(
            'is {value!r}; write a list of folders under PATH, e.g. PAGE_PATHS = ["pages"]').format(value=value))))
    found.values({"NOTICES_DIR": DEFAULTS["NOTICES_DIR"]}, {"NOTICES_DIR": rule(_is_folder_inside, lambda value: _(
        'is {value!r}; write the folder of the notices under PATH, e.g. NOTICES_DIR = "notices"').format(value=value))})


def _is_folder_inside(value) -> bool:
    """Text naming a folder inside the content folder: not absolute, no ``..``."""
    return text()(value) is None and not os.path.isabs(value) and ".." not in Path(value).parts


# PostgreSQL://, postgresql+psycopg://, postgres:/, sqlite:///; postgresql// and postgresql:USER@... (a colon or
# the slashes left out), not a folder named postgres


# what names people and must never be under OUTPUT_PATH, which is published as it is
UNPUBLISHED_PATHS = ("PRIVATE_PATH", "SOTONG_DB", "OUTBOX_PATH")


def _check_unpublished(settings: dict) -> None:
    """SettingsError naming each of UNPUBLISHED_PATHS inside OUTPUT_PATH
    (Pelican's "output" when unset), so that no command writes the store,
    outboxes, reports or codes where the web server publishes them."""
    found = SettingsProblems(settings)
    output = (Path(settings["SOTONG_PROJECT_DIR"]) / (settings.get("OUTPUT_PATH") or "output")).resolve()
    for name in UNPUBLISHED_PATHS:
        value = settings.get(name)
        if value and not is_database_url(value) and Path(value).resolve().is_relative_to(output):
            found.add(name, _("is inside OUTPUT_PATH, which is published; keep it under private/"))
    found.raise_any()


def _is_address(value) -> bool:
    """None, or an IP address as text (what REMOTE_ADDR holds)."""
    try:
        return value is None or isinstance(value, str) and bool(ipaddress.ip_address(value))
    except ValueError:
        return False


def _is_pinned_day(value) -> bool:
    """None, or a day (a date, or its YYYY-MM-DD text) in schedule.YEARS."""
    from .schedule import YEARS

    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value is None or value.year in YEARS
    try:
        return isinstance(value, str) and dt.date.fromisoformat(value).year in YEARS
    except ValueError:
        return False


def _no_content_folder(path: Path) -> str | None:
    """What to do when the folder PATH names is not there (Pelican says it in
    English, sending staff to ``pelican --help``); None when it is there."""
    try:
        written = file_settings(path).get("PATH")
    except Exception:  # the file ran once already: Pelican read it
        return None
    if not isinstance(written, str) or (path.parent / written).is_dir():
        return None
    return _('{path}:{line}: the content folder "{folder}" (PATH) is not there; make it, with the notices in '
             '{folder}/notices/, or write in PATH the folder that holds them (PATH = "content")').format(
        path=path, line=setting_line({"SOTONG_SETTINGS_FILE": str(path)}, "PATH"), folder=written)


def file_settings(path: Path) -> dict:
    """The upper-case names a settings file sets, run as Pelican runs it (a
    module of the file's name, so that publishconf.py may import pelicanconf)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return {name: value for name, value in vars(module).items() if name.isupper()}


def add_defaults(settings: dict, project_dir: Path) -> dict:
    """Sotong's defaults for what ``settings`` lacks, paths made absolute
    against ``project_dir`` (``~`` read as the home folder). Also applied when Pelican itself reads the
    settings (``make devserver``), by the core plugin."""
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    for key in PATH_SETTINGS:
        if settings.get(key) and not is_database_url(settings[key]):  # ~/...: the home folder, not a folder "~"
            settings[key] = str(project_dir / os.path.expanduser(settings[key]))
    settings.setdefault("SOTONG_PROJECT_DIR", str(project_dir))
    return settings


def settings_flag(settings: dict) -> str:
    """What a command that a message suggests needs to read the same settings:
    "" for the project's pelicanconf.py (the default), else " -s FILE" (e.g.
    " -s publishconf.py"). A production run's next step run without it reads
    the development settings, and their store: publishconf.py's SOTONG_DB
    from the environment (PostgreSQL) is not pelicanconf.py's."""
    path = settings.get("SOTONG_SETTINGS_FILE")
    if not path:
        return ""
    shown = shown_in_project(settings, path)
    return "" if shown == "pelicanconf.py" else " -s " + shlex.quote(shown)


def shown_in_project(settings: dict, path: Path | str) -> str:
    """A path as messages name it: relative to the project folder when it
    lies in it (``private/texted-codes.json``), else as it is."""
    path = str(path)
    if not settings.get("SOTONG_PROJECT_DIR"):
        return path
    shown = os.path.relpath(os.path.abspath(path), settings["SOTONG_PROJECT_DIR"])
    return path if shown.startswith("..") else shown


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
        values = found.plugin_values("DEMO", {"size": 10}, {"size": whole_number(1, 100)}, 'DEMO = {"size": 10}')
        top = found.values({"DEMO_URL": "/"}, {"DEMO_URL": text("an address")})
        if values is not None and top["DEMO_URL"].startswith("ftp:"):
            found.add("DEMO_URL", "is not a web address; write e.g. DEMO_URL = \"https://sd.go.kr\"")
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
            self.add(name, _("must be a dict, e.g. {example}").format(example=example))
            return None
        allowed = list(allowed)
        for key in raw:
            if key not in allowed:
                self.add(name, _('unknown key "{key}"{suggestion}; allowed: {allowed}').format(
                    key=key, suggestion=did_you_mean(str(key), allowed), allowed=", ".join(allowed)))
        return raw

    def plugin_values(self, name: str, defaults: dict, checks: dict[str, "Check"], example: str) -> dict | None:
        """The plugin's settings dict ``name`` over its ``defaults``, each key
        of ``checks`` checked (see :func:`plugin_settings`); None when it is
        not a dict."""
        raw = self.plugin_dict(name, defaults, example)
        if raw is None:
            return None
        values = {**defaults, **{key: value for key, value in raw.items() if key in defaults}}
        for key, check in checks.items():
            self._check(name, values[key], check, lambda wanted: _('"{key}" is {values!r}; write {wanted}, e.g. {name} = {{"{key}": {example}}}').format(
                key=key, values=values[key], wanted=wanted, name=name, example=_example(defaults[key])))
        return values

    def values(self, defaults: dict, checks: dict[str, "Check"]) -> dict:
        """Top-level settings (``NAME = value``) over their ``defaults``, each
        name of ``checks`` checked the same way."""
        values = {name: self.settings.get(name, default) for name, default in defaults.items()}
        for name, check in checks.items():
            self._check(name, values[name], check, lambda wanted: _("is {values!r}; write {wanted}, e.g. {name} = {example}").format(
                values=values[name], wanted=wanted, name=name, example=_example(defaults[name])))
        return values

    def _check(self, name: str, value, check: "Check", sentence: Callable[[str], str]) -> None:
        """Report under ``name`` what ``check`` says of ``value``: its own
        whole message (:func:`rule`), or ``sentence(what to write)``."""
        wanted = check(value)
        if isinstance(wanted, Said):
            self.add(name, wanted)
        elif wanted:
            self.add(name, sentence(wanted))

    def raise_any(self) -> None:
        """SettingsError listing the problems found, if any."""
        if self.problems:
            raise SettingsError(self.problems)


class SettingsError(SotongError):
    """Mistakes in the settings file, one ``FILE:LINE: NAME: message`` each."""


# A check takes a setting's value and says what to write instead, or None when it is right.
Check = Callable[[object], "str | None"]


class Said(str):
    """What a check answers when it says the whole message after ``NAME: ``
    itself (made by :func:`rule`), instead of only what to write."""


def rule(fits: Callable[[object], bool], message: Callable[[object], str]) -> Check:
    """A check: right when ``fits(value)``, else ``message(value)`` as it is
    (for settings whose message says more than "is X; write W, e.g. ...")."""
    def check(value) -> str | None:
        return None if fits(value) else Said(message(value))
    return check


def plugin_settings(settings: dict, name: str, defaults: dict, checks: dict[str, Check], example: str) -> dict:
    """The plugin's settings dict ``name`` (``HOMEPAGE = {"section_size": 10}``)
    over its ``defaults``; SettingsError listing every mistake: a value that
    is not a dict, an unknown key (with the nearest known one), a value its
    check refuses (``"section_size" is 0; write a whole number from 1 to 100,
    e.g. HOMEPAGE = {"section_size": 10}``). Keys are lower case."""
    found = SettingsProblems(settings)
    values = found.plugin_values(name, defaults, checks, example)
    found.raise_any()
    return values


def validated(read: Callable[[dict], tuple], settings: dict):
    """What ``read(settings)`` makes of the settings (a plugin's reader that
    returns ``(config, problems)``); SettingsError listing the problems."""
    config, problems = read(settings)
    if problems:
        raise SettingsError(problems)
    return config


def settings_check(read: Callable[[dict], tuple]) -> Callable[[object], list[Problem]]:
    """The ``sotong.signals.content_check`` receiver of a plugin's settings
    reader (``read(settings)`` returns ``(config, problems)``): the problems
    it finds in the project's settings."""
    def check(project) -> list[Problem]:
        return read(project.settings)[1]

    check.__qualname__ = check.__name__ = f"settings_check({read.__name__})"
    return check


def _example(value) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def whole_number(low: int, high: int | None = None, what: str = "") -> Check:
    """A check: an int (not a bool) from ``low`` to ``high`` (no upper bound: None)."""
    wanted = _("a whole number from {low} to {high}").format(low=low, high=high) if high is not None else _("a whole number of {low} or more").format(low=low)
    wanted = f"{what}, {wanted}" if what else wanted

    def check(value) -> str | None:
        fits = isinstance(value, int) and not isinstance(value, bool) and low <= value <= (value if high is None else high)
        return None if fits else wanted
    return check


def number_above(low: float, what: str | None = None) -> Check:
    """A check: an int or float (not a bool) above ``low``."""
    def check(value) -> str | None:
        fits = isinstance(value, (int, float)) and not isinstance(value, bool) and value > low
        return None if fits else _("{what} above {low:g}").format(what=what or _("a number"), low=low)
    return check


def text(what: str | None = None) -> Check:
    """A check: text that is not blank, with no NUL byte (which no file's name or address holds)."""
    def check(value) -> str | None:
        return None if isinstance(value, str) and value.strip() and "\0" not in value else what or _("text")
    return check


def flag(value) -> str | None:
    """A check: True or False."""
    return None if isinstance(value, bool) else _("True or False")
