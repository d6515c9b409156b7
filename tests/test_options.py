"""sotong.options: the day types every command shares (click's DateTime),
each mistake one line, exit 2."""

import datetime as dt

import click
import pytest
from click.testing import CliRunner

from sotong.options import DAY, DAY_TEXT, ISSUE_DAY


@click.command()
@click.option("--day", type=DAY)
@click.option("--key", type=DAY_TEXT)
@click.option("--issue", type=ISSUE_DAY)
def show(day, key, issue):
    click.echo(repr((day, key, issue)))


def run(*args):
    return CliRunner().invoke(show, list(args))


def test_days_are_dates_or_their_text():
    result = run("--day", "2026-02-28", "--key", "2026-11-01", "--issue", "2026-11-26")
    assert result.exit_code == 0
    assert result.output.strip() == repr((dt.date(2026, 2, 28), "2026-11-01", dt.date(2026, 11, 26)))


@pytest.mark.parametrize("option, bad, example", [
    ("--day", "2026-02-30", "2026-11-26"), ("--issue", "next week", "2026-11-26"),
    # a day written as staff write one is answered with itself, as the option takes it
    ("--day", "26-11-13", "2026-11-13"), ("--key", "2026-1-5", "2026-01-05"), ("--day", "2026-11-26 10:00", "2026-11-26"),
    ("--issue", "2026.12.10", "2026-12-10"), ("--issue", "2026년 12월 10일", "2026-12-10")])
def test_a_wrong_day_is_one_line_exit_2(option, bad, example):
    result = run(option, bad)
    assert result.exit_code == 2
    assert result.output == f'Error: {option} "{bad}" is not a date; write it as YYYY-MM-DD, e.g. {option} {example}\n'


def test_an_issue_day_is_a_2nd_or_4th_thursday():
    result = run("--issue", "2026-11-25")
    assert result.exit_code == 2
    assert result.output == ("Error: --issue 2026-11-25 is not an issue date (2nd or 4th Thursday); "
                             "the one before it is 2026-11-12, the next one 2026-11-26\n")
