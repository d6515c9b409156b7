"""Reading an outbox (SPEC §6): ``manifest.jsonl``, the ``email/ID.eml`` files
it names and ``sms.csv``, checked before anything is sent, each mistake as
``FILE:LINE: message``. The messages are read when first asked for: a
``sotong send`` that joins an outbox another one recorded from the same
manifest and sms.csv (their digest) reads none of them.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from email.utils import getaddresses
from pathlib import Path
from typing import NamedTuple

from sotong import spreadsheet
from sotong.atomic import replacing_text
from sotong.i18n import _
from sotong.mail import HEADER_END
from sotong.problems import Problem, SotongError
from sotong.settings import settings_flag
from sotong.store import READER_CHANNELS
from sotong.tokens import make_token, subscriber_from_unsubscribe_token

from .options import option_of

SMS_TYPES = ("SMS", "LMS")
EMAIL_TYPE = "EMAIL"


class OutboxMessage(NamedTuple):
    """One line of the manifest: one message to one subscriber on one channel
    (a named tuple: made for every line of a manifest, a frozen dataclass cost
    four times as much)."""

    subscriber_id: str
    channel: str
    notices: tuple
    file: str | None
    type: str  # EMAIL, SMS or LMS


@dataclass(frozen=True)
class Outbox:
    key: str  # the folder name: an issue date or a notice slug
    kind: str  # "issue" or "notice"
    path: Path
    messages: Sequence  # of OutboxMessage; read_outbox's are read when first asked for
    digest: str = ""  # of manifest.jsonl and sms.csv as read: the journal records an outbox once per digest


_TO = re.compile(rb"^To:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


def recipient_of(data: bytes) -> str | None:
    """The address in the message's To header (the envelope recipient).

    Read with a regex and ``getaddresses`` rather than the email parser,
    which costs more than the whole SMTP exchange of a message."""
    end = HEADER_END.search(data)
    match = _TO.search(data, 0, end.start() if end else len(data))
    if not match:
        return None
    # UTF-8: an address outside ASCII is written as it is (RFC 6532).
    unfolded = re.sub(rb"\r?\n[ \t]", b" ", match.group(1)).decode("utf-8", "replace")
    return first_address(unfolded)


# A To value that is a plain phrase (the bundles write an encoded word) and one plain <address>.
_PHRASE_AND_ADDRESS = re.compile(r'[^<>"(),:;@\\\[\]]*<([^<>\s"(),:;@\\\[\]]+@[^<>\s"(),:;@\\\[\]]+)>\s*')


def first_address(value: str) -> str | None:
    """The first address with an @ in a To header's (unfolded) value, as
    email.utils.getaddresses reads it; the usual ``name <address>`` read
    with one regular expression (getaddresses cost more than a message's
    SMTP commands)."""
    plain = _PHRASE_AND_ADDRESS.fullmatch(value)
    if plain:
        return plain.group(1)
    addresses = [address for _name, address in getaddresses([value]) if "@" in address]
    return addresses[0] if addresses else None


def outbox_folder(settings: dict, key: str) -> Path:
    return Path(settings["OUTBOX_PATH"]) / key


class ManifestMessages(Sequence):
    """The messages of an outbox's manifest, read and checked the first time
    they are asked for (SotongError listing every problem then)."""

    def __init__(self, read):
        self.read = read
        self.messages: tuple | None = None

    def _read(self) -> tuple:
        if self.messages is None:
            self.messages = self.read()
        return self.messages

    def __len__(self) -> int:
        return len(self._read())

    def __getitem__(self, index):
        return self._read()[index]

    def __iter__(self):
        return iter(self._read())


def read_outbox(settings: dict, key: str, kind: str, shown) -> Outbox:
    """The outbox ``OUTBOX_PATH/key`` (SotongError when there is none), its
    messages read and checked when first asked for (SotongError listing
    every problem)."""
    folder = outbox_folder(settings, key)
    option = option_of(kind)
    if not (folder / "manifest.jsonl").is_file():
        raise SotongError([_("{folder}: no outbox here (manifest.jsonl is missing); make it first with: sotong bundles {option} {key}{settings}").format(
            folder=shown(folder), option=option, key=key, settings=settings_flag(settings))])
    return Outbox(key=key, kind=kind, path=folder, digest=outbox_digest(folder),
                  messages=ManifestMessages(lambda: _manifest_messages(folder, key, (option, settings_flag(settings)), shown)))


# the first unsubscribe link of a List-Unsubscribe header: /u/ then a token (sotong.tokens.make_token's spelling)
_UNSUBSCRIBE_TOKEN = re.compile(rb"^List-Unsubscribe:[^\n]*?/u/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)>", re.IGNORECASE | re.MULTILINE)


def signed_with_another_key(outbox: Outbox, shown, settings: dict) -> str | None:
    """Why this command's SOTONG_SECRET (or SOTONG_PREVIOUS_SECRET) cannot
    be the outbox's key, or None: its first email's unsubscribe link names
    its reader but was signed with another. Bundled in a shell with one key
    and sent from a unit with another, the emails' links fail at a collector
    with the send's key, and their bounces' return paths (signed as sent)
    mean nobody to a collector with the bundle's. Reads the manifest's lines
    up to its first email, and that email's header."""
    try:
        with open(outbox.path / "manifest.jsonl", "rb") as manifest:
            message = next((line for line in map(json.loads, manifest) if line.get("channel") == "email"), {})
        head = HEADER_END.split((outbox.path / message["file"]).read_bytes(), 1)[0]
    except (ValueError, KeyError, TypeError, AttributeError, OSError):
        return None  # no email, or a manifest the send's own reading says is wrong
    found = _UNSUBSCRIBE_TOKEN.search(head)
    token = found.group(1).decode() if found else ""
    if not token or token.split(".")[0] != make_token("unsubscribe", str(message["id"])).split(".")[0] \
            or subscriber_from_unsubscribe_token(token) == message["id"]:
        return None  # not a link of Sotong's to this reader, or one this key signed
    return _("{file}: its unsubscribe link was signed with another SOTONG_SECRET than this command's, so the links of "
             "the outbox {key} work only with that key; set SOTONG_SECRET to the office's key (the collector's, e.g. "
             "in /etc/sotong/secrets) in both commands, make the outbox again with it (sotong bundles {option} "
             "{key}{settings}), then send").format(file=shown(outbox.path / message["file"]), key=outbox.key,
                                                   option=option_of(outbox.kind), settings=settings_flag(settings))


def _manifest_messages(folder: Path, key: str, again: tuple, shown) -> tuple:
    """The checked messages of an outbox's manifest.jsonl; SotongError listing every problem.
    ``again``: the option (``--issue``) and settings (``settings_flag``) that make it again."""
    option, flag = again
    manifest = folder / "manifest.jsonl"
    sms_types, problems = _sms_types(folder / "sms.csv", shown)
    messages, seen, files, end = [], {}, MessageFiles(folder), 1
    with manifest.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            end = number + 1
            if not raw.strip():
                continue
            try:
                message, problem = _manifest_line(raw.decode("utf-8"), files, sms_types)
            except UnicodeDecodeError:
                message, problem = None, _("this line is not UTF-8 text (was the file changed by hand?); make the outbox again with: sotong bundles {option} {key}{settings}").format(
                    option=option, key=key, settings=flag)
            if problem:
                problems.append(Problem(shown(manifest), number, problem))
                continue
            twin = seen.get((message.subscriber_id, message.channel))
            if twin:
                problems.append(Problem(shown(manifest), number, _('a second {channel} message for "{subscriber_id}" (first on line {twin}); make the outbox again with: sotong bundles {option} {key}{settings}').format(
                    channel=message.channel, subscriber_id=message.subscriber_id, twin=twin, option=option, key=key,
                    settings=flag)))
                continue
            seen[(message.subscriber_id, message.channel)] = number
            messages.append(message)
    if not problems and (short := _cut_short(messages, sms_types, files)):
        problems.append(Problem(shown(manifest), end, short + _("; copy the outbox whole, or make it again with: sotong bundles {option} {key}{settings}").format(
            option=option, key=key, settings=flag)))
    if problems:
        raise SotongError(problems)
    return tuple(messages)


def _cut_short(messages: list, sms_types: dict, files: "MessageFiles") -> str | None:
    """Why the manifest is less than its outbox, or None: readers of sms.csv,
    or files of email/, that no line names. The bundles write an outbox whole
    or not at all; one copied in part to a sending machine, its manifest cut
    at the end of a line, was sent as if whole (the readers after the cut
    never got theirs, and sms.csv went to the agency whole)."""
    emails = files.listings.get("email", {})
    texts = sum(message.channel == "sms" for message in messages)  # each names its own row and file (checked)
    if texts == len(sms_types) and len(messages) - texts >= len(emails):
        return None  # the usual answer, in a hundredth of the manifest's reading
    texted = {message.subscriber_id for message in messages if message.channel == "sms"}
    named = {message.file for message in messages if message.file}
    left = [f"sms.csv: {reader}" for reader in sms_types if reader not in texted]
    left += [f"email/{name}" for name in emails if f"email/{name}" not in named]
    if not left:
        return None
    return _("names {count:,} messages, but {more:,} more are in the outbox without a line here ({example}, ...): the "
             "manifest was cut short").format(count=len(messages), more=len(left), example=left[0])


def outbox_digest(folder: Path) -> str:
    """SHA-256 of the outbox's manifest.jsonl and sms.csv (when there is one)."""
    digest = hashlib.sha256()
    for name in ("manifest.jsonl", "sms.csv"):
        path = folder / name
        if path.is_file():
            digest.update(f"{name} {path.stat().st_size}\n".encode())
            with path.open("rb") as file:
                digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()


def _manifest_line(line: str, files: "MessageFiles", sms_types: dict) -> tuple[OutboxMessage | None, str | None]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, _("not a JSON object ({msg}); each line must look like ").format(msg=exc.msg) + (
            '{"id": "...", "channel": "email", "notices": [...], "banner": null, "file": "email/ID.eml"}')
    if not isinstance(data, dict):
        return None, _("each line must be one JSON object")
    subscriber_id, channel, notices, file = data.get("id"), data.get("channel"), data.get("notices"), data.get("file")
    if not isinstance(subscriber_id, str) or not subscriber_id:
        return None, _('"id" must be the subscriber id as text')
    if channel not in READER_CHANNELS:
        return None, _('"channel" must be "email" or "sms", not {channel!r}').format(channel=channel)
    if not isinstance(notices, list) or not notices or not all(map(isinstance, notices, repeat(str))):
        return None, _('"notices" must be a non-empty list of notice slugs')
    if channel == "email":
        if not isinstance(file, str) or not file:
            return None, _('"file" must name the message, e.g. "email/ID.eml"')
        if not files.holds(file):
            return None, _("the message file {file} is missing; make the outbox again with sotong bundles").format(
                file=file)
        return OutboxMessage(subscriber_id, channel, tuple(notices), file, EMAIL_TYPE), None
    message_type = sms_types.get(subscriber_id)
    if message_type is None:
        return None, _('sms.csv has no row for "{subscriber_id}"; make the outbox again with sotong bundles').format(
            subscriber_id=subscriber_id)
    return OutboxMessage(subscriber_id, channel, tuple(notices), None, message_type), None


class MessageFiles:
    """Which message files an outbox holds: a file inside the outbox folder,
    symbolic links followed. A folder's entries are listed once (a manifest
    names thousands of files of one folder, and resolving each path cost more
    than the rest of the reading); a path with ``..``, an absolute one or a
    symbolic link is resolved, as the plain reading does. A path written as
    its folder's was before (``email/ID.eml`` after ``email/ID2.eml``) is not
    normalized again: it is already."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.root = folder.resolve()
        self.listings: dict[str, dict[str, bool]] = {}  # folder under the outbox -> file name -> is a link
        self.plain: set[str] = set()  # the folders of listings met written in their normal form

    def holds(self, file: str) -> bool:
        parent, slash, name = file.rpartition("/")
        if not (slash and name not in ("", ".", "..") and parent in self.plain):
            if file.startswith("/") or ".." in file.split("/"):
                return self._resolved_inside(file)
            parent, name = posixpath.split(posixpath.normpath(file))
            if parent not in self.listings:
                self.listings[parent] = self._files_in(parent)
            if parent and file == f"{parent}/{name}":
                self.plain.add(parent)
        is_link = self.listings[parent].get(name)
        return is_link is False or (is_link is True and self._resolved_inside(file))

    def _resolved_inside(self, file: str) -> bool:
        path = (self.folder / file).resolve()
        return path.is_relative_to(self.root) and path.is_file()

    def _files_in(self, parent: str) -> dict[str, bool]:
        """Name -> is a symbolic link, for the files and links of a folder
        inside the outbox; nothing for a folder that leads outside it."""
        if not (self.folder / parent).resolve().is_relative_to(self.root):
            return {}
        try:
            with os.scandir(self.folder / parent) as entries:
                return {entry.name: entry.is_symlink() for entry in entries
                        if entry.is_symlink() or entry.is_file(follow_symlinks=False)}
        except OSError:  # not a folder, or not readable
            return {}


def sms_csv_text(path: Path, shown) -> tuple[str, str]:
    """The text of an outbox's ``sms.csv`` and the encoding to write it back
    in: UTF-8 (``utf-8-sig`` when it starts with a BOM) or CP949, as Excel
    saves it after an edit. SotongError naming the file when it is neither."""
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "cp949")
    for encoding in encodings:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise SotongError([Problem(shown(path), 1, _("not UTF-8 or CP949 text; make the outbox again with sotong bundles"))])


def has_sms(folder: Path, shown) -> bool:
    """Whether the outbox's sms.csv has a row below its header."""
    path = folder / "sms.csv"
    if not path.is_file():
        return False
    rows = csv.reader(io.StringIO(sms_csv_text(path, shown)[0], newline=""))
    return next(rows, None) is not None and next(rows, None) is not None


def handover_file(folder: Path, readers: set[str], when: str, shown) -> Path | None:
    """The rows of sms.csv whose reader is in ``readers`` (the SMS a run
    recorded as handed over), in the outbox's ``sms-handover-YYYYMMDD-HHMMSS.csv``
    (``when``: the run's start, ISO), in sms.csv's own columns and encoding;
    None, and no file, when they are all of its rows."""
    text, encoding = sms_csv_text(folder / "sms.csv", shown)
    kept, dropped = spreadsheet.without_records(text, lambda cells: spreadsheet.restored(cells[0]) not in readers)
    if not dropped:
        return None
    path = folder / f"sms-handover-{re.sub(r'[^0-9T]', '', when[:19]).replace('T', '-')}.csv"
    with replacing_text(path, encoding) as out:
        out.write(kept)
    return path


def sms_csv_rows(text: str, named: str) -> tuple[list[str], Iterator[tuple[int, dict]]]:
    """The header of sms.csv's ``text``, and its rows: (the line each starts
    on, column -> cell), empty lines left out. A cell past the csv module's
    limit is a SotongError naming the line its row starts on (``named``),
    raised here for the header, else as the rows are read."""
    rows = spreadsheet.numbered_rows(csv.reader(io.StringIO(text, newline="")), named)
    header = next(rows, (1, []))[1]
    return header, ((line, dict(zip(header, cells))) for line, cells in rows if cells)


def _sms_types(path: Path, shown) -> tuple[dict, list[Problem]]:
    """id -> SMS or LMS, from sms.csv (absent when the outbox has no SMS)."""
    if not path.is_file():
        return {}, []
    try:
        text = sms_csv_text(path, shown)[0]
    except SotongError as error:
        return {}, error.problems
    types, problems, named = {}, [], shown(path)
    try:
        header, rows = sms_csv_rows(text, named)
        if not {"id", "type"} <= set(header):
            return {}, [Problem(named, 1, _("the header must name the columns id, phone, type, bytes, text"))]
        for line, row in rows:
            if row.get("type") not in SMS_TYPES:
                problems.append(Problem(named, line, _("type must be SMS or LMS, not {type!r}").format(type=row.get("type"))))
            else:
                types[spreadsheet.restored(row.get("id", ""))] = row["type"]
    except SotongError as error:  # a cell past the csv module's limit
        problems.extend(error.problems)
    return types, problems
