"""What a page rendered from a template is made from, as one digest (its
key), so that a rebuild can keep a page whose key did not change
(:class:`sotong.build_state.BuildState` keeps it; the core plugin's writer asks).

A page's key is a digest of the values its template tree (the template, what
it extends, includes and imports) reads by name from the page's context,
each reduced to its *shape*:

- a notice, or an article made from one, is what the page's template read
  of it while the page was last rendered (sotong.template_reads: its title,
  address, date, summary ...), each value by its shape; or, when the
  template read anything (``@KIND.*``), the stamp of its file (what
  ``BuildState`` records for it). A list that shows a notice's title is
  kept when only the notice's body changed. Either is held as a short
  digest, computed once per build and reading: a list of thousands of
  notices is then quick to key again on each of its pages. The slot's state
  keeps these digests (:class:`KnownShapes`), and the slot's next build
  takes those of the notices whose files did not change instead of reading
  them again, when all that was read is the file's own (``OWN_NAMES``);
- a page of a paginated list is its number, its paginator's size and its
  own notices (a template reads a paginated list through its page);
- categories and the like are their names, dates their ISO form, data
  classes their fields, lists and dicts their items;
- functions are their names: what they return may depend only on what every
  page depends on (templates, settings, plugins, content other than notices,
  the day: the build state's inputs digest).

Values that are the settings' own, and the names in ``INPUT_NAMES``, are
covered by that digest and left out. A list that the template did not touch
while the page was rendered (recorded by :class:`WatchedList`; the index reads
all notices only on its first page; a page links to the next page of its
list without reading its notices) is left out too. What the page's template
left untouched and read (its *record*) is kept with the page's key, and the
next build keys the page by the same record: a page rendered from values
equal in all it read is the same page. A value of any other kind makes the
page's key None: it is rendered every time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import types

from jinja2 import meta
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper

from .notices import Notice
from .template_reads import WHOLE



class Reading:
    """What a key holds of articles (``content``) and of notices (``notice``):
    the names read, or None for the whole file. One object per value (see
    :func:`reading_of`), so that it is a quick key of the shapes held.
    ``name``: the same as text, naming it in a slot's state (KnownShapes);
    ``own``: whether every name read is one of the file's own (``OWN_NAMES``)."""

    __slots__ = ("content", "notice", "name", "own")
    _made: dict = {}

    def __init__(self, content: tuple | None, notice: tuple | None):
        self.content, self.notice = content, notice
        self.name = repr((content, notice))
        self.own = content is not None and OWN_NAMES.issuperset(content)

    @classmethod
    def of(cls, content: tuple | None, notice: tuple | None) -> Reading:
        made = cls._made.get((content, notice))
        if made is None:
            made = cls._made[content, notice] = cls(content, notice)
        return made


# What Pelican and Sotong make of an article from its own file, the settings
# and the day alone (never from other files, as its ``translations`` are): a
# notice's (sotong.notices.Notice) attributes and methods are all of this kind.
OWN_NAMES = frozenset({"title", "date", "locale_date", "modified", "locale_modified", "slug", "category",
                       "department", "url", "save_as", "summary", "status", "notice", "lang", "author", "authors",
                       "department_url", "ics_url", "source_path", "relative_source_path", "in_default_lang"})
WHOLE_READING = Reading.of(None, None)

# Context values made from what the inputs digest covers (audiences.yaml, the day).
INPUT_NAMES = frozenset({"AUDIENCES", "FIELD_LABELS", "BUILD_DAY"})
_UNTOUCHED = "untouched"
_PLAIN = (str, int, float, bool, type(None))
_MISSING = ("missing",)


class Unkeyable(Exception):
    """A value whose shape is unknown: its page has no key."""


class PageKeys:
    """Keys of the pages one build renders from templates."""

    def __init__(self, settings: dict, source_stamp, known_names: dict | None = None,
                 known_shapes: KnownShapes | None = None):
        """``source_stamp(path)``: the stamp recorded for a content file;
        ``known_names``: template -> [the names it reads, the templates it
        names], as lists, from a build of the same templates; what this build
        parses is added to it (the build state keeps it for the next);
        ``known_shapes``: what the slot's last build read of each notice."""
        self._settings = settings
        self._source_stamp = source_stamp
        self._known_shapes = known_shapes
        self._names: dict[str, frozenset] = {}
        self._files: dict[str, tuple] = {}
        self._known_names = {} if known_names is None else known_names
        self._held_shapes: dict[tuple, tuple] = {}  # (id, reading) -> (object, shape) of notices, articles, frozen data
        self._held_reads: dict[tuple, tuple] = {}  # (id, name) -> (object, shape) of plain values read of them

    def read_names(self, template) -> frozenset:
        """The context names that ``template`` and the templates it uses may read."""
        if template.name not in self._names:
            self._names[template.name] = frozenset(self._names_of_tree(template.environment, template.name))
        return self._names[template.name]

    def _names_of_tree(self, environment, name: str) -> set:
        names, seen, waiting = set(), set(), [name]
        while waiting:
            current = waiting.pop()
            if current not in seen:
                seen.add(current)
                read, used = self._names_of_one(environment, current)
                names |= read
                waiting.extend(used)
        return names

    def _names_of_one(self, environment, name: str) -> tuple[frozenset, tuple]:
        """The names one template reads, and the templates it names."""
        if name not in self._files and name in self._known_names:
            read, used = self._known_names[name]
            self._files[name] = frozenset(read), tuple(used)
        elif name not in self._files:
            try:
                source = environment.loader.get_source(environment, name)[0]
            except Exception:  # an "include ... ignore missing" of a plugin not in use
                self._files[name] = frozenset(), ()
            else:
                tree = environment.parse(source)
                self._files[name] = (frozenset(meta.find_undeclared_variables(tree)),
                                     tuple(used for used in meta.find_referenced_templates(tree) if isinstance(used, str)))
                self._known_names[name] = [sorted(self._files[name][0]), list(self._files[name][1])]
        return self._files[name]

    def varying(self, template, context: dict) -> list[str]:
        """The names ``template`` reads whose values the inputs digest does not cover."""
        settings = self._settings
        return sorted(name for name in self.read_names(template) if name in context
                      and name not in INPUT_NAMES and context[name] is not settings.get(name, _UNTOUCHED))

    def key(self, template, context: dict, names: list[str], record: frozenset) -> str | None:
        """The key of the page rendered from ``template`` with ``context``,
        leaving out the lists ``record`` names and holding of each notice
        what it says was read; None if it has none."""
        reading = reading_of(record)
        try:
            shapes = [(name, self._shape_unless(context[name], name, record, reading)) for name in names]
        except Unkeyable:
            return None
        return _digest((template.name, context.get("output_file"), shapes))

    def digest(self, *values) -> str | None:
        """The key of a file made from ``values`` alone (a feed); None if it has none."""
        try:
            return _digest(tuple(self.shape(value) for value in values))
        except Unkeyable:
            return None

    def _shape_unless(self, value, name: str, untouched: frozenset, reading: Reading):
        if name in untouched:
            return _UNTOUCHED
        if isinstance(value, Page) and f"{name}.object_list" in untouched:
            return self._page_shape(value, _UNTOUCHED)
        return self.shape(value, reading)

    def shape(self, value, reading: Reading = WHOLE_READING):
        """``value`` reduced to what a page can show of it (module docstring),
        holding of notices what ``reading`` says."""
        if isinstance(value, _PLAIN):
            return value
        if isinstance(value, (list, tuple)):
            return tuple(self.shape(item, reading) for item in value)
        if isinstance(value, (dt.date, dt.time)):
            return value.isoformat()
        held = self._held_shapes.get((id(value), reading))
        if held is not None and held[0] is value:
            return held[1]
        shape = self._other_shape(value, reading)
        if isinstance(value, (Content, Notice)) or _frozen(value):
            self._held_shapes[id(value), reading] = (value, shape)  # held: its id is not reused during the build
        return shape

    def _other_shape(self, value, reading: Reading):
        if isinstance(value, Content):
            notice = getattr(value, "notice", None)
            if reading.content is None:
                return ("content", self._source_stamp(notice.source if notice is not None else value.source_path))
            if notice is not None and reading.own and self._known_shapes is not None:
                return ("content", self._known_shapes.digest("content", notice.source, reading,
                                                             lambda: self._content_digest(value, reading)))
            return ("content", self._content_digest(value, reading))
        if isinstance(value, Notice):
            if reading.notice is None:
                return ("notice", self._source_stamp(value.source))
            if self._known_shapes is not None:
                return ("notice", self._known_shapes.digest("notice", value.source, reading,
                                                            lambda: self._notice_digest(value, reading)))
            return ("notice", self._notice_digest(value, reading))
        if isinstance(value, Page):
            return self._page_shape(value, self.shape(value.object_list, reading))
        if isinstance(value, Paginator):
            return ("paginator", value.name, value.url, value.per_page, value.count)
        if isinstance(value, URLWrapper):
            return (type(value).__name__, value.name)
        if isinstance(value, dict):
            return tuple(sorted((repr(self.shape(key, reading)), self.shape(item, reading)) for key, item in value.items()))
        if isinstance(value, (set, frozenset)):
            return tuple(sorted(repr(self.shape(item, reading)) for item in value))
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return (type(value).__qualname__,
                    tuple(self.shape(getattr(value, field.name), reading) for field in dataclasses.fields(value)))
        if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)):
            return ("code", value.__module__, value.__qualname__)
        raise Unkeyable(type(value).__name__)

    def _content_digest(self, value: Content, reading: Reading) -> str:
        return _digest((value.source_path, self._read_values(value, reading.content, reading)))

    def _notice_digest(self, value: Notice, reading: Reading) -> str:
        return _digest((value.source, self._read_values(value, reading.notice, reading)))

    def _read_values(self, value, names: tuple, reading: Reading) -> tuple:
        """The shapes of what was read of ``value``: attributes, and the
        results of methods called without arguments (``name()``)."""
        shapes = []
        for name in names:
            held = self._held_reads.get((id(value), name))
            if held is not None and held[0] is value:
                shapes.append(held[1])
                continue
            try:
                got = getattr(value, name[:-2])() if name.endswith("()") else getattr(value, name, _MISSING)
            except Exception as exc:  # as rendering would have failed, or read something else
                raise Unkeyable(name) from exc
            shapes.append(_MISSING if got is _MISSING else self.shape(got, reading))
            if isinstance(got, (*_PLAIN, dt.date, dt.time)):  # the same whatever the reading
                self._held_reads[id(value), name] = (value, shapes[-1])
        return tuple(shapes)

    @staticmethod
    def _page_shape(page: Page, items) -> tuple:
        return ("page", page.number, page.paginator.num_pages, page.paginator.count, items)


class KnownShapes:
    """The digests of what the pages of a slot's last build read of each
    notice's article (by reading, of the file's own values only: ``OWN_NAMES``),
    so that a rebuild keys its lists without reading again the thousands of
    notices that did not change. ``before``: kind and reading -> {notice
    file: digest}, from the slot's state; ``unchanged(path)``: whether the notice
    file and what every page depends on are as that build found them.
    ``now`` holds the digests this build used, for the slot's next build."""

    def __init__(self, before: dict, unchanged):
        self._before, self._unchanged = before, unchanged
        self.now: dict[str, dict[str, str]] = {}

    def digest(self, kind: str, source: str, reading: Reading, compute) -> str:
        """The digest of what ``reading`` holds of the ``kind`` ("content" or
        "notice") read from ``source``: the last build's, if the file is
        unchanged, else ``compute()``."""
        name = f"{kind} {reading.name}"
        known = self._before.get(name)
        digest = known.get(source) if isinstance(known, dict) and self._unchanged(source) else None
        if not isinstance(digest, str):
            digest = compute()
        self.now.setdefault(name, {})[source] = digest
        return digest


def reading_of(record: frozenset) -> Reading:
    """What a page's record (sotong.template_reads) says its template read of
    articles and of notices: the names, or None for the whole file."""
    read = {"Content": [], "Notice": []}
    for entry in record:
        if entry.startswith("@"):
            kind, _, name = entry[1:].partition(".")
            read[kind].append(name)
    return Reading.of(*(None if WHOLE in names else tuple(sorted(names)) for names in (read["Content"], read["Notice"])))


def _frozen(value) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return params is not None and params.frozen


def _digest(shapes) -> str:
    return hashlib.sha256(repr(shapes).encode()).hexdigest()[:32]


class WatchedList(list):
    """A copy of a list that notes, in ``touched``, whether a template used it."""

    def __init__(self, items):
        super().__init__(items)
        self.touched = False

    def _touch(self):
        self.touched = True

    def __getattribute__(self, name):
        if not name.startswith("_") and name != "touched":
            list.__setattr__(self, "touched", True)  # .index(), .copy() ...
        return super().__getattribute__(name)

    def __iter__(self):
        self._touch()
        return super().__iter__()

    def __len__(self):
        self._touch()
        return super().__len__()

    def __bool__(self):
        self._touch()
        return super().__len__() > 0

    def __getitem__(self, index):
        self._touch()
        return super().__getitem__(index)

    def __contains__(self, item):
        self._touch()
        return super().__contains__(item)

    def __add__(self, other):
        self._touch()
        return list(super().__iter__()) + list(other)

    def __radd__(self, other):
        self._touch()
        return list(other) + list(super().__iter__())

    def __reversed__(self):
        self._touch()
        return super().__reversed__()

    def __eq__(self, other):
        self._touch()
        return super().__eq__(other)

    __hash__ = None


def watch_lists(context: dict, names: list[str]) -> dict[str, WatchedList]:
    """Replace the lists among ``names`` in ``context``, and the notices of
    the pages of a paginated list (``articles_next_page.object_list``: the
    next page's link reads only its address), with watched copies."""
    watched = {}
    for name in names:
        value = context[name]
        if type(value) is list:
            watched[name] = context[name] = WatchedList(value)
        elif isinstance(value, Page) and type(value.object_list) is list:
            watched[f"{name}.object_list"] = value.object_list = WatchedList(value.object_list)
    return watched
