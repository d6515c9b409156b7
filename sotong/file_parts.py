"""A large text file read in parts by processes side by side: where to cut
it (at line breaks), a part's text, and the forked processes that work on
the parts while a progress bar (sotong.progress) counts their rows.

A cut is at a line break, which may be inside a quoted CSV cell: the reader
of the part before it says whether its last row ended there (see
``subscribers.Ending``); when not, the caller reads the file as one part.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import resource
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, TextIO

from .i18n import _
from .interrupts import how_it_ended, stop_with_the_parent
from .problems import SotongError
from .progress import progress

_PIECE_BYTES = 1 << 20


@dataclass(frozen=True)
class FilePart:
    """Part ``number`` of a file: from byte ``offset`` (0: the file's start),
    where line ``first_line`` starts, to the line ``end_line`` starts (None:
    to the file's end). Lines end at LF, CR LF or a lone CR, as Python's
    readers of text opened with ``newline=""`` count them."""

    number: int
    offset: int
    first_line: int
    end_line: int | None


WHOLE = FilePart(0, 0, 1, None)  # the whole file as one part


def lines_in(data: bytes) -> int:
    """The line breaks in ``data`` (LF, CR LF, a lone CR)."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def pieces(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file in pieces of about a MiB that end at a line feed (where no
    UTF-8 or CP949 character can be cut in two), with their offsets."""
    with path.open("rb") as file:
        offset = 0
        while piece := file.read(_PIECE_BYTES):
            piece += file.readline()
            yield offset, piece
            offset += len(piece)


def cut(path: Path, parts: int, least_lines: int) -> tuple[int, list[FilePart]]:
    """The file's lines, and the file cut into at most ``parts`` parts of
    about the same size, of at least ``least_lines`` lines each, at line feeds."""
    lines, cuts = _cuts(path, parts)
    fewer = max(1, min(parts, lines // max(least_lines, 1)))
    if fewer == 1:  # one part: the lines are counted, nothing to cut
        return lines, [WHOLE]
    if fewer < parts:  # a small file: read again
        lines, cuts = _cuts(path, fewer)
    starts = [(0, 1), *cuts]
    return lines, [FilePart(number, offset, first, starts[number + 1][1] if number + 1 < len(starts) else None)
                   for number, (offset, first) in enumerate(starts)]


def _cuts(path: Path, parts: int) -> tuple[int, list[tuple[int, int]]]:
    """The file's lines, and (offset, first line) of the starts of parts 2..``parts``:
    after the first line feed from each Nth of the file on, in one reading."""
    size = path.stat().st_size
    targets = [size * number // parts for number in range(1, parts)]
    cuts, before = [], 0  # (offset, first line); the lines before the piece
    for offset, piece in pieces(path):
        while targets and targets[0] < offset + len(piece):
            found = piece.find(b"\n", max(targets.pop(0) - offset, 0))
            if found != -1 and offset + found + 1 < size and (not cuts or cuts[-1][0] < offset + found + 1):
                cuts.append((offset + found + 1, before + lines_in(piece[:found + 1]) + 1))
        before += lines_in(piece)
    return before, cuts


def part_text(file: io.BufferedReader, part: FilePart, encoding: str) -> TextIO:
    """The text of ``file`` from the part's start (to the file's end: the
    part's reader stops at its end line); a BOM is read only at the file's start."""
    file.seek(part.offset)
    return io.TextIOWrapper(file, encoding=encoding if part.offset == 0 else encoding.removesuffix("-sig"),
                            newline="")


def in_processes(work: Callable[[FilePart, Callable[[int], None]], object], parts: list[FilePart],
                 rows: int, description: str) -> list:
    """``work(part, done)`` of each part, the first in this process and each
    other in a forked process of its own, side by side; their answers in the
    parts' order. ``done(count)`` says how many of its rows a part has done
    so far, which a progress bar of ``rows`` shows. An exception in a part
    is raised here; a forked process that dies (SIGKILL, the OOM killer) is
    a SotongError saying so, as soon as this process shows a count or waits
    for an answer."""
    with progress(rows, description, least=10_000) as advance:
        context = multiprocessing.get_context("fork")
        done = context.RawArray("q", len(parts))  # each part writes its own count
        moved = 0

        def show(count: int) -> None:  # in this process
            nonlocal moved
            _check_alive(forked)
            done[0] = count
            total = sum(done)  # read once: a forked part may write its count meanwhile
            for _done in range(total - moved):
                advance()
            moved = total

        forked = []
        try:
            for part in parts[1:]:  # forked before this process starts its part (or any thread)
                receiving, sending = context.Pipe(duplex=False)
                process = context.Process(target=_work_forked, args=(work, part, done, sending, os.getpid()),
                                          daemon=True)
                process.start()
                sending.close()
                forked.append((process, receiving))
            answers = [work(parts[0], show)]
            for process, receiving in forked:
                while not receiving.poll(0.1):
                    show(done[0])
                try:
                    succeeded, answer = receiving.recv()
                except EOFError:  # it ended without answering
                    process.join()
                    raise _stopped(process) from None
                if not succeeded:
                    raise answer
                answers.append(answer)
                show(done[0])
            return answers
        finally:
            for process, receiving in forked:
                if process.is_alive() and process.exitcode is None:
                    process.terminate()
                process.join()
                receiving.close()


def _check_alive(forked: list) -> None:
    """Raise :func:`_stopped` of a forked process that has died: one that
    answered ends with exit code 0; checked at each count a part shows."""
    for process, _receiving in forked:
        if process.exitcode:
            raise _stopped(process)


def _stopped(process) -> SotongError:
    """The error of a forked process that ended without its answer; the
    caller writes only once every part has answered, so nothing was written."""
    return SotongError([_("a worker process stopped unexpectedly ({how}); nothing was written: run the same command again").format(
        how=how_it_ended(process.exitcode))])


def _work_forked(work: Callable, part: FilePart, done, sending, parent: int) -> None:
    """In a forked process: ``work`` of ``part``, its answer (or its exception)
    sent back; killed with ``parent`` (no part left working for a command gone)."""
    stop_with_the_parent(parent)
    try:
        answer = (True, work(part, lambda count: done.__setitem__(part.number, count)))
    except BaseException as exc:  # raised again in the parent
        answer = (False, exc)
    sending.send(answer)


def peak_kilobytes() -> int:
    """This process's peak resident memory so far, in KiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
