"""``sotong.atomic.replacing``: a file written whole or not at all. A stop
(Ctrl+C, or SIGTERM where a command takes it as Ctrl+C) raises
KeyboardInterrupt wherever Python is when it comes, which the test makes
happen at the worst moment: the target stays as it was, and no part of the
new file is left beside it."""

from __future__ import annotations

from interrupting import stopped_when

from sotong.atomic import replacing_text


def test_a_stop_as_the_temporary_file_is_created_leaves_no_part_of_it(tmp_path):
    """Stopped the moment the temporary file exists (the forget and export
    tests of test_ctrl_c, stopping the command as it appeared, met it): it
    was left, hidden beside the file, since replacing learnt its name only
    once tempfile.mkstemp had returned."""
    target = tmp_path / "people.csv"
    target.write_text("before", encoding="utf-8")
    with stopped_when(lambda: len(list(tmp_path.iterdir())) > 1):
        with replacing_text(target) as out:
            out.write("after")
    assert [path.name for path in tmp_path.iterdir()] == ["people.csv"]
    assert target.read_text(encoding="utf-8") == "before"
