"""Run ``sotong ARGS`` (``python listing_reversed.py ARGS``) with every
folder listed in the reverse of the order the file system gives:
``os.listdir`` and ``os.scandir``, and so ``os.walk``, ``glob`` and
``pathlib``, which read folders through them. Two builds of the same content,
one so, must still make the same bytes: nothing Sotong writes may follow
the order in which a disk happens to list a folder."""

from __future__ import annotations

import os
import sys

_listdir, _scandir = os.listdir, os.scandir


class _ReversedScan:
    """``os.scandir``'s iterator and context manager, its entries reversed."""

    def __init__(self, path):
        with _scandir(path) as entries:
            self.entries = list(entries)[::-1]

    def __iter__(self):
        return self

    def __next__(self):
        if not self.entries:
            raise StopIteration
        return self.entries.pop(0)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self.entries = []


def _reversed_listdir(path="."):
    return _listdir(path)[::-1]


def _reversed_scandir(path="."):
    return _ReversedScan(path)


if __name__ == "__main__":
    os.listdir, os.scandir = _reversed_listdir, _reversed_scandir
    from sotong.cli import main

    sys.argv[0] = "sotong"
    main()
