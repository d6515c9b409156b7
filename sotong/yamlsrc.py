"""YAML documents read together with the line of every key.

Errors must name the line of the offending key, so documents are composed
into nodes first (with libyaml when available) and the line of each mapping
key is kept beside the plain Python data. A key given twice in one mapping is
an error naming both lines (YAML loaders otherwise keep the last silently).
A document whose aliases repeat it past MOST_VALUES values (a "billion
laughs": nine lines of ten aliases each) or whose list or mapping holds
itself is an error at its line, before any of it is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from .i18n import _



class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loading, with dates kept as text: the schemas parse them, so that a
    wrong date (2026-13-01) is a message with a line, not a crash."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _int_or_text(loader, node):
    """A whole number, or its text when it has more digits than Python reads
    (4,300): the schemas then say what to write instead, rather than a crash;
    or when YAML 1.1 reads it in base 60 (an hour, ``end: 15:00``, was 900,
    and the message quoted "900", which no one wrote)."""
    if ":" in node.value:
        return loader.construct_scalar(node)
    try:
        return loader.construct_yaml_int(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


class WrittenFloat(float):
    """A number with a decimal point that says itself as it was written: to
    YAML, 11.10 (a banner's 11월 10일, as staff write days) is 11.1, and the
    message said "11.1" and suggested 11-01, another day."""

    def __new__(cls, value: float, text: str | None = None):
        number = super().__new__(cls, value)
        number.text = text if text is not None else float.__repr__(number)
        return number

    def __str__(self) -> str:
        return self.text


_Loader.add_constructor("tag:yaml.org,2002:float",
                        lambda loader, node: WrittenFloat(loader.construct_yaml_float(node), node.value))

def _refuse_tag(loader, node):
    """A value YAML builds from a tag of its own (!!binary: bytes, !!set,
    !!omap, !!pairs) is no text, number, list or map a file of Sotong's
    holds: refused as an unknown tag is (a wrong message on bytes followed)."""
    raise yaml.constructor.ConstructorError(None, None, f"could not determine a constructor for the tag {node.tag!r}",
                                            node.start_mark)


for _tag in ("binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)

Path = tuple  # a key path: ("segments", "parents", "age")


@dataclass
class Located:
    """Plain data from a YAML document and the 1-based line of each key path."""

    data: object
    lines: dict = field(default_factory=dict)
    first_line: int = 1
    blocks: frozenset = frozenset()  # the key paths whose value is a block of text (key: | or key: >)

    def line(self, *path) -> int:
        """The line of the deepest known key along ``path``."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.first_line

    def text_line(self, *path) -> int:
        """The line the text of ``path`` starts on: the key's, or the next
        for a block (``body: |``, its text indented on the lines below)."""
        return self.line(*path) + (path in self.blocks)


class YAMLProblem(ValueError):
    """The text is not YAML; ``line`` is 1-based within the text given."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"{line}: {message}")


def load(text: str, first_line: int = 1) -> Located:
    """Parse ``text``; ``first_line`` is the file line the text starts on."""
    _refuse_unreadable_characters(text, first_line)
    _refuse_full_width(text, first_line)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and "&" in text and "*" in text:  # an alias repeats an anchor (&name ... *name)
            _refuse_alias_bombs(node, first_line)
        if node is not None:
            _refuse_repeated_keys(node, first_line)
            _refuse_joined_items(node, text, first_line)
            _refuse_hashtags(node, text, first_line)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        # a quote or bracket never closed: libyaml marks where it gave up, the opening on the context's line
        unclosed = exc.context_mark is not None and (exc.context or "").startswith(_OPENINGS)
        mark = exc.context_mark if unclosed else exc.problem_mark or exc.context_mark
        _refuse_unspaced(text, mark, first_line)
        _refuse_colonless(text, mark, first_line)
        if _NO_COLON in (exc.problem or "") and exc.context_mark is not None:
            mark = exc.context_mark  # a line among keys that is no 'key: value': that line, not the next
        line = (mark.line if mark else 0) + first_line
        raise YAMLProblem(line, _explain(exc, text, mark)) from None
    except yaml.YAMLError as exc:
        raise YAMLProblem(first_line, str(exc).splitlines()[0]) from None
    finally:
        loader.dispose()
    lines, blocks = {}, set()
    if node is not None:
        _record_lines(node, (), lines, first_line, blocks)
    return Located(data, lines, first_line, frozenset(blocks))


# what YAML reads no document with, even in quotes (its reader's NON_PRINTABLE): control
# characters but tab and line ends, a lone surrogate (bytes that were no UTF-8), U+FFFE and U+FFFF
_UNREADABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _refuse_unreadable_characters(text: str, first_line: int) -> None:
    """YAMLProblem at the first character YAML cannot read, with its code
    and column (libyaml said "control characters are not allowed", in
    English, on the document's first line)."""
    if found := _UNREADABLE.search(text):
        start = text.rfind("\n", 0, found.start()) + 1
        raise YAMLProblem(first_line + text.count("\n", 0, start), _(
            "the invisible character U+{code:04X} at column {column} cannot be read; delete it (copying from another "
            "program often brings one along)").format(
            code=ord(found.group()), column=found.start() - start + 1))


# A Korean keyboard's full-width colon (U+FF1A) after a key, or its full-width
# space (U+3000) after the colon or before a key: YAML takes the line for
# text, and says so on another line (or reads "title： x" as a key). Text
# that starts with a full-width space (a Korean paragraph's) is text.
_FULL_WIDTH = re.compile("^(?:[ \t]*(?:- )?([A-Za-z_][\\w-]*)[ \t\u3000]*(\uff1a|:\u3000)(.*)|[ \t]*\u3000[ \t\u3000]*(?:- )?[A-Za-z_][\\w-]*:(?: .*)?)$", re.M)


def _refuse_full_width(text: str, first_line: int) -> None:
    """YAMLProblem at the first line whose key is followed by a full-width
    colon or space, or that is indented with a full-width space."""
    found = _FULL_WIDTH.search(text) if "\uff1a" in text or "\u3000" in text else None
    if found is None:
        return
    line = text.count("\n", 0, found.start()) + first_line
    key, mark, value = found.groups()
    if key is None:
        raise YAMLProblem(line, _("this line is indented with a full-width space (U+3000); indent with ordinary spaces"))
    fixed = key + ": " + value.strip(" \t\u3000")
    if mark == "\uff1a":
        raise YAMLProblem(line, _("the colon after {key} is a full-width colon (：); write an ordinary colon and a space: {fixed}").format(
            key=key, fixed=fixed))
    raise YAMLProblem(line, _("a full-width space (U+3000) follows {key}:; write an ordinary space: {fixed}").format(
        key=key, fixed=fixed))


# A key whose colon no space follows (``department:문화체육과``, or a no-break
# space copied from a web page or a word processor after it): YAML reads the
# line as text, and its error is said on a later line (or, ``title:공지``
# followed by ``date: 2026-11-05``, as a colon in the date to quote).
_UNSPACED = re.compile(r"^[ \t]*(?:- )?([A-Za-z_][\w-]*):([^ \t\r\n/:].*)$", re.M)
_ODD_SPACES = "\u00a0\u2002\u2003\u2007\u2009\u200a\u200b\u202f\u205f\ufeff"


def _refuse_unspaced(text: str, mark, first_line: int) -> None:
    """YAMLProblem at the last line, up to where the YAML error was found,
    whose key's colon no ordinary space follows."""
    end = -1 if mark is None else text.find("\n", mark.index)
    found = None
    for found in _UNSPACED.finditer(text, 0, len(text) if end < 0 else end):
        pass
    if found is None:
        return
    key, value = found.groups()
    line = text.count("\n", 0, found.start()) + first_line
    fixed = f"{key}: {value.lstrip(_ODD_SPACES)}"
    if value[0] in _ODD_SPACES:
        raise YAMLProblem(line, _("the space after {key}: is not an ordinary space (U+{code:04X}, copied from another program), so "
                                  "the line is read as text; write an ordinary space: {fixed}").format(
            key=key, code=ord(value[0]), fixed=fixed))
    raise YAMLProblem(line, _("no space follows the colon after {key}, so the line is read as text; put a space after the "
                              "colon: {fixed}").format(key=key, fixed=fixed))


# A key written without its colon (category culture, title = 안내): YAML reads the line as
# text, and its error is said on another line, or as a colon to quote there.
_KEY_LINE = re.compile(r"([ \t]*)[A-Za-z_][\w-]*:(?:[ \t]|$)")
_COLONLESS = re.compile(r"([ \t]*)([A-Za-z_][\w-]*)(?:[ \t]*=[ \t]*|[ \t]+)([^:\s=](?:[^:\n]|:(?=\S))*?)[ \t]*")  # 14:00 is no key


def _refuse_colonless(text: str, mark, first_line: int) -> None:
    """YAMLProblem at the last line, up to where the YAML error was found,
    that starts with a word where a key would (as the key lines above it
    do, or under a key of nothing else) and has no colon."""
    lines = text.split("\n")[:None if mark is None else mark.line + 1]
    found, indent, parent = None, "", False
    for number, line in enumerate(lines):
        if key_line := _KEY_LINE.match(line):
            indent, parent = key_line.group(1), not line[key_line.end():].strip()  # event: (its keys below)
        elif (colonless := _COLONLESS.fullmatch(line)) and (
                colonless.group(1) == indent or parent and len(colonless.group(1)) > len(indent)):
            found = number, colonless.group(2), colonless.group(3)
    if found is not None:
        number, key, value = found
        raise YAMLProblem(number + first_line, _("{key} has no colon after it, so the line is not read as 'key: value'; "
                                                 "write {fixed}").format(key=key, fixed=f"{key}: {value}"))


def _children(node) -> list:
    """(key node or None, value node) of a mapping's or a sequence's items."""
    if isinstance(node, yaml.MappingNode):
        return list(node.value)
    if isinstance(node, yaml.SequenceNode):
        return [(None, item) for item in node.value]
    return []


def _each_node_once(root):
    """Every collection node under ``root``, each once (an alias repeats or
    even contains a node: ``&a [*a]``)."""
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(value for _key, value in _children(node))


MOST_VALUES = 100_000  # values of one document, its aliases expanded: thousands times more than any file of Sotong's


def _refuse_alias_bombs(root, offset: int) -> None:
    """YAMLProblem at the first list or mapping that, with the aliases
    (``*name``) in it read as the values they repeat, holds more than
    MOST_VALUES values, or holds itself (``&a [*a]``): nine lines of ten
    aliases each are a billion values, which every reading of the file
    (check, build, the collector) walked for hours. Each node is counted
    once, children first, without recursion (libyaml nests 1,000 deep)."""
    sizes: dict[int, int] = {}
    opened: set[int] = set()  # the nodes whose children are being counted: the one being read is inside them all
    stack = [(root, False)]
    while stack:
        node, counted = stack.pop()
        parts = [part for pair in _children(node) for part in pair if part is not None]
        if counted:
            opened.discard(id(node))
            sizes[id(node)] = total = 1 + sum(sizes[id(part)] for part in parts)
            if total > MOST_VALUES:
                raise YAMLProblem(node.start_mark.line + offset, _(
                    "aliases (*name) repeat this value into more than {most} values, more than any file needs; write "
                    "the values out instead of repeating them with & and *").format(most=f"{MOST_VALUES:,}"))
        elif id(node) in opened:
            raise YAMLProblem(node.start_mark.line + offset, _(
                "this value contains itself through an alias (*name); write its values out instead"))
        elif id(node) not in sizes:
            opened.add(id(node))
            stack.append((node, True))
            stack.extend((part, False) for part in reversed(parts))  # read in the order written


def _refuse_joined_items(root, text: str, offset: int) -> None:
    """YAMLProblem at a ``- `` line that YAML joined to the list item above
    it, as it starts further in (``- seniors`` then ``  - parents`` is the
    one item "seniors - parents", said as an unknown segment near another name)."""
    lines = text.splitlines()
    for node in _each_node_once(root):
        if not isinstance(node, yaml.SequenceNode) or node.flow_style:
            continue
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or item.style or item.end_mark.line == item.start_mark.line:
                continue
            for number in range(item.start_mark.line + 1, min(item.end_mark.line + 1, len(lines))):
                if lines[number].lstrip().startswith("- "):
                    raise YAMLProblem(number + offset, _item_out_of_column())


def _item_out_of_column() -> str:
    """What to say of a ``- `` line at another column than the list's item above it."""
    return _('this "- " line starts at another column than the list item above it, so YAML does not read it as the '
             'next item; start every "- " of the list in the same column')


def _refuse_repeated_keys(root, offset: int) -> None:
    """YAMLProblem at the second of two equal keys of one mapping (before
    construction, so that keys merged in with ``<<`` do not count)."""
    for node in _each_node_once(root):
        first_lines: dict = {}
        for key_node, _value in _children(node):
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key, line = (key_node.tag, key_node.value), key_node.start_mark.line + offset
            if key in first_lines:
                where = _("on line {line}").format(line=line) if first_lines[key] == line else _("on lines {first} and {line}").format(
                    first=first_lines[key], line=line)
                raise YAMLProblem(line, _('"{key}" is given twice, {where}; keep one of them (otherwise the last one would silently win)').format(
                    key=key_node.value, where=where))
            first_lines[key] = line


# A hashtag after a value written without quotes (title: 가을 축제 #성동구):
# YAML reads " #" as the start of a note, and the value went out without it.
# A note written as notes are (# and a space) is one.
_HASHTAG = re.compile(r"[ \t]+#(\S[^\n]*)")


def _refuse_hashtags(root, text: str, offset: int) -> None:
    """YAMLProblem at the first value without quotes that a hashtag follows."""
    for node in _each_node_once(root):
        for key_node, value in _children(node):
            if not isinstance(value, yaml.ScalarNode) or value.style not in (None, ""):  # "": plain, as libyaml says it
                continue
            found = _HASHTAG.match(text, value.end_mark.index)
            if found is None:
                continue
            written = f"{value.value} #{found.group(1).rstrip()}".lstrip()  # a value of nothing but the hashtag, too
            quoted = '"' + written.replace('"', '\\"') + '"'
            fixed = f"{key_node.value}: {quoted}" if isinstance(key_node, yaml.ScalarNode) else f"- {quoted}"
            raise YAMLProblem(value.end_mark.line + offset, _(
                '"#{tag}" is read as a note and left out of the value; to keep it, put the whole value in double '
                "quotes: {fixed}").format(tag=found.group(1).split()[0], fixed=fixed))


def _record_lines(node, path, lines, offset, blocks, seen=None):
    """Each key path's line into ``lines``, and into ``blocks`` the paths whose value is a block of text."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return  # an alias: its lines are those of its anchor
    seen.add(id(node))
    for index, (key_node, value_node) in enumerate(_children(node)):
        key = index if key_node is None else key_node.value
        if not isinstance(key, (str, int)):
            continue  # a complex key (a list or a map): no path names it
        lines[path + (key,)] = (key_node or value_node).start_mark.line + offset
        if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
            blocks.add(path + (key,))
        _record_lines(value_node, path + (key,), lines, offset, blocks, seen)


# libyaml's words for a line that is no 'key: value' among keys
_NO_COLON = "could not find expected ':'"
# libyaml's contexts of an unclosed opening: a quote, a bracket
_UNCLOSED_QUOTE, _UNCLOSED_FLOW = _OPENINGS = ("while scanning a quoted scalar", "while parsing a flow")
# libyaml's words for a mistake (its problem, or its context) -> what to write instead, said plainly
def _backslash_advice() -> str:
    return _("a backslash (\\) in double quotes starts a code YAML does not know (a Windows path, images\\poster.jpg); "
             "write paths with / (images/poster.jpg), or put the value in single quotes")


_PLAIN_WORDS = (
    (_UNCLOSED_QUOTE, lambda: _(
        "a quote opened on this line is never closed; end the value with the same quote mark (\" or ')")),
    ("did not find expected key", lambda: _(
        "text follows a value's closing quote, or this line is indented unlike the keys above it; keep the whole "
        "value inside the quotes and start every key at the same column")),
    ("did not find expected '-' indicator", lambda: _(
        "this line is indented unlike the list item above it; start each item with - at the list's column, and its "
        "other keys at the column of the key after its -")),
    ("found character that cannot start any token", lambda: _(
        "a value starts with a character YAML keeps for itself (@ or `); put the value in double quotes")),
    ("found unknown escape character", _backslash_advice),
    ("expected hexdecimal number", _backslash_advice),  # C:\Users: \U and 8 hex digits
    ("invalid Unicode character escape code", lambda: _(  # "\uDCFF": half of a character, which no text holds
        "a \\u or \\U code in double quotes names no character (\\uD800 to \\uDFFF are halves of one); write the "
        "character itself, or delete the code")),
    ("while scanning an alias", lambda: _(
        "a value starts with *, which YAML reads as a reference; put the value in double quotes")),
    ("but found another document", lambda: _(  # a second '---': two surveys in one file
        "this '---' line starts a second document, and a file holds one (one survey, one list); delete this line "
        "(another survey goes in a file of its own)")),
    (_UNCLOSED_FLOW, lambda: _(
        "a bracket ({brackets}) opened in this value is never closed; close it, or put the value in double quotes "
        "when the bracket is part of the text").format(brackets="[ or {")),
)


# A value that starts with a sign YAML keeps for itself, then text (!중요 안내,
# | 안내, - 안내, %할인, &안내): not valid YAML, said in libyaml's words (@ and ` have theirs).
_UNKNOWN_TAG = re.compile(r"could not determine a constructor for the tag '(.*)'")
# a list item without the blank after its "-" (-seniors), which YAML reads as text, not an item
_DASH_UNSPACED = re.compile(r"\s*-(?![-\s])(.+)")
_SIGN_FIRST = re.compile(r"^[ \t]*(?:- )?([A-Za-z_][\w-]*):[ \t]+([!%&]\S.*?|[|>][ \t]*[^\s#0-9+-].*?|[?-][ \t]+\S.*?)[ \t]*$")
# A title that starts with a word in brackets, as Korean notices' do
# ("[공지] 한파 대비 안내"): YAML reads the brackets as a list.
_BRACKETED = re.compile(r"^[ \t]*(?:- )?([A-Za-z_][\w-]*):[ \t]+(\[[^\]\n]*\][ \t]*[^ \t#,].*?)[ \t]*$")


def _indented_under_value(text: str, mark) -> str | None:
    """The key of the line above the error's when that holds a value and the
    error's line is a key indented further (a line pasted with spaces before it)."""
    lines = text.split("\n")
    if mark is None or not 0 < mark.line < len(lines):
        return None
    here = _KEY_LINE.match(lines[mark.line])
    above = next((line for line in reversed(lines[:mark.line]) if line.strip()), "")
    key_above = re.match(r"([ \t]*(?:-[ \t]+)?)([A-Za-z_][\w-]*):[ \t]+\S", above)  # its column: after a list's "- "
    if here and key_above and len(here.group(1)) > len(key_above.group(1)):
        return key_above.group(2)
    return None


def _explain(exc, text, mark) -> str:
    """Turn libyaml's message into advice a non-programmer can follow."""
    problem = exc.problem or "is not valid YAML"
    source_line = ""
    if mark is not None:
        all_lines = text.splitlines()
        if 0 <= mark.line < len(all_lines):
            source_line = all_lines[mark.line]
    if "mapping values are not allowed" in problem and (above := _indented_under_value(text, mark)):
        return _("this line is indented further than {above} above it, so it is read as more of {above}'s value; "
                 "start it at the same column as {above}: {fixed}").format(above=above, fixed=source_line.strip())
    if "mapping values are not allowed" in problem and ":" in source_line:
        key, _colon, value = source_line.partition(":")
        value = value.strip()
        if value[:1] in "“‘" and value[-1:] in "”’":  # a word processor's quotes, which YAML takes for text
            value = value[1:-1]
        if re.match(r"[a-z_]+: ", value):  # event: start: 2026-11-20, a key of event's map on its line
            return _('a key follows {key}: on the same line; write the keys of {key} in braces: {key}: {{{value}}} '
                     '(or, if this is text, in double quotes)').format(key=key.strip(), value=value)
        value = value.replace('"', '\\"')
        return (
            _('a value holds a colon (:), which YAML reads as a new key; put the value in double quotes: {key}: "{value}"').format(
                key=key.strip(), value=value)
        )
    if signed := _SIGN_FIRST.match(source_line):
        key, value = signed.groups()
        return _('the value of {key} starts with {sign}, which YAML reads as a sign of its own; put the whole value in '
                 'double quotes: {key}: "{value}"').format(key=key, sign=value[0], value=value.replace('"', '\\"'))
    if tagged := _UNKNOWN_TAG.match(problem):
        return _("{tag} is a sign of YAML's own (a tag), which Sotong does not read; delete it, or put the whole value "
                 "in double quotes").format(tag=tagged.group(1).replace("tag:yaml.org,2002:", "!!"))
    bracketed = _BRACKETED.match(source_line)
    if bracketed and "did not find expected key" in problem:
        key, value = bracketed.groups()
        return _('the value of {key} starts with a bracket, which YAML reads as a list, and text follows it; put the '
                 'whole value in double quotes: {key}: "{value}"').format(key=key, value=value.replace('"', '\\"'))
    if "found character '\\t'" in problem or "\t" in source_line:
        return _("a tab is used for indentation; indent with spaces instead")
    if source_line.lstrip().startswith("- ") and ("expected key" in problem or "expected <block end>" in problem):
        return _item_out_of_column()
    if unspaced := _DASH_UNSPACED.match(source_line):
        return _('a list item needs a blank after its "-"; write - {item}').format(item=unspaced.group(1))
    for known, advice in _PLAIN_WORDS:
        if known in problem or known in (exc.context or ""):
            return advice()
    if _NO_COLON in problem or "expected <block end>" in problem:
        return _("this line cannot be read as 'key: value'; check the indentation and that each line has a colon after its key")
    return _("not valid YAML: {problem}; check quotes and indentation on this line").format(
        problem=problem)
