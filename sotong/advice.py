"""Warnings for staff (not errors): notices that pass ``sotong check`` but
may not do what their writer means. Pure functions of a notice (and today),
or of a page's text (its links and pictures, as a notice's); and those of
one web address or one picture, which plugins give for theirs too (a
banner's link and picture). ``sotong check``, ``sotong build`` and the devserver print them as ``PATH:LINE:
warning: ...`` (sotong.check.project_warnings) and still exit 0.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from html import unescape
from typing import Iterator

import yaml

from .body_files import static_files, wordless_pictures
from .dates import shift_years
from .i18n import _
from .images import moves
from .links import misleading_host
from .markup import (CODE_INDENT, CODE_SPAN, MARKDOWN_ITEM, in_code, markdown_html, tags_of_no_element, text_lines,
                     without_code_spans)
from .notices import Notice, reference_definition
from .schedule import next_issue
from .text_links import bare_addresses

URGENT_WORD = "긴급"
# A picture a page or an email shows, as much as a resident's phone should fetch for it (a photo as the
# camera saved it is 3-20MB; one 1200 pixels wide, as a phone shows it, a few hundred kB)
PICTURE_BYTES = 1_000_000
# A file a text links, as much as a resident's phone should download for it (README: "Files linked from a notice")
LINKED_FILE_BYTES = 10_000_000
HANGUL_FILE_ENDINGS = (".hwp", ".hwpx")
# The example text ``sotong new`` writes in a notice's body for staff to
# replace (authoring.BODY_TEMPLATE): left in, it would reach residents as the
# summary of the notice and as a phone number that rings nowhere.
EXAMPLE_LEAD = "첫 문단은 목록과 이메일에 요약으로 나갑니다. 누가, 언제, 무엇을 하는지 한두 문장으로 쓰세요."
EXAMPLE_PHONE = "02-2286-0000"
# The items of its 「신청 방법」 list, written with nothing after the colon: one
# left so reaches residents as "기간:" and nothing, the one thing they needed.
EXAMPLE_ITEMS = {"기간": "12월 5일(토) 오전 10시~12시", "장소": "성동구청 3층 대강당", "대상": "성동구민 누구나"}  # each with an example
_EMPTY_ITEM = re.compile(r"\s*[-*+]\s*(" + "|".join(EXAMPLE_ITEMS) + r")\s*[:：]\s*")
# Words of a link that say nothing of where it leads: a resident whose screen
# reader lists the page's links hears only "여기, 여기, 클릭".
VAGUE_LINK_TEXTS = frozenset({"여기", "이곳", "클릭", "여기를 클릭", "여기를 누르세요", "더보기", "더 보기", "자세히", "바로가기",
                              "바로 가기", "링크", "click here", "here", "more", "link"})
_WEB_ADDRESS = re.compile(r"https?://[^\s<>()\"'\[\]]+", re.I)
# a line of cells as Excel and HWP paste a table (split by tabs), and a line of
# a table written with | (Markdown's table: its first line, then a line of ---)
_TAB_BETWEEN_CELLS = re.compile(r"\S\t+\S")
_PIPE_ROW = re.compile(r" {0,3}\|.*\|\s*")
_RULE_ROW = re.compile(r"\s*\|?(?:\s*:?-+:?\s*\|)*\s*:?-+:?\s*\|?\s*")
# the start of a line as an item of a list: Markdown's own (markup.MARKDOWN_ITEM), which it reads as one
# only after an empty line, and the marks of HWP and Word it never reads as one: a number (1), (1), ①), a
# bullet (•, ㆍ, ○, □, -대상), and 가. or ※, which stay as written after the -
_NUMBERED_ITEM = re.compile(r" {0,3}(?:\(?(\d{1,2})\)|([\u2460-\u2473]))\s*(?=\S)")
_BULLET_ITEM = re.compile(r" {0,3}(?:[•·∙ㆍ‧]\s*|[○●◦□■▪▫◆◇▶▷►]\s+|-(?=[가-힣]))(?=\S)")
# a day as HWP writes one (2026. 12. 10., 12. 10.), which Markdown reads at a block's start as numbered lists
_POINTED_DATE = re.compile(r"(?:(\d{4})\.\s+)?(1[0-2]|0?[1-9])\.\s+(3[01]|[12]\d|0?[1-9])\.")
_BULLET = re.compile(r" {0,3}[-*+]\s+")
_MARKED_ITEM = re.compile(r" {0,3}(?:[가-하][.)]\s+|※\s*)(?=\S)")
# what makes a web address of a line a link (Markdown's and HTML's), and code, which shows it as written
_LINKED = re.compile(CODE_SPAN.pattern + r"|!?\[[^\[\]\n]*\]\([^()\n]*\)|<(?:https?|mailto):[^>]*>|<a\b.*?</a\s*>|<[^>]*>", re.I)
# a web address shown as words: pasted as it is (up to a blank, a bracket or Korean after it), or a link
# with a blank or a Korean keyboard's full-width brackets between its words and its address
_TEXT_ADDRESS = re.compile(r"\[([^\[\]\n]+)\](?:\s+\(|（)(https?://[^\s()（）]+)[)）]"
                           r"|(?:https?://|www\.)[^\s<>()\[\]\"'（）「」『』가-힣ㄱ-ㅎ]+", re.I)
_LINK_WORDS = re.compile(r"(?<!!)\[([^\[\]\n]+)\]\(|<a\b[^>]*>([^<]+)</a>", re.I)


def notice_warnings(notice: Notice, shown: str, settings: str = "", today: dt.date | None = None,
                    of_file: list[str] | None = None) -> list[str]:
    """The warnings of one published notice, each one line; ``settings``: the
    ``-s`` of the commands a warning gives (``settings.settings_flag``);
    ``today``: an urgent notice expired before it is past sending on its own,
    and is not told to be sent; ``of_file``: its :func:`file_warnings`, when
    known (kept with the notice in sotong.notice_cache)."""
    found = []
    if (notice.urgent and notice.expires is not None and notice.expires < next_issue(notice.day)
            and not (today and notice.expired_on(today))):
        found.append(f"{shown}:{notice.lines.get('expires', 1)}: " + _(
            "warning: this urgent notice expires ({expires}) before the next issue ({issue}), so no issue will "
            "carry it; send it on its own: sotong bundles --notice {slug}{settings} && sotong send --notice {slug}{settings}").format(
            expires=notice.expires, issue=next_issue(notice.day), slug=notice.slug, settings=settings))
    return (found + _dated_far_ahead(notice, shown, today)
            + (file_warnings(notice, shown) if of_file is None else of_file))


def file_warnings(notice: Notice, shown: str) -> list[str]:
    """The warnings of ``notice`` that its file alone decides (not the day,
    nor the settings): they are kept with it while the file is unchanged."""
    found = []
    line = notice.lines.get
    if notice.urgent and URGENT_WORD in notice.title:
        found.append(f"{shown}:{line('title', 1)}: " + _(
            "warning: the title says {word}, and an urgent notice is already marked {word} everywhere; "
            "remove the word from the title").format(word=URGENT_WORD))
    if not notice.body.strip():
        found.append(f"{shown}:{notice.body_line}: " + _(
            "warning: this notice has no text below its header, so residents see only its title; write what they "
            "need to know here, below the closing '---'"))
    if notice.private and "sms" in notice.lines:
        found.append(f"{shown}:{line('sms')}: " + _(
            "warning: a private notice goes by email only, so no text message carries it and this sms: line "
            "is never sent; remove it, and write what the members need in the text"))
    return (found + _hangul_attachments(notice, shown) + _quoted_texts(notice, shown) + _examples_left(notice, shown)
            + text_warnings(notice, shown))


def _hangul_attachments(notice: Notice, shown: str) -> list[str]:
    """A private notice's HWP attachments without a PDF of the same name
    attached too: the members reading its email on a phone, most of which
    have no program for HWP, get a file they cannot open."""
    pdfs = {os.path.splitext(path)[0] for path in notice.attachments if path.lower().endswith(".pdf")}
    return [f"{shown}:{notice.lines.get('attachments', 1)}: " + _(
        "warning: the attachment {path} is a Hangul (HWP) file, which most phones cannot open, so members who read "
        "the email on a phone cannot read it; save the same content as a PDF too, put it beside it and attach both, "
        "e.g. attachments: [{paths}]").format(path=path, paths=", ".join(
            written for each in notice.attachments for written in ((each, os.path.splitext(each)[0] + ".pdf")
                                                                   if each == path else (each,))))
        for path in notice.attachments
        if os.path.splitext(path)[1].lower() in HANGUL_FILE_ENDINGS and os.path.splitext(path)[0] not in pdfs]


# a text wholly in the quotes a word processor writes (“ ”, ‘ ’) or a Korean keyboard's full-width ones (＂ ＂)
_WHOLLY_QUOTED = re.compile(r"(“)([^“”]*)(”)|(‘)([^‘’]*)(’)|(＂)([^＂]*)(＂)", re.S)


def _quoted_texts(notice: Notice, shown: str) -> list[str]:
    """The texts of ``notice`` (its title, summary, SMS) written wholly in
    quotes that YAML keeps as part of them (``title: “김장 나눔”``), which
    every page, email and text message shows."""
    found = []
    for key in ("title", "summary", "sms"):
        quoted = _WHOLLY_QUOTED.fullmatch(getattr(notice, key) or "")
        if quoted:
            opening, value, closing = (group for group in quoted.groups() if group is not None)
            found.append(f"{shown}:{notice.lines.get(key, 1)}: " + _(
                "warning: {key} is in quotes as a word processor or a Korean keyboard writes them ({quotes}), which show "
                "as part of it on the site and in the messages; write it without them: {key}: {value}").format(
                key=key, quotes=f"{opening} {closing}", value=_yaml_value(value.strip())))
    return found


def _yaml_value(text: str) -> str:
    """``text`` as a header's value that YAML reads back as it: as it is, or
    in double quotes when it holds what YAML reads otherwise (``김장: 나눔``)."""
    try:
        plain = yaml.safe_load(f"value: {text}") == {"value": text}
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)


def _dated_far_ahead(notice: Notice, shown: str, today: dt.date | None) -> list[str]:
    """A notice dated more than a year after ``today`` (2062 typed for 2026),
    which shows nowhere until then, with the coming such day: the date a
    slip of the year meant."""
    if today is None or (notice.day - today).days <= 365:
        return []
    meant = shift_years(notice.date, today.year - notice.date.year)
    meant = meant if meant.date() >= today else shift_years(meant, 1)
    written = "%Y-%m-%d" if (notice.date.hour, notice.date.minute) == (0, 0) else "%Y-%m-%d %H:%M"
    return [f"{shown}:{notice.lines.get('date', 1)}: " + _(
        "warning: this notice is dated {date}, more than a year after today ({today}), so it shows on no page and goes "
        "in no issue until then; if the year is a slip, write date: {instead}").format(
        date=notice.date.strftime(written), today=today, instead=meant.strftime(written))]


def _examples_left(notice: Notice, shown: str) -> list[str]:
    """The lines of ``notice``'s text still as ``sotong new`` wrote them: its
    example paragraph and phone number, and an item of its list left empty."""
    found = []
    for number, text in enumerate(notice.body.split("\n"), start=notice.body_line):
        if EXAMPLE_LEAD in text or EXAMPLE_PHONE in text:
            found.append(f"{shown}:{number}: " + _(
                "warning: this line is still the example that sotong new wrote; write the notice's own words "
                "(or the department's phone number) here, as it would reach residents as it is"))
        elif item := _EMPTY_ITEM.fullmatch(text):
            found.append(f"{shown}:{number}: " + _(
                "warning: {item} is empty, as sotong new wrote it; write it after the colon, e.g. - {item}: {example} "
                "(or delete the line if the notice has none)").format(item=item[1], example=EXAMPLE_ITEMS[item[1]]))
    return found


def text_warnings(source, shown: str) -> list[str]:
    """The warnings of the Markdown text of ``source``, a notice, a page or a
    plugin's text (a banner's body: its ``body`` and ``body_line``): links
    that say nothing of where they lead, addresses that lead elsewhere,
    addresses no one can tap, lines that vanish, tables and lists shown as one paragraph, words in <>
    left out as tags, pictures without words."""
    return (_vague_links(source, shown) + _misleading_addresses(source, shown) + _addresses_not_linked(source, shown)
            + _vanishing_lines(source, shown)
            + _tables_not_read(source, shown) + _cells_left_out(source, shown) + _lists_run_together(source, shown) + _dates_read_as_lists(source, shown)
            + _indented_as_code(source, shown)
            + _words_read_as_tags(source, shown)
            + [f"{shown}:{number}: {warning}" for number, warning in wordless_pictures(source.body, source.body_line)])


def _text_lines(source) -> tuple[tuple[int, str, str], ...]:
    """(line number, line, what code it is of, or "") for each line of the
    Markdown text of ``source`` (:func:`sotong.markup.text_lines`), which
    the warnings leave alone: Markdown shows code as written."""
    return text_lines(source.body, source.body_line)


def _words_read_as_tags(source, shown: str) -> list[str]:
    """Words in ``<>`` that Markdown reads as tags of no HTML element
    (:func:`sotong.markup.tags_of_no_element`), which the page and the email
    leave out: an address is written as a link (``<https://www.sd.go.kr>``),
    words in the brackets Korean documents use for them (``〈NEW〉``)."""
    found = []
    for number, text, code in _text_lines(source):
        if code or "<" not in text:
            continue
        for tag in tags_of_no_element(text):
            words = tag[1:-1]
            instead = f"<https://{words}>" if "." in words.split(" ")[0] else f"〈{words}〉"
            found.append(f"{shown}:{number}: " + _(
                "warning: Markdown reads {tag} as an HTML tag, so the page and the email leave it out; write it as "
                "{instead}").format(tag=tag, instead=instead))
    return found


def static_file_warnings(source, shown: str, root: str | os.PathLike) -> list[str]:
    """:func:`heavy_pictures` and :func:`linked_file_warnings` of ``source``
    (a notice or page), its text read once for both; read at every check,
    not kept with the notice, as a file can change with its name unchanged."""
    found = static_files(source.body, source.body_line, source.source, root)
    return _heavy(source, shown, root, found.pictures) + linked_file_warnings(found.links, shown)


def heavy_pictures(source, shown: str, root: str | os.PathLike) -> list[str]:
    """The pictures of ``source`` (a notice, page or banner: its ``image``
    and those of its text) whose files under ``root`` (content/) are over
    :data:`PICTURE_BYTES`, which a resident's phone fetches whole each time
    it opens the notice, slowly and on its data."""
    return _heavy(source, shown, root, static_files(source.body, source.body_line, source.source, root).pictures)


def _heavy(source, shown: str, root: str | os.PathLike, pictures: list[tuple[int, str, str]]) -> list[str]:
    """:func:`heavy_pictures`, ``pictures`` those of the text (sotong.body_files.static_files)."""
    image = getattr(source, "image", None)
    pictures = ([(source.lines.get("image", 1), image, os.path.join(root, image))] if image else []) + pictures
    return [f"{shown}:{line}: " + _(
        "warning: the picture {target} is {size:.1f}MB, which a resident's phone fetches whole each time it opens the "
        "notice (slowly, on its data); save it under 1MB, e.g. as a JPEG 1200 pixels wide").format(
        target=target, size=os.path.getsize(path) / 1e6)
        for line, target, path in pictures if os.path.isfile(path) and os.path.getsize(path) > PICTURE_BYTES]


def linked_file_warnings(linked: list[tuple[int, str, str]], shown: str) -> list[str]:
    """The files a text links (``linked``: sotong.body_files.static_files'
    links; ``shown``: the text's file as messages name it) that a resident's
    phone may not open or should not download: an HWP file without a PDF of
    the same name in its folder linked too (most phones have no program for
    it; one of another folder, last year's form, is another file), a file
    over :data:`LINKED_FILE_BYTES`."""
    found = []
    pdfs = {os.path.splitext(path)[0] for _line, _target, path in linked if path.lower().endswith(".pdf")}
    for line, target, path in linked:
        stem, ending = os.path.splitext(os.path.basename(path))
        if ending.lower() in HANGUL_FILE_ENDINGS and os.path.splitext(path)[0] not in pdfs:
            found.append(f"{shown}:{line}: " + _(
                "warning: {target} is a Hangul (HWP) file, which most phones cannot open; save the same content as "
                "a PDF too, put it beside it and link it as well, e.g. [{stem}]({pdf}) (the page adds each file's kind "
                "and size to its link)").format(
                target=target, stem=stem, pdf=target[:len(target) - len(ending)] + ".pdf"))
        if (size := os.path.getsize(path)) > LINKED_FILE_BYTES:
            found.append(f"{shown}:{line}: " + _(
                "warning: the file {target} is {size:.1f}MB, which a resident's phone downloads whole (slowly, on its "
                "data, and many stop before it ends); make it smaller (a PDF saved for the web, pictures shrunk) or "
                "split it into files under {limit}MB").format(target=target, size=size / 1e6, limit=LINKED_FILE_BYTES // 1_000_000))
    return found


def _vague_links(notice: Notice, shown: str) -> list[str]:
    """Links of the body whose words (``[여기](...)``) say nothing of where
    they lead; code, which shows them as written, aside."""
    found = []
    for written in _text_lines(notice):
        number, line, code = written
        for match in _LINK_WORDS.finditer(line) if not code and ("[" in line or "<" in line) else ():
            if in_code(written, match.start()):
                continue  # `[여기](...)`, shown as written; [`여기`](...) is a link in code's letters
            words = (match[1] or match[2]).replace("`", "").strip()
            if " ".join(words.lower().rstrip(".!:>»→ ").split()) in VAGUE_LINK_TEXTS:
                found.append(f"{shown}:{number}: " + _(
                    'warning: the link "{words}" says nothing of where it leads, and a resident whose screen reader '
                    "lists the page's links hears only these words; write where it goes, e.g. [김장 나눔 신청서 내려받기](...)"
                ).format(words=words))
    return found


def _misleading_addresses(source, shown: str) -> list[str]:
    """Web addresses of the text that lead elsewhere than they read
    (:func:`misleading_address_warning`), each read as the page shows and
    links it: its character references as their characters
    (``https://www.gov.kr&#64;evil.example/`` leads to evil.example, and
    ``&#1072;`` is a Cyrillic a), which the warning names as the reader sees them."""
    return [f"{shown}:{number}: {warning}"
            for number, line in enumerate(source.body.split("\n"), start=source.body_line)
            for text in (_as_read(line),)
            for address in (_WEB_ADDRESS.findall(text) if "://" in text else ())
            if (warning := misleading_address_warning(address))]


def _addresses_not_linked(source, shown: str) -> list[str]:
    """Web addresses of the text that the page and the email show as words a
    resident cannot tap (pasted from HWP as they are, with or without their
    beginning, or written as a link with a blank or full-width brackets
    after ``]``), with the link to write; one that leads elsewhere than it
    reads is warned of as that alone."""
    found = []
    for number, line, code in _text_lines(source):
        if code or "." not in line or reference_definition(line):
            continue
        for written, instead in _unlinked_addresses(_LINKED.sub(" ", _as_read(line))):
            found.append(f"{shown}:{number}: " + _(
                "warning: the address {address} is shown as words, not as a link a resident can tap; write it as "
                "{instead}").format(address=written, instead=instead))
    return found


def _unlinked_addresses(text: str) -> Iterator[tuple[str, str]]:
    """(address as written, the link to write) of each web address of
    ``text`` (a line, its links taken out) that leads where it reads."""
    if "://" in text or "www." in text.lower():
        for address in _TEXT_ADDRESS.finditer(text):
            written = address[0].rstrip(".,;:!?")
            if not misleading_address_warning(address[2] or written):  # else said to be copied from the site
                yield written, (f"[{address[1]}]({address[2]})" if address[1] else
                                "<" + ("" if "://" in written else "https://") + written + ">")
    for written in bare_addresses(text):  # sd.go.kr/notice, naver.me/5abc: without https:// or www.
        if not misleading_address_warning(written):
            yield written, f"<https://{written}>"


def _as_read(line: str) -> str:
    """A line of Markdown with its character references (``&#64;``, ``&#x40;``,
    ``&commat;``) as the characters a browser shows and follows."""
    return unescape(line) if "&" in line else line


def misleading_address_warning(address: str) -> str | None:
    """The warning for a web address that leads elsewhere than it reads
    (:func:`sotong.links.misleading_host`): a name before "@", a Cyrillic
    or Greek letter that looks Latin. Copied from a mail that was phishing,
    a resident trusting the office's page (a notice's text, a banner's
    link) would follow it. None for one that leads where it reads."""
    host = misleading_host(address)
    return host and _(
        'warning: the address "{address}" leads to {host}, not to the site it reads as (what comes before "@" '
        "is a user name, and a Cyrillic or Greek letter that looks Latin makes another site's name); copy the "
        "address from the site itself").format(address=address, host=host)


def moving_picture_warning(path: str | os.PathLike, image: str) -> str | None:
    """The warning for the picture ``image`` (a notice's, a banner's), its
    file at ``path``, when it moves (:func:`sotong.images.moves`, an
    animated GIF or PNG): the emails leave it out
    (:func:`sotong.images.email_image_size`) and the site's pages show it
    moving, with no way for a reader to stop it. None for a still one."""
    return _("warning: {image} is a moving picture, which no reader can stop: the emails leave it out, and the "
             "site's pages show it moving; save a still picture as .png or .jpg").format(image=image) if moves(path) else None


def _label(text: str) -> str:
    """A reference's label as Markdown matches it: case and runs of blanks aside."""
    return " ".join(text.lower().split())


def _vanishing_lines(notice: Notice, shown: str) -> list[str]:
    """Lines Markdown reads as a reference's definition (``[문의]: 02-2286-5000``)
    that no ``[text][label]`` or ``[label]`` of the body uses: written as
    text, they show on no page and in no email. In code neither is one: it is shown as written."""
    lines = {number: text for number, text, code in _text_lines(notice) if not code}
    defined = {number: found for number, text in lines.items() if (found := reference_definition(text))}
    if not defined:
        return []
    rest = "\n".join(without_code_spans(text) for number, text in lines.items() if number not in defined)
    used = {_label(label) for label in re.findall(r"\[([^\[\]]+)\]", rest)}
    return [f"{shown}:{number}: " + _(
        "warning: Markdown reads this line as a link's address ([{label}]: ...), so it shows on no page and in no "
        "email; if it is text, write it without the colon right after ], e.g. [{label}] {rest}").format(
        label=label, rest=lines[number].split(":", 1)[1].strip())
        for number, (label, _address) in defined.items() if _label(label) not in used]


def _tables_not_read(source, shown: str) -> list[str]:
    """Tables that Markdown does not read as tables, at their first line: a
    table pasted from Excel or HWP (two lines or more of cells split by
    tabs), which the page and the email showed as one paragraph of words run
    together, and one written with | but without its line of --- under the
    first, which showed as text full of |; in code, shown as written, none is."""
    if "\t" not in source.body and "|" not in source.body:
        return []
    found, lines = [], ["" if code else text for _number, text, code in _text_lines(source)]
    for index, text in enumerate(lines):
        before = lines[index - 1] if index else ""
        after = lines[index + 1] if index + 1 < len(lines) else ""
        if _tab_cells(text) and _tab_cells(after) and not _tab_cells(before):
            found.append(f"{shown}:{source.body_line + index}: " + _(
                "warning: these lines are a table pasted from Excel or HWP (cells split by tabs), which the page and "
                "the email show as one paragraph of words run together; to make a table, write its cells between | and "
                "put a line of --- under the first: {row} then {rule}").format(**_table_start(text.split("\t"))))
        elif _PIPE_ROW.fullmatch(text) and _PIPE_ROW.fullmatch(after) and not _RULE_ROW.fullmatch(after) \
                and not _PIPE_ROW.fullmatch(before):
            found.append(f"{shown}:{source.body_line + index}: " + _(
                "warning: this table has no line of --- under its first line, so the page and the email show it as "
                "text full of |; put this line under the first: {rule}").format(
                    **_table_start(text.strip().strip("|").split("|"))))
    return found


def _cells_left_out(source, shown: str) -> list[str]:
    """Each row of a table written with | that has more cells than its first
    line: Markdown leaves out the cells past the first line's number, and
    the page and the email lost them without a word (``| 성수경로당 | 성수동
    1가 | 09~18시 |`` under ``| 쉼터 | 주소 |`` showed no hours)."""
    if "|" not in source.body:
        return []
    found, lines, columns = [], ["" if code else text for _number, text, code in _text_lines(source)], None
    for index, text in enumerate(lines):
        if not _PIPE_ROW.fullmatch(text):
            columns = None
        elif columns is None and index + 1 < len(lines) and _RULE_ROW.fullmatch(lines[index + 1]):
            columns = len(_row_cells(text))
        elif columns is not None and not _RULE_ROW.fullmatch(text) and len(cells := _row_cells(text)) > columns:
            found.append(f"{shown}:{source.body_line + index}: " + _(
                "warning: this row has {count} cells and the table's first line {columns}, so the page and the email "
                "leave out \"{lost}\"; add columns for them to the first line and to the line of --- under it").format(
                    count=len(cells), columns=columns, lost=" | ".join(cell.strip() for cell in cells[columns:])))
    return found


def _row_cells(line: str) -> list[str]:
    """The cells of a table's row written between |s (a \\| is a | of a cell's words)."""
    return re.split(r"(?<!\\)\|", line.strip()[1:-1])


def _tab_cells(line: str) -> bool:
    """Whether ``line`` is cells split by tabs (a tab at its start indents it)."""
    return not line[:1].isspace() and _TAB_BETWEEN_CELLS.search(line) is not None


def _table_start(cells: list[str]) -> dict:
    """The first line of a Markdown table holding ``cells`` and the line of --- under it."""
    cells = [cell.strip() for cell in cells if cell.strip()]
    return {"row": "| " + " | ".join(cells) + " |", "rule": "|" + " --- |" * len(cells)}


def _lists_run_together(source, shown: str) -> list[str]:
    """Lists the page and the email show as one paragraph of items run
    together, one warning a paragraph, at the list's first line: items
    written under a line without an empty line between (``신청 방법`` then
    ``- 기간``), and items marked as HWP and Word mark them (``1)``, ``•``,
    ``○``, ``①``), which Markdown reads as words of the paragraph."""
    found, paragraph, above = [], None, ""
    for number, text, code in _text_lines(source):
        broken, above = above.endswith(("  ", "\\")), text  # a line ended so breaks where it ends
        if code or not text.strip() or text.lstrip().startswith("#"):
            paragraph = None
        elif paragraph is None:
            paragraph = number, text
        elif paragraph[1] and not broken and _joined_item(paragraph[1], text):
            first = not MARKDOWN_ITEM.match(paragraph[1]) and _as_item(paragraph[1])  # the list starts the paragraph
            found.append(f"{shown}:{paragraph[0] if first else number}: " + _(
                "warning: the page and the email run this list into one paragraph with the lines around it (Markdown "
                "starts a list only after an empty line, and only at - or 1.); put an empty line above the list and "
                "start each item as: {item}").format(item=_as_item(paragraph[1] if first else text)))
            paragraph = number, ""  # said once a paragraph
    return found


def _dates_read_as_lists(source, shown: str) -> list[str]:
    """Days written as HWP writes them (``2026. 12. 10.(목)``) at the start of
    a line, which Markdown reads, at the start of a paragraph or an item
    (``- 12. 17.(목)``), as numbered lists (2026., then 12.), with the line to
    write (2026년 12월 10일): those the text as the site renders it does not
    show as written (:func:`_days_not_shown`)."""
    starting = [(number, line, bullet, date) for number, line, code in _text_lines(source) if not code
                for bullet in (_BULLET.match(line),)
                for date in (_POINTED_DATE.match(line, bullet.end() if bullet else len(line) - len(line.lstrip(" "))),)
                if date and date.start() < 4 + (bullet.end() if bullet else 0)][:80]
    found = []
    for number, line, bullet, date in _days_not_shown(source, starting):
        year, month, day = date.groups()
        written = (f"{year}년 " if year else "") + f"{int(month)}월 {int(day)}일"
        found.append(f"{shown}:{number}: " + _(
            "warning: Markdown reads the date {date} at the start of this line as numbered lists, so the page and "
            "the email show it broken; write it as {instead}").format(
            date=date[0], instead=(bullet[0].lstrip() if bullet else "") + written + line[date.end():]))
    return found


def _days_not_shown(source, starting: list) -> list:
    """Those of ``starting`` (line number, line, its bullet, its day) whose
    day the text as the site renders it does not show as written: each
    day's first number made one of its own (2026. → 1000., 12. → 10.), so
    that Markdown reads the text as written and each is found apart."""
    if not starting:
        return []
    lines = source.body.split("\n")
    marked = {}
    for index, (number, line, _bullet, date) in enumerate(starting):
        first = date[0].split(".")[0]
        marked[number] = str((1000 if date[1] else 10) + index) + date[0][len(first):]
        lines[number - source.body_line] = line[:date.start()] + marked[number] + line[date.end():]
    rendered = str(markdown_html("\n".join(lines)))
    return [item for item in starting if marked[item[0]] not in rendered]


def _indented_as_code(source, shown: str) -> list[str]:
    """Paragraphs indented as HWP indents them (four blanks or a tab after an
    empty line), which Markdown shows as a box of code, at the first line of
    each such block (:func:`sotong.markup.text_lines`); an item's own
    paragraphs (indented under a list) and fenced code aside."""
    found, before = [], ""
    for number, line, code in _text_lines(source):
        if code == "indented" and before != "indented":
            found.append(f"{shown}:{number}: " + _(
                "warning: this line starts with four blanks or a tab, so the page and the email show it and the lines "
                "under it as a box of code, in typewriter letters; delete the blanks before it: {text}").format(
                text=line.strip()))
        before = code if line.strip() else before
    return found


def _joined_item(first: str, line: str) -> str | None:
    """``line`` as an item of a list (:func:`_as_item`) when it starts as one
    but Markdown joins it to the block that ``first`` starts: a paragraph, or
    a list whose items it is not. None for a line indented as code or as an
    item's own text, and in a table, a quotation, HTML or code."""
    if line.startswith(CODE_INDENT) or first.startswith(CODE_INDENT) or first.lstrip().startswith(("|", ">", "<")):
        return None
    if MARKDOWN_ITEM.match(first) and MARKDOWN_ITEM.match(line):
        return None
    return _as_item(line)


def _as_item(line: str) -> str | None:
    """``line`` written as an item of a Markdown list, when it starts as one
    (:data:`sotong.markup.MARKDOWN_ITEM`) or as HWP and Word mark one; else None."""
    if _POINTED_DATE.match(line.lstrip()):
        return None  # a day (2026. 12. 10.), which Markdown joins to the line above: said nowhere
    if MARKDOWN_ITEM.match(line):
        return line.strip()
    if numbered := _NUMBERED_ITEM.match(line):
        count = int(numbered[1]) if numbered[1] else ord(numbered[2]) - 0x2460 + 1
        return f"{count}. {line[numbered.end():].strip()}"
    if bullet := _BULLET_ITEM.match(line):
        return f"- {line[bullet.end():].strip()}"
    return f"- {line.strip()}" if _MARKED_ITEM.match(line) else None
