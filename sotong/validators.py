"""Small validators of one value of a content file, shared by every kind of
file that has the key (notices, and the plugins' YAML files), as GOV.UK's
notifications-utils validates an email address or a phone number.

Each takes the value and ``problem(key, message)``, reports every mistake
through it with what to write instead, and returns the value to keep (None
when there is none to keep).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from .audiences import resolve_key, unknown_department
from .content_files import file_under
from .i18n import _
from .images import image_size
from .problems import Problem
from .scripted_files import script_problem
from .yamlsrc import Located

# What XML 1.0 cannot hold (so no feed could carry it; a page shows it as
# nothing or "�", and an email may be refused), and DEL and the C1 controls
# (U+007F-U+009F: an HTML parse error, shown as nothing or a box; text
# decoded with the wrong code page brings them, and a terminal showing a
# title may obey U+009B). YAML takes none written as such, but writes them
# for escapes in double quotes ("\0", "\b", "\e", "\x9b").
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# The bidirectional embeddings, overrides and isolates (U+202A-U+202E,
# U+2066-U+2069), invisible: one left open shows what follows it backwards,
# past the file's own words (the date and department after a notice's title
# in a list, the site's name in the browser tab, the link after an X post's
# text). The collector takes none from residents either (sotong.invisible.UNSTORABLE).
# And the right-to-left marks (U+200F, and U+061C, the Arabic letter mark):
# they open nothing, but numbers and the spaces and dots between them take
# their direction, so "\u200f11. 20.(금)" shows as "20 .11.(금)" and "5 000원"
# as "000 5원"; the left-to-right mark (U+200E) changes nothing in Korean text.
DIRECTION_CONTROL = re.compile("[\u061c\u200f\u202a-\u202e\u2066-\u2069]")
# A numeric character reference (&#8238;, &#x202E;, and without its ";" in
# raw HTML), which Markdown passes on and the sanitizer writes out as the
# character itself: a way round both rules above that no text needs.
CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")

# What every browser shows as a picture; a raster file must tell its size in
# its header, as a picture of its kind does (a renamed .hwp, .pdf or iPhone
# HEIC file does not).
WEB_PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
# What ends a file's path in its address, or starts a percent code there:
# pages, emails and feeds link pictures by their path as written.
URL_BREAKING = "#?%"


def composed(text: str) -> str:
    """``text`` with its Hangul composed (NFC): Korean typed on a Mac or copied
    from its file names comes as jamo (한 as three), which would count three
    times against a limit and go so into every page, feed and email (a notice's title
    and summary, a banner's title)."""
    return unicodedata.normalize("NFC", text)


def breaks_line(text: str) -> bool:
    """Whether ``text`` goes on past a line break of any kind, as
    str.splitlines sees them: a newline, and also a carriage return ("\\r"
    in double quotes) or U+2028, which passed a title's one-line rule, then
    broke a line of an email's text (a bare CR, which mail servers may refuse)."""
    return len(text.strip().splitlines()) > 1


def department(value, departments, problem) -> str | None:
    """A department of audiences.yaml, by its name (or a Korean label)."""
    resolved = resolve_key(value, departments)
    if resolved is None:
        problem("department", unknown_department(value, departments))
    return resolved


def whole_number(value, key: str, low: int, high: int, problem, *, example: str) -> int | None:
    """``value`` when it is a whole number (not true or false) from ``low`` to
    ``high``; else None, and ``problem(message)`` names ``key``, the range and
    ``example`` (a line to write instead). The range is what the rules can
    mean, so that no number reaches the store or a page that it cannot hold
    (a database's integer column, a browser's number)."""
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    problem(_("{key} must be a whole number from {low} to {high}, e.g. {example}").format(
        key=key, low=low, high=high, example=example))
    return None


def image_with_alt(image, image_alt, content_root: Path, problem, *, alt_example: str) -> tuple[str | None, str | None]:
    """A picture (a path to a file inside content/) and its description for
    people who cannot see it, which it needs; a description without a picture
    is a mistake. ``alt_example`` is a description to suggest."""
    if image is None:
        if image_alt is not None:
            problem("image_alt", _("image_alt without image; add image: images/FILE or remove image_alt"))
        return None, None
    image, refused = file_under(content_root, image)
    if refused:
        problem("image", f"image {refused}")
    elif any(char in image for char in URL_BREAKING):
        problem("image", _('image "{image}": its address would end at # or ? (or read % as a code), so the picture would not show; rename the file without them, e.g. images/poster-1.png').format(
            image=image))
    elif not is_web_picture(content_root / image):
        problem("image", _('image "{image}" is not a picture web pages show (PNG, JPEG, GIF, WebP or SVG); save it as one, e.g. as images/poster.jpg, and write that path').format(
            image=image))
    elif scripted := script_problem(content_root / image, image):
        problem("image", scripted)
    alt = _text(image_alt)
    if not alt:
        problem("image_alt" if image_alt is not None else "image",
                _("image_alt is required with image; describe the picture for people who cannot see it, e.g. image_alt: {example}").format(
                    example=alt_example))
        return image, None
    return image, alt


def control_character_problems(doc: Located, shown: str) -> list[Problem]:
    """A problem for each value of a YAML file (or front matter) that holds
    a control character (:data:`CONTROL_CHARACTER`) or a direction control, at its line."""
    problems = []
    for path, text in texts_in(doc.data):
        if found := CONTROL_CHARACTER.search(text):
            problems.append(Problem(shown, doc.line(*path), _("the value holds the control character U+{code:04X}, which web pages and feeds cannot carry; in double quotes a backslash writes one (\\0, \\a, \\b, \\e): put the value in single quotes, or delete the backslash").format(
                code=ord(found.group()))))
        elif found := DIRECTION_CONTROL.search(text):
            problems.append(Problem(shown, doc.line(*path), _direction_message(found)))
        elif "&#" in text and (referenced := _referenced_problem(text)):
            problems.append(Problem(shown, doc.line(*path), referenced))
    return problems


def text_control_problems(source, shown: str) -> list[Problem]:
    """A problem for each front matter value and each line of the text of a
    Markdown file (a notice, a page: ``source`` has ``front``, ``body`` and
    ``body_line``) that holds a control character or a direction control."""
    problems = control_character_problems(source.front, shown)
    for number, line in enumerate(source.body.split("\n"), start=source.body_line):
        if found := CONTROL_CHARACTER.search(line):
            problems.append(Problem(shown, number, _("the text holds an invisible control character (U+{code:04X}), which web pages and feeds cannot carry; delete it (copying from another program often brings one along)").format(
                code=ord(found.group()))))
        elif found := DIRECTION_CONTROL.search(line):
            problems.append(Problem(shown, number, _direction_message(found)))
        elif "&#" in line and (referenced := _referenced_problem(line)):
            problems.append(Problem(shown, number, referenced))
    return problems


def _direction_message(found: re.Match) -> str:
    return _("the text holds an invisible direction control character (U+{code:04X}), which shows the text after it backwards on web pages and in emails, beside other words too (a notice's date and department); delete it (copying from another program often brings one along)").format(
        code=ord(found.group()))


def _referenced_problem(text: str) -> str | None:
    """The message of the first character reference in ``text`` to a control
    character or a direction control (``&#x202E;``), which pages, feeds and
    emails would carry as the character itself; None when there is none."""
    for reference in CHARACTER_REFERENCE.finditer(text):
        code = int(reference[1], 16) if reference[1] else int(reference[2])
        if code > 0x10FFFF:
            continue
        if CONTROL_CHARACTER.match(chr(code)):
            return _("the text writes {reference}, the code of the control character U+{code:04X}, which web pages and feeds cannot carry; delete it").format(
                reference=reference[0], code=code)
        if DIRECTION_CONTROL.match(chr(code)):
            return _("the text writes {reference}, the code of an invisible direction control character (U+{code:04X}), which shows the text after it backwards on web pages and in emails, beside other words too (a notice's date and department); delete it").format(
                reference=reference[0], code=code)
    return None


def texts_in(value, path: tuple = ()):
    """(key path, text) of every piece of text in a YAML document's data, its
    keys too (a key of audiences.yaml is in the sign-up form, a page's address)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield path + (key,), key
            yield from texts_in(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts_in(item, path + (index,))


def is_web_picture(path: Path) -> bool:
    """Whether browsers show the file as a picture: by its suffix, and for a
    raster format by its header."""
    suffix = path.suffix.lower()
    return suffix in WEB_PICTURE_SUFFIXES and (suffix == ".svg" or image_size(path) is not None)


def _text(value) -> str:
    """A YAML value as one piece of text (a number as its digits), stripped; '' for anything else."""
    if isinstance(value, (str, int, float, dt.date)) and not isinstance(value, bool):
        return str(value).strip()
    return ""


# How deep a Markdown text may nest: quotes in quotes and list items in list
# items, brackets ("[", a link's "(") open at once in a paragraph, HTML
# elements in elements. Deeper, the build's time grows with the square of the
# depth (each open bracket is read to the paragraph's end; 5,000 took 30 s,
# 50,000 hours), its memory too (a list 800 deep took 1 GB and 17 s, 10,000
# more than 2 GB and minutes), or it stopped past Python's stack with
# "Could not process", in English. No page needs it: ten levels of a list
# are already a word a line on a phone.
MAX_NESTING = 10
MAX_HTML_NESTING = 50  # a web page's HTML pasted in nests its elements deeper
_QUOTE_MARK = re.compile(r" {0,3}>")
_LIST_ITEM = re.compile(r"(?:[-*+]|\d+[.)])(?:\s|$)")
_CLOSED = (0, 0, 0)  # no "[", "<" or link "(" open
_BRACKET = re.compile(r"\\.|\]\(|<[A-Za-z/!?]|[][()>]")
# An HTML tag; the elements that need no closing tag (void ones, and those a
# browser closes by itself: <p>, <li>, <td>...) open nothing that stays open
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*?(/?)>")
_UNCLOSED_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta source track wbr p li dt dd tr td th thead tbody tfoot option "
    "optgroup colgroup caption rt rp".split())


def nesting_problem(text: str, first_line: int, shown: str) -> Problem | None:
    """The first line of Markdown ``text`` (which starts at line
    ``first_line`` of ``shown``) that nests deeper than MAX_NESTING
    (MAX_HTML_NESTING for HTML elements), as a problem; None when none does."""
    brackets, elements = _CLOSED, 0
    for number, line in enumerate(text.split("\n"), start=first_line):
        if not line or line.isspace():
            brackets = _CLOSED  # a paragraph ends: Markdown reads the brackets in one at a time
            continue
        # (only a line starting with a space, a tab or ">" stands deeper than one list)
        if line[0] in " \t>" and (depth := _block_depth(line)) > MAX_NESTING:
            return Problem(shown, number, _("quotes (>) or list items are nested {depth} levels deep here, past {limit}, which takes the build minutes to read and is a word a line on a phone; use at most {limit} levels").format(
                depth=depth, limit=MAX_NESTING))
        if "[" in line or "<" in line or brackets != _CLOSED:
            brackets, deepest = _open_brackets(line, brackets)
            if deepest > MAX_NESTING:
                return Problem(shown, number, _('more than {limit} brackets ("[", "<" or a link\'s "(") are open at once here, which takes the build minutes to read; close each one ("[" with "]", "<" with ">", a link\'s "(" with ")"), or write \\[ or &lt; for one shown as it is').format(
                    limit=MAX_NESTING))
        if "<" in line:
            elements, deepest = open_elements(line, elements)
            if deepest > MAX_HTML_NESTING:
                return Problem(shown, number, _("more than {limit} HTML elements are open inside one another here, which takes the build minutes to read; close each one (</div>) or write the text in Markdown").format(
                    limit=MAX_HTML_NESTING))
    return None


def _block_depth(line: str) -> int:
    """How many quotes and lists ``line`` stands in: its ">" marks, and for
    a list item the levels of its indent (four spaces or a tab a level)."""
    depth = position = 0
    while found := _QUOTE_MARK.match(line, position):
        depth, position = depth + 1, found.end()
    rest = line[position:].expandtabs(4)
    item = rest.lstrip(" ")
    return depth + ((len(rest) - len(item)) // 4 + 1 if _LIST_ITEM.match(item) else 0)


def _open_brackets(line: str, before: tuple[int, int, int]) -> tuple[tuple[int, int, int], int]:
    """How many "[", "<" (before a letter: a tag or an address to Markdown)
    and link parentheses (from "](") are open after ``line``, given those
    open ``before`` it, and the most of one kind open at once in it; a
    closing one with nothing open closes nothing."""
    brackets, angles, links = before
    deepest = 0
    for found in _BRACKET.finditer(line):
        sign = found.group()
        if sign == "[":
            brackets += 1
        elif sign == "]" and brackets:
            brackets -= 1
        elif sign[0] == "<":
            angles += 1
        elif sign == ">" and angles:
            angles -= 1
        elif sign == "](":
            brackets, links = max(brackets - 1, 0), links + 1
        elif sign == "(" and links:
            links += 1
        elif sign == ")" and links:
            links -= 1
        deepest = max(deepest, brackets, angles, links)
    return (brackets, angles, links), deepest


def open_elements(html: str, elements: int = 0) -> tuple[int, int]:
    """The HTML elements open after ``html``, given those open before it,
    and the most open at once in it."""
    deepest = elements
    for closing, name, self_closing in _TAG.findall(html):
        if self_closing or name.lower() in _UNCLOSED_ELEMENTS:
            continue
        elements = elements + 1 if not closing else max(elements - 1, 0)
        deepest = max(deepest, elements)
    return elements, deepest
