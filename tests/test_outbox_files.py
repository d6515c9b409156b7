"""Which message files an outbox's manifest may name (issue 15: a send
worker joining a large outbox spent seconds resolving every file's path):
``MessageFiles.holds`` lists each folder once and agrees with the plain
reading, the path resolved (symbolic links followed) and inside the outbox
and a file, for any path built of names, ``.``, ``..``, links and files."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from delivery.outbox import MessageFiles, read_outbox
from sotong.problems import SotongError

# names, and a link followed by "..", which leads elsewhere than dropping both would
PARTS = ["email", "a.eml", "link.eml", "out.eml", "dirlink", "inlink", "outdir", "sms.csv", ".", "..", "",
         "dirlink/..", "inlink/..", "email/outdir/.."]


def outbox_tree(root: Path) -> Path:
    """An outbox with files, a link to a file inside and one outside, a link
    to a folder inside and one outside, and a file outside."""
    folder = root / "outbox" / "2026-11-26"
    (folder / "email").mkdir(parents=True)
    for name in ("a.eml", "b.eml"):
        (folder / "email" / name).write_bytes(b"To: <r@example.com>\n\nx\n")
    (folder / "sms.csv").write_text("id,phone,type,bytes,text\n")
    (root / "outbox" / "out.eml").write_bytes(b"x")
    (root / "outdir").mkdir()
    (root / "outdir" / "a.eml").write_bytes(b"x")
    os.symlink("a.eml", folder / "email" / "link.eml")
    os.symlink("../../out.eml", folder / "email" / "out.eml")
    os.symlink("../../outdir", folder / "email" / "outdir")
    os.symlink("email", folder / "inlink")
    os.symlink("../../outdir", folder / "dirlink")
    return folder


def resolved_inside(folder: Path, file: str) -> bool:
    """The plain reading: the path resolved is a file inside the outbox."""
    try:
        path = (folder / file).resolve()
    except (OSError, ValueError):
        return False
    return path.is_relative_to(folder.resolve()) and path.is_file()


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return outbox_tree(tmp_path_factory.mktemp("tree"))


@settings(max_examples=300, deadline=None)
@given(files=st.lists(st.lists(st.sampled_from(PARTS), min_size=1, max_size=5).map("/".join), min_size=1, max_size=8),
       absolute=st.booleans())
def test_holds_agrees_with_resolving_each_path(tree, files, absolute):
    files = [str(tree / file) if absolute else file for file in files]
    holds = MessageFiles(tree).holds  # a new listing each time, as each read_outbox makes one
    assert [holds(file) for file in files] == [resolved_inside(tree, file) for file in files]


def test_the_listing_knows_the_files_links_and_what_leads_outside(tmp_path):
    folder = outbox_tree(tmp_path)
    files = MessageFiles(folder)
    assert [files.holds(file) for file in ("email/a.eml", "email//b.eml", "./email/a.eml", "email/link.eml",
                                           "inlink/a.eml", "email/../email/a.eml", "inlink/../email/a.eml")] == [True] * 7
    assert [files.holds(file) for file in ("email/c.eml", "email", "email/out.eml", "dirlink/a.eml",
                                           "email/outdir/a.eml", "../out.eml", "sms.csv/a.eml", "",
                                           "dirlink/../email/a.eml", "email/outdir/../a.eml")] == [False] * 10
    assert set(files.listings) == {"email", "inlink", "dirlink", "email/outdir", "", "sms.csv"}


def test_a_manifest_naming_a_file_outside_the_outbox_is_refused_by_line(tmp_path):
    folder = outbox_tree(tmp_path)
    lines = [f'{{"id": "{subscriber_id}", "channel": "email", "notices": ["n"], "banner": null, "file": "{file}"}}'
             for subscriber_id, file in (("S1", "email/a.eml"), ("S2", "email/out.eml"), ("S3", "../out.eml"),
                                         ("S4", "email/link.eml"))]
    (folder / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(SotongError) as error:
        len(read_outbox({"OUTBOX_PATH": str(folder.parent)}, folder.name, "issue", str).messages)
    problems = [(problem.line, problem.message) for problem in error.value.problems]
    assert [line for line, _ in problems] == [2, 3]
    assert all("is missing; make the outbox again" in message for _, message in problems)


def test_a_path_written_as_its_folder_was_before_is_not_normalized_again(tmp_path, monkeypatch):
    folder = outbox_tree(tmp_path)
    files = MessageFiles(folder)
    normalized = []
    normpath = posixpath.normpath
    monkeypatch.setattr(posixpath, "normpath", lambda path: normalized.append(path) or normpath(path))
    assert [files.holds(file) for file in ("email/a.eml", "email/b.eml", "email/c.eml", "email/link.eml",
                                           "email/.", "email/..", "email/", "email/./a.eml", "/email/a.eml")] == \
        [True, True, False, True, False, False, False, True, False]
    assert [path for path in normalized if not os.path.isabs(path)] == ["email/a.eml", "email/.", "email/", "email/./a.eml"]
