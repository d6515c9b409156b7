"""HTML made from what staff write, safe to publish: Markdown rendered, then
sanitized with nh3 (the Ammonia sanitizer), so that raw HTML typed into a
notice, page or banner (``<script>``, ``on*`` attributes, ``javascript:``
links, iframes, forms, styles) reaches no page, feed or email.

What notices need stays: headings, paragraphs, lists, tables (with their
column alignment), images, links (http, https, mailto, tel, relative ones and
Pelican's ``{filename}``/``{static}`` links), emphasis, code, footnotes and
abbreviations of Markdown's ``extra``.

A text shown under a heading of its own (a notice or page on the site, a
notice in an email, a banner) has its headings moved under it
(:func:`headings_from`); on the site its tables are put in a box that
scrolls sideways on a phone (:func:`scrollable_tables`).

Phone numbers in the text (02-2286-5000, 010-1234-5678, 1588-1234) become
tap-to-call ``tel:`` links, except where they are already inside a link:
:func:`tel_links`, applied here to every Markdown text and by the emails to
their plain texts. In an email their hyphens become non-breaking ones
(:func:`unbreakable_numbers`: a word joiner after each hyphen), as most mail apps drop ``white-space: nowrap``.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
import unicodedata
from typing import Callable

import lxml.html
import nh3
from markdown import Markdown
import markupsafe
from markupsafe import Markup

from .links import ascii_url

MARKDOWN = {"extensions": ["markdown.extensions.extra", "markdown.extensions.sane_lists"], "output_format": "html5"}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_TABLE_CELL = {"style"}  # only text-align survives (filter_style_properties)
ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "*": {"id", "class", "title", "lang"},
    "img": nh3.ALLOWED_ATTRIBUTES["img"] | {"title", "loading"},
    "th": nh3.ALLOWED_ATTRIBUTES["th"] | _TABLE_CELL,
    "td": nh3.ALLOWED_ATTRIBUTES["td"] | _TABLE_CELL,
}


def sanitized(html: str, headings_from_level: int | None = None) -> Markup:
    """``html`` with everything but the allowed tags, attributes and link
    schemes removed, marked safe for Jinja's autoescaping. Idempotent. With
    ``headings_from_level``, its headings start at that level (see
    :func:`headings_from`): a notice's or page's text under the page's h1."""
    clean = Markup(blanks_in_addresses_escaped(nh3.clean(
        str(html or ""), tags=nh3.ALLOWED_TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None,
        filter_style_properties={"text-align"})))
    return clean if headings_from_level is None else headings_from(clean, headings_from_level)


# an address holding a blank, in sanitized HTML (its attributes in double quotes): a file named as Windows
# names it ({static}/images/한파 쉼터 포스터.jpg), which Pelican's link writes as it is
_SPACED_ADDRESS = re.compile(r'(?<=\s)(href|src)="([^"]* [^"]*)"')


def blanks_in_addresses_escaped(html: str) -> str:
    """``html`` with each blank of a link's or picture's address written as
    %20, which browsers read as the blank: a blank there is not allowed in
    an address (the HTML checker refuses the page), and some mail programs
    and feed readers end the address at it."""
    return _SPACED_ADDRESS.sub(lambda found: f'{found[1]}="{found[2].replace(" ", "%20")}"', html)


def markdown_html(text: str, converter: Markdown | None = None) -> Markup:
    """Markdown ``text`` as sanitized HTML, phone numbers linked; ``converter``
    (reset here) saves building a Markdown instance for each text."""
    converter = converter or Markdown(**MARKDOWN)
    converter.reset()
    return Markup(tel_links(sanitized(converter.convert(text))))


# A tag as Markdown reads one in a line of text (markdown.inlinepatterns.HTML_RE): its name and the rest.
_WRITTEN_TAG = re.compile(r"<([a-zA-Z][^<>@ ]*)( [^<>]*)?>")
# The elements of HTML a text may hold as markup: those the sanitizer keeps, and those it leaves out with
# their tags alone (pasted from a web page or a word processor), whose words stay.
HTML_ELEMENTS = frozenset(nh3.ALLOWED_TAGS) | {
    "address", "audio", "base", "basefont", "big", "blink", "body", "button", "canvas", "dialog", "embed", "fieldset",
    "font", "form", "frame", "frameset", "head", "html", "iframe", "input", "label", "legend", "link", "main", "marquee",
    "math", "menu", "meta", "meter", "nobr", "noscript", "object", "optgroup", "option", "output", "param", "picture",
    "progress", "script", "section", "select", "slot", "source", "style", "svg", "template", "textarea", "title",
    "track", "video", "xml"}


def tags_of_no_element(line: str) -> list[str]:
    """The ``<...>`` of a line of Markdown that it reads as tags of no HTML
    element (``<NEW>``, ``<www.sd.go.kr>``, ``<Seongdong Festival>``: words
    and addresses as Korean documents bracket them), in the order written:
    the sanitizer leaves each out, and its words with it. Code spans, links
    written ``<https://...>`` and a word processor's ``<o:p>`` aside."""
    line = without_code_spans(line)
    return [found[0] for found in _WRITTEN_TAG.finditer(line)
            if ":" not in found[1] and found[1].rstrip("/").lower() not in HTML_ELEMENTS]


# What Markdown shows as written, not read as links, pictures, tables or tags: a line starting so after an empty
# line (code, unless it is an item's own text, under one), and code in a line, `like this`
CODE_INDENT = ("\t", "    ")
CODE_SPAN = re.compile(r"(`+).*?\1")
# the start of a line as Markdown starts an item of a list (- * + and 1.)
MARKDOWN_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,9}\.)\s+\S")


def without_code_spans(line: str) -> str:
    """A line of Markdown without its code spans (`` `[여기](...)` ``), shown as written."""
    return CODE_SPAN.sub("", line) if "`" in line else line


# a line that opens or closes fenced code: ``` (no ` after it: ```x``` is a code span) or ~~~
_FENCE = re.compile(r"\s*(`{3,}(?=[^`]*$)|~{3,}).*")


def _fences(texts: list[str]) -> set[int]:
    """The indexes of the lines that open or close fenced code, as Markdown
    reads them: a fence (``` or ~~~, three or more) is closed by the same
    fence alone on its line (a ``` inside ~~~ is code), and a last one left
    open fences nothing."""
    found, opened = set(), None
    for index, line in enumerate(texts):
        if (fence := _FENCE.fullmatch(line)) is None:
            continue
        if opened is None:
            opened = index, fence[1]
        elif line.strip() == opened[1]:
            found.update((opened[0], index))
            opened = None
    return found


@functools.lru_cache(maxsize=4)
def text_lines(body: str, first_line: int) -> tuple[tuple[int, str, str], ...]:
    """(line number, line, code) for each line of the Markdown ``body``, its
    first ``first_line``: ``code`` is "fenced" for code fenced with ``` or
    ~~~ (its fences too; a last one left open fences nothing, shown as
    written), "indented" for a line of a block indented as code
    (:data:`CODE_INDENT` after an empty line, not under a list's item), else
    "". Read once for the checks of a text, which each walk its lines."""
    texts = body.split("\n")
    fences = _fences(texts) if "```" in body or "~~~" in body else set()
    lines, fenced, indented, above, last_text = [], False, False, "", ""
    for index, line in enumerate(texts):
        fence = index in fences
        fenced ^= fence
        if line.strip():
            if fenced or fence or not line.startswith(CODE_INDENT):
                indented = False
            elif not above.strip() and not (MARKDOWN_ITEM.match(last_text) or last_text.startswith(CODE_INDENT)):
                indented = True  # a block of code starts (not a paragraph's next line, nor an item's text)
            last_text = line
        above = line
        code = "fenced" if fenced or fence else "indented" if indented and line.strip() else ""
        lines.append((first_line + index, line, code))
    return tuple(lines)


def in_code(line: tuple[int, str, str], column: int) -> bool:
    """Whether the ``column`` of ``line`` (as :func:`text_lines`
    gives it) is code: a line of a code block, or in a code span (`` `![](x.png)` ``)."""
    _number, text, code = line
    return bool(code) or ("`" in text and any(span.start() <= column < span.end() for span in CODE_SPAN.finditer(text)))


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def headings_from(html: Markup, top: int) -> Markup:
    """Sanitized ``html`` with its headings moved down to start at h``top``
    (# and ## both become it, ### the level below, up to h6), none more
    than one level below the heading before it (#### straight after ##
    becomes the level below): for a text shown under headings of its own,
    as a notice on its page or inside an email, whose outline a screen
    reader's list of headings shows without a second h1 or a missing level."""
    level = top - 1  # the level of the heading before; a closing tag keeps its opening's

    def moved(match: re.Match) -> str:
        nonlocal level
        if not match[1]:
            level = min(6, level + 1, max(top, int(match[2]) + top - 2))
        return f"<{match[1]}h{level}"

    return Markup(_HEADING_TAG.sub(moved, str(html)))


_TABLE = re.compile(r"(<table\b.*?</table>)", re.S)


def scrollable_tables(html: Markup) -> Markup:
    """Sanitized ``html`` with each table inside a box that scrolls sideways
    (``table-scroll``, reached and scrolled by keyboard too): a table of many
    columns on a phone kept the page's width only by breaking its words and
    phone numbers a letter a line, and at 200% text widened the page all the same."""
    number = itertools.count(1)
    return Markup(_TABLE.sub(lambda table: f'<div class="table-scroll" role="region" aria-label="표 {next(number)}" '
                             f'tabindex="0">{table[1]}</div>', str(markupsafe.escape(html))))


# Korean numbers: area codes (02, 031-064), 070, mobiles (010, 011, 016-019), and
# the 15xx/16xx/18xx representative numbers; not a part of a longer run of digits.
PHONE_NUMBER = re.compile(r"(?<![\d-])(?:0(?:2|[3-6][1-5]|70|1[016-9])-\d{3,4}-\d{4}|1[568]\d{2}-\d{4})(?![\d-])")
# A phone number, or a run (from its start: each run is read once) that is an
# address and stays as written: a link (``https://www.sd.go.kr/02-2286-5000``)
# or an email address.
_NUMBER_OR_ADDRESS = re.compile(rf"(?P<address>(?<![^\s<>])[^\s<>]*(?:://|@)[^\s<>]*)|{PHONE_NUMBER.pattern}")
# A number shown masked, its middle hidden (``010-****-5678``): kept whole on its line, never a link.
MASKED_NUMBER = re.compile(r"(?<![\d*-])(?:\d{3}|\*{3})-\*{4}-(?:\d{4}|\*{4})(?![\d*-])")
_TAG = re.compile(r"(<[^>]*>)")
_LINK_OPEN = re.compile(r"<a[\s>]", re.IGNORECASE)
_LINK_CLOSE = re.compile(r"</a\s*>", re.IGNORECASE)


def text_with_tel_links(text: str) -> Markup:
    """Plain ``text``, escaped, with its phone numbers made tap-to-call links."""
    return Markup(tel_links(markupsafe.escape(text)))


def text_with_whole_numbers(text: str) -> Markup:
    """Plain ``text``, escaped, with each word holding a phone number (an
    example to follow, "예: 010-1234-5678)", or a reader's number shown in
    words, masked ones too: MASKED_NUMBER) in a box of its own, an
    inline-block span, which moves to the next line whole: on a phone at
    200% text a number broke after a hyphen, its last four digits alone on
    the next line. Only a word wider than the whole line (200% text with
    WCAG 1.4.12's wider letter spacing) breaks, after a hyphen, inside its
    box: kept on one line (white-space: nowrap), it widened the page. The
    box is the whole word, the number's brackets and particle too: a
    screen reader's name of a label holding it (Chromium's) puts a blank
    after a box, "010-1234-5678 )", where the word ends already. Not a
    link: an example is no one to call."""
    def whole(word: re.Match) -> str:
        return f'<span style="display:inline-block">{word[0]}</span>' if _holds_number(word[0]) else word[0]

    return Markup(_WORD.sub(whole, str(markupsafe.escape(text))))


_WORD = re.compile(r"\S+")


def _holds_number(word: str) -> bool:
    """Whether ``word`` holds a phone number (not inside an address written
    out) or one shown masked."""
    return MASKED_NUMBER.search(word) is not None or _numbers_replaced(word, lambda number: "") != word


def tel_links(html: str) -> str:
    """``html`` (sanitized, or escaped text) with each phone number outside a
    link, and outside a link or email address written out, made a ``tel:``
    link."""
    pieces, in_link = [], 0
    for piece in _TAG.split(str(html)):
        if piece.startswith("<"):
            in_link += 1 if _LINK_OPEN.match(piece) else -1 if _LINK_CLOSE.match(piece) and in_link else 0
        elif not in_link:
            piece = _numbers_replaced(piece, lambda number: f'<a href="tel:{number}">{number}</a>')
        pieces.append(piece)
    return "".join(pieces)


WORD_JOINER = "\u2060"  # no line ends beside it; it shows nothing, and speech skips it


def unbreakable_numbers(text: str, html: bool = False) -> str:
    """``text`` with a word joiner (U+2060) after each hyphen of its phone
    numbers, so that a mail app that ignores ``white-space: nowrap`` (the
    Gmail app, Naver Mail, Outlook) never shows "02-2286-" over "5114".
    The hyphens stay hyphen-minus: a screen reader reads "02-2286-5114" as
    a phone number, where the non-breaking hyphen (U+2011) used before was
    in the accessible name as a character speech engines do not read as a
    dash (one long number, or "non-breaking hyphen" said aloud). ``html``:
    ``text`` is HTML, whose tags stay as they are (a ``tel:`` link's
    address as written). Links and email addresses written out in the text
    stay as written. Phones' number finders (libphonenumber's) take U+2060
    as punctuation within a number."""
    if not html:
        return _numbers_replaced(text, _unbreakable)
    return "".join(piece if piece.startswith("<") else _numbers_replaced(piece, _unbreakable)
                   for piece in _TAG.split(str(text)))


def _unbreakable(number: str) -> str:
    return number.replace("-", "-" + WORD_JOINER)


def _numbers_replaced(text: str, replace: Callable[[str], str]) -> str:
    """``text`` with each phone number outside a written-out address
    replaced by ``replace(number)``; a text with no address in it (most)
    is read by the phone numbers' pattern alone, which is three times quicker
    (and one with no number, as a reader's links in an email, is left at once)."""
    if not PHONE_NUMBER.search(text):
        return text
    if "://" not in text and "@" not in text:
        return PHONE_NUMBER.sub(lambda match: replace(match[0]), text)
    return _NUMBER_OR_ADDRESS.sub(lambda match: match[0] if match["address"] else replace(match[0]), text)


_converters = threading.local()
_MARKDOWN_SIGNS = re.compile(r"[][*_`#<>&!\\{]")  # what can make Markdown's text differ from its words


@functools.lru_cache(maxsize=4096)
def shown_words(text: str) -> str:
    """The words Markdown ``text`` shows on its page, on one line: a link's
    words without its address, no picture, entities as their characters,
    what the page escapes (``<김장 축제>``, ``a > b``) as written. Cached: a
    notice's summary is read on every page that lists it; a text with no
    character Markdown or HTML reads (most of them) is its words as written."""
    if not _MARKDOWN_SIGNS.search(text):
        return " ".join(text.split())
    converter = getattr(_converters, "markdown", None)
    if converter is None:  # one per thread: a Markdown converter keeps state while it converts
        converter = _converters.markdown = Markdown(**MARKDOWN)
    html = markdown_html(text, converter)
    if not html.strip():
        return ""
    return " ".join(lxml.html.fragment_fromstring(str(html), create_parent="div").text_content().split())


def html_text(html: str) -> str:
    """Sanitized ``html`` (a Markdown text rendered) as plain text for an
    email's text part, which shows no markup: headings and paragraphs as
    lines of their words, list items after "- " (or their number), table
    rows as their cells joined by " | ", links as "words (address)" when the
    address is not the words, pictures as "[그림: alt]"; a blank line
    between blocks. Raw HTML is gone, as on the HTML side."""
    html = str(html).strip()
    blocks = lxml.html.fragments_fromstring(html) if html else []
    return "\n\n".join(filter(None, (_block_text(block) for block in blocks)))


# a link that leads to the same place whatever page it is read on: a scheme (https:, mailto:, tel:) or a part of the text
_FULL_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*:|#", re.I)


def links_readable_anywhere(html: Markup, address: Callable[[str], str | None]) -> Markup:
    """Sanitized ``html`` with each link that leads somewhere only from its
    page (``{filename}other.md``, ``../other/``, ``/privacy/``) given
    ``address(href)`` instead, or, when that is None, its words unlinked:
    for a text read in an email."""
    if "href" not in html:
        return html
    wrapper = lxml.html.fragment_fromstring(str(html), create_parent="div")
    changed = False
    for link in list(wrapper.iter("a")):
        href = link.get("href")
        if href is None or _FULL_ADDRESS.match(href):
            continue
        changed, target = True, address(href)
        if target is None:
            link.drop_tag()
        else:
            link.set("href", target)
    if not changed:
        return html
    return Markup(str(markupsafe.escape(wrapper.text or "")) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in wrapper))


def _block_text(block) -> str:
    if isinstance(block, str):
        return " ".join(block.split())
    if block.tag in ("ul", "ol"):
        marks = itertools.repeat("- ") if block.tag == "ul" else (f"{n}. " for n in itertools.count(1))
        return "\n".join(mark + _words(item) for mark, item in zip(marks, block.iterchildren("li")))
    if block.tag == "table":
        return "\n".join(" | ".join(_words(cell) for cell in row.iterchildren("th", "td")) for row in block.iter("tr"))
    return _words(block)


def _words(element) -> str:
    """The element's text on one line, its links' addresses (in ASCII, as
    :func:`sotong.mail.plain_text` tells them from the words after them) and
    its pictures' alt in it."""
    for link in element.iter("a"):
        address = link.get("href", "")
        shown = " ".join(link.text_content().split())
        if address and not address.startswith("tel:") and address.removeprefix("mailto:") != shown:
            link.tail = f" ({ascii_url(address)})" + (link.tail or "")
    for picture in list(element.iter("img")):
        picture.tail = f"[그림: {picture.get('alt', '')}]" + (picture.tail or "")
        picture.drop_tree()
    return " ".join(element.text_content().split())


_ZWJ = "\u200d"


def _joins_previous(char: str) -> bool:
    """Whether ``char`` is drawn as one letter with the character before it:
    a combining mark or a variation selector (U+FE0F, after ☎), a joiner (of
    emoji), a skin tone."""
    return unicodedata.category(char).startswith("M") or char == _ZWJ or "\U0001f3fb" <= char <= "\U0001f3ff"


def shortened(text: str, limit: int) -> str:
    """``text`` (its Hangul composed, NFC) whole when it has at most ``limit``
    characters, else cut to fewer and followed by "…": the cut never falls
    inside a letter (a syllable, an emoji sequence), which a reader would see
    as a broken letter or a stray symbol."""
    text = unicodedata.normalize("NFC", text)
    if len(text) <= limit:
        return text
    cut = limit - 1
    while cut > 0 and (_joins_previous(text[cut]) or text[cut - 1] == _ZWJ):
        cut -= 1
    return text[:cut].rstrip() + "…"
