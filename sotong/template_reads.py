"""What a template read of each notice while it rendered one page, so that
the page's key (sotong.page_keys) holds only that: a list that shows a
notice's title, date and address is kept when only its body changed.

A read is recorded as ``@KIND.NAME`` (an attribute), ``@KIND.NAME()`` (a
method called without arguments: its result) or ``@KIND.*`` (anything: the
key then holds the whole file's stamp), where KIND is ``Content`` (Pelican's
article or page) or ``Notice``. Templates reach attributes through their
environment's ``getattr`` and ``getitem`` (dots, subscripts, and the builtin
filters' ``attribute=``), which are watched; a notice handed to Python code
(a filter, a test or a function that is not Jinja's own, or a method called
with arguments) or printed whole may read anything, so it counts as ``*``.
Recording happens only inside :func:`recording`; otherwise the watched
environment behaves as Jinja's.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager

from jinja2.defaults import DEFAULT_FILTERS, DEFAULT_TESTS
from jinja2.runtime import Context, Macro
from pelican.contents import Content

from .notices import Notice

WHOLE = "*"
_reads: set[str] | None = None  # the reads of the page being rendered, while one is


def kind_of(value) -> str | None:
    """``Content`` or ``Notice`` for what a read is recorded of, else None."""
    if isinstance(value, Content):
        return "Content"
    if isinstance(value, Notice):
        return "Notice"
    return None


@contextmanager
def recording():
    """Record, into the set yielded, what templates read of notices inside."""
    global _reads
    _reads = set()
    try:
        yield _reads
    finally:
        _reads = None


class _Method:
    """A notice's method, read by a template: recorded when it is called."""

    def __init__(self, method, kind: str, name: str):
        self._method, self._kind, self._name = method, kind, name

    def __call__(self, *args, **kwargs):
        if _reads is not None:
            _reads.add(f"@{self._kind}.{self._name}()" if not args and not kwargs else f"@{self._kind}.{WHOLE}")
        return self._method(*args, **kwargs)


def _record(value, attribute, got):
    kind = kind_of(value)
    if kind is None or _reads is None:
        return got
    if not isinstance(attribute, str):
        _reads.add(f"@{kind}.{WHOLE}")
    elif callable(got) and getattr(got, "__self__", None) is value:
        return _Method(got, kind, attribute)
    else:
        _reads.add(f"@{kind}.{attribute}")
    return got


def _note_handed_over(values) -> None:
    """Notices among ``values`` (or in a list among them) may be read whole."""
    for value in values:
        items = value if isinstance(value, (list, tuple)) else (value,)
        for item in items:
            kind = kind_of(item) or (item._kind if isinstance(item, _Method) else None)
            if kind is not None:
                _reads.add(f"@{kind}.{WHOLE}")


class _WatchingContext(Context):
    """Jinja's context, noting notices handed to a function that is not a macro."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        if _reads is not None and not isinstance(__obj, (Macro, _Method)):
            _note_handed_over((*args, *kwargs.values()))
        return super().call(__obj, *args, **kwargs)


def _watched(function):
    @functools.wraps(function)
    def watching(*args, **kwargs):
        if _reads is not None:
            _note_handed_over((*args, *kwargs.values()))
        return function(*args, **kwargs)

    watching.sotong_watched = True
    return watching


def shown(value):
    """The environment's ``finalize``: a notice printed whole shows everything."""
    if _reads is not None:
        _note_handed_over((value,))
    return value


def shown_then(finalize, value):
    """``shown``, then the settings' own ``finalize``."""
    return finalize(shown(value))


def watch(environment) -> None:
    """Make ``environment`` record reads (once), and watch the filters and
    tests added to it since (call before each render)."""
    if not getattr(environment, "sotong_watched", False):
        jinja_getattr, jinja_getitem = environment.getattr, environment.getitem
        environment.getattr = lambda obj, attribute: _record(obj, attribute, jinja_getattr(obj, attribute))
        environment.getitem = lambda obj, argument: _record(obj, argument, jinja_getitem(obj, argument))
        environment.context_class = _WatchingContext
        environment.sotong_watched = True
    for table, jinjas in ((environment.filters, DEFAULT_FILTERS), (environment.tests, DEFAULT_TESTS)):
        for name, function in table.items():
            if function is not jinjas.get(name) and not getattr(function, "sotong_watched", False):
                table[name] = _watched(function)
