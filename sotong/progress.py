"""The progress bar of long commands (rich, on stderr), shown only when
stderr is a terminal, so that logs and pipes get no control characters."""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterable, Iterator

REDRAWS = 200  # the bar moves at most this many times, however many items
TITLE_CELLS = 36  # at most, of a line of 80 columns: the bar, the count and the time left always show beside it


@contextlib.contextmanager
def progress(total: int, description: str, least: int = 1) -> Iterator[Callable[..., None]]:
    """A callable to call once per item done (it takes and ignores any
    arguments, so it can be a callback); it moves a bar when stderr is a
    terminal and there are ``least`` items or more, and does nothing otherwise."""
    if not sys.stderr.isatty() or total < max(least, 1):
        yield lambda *done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Column

    every, count = max(1, total // REDRAWS), 0
    title = TextColumn("{task.description}", table_column=Column(max_width=TITLE_CELLS, no_wrap=True, overflow="ellipsis"))
    done = TextColumn("{task.completed:,.0f}/{task.total:,.0f}", justify="right", style="progress.download")  # 1,200/52,341
    with Progress(title, BarColumn(), done, TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)

        def advance(*done) -> None:
            nonlocal count
            count += 1
            if count % every == 0 or count == total:
                bar.update(task, completed=count)

        yield advance


def tracked(items: list, description: str, least: int = 1) -> Iterable:
    """``items`` one by one, moving a bar (see :func:`progress`) as each is taken."""
    with progress(len(items), description, least) as advance:
        for item in items:
            yield item
            advance()
