"""Email assembly shared by every feature that writes mail: RFC 5322
multipart/alternative messages written straight to bytes, CSS inlining, and
the blocks that plugins add to a reader's message.

Building an ``email.message`` per reader and serializing it costs
milliseconds, which is minutes for the whole district, so the MIME bytes are
written here directly: headers folded and RFC 2047-encoded, bodies in base64.
The tests parse the result back with the ``email`` package.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email.utils import encode_rfc2231, format_datetime, parseaddr
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email

from . import signals, tokens
from .links import ascii_url, collector_url
from .markup import unbreakable_numbers

CRLF = b"\r\n"
# The blank line that ends a mail's header (CRLF as sent, LF as a Maildir file may hold it): a mail's
# header read with a regex, not the email parser, which costs more than the SMTP exchange of a message.
HEADER_END = re.compile(rb"\r?\n\r?\n")
LINE_LIMIT = 76  # RFC 2047: a line holding encoded-words stays within 76 characters
_ENCODED_WORD_OVERHEAD = len("=?utf-8?b??=")
_NEEDS_QUOTING = re.compile(r'[()<>\[\]:;@\\,."]')
_BODY_TAG = re.compile(r"<body[^>]*>")


# --- headers -------------------------------------------------------------------


def _encoded_words(text: str, first_room: int) -> list[str]:
    """``text`` as RFC 2047 B-encoded words, split between whole characters,
    the first fitting in ``first_room`` characters and the others in a line."""
    def encoded_length(size: int) -> int:
        return 4 * -(-size // 3)

    words, chunk, room = [], b"", first_room
    for char in text:
        data = char.encode()
        if chunk and encoded_length(len(chunk) + len(data)) > room - _ENCODED_WORD_OVERHEAD:
            words.append(chunk)
            chunk, room = b"", LINE_LIMIT - 1
        chunk += data
    words.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words]


def _fold_ascii(name: str, value: str) -> str:
    """Fold an ASCII value at spaces so that lines stay near 78 characters."""
    lines, line = [], f"{name}:"
    for word in value.split(" "):
        if len(line) + 1 + len(word) > 78 and line != f"{name}:":
            lines.append(line)
            line = ""
        line += " " + word
    lines.append(line)
    return "\r\n".join(lines)


def _one_line(value: str) -> str:
    """The value on one line, trimmed: a line break in a value would start a
    header of its own, and a leading space would be lost in parsing."""
    return " ".join(value.splitlines()).strip()


def header(name: str, value: str) -> bytes:
    """One header line, CRLF-terminated: folded, Korean as encoded-words."""
    value = _one_line(value)
    if value.isascii() and "=?" not in value:
        return _fold_ascii(name, value).encode() + CRLF
    words = _encoded_words(value, LINE_LIMIT - len(name) - 2)
    return (f"{name}: " + "\r\n ".join(words)).encode() + CRLF


def display_name(name: str, first_room: int = LINE_LIMIT - 1) -> str:
    """A display name as a header phrase: encoded-words, or quoted when needed."""
    name = _one_line(name)
    phrase = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"' if _NEEDS_QUOTING.search(name) else name
    # text that reads as an encoded-word is encoded; so is a name longer than its line (a company's full
    # name, a cell pasted twice): encoded-words fold, where a line of it would pass RFC 5322's 998
    if not name.isascii() or "=?" in name or len(phrase) > first_room:
        return "\r\n ".join(_encoded_words(name, first_room))
    return phrase


def ascii_address(address: str) -> str:
    """The form of ``address`` every mail server takes, for the envelope and
    the headers: a domain outside ASCII in IDNA (hong@성동구청.kr as
    hong@xn--2e0bw5j1qmcgl.kr) when the part before the @ is ASCII; else the
    address as it is, which only a server offering SMTPUTF8 (RFC 6531) takes."""
    if address.isascii():
        return address
    try:
        return validate_email(address, check_deliverability=False).ascii_email or address
    except EmailNotValidError:  # not an address email_validator stores: left for the server to judge
        return address


def address_header(name: str, display: str | None, address: str) -> bytes:
    """``From``/``To``: ``Display <address>``, folded between the two; the
    address in its ASCII form where it has one (:func:`ascii_address`)."""
    address = ascii_address(address)
    if not display:
        return f"{name}: {address}".encode() + CRLF
    return f"{name}: {display_name(display, LINE_LIMIT - len(name) - 2)}\r\n <{address}>".encode() + CRLF


def mail_domain(mail_from: str) -> str:
    """The domain of the MAIL_FROM setting, for Message-IDs (and pictures'
    Content-IDs): in IDNA (xn--2e0bw5j1qmcgl.kr for 성동구청.kr), as an id
    may hold only ASCII."""
    return ascii_address(parseaddr(mail_from)[1]).rpartition("@")[2] or "localhost"


def message_id(bundle: str, subscriber_id: str, domain: str) -> str:
    """The same id each time the same bundle is made for the same reader;
    it starts with the bundle's name, in the letters a Message-ID may hold."""
    digest = hashlib.sha256(f"{bundle}\0{subscriber_id}".encode()).hexdigest()[:24]
    label = re.sub(r"[^A-Za-z0-9-]+", "-", bundle).strip("-") or "sotong"
    return f"<{label}.{digest}@{domain}>"


def unsubscribe_url(settings: dict, subscriber_id: str) -> str:
    return collector_url(settings, "u/" + tokens.unsubscribe_token(subscriber_id))


def list_unsubscribe_headers(settings: dict, subscriber_id: str, https_url: str) -> bytes:
    """RFC 2369 and RFC 8058 one-click unsubscribe headers; the mailto's
    address in IDNA where it has that form, as a header's URI is ASCII."""
    address = quote(ascii_address(settings["UNSUBSCRIBE_MAILTO"]), safe="@+")
    mailto = f"mailto:{address}?subject={quote('unsubscribe-' + subscriber_id, safe='')}"
    return (
        f"List-Unsubscribe: <{https_url}>,\r\n <{mailto}>\r\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    ).encode()


def date_header(when: dt.datetime) -> bytes:
    return f"Date: {format_datetime(when)}".encode() + CRLF


# --- bodies ----------------------------------------------------------------------


BASE64_LINE_BYTES = 57  # the bytes one 76-character line of base64 holds
# A link in running text: its ASCII, and Hangul (any letter outside ASCII) only where an address
# holds it, after a "/", "?", "=", "-" ... (https://ko.wikipedia.org/wiki/성동구, ?q=성동): Hangul right
# after a letter, a digit or a bracket is the sentence going on (https://www.gov.kr에서, (https://...)에서).
_TEXT_LINK = re.compile(r"https?://(?:[!-~]|(?<=[/?#=&_+(:~-])[^\x00-\x7f\s]|(?<=[^\x00-\x7f])[^\x00-\x7f\s])+")
_TRAILING_BLANKS = re.compile(r"[ \t]+$", re.MULTILINE)


def plain_text(text: str) -> str:
    """Text for a text/plain part: its links in ASCII (many mail programs end
    a link at its first Hangul), the words that follow a link as written
    (``https://www.gov.kr에서``), its phone numbers never split over two
    lines (:func:`sotong.markup.unbreakable_numbers`), and no line ending in
    blanks."""
    return unbreakable_numbers(_TRAILING_BLANKS.sub("", _TEXT_LINK.sub(lambda link: ascii_url(link.group()), text)))


def base64_body(data: bytes) -> bytes:
    """Base64 in 76-character CRLF lines, as RFC 2045 asks."""
    return base64.encodebytes(data).replace(b"\n", CRLF)


def base64_size(size: int) -> int:
    """How many bytes :func:`base64_body` makes of ``size`` bytes: a third
    more, and a CRLF after each line of 76 characters (of 57 bytes)."""
    return 4 * -(-size // 3) + 2 * -(-size // BASE64_LINE_BYTES)


def split_at_base64_line(data: bytes) -> tuple[bytes, bytes]:
    """``data`` cut after its last whole line of base64 (a multiple of 57
    bytes): the head's encoding can be made once and be followed by the
    encoding of the tail and any continuation (each reader's own part), with
    nothing added to the text."""
    cut = len(data) - len(data) % BASE64_LINE_BYTES
    return data[:cut], data[cut:]


def size_label(size: int) -> str:
    """A file's or a message's size as a reader reads it: "340KB", "1.2MB",
    "3MB" (rounded first, so never "1000KB" or "3.0MB")."""
    kilobytes = round(size / 1000)
    if kilobytes < 1000:
        return f"{max(1, kilobytes)}KB"
    return f"{size / 1000 / 1000:.1f}".removesuffix(".0") + "MB"


def size_labels_apart(size: int, limit: int) -> tuple[str, str]:
    """A size over ``limit`` and that limit, as ``size_label`` says them
    unless both would read the same ("10.2MB" against "10.2MB"): then both
    in KB, the size rounded up and the limit down, so that the size always
    reads as more than the limit ("10,240KB" against "10,200KB")."""
    size_said, limit_said = size_label(size), size_label(limit)
    if size_said != limit_said:
        return size_said, limit_said
    return f"{-(-size // 1000):,}KB", f"{limit // 1000:,}KB"


@dataclass(frozen=True)
class InlineImage:
    """A picture carried inside the message (multipart/related), which the
    HTML shows as ``cid:CONTENT_ID``: for mail whose pictures are on no site."""

    content_id: str  # ASCII, without the angle brackets
    media_type: str
    data_base64: bytes

    @classmethod
    def read(cls, path: Path, content_id: str) -> "InlineImage":
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return cls(content_id, media_type, base64_body(path.read_bytes()))

    def part(self) -> bytes:
        return (f"Content-Type: {self.media_type}\r\nContent-Transfer-Encoding: base64\r\n"
                f"Content-ID: <{self.content_id}>\r\nContent-Disposition: inline\r\n\r\n").encode() + self.data_base64


@dataclass(frozen=True)
class Attachment:
    """A file carried inside the message (multipart/mixed), for the reader to save."""

    name: str  # the file's name, as the reader sees it
    head: bytes  # the part's MIME headers, its file name written as every mail client reads it
    data_base64: bytes
    size: int  # bytes of the file

    @classmethod
    def read(cls, path: Path) -> "Attachment":
        return cls.of(path.name, path.read_bytes())

    @classmethod
    def of(cls, name: str, data: bytes, media_type: str | None = None) -> "Attachment":
        """``media_type``: with its parameters (a text's charset); by default guessed from ``name``."""
        media_type = media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        return cls(name, attachment_head(name, media_type), base64_body(data), len(data))

    def part(self) -> bytes:
        return self.head + self.data_base64


_PLAIN_FILE_NAME = re.compile(r"[A-Za-z0-9._-]{1,60}")


def attachment_head(name: str, media_type: str) -> bytes:
    """An attachment part's headers. A name beyond plain ASCII (Korean, say)
    goes twice: RFC 2231's ``filename*`` in Content-Disposition, and an RFC
    2047 word in Content-Type's ``name``, which Outlook reads."""
    if _PLAIN_FILE_NAME.fullmatch(name):
        type_name = disposition_name = f'"{name}"'
    else:
        type_name = '"=?utf-8?b?' + base64.b64encode(name.encode()).decode() + '?="'
        disposition_name = None
    disposition = (f"filename={disposition_name}" if disposition_name
                   else "filename*=" + encode_rfc2231(name, "utf-8"))
    return (f"Content-Type: {media_type}; name={type_name}\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment;\r\n {disposition}\r\n\r\n").encode()


def multipart_alternative(headers: bytes, text_base64: bytes, html_base64: bytes, boundary: str,
                          images: tuple[InlineImage, ...] = (), attachments: tuple[Attachment, ...] = ()) -> bytes:
    """A whole message: ``headers`` (CRLF-terminated lines, without MIME ones),
    then text/plain and text/html parts, both UTF-8, given in base64
    (:func:`base64_body`, possibly continuing a cached start); with
    ``images``, the two inside a multipart/related beside the pictures; with
    ``attachments``, all that first in a multipart/mixed, the files after.

    ``boundary`` must not occur in the bodies; base64 never holds ``=_``.
    """
    delimiter = f"--{boundary}".encode()
    part_head = b"Content-Transfer-Encoding: base64\r\nContent-Type: text/%s; charset=\"utf-8\"\r\n\r\n"
    alternative = b"".join((
        f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n\r\n'.encode(),
        delimiter, CRLF, part_head % b"plain", text_base64,
        delimiter, CRLF, part_head % b"html", html_base64,
        delimiter, b"--\r\n",
    ))
    if images:
        alternative = _enclosing('multipart/related; type="multipart/alternative"', f"{boundary}_r", alternative,
                                 [image.part() for image in images])
    if attachments:
        alternative = _enclosing("multipart/mixed", f"{boundary}_m", alternative,
                                 [attachment.part() for attachment in attachments])
    return b"".join((headers, b"MIME-Version: 1.0\r\n", alternative))


def _enclosing(media_type: str, boundary: str, first: bytes, parts: list[bytes]) -> bytes:
    """A multipart entity of ``media_type`` holding ``first`` (a whole part,
    headers and all), then ``parts``."""
    delimiter = f"--{boundary}".encode()
    return b"".join((
        f'Content-Type: {media_type};\r\n boundary="{boundary}"\r\n\r\n'.encode(),
        delimiter, CRLF, first,
        *(b"".join((delimiter, CRLF, part)) for part in parts),
        delimiter, b"--\r\n",
    ))


def boundary_for(message_id_value: str) -> str:
    return "=_sotong_" + hashlib.sha256(message_id_value.encode()).hexdigest()[:20]


# --- CSS ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def inline_css(html: str, css: str) -> str:
    """``html`` with ``css`` moved into style attributes (premailer), and
    its phone numbers unbreakable (a word joiner after each hyphen: the mail apps that
    ignore ``white-space``, :func:`sotong.markup.unbreakable_numbers`):
    what an email's HTML must carry in itself, as every mail app reads it.

    ``html`` is a whole document, whose <head> then keeps the rules that
    cannot be inlined (media queries), or a fragment of a body. Cached: every
    template and notice block is inlined once per run, not once per reader.
    A CSS width or height never becomes an attribute: an image's ``width:
    100%`` and ``height: auto`` (to fit a phone in proportion) would replace
    the pixel size the template gives it (its size before it loads, and
    Outlook's), as ``width: 100%`` would the 600 of the email's column.
    """
    from premailer import Premailer

    fragment = not html.lstrip()[:15].lower().startswith(("<!doctype", "<html"))
    document = f"<html><head></head><body>{html}</body></html>" if fragment else html
    inlined = Premailer(
        document, css_text=[css], disable_leftover_css=fragment, remove_classes=False,
        cssutils_logging_level="CRITICAL", allow_network=False, disable_validation=True,
        disable_basic_attributes=["width", "height"],
    ).transform(pretty_print=False)
    if not fragment:
        return unbreakable_numbers(inlined, html=True)
    return unbreakable_numbers(inlined[_BODY_TAG.search(inlined).end():inlined.rindex("</body>")], html=True)


# --- blocks that plugins add ------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """Something a plugin adds to one reader's email (a banner, a survey
    invitation): inline-styled HTML, its plain-text twin, and the manifest
    keys it sets (e.g. ``{"banner": "gov24-certificates"}``)."""

    html: str
    text: str
    manifest: dict = field(default_factory=dict)


BlockMaker = Callable[[object, list], Iterable[Block]]


@dataclass
class MessageContext:
    """One bundle as plugins see it when ``signals.message_blocks`` is sent.

    ``issue`` is the issue date, or None for a one-off bundle of one notice;
    ``day`` the day the messages are for (rules such as banner windows use it);
    ``content`` the project's :class:`sotong.content.Content`, whose parts
    (surveys, banners) the receivers read; ``trial`` is true when the
    messages are only to be looked at (a preview, a staff member's test
    copy), not sent to their readers: a receiver then records nothing of them
    (a survey's invitations).
    A receiver returns a callable ``(subscriber, notices) -> [Block, ...]``,
    or None when it has nothing to add to this bundle.
    """

    settings: dict
    audiences: object
    issue: dt.date | None
    day: dt.date
    notices: list
    css: str
    content: object = None
    trial: bool = False

    def inline(self, fragment: str) -> str:
        """``fragment`` with the email CSS inlined (once per distinct fragment)."""
        return inline_css(fragment, self.css)

    def block_makers(self) -> list[BlockMaker]:
        """Ask the plugins for their block makers for this bundle."""
        return [maker for _receiver, maker in signals.message_blocks.send(self) if maker is not None]

    def seal(self) -> Callable[[bytes], bytes]:
        """A function that puts the plugins' headers (a DKIM signature) on top
        of a finished message; the identity when no plugin signs."""
        signers = [signer for _receiver, signer in signals.message_signers.send(self) if signer is not None]
        if not signers:
            return lambda message: message

        def sealed(message: bytes) -> bytes:
            for signer in signers:
                message = signer(message) + message
            return message

        return sealed


def seal_for(settings: dict) -> Callable[[bytes], bytes]:
    """:meth:`MessageContext.seal` for a mail outside any bundle (a link to
    confirm, a note to a reader): the same plugins' headers (SPEC §14: with
    DKIM set, every email is signed)."""
    return MessageContext(settings, None, None, dt.date.today(), [], "").seal()


_SEAL_SAMPLE = b"From: size@example.org" + CRLF + CRLF


def seal_size(seal: Callable[[bytes], bytes]) -> int:
    """The bytes ``seal`` (:meth:`MessageContext.seal`) puts on an email as
    it is sent: what an outbox's email weighs at the mail server more than
    its file does. Measured once, on a message of one header: a signer's
    header is as long on every message (a DKIM signature's tags, hashes and
    signature are of fixed lengths for a key)."""
    return len(seal(_SEAL_SAMPLE)) - len(_SEAL_SAMPLE)
