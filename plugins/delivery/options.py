"""The delivery commands' shared options: checks of --issue and --notice
that make a wrong value a command-line error (exit 2) with what to write."""

from __future__ import annotations

import datetime as dt
import re

import click


def issue_date(ctx, param, value):
    """--issue: a date, written YYYY-MM-DD."""
    if value is None:
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f'"{value}" is not a date; write it as YYYY-MM-DD, e.g. 2026-11-26') from None
    return value


def notice_slug(ctx, param, value):
    """--notice: a notice slug."""
    if value is not None and not re.fullmatch(r"[\w-]+", value):
        raise click.BadParameter(f'"{value}" is not a notice slug; slugs are letters, digits and -, e.g. cold-wave-warning')
    return value
