"""Command-line value types every command shares, built on click's own: a
day (``--issue 2026-11-26``, ``--since``, ``--after``) and an issue day, a
whole number (``--jobs``, ``--year``) and a number (``--rate``), each shown
in --help in the chosen language and each mistake said in one line (exit 2)
with what to write instead; a day or a year typed without its option
(``sotong send 2026-11-26``), and a slip in a file's name (a day typed
for it, ``sotong subscribers export 2026-11-26``; a CSV named ``.xlsx``:
:class:`FileName`), said with the line to write (:func:`as_option`)."""

from __future__ import annotations

import datetime as dt
import math
import os
import shlex

import click

from .dates import ISO_DAY
from .i18n import _, ngettext
from .problems import shortened, typed_in_hangul
from .schedule import YEARS, is_issue_date, next_issue, previous_issue
from .unquoted import command_words


class OneLineUsageError(click.UsageError):
    """A command-line mistake said in one line (exit 2), without the usage text."""

    def show(self, file=None):
        click.echo(_("Error: {message}").format(message=self.format_message()), err=True)


class OneLineCommand(click.Command):
    """A command staff type (``sotong new``) with an example use of each of
    its options, which :func:`said_in_one_line` gives with its mistakes.
    ``examples``: each option's example use, by its first name;
    ``example``: the command written out (its options after its name)."""

    def __init__(self, *args, examples: dict[str, str], example: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.examples, self.example = examples, example


def said_in_one_line(error: click.UsageError) -> click.UsageError:
    """A command-line mistake of any command or group (an unknown option or
    command, an option without its value, a missing one, a wrong value) in
    one line (exit 2) with what to write, not in click's three (its usage,
    "Try --help", the error in English words); the mistyped name of a
    command or option gets the nearest one click found. Click's own help
    when a group is given nothing stays as it is; so does what click says
    of extra words (the group adds how to quote them)."""
    if isinstance(error, (OneLineUsageError, click.exceptions.NoArgsIsHelpError)):
        return error
    ctx = error.ctx
    command = ctx.command if ctx else None
    path = ctx.command_path if ctx else "sotong"
    if isinstance(error, click.exceptions.NoSuchCommand):
        message = _no_such_command(error, path, command)
    elif isinstance(error, click.NoSuchOption) and command is not None:
        message = _no_such_option(error, path, command, ctx)
    elif isinstance(error, click.MissingParameter):
        message = _missing(error, path, command, ctx)
    elif isinstance(error, click.BadParameter):
        hint = _hint(error.param_hint) or (error.param and _name_of(error.param, ctx))
        message = f"{hint}: {error.message}" if hint else error.message
    elif isinstance(error, click.BadOptionUsage) and (param := _option(command, error.option_name)) \
            and not param.is_flag:
        message = _("{option} needs its value after it, e.g. {example}").format(
            option=error.option_name, example=_example_of(param, ctx))
    else:
        message = error.message
    return OneLineUsageError(message, ctx)


def _no_such_command(error, path: str, group: click.Command | None) -> str:
    """A mistyped command: the nearest one to write, or the group's commands."""
    commands = group.list_commands(error.ctx) if isinstance(group, click.Group) else []
    if meant := typed_in_hangul(error.command_name, commands):
        return _("{group} has no command {name}: the keyboard was typing Hangul; press the 한/영 key and write {example}"
                 ).format(group=path, name=error.command_name, example=f"{path} {meant}")
    if error.possibilities:
        return _("{group} has no command {name}; write {example}").format(
            group=path, name=error.command_name, example=f"{path} {error.possibilities[0]}")
    commands = ", ".join(commands)
    return _("{group} has no command {name}; its commands are {commands}").format(
        group=path, name=error.command_name, commands=commands)


def _no_such_option(error: click.NoSuchOption, path: str, command: click.Command, ctx) -> str:
    """A mistyped option: the nearest one's example use, or the command's options."""
    names = [name for param in command.get_params(ctx) if isinstance(param, click.Option) for name in param.opts]
    if meant := typed_in_hangul(error.option_name, names):
        return _("{command} has no option {option}: the keyboard was typing Hangul; press the 한/영 key and write {example}"
                 ).format(command=path, option=error.option_name, example=_example_of(_option(command, meant), ctx, meant))
    close = next((name for name in error.possibilities or () if _option(command, name)), None)
    if close is not None:
        return _("{command} has no option {option}; write {example}").format(
            command=path, option=error.option_name, example=_example_of(_option(command, close), ctx, close))
    options = ", ".join(param.opts[0] for param in command.get_params(ctx)
                        if isinstance(param, click.Option) and param.opts[0] not in ctx.help_option_names)
    if isinstance(command, OneLineCommand):
        return _("{command} has no option {option}; its options are {options}, e.g. {example}").format(
            command=path, option=error.option_name, options=options, example=f"{path} {command.example}")
    return _("{command} has no option {option}; its options are {options} ({command} --help says what each does)"
             ).format(command=path, option=error.option_name, options=options)


def _missing(error: click.MissingParameter, path: str, command: click.Command | None, ctx) -> str:
    """A missing argument or option, with an example of it; one that would
    have been asked at a terminal (no ``param``: sotong.authoring) says so."""
    if error.param is None:
        option = _hint(error.param_hint)
        param = _option(command, option)
        return _("{option} is missing, and no one is at a terminal to be asked; give it, e.g. {example}").format(
            option=option, example=_example_of(param, ctx) if param else path)
    name = _name_of(error.param, ctx)
    example = _example_of(error.param, ctx) if isinstance(error.param, click.Option) else f"{path} {name}"
    return _("{command} needs {name}; write it, e.g. {example}").format(command=path, name=name, example=example)


def _option(command: click.Command | None, name: str | None) -> click.Option | None:
    """The option of ``command`` named ``name`` (by any of its names), or None."""
    return next((param for param in (command.params if command else ()) if isinstance(param, click.Option)
                 and name in param.opts + param.secondary_opts), None)


def _name_of(param: click.Parameter, ctx: click.Context) -> str:
    """An option's first name (``--issue``), an argument's metavar (``FILE.csv``)."""
    return param.opts[0] if isinstance(param, click.Option) else param.make_metavar(ctx)


def _example_of(param: click.Option, ctx, name: str = "") -> str:
    """The example use of option ``param``: its command's own (``OneLineCommand``)
    or its name (``name``, as the nearest to one typed, else its first) and
    what --help shows for its value (``--issue YYYY-MM-DD``)."""
    examples = getattr(ctx.command, "examples", {}) if ctx else {}
    if param.opts[0] in examples:
        return examples[param.opts[0]]
    name = name or param.opts[0]
    if isinstance(param.type, _Counted):
        return f"{name} {param.type.example_of(param)}"
    return name if param.is_flag or param.count else f"{name} {param.make_metavar(ctx)}"


def _hint(param_hint) -> str | None:
    """An option's name as click's errors hold it (a name, or a list of its names)."""
    return param_hint if isinstance(param_hint, str) or param_hint is None else " / ".join(param_hint)


class Day(click.DateTime):
    """A calendar day written exactly YYYY-MM-DD, in the years of
    ``schedule.YEARS``: a :class:`datetime.date`, or its YYYY-MM-DD text
    with ``text=True`` (for keys such as outbox names)."""

    name = "YYYY-MM-DD"
    given_instead: tuple[str, ...] = ()  # options that stand in its place: one typed, no day is asked for

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
                from .notices import as_iso  # only when a day is wrong: the commands start without it

                raise OneLineUsageError(_('{option} "{value}" is not a date; write it as YYYY-MM-DD, e.g. {option} {example}')
                                        .format(option=option, value=value, example=as_iso(value, False) or "2026-11-26"),
                                        ctx) from None
        if day.year not in YEARS:  # the schedule would count past datetime's range
            raise OneLineUsageError(_('{option} "{value}" is in the year {year}; days lie in {first}-{last}, check the year')
                                    .format(option=option, value=day, year=day.year, first=YEARS[0], last=YEARS[-1]), ctx)
        return day.isoformat() if self.text else day


class IssueDay(Day):
    """A day that is an issue date (the 2nd or 4th Thursday of its month);
    a day that is none names the issues either side of it (a bundle to
    write is most often the next, an outbox to send or report on the one
    before)."""

    given_instead = ("--notice",)  # an outbox is an issue's, or a one-off notice's (--notice SLUG)

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


def _figure(number) -> str:
    """A bound as --help and the errors show it: 10,000,000 with its commas, a year or a port as 2026, 65535."""
    return f"{number:,}" if abs(number) >= 1_000_000 else str(number)


class _Counted:
    """What :class:`WholeNumber` and :class:`Number` share: --help shows
    their kind and bounds in the chosen language (click's ``_describe_range``,
    shown after an option's help), not click's "INTEGER RANGE" and
    "[x>=1]", and a wrong value is one line saying what was typed, what to
    write and an example (the option's ``example``, else its default, else
    its least value), not "'abc' is not a valid integer"."""

    example = None  # and described(): the kind and bounds, "a whole number of 1 or more"

    def _describe_range(self) -> str:
        return self.described() if self.min is not None else ""

    def example_of(self, param: click.Parameter) -> str:
        """A value to write for ``param``, as the option's example shows it."""
        if self.example is not None:
            return str(self.example)
        if isinstance(param.default, (int, float)) and not isinstance(param.default, bool):
            return str(param.default)
        return str(self.min if self.min is not None else 1)

    def convert(self, value, param, ctx):
        try:
            number = super().convert(value, param, ctx)
            if math.isfinite(number):
                return number
        except click.BadParameter:
            pass
        option = param.opts[0]
        raise OneLineUsageError(_('{option} "{value}" will not do; write {what}, e.g. {example}').format(
            option=option, value=value, what=self.described(), example=f"{option} {self.example_of(param)}"), ctx) from None


class Text(click.types.StringParamType):
    """Text a command keeps or looks for (a notice's title, a department,
    words to search), refused when the terminal typed bytes that are not
    UTF-8 (a terminal in EUC-KR): Python keeps them as lone surrogates,
    which ``sotong new`` wrote into the notice as ``\\uDCFF`` escapes."""

    name = "text"

    def convert(self, value, param, ctx):
        value = super().convert(value, param, ctx)
        if isinstance(value, str) and any("\udc80" <= char <= "\udcff" for char in value):
            self.fail(_("the text holds bytes that are not UTF-8 ({shown}), as a terminal set to another encoding (EUC-KR) "
                        "types them; set the terminal to UTF-8 and type it again").format(
                shown=value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")), param, ctx)
        return value


class WholeNumber(_Counted, click.IntRange):
    """A whole number from ``min`` to ``max`` (either may be None: no bound),
    shown in --help as 정수 [1 이상의 정수]."""

    def __init__(self, min: int | None = None, max: int | None = None, example: int | None = None):
        super().__init__(min, max)
        self.example = example

    def get_metavar(self, param, ctx=None) -> str:
        return _("WHOLE NUMBER")

    def described(self) -> str:
        if self.min is not None and self.max is not None:
            return _("a whole number from {min} to {max}").format(min=_figure(self.min), max=_figure(self.max))
        if self.min is not None:
            return _("a whole number of {min} or more").format(min=_figure(self.min))
        return _("a whole number")


class Number(_Counted, click.FloatRange):
    """A number (a fraction too) of ``min`` or more, or more than ``min``
    with ``above``; never NaN or infinity."""

    def __init__(self, min: float, above: bool = False, example: float | None = None):
        super().__init__(min, min_open=above)
        self.example = example

    def get_metavar(self, param, ctx=None) -> str:
        return _("NUMBER")

    def described(self) -> str:
        if self.min_open:
            return _("a number more than {min}").format(min=_figure(self.min))
        return _("a number of {min} or more").format(min=_figure(self.min))


class Year(WholeNumber):
    """A calendar year (an annual report's), one of ``schedule.YEARS`` as
    the days' are (2000 to 2099): --help and a mistake say those bounds."""

    def __init__(self):
        super().__init__(YEARS[0], YEARS[-1], example=2026)


JOBS = WholeNumber(min=1)  # worker processes
PORT = WholeNumber(0, 65535)  # a port to listen on (0: any free one)
YEAR = Year()


class FileName(click.Path):
    """A file's name a command is given (``FILE.csv``), to write, or to read
    with ``reads=True``, and the slips in it said with the line to write
    (:class:`FileNameSlip`, said by :func:`as_option`): a day typed in its
    place (``2026-11-26``, ``2026.11.26``, ``20261126``) without the file's
    suffix, which staff meant as a day, or typed forgetting the name (the
    file named by ``example`` then, ``구독자-{day}.csv``; a file to read that
    is there by that name is read); and a CSV to write named as Excel's own
    files (``명단.xlsx``), which Excel then refuses to open (named ``.csv``);
    and a file to write that is there already under a name without the
    command's suffix (``/etc/passwd``, ``notes.txt``, a device): writing it
    would replace a file that is no file of this command's (refused, the
    example named for today), or a folder (the example's file in it)."""

    def __init__(self, example: str, reads: bool = False, exists: bool = False):
        super().__init__(dir_okay=False, exists=exists)
        self.example, self.reads = example, reads
        self.suffix = os.path.splitext(example)[1]

    def convert(self, value, param, ctx):
        if isinstance(value, str) and any(len(os.fsencode(part)) > 255 for part in value.split(os.sep)):
            self.fail(_("{name}: a file's name may be at most 255 bytes (85 Korean letters); write a shorter "
                        "one").format(name=shortened(value)), param, ctx)  # else "does not exist", or OSError
        if not isinstance(value, str) or value.lower().endswith(self.suffix):
            return super().convert(value, param, ctx)
        stem, suffix = os.path.splitext(value)
        if not (self.reads and os.path.exists(value)) and (day := _day_written(value)):
            said = _("{typed} is a day, not the name of a file to read; write the file's name, e.g. {example}") \
                if self.reads else _("{typed} is a day, not a file name; write the file's name: {example}")
            raise FileNameSlip(value, self.example.format(day=day), said, ctx, day=day)
        if not self.reads and self.suffix == ".csv" and suffix.lower() in _EXCEL_SUFFIXES:
            raise FileNameSlip(value, stem + self.suffix, _("{typed}: this command writes a CSV file, which Excel "
                                                           "opens only when its name ends in .csv; write {example}"), ctx)
        if not self.reads and os.path.isdir(value):  # private: the folder meant for it, the file's name left out
            example = os.path.join(value, os.path.basename(self.example.format(day=dt.date.today().isoformat())))
            raise FileNameSlip(value, example, _("{typed} is a folder; write the name of the file to make in it: "
                                                 "{example}"), ctx)
        if not self.reads and os.path.lexists(value):
            raise FileNameSlip(value, self.example.format(day=dt.date.today().isoformat()), _(
                "{typed} is a file already, not one this command writes: writing would replace it; write a new "
                "file's name: {example}"), ctx)
        return super().convert(value, param, ctx)


_EXCEL_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".xlsb")  # a CSV under these names: Excel says the file is damaged


def _day_written(text: str) -> str | None:
    """The day ``text`` writes, as YYYY-MM-DD: in any way a notice's date may
    be mistyped (2026-11-26, 2026.11.26, 2026년 11월 26일: notices.as_iso) or
    as eight digits (20261126); None for any other text."""
    if len(text) == 8 and text.isascii() and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    from .notices import as_iso  # only for a name without its suffix: no start-up cost

    return as_iso(text, time_allowed=False)


class FileNameSlip(OneLineUsageError):
    """A file's name that is not what staff meant (:class:`FileName`):
    ``typed``, the name to write, and the words that say so (``said``, with
    ``{typed}`` and ``{example}``), said with ``example`` (the line to write)
    or the name alone; ``day``: the day ``typed`` wrote, if it did."""

    def __init__(self, typed: str, file_name: str, said: str, ctx, day: str | None = None, example: str | None = None):
        super().__init__(said.format(typed=typed, example=example or file_name), ctx)
        self.typed, self.file_name, self.said, self.day = typed, file_name, said, day


def as_option(error: click.UsageError, argv: list[str]) -> click.UsageError:
    """``error`` of a day or a year written without its option (``sotong
    send 2026-11-26``, ``sotong report 2026``), which click calls an extra
    argument (or, after a group such as ``send``, an unknown command): one
    line giving the command as typed (``argv``: the words after ``sotong``)
    with the option the command takes such a value by (a :class:`Day` or
    :class:`Year` type, when it has one of the kind and it was not given)
    written before it; of a slip in a file's name (:class:`FileNameSlip`: a
    day typed for it), the command as typed with the file's name to write
    in its place (:func:`_file_name_written`); of a command's name typed
    twice (``sotong sotong check``), the command to write; any other error
    as it was."""
    ctx = error.ctx
    words = command_words(ctx, argv) if ctx is not None else []
    if isinstance(error, FileNameSlip):
        return _file_name_written(error, ctx, words)
    if isinstance(error, click.exceptions.NoSuchCommand) and error.command_name == ctx.info_name \
            and error.command_name in words:  # `sotong sotong check`: the name typed, then pasted with the command
        words = [*words]
        words.remove(error.command_name)
        return OneLineUsageError(_("{name} is written twice; write it once: {example}").format(
            name=error.command_name, example=" ".join([ctx.command_path, *(shlex.quote(word) for word in words)])), ctx)
    value = _bare_value(error, words)
    option = _option_for(ctx.command, value, words) if value else None
    if option is None:
        return error
    said = _("write {option} before the day: {example}") if ISO_DAY.fullmatch(value) else \
        _("write {option} before the year: {example}")
    return OneLineUsageError(said.format(option=option, example=_typed_with(ctx, words, value, f"{option} {value}")),
                             ctx)


def _file_name_written(error: FileNameSlip, ctx: click.Context, words: list[str]) -> click.UsageError:
    """``error`` said with the command as typed (``words``), the file's name
    to write in the place of the one typed; a day typed for it (``sotong
    subscribers changes 2026-11-26``) given the command's option for a day
    too, when it has one and it was not given: the day was meant for it."""
    option = _option_for(ctx.command, error.day, words) if error.day and error.typed in words else None
    written = f"{option} {error.day} {error.file_name}" if option else error.file_name
    line = _typed_with(ctx, words, error.typed, written)
    if line is None:
        return error
    said = _("{typed} is a day, not a file name; write {option} before the day and a file's name after it: "
             "{example}").replace("{option}", option) if option else error.said
    return FileNameSlip(error.typed, error.file_name, said, ctx, error.day, line)


def _typed_with(ctx: click.Context, words: list[str], value: str, written: str) -> str | None:
    """The command of ``ctx`` as typed (``words``: the words after its name),
    its last word ``value`` (or ``--option=value``) written ``written``
    instead; None when no word is ``value``."""
    at = next((i for i in reversed(range(len(words))) if words[i] == value or words[i].endswith(f"={value}")), None)
    if at is None:
        return None
    typed = [f'"{word}"' if " " in word else word for word in words]
    typed[at] = words[at][:len(words[at]) - len(value)] + written
    return " ".join([ctx.command_path, *typed])


def _bare_value(error: click.UsageError, words: list[str]) -> str | None:
    """The word of ``words`` that ``error`` names as an extra argument or an unknown command, if only one."""
    if isinstance(error, click.exceptions.NoSuchCommand):
        return error.command_name if error.command_name in words else None
    extra = ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1)
    return next((word for word in words if error.message == extra.format(args=word)), None)


def _option_for(command: click.Command, value: str, words: list[str]) -> str | None:
    """The option of ``command`` that takes ``value`` (a day, a year), when
    it has exactly one and neither it nor one that stands in its place
    (``--notice`` for ``--issue``: :attr:`Day.given_instead`) is among ``words``."""
    kind = Day if ISO_DAY.fullmatch(value) else Year if value.isascii() and value.isdigit() and len(value) == 4 else None
    options = [param for param in command.params if isinstance(param, click.Option) and kind
               and isinstance(param.type, kind)]
    if len(options) != 1:
        return None
    names = [*options[0].opts, *options[0].secondary_opts, *getattr(options[0].type, "given_instead", ())]
    return None if any(word.split("=")[0] in names for word in words) else options[0].opts[0]
