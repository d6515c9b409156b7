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
