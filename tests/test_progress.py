"""sotong.progress: the one progress bar of long commands, on stderr only
when it is a terminal."""

import io

from sotong.progress import progress, tracked


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_no_terminal_no_bar_and_every_item_still_taken(capsys):
    assert list(tracked(list(range(5)), "Checking rows")) == [0, 1, 2, 3, 4]
    with progress(3, "Sending") as advance:
        advance("a message", "settled")  # takes a callback's arguments
    assert capsys.readouterr().err == ""


def test_a_terminal_shows_the_bar_from_the_least_count_on(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert list(tracked(list(range(9)), "Few rows", least=10)) == list(range(9))
    assert terminal.getvalue() == ""
    assert list(tracked(list(range(10)), "Checking rows", least=10)) == list(range(10))
    assert "Checking rows" in terminal.getvalue() and "10/10" in terminal.getvalue()


def test_a_long_title_leaves_the_count_showing_on_80_columns(monkeypatch):
    """The title of a send on PostgreSQL (87 columns in Korean) took the whole
    line of an 80-column terminal: no bar, no count, no time left."""
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setenv("COLUMNS", "80")
    title = "2026-12-10 발송 중 (같은 발송함을 함께 보내는 다른 sotong send가 있으면 이 작업자의 몫)"
    assert list(tracked(list(range(120)), title)) == list(range(120))
    assert "120/120" in terminal.getvalue() and "2026-12-10 발송 중" in terminal.getvalue()


def test_the_count_separates_thousands(monkeypatch):
    """A bar of a district's list read "52341/120000"; it reads "1,200/1,200" as the summaries do."""
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert len(list(tracked(list(range(1_200)), "Checking rows"))) == 1_200
    assert "1,200/1,200" in terminal.getvalue()
