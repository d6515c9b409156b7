"""``sotong bundles`` loses nothing and leaves nothing behind (issue #8): the
staging folders of killed runs are removed by the next run, and a full disk
is one line and exit 1, with the earlier outbox as it was."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from project_support import REPO, copy_project, run_sotong

ISSUE = "2026-11-26"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = copy_project(tmp_path_factory.mktemp("bundles"))
    imported = run_sotong(folder, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"))
    assert imported.code == 0, imported.output
    return folder


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(project):
    outbox = project / "private" / "outbox"
    killed = subprocess.Popen([sys.executable, "-m", "sotong", "bundles", "--issue", ISSUE], cwd=project,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = outbox / f".{ISSUE}.writing-{killed.pid}"
    while killed.poll() is None and not (staging / "manifest.jsonl").exists():
        pass
    killed.kill()
    killed.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = outbox / f".{ISSUE}.writing-{running.pid}"  # another run, still going
        (alive / "email").mkdir(parents=True)
        left = [path for path in outbox.iterdir() if path.name.startswith(f".{ISSUE}.writing-")]
        assert staging in left, "the killed run did not get to write its staging folder"
        result = run_sotong(project, "bundles", "--issue", ISSUE)
        assert result.code == 0, result.output
        assert sorted(path.name for path in outbox.iterdir() if path.name.startswith(".")) == [alive.name]
    finally:
        running.kill()
        running.wait()


@pytest.fixture
def small_disk(tmp_path):
    """A 256 KiB tmpfs: a real full disk (needs root, as in CI)."""
    mount_point = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
    mount_point.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_a_full_disk_is_one_line_exit_1_and_the_earlier_outbox_stays(project, small_disk):
    earlier = small_disk / ISSUE
    earlier.mkdir()
    (earlier / "manifest.jsonl").write_text('{"id": "S1", "channel": "sms", "notices": ["a"], "file": null}\n')
    settings = project / "small-disk.py"
    settings.write_text(f"from pelicanconf import *\nOUTBOX_PATH = {str(small_disk)!r}\n", encoding="utf-8")
    result = run_sotong(project, "bundles", "--issue", ISSUE, "-s", settings.name)
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"{small_disk}: cannot write the outbox (No space left on device); the outbox of {ISSUE} is as it was. "
        "Free some space (or make the folder writable) and run the same command again"]
    assert sorted(path.name for path in small_disk.iterdir()) == [ISSUE]
    assert (earlier / "manifest.jsonl").read_text() == '{"id": "S1", "channel": "sms", "notices": ["a"], "file": null}\n'


def test_a_bundles_run_while_another_of_the_same_bundle_runs_is_refused_and_the_outbox_stays(project):
    """Two runs of one bundle at once each replaced the outbox in two renames:
    one's could find the folder gone between the other's, or made again."""
    from sotong.atomic import one_at_a_time

    assert run_sotong(project, "bundles", "--issue", ISSUE).code == 0
    manifest = project / "private" / "outbox" / ISSUE / "manifest.jsonl"
    written = manifest.stat().st_mtime_ns
    with one_at_a_time(project / "private" / "locks" / f"bundles-{ISSUE}.lock", "held by the test"):
        result = run_sotong(project, "bundles", "--issue", ISSUE)
        other = run_sotong(project, "bundles", "--issue", "2026-12-10")  # another bundle goes on
    assert result.code == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"another sotong bundles of {ISSUE} is running; wait for it to finish, and bundle again if something "
        "changed since it began"]
    assert manifest.stat().st_mtime_ns == written
    assert other.code == 0, other.output
    assert not [path for path in manifest.parent.parent.iterdir() if path.name.startswith(f".{ISSUE}.writing-")]
