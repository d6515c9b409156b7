"""``--help`` of every sotong command read in an 80-column terminal, where a
Hangul syllable takes two columns: no line is wider than the terminal, each
options or commands list starts its texts at one column, and a command's
short help is cut to its one line; the rules under it against their
brute-force readings: wrapping (lines within the width, broken at spaces, a
word broken only when wider than a line) and cutting (the first words that
fit, then "...")."""

import concurrent.futures
import re
import unicodedata

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from project_support import invoke_sotong, run_sotong

from sotong.help_layout import shorten, wrap

TERMINAL = 80


def columns(text: str) -> int:
    """The columns a terminal gives ``text``, read from the Unicode tables
    directly: East Asian Wide and Fullwidth two, combining marks none."""
    return sum(0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
               for char in text)


def command_paths(group: click.Group, path: tuple[str, ...] = ()):
    """Every command and subcommand of ``group``, as the words typed after ``sotong``."""
    from sotong.cli import LazyCommand

    for name in sorted(group.commands):
        command = group.commands[name]
        if isinstance(command, LazyCommand):
            command = command.load()
        if command.hidden:
            continue
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*path, name))


def blocks(helped: str):
    """Each list of the help (옵션:, 명령:, Options:, Commands:) as its heading and lines."""
    for block in re.split(r"\n\s*\n", helped):
        heading, _newline, body = block.partition("\n")
        if heading.endswith(":") and body:
            yield heading, body.splitlines()


def text_columns(lines: list[str]) -> list[tuple[int, bool]]:
    """The column each line's text starts at, and whether it is a term's own line."""
    starts = []
    for line in lines:
        if line.startswith("  ") and not line.startswith("   "):  # a term, its text after two spaces or more
            if found := re.match(r"(  \S.*?\s{2,})\S", line):
                starts.append((columns(found.group(1)), True))
        else:  # its text going on, or after a term too wide to have it on its line
            starts.append((len(line) - len(line.lstrip(" ")), False))
    return starts


def layout_problems(words: tuple[str, ...], helped: str) -> list[str]:
    """What is wrong in the layout of ``sotong WORDS --help``: a line wider
    than the terminal, a list whose texts start at different columns, a
    command's short help going on to a second line or cut after a full
    stop (click's "time." and "...": "time....")."""
    where = " ".join(("sotong", *words, "--help"))
    problems = [f"{where}: {columns(line)} columns: {line}" for line in helped.splitlines()
                if columns(line) > TERMINAL]
    for heading, lines in blocks(helped):
        starts = text_columns(lines)
        if len({column for column, _term in starts}) > 1:
            problems.append(f"{where}: {heading} texts start at columns {sorted({c for c, _t in starts})}")
        if heading in ("명령:", "Commands:") and not all(term for _column, term in starts):
            problems.append(f"{where}: {heading} a short help on two lines")
        problems += [f"{where}: a full stop before the cut's ...: {line}" for line in lines if line.endswith("....")]
    return problems


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_commands_help_fits_80_columns_with_its_lists_aligned(project_dir, language):
    """``--host 주소`` pushed its text 2 columns right of the others, Korean
    texts were wrapped at 78 characters (up to 140 columns, folded by the
    terminal mid-word) and the commands' short help was cut by characters."""
    assert invoke_sotong(project_dir, "--help").code == 0  # the plugins' commands added to the group
    from sotong.cli import cli

    paths = [(), *command_paths(cli)]
    assert len(paths) > 30 and ("subscribers", "export") in paths and ("send", "report") in paths

    def helped(words):
        result = run_sotong(project_dir, *words, "--help", env={"SOTONG_LANG": language, "COLUMNS": str(TERMINAL)})
        assert result.code == 0, result.output
        return words, result.stdout

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        shown = list(pool.map(helped, paths))
    problems = [problem for words, text in shown for problem in layout_problems(words, text)]
    assert not problems, "\n".join(problems)
    if language == "ko":
        export = dict(shown)[("subscribers", "export")]
        assert "-s, --settings 파일" in export and "사용법: sotong subscribers export" in export


def test_a_wide_terminal_is_used_up_to_sotongs_widest(monkeypatch):
    """In a terminal of 200 columns the help is laid out at sotong's widest
    (its max_content_width), in columns."""
    from sotong.cli import cli

    monkeypatch.setenv("COLUMNS", "200")
    with click.Context(cli, info_name="sotong", **cli.context_settings) as ctx:
        formatter = ctx.make_formatter()
    formatter.write_text("가" * 120)
    assert [columns(line) for line in formatter.getvalue().splitlines()] == [98, 98, 44]


GRAPHEMES = st.one_of(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E),  # ASCII letters, digits, signs
    st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # Hangul syllables
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),  # fullwidth forms
    st.tuples(st.sampled_from("aeo가나"), st.sampled_from("\u0301\u0308")).map("".join),  # with combining marks
)
WORDS = st.lists(st.lists(GRAPHEMES, min_size=1, max_size=12).map("".join), max_size=25)


@settings(max_examples=400, deadline=None)
@given(words=WORDS, width=st.integers(min_value=2, max_value=40))
def test_wrapping_keeps_each_line_within_the_width_and_each_word_whole_where_it_fits(words, width):
    lines = wrap(" ".join(words), width)
    assert all(columns(line) <= width for line in lines), lines
    pieces = [piece for line in lines for piece in line.split(" ")]
    for word in words:  # in order, unchanged when its pieces are put together, whole where it fits
        taken = ""
        while taken != word:
            assert pieces and word.startswith(taken + pieces[0]), (word, pieces)
            taken += pieces.pop(0)
            assert taken == word or columns(word) > width, (word, lines)
    assert not pieces, pieces
    for line, after in zip(lines, lines[1:]):  # broken at the last space that keeps a line within the width
        assert columns(line) + 1 + columns(after.split(" ")[0]) > width, (line, after)


@settings(max_examples=400, deadline=None)
@given(words=WORDS, width=st.integers(min_value=3, max_value=40))
def test_a_short_help_is_its_first_words_that_fit_one_line(words, width):
    text = " ".join(words)
    short = shorten(text, width)
    assert columns(short) <= width, short
    if columns(text) <= width:
        assert short == text
        return
    kept = short.removesuffix("...").split(" ") if short != "..." else []
    assert short.endswith("...") and kept == words[:len(kept)], (short, words)
    assert columns(" ".join(words[:len(kept) + 1]) + "...") > width, (short, words)  # no further word would fit
