"""The bounce mailbox, read by ``sotong bounces`` (SPEC §14): a Maildir
(``BOUNCE_MAILDIR``) or an IMAP mailbox (``BOUNCE_IMAP_HOST``, ``_PORT``,
``_USER``, password in ``SOTONG_BOUNCE_PASSWORD``; TLS except on the local
machine). Both give the inbox's mails as bytes (whole only when their
header may be ours: the rest stays in the inbox for good and would be read
whole on every run) and move the ones handled to a folder
(``BOUNCE_FOLDER``); a mail not handed to :meth:`move` stays where it is. The handled mails (delivery records, with their readers' addresses)
are deleted from that folder a year after they arrived (``purge_handled``,
the privacy page's year); nothing else is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import mailbox
import os
import re
import ssl
import contextlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from sotong.store import SEOUL
from sotong.i18n import _
from sotong.mail import HEADER_END
from sotong.mail_server import is_local
from sotong.problems import SotongError

PASSWORD_ENV = "SOTONG_BOUNCE_PASSWORD"
FETCH_BATCH = 200
HEADER_READ = 64 * 1024  # a Maildir mail's first bytes, its header almost always
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # IMAP's, whatever the locale


@dataclass(frozen=True)
class Mail:
    handle: str  # the file name in a Maildir, the UID in IMAP
    data: bytes


class MaildirBox:
    """A Maildir's inbox (new/ and cur/); handled mail goes to the Maildir++
    folder ``.FOLDER`` (created when missing), under its own file name."""

    def __init__(self, root: Path, folder: str):
        self.root = root
        self.folder = folder
        self.target: Path | None = None
        self.total = 0  # mails in the inbox when it was opened, for the progress bar

    def __enter__(self):
        if not (self.root / "cur").is_dir() or not (self.root / "new").is_dir():
            raise SotongError([_("{root}: not a Maildir (it has no cur/ and new/); set BOUNCE_MAILDIR to the bounce mailbox's folder").format(
                root=self.root)])
        self.total = sum(1 for sub in ("new", "cur") for entry in os.scandir(self.root / sub)
                         if not entry.name.startswith(".") and entry.is_file())  # a folder there is no mail
        return self

    def __exit__(self, *exc):
        return False

    def mails(self, ours: Callable[[bytes], bool]) -> Iterator[Mail]:
        """The inbox's mails (see :func:`_header_or_whole`)."""
        for sub in ("new", "cur"):
            with os.scandir(self.root / sub) as entries:
                names = sorted(entry.name for entry in entries if not entry.name.startswith(".") and entry.is_file())
            for name in names:
                try:
                    data = _header_or_whole(self.root / sub / name, ours)
                except FileNotFoundError:  # taken meanwhile by a mail client
                    continue
                yield Mail(f"{sub}/{name}", data)

    def move(self, handles: list[str]) -> None:
        if not handles:
            return
        if self.target is None:
            mailbox.Maildir(str(self.root), create=False).add_folder(self.folder)  # .FOLDER/{tmp,new,cur}
            folder = self.root / f".{self.folder}"
            for sub in ("tmp", "new", "cur"):  # which add_folder leaves out when .FOLDER is there (a run stopped)
                (folder / sub).mkdir(mode=0o700, exist_ok=True)
            self.target = folder / "cur"
        for handle in handles:
            sub, name = handle.split("/", 1)
            if sub == "new" and ":2," not in name:
                name += ":2,S"
            try:
                os.replace(self.root / handle, self.target / name)
            except FileNotFoundError:  # a mail client (Dovecot on the same Maildir) took it to cur/ meanwhile:
                continue  # the next run reads it there, counted before, and moves it

    def purge_handled(self, before: dt.date) -> int:
        """Deletes the handled mails that arrived (the file's time, which a
        move keeps) before ``before`` in Seoul; how many."""
        limit = dt.datetime.combine(before, dt.time(), SEOUL).timestamp()
        removed = 0
        for sub in ("new", "cur"):
            folder = self.root / f".{self.folder}" / sub
            if not folder.is_dir():
                continue
            with os.scandir(folder) as entries:
                old = [entry.path for entry in entries if entry.is_file() and entry.stat().st_mtime < limit]
            for path in old:
                with contextlib.suppress(FileNotFoundError):  # a mail client took it meanwhile
                    os.remove(path)
                    removed += 1
        return removed


class ImapBox:
    """The INBOX of an IMAP account; handled mail is moved with UID MOVE (or
    COPY, then deleting exactly those UIDs with UIDPLUS's UID EXPUNGE)."""

    def __init__(self, host: str, port: int, user: str, password: str, folder: str, timeout: float = 60):
        self.host, self.port, self.user, self.password = host, port, user, password
        self.folder = folder
        self.timeout = timeout
        self.imap: imaplib.IMAP4 | None = None
        self.capabilities: set[str] = set()
        self.total = 0  # mails in the inbox when it was opened, for the progress bar

    def __enter__(self):
        try:
            if is_local(self.host):
                self.imap = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
            else:
                self.imap = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=ssl.create_default_context(),
                                              timeout=self.timeout)
            self.imap.login(self.user, self.password)
            # The capabilities before login may lack MOVE and UIDPLUS; ask again.
            self.capabilities = set(self._ok(self.imap.capability(), "CAPABILITY")[0].decode().upper().split())
            self.total = int(self._ok(self.imap.select("INBOX"), "SELECT INBOX")[0] or 0)
        except ssl.SSLError as exc:
            raise SotongError([self._tls_trouble(exc)]) from None
        except (OSError, imaplib.IMAP4.error) as exc:
            raise SotongError([_("cannot read the bounce mailbox {user}@{host}:{port} ({exc}); check BOUNCE_IMAP_HOST, BOUNCE_IMAP_PORT, BOUNCE_IMAP_USER and {password_env}").format(
                user=self.user, host=self.host, port=self.port, exc=exc, password_env=PASSWORD_ENV)]) from None
        return self

    def _tls_trouble(self, exc: ssl.SSLError) -> str:
        """What went wrong in TLS, said as what to change: a certificate not
        trusted, or a port that answers without TLS (IMAP's 143, not IMAPS's 993)."""
        if isinstance(exc, ssl.SSLCertVerificationError):
            return _("the bounce mailbox {user}@{host}:{port} shows a certificate this machine does not trust ({exc}); ask the mail administrator for the certificate of the authority that signed it and set the environment variable SSL_CERT_FILE to it, or set BOUNCE_IMAP_HOST to the name the certificate is issued for").format(
                user=self.user, host=self.host, port=self.port, exc=exc.verify_message or exc.reason)
        return _("the bounce mailbox {user}@{host}:{port} does not answer in TLS ({exc}); set BOUNCE_IMAP_PORT to the server's IMAPS port, usually 993 (143 is IMAP without TLS)").format(
            user=self.user, host=self.host, port=self.port, exc=exc.reason or exc)

    def __exit__(self, *exc):
        if self.imap is not None:
            try:
                self.imap.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
        return False

    @staticmethod
    def _ok(answer, what: str):
        status, data = answer
        if status != "OK":
            raise imaplib.IMAP4.error(f"{what}: {status} {data!r}")
        return data

    @contextmanager
    def _talking(self):
        """The server's trouble once logged in (a dropped connection, a
        folder the account may not create, a full quota): one line, no traceback."""
        try:
            yield
        except (OSError, imaplib.IMAP4.error) as exc:
            raise SotongError([_("the bounce mailbox {user}@{host}:{port} stopped answering or refused ({exc}); the bounces recorded so far stay recorded and a new run counts none twice: check that the account may create and fill the folder {folder}, then run sotong bounces again").format(
                user=self.user, host=self.host, port=self.port, exc=exc, folder=self.folder)]) from None

    def mails(self, ours: Callable[[bytes], bool]) -> Iterator[Mail]:
        """The inbox's mails, a batch at a time: the header of each first,
        then the whole mail of those whose header ``ours`` may be ours; of
        the others the header alone. Residents' replies, spam and the like
        stay in the inbox for good, and were downloaded whole on every run."""
        with self._talking():
            uids = self._ok(self.imap.uid("SEARCH", None, "ALL"), "UID SEARCH")[0].split()
            for start in range(0, len(uids), FETCH_BATCH):
                headers = self._fetched(b",".join(uids[start:start + FETCH_BATCH]).decode(), "BODY.PEEK[HEADER]")
                wanted = [uid for uid, header in headers.items() if ours(header)]
                whole = self._fetched(",".join(wanted), "BODY.PEEK[]") if wanted else {}
                for uid, header in headers.items():
                    yield Mail(uid, whole.get(uid, header))

    def _fetched(self, uids: str, item: str) -> dict[str, bytes]:
        """UID -> the ``item`` of each of the mails ``uids`` (a UID set), in the server's order."""
        found = {}
        for part in self._ok(self.imap.uid("FETCH", uids, f"(UID {item})"), "UID FETCH"):
            if isinstance(part, tuple) and (uid := re.search(rb"UID (\d+)", part[0])):
                found[uid.group(1).decode()] = part[1]
        return found

    def move(self, handles: list[str]) -> None:
        if not handles:
            return
        imap, uids = self.imap, ",".join(handles)
        with self._talking():
            imap.create(_quoted(self.folder))  # NO when it exists already
            if "MOVE" in self.capabilities:
                self._ok(imap.uid("MOVE", uids, _quoted(self.folder)), "UID MOVE")
                return
            if "UIDPLUS" in self.capabilities:
                self._ok(imap.uid("COPY", uids, _quoted(self.folder)), "UID COPY")
                self._ok(imap.uid("STORE", uids, "+FLAGS.SILENT", r"(\Deleted)"), "UID STORE")
                self._ok(imap.uid("EXPUNGE", uids), "UID EXPUNGE")
                return
            raise SotongError([_("the IMAP server {host} can neither MOVE nor UID EXPUNGE, so handled bounces cannot be moved without touching other mail; use BOUNCE_MAILDIR instead").format(
                host=self.host)])

    def purge_handled(self, before: dt.date) -> int:
        """Deletes the mails of the handled folder that arrived (their
        INTERNALDATE, which a move keeps) before ``before``; how many. Only
        that folder is touched: the inbox is selected again afterwards."""
        imap = self.imap
        with self._talking():
            if imap.select(_quoted(self.folder))[0] != "OK":
                return 0  # no bounce handled yet
            day = f"{before.day}-{MONTHS[before.month - 1]}-{before.year}"
            uids = self._ok(imap.uid("SEARCH", None, "BEFORE", day), "UID SEARCH BEFORE")[0].split()
            if uids:
                joined = b",".join(uids).decode()
                self._ok(imap.uid("STORE", joined, "+FLAGS.SILENT", r"(\Deleted)"), "UID STORE")
                self._ok(imap.uid("EXPUNGE", joined) if "UIDPLUS" in self.capabilities else imap.expunge(), "EXPUNGE")
            self._ok(imap.select("INBOX"), "SELECT INBOX")
        return len(uids)


def _header_or_whole(path: Path, ours: Callable[[bytes], bool]) -> bytes:
    """The mail in ``path``: whole when its header (read first) may be ours
    (``ours``), else its header alone."""
    with open(path, "rb") as file:
        start = file.read(HEADER_READ)
        end = HEADER_END.search(start)
        if end is not None and not ours(start[:end.end()]):
            return start[:end.end()]
        return start + file.read()


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
