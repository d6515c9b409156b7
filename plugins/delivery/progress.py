"""A progress bar on stderr for the delivery plugin's long commands, shown
only when stderr is a terminal (rich)."""

from __future__ import annotations

import contextlib
import sys


@contextlib.contextmanager
def progress(total: int, description: str):
    """A callable to call once per item done (a message settled, a mail read);
    it moves a bar when stderr is a terminal and does nothing otherwise."""
    if not sys.stderr.isatty() or total == 0:
        yield lambda *done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda *done: bar.advance(task)

