"""Problems found in the input, and the error that carries them to the CLI.

Every mistake a user can make is reported as one line, ``PATH:LINE: message``,
so that PR staff can open the file at the line and read what to write instead.
"""

from __future__ import annotations

import difflib
import errno
import logging
import os
import re
import socket
import ssl
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable

from . import keyboard
from .i18n import N_, _

_REASON_CHARACTERS = 120  # of what an exception said: the line stays one a person reads


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file, at one line (1 when no line fits better)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return one_line(f"{self.path}:{self.line}: {self.message}")


# Line breaks and other control characters, as a value quoted in a message may
# hold them (a CSV cell with CRLF, slug: "x\n"): shown escaped, so that one
# problem stays one line.
_BREAKING = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7f, *range(0x80, 0xa0)] if code != 0x09}
_BREAKING.update({0x0a: "\\n", 0x0d: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"})


def one_line(text: str) -> str:
    """``text`` with line breaks and control characters escaped (``\\n``, ``\\x00``)."""
    return text.translate(_BREAKING)


class SotongError(Exception):
    """The input is wrong; the CLI prints each problem and exits 1."""

    def __init__(self, problems: Iterable[Problem | str]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def not_utf8(shown: str, error: UnicodeDecodeError) -> Problem:
    """The problem of a text file that is not UTF-8 (saved as ANSI/EUC-KR, Notepad's
    default on Korean Windows), with how to save it again, at the line of the first
    byte that is not (``error``: the decoding's): a line pasted from a file in
    another encoding is found there."""
    return Problem(shown, error.object[:error.start].count(b"\n") + 1, _("the file is not UTF-8 text; save it again with the encoding UTF-8 (in Notepad: Save As, Encoding: UTF-8)"))


# a number of a dong's name spelled in Hangul, as it is read aloud (성수일가1동, 행당이동): its digit
_HANGUL_DIGITS = {"일": "1", "이": "2", "삼": "3", "사": "4", "오": "5"}
_HANGUL_NUMBER = re.compile("([일이삼사오])(?=가|동)")


def closest(name: str, known: Iterable[str], *, labels: bool = False) -> str | None:
    """The known name nearest to ``name``, if one is near enough to suggest;
    with ``labels``, ``known`` is a mapping whose Korean names (of fields,
    dongs) are suggested too, where staff may write either ("생활 정보")."""
    names = list(known)
    if labels:
        names += [label for label in known.values() if isinstance(label, str)]
        if (in_digits := _HANGUL_NUMBER.sub(lambda found: _HANGUL_DIGITS[found[1]], str(name))) in names:
            return in_digits  # 성수일가1동: 성수1가1동, not one of four 성수 dongs alike
        if _tied(str(name), names):
            return None  # "성수동": 성수1가1동 or 옥수동 alike; the message lists them all
    matches = difflib.get_close_matches(str(name), names, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {k.lower(): k for k in names}
    return lowered.get(str(name).lower()) or typed_in_hangul(str(name), names)


def typed_in_hangul(name: str, names: Iterable[str]) -> str | None:
    """The one of ``names`` that ``name`` is when it was typed with the
    keyboard left in Hangul (샤싣 for title, --ㅑㄴ녀ㄷ for --issue), or None."""
    if not keyboard.has_hangul(name):
        return None
    lowered = {str(known).lower(): known for known in names}
    matches = difflib.get_close_matches(keyboard.latin_keys(name).lower(), list(lowered), n=1, cutoff=0.8)
    return lowered[matches[0]] if matches else None


def _tied(name: str, names: list) -> bool:
    """Whether two of ``names`` are the nearest to ``name``, equally near."""
    scores = sorted((difflib.SequenceMatcher(None, name, other).ratio() for other in names), reverse=True)
    return len(scores) > 1 and scores[0] >= 0.6 and scores[0] == scores[1]


def did_you_mean(name: str, known: Iterable[str], *, labels: bool = False) -> str:
    """A ' did you mean "x"?' tail, or '' when nothing is close (``labels``: see :func:`closest`);
    a name typed with the keyboard left in Hangul is told to press 한/영."""
    near = closest(name, known, labels=labels)
    if near and keyboard.has_hangul(str(name)) and not keyboard.has_hangul(str(near)):
        return hangul_slip(near)
    return suggested(near)


def hangul_slip(name: str) -> str:
    """The ' did you mean "name"?' tail for a name typed with the keyboard left in Hangul."""
    return _('; did you mean "{suggestion}"? (the keyboard was typing Hangul: press the 한/영 key and write it again)'
             ).format(suggestion=name)


def suggested(name: str | None) -> str:
    """The ' did you mean "name"?' tail, or '' without a name."""
    return _('; did you mean "{suggestion}"?').format(suggestion=name) if name else ""


@dataclass(frozen=True)
class Logged:
    """An ERROR record logged inside :func:`collect_logged_errors`, with the
    exception it carried, named among its arguments (Pelican's "Cannot load
    plugin `%s`\\n%s") or was logged while handling (Pelican's records carry
    none unless its DEBUG is set), or None."""

    record: logging.LogRecord
    exception: BaseException | None

    @property
    def message(self) -> str:
        """The record's message on one line, with what its exception said when the message leaves it out."""
        message, carried = self.record.getMessage(), self.record.exc_info and self.record.exc_info[1]
        if carried and str(carried) not in message:
            message = f"{message}: {carried}"
        return " ".join(message.split())


class _ErrorCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.logged: list[Logged] = []

    def emit(self, record):
        exception = record.exc_info[1] if record.exc_info else None
        named = [arg for arg in record.args if isinstance(arg, BaseException)] if isinstance(record.args, tuple) else []
        self.logged.append(Logged(record, exception or (named[0] if named else None) or sys.exc_info()[1]))


def every_line_logged() -> None:
    """Let Sotong's loggers say each line every time. Once imported, Pelican
    makes every new logger drop a warning or info said before, word for word,
    for the rest of the process (``pelican.log.LimitFilter``): right for one
    build's repeated warnings, wrong for a collector that runs for weeks
    (its "the store could not be read" said once, then never again) and
    for a send that waits twice. Loggers made from now on are plain ones;
    those made since Pelican's import lose the filter; Pelican's and
    Markdown's own keep it. Called once the plugins are loaded."""
    from pelican.log import LimitFilter

    logging.setLoggerClass(logging.Logger)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and not name.startswith(("pelican", "MARKDOWN")):
            for limit in [f for f in logger.filters if isinstance(f, LimitFilter)]:
                logger.removeFilter(limit)


def _said_as_a_problem(record: logging.LogRecord) -> bool:
    return record.levelno < logging.ERROR


@contextmanager
def collect_logged_errors():
    """Collect the ERROR records logged (by Pelican or plugins) inside the
    block, as :class:`Logged`; the caller says each as a problem, so the
    handlers already there (the terminal's) do not print them too (in
    English, before the problem's own line)."""
    collector = _ErrorCollector()
    root = logging.getLogger()
    quieted = list(root.handlers)
    for handler in quieted:
        handler.addFilter(_said_as_a_problem)
    root.addHandler(collector)
    try:
        yield collector.logged
    finally:
        root.removeHandler(collector)
        for handler in quieted:
            handler.removeFilter(_said_as_a_problem)


# The C library's words for the errno values staff can meet (a file, a
# folder, a disk, a port, a server), marked for the catalog: staff who read
# Korean read them in Korean; in English they are what os.strerror says.
_OS_REASONS = {
    errno.ENOENT: N_("No such file or directory"), errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"), errno.ENOSPC: N_("No space left on device"),
    errno.EDQUOT: N_("Disk quota exceeded"), errno.EROFS: N_("Read-only file system"),
    errno.EISDIR: N_("Is a directory"), errno.ENOTDIR: N_("Not a directory"), errno.EEXIST: N_("File exists"),
    errno.EIO: N_("Input/output error"), errno.EFBIG: N_("File too large"),
    errno.ENAMETOOLONG: N_("File name too long"), errno.EMFILE: N_("Too many open files"),
    errno.ENOTEMPTY: N_("Directory not empty"), errno.EBUSY: N_("Device or resource busy"),
    errno.ELOOP: N_("Too many levels of symbolic links"), errno.EADDRINUSE: N_("Address already in use"),
    errno.EADDRNOTAVAIL: N_("Cannot assign requested address"), errno.ECONNREFUSED: N_("Connection refused"),
    errno.ETIMEDOUT: N_("Connection timed out"), errno.EHOSTUNREACH: N_("No route to host"),
    errno.ENETUNREACH: N_("Network is unreachable"), errno.ECONNRESET: N_("Connection reset by peer"),
}
# why a host name (SMTP_HOST, an IMAP host) gave no address: socket.gaierror's codes, getaddrinfo's words
_NAME_REASONS = {socket.EAI_NONAME: N_("Name or service not known"),
                 socket.EAI_AGAIN: N_("Temporary failure in name resolution")}


# why a server's certificate was not trusted: OpenSSL's verify codes (X509_V_ERR_...), in the staff's words
_CERTIFICATE_REASONS = {18: N_("a self-signed certificate"), 19: N_("a self-signed certificate"),
                        2: N_("signed by an authority this machine does not know"),
                        20: N_("signed by an authority this machine does not know"),
                        21: N_("signed by an authority this machine does not know"),
                        10: N_("the certificate has expired"), 9: N_("the certificate is not valid yet"),
                        62: N_("the certificate is made for another name"),
                        64: N_("the certificate is made for another name")}


def os_reason(exc: BaseException) -> str:
    """Why an OSError happened, in the staff's language: the C library's
    words for its errno (os.strerror's, or getaddrinfo's for a host name,
    in English); else its own text. A TLS error's errno is OpenSSL's, not
    the C library's (a certificate not trusted was said "Operation not
    permitted"): its own words."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        words = _CERTIFICATE_REASONS.get(exc.verify_code)
        return _(words) if words else _("the certificate is not trusted: {reason}").format(reason=exc.verify_message)
    if isinstance(exc, ssl.SSLError):
        return _("the encrypted connection (TLS) could not be set up: {reason}").format(reason=exc.reason or exc)
    reason = (_NAME_REASONS if isinstance(exc, socket.gaierror) else _OS_REASONS).get(getattr(exc, "errno", None))
    if reason is not None:
        return _(reason)
    return getattr(exc, "strerror", None) or str(exc)


def cannot_read(exc: OSError) -> str:
    """The problem of a file of the project that cannot be read (a folder
    where the file should be, a file this user may not read): its reason."""
    return _("cannot read the file: {strerror}").format(strerror=os_reason(exc))


# errno values that only the machine gives (a read-only or full disk, a quota,
# a size limit, a folder this user may not write), never a mistake of Sotong's,
# with what to do about each: a read-only mount has room enough, a full disk no
# permission to change
_FILE_SYSTEM_TROUBLE = {
    errno.EROFS: N_("{file}: {reason}; the disk it is on is mounted read-only: have it mounted for writing (or point the setting at a folder on a disk that is), and run the command again"),
    errno.ENOSPC: N_("{file}: {reason}; make room on its disk, and run the command again"),
    errno.EDQUOT: N_("{file}: {reason}; make room on its disk, and run the command again"),
    errno.EFBIG: N_("{file}: {reason}; make room on its disk, or make its folder writable for this user, and run the command again"),
    errno.EACCES: N_("{file}: {reason}; make its folder writable for this user, and run the command again"),
    errno.EPERM: N_("{file}: {reason}; make its folder writable for this user, and run the command again"),
    errno.ENAMETOOLONG: N_("{file}: {reason}; a file's name may be at most 255 bytes (85 Korean letters) and its path "
                           "4,096: write a shorter one"),
}


def file_system_trouble(exc: Exception) -> SotongError | None:
    """An OSError of the machine's (see _FILE_SYSTEM_TROUBLE) as one line naming its file; else None."""
    said = _FILE_SYSTEM_TROUBLE.get(exc.errno) if isinstance(exc, OSError) else None
    if said is None:
        return None
    file = shortened(str(exc.filename)) if exc.filename else _("a file Sotong writes")
    return SotongError([_(said).format(file=file, reason=os_reason(exc))])


def raised(exc: BaseException) -> str:
    """What ``exc`` said, after its kind: ``ZeroDivisionError: division by zero``."""
    return f"{type(exc).__name__}: {exc}"


def shortened(reason: str) -> str:
    """What an exception said, cut to a length a person reads in one line."""
    return reason if len(reason) <= _REASON_CHARACTERS else reason[:_REASON_CHARACTERS - 1] + "…"


def traceback_frames(exc: BaseException) -> list:
    """The traceback of ``exc``, outermost first."""
    frames, tb = [], exc.__traceback__
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    return frames


# What a plugin's failure stopped: a build (sotong build, the devserver's),
# sotong check, or the loading of the plugins, which every command does first
_PLUGIN_FAILED = {
    "build": N_("the plugin {plugin} failed here, so the build stopped and output/ is left as it was ({reason}); "
                "show this line to whoever looks after the plugin, or take it out of PLUGINS in the settings "
                "until it is mended, and build again"),
    "check": N_("the plugin {plugin} failed here, so the check stopped ({reason}); show this line to whoever "
                "looks after the plugin, or take it out of PLUGINS in the settings until it is mended, and "
                "check again"),
    "load": N_("the plugin {plugin} failed here as it was loaded, so the command stopped before doing anything "
               "({reason}); show this line to whoever looks after the plugin, or take it out of PLUGINS in the "
               "settings until it is mended, and run the command again"),
}


def plugin_of(filename: str, settings: dict) -> str | None:
    """The plugin whose Python file ``filename`` is (its module or package in PLUGIN_PATHS), or None."""
    filename = os.path.abspath(filename)
    for folder in (os.path.abspath(folder) for folder in settings.get("PLUGIN_PATHS", [])):
        if filename.startswith(folder + os.sep) and filename.endswith(".py"):
            return os.path.relpath(filename, folder).split(os.sep)[0].removesuffix(".py")
    return None


def plugin_problem(exc: BaseException, settings: dict, shown, *, stage: str = "build") -> Problem | None:
    """What a plugin raised, at the innermost line of the plugin's own code in
    the traceback, naming the plugin (its module in PLUGIN_PATHS) and keeping
    what the exception said (shortened); None if no frame of the traceback is
    a plugin's. ``stage``: what it stopped (a key of _PLUGIN_FAILED)."""
    for tb in reversed(traceback_frames(exc)):
        plugin = plugin_of(tb.tb_frame.f_code.co_filename, settings)
        if plugin is not None:
            return Problem(shown(tb.tb_frame.f_code.co_filename), tb.tb_lineno, _(_PLUGIN_FAILED[stage]).format(
                plugin=plugin, reason=shortened(raised(exc))))
    return None


def logged_plugin_problem(logged: Logged, settings: dict, shown) -> Problem | None:
    """A plugin's failure in a build that was logged rather than raised: at
    the plugin's line in the traceback of the exception logged (Pelican's
    "Cannot register plugin", "Could not process FILE"), else at the
    plugin's own line that logged it; None when no plugin's code is named."""
    if logged.exception is not None and (problem := plugin_problem(logged.exception, settings, shown)):
        return problem
    plugin = plugin_of(logged.record.pathname, settings)
    if plugin is None:
        return None
    return Problem(shown(logged.record.pathname), logged.record.lineno, _(
        "the plugin {plugin} logged an error here, so the build stopped and output/ is left as it was ({reason}); "
        "show this line to whoever looks after the plugin, or take it out of PLUGINS in the settings until it is "
        "mended, and build again").format(plugin=plugin, reason=shortened(logged.message)))


@contextmanager
def plugin_failure_said(settings: dict, shown, *, stage: str = "build"):
    """What a plugin raises inside is the line of :func:`plugin_problem` (it
    was a traceback); anything else goes on as raised."""
    try:
        yield
    except SotongError:
        raise
    except Exception as exc:
        problem = plugin_problem(exc, settings, shown, stage=stage)
        if problem is None:
            raise
        raise SotongError([problem]) from exc
