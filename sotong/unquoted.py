"""A value with spaces typed without quotes (``sotong new --category 생활 정보``):
click's "unexpected extra argument (정보)" alone does not say why, so the
command groups add that such a value is written in quotes, with the words
rewritten so (``--category "생활 정보"``).

The command line is read again here as click reads it: an option that takes a
value takes the next word, the words after it that are no option are loose,
the command's arguments take the first loose words and the rest are the
extra ones click names.
"""

from __future__ import annotations

import click

from .i18n import _, ngettext


def with_quoting_hint(error: click.UsageError, argv: list[str]) -> click.UsageError:
    """``error`` with the hint added when it is click's extra-argument error
    and an extra word follows a value (``--title 겨울 축제``); else as it was."""
    ctx = error.ctx
    if ctx is None:
        return error
    runs = _word_runs(ctx.command, command_words(ctx, argv))
    loose = [word for option, words in runs for word in (words[1:] if option else words)]
    taken = _argument_slots(ctx.command)
    if taken is None or len(loose) <= taken:
        return error
    extra = loose[taken:]
    said = ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})",
                    len(extra)).format(args=" ".join(extra))
    examples = _examples(runs, len(extra))
    if error.message != said or not examples:
        return error
    error.message = _("{error}; a value with spaces is written in quotes: {example}").format(
        error=error.message, example=" ".join(examples))
    return error


def command_words(ctx: click.Context, argv: list[str]) -> list[str]:
    """The words of ``argv`` after the name of the command of ``ctx`` (and of its groups)."""
    names = []
    while ctx.parent is not None:
        names.insert(0, ctx.info_name)
        ctx = ctx.parent
    start = 0
    for name in names:
        if name not in argv[start:]:
            return []
        start = argv.index(name, start) + 1
    return argv[start:]


def _word_runs(command: click.Command, words: list[str]) -> list[tuple[str | None, list[str]]]:
    """The words that are no option, in runs: each after the option whose value
    is its first word, or after none (loose from its first word)."""
    valued = {name for param in command.params if isinstance(param, click.Option)
              and not (param.is_flag or param.count) and param.nargs == 1 for name in param.opts}
    runs: list[tuple[str | None, list[str]]] = [(None, [])]
    rest = iter(words)
    for word in rest:
        name, equals, inline = word.partition("=")
        if word == "--":
            runs.append((None, list(rest)))
        elif word.startswith("-") and name in valued:
            runs.append((name, [inline] if equals else [next(rest, "")]))
        elif word.startswith("-") and not word.startswith("--") and word[:2] in valued:
            runs.append((word[:2], [word[2:]]))
        elif word.startswith("-") and len(word) > 1:
            runs.append((None, []))
        else:
            runs[-1][1].append(word)
    return runs


def _argument_slots(command: click.Command) -> int | None:
    """How many loose words the command's arguments take; None when they take any number."""
    counts = [param.nargs for param in command.params if isinstance(param, click.Argument)]
    return None if any(count < 0 for count in counts) else sum(counts)


def _examples(runs, extra: int) -> list[str]:
    """The runs holding the last ``extra`` loose words, each spilled word
    quoted with the value before it (and its option, when that is the value)."""
    examples = []
    for option, words in reversed(runs):
        spilled = min(extra, len(words) - (1 if option else 0))
        extra -= spilled
        if spilled and len(words) > spilled:
            quoted = '"' + " ".join(words[-spilled - 1:]) + '"'
            examples.insert(0, f"{option} {quoted}" if option and len(words) == spilled + 1 else quoted)
    return examples
