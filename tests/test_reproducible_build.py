"""Two `sotong build` runs of the same content and settings make the same
bytes, so the operator can diff what changed and a deploy uploads only real
changes: whenever they run (the wall clock moves on between them, and their
machines' zones are a day apart), whatever Python's hash seed, wherever the
project is and in whatever order the disk lists its folders. An empty feed
(the sample's idcard category; with no notices, every feed) once said when
it was written; now it gives the Unix epoch (sotong.feed_time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from project_support import copy_project, differing_files, run_sotong

HERE = Path(__file__).resolve().parent
EMPTY_FEED_TIMES = (b"<updated>1970-01-01T00:00:00+00:00</updated>", b"<lastBuildDate>Thu, 01 Jan 1970 00:00:00 +0000")


def build_listing_reversed(project: Path, env: dict) -> None:
    """``sotong build`` in ``project`` with every folder listed backwards (listing_reversed.py)."""
    completed = subprocess.run([sys.executable, str(HERE / "listing_reversed.py"), "build"], cwd=project,
                               env=dict(os.environ, **env), capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize("notices", [True, False], ids=["sample", "no-notices"])
def test_two_builds_at_other_times_zones_seeds_and_listing_orders_make_the_same_bytes(tmp_path, notices):
    (tmp_path / "first").mkdir()
    (tmp_path / "second" / "elsewhere").mkdir(parents=True)
    first = copy_project(tmp_path / "first", notices=notices)
    second = copy_project(tmp_path / "second" / "elsewhere", notices=notices)
    built = run_sotong(first, "build", env={"TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "1"})  # UTC+14
    assert built.code == 0, built.output
    build_listing_reversed(second, {"TZ": "Pacific/Pago_Pago", "PYTHONHASHSEED": "2"})  # UTC-11: another day
    assert differing_files(first / "output", second / "output") == []

    feeds = {path.relative_to(first / "output").as_posix(): path.read_bytes() for path in (first / "output").rglob("*.xml")}
    empty = {name for name, feed in feeds.items() if b"<entry>" not in feed and b"<item>" not in feed}
    assert empty == ({"feeds/category/idcard.atom.xml"} if notices else set(feeds))  # Pelican's, the newsletter's, SNS
    assert {"newsletter/feed.atom.xml", "sns/twitter.xml"} <= set(feeds)
    assert all(any(time in feeds[name] for time in EMPTY_FEED_TIMES) for name in empty)
    assert not any(time in feeds[name] for time in EMPTY_FEED_TIMES for name in set(feeds) - empty)  # their newest entry's
