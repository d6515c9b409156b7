"""Command-line value types every command shares, built on click's own: a
day (``--issue 2026-11-26``, ``--since``, ``--after``) and an issue day, each
mistake said in one line (exit 2) with what to write instead."""

from __future__ import annotations

import datetime as dt

import click

from .i18n import _
from .schedule import YEARS, is_issue_date, next_issue, previous_issue


class OneLineUsageError(click.UsageError):
    """A command-line mistake said in one line (exit 2), without the usage text."""

    def show(self, file=None):
        click.echo(_("Error: {message}").format(message=self.format_message()), err=True)


class OneLineCommand(click.Command):
    """A command staff type (``sotong new``), each of whose command-line
    mistakes is said in one line (exit 2) with what to write instead, not in
    click's three (its usage, "Try --help", the error in English words):
    an unknown option, an option without its value or missing, a wrong
    value. ``examples``: each option's example use, by its first name;
    ``example``: the command written out (its options after its name)."""

    def __init__(self, *args, examples: dict[str, str], example: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.examples, self.example = examples, example

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as error:
            raise self._one_line(error) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise self._one_line(error) from None

    def _one_line(self, error: click.UsageError) -> click.UsageError:
        """``error`` said in one line, with what to write; one click says of
        extra words stays as it is said (the group adds how to quote them)."""
        command = error.ctx.command_path if error.ctx else self.name
        whole = f"{command} {self.example}"
        if isinstance(error, OneLineUsageError):
            return error
        if isinstance(error, click.NoSuchOption):
            close = next(filter(None, map(self._example_of, error.possibilities or ())), None)
            message = (_("{command} has no option {option}; write {example}").format(
                command=command, option=error.option_name, example=close) if close else _(
                "{command} has no option {option}; its options are {options}, e.g. {example}").format(
                command=command, option=error.option_name, options=", ".join(self.examples), example=whole))
        elif isinstance(error, click.MissingParameter):
            message = _("{option} is missing, and no one is at a terminal to be asked; give it, e.g. {example}").format(
                option=_hint(error.param_hint), example=self._example_of(_hint(error.param_hint)) or whole)
        elif isinstance(error, click.BadParameter):
            message = f"{_hint(error.param_hint)}: {error.message}"
        elif isinstance(error, click.BadOptionUsage) and (example := self._example_of(error.option_name)):
            message = _("{option} needs its value after it, e.g. {example}").format(
                option=error.option_name, example=example)
        else:
            message = error.message
        return OneLineUsageError(message, error.ctx)

    def _example_of(self, name: str) -> str | None:
        """The example use of the option named ``name`` (by any of its names), or None."""
        return next((self.examples[param.opts[0]] for param in self.params
                     if name in param.opts + param.secondary_opts and param.opts[0] in self.examples), None)


def _hint(param_hint) -> str:
    """An option's name as click's errors hold it (a name, or a list of its names)."""
    return param_hint if isinstance(param_hint, str) or param_hint is None else " / ".join(param_hint)


class Day(click.DateTime):
    """A calendar day written exactly YYYY-MM-DD, in the years of
    ``schedule.YEARS``: a :class:`datetime.date`, or its YYYY-MM-DD text
    with ``text=True`` (for keys such as outbox names)."""

    name = "YYYY-MM-DD"

    def __init__(self, text: bool = False):
        super().__init__(["%Y-%m-%d"])
        self.text = text

    def get_metavar(self, param, ctx=None) -> str:
        """What --help shows for a day: YYYY-MM-DD (click's DateTime shows "[%Y-%m-%d]")."""
        return self.name

    def convert(self, value, param, ctx):
        option = param.opts[0] if param else "the date"
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            day = value
        else:
            try:
                day = super().convert(value, param, ctx).date()
            except click.BadParameter:
                day = None
            if day is None or day.isoformat() != value:  # strptime also takes 2026-1-5
                raise OneLineUsageError(_('{option} "{value}" is not a date; write it as YYYY-MM-DD, e.g. {option} 2026-11-26')
                                        .format(option=option, value=value), ctx) from None
        if day.year not in YEARS:  # the schedule would count past datetime's range
            raise OneLineUsageError(_('{option} "{value}" is in the year {year}; days lie in {first}-{last}, check the year')
                                    .format(option=option, value=day, year=day.year, first=YEARS[0], last=YEARS[-1]), ctx)
        return day.isoformat() if self.text else day


class IssueDay(Day):
    """A day that is an issue date (the 2nd or 4th Thursday of its month);
    a day that is none names the issues either side of it (a bundle to
    write is most often the next, an outbox to send or report on the one
    before)."""

    def convert(self, value, param, ctx):
        day = super().convert(value, param, ctx)
        checked = dt.date.fromisoformat(day) if self.text else day
        if not is_issue_date(checked):
            option = param.opts[0] if param else "the date"
            raise OneLineUsageError(_("{option} {day} is not an issue date (2nd or 4th Thursday); "
                                      "the one before it is {before}, the next one {next}")
                                    .format(option=option, day=checked, before=previous_issue(checked),
                                            next=next_issue(checked)), ctx)
        return day


DAY = Day()
DAY_TEXT = Day(text=True)
ISSUE_DAY = IssueDay()
ISSUE_DAY_TEXT = IssueDay(text=True)  # an issue outbox's key


def refuse_reversed_days(first: dt.date | None, last: dt.date | None) -> None:
    """``--from`` after ``--to``: one line (exit 2), not an empty answer."""
    if first is not None and last is not None and first > last:
        raise OneLineUsageError(_("--from {first} is after --to {last}, so no day is between them; swap the two days").format(
            first=first, last=last))
