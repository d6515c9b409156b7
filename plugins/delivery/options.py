"""The delivery commands' choice of an outbox: --issue (sotong.options.ISSUE_DAY_TEXT)
or --notice, whose check makes a wrong value a command-line error (exit 2)
with what to write."""

from __future__ import annotations

import re

import click

from sotong.i18n import _


def notice_slug(ctx, param, value):
    """--notice: a notice slug."""
    if value is not None and not re.fullmatch(r"[\w-]+", value):
        raise click.BadParameter(_('"{value}" is not a notice slug; write the notice file\'s name without .md '
                                   '(letters, digits and -), e.g. 2026-11-21-cold-wave-warning').format(value=value))
    return value


def outbox_key(issue, notice) -> tuple[str, str]:
    """(key, kind) of the outbox that --issue or --notice names: one of them."""
    if bool(issue) == bool(notice):
        raise click.UsageError(_("give either --issue YYYY-MM-DD or --notice SLUG"))
    return (issue, "issue") if issue else (notice, "notice")


def option_of(kind: str) -> str:
    """The option that names an outbox of ``kind`` (issue, notice), to quote in a command."""
    return "--issue" if kind == "issue" else "--notice"
