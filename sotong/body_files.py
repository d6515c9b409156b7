"""Files the text of a notice or page shows or links (a picture, a PDF): each
must be a file under content/, written the way Pelican finds it,
``{static}/images/poster.jpg`` (the path from content/ after ``{static}``),
and each picture should say in words what it shows (``![포스터: 12월 20일
서울숲](...)``; a warning, :func:`wordless_pictures`): a notice that is only
a poster with ``![]`` showed a resident whose screen reader reads the page,
or whose phone does not load pictures, a title and nothing else (Pelican
said an English warning).

Without this a picture whose file is missing, or written as a plain path
(``images/poster.jpg``, which the page at ``notices/SLUG/`` looks for in its
own folder), passed ``check`` and showed residents a broken picture; Pelican
said only an English warning in the build's log. Links to web addresses
(``https:``, ``mailto:``, ``tel:``), to a part of the page (``#...``) and to
pages of the site (``../other-notice/``, ``{filename}other.md``) are not
files and are left alone; a web address written without ``https://``
(``www.gov.kr``) is told to have it.

A link to a file says what the file is and how big after its words
(:func:`described_file_links`: "신청서 (한글 파일, 120KB)"), as the private
notices' emails list their attachments (:func:`kind_and_size`).
"""

from __future__ import annotations

import os
import re
from html import unescape
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from .content_files import named_elsewhere, own_computer_file, stored_otherwise, stored_otherwise_message
from .i18n import N_, _
from .markup import in_code, text_lines
from .problems import Problem
from .scripted_files import script_problem

# the target of a picture or a link in Markdown, read as Markdown reads it: in
# <...>, or up to the bracket that closes it (brackets in pairs and blanks
# inside it too), less a "title"; a file name with blanks, as Windows names
# pictures (![포스터]({static}/images/김장 포스터.jpg)), shows its picture, and
# check said "{static}/images/김장" was missing. What no bracket closes is no
# link. Of a reference ([1]: target, then only a title: "[일시]: 12.12.(토) 14:00" is text), or of src= or href= in HTML (quoted when it
# holds blanks); each pattern starts with text to look for, so that a body
# is searched quickly
_TARGET = r"(?:<([^>]*)>|([^)\s]+))"
_MARKDOWN = re.compile(r"\]\(\s*(?:<([^>]*)>|((?:[^()\s]|[ \t]+(?=[^\s\"')])|\([^()\n]*\))++))"
                       r"(?=\s*(?:\"[^\"\n]*\"|'[^'\n]*')?\s*\))")
_REFERENCE = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*(?>" + _TARGET + r")(?=[ \t]*(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\))?[ \t]*$)", re.M)
_HTML = re.compile(r"<(img|a)\b[^>]*?\b(?:src|href)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
# {filename} links another notice: the notice cache does not see notices come
# and go, so sotong.check says when one is missing, on every check
# (a web address's scheme has two letters or more: C:\ and file:/// are a file on the writer's own computer)
_NOT_A_FILE = re.compile(r"(?!file:)[a-z][a-z0-9+.-]+:|#|//|\{(index|tag|category|author|filename)\}", re.I)
_MARKER = re.compile(r"\{(static|attach)\}")
# a web address written without https:// (www.gov.kr, seoul.go.kr/news): the browser looks for it as a file of the site
_WEB_ADDRESS = re.compile(r"www\d?\.[\w-]+\.|[\w-]+(?:\.[\w-]+)*\.(?:kr|com|net|org)(?:[/?#]|$)", re.I)
# an email address or a phone number linked without mailto: or tel: ([메일](hong@sd.go.kr), [전화](02-2286-5000)),
# which the page linked as a file of its own folder: the beginning to write, and what it is
_WITHOUT_SCHEME = {"email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
                   "phone": re.compile(r"\+?\d{2,4}(?:[ -]?\d{3,4}){1,2}|1\d{2}", re.ASCII)}
_SCHEME_LEFT_OUT = {"email": ("mailto:", N_("an email address")), "phone": ("tel:", N_("a phone number"))}
# a link whose path ends so (or has no ending) leads to a page of the site, not a file
PAGE_ADDRESS_SUFFIXES = ("", ".md", ".html", ".htm")
# an "&" that begins no character reference, which Markdown writes as &amp; in an address (a reference it keeps)
_BARE_AMPERSAND = re.compile(r"&(?!(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);)", re.I)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
# What a linked file is, said after its link's words (:func:`described_file_links`), by its ending
FILE_KINDS = {".pdf": "PDF", ".hwp": "한글 파일", ".hwpx": "한글 파일", ".doc": "워드 파일", ".docx": "워드 파일",
              ".xls": "엑셀 파일", ".xlsx": "엑셀 파일", ".ppt": "파워포인트 파일", ".pptx": "파워포인트 파일",
              ".odt": "ODF 문서", ".ods": "ODF 문서", ".odp": "ODF 문서", ".zip": "ZIP 압축 파일",
              ".txt": "텍스트 파일", ".csv": "CSV 파일", **dict.fromkeys((".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg"), "그림 파일")}
# The names of each kind that a link's words may already say it by ("신청서(HWP)", "한글파일 신청서",
# "안내문.pdf"): the kind as the page says it, its blanks optional, and its endings; in any case, not inside
# a longer word of Latin letters or digits ("hwpx2pdf" names none)
_KIND_NAMES = {kind: re.compile("|".join(
    r"(?<![a-z0-9])" + r"\s*".join(map(re.escape, name.split())) + r"(?![a-z0-9])"
    for name in (kind, *(ending[1:] for ending, named in FILE_KINDS.items() if named == kind))), re.I)
    for kind in set(FILE_KINDS.values())}
FILE_ABOUT_CLASS = "file-about"  # the span of a link that says its file's kind and size
# a link of sanitized HTML (its attributes in double quotes): its opening tag, its href, its words
_HTML_LINK = re.compile(r'(<a\b[^>]*?\shref="([^"]*)"[^>]*>)(.*?)(?=</a>)', re.S)


def _targets(body: str, first_line: int):
    """(target, a picture's words or None when it is no picture, offset in
    ``body``, line) of each file the body (starting on line ``first_line``)
    may show or link: those of its code aside (:func:`sotong.markup.in_code`), which
    the page shows as written, no picture nor link."""
    for target, words, offset in _written_targets(body):
        line = body.count("\n", 0, offset)
        if not in_code(text_lines(body, first_line)[line], offset - body.rfind("\n", 0, offset) - 1):
            yield target, words, offset, first_line + line


def _written_targets(body: str):
    """(target, a picture's words or None when it is no picture, offset in
    ``body``) of each file the body may show or link, code or not."""
    for found in _MARKDOWN.finditer(body):
        opening = body.rfind("[", 0, found.start())  # ![alt](target) is a picture
        picture = opening > 0 and body[opening - 1] == "!"
        yield _written(found), body[opening + 1:found.start()] if picture else None, found.start()
    for found in _REFERENCE.finditer(body) if "]:" in body else ():
        yield _written(found), None, found.start()
    for found in _HTML.finditer(body) if "<" in body else ():
        end = body.find(">", found.start())
        alt = _ALT.search(body, found.start(), end if end >= 0 else len(body))
        words = next((group for group in alt.groups() if group is not None), "") if alt else ""
        yield found.group(2) or found.group(3) or found.group(4) or "", words if found.group(1).lower() == "img" else None, found.start()


def _written(found: re.Match) -> str:
    """The target a link's ``found`` match holds: in ``<>`` (empty in ``![a](<>)``) or bare."""
    return found.group(1) if found.group(1) is not None else found.group(2)


def _problem(target: str, picture: bool, source: str, root: str, markdown: bool = True) -> str | None:
    """Why ``target`` (written in the file ``source``, in Markdown or in HTML
    when not ``markdown``) reaches no file of content/ (``root``, absolute)
    from the page, or None; the target is named as the page reads it
    (:func:`_as_linked`, its %20 decoded too)."""
    linked = _as_linked(target, markdown)
    if _NOT_A_FILE.match(linked):
        return None
    shown, marker = unquote(linked), _MARKER.match(linked)
    if own := own_computer_file(linked):
        return _('"{target}" is a file on this computer, not in the project; copy it into content/{folder}/ and write '
                 '{{static}}/{folder}/{name} in its place').format(target=shown, folder=own[0], name=own[1])
    if marker is None and (scheme := _SCHEME_LEFT_OUT.get(next(
            (kind for kind, written in _WITHOUT_SCHEME.items() if written.fullmatch(shown.strip())), ""))):
        return _('"{target}" is {what} written without its beginning, so the page looks for it as a file of the '
                 'site; write {scheme} before it: {scheme}{address}').format(
                     target=shown, what=_(scheme[1]), scheme=scheme[0], address=re.sub(r"\s", "", shown))
    if marker is None and _WEB_ADDRESS.match(linked):
        return _('"{target}" is a web address without its beginning, so the page looks for it as a file of the site; '
                 'write https:// before it: https://{target}').format(target=shown)
    address = re.split(r"[?#]", linked[marker.end():] if marker else linked)[0]
    if marker is None and not picture and os.path.splitext(unquote(address))[1].lower() == ".md":
        return _markdown_file_linked(shown, unquote(address), source, root)
    if marker is None and not picture and os.path.splitext(unquote(address))[1].lower() in PAGE_ADDRESS_SUFFIXES:
        return None  # a page of the site
    found = [_file_of(path, marker is not None, source, root) for path in _paths_looked_for(address, marker is not None)]
    under = [path for path in found if path.startswith(os.path.join(root, ""))]
    inside = next((path for path in under if os.path.isfile(path)), None)
    if inside is None and (stored := next(filter(None, (stored_otherwise(root, os.path.relpath(path, root))
                                                        for path in under)), None)):
        return stored_otherwise_message(shown, stored)
    if marker is not None and inside:
        return script_problem(inside, shown)  # published as it is: a page file or an SVG with a script would run
    if inside:
        return _('"{target}" is not found from the page, which looks for it in its own folder; write the path from '
                 'content/ after {{static}}: {{static}}/{path}').format(
                     target=shown, path=Path(os.path.relpath(inside, root)).as_posix())
    if elsewhere := named_elsewhere(Path(root), os.path.basename(unquote(address))):
        return _('"{target}" is not a file under content/: the file is content/{found}; write {{static}}/{found}').format(
            target=shown, found=elsewhere)
    if not picture:  # a form or a plan to download: its folder is content/files/, and it is no picture
        return _('"{target}" is not a file under content/; put the file in content/files/ and write {{static}}/files/{name} '
                 'in its place').format(target=shown, name=os.path.basename(unquote(address)))
    return _('"{target}" is not a file under content/; put the file there (e.g. in content/images/) and write its path '
             'from content/ after {{static}}, e.g. ![포스터]({{static}}/images/poster.jpg)').format(target=shown)


def _markdown_file_linked(shown: str, address: str, source: str, root: str) -> str:
    """What to say of a plain link to a notice's or page's Markdown file
    (``[김장 나눔](2026-11-05-kimjang-sharing.md)``): the site publishes no
    .md file, and the link led residents to a missing page; Pelican makes
    its page's address of it written after ``{filename}``, with the path
    from content/ (found from the linking file's folder, as the writer saw
    it; whether that file is there, check says with every ``{filename}``)."""
    base = root if address.startswith("/") else os.path.dirname(os.path.abspath(source))
    path = os.path.normpath(os.path.join(base, address.lstrip("/")))
    inside = path.startswith(os.path.join(root, ""))
    return _('"{target}" links the Markdown file of a notice or page, which the site does not publish, so the link '
             'leads nowhere; write {{filename}} before its path from content/: {{filename}}/{path}').format(
                 target=shown, path=Path(os.path.relpath(path, root)).as_posix() if inside else "notices/" + os.path.basename(path))


def _as_linked(target: str, markdown: bool) -> str:
    """``target`` as the page links it, as the browser (and Pelican) read
    its HTML: Markdown keeps a character reference (``&#32;``, ``&amp;``)
    in the address it writes, escaping only an ``&`` that begins none, and
    the browser reads each as its character; ``김장&#32;포스터.jpg`` names
    the file "김장 포스터.jpg"."""
    return unescape(_BARE_AMPERSAND.sub("&amp;", target) if markdown else target) if "&" in target else target


def _paths_looked_for(address: str, pelican: bool) -> list[str]:
    """The paths a link's ``address`` (as :func:`_as_linked` reads it, no
    query or fragment) is looked for as, in order: a plain link's, the path
    the browser asks the server for (its %20 a blank); a ``{static}``
    link's, as Pelican looks for it in the page's HTML (sotong.markup's,
    which writes only an ``&``, a ``"`` and a no-break space of an address
    as references): as it is, then with its %20 decoded, which Pelican does
    only where no reference is written, then with its references read."""
    if not pelican:
        return [unquote(address)]
    return [address] if any(char in address for char in '&"\xa0') else list(dict.fromkeys((address, unquote(address))))


def _file_of(path: str, pelican: bool, source: str, root: str) -> str:
    """The file (absolute) a link's ``path`` names: a ``{static}`` link's
    from content/ (after a /) or from the folder of ``source``; a plain
    link's, as the page's own folder is not the file's, from content/."""
    base = root if path.startswith("/") or not pelican else os.path.dirname(os.path.abspath(source))
    return os.path.normpath(os.path.join(base, path.lstrip("/") if pelican else re.sub(r"^(\.\./|/)+", "", path)))


def _no_file(words: str | None, markdown: bool) -> str | None:
    """What to say of a picture written with no file (``![포스터](<>)``,
    ``<img src="">``), which the page shows as a broken picture; None for a
    link (an empty one leads to the page itself)."""
    if words is None:
        return None
    example = f"![{words.strip() or '포스터'}]({{static}}/images/poster.jpg)" if markdown else \
        f'<img src="{{static}}/images/poster.jpg" alt="{words.strip() or "포스터"}">'
    return _("the picture names no file, so the page shows it broken; write the path of its file under content/ "
             "after {{static}}, e.g. {example}").format(example=example)


def wordless_pictures(body: str, first_line: int) -> list[tuple[int, str]]:
    """(line, warning) for each picture of the Markdown ``body`` (starting on
    line ``first_line``) that says in no words what it shows, in the order
    written. A warning, not a problem: ``<img alt="">`` is how HTML marks a
    picture that only decorates."""
    found: dict[tuple[int, str], int] = {}  # a linked picture is named twice: said once
    for target, words, offset, line in _targets(body, first_line):
        if words is not None and not words.strip() and target.strip():
            found.setdefault((line, _wordless(target.strip(), body[offset] == "]")), offset)
    return sorted(found, key=found.get)


def _wordless(target: str, markdown: bool) -> str:
    if markdown:
        return _("warning: the picture {target} says in no words what it shows, so those who cannot see it read nothing; "
                 "write it between [ and ], e.g. ![겨울 축제 포스터: 12월 20일 서울숲 광장]({target})").format(target=target)
    return _('warning: the picture {target} says in no words what it shows, so those who cannot see it read nothing; '
             'write it as alt="...", e.g. <img src="{target}" alt="겨울 축제 포스터: 12월 20일 서울숲 광장">').format(target=target)


class StaticFiles(NamedTuple):
    """The files of content/ a text shows and links with ``{static}`` (or
    ``{attach}``), each as (line, target as written, its file), in the order
    written: its pictures, and the files its links lead to
    (``[신청서]({static}/files/신청서.hwp)``)."""

    pictures: list[tuple[int, str, str]]
    links: list[tuple[int, str, str]]


def static_files(body: str, first_line: int, source: Path | str, root: Path | str) -> StaticFiles:
    """The pictures and linked files of the Markdown ``body`` (starting on
    line ``first_line`` of the file ``source``) found under ``root``
    (content/), the text read once for both."""
    found, root = ({}, {}), os.path.abspath(root)
    for target, words, offset, line in _targets(body, first_line):
        linked = _as_linked(target.strip(), body[offset] != "<")
        if file := static_file(linked, source, root):
            found[words is None].setdefault((line, unquote(linked), file), offset)
    pictures, links = (sorted(kind, key=kind.get) for kind in found)
    return StaticFiles(pictures, links)


def static_file(linked: str, source: Path | str, root: str) -> str | None:
    """The file under ``root`` (content/, absolute) that the address
    ``linked`` (as the page links it: its references read) names with
    ``{static}`` or ``{attach}`` from the text of the file ``source``, as
    Pelican finds it; None for another address, or no such file."""
    if not (marker := _MARKER.match(linked)):
        return None
    address = re.split(r"[?#]", linked[marker.end():])[0]
    files = [_file_of(path, True, str(source), root) for path in _paths_looked_for(address, True)]
    return next((path for path in files if path.startswith(os.path.join(root, "")) and os.path.isfile(path)), None)


def file_kind(name: str | os.PathLike) -> str | None:
    """What the file ``name`` is, in a resident's words ("한글 파일", "PDF"),
    by its ending; None for one of no kind of :data:`FILE_KINDS`."""
    return FILE_KINDS.get(os.path.splitext(name)[1].lower())


def kind_and_size(name: str | os.PathLike, size: int, words: str = "") -> str:
    """What the file ``name`` of ``size`` bytes is and how big, as a resident
    reads it after a link's words or a file's name: "한글 파일, 120KB",
    "PDF, 1.2MB" (sotong.mail.size_label); its size alone when its kind is
    none of :data:`FILE_KINDS`, or when the ``words`` it follows name it
    already (:data:`_KIND_NAMES`: "신청서(HWP)" reads "신청서(HWP) (120KB)")."""
    from .mail import size_label

    kind = file_kind(name)
    return ", ".join(filter(None, (None if kind and _KIND_NAMES[kind].search(words) else kind, size_label(size))))


def described_file_links(html: str, source: str | os.PathLike, root: str | os.PathLike) -> str:
    """The sanitized ``html`` of the text of the file ``source`` with each
    link to a file of content/ (``root``) written with ``{static}`` or
    ``{attach}`` saying, after its words and inside the link, the file's
    kind and size: ``신청서<span class="file-about"> (한글 파일, 120KB)</span>``.
    Inside, it is part of the link's accessible name, which a screen
    reader's list of the page's links reads (words after the link are not
    in that list); the size alone after words that name the kind already
    (``신청서(HWP)``). Links to other sites and to pages are left alone, and
    so is a link already described. The size is the file's now."""
    if "{static}" not in html and "{attach}" not in html:
        return html
    root = os.path.abspath(root)

    def described(link: re.Match) -> str:
        file = None if FILE_ABOUT_CLASS in link[3] else static_file(unescape(link[2]), source, root)
        if file is None or file_kind(file) is None:
            return link[0]
        words = unescape(re.sub(r"<[^>]*>", "", link[3]))
        return link[0] + f'<span class="{FILE_ABOUT_CLASS}"> ({kind_and_size(file, os.path.getsize(file), words)})</span>'
    return _HTML_LINK.sub(described, html)


def missing_files(body: str, first_line: int, source: Path, root: Path | str, shown: str) -> list[Problem]:
    """A problem for each picture or file the Markdown ``body`` (starting on
    line ``first_line`` of the file ``source``) shows or links that is not
    a file under ``root`` (content/) reached as written, in the order written."""
    found: dict[Problem, int] = {}  # a linked picture names its file twice: said once
    root = os.path.abspath(root)
    for target, words, offset, line in _targets(body, first_line):
        message = (_problem(target.strip(), words is not None, str(source), root, body[offset] != "<")
                   if target.strip() else _no_file(words, body[offset] == "]"))
        if message:
            found.setdefault(Problem(shown, line, message), offset)
    return sorted(found, key=found.get)
